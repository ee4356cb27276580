// SPDX-License-Identifier: GPL-2.0-or-later

//! Rust port of `samples/livepatch/livepatch-callbacks-demo.c`.
//!
//! Callbacks for vmlinux and two modules, `livepatch_callbacks_mod` and
//! `livepatch_callbacks_busymod` (whose `busymod_work_func()` it replaces), printing when they
//! run, as in C. `insmod livepatch-callbacks-demo.ko pre_patch_ret=-19` shows a failing
//! pre-patch callback. What the Rust API adds (a value acquired by pre-patch that post-unpatch
//! receives, state the closures capture) is shown by `test_klp_rust_callbacks.rs`.

use core::ffi::c_void;
use kernel::{error::to_result, prelude::*};
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

klp_func! {
    /// Replaces `busymod_work_func()` of `livepatch_callbacks_busymod`.
    fn patched_work_func(_work: *mut c_void) {
        pr_info!("patched_work_func\n");
    }
}

/// The four callbacks of every object, as in C.
fn callbacks() -> Callbacks {
    Callbacks::new()
        .pre_patch(|obj| {
            callback_info("pre_patch_callback", obj);
            to_result(pre_patch_ret.get())
        })
        .post_patch(|obj| callback_info("post_patch_callback", obj))
        .pre_unpatch(|obj| callback_info("pre_unpatch_callback", obj))
        .post_unpatch(|obj| callback_info("post_unpatch_callback", obj))
}

fn patch(patch: Patch) -> Patch {
    patch
        .callbacks(VMLINUX, callbacks())
        .callbacks(MOD, callbacks())
        .callbacks(BUSYMOD, callbacks())
}
