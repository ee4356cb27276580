// SPDX-License-Identifier: GPL-2.0

//! Rust port of `livepatch-shadow-mod.c`: shadow variables, buggy module demo.
//!
//! Allocates a `struct dummy` every second, checks them every three seconds and frees those
//! that have expired (after twelve). Each allocation also allocates an extra `int`, the "leak",
//! and forgets it: `livepatch-shadow-fix1` fixes the leak with a shadow variable and
//! `livepatch-shadow-fix2` adds a check counter, by replacing `dummy_alloc()`, `dummy_free()`
//! and `dummy_check()` (see the "Usage" section of `samples/livepatch/livepatch-shadow-mod.c`).
//! Kbuild builds the module with ftrace call sites (`klp_target`); the three functions keep
//! their C names and C ABI (`klp_target_fn!`), and the build checks the livepatches'
//! replacements against their signatures.
//! `struct dummy` is the C sample's, translated by bindgen (`livepatch::targets`): the
//! livepatches allocate and read it with that layout. The C file defines no `pr_fmt()`: its
//! messages have no module-name prefix, nor have the port's (`pr_info_bare!`).

use kernel::{bindings::work_struct, new_mutex, prelude::*, sync::Mutex, time::Jiffies};
use livepatch::{
    klp_target_fn, module_target, pr_info_bare,
    targets::livepatch_shadow_mod::dummy as Dummy,
    time::{jiffies, msecs_to_jiffies, time_after},
    DelayedWork, ModuleInit, Ptr, Registry, StaticDelayedWork, StaticPin,
};

module_target! {
    type: ShadowMod,
    name: "livepatch_shadow_mod",
    author: "Joe Lawrence <joe.lawrence@redhat.com>",
    description: "Rust port of livepatch-shadow-mod.c",
    license: "GPL",
}

/// Allocate new dummies every second.
const ALLOC_PERIOD: u32 = 1;
/// Check for expired dummies after a few new ones have been allocated.
const CLEANUP_PERIOD: u32 = 3 * ALLOC_PERIOD;
/// Dummies expire after a few cleanup instances.
const EXPIRE_PERIOD: u32 = 4 * CLEANUP_PERIOD;

/// A dummy on the list, allocated by `dummy_alloc()`, freed by `dummy_free()`.
struct Owned(KBox<Dummy>);

// SAFETY: A `dummy` is plain data owned by the box: its `list` pointers are never followed (the
// list is the vector of `DUMMY_LIST`) and no other thread keeps a reference to it.
unsafe impl Send for Owned {}

/// `dummy_list` and `dummy_list_mutex`.
static DUMMY_LIST: StaticPin<Mutex<KVec<Owned>>> = StaticPin::new();
static ALLOC_DWORK: StaticDelayedWork = StaticDelayedWork::new(alloc_work_func);
static CLEANUP_DWORK: StaticDelayedWork = StaticDelayedWork::new(cleanup_work_func);

klp_target_fn! {
    /// `static noinline struct dummy *dummy_alloc(void)`.
    fn dummy_alloc() -> *mut Dummy {
        let dummy = Dummy {
            list: Default::default(),
            jiffies_expire: jiffies() + msecs_to_jiffies(1000 * EXPIRE_PERIOD),
        };
        let Ok(d) = KBox::new(dummy, GFP_KERNEL) else {
            return core::ptr::null_mut();
        };
        // Oops, forgot to save leak!
        let Ok(leak) = KBox::new(0i32, GFP_KERNEL) else {
            return core::ptr::null_mut();
        };
        core::mem::forget(leak);
        pr_info_bare!(
            "dummy_alloc: dummy @ {}, expires @ {:x}\n",
            Ptr::from(&*d),
            d.jiffies_expire
        );
        KBox::into_raw(d)
    }
}

klp_target_fn! {
    /// `static noinline void dummy_free(struct dummy *d)`: takes the dummy and frees it.
    fn dummy_free(d: *mut Dummy) {
        // SAFETY: The callers below pass a dummy they took off the list, which `dummy_alloc()`
        // allocated with `kmalloc()` (`KBox`): this function owns it and frees it.
        let d = unsafe { KBox::from_raw(d) };
        pr_info_bare!(
            "dummy_free: dummy @ {}, expired = {:x}\n",
            Ptr::from(&*d),
            d.jiffies_expire
        );
    }
}

klp_target_fn! {
    /// `static noinline bool dummy_check(struct dummy *d, unsigned long jiffies)`: whether the
    /// dummy has expired at `jiffies`.
    fn dummy_check(d: &Dummy, jiffies: Jiffies) -> bool {
        time_after(jiffies, d.jiffies_expire)
    }
}

/// Allocates a new dummy, which allocates additional memory, aptly named "leak", but does not
/// keep a permanent record of it.
extern "C" fn alloc_work_func(_work: *mut work_struct) {
    let d = dummy_alloc();
    if d.is_null() {
        return;
    }
    // SAFETY: `dummy_alloc()`, this module's or a livepatch's replacement, returns a new dummy
    // allocated with `kmalloc()` (`KBox`), which the caller owns.
    let d = Owned(unsafe { KBox::from_raw(d) });
    if let Some(list) = DUMMY_LIST.get() {
        let mut list = list.lock();
        // C's `list_add()` cannot fail; a vector can: the dummy is freed at once then.
        if list.reserve(1, GFP_KERNEL).is_ok() {
            // Cannot fail: there is room for it.
            let _ = list.push(d, GFP_KERNEL);
        } else {
            dummy_free(KBox::into_raw(d.0));
        }
    }
    ALLOC_DWORK.schedule(msecs_to_jiffies(1000 * ALLOC_PERIOD));
}

/// Frees the expired dummies. Without knowledge of "leak", it leaks the additional memory that
/// `alloc_work_func()` created.
extern "C" fn cleanup_work_func(_work: *mut work_struct) {
    let j = jiffies();
    pr_info_bare!("cleanup_work_func: jiffies = {:x}\n", j);
    if let Some(list) = DUMMY_LIST.get() {
        let mut list = list.lock();
        // Kick out and free any expired dummies: the others move to a new vector, with room for
        // all (if there is no memory for it, they wait for the next run).
        if let Ok(mut keep) = KVec::with_capacity(list.len(), GFP_KERNEL) {
            for d in core::mem::take(&mut *list) {
                if dummy_check(&d.0, j) {
                    dummy_free(KBox::into_raw(d.0));
                } else {
                    // Cannot fail: there is room for every dummy.
                    let _ = keep.push(d, GFP_KERNEL);
                }
            }
            *list = keep;
        }
    }
    CLEANUP_DWORK.schedule(msecs_to_jiffies(1000 * CLEANUP_PERIOD));
}

struct ShadowMod {
    list: &'static Mutex<KVec<Owned>>,
    alloc: DelayedWork,
    cleanup: DelayedWork,
}

impl ModuleInit for ShadowMod {
    fn init(_module: &'static ThisModule, registry: &Registry) -> Result<Self> {
        let list = DUMMY_LIST.init(new_mutex!(KVec::new(), "dummy_list_mutex"))?;
        let alloc = ALLOC_DWORK.init(registry)?;
        let cleanup = CLEANUP_DWORK.init(registry)?;
        ALLOC_DWORK.schedule(msecs_to_jiffies(1000 * ALLOC_PERIOD));
        CLEANUP_DWORK.schedule(msecs_to_jiffies(1000 * CLEANUP_PERIOD));
        Ok(Self {
            list,
            alloc,
            cleanup,
        })
    }
}

impl Drop for ShadowMod {
    fn drop(&mut self) {
        // Wait for any dummies at work (the module's exit is no work function: no `EDEADLK`).
        let _ = self.alloc.cancel_sync();
        let _ = self.cleanup.cancel_sync();
        // Clean up residual dummies (and the vector: `DUMMY_LIST` is never dropped).
        for d in core::mem::take(&mut *self.list.lock()) {
            dummy_free(KBox::into_raw(d.0));
        }
    }
}
