// SPDX-License-Identifier: GPL-2.0

//! Build-fail test (tools/klp-elf): a non-exported vmlinux function declared with a parameter of the wrong width: `jhash()` takes a `u32 length`.
//~ ERROR: klp_extern! function jhash (sympos 1) of vmlinux does not match C: parameter 2 `length` (C `length`): the C type is `u32`, the Rust type `u64`: 64-bit integer in Rust, 32-bit in C

use core::ffi::{c_int, c_void};
use livepatch::{klp_extern, klp_func, module_livepatch, SeqFile};

module_livepatch! {
    name: "cf_klp_extern_signature",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux {
            cmdline_proc_show => cf_show,
        },
    },
}

klp_extern! {
    vmlinux {
        fn jhash @ 1 (key: *const c_void, length: u64, initval: u32) -> u32; //~ FAIL
        fn jhash @ 1 (key: *const c_void, length: u32, initval: u32) -> u32; //~ PASS
    }
}

klp_func! {
    fn cf_show(_m: Option<&SeqFile>, _v: *mut c_void) -> c_int {
        // SAFETY: `jhash()` reads the 4 bytes at `key`.
        unsafe { jhash(b"klp\0".as_ptr().cast(), 4, 0) as c_int }
    }
}
