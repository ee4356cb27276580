// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: a work item can only be initialised with the module's registry, which only
//! a generated module init hands out (`module_target!`, `module_livepatch!`): a module written
//! with the kernel's `module!` has no generated exit to disable its work items before its memory
//! is freed.
//~ ERROR: this method takes 1 argument but 0 arguments were supplied

use kernel::{bindings::work_struct, prelude::*};
use livepatch::StaticWork;

module! { //~ FAIL
livepatch::module_target! { //~ PASS
    type: Plain,
    name: "cf_static_work_registry",
    license: "GPL",
}

static WORK: StaticWork = StaticWork::new(work_func);

extern "C" fn work_func(_work: *mut work_struct) {}

struct Plain;

impl kernel::Module for Plain { //~ FAIL
    fn init(_module: &'static ThisModule) -> Result<Self> { //~ FAIL
        WORK.init()?.schedule(); //~ FAIL
impl livepatch::ModuleInit for Plain { //~ PASS
    fn init(_module: &'static ThisModule, registry: &livepatch::Registry) -> Result<Self> { //~ PASS
        WORK.init(registry)?.schedule(); //~ PASS
        Ok(Plain)
    }
}
