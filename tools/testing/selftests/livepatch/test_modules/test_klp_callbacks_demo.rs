// SPDX-License-Identifier: GPL-2.0

//! Rust port of `test_klp_callbacks_demo.c`: livepatch demo for the callbacks selftests.
//!
//! Every object has the four callbacks; `pre_patch_ret` is what `pre_patch` returns.

#[macro_use]
#[path = "../../../../../src/lib.rs"]
pub mod livepatch;
#[path = "common/callbacks.rs"]
mod common;

use common::with_callbacks;
use core::ffi::c_void;
use kernel::{c_str, prelude::*};
use livepatch::{Func, Object, Patch};

module_livepatch! {
    patch: patch,
    name: "test_klp_callbacks_demo",
    description: "Livepatch test: livepatch demo",
    license: "GPL",
    params: {
        pre_patch_ret: i32 = 0, 0o644, "pre_patch_ret (default=0)";
    },
}

klp_func! {
    /// Replaces `busymod_work_func()` of `test_klp_callbacks_busy`.
    fn patched_work_func(_work: *mut c_void) {
        pr_info!("patched_work_func\n");
    }
}

fn patch() -> Patch {
    let ret = || pre_patch_ret.get();
    Patch::new()
        .object(with_callbacks(Object::vmlinux(), ret))
        .object(with_callbacks(
            Object::module(c_str!("test_klp_callbacks_mod")),
            ret,
        ))
        .object(with_callbacks(
            Object::module(c_str!("test_klp_callbacks_busy"))
                .func(Func::new(c_str!("busymod_work_func"), patched_work_func)),
            ret,
        ))
}
