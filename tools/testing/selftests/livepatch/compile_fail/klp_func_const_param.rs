// SPDX-License-Identifier: GPL-2.0

//! Build-fail test (tools/klp-elf): `__x64_sys_getpid()` takes `const struct pt_regs *regs`; a replacement taking `*mut` claims it may write the caller's registers.
//~ ERROR: the C type is `const struct pt_regs *`, the Rust type `*mut c_void`: Rust writes through the pointer (`*mut`, or no `const` in C), C's points to `const` data

use core::ffi::{c_long, c_void};
use livepatch::{klp_func, module_livepatch};

module_livepatch! {
    name: "cf_klp_func_const_param",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux {
            __x64_sys_getpid => cf_getpid,
        },
    },
}

klp_func! {
    fn cf_getpid(regs: *mut c_void) -> c_long { //~ FAIL
    fn cf_getpid(regs: *const c_void) -> c_long { //~ PASS
        let _ = regs;
        0
    }
}
