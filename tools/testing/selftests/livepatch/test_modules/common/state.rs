// SPDX-License-Identifier: GPL-2.0

//! The console log level fix of `test_klp_state.c` and `test_klp_state2.c` (which
//! `test_klp_state3.c` includes), shared by their Rust ports.
//!
//! The patch modifies one system state, `CONSOLE_LOGLEVEL_STATE`: its post-patch callback saves
//! `console_loglevel` in the state's data and sets it to `CONSOLE_LOGLEVEL_MOTORMOUTH`; its
//! pre-unpatch callback restores the saved level. From version 2 on, a patch takes the saved
//! level over from the patch it replaces instead of saving its own.

use crate::{callbacks::callback_info, info, Log};
use kernel::{ffi::c_ulong, prelude::*};
use livepatch::{console, Callbacks, ObjectId, Patch, State, StateRef, Target};

/// `CONSOLE_LOGLEVEL_STATE`: the id of the state.
const CONSOLE_LOGLEVEL_STATE: c_ulong = 1;

/// The state's data: the saved `console_loglevel`.
type SavedLoglevel = i32;

/// The fix, at state version `version`: 1 does not support migration, 2 does.
#[derive(Clone, Copy)]
struct Fix {
    version: u32,
    log: Log,
}

impl Fix {
    /// The state as left by the patches installed before this one, for a version that can
    /// take it over (`klp_get_prev_state()`).
    fn prev_state<'a>(&self, obj: &Target<'a>) -> Option<StateRef<'a>> {
        if self.version < 2 {
            return None;
        }
        obj.transition()?.prev_state(CONSOLE_LOGLEVEL_STATE)
    }

    fn allocate_loglevel_state(&self, obj: &Target<'_>) -> Result {
        if self.prev_state(obj).is_some() {
            info!(
                self.log,
                "allocate_loglevel_state: space to store console_loglevel already allocated\n"
            );
            return Ok(());
        }
        let state = obj.state(CONSOLE_LOGLEVEL_STATE).ok_or(EINVAL)?;
        state.set_data::<SavedLoglevel>(0)?;
        info!(
            self.log,
            "allocate_loglevel_state: allocating space to store console_loglevel\n"
        );
        Ok(())
    }

    fn fix_console_loglevel(&self, obj: &Target<'_>) {
        let Some(state) = obj.state(CONSOLE_LOGLEVEL_STATE) else {
            return;
        };
        if let Some(prev) = self.prev_state(obj) {
            info!(
                self.log,
                "fix_console_loglevel: taking over the console_loglevel change\n"
            );
            state.take_over(&prev);
            return;
        }
        info!(self.log, "fix_console_loglevel: fixing console_loglevel\n");
        if state
            .write_data::<SavedLoglevel>(console::loglevel())
            .is_ok()
        {
            console::set_loglevel(console::LOGLEVEL_MOTORMOUTH);
        }
    }

    fn restore_console_loglevel(&self, obj: &Target<'_>) {
        if let Some(prev) = self.prev_state(obj) {
            info!(
                self.log,
                "restore_console_loglevel: passing the console_loglevel change back to the old livepatch\n"
            );
            // The data moved to this patch when it took the change over: move it back.
            if let Some(state) = obj.state(CONSOLE_LOGLEVEL_STATE) {
                prev.take_over(&state);
            }
            return;
        }
        let Some(state) = obj.state(CONSOLE_LOGLEVEL_STATE) else {
            return;
        };
        info!(
            self.log,
            "restore_console_loglevel: restoring console_loglevel\n"
        );
        if let Some(level) = state.data::<SavedLoglevel>() {
            console::set_loglevel(level);
        }
    }

    fn free_loglevel_state(&self, obj: &Target<'_>) {
        if self.prev_state(obj).is_some() {
            info!(
                self.log,
                "free_loglevel_state: keeping space to store console_loglevel\n"
            );
            return;
        }
        let Some(state) = obj.state(CONSOLE_LOGLEVEL_STATE) else {
            return;
        };
        info!(
            self.log,
            "free_loglevel_state: freeing space for the stored console_loglevel\n"
        );
        state.free_data();
    }
}

/// The cumulative patch of the state tests, with the state at `version`: the callbacks of its
/// object `vmlinux`, printing in `log`.
pub fn patch(patch: Patch, vmlinux: ObjectId, version: u32, log: Log) -> Patch {
    let fix = Fix { version, log };
    patch
        .callbacks(
            vmlinux,
            Callbacks::new()
                .pre_patch(move |obj| {
                    callback_info(log, "pre_patch_callback", obj);
                    fix.allocate_loglevel_state(obj)
                })
                .post_patch(move |obj| {
                    callback_info(log, "post_patch_callback", obj);
                    fix.fix_console_loglevel(obj);
                })
                .pre_unpatch(move |obj| {
                    callback_info(log, "pre_unpatch_callback", obj);
                    fix.restore_console_loglevel(obj);
                })
                .post_unpatch(move |obj| {
                    callback_info(log, "post_unpatch_callback", obj);
                    fix.free_loglevel_state(obj);
                }),
        )
        // SAFETY: Every version of the state, in `test_klp_state.c`, `test_klp_state2.c` and
        // `test_klp_state3.c` as in their Rust ports, stores the saved `console_loglevel`, an
        // `int`, in a `kzalloc()` allocation (`allocate_loglevel_state()`), which the patch frees
        // only when disabled with no previous patch holding it (`free_loglevel_state()`).
        .state(unsafe { State::new(CONSOLE_LOGLEVEL_STATE, version).with_data::<SavedLoglevel>(1) })
        .replace(true)
}
