// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: a replacement returns a C type.
//~ ERROR: FfiRet` is not satisfied

#[macro_use]
#[path = "../../../../../src/lib.rs"]
pub mod livepatch;

use kernel::c_str;
use livepatch::{Func, Object, Patch};

module_livepatch! {
    patch: patch,
    name: "cf_klp_func_ret",
    license: "GPL",
}

klp_func! {
    fn name() -> &'static str { //~ FAIL
        "patched" //~ FAIL
    fn name() -> *const u8 { //~ PASS
        "patched".as_ptr() //~ PASS
    }
}

fn patch() -> Patch {
    Patch::new().object(Object::vmlinux().func(Func::new(c_str!("dummy_name"), name)))
}
