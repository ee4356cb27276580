// SPDX-License-Identifier: GPL-2.0

//! Livepatch test: symbols that the kernel does not export, of vmlinux and of a module, used
//! through livepatch relocations.
//!
//! `/proc/cmdline` becomes the boot command line read from `saved_command_line` (`init/main.c`,
//! not exported), followed by `jhash("livepatch", 9, 0)` computed by the second of vmlinux's
//! out-of-line copies of the `static inline` `jhash()` (`include/linux/jhash.h`): a name that is
//! not unique, picked by its position. When `test_klp_callbacks_busy` is loaded (before or after
//! this patch), the post-patch callback of that object prints its `static bool
//! block_transition`, whose relocation the core applies when the module loads.

use core::ffi::{c_int, c_void};
use kernel::error::code::EINVAL;
use kernel::ffi::c_char;
use kernel::str::CStr;
use klp_selftest::{info, log};
use livepatch::{klp_extern, klp_func, module_livepatch, seq_print, Callbacks, Patch, SeqFile};

module_livepatch! {
    name: "test_klp_rust_extern",
    description: "Livepatch test: non-exported symbols through livepatch relocations",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux {
            cmdline_proc_show => livepatch_cmdline_proc_show,
        },
        BUSY: "test_klp_callbacks_busy",
    },
    patch: patch,
}

klp_extern! {
    vmlinux {
        /// `char *saved_command_line` (`init/main.c`).
        static saved_command_line: *mut c_char;
        /// `u32 jhash(const void *key, u32 length, u32 initval)`, the second copy.
        fn jhash @ 2 (key: *const c_void, length: u32, initval: u32) -> u32;
    }
    "test_klp_callbacks_busy" {
        /// `static bool block_transition`, a parameter of the module.
        static block_transition: bool;
    }
}

const KEY: &[u8] = b"livepatch";

klp_func! {
    /// Replaces `cmdline_proc_show()` in `fs/proc/cmdline.c`.
    fn livepatch_cmdline_proc_show(m: Option<&SeqFile>, _v: *mut c_void) -> c_int {
        let Some(m) = m else {
            return EINVAL.to_errno();
        };
        // SAFETY: `setup_command_line()` sets `saved_command_line` at boot to a NUL-terminated
        // string that is never freed or changed afterwards (`cmdline_proc_show()` reads it the
        // same way).
        let cmdline = unsafe { CStr::from_char_ptr(saved_command_line) };
        // SAFETY: `jhash()` reads `length` bytes at `key`, which `KEY` has, and nothing else.
        let hash = unsafe { jhash(KEY.as_ptr().cast(), KEY.len() as u32, 0) };
        seq_print!(m, "{} jhash@2=0x{:08x}\n", cmdline.to_str().unwrap_or("?"), hash);
        0
    }
}

fn patch(patch: Patch) -> Patch {
    patch.callbacks(
        BUSY,
        Callbacks::new().post_patch(|_| {
            // SAFETY: The callbacks of `BUSY` run while the module is loaded, after the core has
            // applied this patch's relocations for it; C reads and writes the `bool` with
            // `READ_ONCE()`/`WRITE_ONCE()`, so a volatile read sees a whole value.
            let value = unsafe { core::ptr::read_volatile(&raw const block_transition) };
            info!(
                log!(),
                "block_transition of test_klp_callbacks_busy: {value}\n"
            );
        }),
    )
}
