// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: an array parameter has at most N default values.
//~ ERROR: more default values than the array parameter holds

use livepatch::{module_livepatch, Patch};

module_livepatch! {
    name: "cf_param_array_defaults",
    license: "GPL",
    params: {
        values: [i32; 2] = [1, 2, 3], 0o444, "two ints"; //~ FAIL
        values: [i32; 2] = [1, 2], 0o444, "two ints"; //~ PASS
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
