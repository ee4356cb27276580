// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: permissions as C's `VERIFY_OCTAL_PERMISSIONS()`: writable by the group but not by the user (0420) is refused.
//~ ERROR: USER_WRITABLE >= GROUP_WRITABLE

use livepatch::module_livepatch;

module_livepatch! {
    name: "cf_param_perm_group_writable",
    license: "GPL",
    params: {
        cf_value: i32 = 0, 0o420, "value"; //~ FAIL
        cf_value: i32 = 0, 0o640, "value"; //~ PASS
    },
    objects: {
        VMLINUX: vmlinux,
    },
}
