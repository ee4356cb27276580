// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: a replacement returns a C type.
//~ ERROR: FfiRet` is not satisfied

use livepatch::{klp_func, module_livepatch, ReturnPtr};

module_livepatch! {
    name: "cf_klp_func_ret",
    license: "GPL",
    objects: {
        TARGET: vmlinux {
            // SAFETY: Never loaded: a compile-time test; `dummy_name` does not exist, so the build
            // cannot check the signature against it.
            unsafe dummy_name => name,
        },
    },
}

klp_func! {
    fn name() -> &'static str { //~ FAIL
        "patched" //~ FAIL
    fn name() -> ReturnPtr<u8> { //~ PASS
        ReturnPtr::null() //~ PASS
    }
}
