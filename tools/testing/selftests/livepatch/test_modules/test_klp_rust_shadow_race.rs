// SPDX-License-Identifier: GPL-2.0

//! Livepatch test (adversarial pass 6): tasks racing exclusive allocations of one shadow
//! variable. Every reader of `/proc/cmdline` allocates and frees the variable of one object
//! 20000 times; with several readers at once, an allocation finds the variable of another.
//! Before the fix, the crate checked for an existing variable and then called
//! `klp_shadow_alloc()`: a racing reader's variable, attached in between, made the core warn
//! ("Duplicate shadow variable", a `WARN` with its stack) and the caller get `ENOMEM`. Now each
//! allocation gets `Ok` or `EEXIST`, and the kernel says nothing.

use core::ffi::{c_int, c_void};
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use kernel::prelude::*;
use livepatch::{klp_func, module_livepatch, seq_print, Gfp, SeqFile, Shadow};

module_livepatch! {
    name: "test_klp_rust_shadow_race",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux {
            cmdline_proc_show => race_show,
        },
    },
}

// SAFETY: This module alone uses the id 0x52a50001, for `u64`s.
static SV: Shadow<u64> = unsafe { Shadow::new(0x52a5_0001) };
static OBJ: u64 = 0;
static CREATED: AtomicU64 = AtomicU64::new(0);
static EXISTED: AtomicU64 = AtomicU64::new(0);
static OTHER: AtomicU64 = AtomicU64::new(0);

klp_func! {
    fn race_show(m: Option<&SeqFile>, _v: *mut c_void) -> c_int {
        let Some(m) = m else {
            return EINVAL.to_errno();
        };
        for _ in 0..20000 {
            match SV.alloc(&OBJ, Gfp::KERNEL, |_| Ok(1)) {
                Ok(()) => {
                    CREATED.fetch_add(1, Relaxed);
                    let _ = SV.free(&OBJ);
                }
                Err(e) if e == EEXIST => {
                    EXISTED.fetch_add(1, Relaxed);
                }
                Err(_) => {
                    OTHER.fetch_add(1, Relaxed);
                }
            }
        }
        seq_print!(
            m,
            "created={} existed={} other={}\n",
            CREATED.load(Relaxed),
            EXISTED.load(Relaxed),
            OTHER.load(Relaxed)
        );
        0
    }
}
