// SPDX-License-Identifier: GPL-2.0

//! Rust port of `test_klp_atomic_replace.c`: replaces `meminfo_proc_show()`, and atomically
//! replaces all the patches enabled before it when loaded with `replace=1`.

use core::ffi::{c_int, c_void};
use kernel::error::code::EINVAL;
use livepatch::{klp_func, module_livepatch, seq_print, Patch, SeqFile};

module_livepatch! {
    name: "test_klp_atomic_replace",
    author: "Joe Lawrence <joe.lawrence@redhat.com>",
    description: "Livepatch test: atomic replace",
    license: "GPL",
    params: {
        replace: i32 = 0, 0o644, "replace (default=0)";
    },
    objects: {
        VMLINUX: vmlinux {
            meminfo_proc_show => livepatch_meminfo_proc_show,
        },
    },
    patch: patch,
}

klp_func! {
    /// Replaces `meminfo_proc_show()` in `fs/proc/meminfo.c`.
    fn livepatch_meminfo_proc_show(m: Option<&SeqFile>, _v: *mut c_void) -> c_int {
        let Some(m) = m else {
            return EINVAL.to_errno();
        };
        seq_print!(m, "{}: {}\n", "test_klp_atomic_replace", "this has been live patched");
        0
    }
}

fn patch(patch: Patch) -> Patch {
    patch.replace(replace.get() != 0)
}
