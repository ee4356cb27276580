// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: klp_shadow_data! refuses a field that points into the module image.
//~ ERROR: the trait bound `&'static str: ShadowData` is not satisfied

use livepatch::{klp_shadow_data, module_livepatch};

module_livepatch! {
    name: "cf_shadow_data_ref_field",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux,
    },
}

klp_shadow_data! {
    /// What is known of an object.
    pub struct Note {
        pub count: u32,
        pub name: &'static str, //~ FAIL
        pub name: u64, //~ PASS
    }
}
