// SPDX-License-Identifier: GPL-2.0-or-later

//! Rust port of `samples/livepatch/livepatch-sample.c`.
//!
//! Replaces `cmdline_proc_show()`: after `insmod livepatch-sample.ko`, `cat /proc/cmdline`
//! prints "this has been live patched". `echo 0 > /sys/kernel/livepatch/livepatch_sample/enabled`
//! restores the original, and the module can then be removed.

use core::ffi::{c_int, c_void};
use kernel::error::code::EINVAL;
use livepatch::{klp_func, module_livepatch, seq_print, SeqFile};

module_livepatch! {
    name: "livepatch_sample",
    author: "Rust for Linux livepatch contributors",
    description: "Rust port of livepatch-sample.c",
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
        seq_print!(m, "{}\n", "this has been live patched");
        0
    }
}
