// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: a readable array parameter must print within a sysfs page (param_array_get() writes past it).
//~ ERROR: a readable array parameter must print within a sysfs page

use livepatch::{module_livepatch, Patch};

module_livepatch! {
    name: "cf_param_array_page",
    license: "GPL",
    params: {
        values: [i64; 200] = [], 0o444, "200 longs: up to 4200 bytes printed"; //~ FAIL
        values: [i64; 200] = [], 0, "200 longs, not in sysfs"; //~ PASS
    },
    objects: {
        VMLINUX: vmlinux,
    },
    patch: patch,
}

fn patch(patch: Patch) -> Patch {
    let _ = values.len();
    patch
}
