// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: `klp_extern!` forwards doc comments only: a `#[link_name]` would link a symbol other than the one the build checks.
//~ ERROR: no rules expected

use kernel::ffi::c_char;
use livepatch::{klp_extern, module_livepatch};

module_livepatch! {
    name: "cf_klp_extern_link_name",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux,
    },
}

klp_extern! {
    vmlinux {
        #[link_name = "panic"] //~ FAIL
        /// `char *saved_command_line`. //~ PASS
        static saved_command_line: *mut c_char;
    }
}
