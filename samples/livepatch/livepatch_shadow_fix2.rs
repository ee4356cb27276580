// SPDX-License-Identifier: GPL-2.0

//! Rust port of `livepatch-shadow-fix2.c`: shadow variables, livepatch demo.
//!
//! Adds functionality to `livepatch-shadow-mod`'s in-flight data structures through a shadow
//! variable: the patched `dummy_check()`, which runs periodically on every dummy, increments a
//! per-dummy `SV_COUNTER`, creating it if needed; the patched `dummy_free()` prints it. Also
//! carries fix1's leak fix. Not meant to be used alone: see the "Usage" section of
//! `samples/livepatch/livepatch-shadow-mod.c`.
//!
//! C header: [`include/linux/livepatch.h`](srctree/include/linux/livepatch.h)

use core::{
    ffi::c_void,
    sync::atomic::{AtomicI32, Ordering},
};
use kernel::{ffi::c_ulong, prelude::*};
use livepatch::{
    klp_func, klp_shadow_data, module_livepatch, targets::livepatch_shadow_mod::dummy as Dummy,
    time::time_after, Gfp, Patch, Ptr, Shadow, ShadowDtor,
};

module_livepatch! {
    name: "livepatch_shadow_fix2",
    author: "Rust for Linux livepatch contributors",
    description: "Rust port of livepatch-shadow-fix2.c",
    license: "GPL",
    objects: {
        SHADOW_MOD: "livepatch_shadow_mod" {
            dummy_check => livepatch_fix2_dummy_check,
            dummy_free => livepatch_fix2_dummy_free,
        },
    },
    patch: patch,
}

klp_shadow_data! {
    /// The memory `dummy_alloc()` leaks, as `livepatch_shadow_fix1` keeps it.
    pub struct Leak(KBox<i32>);
}

/// Shadow variable enums: `SV_LEAK`, shared with `livepatch_shadow_fix1`.
// SAFETY: Id 1 is used by this module and `livepatch_shadow_fix1` only (`livepatch_shadow_mod.rs`
// uses no shadow variable), both for a `Leak` of the same layout.
static SV_LEAK: Shadow<Leak> = unsafe { Shadow::new(1) };
/// Shadow variable enums: `SV_COUNTER`.
// SAFETY: Id 2 is used by this module only, for an `AtomicI32`.
static SV_COUNTER: Shadow<AtomicI32> = unsafe { Shadow::new(2) };

/// `livepatch_fix2_dummy_leak_dtor()`.
struct LeakDtor;

impl ShadowDtor<Leak> for LeakDtor {
    fn destroy(obj: *const c_void, leak: &Leak) {
        pr_info!(
            "livepatch_fix2_dummy_leak_dtor: dummy @ {}, prevented leak @ {}\n",
            Ptr(obj),
            Ptr::from(&*leak.0)
        );
    }
}

klp_func! {
    /// Replaces `dummy_check()`: counts the checks of in-flight dummies in a `SV_COUNTER`,
    /// attached on the first check.
    fn livepatch_fix2_dummy_check(d: *const Dummy, jiffies: c_ulong) -> bool {
        // SAFETY: `cleanup_work_func()` of `livepatch_shadow_mod.rs`, the only caller of
        // `dummy_check()`, passes a dummy of the list while holding the list's mutex, under
        // which every dummy is accessed: it is valid and nobody writes it during the call.
        let d = unsafe { &*d };
        // On failure (GFP_NOWAIT), the check is not counted, as in C.
        let _ = SV_COUNTER.get_or_alloc(
            d,
            Gfp::NOWAIT,
            |_| Ok(AtomicI32::new(0)),
            |count| count.fetch_add(1, Ordering::Relaxed),
        );
        time_after(jiffies, d.jiffies_expire)
    }
}

klp_func! {
    /// Replaces `dummy_free()`: fix1's leak fix, then prints and frees the check counter.
    fn livepatch_fix2_dummy_free(d: *mut Dummy) {
        // SAFETY: `dummy_free()` of `livepatch_shadow_mod.rs` owns its argument and frees it:
        // `cleanup_work_func()` and the module's exit pass a dummy they have just taken off the
        // list, allocated by `dummy_alloc()` with `kmalloc()` (`KBox`), never NULL.
        let d = unsafe { KBox::from_raw(d) };
        if SV_LEAK.exists(&*d) {
            let _ = SV_LEAK.free_with::<LeakDtor>(&*d);
        } else {
            pr_info!("livepatch_fix2_dummy_free: dummy @ {} leaked!\n", Ptr::from(&*d));
        }
        if let Some(count) = SV_COUNTER.with(&*d, |count| count.load(Ordering::Relaxed)) {
            pr_info!(
                "livepatch_fix2_dummy_free: dummy @ {}, check counter = {}\n",
                Ptr::from(&*d),
                count
            );
            let _ = SV_COUNTER.free(&*d);
        }
    }
}

/// Frees the remaining `SV_COUNTER` shadow variables when the module is unloaded, as the C
/// module's exit function does.
struct FreeAllCounters;

impl Drop for FreeAllCounters {
    fn drop(&mut self) {
        let _ = SV_COUNTER.free_all();
    }
}

fn patch(patch: Patch) -> Patch {
    // Freed when the module is unloaded, as the C module's exit function does.
    patch.keep(FreeAllCounters)
}
