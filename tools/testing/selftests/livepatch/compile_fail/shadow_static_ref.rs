// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: a shadow variable cannot hold a reference: it would point into the module image after rmmod.
//~ ERROR: the trait bound `&str: ShadowData` is not satisfied

#[macro_use]
#[path = "../../../../../src/lib.rs"]
pub mod livepatch;

use livepatch::{Patch, Shadow};

module_livepatch! {
    patch: Patch::new,
    name: "cf_shadow_static_ref",
    license: "GPL",
}

// SAFETY: Id 0x9001 is used by this test module only, for one type.
static SV: Shadow<&'static str> = unsafe { Shadow::new(0x9001) }; //~ FAIL
static SV: Shadow<u32> = unsafe { Shadow::new(0x9001) }; //~ PASS

#[expect(dead_code)]
fn f(p: *const core::ffi::c_void) -> Option<u32> {
    SV.with(p, |v| core::mem::size_of_val(v) as u32)
}
