// SPDX-License-Identifier: GPL-2.0

//! Rust port of `livepatch-shadow-fix1.c`: shadow variables, livepatch demo.
//!
//! Fixes the memory leak of `livepatch-shadow-mod` with a shadow variable: the patched
//! `dummy_alloc()` keeps the memory it allocates in a `SV_LEAK` shadow variable of the new dummy,
//! and the patched `dummy_free()` frees it. This "extends" a short-lived data structure by
//! patching its allocation and release functions. Not meant to be used alone: see the "Usage"
//! section of `samples/livepatch/livepatch-shadow-mod.c`.
//!
//! C header: [`include/linux/livepatch.h`](srctree/include/linux/livepatch.h)

use core::ffi::c_void;
use kernel::prelude::*;
use livepatch::{
    klp_func, klp_shadow_data, module_livepatch,
    targets::livepatch_shadow_mod::dummy as Dummy,
    time::{jiffies, msecs_to_jiffies},
    Gfp, Patch, Ptr, ReturnPtr, Shadow, ShadowDtor,
};

module_livepatch! {
    name: "livepatch_shadow_fix1",
    author: "Rust for Linux livepatch contributors",
    description: "Rust port of livepatch-shadow-fix1.c",
    license: "GPL",
    objects: {
        SHADOW_MOD: "livepatch_shadow_mod" {
            dummy_alloc => livepatch_fix1_dummy_alloc,
            dummy_free => livepatch_fix1_dummy_free,
        },
    },
    patch: patch,
}

/// Allocate new dummies every second.
const ALLOC_PERIOD: u32 = 1;
/// Check for expired dummies after a few new ones have been allocated.
const CLEANUP_PERIOD: u32 = 3 * ALLOC_PERIOD;
/// Dummies expire after a few cleanup instances.
const EXPIRE_PERIOD: u32 = 4 * CLEANUP_PERIOD;

klp_shadow_data! {
    /// The memory `dummy_alloc()` allocates and forgets: freed when the shadow variable is.
    pub struct Leak(KBox<i32>);
}

/// Shadow variable enums: `SV_LEAK`.
// SAFETY: Id 1 is used by this module and `livepatch_shadow_fix2` only (`livepatch_shadow_mod.rs`
// uses no shadow variable), both for a `Leak`.
static SV_LEAK: Shadow<Leak> = unsafe { Shadow::new(1) };

/// `livepatch_fix1_dummy_leak_dtor()`: reports the leak it prevents; dropping the `Leak` frees
/// it.
struct LeakDtor;

impl ShadowDtor<Leak> for LeakDtor {
    fn destroy(obj: *const c_void, leak: &Leak) {
        pr_info!(
            "livepatch_fix1_dummy_leak_dtor: dummy @ {}, prevented leak @ {}\n",
            Ptr(obj),
            Ptr::from(&*leak.0)
        );
    }
}

klp_func! {
    /// Replaces `dummy_alloc()`: keeps the extra memory in a `SV_LEAK` shadow variable, which a
    /// patched `dummy_free()` can later fetch to release it.
    fn livepatch_fix1_dummy_alloc() -> ReturnPtr<Dummy> {
        let dummy = Dummy {
            list: Default::default(),
            jiffies_expire: jiffies() + msecs_to_jiffies(1000 * EXPIRE_PERIOD),
        };
        let Ok(d) = KBox::new(dummy, GFP_KERNEL) else {
            return ReturnPtr::null();
        };
        let Ok(leak) = KBox::new(0i32, GFP_KERNEL) else {
            return ReturnPtr::null();
        };
        let leak_ptr = Ptr::from(&*leak);
        // On failure the closure, and so the leak, is dropped: nothing is left behind.
        if SV_LEAK.alloc(&*d, Gfp::KERNEL, move |_| Ok(Leak(leak))).is_err() {
            pr_err!(
                "livepatch_fix1_dummy_alloc: failed to allocate shadow variable for the leaking pointer: dummy @ {}, leak @ {}\n",
                Ptr::from(&*d),
                leak_ptr
            );
            return ReturnPtr::null();
        }
        pr_info!(
            "livepatch_fix1_dummy_alloc: dummy @ {}, expires @ {:x}\n",
            Ptr::from(&*d),
            d.jiffies_expire
        );
        // SAFETY: `dummy_alloc()` returns a dummy its caller owns (`alloc_work_func()` adds it
        // to the list, from which `dummy_free()` takes and frees it once, with `kfree()`): a
        // `kmalloc()`ed `struct dummy` (`KBox<Dummy>`), given up here.
        unsafe { ReturnPtr::new(KBox::into_raw(d)) }
    }
}

klp_func! {
    /// Replaces `dummy_free()`: frees the dummy's `SV_LEAK` shadow variable, if it has one
    /// (dummies allocated before this livepatch was loaded do not).
    fn livepatch_fix1_dummy_free(d: *mut Dummy) {
        // SAFETY: `dummy_free()` of `livepatch_shadow_mod.rs` owns its argument and frees it:
        // `cleanup_work_func()` and the module's exit pass a dummy they have just taken off the
        // list, allocated by `dummy_alloc()` with `kmalloc()` (`KBox`), never NULL.
        let d = unsafe { KBox::from_raw(d) };
        if SV_LEAK.exists(&*d) {
            let _ = SV_LEAK.free_with::<LeakDtor>(&*d);
        } else {
            pr_info!("livepatch_fix1_dummy_free: dummy @ {} leaked!\n", Ptr::from(&*d));
        }
    }
}

/// Frees the remaining `SV_LEAK` shadow variables when the module is unloaded, as the C
/// module's exit function does.
struct FreeAllLeaks;

impl Drop for FreeAllLeaks {
    fn drop(&mut self) {
        let _ = SV_LEAK.free_all_with::<LeakDtor>();
    }
}

fn patch(patch: Patch) -> Patch {
    // Freed when the module is unloaded, as the C module's exit function does.
    patch.keep(FreeAllLeaks)
}
