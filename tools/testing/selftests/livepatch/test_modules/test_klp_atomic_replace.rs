// SPDX-License-Identifier: GPL-2.0

//! Rust port of `test_klp_atomic_replace.c`: replaces `meminfo_proc_show()`, and atomically
//! replaces all the patches enabled before it when loaded with `replace=1`.

#[macro_use]
#[path = "../../../../../src/lib.rs"]
pub mod livepatch;

use core::ffi::{c_int, c_void};
use kernel::c_str;
use livepatch::{Func, Object, Patch, SeqFile};

module_livepatch! {
    patch: patch,
    name: "test_klp_atomic_replace",
    author: "Joe Lawrence <joe.lawrence@redhat.com>",
    description: "Livepatch test: atomic replace",
    license: "GPL",
    params: {
        replace: i32 = 0, 0o644, "replace (default=0)";
    },
}

klp_func! {
    /// Replaces `meminfo_proc_show()` in `fs/proc/meminfo.c`.
    fn livepatch_meminfo_proc_show(m: &SeqFile, _v: *mut c_void) -> c_int {
        seq_print!(m, "{}: {}\n", "test_klp_atomic_replace", "this has been live patched");
        0
    }
}

fn patch() -> Patch {
    Patch::new()
        .object(Object::vmlinux().func(Func::new(
            c_str!("meminfo_proc_show"),
            livepatch_meminfo_proc_show,
        )))
        .replace(replace.get() != 0)
}
