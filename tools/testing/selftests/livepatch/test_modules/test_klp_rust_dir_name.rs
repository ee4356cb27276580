// SPDX-License-Identifier: GPL-2.0

//! Livepatch test (adversarial pass 5): a `/sys/kernel` directory with an empty name. No
//! `unsafe`. Before the fix, `kobject_add_internal()` warned (a `WARN` with its stack) and the
//! load failed with `ENOMEM`; now the crate refuses the name and the load fails with `EINVAL`.

use kernel::c_str;
use livepatch::{module_livepatch, Patch};

module_livepatch! {
    name: "test_klp_rust_dir_name",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux,
    },
    patch: patch,
}

fn patch(patch: Patch) -> Patch {
    patch.kernel_dir(c_str!(""), &[])
}
