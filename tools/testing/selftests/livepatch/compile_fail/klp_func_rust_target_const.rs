// SPDX-License-Identifier: GPL-2.0

//! Build-fail test (tools/klp-elf): `dummy_check()` of livepatch_shadow_mod.rs takes `d: &Dummy`, a shared reference its callers may rely on not being written through; a replacement taking `*mut Dummy` claims it may write the dummy.
//~ ERROR: does not match the Rust target: parameter 1 `d` (target `d`): the target's type is `&Dummy`, the replacement's `*mut Dummy`: the replacement writes through the pointer

use kernel::ffi::c_ulong;
use livepatch::{klp_func, module_livepatch, targets::livepatch_shadow_mod::dummy as Dummy};

module_livepatch! {
    name: "cf_klp_func_rust_target_const",
    license: "GPL",
    objects: {
        TARGET: "livepatch_shadow_mod" {
            dummy_check => cf_check,
        },
    },
}

klp_func! {
    fn cf_check(d: *mut Dummy, jiffies: c_ulong) -> bool { //~ FAIL
    fn cf_check(d: *const Dummy, jiffies: c_ulong) -> bool { //~ PASS
        let _ = (d, jiffies);
        false
    }
}
