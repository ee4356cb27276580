// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: a sysfs directory belongs to the patch: a module cannot hold (and forget) one past rmmod.
//~ ERROR: struct `KernelDir` is private

#[macro_use]
#[path = "../../../../../src/lib.rs"]
pub mod livepatch;

use kernel::c_str;
use livepatch::Patch;

module_livepatch! {
    patch: patch,
    name: "cf_kernel_dir_owned",
    license: "GPL",
}

fn patch() -> Patch {
    core::mem::forget(livepatch::sysfs::KernelDir::create(c_str!("cf_kernel_dir_owned"))); //~ FAIL
    let _ = c_str!("cf_kernel_dir_owned"); //~ PASS
    Patch::new().kernel_dir(c_str!("cf_kernel_dir_owned"), &[])
}
