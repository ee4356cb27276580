// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: a shadow variable cannot hold a function pointer: the code is in the module image.
//~ ERROR: the trait bound `fn(): ShadowData` is not satisfied

use livepatch::{module_livepatch, Shadow};

module_livepatch! {
    name: "cf_shadow_fn_ptr",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux,
    },
}

// SAFETY: Id 0x9003 is used by this test module only, for one type.
static SV: Shadow<fn()> = unsafe { Shadow::new(0x9003) }; //~ FAIL
static SV: Shadow<usize> = unsafe { Shadow::new(0x9003) }; //~ PASS

#[expect(dead_code)]
fn f(p: *const core::ffi::c_void) -> bool {
    SV.exists(p)
}
