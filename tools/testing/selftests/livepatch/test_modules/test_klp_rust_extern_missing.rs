// SPDX-License-Identifier: GPL-2.0

//! Livepatch test: a livepatch relocation to a vmlinux symbol that does not exist.
//!
//! The core fails to resolve `.klp.sym.vmlinux.test_klp_rust_no_such_symbol,0` when the patch
//! is enabled, so `insmod` fails with the core's error and leaves no patch behind.

use core::ffi::{c_int, c_void};
use livepatch::{klp_extern, klp_func, module_livepatch, SeqFile};

module_livepatch! {
    name: "test_klp_rust_extern_missing",
    description: "Livepatch test: a missing non-exported symbol",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux {
            cmdline_proc_show => livepatch_cmdline_proc_show,
        },
    },
}

klp_extern! {
    vmlinux {
        /// Not in vmlinux: the build cannot check it, hence `unsafe`; the prototype claimed is
        /// `int test_klp_rust_no_such_symbol(void)`.
        unsafe fn test_klp_rust_no_such_symbol() -> c_int;
    }
}

klp_func! {
    /// Never installed: the patch does not load.
    fn livepatch_cmdline_proc_show(_m: Option<&SeqFile>, _v: *mut c_void) -> c_int {
        // SAFETY: Never runs: the core refuses the patch when it cannot resolve the symbol.
        unsafe { test_klp_rust_no_such_symbol() }
    }
}
