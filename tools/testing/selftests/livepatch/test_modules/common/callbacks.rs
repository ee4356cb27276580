// SPDX-License-Identifier: GPL-2.0

//! What the callbacks test modules print, shared by the demo livepatches.

use super::livepatch::{ModuleState, Object, Target};
use kernel::prelude::*;

/// The `module_state[]` texts of the C test modules.
fn state_name(state: ModuleState) -> &'static str {
    match state {
        ModuleState::Live => "[MODULE_STATE_LIVE] Normal state",
        ModuleState::Coming => "[MODULE_STATE_COMING] Full formed, running module_init",
        ModuleState::Going => "[MODULE_STATE_GOING] Going away",
        ModuleState::Unformed => "[MODULE_STATE_UNFORMED] Still setting it up",
    }
}

/// `callback_info()` of the C test modules.
pub(crate) fn callback_info(callback: &str, obj: &Target<'_>) {
    match obj.module() {
        Some(module) => pr_info!(
            "{}: {} -> {}\n",
            callback,
            module.name(),
            state_name(module.state())
        ),
        None => pr_info!("{}: vmlinux\n", callback),
    }
}

/// Gives `object` the four callbacks, each printing its name and the object; `pre_patch`
/// returns what `pre_patch_ret` says.
pub(crate) fn with_callbacks(object: Object, pre_patch_ret: fn() -> i32) -> Object {
    object
        .pre_patch(move |obj| {
            callback_info("pre_patch_callback", obj);
            kernel::error::to_result(pre_patch_ret())
        })
        .post_patch(|obj| callback_info("post_patch_callback", obj))
        .pre_unpatch(|obj| callback_info("pre_unpatch_callback", obj))
        .post_unpatch(|obj| callback_info("post_unpatch_callback", obj))
}
