// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: the `struct kernel_param` constructors take pointers the kernel then writes: `unsafe`, called by the macros on the statics they define.
//~ ERROR: call to unsafe function

use livepatch::{module_livepatch, params::KernelParam, Param};

module_livepatch! {
    name: "cf_kernel_param_ptr",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux,
    },
}

static VALUE: Param<i32> = Param::new(0);
#[expect(dead_code)]
static KP: KernelParam = KernelParam::scalar( //~ FAIL
    kernel::c_str!("cf"), 0o644, (&raw const VALUE).wrapping_add(100), THIS_MODULE.as_ptr()); //~ FAIL
static KP: &Param<i32> = &VALUE; //~ PASS
