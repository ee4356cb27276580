// SPDX-License-Identifier: GPL-2.0

//! Livepatch test for `klp`: a patch to be forced. Replaces `busymod_work_func()` of
//! `test_klp_callbacks_busy`, whose worker can hold the transition (`block_transition=Y`), which
//! `test-rust-klp.sh` then forces: the core keeps this module for the rest of the boot, so no
//! other test uses it.

use core::ffi::c_void;
use kernel::prelude::*;
use livepatch::{klp_func, module_livepatch};

module_livepatch! {
    name: "test_klp_rust_forced",
    author: "Rust for Linux livepatch contributors",
    description: "Livepatch test: a patch to be forced",
    license: "GPL",
    objects: {
        BUSY: "test_klp_callbacks_busy" {
            busymod_work_func => forced_work_func,
        },
    },
}

klp_func! {
    /// Replaces `busymod_work_func()`.
    fn forced_work_func(_work: *mut c_void) {
        pr_info!("forced_work_func\n");
    }
}
