// SPDX-License-Identifier: GPL-2.0-or-later

//! Rust port of `samples/livepatch/livepatch-callbacks-mod.c`: a module for
//! `livepatch-callbacks-demo` to patch; it only prints when it loads and unloads.

use kernel::prelude::*;

module! {
    type: LivepatchCallbacksMod,
    name: "livepatch_callbacks_mod",
    description: "Rust port of livepatch-callbacks-mod.c",
    license: "GPL",
}

struct LivepatchCallbacksMod;

impl kernel::Module for LivepatchCallbacksMod {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        pr_info!("livepatch_callbacks_mod_init\n");
        Ok(Self)
    }
}

impl Drop for LivepatchCallbacksMod {
    fn drop(&mut self) {
        pr_info!("livepatch_callbacks_mod_exit\n");
    }
}
