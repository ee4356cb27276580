// SPDX-License-Identifier: GPL-2.0

//! Build-fail test (tools/klp-elf): `_printk()` is variadic: a `klp_extern!` declaration cannot state its signature.
//~ ERROR: klp_extern! function _printk of vmlinux: _printk is variadic in C: not supported

use core::ffi::{c_int, c_void};
use kernel::ffi::c_char;
use livepatch::{klp_extern, klp_func, module_livepatch};

module_livepatch! {
    name: "cf_klp_extern_variadic",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux {
            cmdline_proc_show => cf_show,
        },
    },
}

klp_extern! {
    vmlinux {
        fn _printk(fmt: *const c_char) -> c_int; //~ FAIL
        fn strim(s: *mut c_char) -> *mut c_char; //~ PASS
    }
}

klp_func! {
    fn cf_show(_m: *mut c_void, _v: *mut c_void) -> c_int {
        let _ = core::mem::size_of::<c_char>();
        0
    }
}
