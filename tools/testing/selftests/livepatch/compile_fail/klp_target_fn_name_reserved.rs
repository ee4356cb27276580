// SPDX-License-Identifier: GPL-2.0

//! Build-fail test (tools/klp-elf names): a module may not define the global symbol `__cf_reserved` (a reserved name); a `klp_target_fn!` (or `#[no_mangle]`) of that name would. Its twin has a name of its own.
//~ ERROR: defines the global symbol `__cf_reserved` (`#[no_mangle]`, `#[export_name]` or a klp_target_fn!?): a reserved name

use core::ffi::{c_int, c_void};
use livepatch::{klp_func, klp_target_fn, module_livepatch};

module_livepatch! {
    name: "cf_klp_target_fn_name_reserved",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux {
            cmdline_proc_show => cf_show,
        },
    },
}

klp_target_fn! {
    fn __cf_reserved(s: *mut c_void, c: c_int, n: usize) -> *mut c_void { //~ FAIL
    fn cf_own_reserved(s: *mut c_void, c: c_int, n: usize) -> *mut c_void { //~ PASS
        let _ = (c, n);
        s
    }
}

klp_func! {
    fn cf_show(_m: *mut c_void, _v: *mut c_void) -> c_int {
        0
    }
}
