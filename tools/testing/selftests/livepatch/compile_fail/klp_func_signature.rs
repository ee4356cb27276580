// SPDX-License-Identifier: GPL-2.0

//! Build-fail test (tools/klp-elf): a replacement whose parameter is not the C parameter's type: `cmdline_proc_show()` takes `void *v`, not a `long`.
//~ ERROR: cf_show, the replacement of cmdline_proc_show of vmlinux, does not match C: parameter 2 `_v` (C `v`): the C type is `void *`, the Rust type `c_long`: a pointer in C, not in Rust

use core::ffi::{c_int, c_long, c_void};
use livepatch::{klp_func, module_livepatch, SeqFile};

module_livepatch! {
    name: "cf_klp_func_signature",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux {
            cmdline_proc_show => cf_show,
        },
    },
}

klp_func! {
    fn cf_show(_m: Option<&SeqFile>, _v: c_long) -> c_int { //~ FAIL
    fn cf_show(_m: Option<&SeqFile>, _v: *mut c_void) -> c_int { //~ PASS
        let _ = core::mem::size_of::<c_long>();
        0
    }
}
