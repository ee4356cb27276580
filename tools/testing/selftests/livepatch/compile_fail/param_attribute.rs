// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: only doc comments and `#[unsafe(no_mangle)]` are forwarded to a parameter's `static`: `link_section = ".init.data"` would put it in memory freed after `init` and written through sysfs later.
//~ ERROR: no rules expected

use kernel::prelude::*;
use livepatch::module_params;

module! {
    type: M,
    name: "cf_param_attribute",
    license: "GPL",
}

module_params! {
    #[link_section = ".init.data"] //~ FAIL
    /// The value, in the module's data. //~ PASS
    cf_value: i32 = 0, 0o644, "value";
}

struct M;

impl kernel::Module for M {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        pr_info!("{}\n", cf_value.get());
        Ok(M)
    }
}
