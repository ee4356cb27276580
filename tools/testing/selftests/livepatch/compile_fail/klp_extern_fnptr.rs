// SPDX-License-Identifier: GPL-2.0

//! Build-fail test (tools/klp-elf): `schedule_on_each_cpu(work_func_t func)` calls the function it is given: a `klp_extern!` declaration passing a `c_void` pointer for it cannot be checked (its twin states it with `unsafe`).
//~ ERROR: klp_extern! function schedule_on_each_cpu of vmlinux does not match C: parameter 1 `func` (C `func`): the C type is `work_func_t`, the Rust type `*mut c_void`: a function pointer in C

use core::ffi::{c_int, c_void};
use kernel::ffi::c_char;
use livepatch::{klp_extern, klp_func, module_livepatch};

module_livepatch! {
    name: "cf_klp_extern_fnptr",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux {
            cmdline_proc_show => cf_show,
        },
    },
}

klp_extern! {
    vmlinux {
        fn schedule_on_each_cpu(func: *mut c_void) -> c_int; //~ FAIL
        unsafe fn schedule_on_each_cpu(func: *mut c_void) -> c_int; //~ PASS
    }
}

klp_func! {
    fn cf_show(_m: *mut c_void, _v: *mut c_void) -> c_int {
        let _ = core::mem::size_of::<c_char>();
        0
    }
}
