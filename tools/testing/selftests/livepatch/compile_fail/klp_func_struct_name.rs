// SPDX-License-Identifier: GPL-2.0

//! Build-fail test (tools/klp-elf): a replacement of a module's function whose pointer parameter names another structure: `dummy_free()` of livepatch-shadow-mod.c takes a `struct dummy *`.
//~ ERROR: parameter 1 `d` (C `d`): the C type is `struct dummy *`, the Rust type `&SeqFile`: points to struct seq_file in Rust, to struct dummy in C

use livepatch::{klp_func, module_livepatch, targets::livepatch_shadow_mod::dummy as Dummy, SeqFile};

module_livepatch! {
    name: "cf_klp_func_struct_name",
    license: "GPL",
    objects: {
        TARGET: "livepatch_shadow_mod" {
            dummy_free => cf_free,
        },
    },
}

klp_func! {
    fn cf_free(d: &SeqFile) { //~ FAIL
    fn cf_free(d: *mut Dummy) { //~ PASS
        let _ = (d, core::mem::size_of::<&SeqFile>());
    }
}
