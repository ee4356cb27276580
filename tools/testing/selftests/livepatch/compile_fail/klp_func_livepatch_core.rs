// SPDX-License-Identifier: GPL-2.0

//! Build-fail test (tools/klp-elf check; adversarial pass 5): a livepatch may not replace a
//! function of the livepatch core. `__klp_shadow_get_or_alloc()` calls `klp_shadow_get()` under
//! `klp_shadow_lock` with interrupts disabled: a replacement that called a shadow function of
//! the crate spun on that lock forever. Its twin replaces a function outside the core.
//~ ERROR: klp_shadow_get is a function of the livepatch core (kernel/livepatch/shadow.c), which calls it under its own locks: a livepatch may not replace it

use core::ffi::{c_int, c_void}; //~ PASS
use core::ffi::{c_ulong, c_void}; //~ FAIL
use livepatch::{klp_func, module_livepatch}; //~ PASS
use livepatch::{klp_func, module_livepatch, ReturnPtr}; //~ FAIL

module_livepatch! {
    name: "cf_klp_func_livepatch_core",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux {
            klp_shadow_get => cf_shadow_get, //~ FAIL
            cmdline_proc_show => cf_show, //~ PASS
        },
    },
}

klp_func! { //~ FAIL
    fn cf_shadow_get(_obj: *mut c_void, _id: c_ulong) -> ReturnPtr<c_void> { //~ FAIL
        ReturnPtr::null() //~ FAIL
    } //~ FAIL
} //~ FAIL

klp_func! { //~ PASS
    fn cf_show(_m: *mut c_void, _v: *mut c_void) -> c_int { //~ PASS
        0 //~ PASS
    } //~ PASS
} //~ PASS
