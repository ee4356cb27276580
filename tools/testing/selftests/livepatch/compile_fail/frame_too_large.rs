// SPDX-License-Identifier: GPL-2.0

//! Build-fail test (tools/klp-elf frames; adversarial pass 7): no function of a module may have a
//! stack frame larger than 2048 bytes. A replacement whose locals filled more than the stack's
//! guard page could step over it (the kernel's Rust target has no stack probes) and write below
//! the task's stack. Its twin keeps 1024 bytes on the stack.
//~ ERROR: stack frames larger than 2048 bytes
//~ ERROR: cf_frame_sum

use core::ffi::{c_int, c_void};
use core::hint::black_box;
use livepatch::{klp_func, module_livepatch, seq_print, SeqFile};

module_livepatch! {
    name: "cf_frame_too_large",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux {
            cmdline_proc_show => cf_show,
        },
    },
}

const WORDS: usize = 4096 / 8; //~ FAIL
const WORDS: usize = 1024 / 8; //~ PASS

#[inline(never)]
fn cf_frame_sum(seed: u64) -> u64 {
    let mut frame = [0u64; WORDS];
    for (i, w) in frame.iter_mut().enumerate() {
        *w = seed.wrapping_add(i as u64);
    }
    black_box(&mut frame).iter().fold(0, |a, w| a.wrapping_add(*w))
}

klp_func! {
    fn cf_show(m: Option<&SeqFile>, _v: *mut c_void) -> c_int {
        if let Some(m) = m {
            seq_print!(m, "{}\n", cf_frame_sum(black_box(1)));
        }
        0
    }
}
