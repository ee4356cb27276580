// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: the function that `klp_func!` generates is called only by the livepatch core: the body that can name it cannot call it (with a NULL `seq_file`, say) without `unsafe`.
//~ ERROR: call to unsafe function

use core::ffi::{c_int, c_void};
use livepatch::{klp_func, module_livepatch, seq_print, SeqFile};

module_livepatch! {
    name: "cf_klp_func_call_replacement",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux {
            cmdline_proc_show => show,
        },
    },
}

klp_func! {
    fn show(m: Option<&SeqFile>, v: *mut c_void) -> c_int {
        let Some(m) = m else {
            return replacement(core::ptr::null_mut(), v); //~ FAIL
            return 0; //~ PASS
        };
        seq_print!(m, "patched\n");
        0
    }
}
