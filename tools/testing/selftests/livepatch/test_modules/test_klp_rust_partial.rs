// SPDX-License-Identifier: GPL-2.0

//! Livepatch test: an object with only post-patch and post-unpatch callbacks.
//!
//! Omitting a callback does not preclude another: without a pre-patch callback, patching is
//! assumed safe and the post-unpatch callback still runs.

use kernel::prelude::*;
use livepatch::{module_livepatch, Callbacks, Patch};

module_livepatch! {
    name: "test_klp_rust_partial",
    description: "Livepatch test: a subset of the callbacks",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux,
    },
    patch: patch,
}

fn patch(patch: Patch) -> Patch {
    patch.callbacks(
        VMLINUX,
        Callbacks::new()
            .post_patch(|obj| pr_info!("post_patch_callback: {}\n", obj.name()))
            .post_unpatch(|obj| pr_info!("post_unpatch_callback: {}\n", obj.name())),
    )
}
