// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: a replacement's borrowed argument cannot outlive the call.
//~ ERROR: argument requires that borrow lasts for `'static`

use core::ffi::{c_int, c_void};
use livepatch::{klp_func, module_livepatch, SeqFile};

module_livepatch! {
    name: "cf_klp_func_static_arg",
    license: "GPL",
    objects: {
        TARGET: vmlinux {
            cmdline_proc_show => show,
        },
    },
}

klp_func! {
    fn show(m: Option<&'static SeqFile>, _v: *mut c_void) -> c_int { //~ FAIL
    fn show(m: Option<&SeqFile>, _v: *mut c_void) -> c_int { //~ PASS
        if let Some(m) = m {
            m.write_str("patched\n");
        }
        0
    }
}
