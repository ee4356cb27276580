// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: C passes NULL for some `struct seq_file *` (and `struct pt_regs *`): a replacement takes `Option<&SeqFile>`, never `&SeqFile`.
//~ ERROR: FfiArg` is not satisfied

use core::ffi::{c_int, c_void};
use livepatch::{klp_func, module_livepatch, seq_print, SeqFile};

module_livepatch! {
    name: "cf_klp_func_seq_file_ref",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux {
            cmdline_proc_show => show,
        },
    },
}

klp_func! {
    fn show(m: &SeqFile, _v: *mut c_void) -> c_int { //~ FAIL
    fn show(m: Option<&SeqFile>, _v: *mut c_void) -> c_int { //~ PASS
        let Some(m) = m else { return 0 }; //~ PASS
        seq_print!(m, "patched\n");
        0
    }
}
