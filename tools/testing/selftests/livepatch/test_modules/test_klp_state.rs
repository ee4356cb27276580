// SPDX-License-Identifier: GPL-2.0

//! Rust port of `test_klp_state.c`: system state modification: saves and restores `console_loglevel` (state version 1, no migration).

use livepatch::{module_livepatch, Patch};

module_livepatch! {
    name: "test_klp_state",
    author: "Petr Mladek <pmladek@suse.com>",
    description: "Livepatch test: system state modification",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux,
    },
    patch: patch,
}

fn patch(patch: Patch) -> Patch {
    klp_selftest::state::patch(patch, VMLINUX, 1, klp_selftest::log!())
}
