// SPDX-License-Identifier: GPL-2.0

//! Livepatch test for `klp`: a patch to be forced. Replaces `busymod_work_func()` of the
//! `livepatch-callbacks-busymod` sample with a function that sleeps `sleep_secs`: a worker that
//! runs it holds the unpatching transition, which `test-rust-klp.sh` then forces. The core keeps
//! a module whose patch was forced off for the rest of the boot, so no other test uses it.

use core::ffi::c_void;
use kernel::prelude::*;
use livepatch::{klp_func, module_livepatch, time::msleep};

module_livepatch! {
    name: "test_klp_rust_forced",
    author: "Rust for Linux livepatch contributors",
    description: "Livepatch test: a patch to be forced",
    license: "GPL",
    params: {
        sleep_secs: u32 = 0, 0o644, "seconds the replacement sleeps (default=0)";
    },
    objects: {
        BUSYMOD: "livepatch_callbacks_busymod" {
            busymod_work_func => forced_work_func,
        },
    },
}

klp_func! {
    /// Replaces `busymod_work_func()`: sleeps `sleep_secs` seconds.
    fn forced_work_func(_work: *mut c_void) {
        let secs = sleep_secs.get();
        pr_info!("forced_work_func, sleeping {} seconds ...\n", secs);
        msleep(secs.saturating_mul(1000));
        pr_info!("forced_work_func exit\n");
    }
}
