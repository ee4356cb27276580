// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: a shadow variable cannot hold a reference: it would point into the module image after rmmod.
//~ ERROR: the trait bound `&str: ShadowData` is not satisfied

use livepatch::{module_livepatch, Shadow};

module_livepatch! {
    name: "cf_shadow_static_ref",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux,
    },
}

// SAFETY: Id 0x9001 is used by this test module only, for one type.
static SV: Shadow<&'static str> = unsafe { Shadow::new(0x9001) }; //~ FAIL
static SV: Shadow<u32> = unsafe { Shadow::new(0x9001) }; //~ PASS

#[expect(dead_code)]
fn f(p: *const core::ffi::c_void) -> Option<u32> {
    SV.with(p, |v| core::mem::size_of_val(v) as u32)
}
