// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: a replacement cannot take a C structure by reference: that nobody writes it during the call is the author's unsafe claim.
//~ ERROR: FfiArg` is not satisfied

use kernel::ffi::c_ulong;
use livepatch::{klp_func, module_livepatch, targets::livepatch_shadow_mod::dummy as Dummy};

module_livepatch! {
    name: "cf_klp_func_cstruct_ref",
    license: "GPL",
    objects: {
        TARGET: "livepatch_shadow_mod" {
            dummy_check => check,
        },
    },
}

klp_func! {
    fn check(d: &Dummy, jiffies: c_ulong) -> bool { //~ FAIL
    fn check(d: *const Dummy, jiffies: c_ulong) -> bool { //~ PASS
        !core::ptr::from_ref(&d).is_null() && jiffies > 0
    }
}
