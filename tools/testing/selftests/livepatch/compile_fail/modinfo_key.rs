// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: `livepatch_modinfo!` writes only the keys it is for (`klp_object`, `klp_func`, `parm`, `parmtype`).
//~ ERROR: not a key livepatch_modinfo! writes

use livepatch::module_livepatch;

module_livepatch! {
    name: "cf_modinfo_key",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux,
    },
}

livepatch::livepatch_modinfo!(intree = "Y"); //~ FAIL
livepatch::livepatch_modinfo!(klp_object = "vmlinux"); //~ PASS
