// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: state data is never zero-sized: `KBox` stores a zero-sized value without
//! memory, which would leave a dangling pointer in `klp_state.data` for the next patch to read.
//~ ERROR: state data must not be zero-sized

use livepatch::{module_livepatch, Patch, State};

module_livepatch! {
    name: "cf_state_zero_sized",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux,
    },
    patch: patch,
}

fn patch(patch: Patch) -> Patch {
    // SAFETY: State 0x9020 is used by this test module alone, for this type.
    patch.state(unsafe { State::new(0x9020, 1).with_data::<[u8; 0]>(1) }) //~ FAIL
    // SAFETY: State 0x9020 is used by this test module alone, for this type. //~ PASS
    patch.state(unsafe { State::new(0x9020, 1).with_data::<[u8; 8]>(1) }) //~ PASS
}
