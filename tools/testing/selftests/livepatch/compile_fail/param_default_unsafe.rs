// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: a parameter's default is a value, evaluated without the `unsafe` context of what the macro generates around it.
//~ ERROR: call to unsafe function

use livepatch::module_livepatch;

module_livepatch! {
    name: "cf_param_default_unsafe",
    license: "GPL",
    params: {
        cf_values: [bool; 2] = [core::mem::transmute::<u8, bool>(1), false], 0o444, "values"; //~ FAIL
        cf_values: [bool; 2] = [true, false], 0o444, "values"; //~ PASS
    },
    objects: {
        VMLINUX: vmlinux,
    },
}
