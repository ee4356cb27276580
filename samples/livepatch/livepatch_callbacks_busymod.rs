// SPDX-License-Identifier: GPL-2.0

//! Rust port of `livepatch-callbacks-busymod.c`: a module whose work function sleeps, the
//! target of `livepatch-callbacks-demo`'s transition demonstration.
//!
//! The work function, `busymod_work_func()`, sleeps for `sleep_secs` seconds: a livepatch that
//! patches this module cannot complete its transition while the worker is inside the function
//! (see the "Usage" section of `samples/livepatch/livepatch-callbacks-busymod.c`). Kbuild builds
//! the module with ftrace call sites (`klp_target`), so its functions can be traced and patched.

use kernel::{bindings::work_struct, prelude::*};
use livepatch::{
    klp_target_fn, module_params, module_target, time::msleep, DelayedWork, ModuleInit, Registry,
    StaticDelayedWork,
};

module_target! {
    type: BusyMod,
    name: "livepatch_callbacks_busymod",
    author: "Joe Lawrence <joe.lawrence@redhat.com>",
    description: "Rust port of livepatch-callbacks-busymod.c",
    license: "GPL",
}

module_params! {
    sleep_secs: i32 = 0, 0o644, "sleep_secs (default=0)";
}

static WORK: StaticDelayedWork = StaticDelayedWork::new(busymod_work_func);

klp_target_fn! {
    /// The work function: `static void busymod_work_func(struct work_struct *work)` in C.
    fn busymod_work_func(_work: *mut work_struct) {
        let secs = sleep_secs.get();
        pr_info!("busymod_work_func, sleeping {} seconds ...\n", secs);
        // C passes `sleep_secs * 1000` to `msleep(unsigned int)`: a negative value is taken as 0
        // here, not as years.
        msleep(u32::try_from(secs).unwrap_or(0).saturating_mul(1000));
        pr_info!("busymod_work_func exit\n");
    }
}

struct BusyMod {
    work: DelayedWork,
}

impl ModuleInit for BusyMod {
    fn init(_module: &'static ThisModule, registry: &Registry) -> Result<Self> {
        pr_info!("livepatch_callbacks_mod_init\n");
        let work = WORK.init(registry)?;
        WORK.schedule(0);
        Ok(Self { work })
    }
}

impl Drop for BusyMod {
    fn drop(&mut self) {
        // Waits for the sleeping function, as C does before the message (the module's registry
        // then disables the work item, which finds nothing to cancel). The exit is no work
        // function: no `EDEADLK`.
        let _ = self.work.cancel_sync();
        pr_info!("livepatch_callbacks_mod_exit\n");
    }
}
