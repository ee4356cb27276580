// SPDX-License-Identifier: GPL-2.0

//! Build-fail test (tools/klp-elf): C's `char boot_command_line[]` is an array, not a pointer: a `klp_extern!` variable `*mut c_char` would read its first 8 characters as an address.
//~ ERROR: klp_extern! variable boot_command_line of vmlinux does not match C: type: the C type is `char[2048]`, the Rust type `*mut c_char`: an array in C

use core::ffi::{c_int, c_void};
use kernel::ffi::c_char;
use livepatch::{klp_extern, klp_func, module_livepatch};

module_livepatch! {
    name: "cf_klp_extern_array",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux {
            cmdline_proc_show => cf_show,
        },
    },
}

klp_extern! {
    vmlinux {
        static boot_command_line: *mut c_char; //~ FAIL
        static saved_command_line: *mut c_char; //~ PASS
    }
}

klp_func! {
    fn cf_show(_m: *mut c_void, _v: *mut c_void) -> c_int {
        let _ = core::mem::size_of::<c_char>();
        0
    }
}
