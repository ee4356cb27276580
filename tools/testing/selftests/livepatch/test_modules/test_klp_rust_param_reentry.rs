// SPDX-License-Identifier: GPL-2.0

//! Livepatch test (adversarial pass 5): a replacement of `param_get_int()`, which the kernel
//! calls with the module's parameter lock held (`param_attr_show()` in `kernel/params.c`), reads
//! an array parameter of the same module with [`ParamArray::with`], which takes that lock. No
//! `unsafe`. Before the fix, reading `/sys/module/test_klp_rust_param_reentry/parameters/x`
//! deadlocked (lockdep: possible recursive locking of `&mod->param_lock`); now `with` fails with
//! `EDEADLK` and the read returns.
//!
//! While this patch is enabled, every `int` parameter of the kernel reads as empty (the
//! replacement prints nothing): load it only for the test.

use core::ffi::{c_int, c_void};
use kernel::prelude::*;
use livepatch::{klp_func, module_livepatch};

module_livepatch! {
    name: "test_klp_rust_param_reentry",
    license: "GPL",
    params: {
        x: i32 = 7, 0o444, "an int, read through the replaced param_get_int()";
        arr: [i32; 2] = [1, 2], 0o444, "an array the replacement reads";
    },
    objects: {
        VMLINUX: vmlinux {
            param_get_int => get_int,
        },
    },
}

klp_func! {
    fn get_int(_buffer: *mut u8, _kp: *const c_void) -> c_int {
        let r = arr.with(|v| v.len());
        pr_info!("arr.with() in param_get_int(): {:?}\n", r.map_err(|e| e.to_errno()));
        0
    }
}
