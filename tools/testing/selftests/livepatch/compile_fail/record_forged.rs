// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: build records are claims the build tool trusts: only the macros make them, on what they expand to (`Record` constructors are `unsafe`).
//~ ERROR: call to unsafe function

use livepatch::{ctype::*, module_livepatch};

module_livepatch! {
    name: "cf_record_forged",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux,
    },
}

const SIG: Signature = Signature::new(Slot::new(CType::VOID, "()", ""));
livepatch::livepatch_record!(Record::definition("cf_record_forged_fn", &SIG)); //~ FAIL
const _: &Signature = &SIG; //~ PASS
