// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test (adversarial pass 5): a `klp_object` names vmlinux or a module, never `""`:
//! the core registered a kobject without a name (a `WARN` in `kobject_add_internal()`). Its
//! twin names a module.
//~ ERROR: a klp_object is vmlinux or a module: its name has 1 to 55 characters

use core::ffi::{c_int, c_void};
use livepatch::{klp_func, module_livepatch};

module_livepatch! {
    name: "cf_klp_object_name_empty",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux {
            cmdline_proc_show => cf_show,
        },
        EMPTY: "", //~ FAIL
        EMPTY: "test_klp_callbacks_busy", //~ PASS
    },
}

klp_func! {
    fn cf_show(_m: *mut c_void, _v: *mut c_void) -> c_int {
        0
    }
}
