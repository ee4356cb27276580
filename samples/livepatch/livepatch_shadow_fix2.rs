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

#[macro_use]
#[path = "../../src/lib.rs"]
pub mod livepatch;

use core::{
    ffi::c_void,
    sync::atomic::{AtomicI32, Ordering},
};
use kernel::{c_str, ffi::c_ulong, prelude::*};
use livepatch::{
    targets::livepatch_shadow_mod::dummy as Dummy, time::time_after, Func, Gfp, Object, Patch, Ptr,
    ShadowDtor,
};

module_livepatch! {
    patch: patch,
    name: "livepatch_shadow_fix2",
    author: "Rust for Linux livepatch contributors",
    description: "Rust port of livepatch-shadow-fix2.c",
    license: "GPL",
}

/// The memory `dummy_alloc()` leaks, as `livepatch_shadow_fix1` keeps it.
pub struct Leak(KBox<i32>);

klp_shadow! {
    /// Shadow variable enums: `SV_LEAK`, shared with `livepatch_shadow_fix1`.
    static SV_LEAK: Shadow<Leak> = 1;
}
klp_shadow! {
    /// Shadow variable enums: `SV_COUNTER`.
    static SV_COUNTER: Shadow<AtomicI32> = 2;
}

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
    fn livepatch_fix2_dummy_check(d: &Dummy, jiffies: c_ulong) -> bool {
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
    fn livepatch_fix2_dummy_free(d: Option<KBox<Dummy>>) {
        let Some(d) = d else {
            return;
        };
        if SV_LEAK.exists(&*d) {
            SV_LEAK.free_with::<LeakDtor>(&*d);
        } else {
            pr_info!("livepatch_fix2_dummy_free: dummy @ {} leaked!\n", Ptr::from(&*d));
        }
        if let Some(count) = SV_COUNTER.with(&*d, |count| count.load(Ordering::Relaxed)) {
            pr_info!(
                "livepatch_fix2_dummy_free: dummy @ {}, check counter = {}\n",
                Ptr::from(&*d),
                count
            );
            SV_COUNTER.free(&*d);
        }
    }
}

/// Frees the remaining `SV_COUNTER` shadow variables when the module is unloaded, as the C
/// module's exit function does.
struct FreeAllCounters;

impl Drop for FreeAllCounters {
    fn drop(&mut self) {
        SV_COUNTER.free_all();
    }
}

fn patch() -> Patch {
    let cleanup = FreeAllCounters;
    Patch::new()
        .object(
            Object::module(c_str!("livepatch_shadow_mod"))
                .func(Func::new(c_str!("dummy_check"), livepatch_fix2_dummy_check))
                .func(Func::new(c_str!("dummy_free"), livepatch_fix2_dummy_free)),
        )
        // Freed when the module is unloaded, as the C module's exit function does.
        .keep(cleanup)
}
