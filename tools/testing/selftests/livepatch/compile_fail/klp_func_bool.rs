// SPDX-License-Identifier: GPL-2.0

//! Build-fail test (tools/klp-elf): `bool kthread_should_stop(void)`: a replacement returning `u8` could return a value C's `bool` does not have.
//~ ERROR: cf_stop, the replacement of kthread_should_stop of vmlinux, does not match C: return type: the C type is `bool`, the Rust type `u8`: 8-bit unsigned integer in Rust, bool in C

use livepatch::{klp_func, module_livepatch};

module_livepatch! {
    name: "cf_klp_func_bool",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux {
            kthread_should_stop => cf_stop,
        },
    },
}

klp_func! {
    fn cf_stop() -> u8 { //~ FAIL
        0 //~ FAIL
    fn cf_stop() -> bool { //~ PASS
        false //~ PASS
    }
}
