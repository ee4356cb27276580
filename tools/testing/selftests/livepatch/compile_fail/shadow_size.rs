// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: a shadow variable's value is built on the stack in atomic context: at most `MAX_SHADOW_SIZE` bytes.
//~ ERROR: shadow variable types are limited to MAX_SHADOW_SIZE bytes

use livepatch::{module_livepatch, Shadow};

module_livepatch! {
    name: "cf_shadow_size",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux,
    },
}

// SAFETY: Id 0x9011 is used by this test module only, for one type.
static SV: Shadow<[u64; 1024]> = unsafe { Shadow::new(0x9011) }; //~ FAIL
static SV: Shadow<[u64; 64]> = unsafe { Shadow::new(0x9011) }; //~ PASS

#[expect(dead_code)]
fn f(p: *const core::ffi::c_void) -> bool {
    SV.exists(p)
}
