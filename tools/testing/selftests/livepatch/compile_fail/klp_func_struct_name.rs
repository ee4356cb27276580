// SPDX-License-Identifier: GPL-2.0

//! Build-fail test (tools/klp-elf): a replacement of a C module's function whose pointer parameter names another structure: `busymod_work_func()` of the C test_klp_callbacks_busy.c takes a `struct work_struct *`.
//~ ERROR: parameter 1 `w` (C `work`): the C type is `struct work_struct *`, the Rust type `Option<&SeqFile>`: points to struct seq_file in Rust, to struct work_struct in C

use kernel::bindings::work_struct;
use livepatch::{klp_func, module_livepatch, SeqFile};

module_livepatch! {
    name: "cf_klp_func_struct_name",
    license: "GPL",
    objects: {
        TARGET: "test_klp_callbacks_busy" {
            busymod_work_func => cf_work,
        },
    },
}

klp_func! {
    fn cf_work(w: Option<&SeqFile>) { //~ FAIL
    fn cf_work(w: *mut work_struct) { //~ PASS
        let _ = (w, core::mem::size_of::<Option<&SeqFile>>(), core::mem::size_of::<*mut work_struct>());
    }
}
