// SPDX-License-Identifier: GPL-2.0

//! Rust port of `test_klp_callbacks_demo.c`: livepatch demo for the callbacks selftests.
//!
//! Every object has the four callbacks; `pre_patch_ret` is what `pre_patch` returns.

use core::ffi::c_void;
use kernel::prelude::*;
use klp_selftest::callbacks::callbacks;
use livepatch::{klp_func, module_livepatch, Patch};

module_livepatch! {
    name: "test_klp_callbacks_demo",
    description: "Livepatch test: livepatch demo",
    license: "GPL",
    params: {
        pre_patch_ret: i32 = 0, 0o644, "pre_patch_ret (default=0)";
    },
    objects: {
        VMLINUX: vmlinux,
        MOD: "test_klp_callbacks_mod",
        BUSY: "test_klp_callbacks_busy" {
            busymod_work_func => patched_work_func,
        },
    },
    patch: patch,
}

klp_func! {
    /// Replaces `busymod_work_func()` of `test_klp_callbacks_busy`.
    fn patched_work_func(_work: *mut c_void) {
        pr_info!("patched_work_func\n");
    }
}

fn patch(patch: Patch) -> Patch {
    let (log, ret) = (klp_selftest::log!(), || pre_patch_ret.get());
    patch
        .callbacks(VMLINUX, callbacks(log, ret))
        .callbacks(MOD, callbacks(log, ret))
        .callbacks(BUSY, callbacks(log, ret))
}
