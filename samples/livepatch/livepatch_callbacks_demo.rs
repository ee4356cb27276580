// SPDX-License-Identifier: GPL-2.0-or-later

//! Rust port of `samples/livepatch/livepatch-callbacks-demo.c`.
//!
//! Callbacks for vmlinux and two modules, `livepatch_callbacks_mod` and
//! `livepatch_callbacks_busymod` (whose `busymod_work_func()` it replaces), printing when they
//! run, as in C. Rust additions: each object's pre-patch callback acquires a [`Resource`] that
//! the post-unpatch callback receives by value (the paired form), and the post-patch closure
//! keeps count, in a counter it owns, of how often its object was patched.
//! `insmod livepatch-callbacks-demo.ko pre_patch_ret=-19` shows a failing pre-patch callback.

use core::{
    ffi::c_void,
    sync::atomic::{AtomicU32, Ordering},
};
use kernel::{c_str, error::to_result, prelude::*, str::CStr};
use livepatch::{klp_func, module_livepatch, Callbacks, ModuleState, Patch, Target};

module_livepatch! {
    name: "livepatch_callbacks_demo",
    description: "Rust port of livepatch-callbacks-demo.c",
    license: "GPL",
    params: {
        pre_patch_ret: i32 = 0, 0o644, "pre_patch_ret (default=0)";
    },
    objects: {
        VMLINUX: vmlinux,
        MOD: "livepatch_callbacks_mod",
        BUSYMOD: "livepatch_callbacks_busymod" {
            busymod_work_func => patched_work_func,
        },
    },
    patch: patch,
}

fn callback_info(callback: &str, obj: &Target<'_>) {
    let state = |state| match state {
        ModuleState::Live => "[MODULE_STATE_LIVE] Normal state",
        ModuleState::Coming => "[MODULE_STATE_COMING] Full formed, running module_init",
        ModuleState::Going => "[MODULE_STATE_GOING] Going away",
        ModuleState::Unformed => "[MODULE_STATE_UNFORMED] Still setting it up",
    };
    match obj.module() {
        Some(m) => pr_info!("{callback}: {} -> {}\n", m.name(), state(m.state())),
        None => pr_info!("{callback}: vmlinux\n"),
    }
}

/// What a pre-patch callback sets up for its object and the post-unpatch callback tears down.
struct Resource(&'static CStr);

impl Drop for Resource {
    fn drop(&mut self) {
        pr_info!("released the resource of {}\n", self.0);
    }
}

klp_func! {
    /// Replaces `busymod_work_func()` of `livepatch_callbacks_busymod`.
    fn patched_work_func(_work: *mut c_void) {
        pr_info!("patched_work_func\n");
    }
}

fn callbacks(name: &'static CStr) -> Callbacks {
    let patched = AtomicU32::new(0);
    Callbacks::new()
        .pre_patch_paired(
            move |obj| {
                callback_info("pre_patch_callback", obj);
                to_result(pre_patch_ret.get())?;
                Ok(Resource(name))
            },
            |obj, _resource| callback_info("post_unpatch_callback", obj),
        )
        .post_patch(move |obj| {
            callback_info("post_patch_callback", obj);
            let n = patched.fetch_add(1, Ordering::Relaxed) + 1;
            pr_info!("{name} patched {n} time(s)\n");
        })
        .pre_unpatch(|obj| callback_info("pre_unpatch_callback", obj))
}

fn patch(patch: Patch) -> Patch {
    patch
        .callbacks(VMLINUX, callbacks(c_str!("vmlinux")))
        .callbacks(MOD, callbacks(c_str!("livepatch_callbacks_mod")))
        .callbacks(BUSYMOD, callbacks(c_str!("livepatch_callbacks_busymod")))
}
