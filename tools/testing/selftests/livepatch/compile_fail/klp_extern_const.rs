// SPDX-License-Identifier: GPL-2.0

//! Build-fail test (tools/klp-elf): `char *strim(char *s)` writes the string it is given; a `klp_extern!` declaration taking `*const c_char` would let Rust pass read-only data to it.
//~ ERROR: klp_extern! function strim of vmlinux does not match C: parameter 1 `s` (C `s`): the C type is `char *`, the Rust type `*const c_char`: C writes through the pointer

use core::ffi::{c_int, c_void};
use kernel::ffi::c_char;
use livepatch::{klp_extern, klp_func, module_livepatch};

module_livepatch! {
    name: "cf_klp_extern_const",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux {
            cmdline_proc_show => cf_show,
        },
    },
}

klp_extern! {
    vmlinux {
        fn strim(s: *const c_char) -> *mut c_char; //~ FAIL
        fn strim(s: *mut c_char) -> *mut c_char; //~ PASS
    }
}

klp_func! {
    fn cf_show(_m: *mut c_void, _v: *mut c_void) -> c_int {
        0
    }
}
