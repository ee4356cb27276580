// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: a NUL in a `.modinfo` string would end the entry and start another (`license=` here).
//~ ERROR: must not contain a NUL byte

use livepatch::module_livepatch;

module_livepatch! {
    name: "cf_modinfo_nul",
    license: "GPL",
    params: {
        cf_value: i32 = 0, 0o644, "value\0license=Proprietary"; //~ FAIL
        cf_value: i32 = 0, 0o644, "value"; //~ PASS
    },
    objects: {
        VMLINUX: vmlinux,
    },
}
