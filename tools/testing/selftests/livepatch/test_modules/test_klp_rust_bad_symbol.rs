// SPDX-License-Identifier: GPL-2.0

//! Livepatch test: a Rust livepatch whose target function does not exist.
//!
//! `klp_enable_patch()` fails to resolve `test_klp_rust_no_such_function` in vmlinux, so
//! `insmod` must fail with `-EINVAL` and leave no patch behind.

use core::ffi::c_int;
use livepatch::{klp_func, module_livepatch};

module_livepatch! {
    name: "test_klp_rust_bad_symbol",
    description: "Livepatch test: missing target symbol",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux {
            // SAFETY: No such function exists, so the build cannot check the signature against
            // one (it would fail the build): `klp_enable_patch()` fails before anything calls
            // the replacement.
            unsafe test_klp_rust_no_such_function => replacement,
        },
    },
}

klp_func! {
    /// Never installed: its target does not exist.
    fn replacement() -> c_int {
        0
    }
}
