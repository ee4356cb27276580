// SPDX-License-Identifier: GPL-2.0

//! The generated `kernel::Module::init` called again by the module's own code (found by an
//! adversarial pass): from a replacement it enabled the enabled patch a second time (its list
//! entry and kobjects re-initialised, then an RCU stall under `klp_mutex`); it must refuse.
//! `test-rust-registry.sh` reads `/proc/cmdline`, which runs the replacement.

use core::ffi::{c_int, c_void};
use livepatch::{klp_func, module_livepatch, seq_print, SeqFile};

module_livepatch! {
    name: "test_klp_rust_init_twice",
    description: "Livepatch test: the generated init called again",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux {
            cmdline_proc_show => show,
        },
    },
}

klp_func! {
    /// Replaces `cmdline_proc_show()`: calls the module's init, and prints what it returned.
    fn show(m: Option<&SeqFile>, _v: *mut c_void) -> c_int {
        let Some(m) = m else { return 0 };
        let r = <LivepatchModule as kernel::Module>::init(&crate::THIS_MODULE);
        seq_print!(m, "second init: {:?}\n", r.as_ref().err().map(|e| e.to_errno()));
        0
    }
}
