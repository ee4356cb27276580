// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: the `struct module *` a parameter's `kernel_param` holds (the kernel locks
//! its `param_lock`) is `crate::THIS_MODULE` of type `kernel::ThisModule`, which only `module!`
//! makes: neither a `THIS_MODULE` of another type at the crate's root (here) nor one in the scope
//! of the invocation (the twin's `mod evil`, ignored) stands for it.
//~ ERROR: mismatched types

use kernel::prelude::*; //~ PASS
use livepatch::{module_target, ModuleInit, Registry}; //~ PASS

module_target! { //~ PASS
    type: M, //~ PASS
    name: "cf_param_this_module", //~ PASS
    license: "GPL", //~ PASS
} //~ PASS

/// Stands for a `ThisModule`, with a `struct module *` of its choice.
pub struct Fake;
impl Fake {
    /// Any address: the kernel would lock a mutex there.
    pub const fn as_ptr(&self) -> *mut kernel::bindings::module {
        core::ptr::without_provenance_mut(0x1000_0000)
    }
}
/// The forged module, at the crate's root.
pub const THIS_MODULE: Fake = Fake; //~ FAIL
livepatch::module_params! { //~ FAIL
    cf_scalar: i32 = 0, 0o644, "scalar"; //~ FAIL
} //~ FAIL

mod evil { //~ PASS
    /// The forged module, where the parameters are declared. //~ PASS
    pub(super) const THIS_MODULE: super::Fake = super::Fake; //~ PASS
    livepatch::module_params! { //~ PASS
        cf_scalar: i32 = 0, 0o644, "scalar"; //~ PASS
    } //~ PASS
    pub(super) fn get() -> i32 { //~ PASS
        let _ = THIS_MODULE.as_ptr(); //~ PASS
        cf_scalar.get() //~ PASS
    } //~ PASS
} //~ PASS

struct M; //~ PASS

impl ModuleInit for M { //~ PASS
    fn init(_module: &'static ThisModule, _registry: &Registry) -> Result<Self> { //~ PASS
        pr_info!("{}\n", evil::get()); //~ PASS
        Ok(M) //~ PASS
    } //~ PASS
} //~ PASS
