// SPDX-License-Identifier: GPL-2.0

//! Livepatch test: replaces two Rust functions of `test_klp_rust_target`.
//!
//! `test_klp_rust_target_answer()` (42 becomes 1042) by its C-like name (checked against its
//! `klp_target_fn!` signature), and `mangled_answer()`
//! (7 becomes 1007) by its v0-mangled symbol name, as kallsyms has it (its crate hash included:
//! it changes with the target's crate name and compiler).

use core::ffi::c_int;
use livepatch::{klp_func, module_livepatch};

module_livepatch! {
    name: "test_klp_rust_target_patch",
    author: "Rust for Linux livepatch contributors",
    description: "Livepatch test: replaces Rust functions",
    license: "GPL",
    objects: {
        TARGET: "test_klp_rust_target" {
            // Checked against its `klp_target_fn!` definition in test_klp_rust_target.rs.
            test_klp_rust_target_answer => patched_answer,
            // SAFETY: `extern "C" fn mangled_answer() -> c_int` in test_klp_rust_target.rs, a
            // function not defined with `klp_target_fn!` (whose names are C names), so unchecked.
            unsafe _RNvCs8qRjv1hEg8j_20test_klp_rust_target14mangled_answer => patched_mangled,
        },
    },
}

klp_func! {
    /// Replaces `test_klp_rust_target_answer()`.
    fn patched_answer() -> c_int {
        1042
    }
}

klp_func! {
    /// Replaces `mangled_answer()`.
    fn patched_mangled() -> c_int {
        1007
    }
}
