// SPDX-License-Identifier: GPL-2.0

//! Build-fail test (tools/klp-elf): `dummy_alloc()` of livepatch_shadow_mod.rs returns `*mut Dummy`, which its callers use as a dummy; a replacement returning `ReturnPtr<c_void>` does not promise one.
//~ ERROR: does not match the Rust target: return type: the target's type is `*mut Dummy`, the replacement's `ReturnPtr<c_void>`: the replacement has a pointer to any type (`c_void`) where the target has one to struct dummy

use core::ffi::c_void;
use livepatch::{klp_func, module_livepatch, ReturnPtr, targets::livepatch_shadow_mod::dummy as Dummy};

module_livepatch! {
    name: "cf_klp_func_rust_target_void",
    license: "GPL",
    objects: {
        TARGET: "livepatch_shadow_mod" {
            dummy_alloc => cf_alloc,
        },
    },
}

klp_func! {
    fn cf_alloc() -> ReturnPtr<c_void> { //~ FAIL
    fn cf_alloc() -> ReturnPtr<Dummy> { //~ PASS
        let _ = core::mem::size_of::<*mut c_void>();
        ReturnPtr::null()
    }
}
