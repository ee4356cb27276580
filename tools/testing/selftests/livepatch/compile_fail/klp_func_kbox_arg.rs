// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: a replacement cannot take ownership of its argument as a KBox: that the C function owns it is the author's unsafe claim.
//~ ERROR: FfiArg` is not satisfied

#[macro_use]
#[path = "../../../../../src/lib.rs"]
pub mod livepatch;

use kernel::{c_str, prelude::*};
use livepatch::{targets::livepatch_shadow_mod::dummy as Dummy, Func, Object, Patch};

module_livepatch! {
    patch: patch,
    name: "cf_klp_func_kbox_arg",
    license: "GPL",
}

klp_func! {
    fn free(d: Option<KBox<Dummy>>) { //~ FAIL
    fn free(d: *mut Dummy) { //~ PASS
        let _ = d;
    }
}

fn patch() -> Patch {
    Patch::new().object(
        Object::module(c_str!("livepatch_shadow_mod")).func(Func::new(c_str!("dummy_free"), free)),
    )
}
