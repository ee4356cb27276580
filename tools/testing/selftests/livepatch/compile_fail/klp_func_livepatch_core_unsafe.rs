// SPDX-License-Identifier: GPL-2.0

//! Build-fail test (tools/klp-elf check; adversarial pass 7): an `unsafe old_name =>
//! replacement` entry states the prototype, not that the function is outside the livepatch core:
//! `klp_shadow_get()` stays refused (see klp_func_livepatch_core.rs). Its twin replaces a function
//! outside the core, also with `unsafe`.
//~ ERROR: klp_shadow_get is a function of the livepatch core (kernel/livepatch/shadow.c), which calls it under its own locks: a livepatch may not replace it

use core::ffi::{c_int, c_void}; //~ PASS
use core::ffi::{c_ulong, c_void}; //~ FAIL
use livepatch::{klp_func, module_livepatch}; //~ PASS
use livepatch::{klp_func, module_livepatch, ReturnPtr}; //~ FAIL

module_livepatch! {
    name: "cf_klp_func_livepatch_core_unsafe",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux {
            // SAFETY: `void *klp_shadow_get(void *obj, unsigned long id)`. //~ FAIL
            unsafe klp_shadow_get => cf_shadow_get, //~ FAIL
            // SAFETY: `int cmdline_proc_show(struct seq_file *m, void *v)`. //~ PASS
            unsafe cmdline_proc_show => cf_show, //~ PASS
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
