// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: `klp_shadow_data!` has no arm that implements `ShadowData` for a type defined elsewhere (its fields unchecked).
//~ ERROR: no rules expected

use livepatch::{klp_shadow_data, module_livepatch, Shadow};

module_livepatch! {
    name: "cf_shadow_data_impl_arm",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux,
    },
}

/// A string literal and a function of the module: used after `rmmod` from a shadow variable.
struct Evil(&'static str, fn() -> u32); //~ FAIL
klp_shadow_data!(@impl Evil, u8); //~ FAIL
klp_shadow_data! { //~ PASS
    /// Plain data. //~ PASS
    struct Evil(u32, u64); //~ PASS
} //~ PASS

// SAFETY: Id 0x9010 is used by this test module only, for one type.
static SV: Shadow<Evil> = unsafe { Shadow::new(0x9010) };

#[expect(dead_code)]
fn f(p: *const core::ffi::c_void) -> bool {
    SV.exists(p)
}
