// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: a sysfs directory belongs to the patch: a module cannot hold (and forget) one past rmmod.
//~ ERROR: struct `KernelDir` is private

use kernel::c_str;
use livepatch::{module_livepatch, Patch};

module_livepatch! {
    name: "cf_kernel_dir_owned",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux,
    },
    patch: patch,
}

fn patch(patch: Patch) -> Patch {
    core::mem::forget(livepatch::stand_in::sysfs::KernelDir::create(c_str!("cf_kernel_dir_owned"))); //~ FAIL
    let _ = c_str!("cf_kernel_dir_owned"); //~ PASS
    patch.kernel_dir(c_str!("cf_kernel_dir_owned"), &[])
}
