// SPDX-License-Identifier: GPL-2.0

//! Build-fail test (tools/klp-elf names; adversarial pass 5): a module may not define a name of
//! the crate's C helpers, `klp_rust_init_completion` here. Built without `work.c`, the crate's
//! declaration resolved to the module's own no-op: `StaticCompletion::init` then left the
//! completion uninitialised and `complete()` oopsed in `swake_up_locked()`. Its twin has a name
//! of its own.
//~ ERROR: defines the global symbol `klp_rust_init_completion` (`#[no_mangle]`, `#[export_name]` or a klp_target_fn!?): the namespace of the livepatch crate's C helpers

use core::ffi::{c_int, c_void};
use kernel::prelude::*;
use livepatch::{klp_func, klp_target_fn, module_livepatch, Patch, StaticCompletion};

module_livepatch! {
    name: "cf_klp_target_fn_name_crate_helper",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux {
            cmdline_proc_show => cf_show,
        },
    },
    patch: patch,
}

klp_target_fn! {
    fn klp_rust_init_completion(_x: *mut c_void) {} //~ FAIL
    fn cf_own_init_completion(_x: *mut c_void) {} //~ PASS
}

static DONE: StaticCompletion = StaticCompletion::new();

fn patch(patch: Patch) -> Result<Patch> {
    DONE.init(patch.registry())?;
    DONE.complete();
    Ok(patch)
}

klp_func! {
    fn cf_show(_m: *mut c_void, _v: *mut c_void) -> c_int {
        0
    }
}
