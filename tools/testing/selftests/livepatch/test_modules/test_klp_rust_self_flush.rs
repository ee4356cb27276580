// SPDX-License-Identifier: GPL-2.0

//! Test module (adversarial pass 6): a work function that waits for its own work item through
//! the crate's handle: `Work::flush` (`case=0`) or `DelayedWork::cancel_sync` (`case=1`). No
//! `unsafe`. Before the fix, the worker waited for itself for good (lockdep: possible recursive
//! locking of the work's completion map) and `rmmod` with it; now the call fails with
//! `EDEADLK` and the function returns.

use kernel::{bindings::work_struct, prelude::*};
use livepatch::{
    module_params, module_target, DelayedWork, ModuleInit, Registry, StaticDelayedWork, StaticPin,
    StaticWork, Work,
};

module_target! {
    type: SelfFlush,
    name: "test_klp_rust_self_flush",
    license: "GPL",
}

module_params! {
    case: i32 = 0, 0o444, "0: Work::flush of itself, 1: DelayedWork::cancel_sync of itself";
}

static WORK: StaticWork = StaticWork::new(work_func);
static DWORK: StaticDelayedWork = StaticDelayedWork::new(dwork_func);
static WORK_H: StaticPin<Work> = StaticPin::new();
static DWORK_H: StaticPin<DelayedWork> = StaticPin::new();

extern "C" fn work_func(_work: *mut work_struct) {
    if let Some(w) = WORK_H.get() {
        let r = w.flush();
        pr_info!(
            "work_func: flush of itself: {:?}\n",
            r.map_err(|e| e.to_errno())
        );
    }
}

extern "C" fn dwork_func(_work: *mut work_struct) {
    if let Some(w) = DWORK_H.get() {
        let r = w.cancel_sync();
        pr_info!(
            "dwork_func: cancel_sync of itself: {:?}\n",
            r.map_err(|e| e.to_errno())
        );
    }
}

struct SelfFlush;

impl ModuleInit for SelfFlush {
    fn init(_module: &'static ThisModule, registry: &Registry) -> Result<Self> {
        if case.get() == 0 {
            let w = WORK.init(registry)?;
            WORK_H.init::<Error>(w)?;
            w.schedule();
        } else {
            let d = DWORK.init(registry)?;
            DWORK_H.init::<Error>(d)?;
            DWORK.schedule(1);
        }
        Ok(SelfFlush)
    }
}
