// SPDX-License-Identifier: GPL-2.0

//! What the callbacks test modules print, shared by the demo livepatches.

use crate::{info, Log};
use livepatch::{Callbacks, ModuleState, Target};

/// The `module_state[]` texts of the C test modules.
fn state_name(state: ModuleState) -> &'static str {
    match state {
        ModuleState::Live => "[MODULE_STATE_LIVE] Normal state",
        ModuleState::Coming => "[MODULE_STATE_COMING] Full formed, running module_init",
        ModuleState::Going => "[MODULE_STATE_GOING] Going away",
        ModuleState::Unformed => "[MODULE_STATE_UNFORMED] Still setting it up",
    }
}

/// `callback_info()` of the C test modules, printed in `log`.
pub fn callback_info(log: Log, callback: &str, obj: &Target<'_>) {
    match obj.module() {
        Some(module) => info!(
            log,
            "{}: {} -> {}\n",
            callback,
            module.name(),
            state_name(module.state())
        ),
        None => info!(log, "{}: vmlinux\n", callback),
    }
}

/// The four callbacks, each printing its name and the object in `log`; `pre_patch` returns what
/// `pre_patch_ret` says.
pub fn callbacks(log: Log, pre_patch_ret: fn() -> i32) -> Callbacks {
    Callbacks::new()
        .pre_patch(move |obj| {
            callback_info(log, "pre_patch_callback", obj);
            kernel::error::to_result(pre_patch_ret())
        })
        .post_patch(move |obj| callback_info(log, "post_patch_callback", obj))
        .pre_unpatch(move |obj| callback_info(log, "pre_unpatch_callback", obj))
        .post_unpatch(move |obj| callback_info(log, "post_unpatch_callback", obj))
}
