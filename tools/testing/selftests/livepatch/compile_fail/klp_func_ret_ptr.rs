// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: a replacement returns a raw pointer to C only as an author claim (`ReturnPtr::new` is `unsafe`): here, a pointer into the module image, used by C after `rmmod`.
//~ ERROR: FfiRet` is not satisfied

use livepatch::{klp_func, module_livepatch, ReturnPtr};

module_livepatch! {
    name: "cf_klp_func_ret_ptr",
    license: "GPL",
    objects: {
        TARGET: vmlinux {
            // SAFETY: Never loaded: a compile-time test; `dummy_name` does not exist.
            unsafe dummy_name => name,
        },
    },
}

klp_func! {
    fn name() -> *const u8 { //~ FAIL
        "patched".as_ptr() //~ FAIL
    fn name() -> ReturnPtr<u8> { //~ PASS
        ReturnPtr::null() //~ PASS
    }
}
