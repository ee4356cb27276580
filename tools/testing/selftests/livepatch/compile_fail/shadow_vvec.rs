// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: a shadow variable cannot hold a VVec: vfree() may sleep, and shadow values drop in atomic context.
//~ ERROR: ShadowData` is not satisfied
//~ ERROR: Vmalloc

use kernel::prelude::*;
use livepatch::{module_livepatch, Shadow};

module_livepatch! {
    name: "cf_shadow_vvec",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux,
    },
}

// SAFETY: Id 0x9002 is used by this test module only, for one type.
static SV: Shadow<VVec<u8>> = unsafe { Shadow::new(0x9002) }; //~ FAIL
static SV: Shadow<KVec<u8>> = unsafe { Shadow::new(0x9002) }; //~ PASS

#[expect(dead_code)]
fn f(p: *const core::ffi::c_void) -> Option<usize> {
    SV.with(p, |v| v.len())
}
