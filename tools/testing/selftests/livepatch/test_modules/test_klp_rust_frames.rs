// SPDX-License-Identifier: GPL-2.0

//! A replacement whose body ends in a call to another function of the module, which sleeps:
//! `test-rust-frames.sh` reads `/proc/cmdline` while the patch is disabled and checks that the
//! unpatching transition waits for the reader to leave the module's code before `rmmod` can
//! free it (the replacement's frame stays on the stack: `CallScope::keep_frame`), and
//! `make check` disassembles the replacement to show that it does not tail-call the sleeper.

use core::ffi::{c_int, c_void};
use kernel::error::code::EINVAL;
use livepatch::{klp_func, module_livepatch, seq_print, time::msleep, SeqFile};

module_livepatch! {
    name: "test_klp_rust_frames",
    description: "Livepatch test: a replacement that calls a sleeping function of its module",
    license: "GPL",
    params: {
        sleep_ms: u32 = 0, 0o644, "milliseconds each read of /proc/cmdline sleeps (default=0)";
    },
    objects: {
        VMLINUX: vmlinux {
            cmdline_proc_show => livepatch_cmdline_proc_show,
        },
    },
}

/// Sleeps `sleep_ms`, then prints: the last thing the replacement does, a call the compiler
/// would otherwise make a tail call (`jmp`). Returns 0, through a value the compiler cannot
/// know, so that the call's result is the replacement's.
#[inline(never)]
fn slow_show(m: &SeqFile) -> c_int {
    let ms = sleep_ms.get();
    msleep(ms);
    seq_print!(m, "{}\n", "test_klp_rust_frames: slow read done");
    c_int::from(ms > 3_600_000)
}

klp_func! {
    /// Replaces `cmdline_proc_show()` in `fs/proc/cmdline.c`.
    fn livepatch_cmdline_proc_show(m: Option<&SeqFile>, _v: *mut c_void) -> c_int {
        let Some(m) = m else {
            return EINVAL.to_errno();
        };
        slow_show(m)
    }
}
