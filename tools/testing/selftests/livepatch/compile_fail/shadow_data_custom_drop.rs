// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: klp_shadow_data! refuses a structure with its own Drop, which would run in atomic context.
//~ ERROR: conflicting implementations of trait `NoCustomDrop`

use kernel::prelude::*;
use livepatch::{klp_shadow_data, module_livepatch};

module_livepatch! {
    name: "cf_shadow_data_custom_drop",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux,
    },
}

klp_shadow_data! {
    /// Memory kept for an object.
    pub struct Leak(pub KBox<i32>);
}

impl Drop for Leak { //~ FAIL
    fn drop(&mut self) {} //~ FAIL
} //~ FAIL
