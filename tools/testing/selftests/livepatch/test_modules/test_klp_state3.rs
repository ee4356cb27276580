// SPDX-License-Identifier: GPL-2.0

//! Rust port of `test_klp_state3.c`: the next cumulative patch, with the same fix as `test_klp_state2.c` (which the C original includes).

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
    name: "test_klp_state3",
    author: "Petr Mladek <pmladek@suse.com>",
    description: "Livepatch test: system state modification",
    license: "GPL",
}

fn patch() -> Patch {
    state::patch(2)
}
