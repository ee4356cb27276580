// SPDX-License-Identifier: GPL-2.0

//! A `module_target!` module whose registered work function calls the generated
//! `kernel::Module::init` again (found by an adversarial pass): the second teardown, on the
//! work item's own worker, waited for that very item, and the real exit, finding the registry
//! closed, let `rmmod` free the code under the blocked worker. The init must refuse.

use kernel::{bindings::work_struct, prelude::*};
use livepatch::{module_target, ModuleInit, Registry, StaticWork};

module_target! {
    type: Twice,
    name: "test_klp_rust_target_init_twice",
    license: "GPL",
}

static WORK: StaticWork = StaticWork::new(work_func);

extern "C" fn work_func(_work: *mut work_struct) {
    let r = <__LivepatchTargetModule as kernel::Module>::init(&crate::THIS_MODULE);
    pr_info!(
        "second init: {:?}\n",
        r.as_ref().err().map(|e| e.to_errno())
    );
}

struct Twice;

impl ModuleInit for Twice {
    fn init(_module: &'static ThisModule, registry: &Registry) -> Result<Self> {
        WORK.init(registry)?.schedule();
        Ok(Twice)
    }
}
