// SPDX-License-Identifier: GPL-2.0

//! Livepatch test: a patch with a state and data but only a module object.
//!
//! Once its target module is gone, disabling the patch runs none of its callbacks: the library
//! could not tell that the patch was disabled rather than replaced, and its state data stayed
//! allocated when the livepatch module was unloaded. A patch with states must therefore patch
//! vmlinux: this one is refused with `EINVAL`.

use kernel::prelude::*;
use livepatch::{module_livepatch, Callbacks, Patch, State};

module_livepatch! {
    name: "test_klp_rust_state_mod",
    description: "Livepatch test: state data of a patch of a module alone",
    license: "GPL",
    objects: {
        MOD: "test_klp_callbacks_mod",
    },
    patch: patch,
}

/// The id of the state.
const STATE: kernel::ffi::c_ulong = 18;

fn patch(patch: Patch) -> Patch {
    patch
        .callbacks(
            MOD,
            Callbacks::new().pre_patch(|obj| {
                pr_info!(
                    "pre_patch_callback: {}: allocating the state's data\n",
                    obj.name()
                );
                obj.state(STATE).ok_or(EINVAL)?.set_data([0u64; 16])
            }),
        )
        // SAFETY: State 18 is used by this test module alone, whose data is a `[u64; 16]`.
        .state(unsafe { State::new(STATE, 1).with_data::<[u64; 16]>(1) })
        .replace(true)
}
