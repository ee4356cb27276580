// SPDX-License-Identifier: GPL-2.0

//! Rust port of `test_klp_callbacks_demo2.c`: a second callbacks demo, which atomically
//! replaces the first when loaded with `replace=1`.

#[macro_use]
#[path = "../../../../../src/lib.rs"]
pub mod livepatch;
#[path = "common/callbacks.rs"]
mod common;

use common::with_callbacks;
use livepatch::{Object, Patch};

module_livepatch! {
    patch: patch,
    name: "test_klp_callbacks_demo2",
    description: "Livepatch test: livepatch demo2",
    license: "GPL",
    params: {
        replace: i32 = 0, 0o644, "replace (default=0)";
    },
}

fn patch() -> Patch {
    Patch::new()
        .object(with_callbacks(Object::vmlinux(), || 0))
        .replace(replace.get() != 0)
}
