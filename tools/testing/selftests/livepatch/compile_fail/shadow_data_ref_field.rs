// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: klp_shadow_data! refuses a field that points into the module image.
//~ ERROR: the trait bound `&'static str: ShadowData` is not satisfied

#[macro_use]
#[path = "../../../../../src/lib.rs"]
pub mod livepatch;

use livepatch::Patch;

module_livepatch! {
    patch: Patch::new,
    name: "cf_shadow_data_ref_field",
    license: "GPL",
}

klp_shadow_data! {
    /// What is known of an object.
    pub struct Note {
        pub count: u32,
        pub name: &'static str, //~ FAIL
        pub name: u64, //~ PASS
    }
}
