// SPDX-License-Identifier: GPL-2.0

//! Build-fail test (tools/klp-elf): a module's symbol declared for a patch without that module among its objects, whose relocations the core would never apply.
//~ ERROR: klp_extern! variable block_transition of test_klp_callbacks_busy: the patch has no object test_klp_callbacks_busy

use core::ffi::{c_int, c_void};
use livepatch::{klp_extern, klp_func, module_livepatch, SeqFile};

module_livepatch! {
    name: "cf_klp_extern_object",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux {
            cmdline_proc_show => cf_show,
        },
        BUSY: "test_klp_callbacks_busy", //~ PASS
    },
}

klp_extern! {
    "test_klp_callbacks_busy" {
        static block_transition: bool;
    }
}

klp_func! {
    fn cf_show(_m: Option<&SeqFile>, _v: *mut c_void) -> c_int {
        // SAFETY: Not run in this test; a `bool` of the module.
        unsafe { block_transition as c_int }
    }
}
