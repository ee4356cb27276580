// SPDX-License-Identifier: GPL-2.0

//! Livepatch test: an object with only post-patch and post-unpatch callbacks.
//!
//! Omitting a callback does not preclude another: without a pre-patch callback, patching is
//! assumed safe and the post-unpatch callback still runs.

#[macro_use]
#[path = "../../../../../src/lib.rs"]
pub mod livepatch;

use kernel::prelude::*;
use livepatch::{Object, Patch};

module_livepatch! {
    patch: patch,
    name: "test_klp_rust_partial",
    description: "Livepatch test: a subset of the callbacks",
    license: "GPL",
}

fn patch() -> Patch {
    Patch::new().object(
        Object::vmlinux()
            .post_patch(|obj| pr_info!("post_patch_callback: {}\n", obj.name()))
            .post_unpatch(|obj| pr_info!("post_unpatch_callback: {}\n", obj.name())),
    )
}
