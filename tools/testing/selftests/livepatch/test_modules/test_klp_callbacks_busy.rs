// SPDX-License-Identifier: GPL-2.0

//! Rust port of `test_klp_callbacks_busy.c`: livepatch test, busy target module.
//!
//! The work function, `busymod_work_func()`, is what `test_klp_callbacks_demo` and
//! `test_klp_rust_callbacks` replace: Kbuild builds this module with ftrace call sites
//! (`klp_target`), and the worker runs that very function (`StaticWork`, as C's
//! `DECLARE_WORK()`). With `block_transition=Y`, the worker sleeps inside it until the parameter
//! is cleared, so the livepatch core finds it on the worker's stack and the transition waits.
//! `block_transition` keeps its name as a symbol (`no_mangle`), as the C `static bool` is named in kallsyms:
//! `test_klp_rust_extern` reads it through a livepatch relocation.

use kernel::{bindings::work_struct, prelude::*};
use livepatch::{
    klp_target_fn, module_params, module_target, time::msleep, ModuleInit, Registry,
    StaticCompletion, StaticWork, Work,
};

module_target! {
    type: Busy,
    name: "test_klp_callbacks_busy",
    author: "Joe Lawrence <joe.lawrence@redhat.com>",
    description: "Livepatch test: busy target module",
    license: "GPL",
}

// Load/run-time control from the sysfs writer.
module_params! {
    // SAFETY: Neither the kernel nor another module defines a `block_transition` symbol: the C
    // original's is a `static`, and only one of the two is loaded at a time.
    #[unsafe(no_mangle)]
    block_transition: bool = false, 0o644, "block_transition (default=false)";
}

static WORK: StaticWork = StaticWork::new(busymod_work_func);
static BUSYMOD_WORK_STARTED: StaticCompletion = StaticCompletion::new();

klp_target_fn! {
    /// The work function, replaced by the livepatches: `void busymod_work_func(struct
    /// work_struct *work)` in C. Out of line, under its C name (which the build checks no other
    /// symbol has).
    pub fn busymod_work_func(_work: *mut work_struct) {
        pr_info!("busymod_work_func enter\n");
        BUSYMOD_WORK_STARTED.complete();

        while block_transition.get() {
            // Busy-wait until the sysfs writer has acknowledged a blocked transition and clears the
            // flag.
            msleep(20);
        }

        pr_info!("busymod_work_func exit\n");
    }
}

struct Busy {
    work: Work,
}

impl ModuleInit for Busy {
    fn init(_module: &'static ThisModule, registry: &Registry) -> Result<Self> {
        pr_info!("test_klp_callbacks_busy_init\n");
        BUSYMOD_WORK_STARTED.init(registry)?;
        let work = WORK.init(registry)?;
        work.schedule();

        // To synchronize kernel messages, hold the init function from exiting until the work
        // function's entry message has printed.
        BUSYMOD_WORK_STARTED.wait()?;

        if !block_transition.get() {
            // Serialize output: print all messages from the work function before returning from
            // init().
            work.flush()?;
        }

        Ok(Self { work })
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        block_transition.set(false);
        // The exit is no work function: no `EDEADLK`.
        let _ = self.work.flush();
        pr_info!("test_klp_callbacks_busy_exit\n");
    }
}
