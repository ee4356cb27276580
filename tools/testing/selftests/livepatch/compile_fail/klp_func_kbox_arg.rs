// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: a replacement cannot take ownership of its argument as a KBox: that the C function owns it is the author's unsafe claim.
//~ ERROR: FfiArg` is not satisfied

use kernel::prelude::*;
use livepatch::{klp_func, module_livepatch, targets::livepatch_shadow_mod::dummy as Dummy};

module_livepatch! {
    name: "cf_klp_func_kbox_arg",
    license: "GPL",
    objects: {
        TARGET: "livepatch_shadow_mod" {
            dummy_free => free,
        },
    },
}

klp_func! {
    fn free(d: Option<KBox<Dummy>>) { //~ FAIL
    fn free(d: *mut Dummy) { //~ PASS
        let _ = d;
    }
}
