// SPDX-License-Identifier: GPL-2.0

//! Rust port of `test_klp_syscall.c`: livepatch test of the getpid syscall transition.
//!
//! Replaces `__x64_sys_getpid()`; the replacement clears each pid of `klp_pids` that calls it,
//! and `/sys/kernel/test_klp_syscall/npids` counts the pids not yet seen, so the test knows when
//! all have been transitioned to the patched state.

use core::{
    ffi::c_long,
    fmt::Write,
    sync::atomic::{AtomicI32, AtomicU32, Ordering},
};
use kernel::{c_str, prelude::*};
use livepatch::{
    klp_func, module_livepatch, AttrWriter, Current, Patch, PtRegs, RoAttribute, NR_CPUS,
};

module_livepatch! {
    name: "test_klp_syscall",
    author: "Rust for Linux livepatch contributors",
    description: "Livepatch test: syscall transition",
    license: "GPL",
    params: {
        klp_pids: [i32; NR_CPUS] = [], 0, "Array of pids to be transitioned to livepatched state.";
    },
    objects: {
        VMLINUX: vmlinux {
            __x64_sys_getpid => lp_sys_getpid,
        },
    },
    patch: patch,
}

/// The pids not seen yet (`0` once seen), copied from `klp_pids` when the module loads.
static PIDS: [AtomicI32; NR_CPUS] = [const { AtomicI32::new(0) }; NR_CPUS];
/// How many pids were given (`npids`).
static NPIDS: AtomicU32 = AtomicU32::new(0);
/// How many of them have not called `getpid()` yet (`npids_pending`).
static NPIDS_PENDING: AtomicU32 = AtomicU32::new(0);

fn npids_show(out: &mut AttrWriter<'_>) -> Result {
    writeln!(out, "{}", NPIDS_PENDING.load(Ordering::Relaxed)).map_err(|_| EINVAL)
}

static NPIDS_ATTR: RoAttribute = RoAttribute::new(c_str!("npids"), npids_show);

klp_func! {
    /// Replaces `__x64_sys_getpid()`: notes the caller, then does what `getpid()` does.
    fn lp_sys_getpid(_regs: Option<&PtRegs>) -> c_long {
        let task = Current::get();
        if NPIDS_PENDING.load(Ordering::Acquire) > 0 {
            let pid = task.pid();
            let npids = NPIDS.load(Ordering::Relaxed) as usize;
            // Each slot is cleared once, by the compare-exchange that finds the pid in it (tried
            // only on a match: other callers only read).
            if PIDS.iter().take(npids).any(|p| {
                p.load(Ordering::Relaxed) == pid
                    && p.compare_exchange(pid, 0, Ordering::AcqRel, Ordering::Relaxed)
                        .is_ok()
            }) {
                NPIDS_PENDING.fetch_sub(1, Ordering::AcqRel);
            }
        }
        task.tgid_vnr().into()
    }
}

fn patch(patch: Patch) -> Result<Patch> {
    // Save the number of pids to transition to livepatched state before the number of pending
    // pids is decremented.
    let n = klp_pids.with(|pids| {
        for (slot, &pid) in PIDS.iter().zip(pids) {
            slot.store(pid, Ordering::Relaxed);
        }
        pids.len() as u32
    })?;
    NPIDS.store(n, Ordering::Relaxed);
    NPIDS_PENDING.store(n, Ordering::Release);

    // The directory lives until the module is unloaded.
    Ok(patch.kernel_dir(c_str!("test_klp_syscall"), &[&NPIDS_ATTR]))
}
