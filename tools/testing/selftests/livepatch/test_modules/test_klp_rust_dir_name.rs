// SPDX-License-Identifier: GPL-2.0

//! Livepatch test (adversarial passes 5 and 7): `/sys/kernel` directories the crate must refuse.
//! No `unsafe`. `case=0`: an empty name; before the fix, `kobject_add_internal()` warned (a
//! `WARN` with its stack) and the load failed with `ENOMEM`; now `EINVAL`. `case=1`: two files
//! of one name, which sysfs refused after dumping the stack (`sysfs_warn_dup()`); now `EINVAL`.
//! `case=2`: `/sys/kernel/livepatch`, which exists: sysfs dumped the stack and the load failed
//! with `ENOMEM`; now `EEXIST`.

use kernel::{c_str, prelude::*};
use livepatch::{module_livepatch, AttrWriter, Patch, RoAttribute};

module_livepatch! {
    name: "test_klp_rust_dir_name",
    license: "GPL",
    params: {
        case: i32 = 0, 0o444, "0: empty name, 1: two files of one name, 2: an existing directory";
    },
    objects: {
        VMLINUX: vmlinux,
    },
    patch: patch,
}

fn show(_out: &mut AttrWriter<'_>) -> Result {
    Ok(())
}

static A: RoAttribute = RoAttribute::new(c_str!("same"), show);
static B: RoAttribute = RoAttribute::new(c_str!("same"), show);

fn patch(patch: Patch) -> Patch {
    match case.get() {
        0 => patch.kernel_dir(c_str!(""), &[]),
        1 => patch.kernel_dir(c_str!("test_klp_rust_dir_name"), &[&A, &B]),
        _ => patch.kernel_dir(c_str!("livepatch"), &[]),
    }
}
