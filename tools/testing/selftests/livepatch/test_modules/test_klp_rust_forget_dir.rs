// SPDX-License-Identifier: GPL-2.0

//! Livepatch test (class 2 of issue 18): a load that fails after the patch function forgot the
//! `Patch` that owns its `/sys/kernel/test_klp_rust_forget_dir` directory. No `unsafe`.
//!
//! The directory's file calls this module's code: once the load has failed and the module's
//! memory is freed, it must be gone, whatever the patch function did with the `Patch`.

use core::fmt::Write;
use kernel::{c_str, prelude::*};
use livepatch::{module_livepatch, AttrWriter, Patch, RoAttribute};

module_livepatch! {
    name: "test_klp_rust_forget_dir",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux,
    },
    patch: patch,
}

fn answer_show(out: &mut AttrWriter<'_>) -> Result {
    writeln!(out, "42").map_err(|_| EINVAL)
}

static ANSWER: RoAttribute = RoAttribute::new(c_str!("answer"), answer_show);

fn patch(patch: Patch) -> Result<Patch> {
    core::mem::forget(patch.kernel_dir(c_str!("test_klp_rust_forget_dir"), &[&ANSWER]));
    Err(EAGAIN)
}
