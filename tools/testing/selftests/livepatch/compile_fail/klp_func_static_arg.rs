// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: a replacement's borrowed argument cannot outlive the call.
//~ ERROR: `_arguments_live_only_during_the_call` does not live long enough

#[macro_use]
#[path = "../../../../../src/lib.rs"]
pub mod livepatch;

use core::ffi::{c_int, c_void};
use kernel::c_str;
use livepatch::{Func, Object, Patch, SeqFile};

module_livepatch! {
    patch: patch,
    name: "cf_klp_func_static_arg",
    license: "GPL",
}

klp_func! {
    fn show(m: &'static SeqFile, _v: *mut c_void) -> c_int { //~ FAIL
    fn show(m: &SeqFile, _v: *mut c_void) -> c_int { //~ PASS
        m.write_str("patched\n");
        0
    }
}

fn patch() -> Patch {
    Patch::new().object(Object::vmlinux().func(Func::new(c_str!("cmdline_proc_show"), show)))
}
