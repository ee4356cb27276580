// SPDX-License-Identifier: GPL-2.0

//! The kCFI canary (issue 19): shows that the kernel checks the type of every indirect call from
//! C into Rust, by making one that is wrong on purpose. Loaded in a boot of its own
//! (test-rust-production.sh): with `case=1` the kernel must report a CFI failure and kill the
//! worker (`CONFIG_CFI_PERMISSIVE` is off); with `case=0` the same call, well typed, runs.
//!
//! The work function the workqueue calls (`process_one_work()`: `worker->current_func(work)`,
//! of type `void (*)(struct work_struct *)`) is, with `case=1`, a function of another type,
//! `extern "C" fn(u64) -> u64`, whose kCFI type hash differs: the check before the call in C
//! traps. The `unsafe` below is that lie, stated.

use kernel::{bindings::work_struct, prelude::*};
use livepatch::{module_params, module_target, ModuleInit, Registry, StaticWork};

module_target! {
    type: CfiCanary,
    name: "test_klp_rust_cfi_canary",
    license: "GPL",
}

module_params! {
    case: i32 = 0, 0o444, "0: a well-typed work function; 1: a mistyped one (a CFI failure)";
}

extern "C" fn well_typed(_work: *mut work_struct) {
    pr_info!("well-typed work function ran\n");
}

extern "C" fn mistyped(x: u64) -> u64 {
    pr_info!("mistyped work function ran: kCFI did not check the call\n");
    x
}

static WELL_TYPED: StaticWork = StaticWork::new(well_typed);
static MISTYPED: StaticWork = StaticWork::new(
    // SAFETY: None: this is the mistyped pointer the canary exists for. The workqueue calls it
    // as a `void (*)(struct work_struct *)`; kCFI must trap before the call.
    unsafe {
        core::mem::transmute::<extern "C" fn(u64) -> u64, extern "C" fn(*mut work_struct)>(mistyped)
    },
);

struct CfiCanary;

impl ModuleInit for CfiCanary {
    fn init(_module: &'static ThisModule, registry: &Registry) -> Result<Self> {
        let work = if case.get() == 1 {
            &MISTYPED
        } else {
            &WELL_TYPED
        };
        pr_info!("case {}: queueing the work function\n", case.get());
        work.init(registry)?.schedule();
        Ok(CfiCanary)
    }
}
