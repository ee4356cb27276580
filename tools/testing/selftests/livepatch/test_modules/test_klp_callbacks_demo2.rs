// SPDX-License-Identifier: GPL-2.0

//! Rust port of `test_klp_callbacks_demo2.c`: a second callbacks demo, which atomically
//! replaces the first when loaded with `replace=1`.

use klp_selftest::callbacks::callbacks;
use livepatch::{module_livepatch, Patch};

module_livepatch! {
    name: "test_klp_callbacks_demo2",
    description: "Livepatch test: livepatch demo2",
    license: "GPL",
    params: {
        replace: i32 = 0, 0o644, "replace (default=0)";
    },
    objects: {
        VMLINUX: vmlinux,
    },
    patch: patch,
}

fn patch(patch: Patch) -> Patch {
    patch
        .callbacks(VMLINUX, callbacks(klp_selftest::log!(), || 0))
        .replace(replace.get() != 0)
}
