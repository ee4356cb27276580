// SPDX-License-Identifier: GPL-2.0

//! Rust port of `test_klp_state.c`: system state modification: saves and restores `console_loglevel` (state version 1, no migration).

#[macro_use]
#[path = "../../../../../src/lib.rs"]
pub mod livepatch;
#[expect(dead_code, reason = "only callback_info() is used")]
#[path = "common/callbacks.rs"]
mod callbacks;
#[path = "common/state.rs"]
mod state;

use livepatch::Patch;

module_livepatch! {
    patch: patch,
    name: "test_klp_state",
    author: "Petr Mladek <pmladek@suse.com>",
    description: "Livepatch test: system state modification",
    license: "GPL",
}

fn patch() -> Patch {
    state::patch(1)
}
