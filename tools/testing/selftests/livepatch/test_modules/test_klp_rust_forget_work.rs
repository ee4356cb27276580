// SPDX-License-Identifier: GPL-2.0

//! Test module (class 2 of issue 18): work items whose handles are forgotten or dropped in an
//! order that lets them queue again. No `unsafe`.
//!
//! `case=0`: a `StaticWork` queued, its `Work` handle dropped at once (a `Copy` capability: there
//! is nothing to forget, and nothing of the module's holds the item); the work function sleeps
//! for five seconds (still running at `rmmod`, on the debug kernel too).
//! `case=1`: a `StaticDelayedWork` queued with a five-second delay (still pending at `rmmod`, on
//! the debug kernel too), its `DelayedWork` forgotten.
//! `case=2`: two delayed work items, `A` running (it sleeps, then queues `B` and itself again);
//! the module drops `B`'s handle before `A`'s, so `A`'s last run queues `B` after `B`'s drop.
//! In each case `rmmod` right after `insmod` must leave nothing that runs the module's code.

use kernel::{bindings::work_struct, prelude::*};
use livepatch::{
    module_params, module_target,
    time::{msecs_to_jiffies, msleep},
    DelayedWork, ModuleInit, Registry, StaticDelayedWork, StaticWork,
};

module_target! {
    type: ForgetWork,
    name: "test_klp_rust_forget_work",
    license: "GPL",
}

module_params! {
    case: i32 = 0, 0o444, "case (0: work, 1: delayed work, 2: requeue after drop)";
}

static WORK: StaticWork = StaticWork::new(work_func);
static DWORK: StaticDelayedWork = StaticDelayedWork::new(dwork_func);
static A: StaticDelayedWork = StaticDelayedWork::new(a_func);
static B: StaticDelayedWork = StaticDelayedWork::new(b_func);

extern "C" fn work_func(_work: *mut work_struct) {
    pr_info!("work_func start\n");
    msleep(5000);
    pr_info!("work_func done\n");
}

extern "C" fn dwork_func(_work: *mut work_struct) {
    pr_info!("dwork_func ran\n");
}

extern "C" fn b_func(_work: *mut work_struct) {}

extern "C" fn a_func(_work: *mut work_struct) {
    msleep(1000);
    B.schedule(msecs_to_jiffies(500));
    A.schedule(0);
}

struct ForgetWork {
    _b: Option<DelayedWork>,
    _a: Option<DelayedWork>,
}

impl ModuleInit for ForgetWork {
    fn init(_module: &'static ThisModule, registry: &Registry) -> Result<Self> {
        let mut m = Self { _b: None, _a: None };
        pr_info!("case {} queued\n", case.get());
        match case.get() {
            0 => {
                WORK.init(registry)?.schedule();
            }
            1 => {
                let dwork = DWORK.init(registry)?;
                DWORK.schedule(msecs_to_jiffies(5000));
                let _ = core::mem::ManuallyDrop::new(dwork);
            }
            _ => {
                m._b = Some(B.init(registry)?);
                m._a = Some(A.init(registry)?);
                A.schedule(0);
            }
        }
        Ok(m)
    }
}
