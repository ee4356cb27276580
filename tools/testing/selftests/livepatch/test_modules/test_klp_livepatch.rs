// SPDX-License-Identifier: GPL-2.0

//! Rust port of `test_klp_livepatch.c`: replaces `cmdline_proc_show()`, so that
//! `/proc/cmdline` reads "test_klp_livepatch: this has been live patched".

use core::ffi::{c_int, c_void};
use kernel::error::code::EINVAL;
use livepatch::{klp_func, module_livepatch, seq_print, SeqFile};

module_livepatch! {
    name: "test_klp_livepatch",
    author: "Seth Jennings <sjenning@redhat.com>",
    description: "Livepatch test: livepatch module",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux {
            cmdline_proc_show => livepatch_cmdline_proc_show,
        },
    },
}

klp_func! {
    /// Replaces `cmdline_proc_show()` in `fs/proc/cmdline.c`.
    fn livepatch_cmdline_proc_show(m: Option<&SeqFile>, _v: *mut c_void) -> c_int {
        let Some(m) = m else {
            return EINVAL.to_errno();
        };
        seq_print!(m, "{}: {}\n", "test_klp_livepatch", "this has been live patched");
        0
    }
}
