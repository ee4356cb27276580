// SPDX-License-Identifier: GPL-2.0

//! RCU read-side critical sections: `rcu_read_lock()` and `rcu_read_unlock()`.
//!
//! Both are inline C functions that 6.12's `kernel` crate does not bind; `src/helpers.c`, linked
//! into every livepatch module, wraps them, lockdep annotation (`rcu_lock_map`) included.
//!
//! C header: [`include/linux/rcupdate.h`](srctree/include/linux/rcupdate.h)

use core::marker::PhantomData;

extern "C" {
    fn klp_rust_rcu_read_lock();
    fn klp_rust_rcu_read_unlock();
}

/// An RCU read-side critical section, from [`read_lock`] until the guard is dropped.
///
/// Memory freed with `kfree_rcu()` or after `synchronize_rcu()` and found during the section stays
/// valid until it ends. The section must not sleep. Sections nest.
///
/// # Invariants
///
/// `rcu_read_lock()` was called on this CPU and task, and `rcu_read_unlock()` was not called for
/// it yet: the guard is not `Send`, so it is dropped where it was made.
pub struct Guard {
    _not_send: PhantomData<*mut ()>,
}

/// Enters an RCU read-side critical section (`rcu_read_lock()`).
///
/// # Examples
///
/// ```ignore
/// let _guard = rcu::read_lock();
/// // `kfree_rcu()`ed memory found here stays valid while `_guard` lives.
/// ```
pub fn read_lock() -> Guard {
    // SAFETY: `rcu_read_lock()` can be called in any context; the guard unlocks it (type
    // invariant).
    unsafe { klp_rust_rcu_read_lock() };
    Guard {
        _not_send: PhantomData,
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        // SAFETY: Pairs with the `rcu_read_lock()` of `read_lock` on this task (type invariant).
        unsafe { klp_rust_rcu_read_unlock() };
    }
}
