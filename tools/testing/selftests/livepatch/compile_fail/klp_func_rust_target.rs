// SPDX-License-Identifier: GPL-2.0

//! Build-fail test (tools/klp-elf): a replacement of a Rust target's function, checked against its `klp_target_fn!` definition: `dummy_check()` of livepatch_shadow_mod.rs takes `(d: &Dummy, jiffies: Jiffies)`, a 64-bit unsigned integer.
//~ ERROR: does not match the Rust target: parameter 2 `jiffies` (target `jiffies`): the target's type is `Jiffies`, the replacement's `u32`: 32-bit unsigned integer in the replacement, 64-bit unsigned integer in the target

use kernel::ffi::c_ulong;
use livepatch::{klp_func, module_livepatch, targets::livepatch_shadow_mod::dummy as Dummy};

module_livepatch! {
    name: "cf_klp_func_rust_target",
    license: "GPL",
    objects: {
        TARGET: "livepatch_shadow_mod" {
            dummy_check => cf_check,
        },
    },
}

klp_func! {
    fn cf_check(d: *mut Dummy, jiffies: u32) -> bool { //~ FAIL
    fn cf_check(d: *const Dummy, jiffies: c_ulong) -> bool { //~ PASS
        let _ = (d, jiffies, core::mem::size_of::<c_ulong>());
        false
    }
}
