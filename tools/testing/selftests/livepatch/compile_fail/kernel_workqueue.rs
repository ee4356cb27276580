// SPDX-License-Identifier: GPL-2.0

//! Build-fail test (tools/klp-elf names): the `kernel` crate's own workqueue API (safe:
//! `impl_has_work!`, `new_work!`, `workqueue::system().enqueue()`) is outside the module's
//! `Registry`: a work function that queues itself again escapes the exit's flush and runs after
//! `rmmod` freed its code (an Oops in a kworker, found by an adversarial pass). A module's Rust
//! code calls no deferral function (`queue_work_on`); the twin queues nothing.
//~ ERROR: calls `queue_work_on`, which hands code to a deferred context

use core::sync::atomic::{AtomicU32, Ordering};
use kernel::{
    prelude::*,
    sync::Arc,
    workqueue::{self, impl_has_work, new_work, Work, WorkItem},
};
use livepatch::{module_target, time::msleep, ModuleInit, Registry};

module_target! {
    type: Adv,
    name: "cf_kernel_workqueue",
    license: "GPL",
}

#[pin_data]
struct Late {
    #[pin]
    work: Work<Late>,
}

impl_has_work! {
    impl HasWork<Self> for Late { self.work }
}

impl WorkItem for Late {
    type Pointer = Arc<Late>;
    fn run(this: Arc<Late>) {
        msleep(300);
        pr_info!("cf_kernel_workqueue: round {}\n", ROUNDS.fetch_add(1, Ordering::Relaxed));
        // Queued again while the generated exit's flush waits: not waited for, runs after rmmod.
        let _ = workqueue::system().enqueue(this); //~ FAIL
        let _ = this; //~ PASS
    }
}

static ROUNDS: AtomicU32 = AtomicU32::new(0);

fn queue() -> Result {
    let item = Arc::pin_init(pin_init!(Late { work <- new_work!("Late::work") }), GFP_KERNEL)?;
    let _ = workqueue::system().enqueue(item); //~ FAIL
    let _ = (item, workqueue::system()); //~ PASS
    Ok(())
}

struct Adv;

impl ModuleInit for Adv {
    fn init(_module: &'static ThisModule, _registry: &Registry) -> Result<Self> {
        Ok(Adv)
    }
}

impl Drop for Adv {
    fn drop(&mut self) {
        pr_info!("cf_kernel_workqueue: exit queues a work item\n");
        let _ = queue();
    }
}
