// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: a replacement cannot take a C structure by reference: that nobody writes it during the call is the author's unsafe claim.
//~ ERROR: FfiArg` is not satisfied

#[macro_use]
#[path = "../../../../../src/lib.rs"]
pub mod livepatch;

use kernel::{c_str, ffi::c_ulong};
use livepatch::{targets::livepatch_shadow_mod::dummy as Dummy, Func, Object, Patch};

module_livepatch! {
    patch: patch,
    name: "cf_klp_func_cstruct_ref",
    license: "GPL",
}

klp_func! {
    fn check(d: &Dummy, jiffies: c_ulong) -> bool { //~ FAIL
    fn check(d: *mut Dummy, jiffies: c_ulong) -> bool { //~ PASS
        !core::ptr::from_ref(&d).is_null() && jiffies > 0
    }
}

fn patch() -> Patch {
    Patch::new().object(
        Object::module(c_str!("livepatch_shadow_mod")).func(Func::new(c_str!("dummy_check"), check)),
    )
}
