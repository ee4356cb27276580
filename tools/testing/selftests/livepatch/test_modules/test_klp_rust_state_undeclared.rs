// SPDX-License-Identifier: GPL-2.0

//! State data stored without a declared type (found by an adversarial pass): a `[u8; 0]`, which
//! `KBox` "allocates" without memory, left address 1 in `klp_state.data`; the tarball's C
//! `test_klp_state2`, taking state 1 over, then read it (an Oops in its `pre_unpatch_callback`).
//! `set_data` now needs the type declared with the `unsafe` `State::with_data`: the pre-patch
//! callback fails with `EINVAL`, and so does the load.

use kernel::prelude::*;
use livepatch::{module_livepatch, Callbacks, Patch, State};

module_livepatch! {
    name: "test_klp_rust_state_undeclared",
    description: "Livepatch test: state data of an undeclared type",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux,
    },
    patch: patch,
}

fn patch(patch: Patch) -> Patch {
    patch
        .callbacks(
            VMLINUX,
            Callbacks::new().pre_patch(|obj| obj.state(1).ok_or(EINVAL)?.set_data::<[u8; 0]>([])),
        )
        .state(State::new(1, 1))
}
