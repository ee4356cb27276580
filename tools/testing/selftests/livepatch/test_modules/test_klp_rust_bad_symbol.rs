// SPDX-License-Identifier: GPL-2.0

//! Livepatch test: a Rust livepatch whose target function does not exist.
//!
//! `klp_enable_patch()` fails to resolve `test_klp_rust_no_such_function` in vmlinux, so
//! `insmod` must fail with `-EINVAL` and leave no patch behind.

#[macro_use]
#[path = "../../../../../src/lib.rs"]
pub mod livepatch;

use core::ffi::c_int;
use kernel::c_str;
use livepatch::{Func, Object, Patch};

module_livepatch! {
    patch: patch,
    name: "test_klp_rust_bad_symbol",
    description: "Livepatch test: missing target symbol",
    license: "GPL",
}

klp_func! {
    /// Never installed: its target does not exist.
    fn replacement() -> c_int {
        0
    }
}

fn patch() -> Patch {
    Patch::new().object(Object::vmlinux().func(Func::new(
        c_str!("test_klp_rust_no_such_function"),
        replacement,
    )))
}
