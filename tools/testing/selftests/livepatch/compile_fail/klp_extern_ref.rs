// SPDX-License-Identifier: GPL-2.0

//! Build-fail test (tools/klp-elf): a `klp_extern!` variable of a reference type claims that C's `char *saved_command_line` is never NULL, which nothing shows.
//~ ERROR: klp_extern! variable saved_command_line of vmlinux does not match C: type: the C type is `char *`, the Rust type `&'static c_char`: Rust assumes a reference, never null, where C has a pointer that may be NULL

use core::ffi::{c_int, c_void};
use kernel::ffi::c_char;
use livepatch::{klp_extern, klp_func, module_livepatch};

module_livepatch! {
    name: "cf_klp_extern_ref",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux {
            cmdline_proc_show => cf_show,
        },
    },
}

klp_extern! {
    vmlinux {
        static saved_command_line: &'static c_char; //~ FAIL
        static saved_command_line: *mut c_char; //~ PASS
    }
}

klp_func! {
    fn cf_show(_m: *mut c_void, _v: *mut c_void) -> c_int {
        0
    }
}
