// SPDX-License-Identifier: GPL-2.0

//! Rust port of `test_klp_state3.c`: the next cumulative patch, with the same fix as `test_klp_state2.c` (which the C original includes).

use livepatch::{module_livepatch, Patch};

module_livepatch! {
    name: "test_klp_state3",
    author: "Petr Mladek <pmladek@suse.com>",
    description: "Livepatch test: system state modification",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux,
    },
    patch: patch,
}

fn patch(patch: Patch) -> Patch {
    klp_selftest::state::patch(patch, VMLINUX, 2, klp_selftest::log!())
}
