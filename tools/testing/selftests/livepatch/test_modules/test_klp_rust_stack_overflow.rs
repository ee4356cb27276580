// SPDX-License-Identifier: GPL-2.0

//! Livepatch test (adversarial pass 7): a replacement of `cmdline_proc_show()` that recurses
//! `depth` times, each frame 512 bytes of locals. No `unsafe`. Before the fix, on kernels without
//! `CONFIG_VMAP_STACK`, a deep recursion wrote below the task's stack into the neighbouring heap
//! (KASAN: slab-out-of-bounds); now the crate needs `CONFIG_VMAP_STACK` and bounds every frame
//! (`klp-elf frames`), so the recursion faults on the stack's guard page: the kernel's "stack
//! guard page was hit" report, then a panic, with nothing written below the stack. Used by
//! `make check`'s stack overflow boot (`scripts/stack-guest.sh`), the last thing that boot does.

use core::ffi::{c_int, c_void};
use core::hint::black_box;
use kernel::error::code::EINVAL;
use livepatch::{klp_func, module_livepatch, seq_print, SeqFile};

module_livepatch! {
    name: "test_klp_rust_stack_overflow",
    license: "GPL",
    params: {
        depth: u32 = 0, 0o644, "recursion depth of each read of /proc/cmdline (512 B a frame)";
    },
    objects: {
        VMLINUX: vmlinux {
            cmdline_proc_show => stack_cmdline_proc_show,
        },
    },
}

/// The sum of `n` frames of 64 words each.
#[inline(never)]
fn deep(n: u32) -> u64 {
    let mut frame = [0u64; 64];
    for (i, w) in frame.iter_mut().enumerate() {
        *w = u64::from(n).wrapping_mul(i as u64);
    }
    let frame = black_box(frame);
    if n == 0 {
        return frame[1];
    }
    black_box(deep(n - 1)).wrapping_add(frame[(n % 64) as usize])
}

klp_func! {
    fn stack_cmdline_proc_show(m: Option<&SeqFile>, _v: *mut c_void) -> c_int {
        let Some(m) = m else { return EINVAL.to_errno() };
        let d = depth.get();
        seq_print!(m, "depth {}: {}\n", d, deep(d));
        0
    }
}
