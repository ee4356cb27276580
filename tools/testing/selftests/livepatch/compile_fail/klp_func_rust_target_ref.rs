// SPDX-License-Identifier: GPL-2.0

//! Build-fail test (tools/klp-elf): a Rust target's `klp_target_fn!` returns a reference, which its safe callers read without a NULL check; a replacement returning a `ReturnPtr` (here NULL) does not promise that. `test_klp_rust_target_answer_ref()` of test_klp_rust_target.rs returns `&'static c_int`.
//~ ERROR: does not match the Rust target: return type: the target's type is `&'static c_int`, the replacement's `ReturnPtr<c_int>`: the target assumes a reference, never null, where the replacement has a pointer that may be NULL

use core::ffi::c_int;
use livepatch::{klp_func, module_livepatch, ReturnPtr};

module_livepatch! {
    name: "cf_klp_func_rust_target_ref",
    license: "GPL",
    objects: {
        TARGET: "test_klp_rust_target" {
            test_klp_rust_target_answer_ref => cf_answer_ref, //~ FAIL
            // SAFETY: The author's claim, not the build's: what the twin must not build without.
            unsafe test_klp_rust_target_answer_ref => cf_answer_ref, //~ PASS
        },
    },
}

klp_func! {
    fn cf_answer_ref() -> ReturnPtr<c_int> {
        ReturnPtr::null()
    }
}
