// SPDX-License-Identifier: GPL-2.0

//! RCU read-side critical sections: `rcu_read_lock()` and `rcu_read_unlock()`.
//!
//! Both are inline C functions that 6.12's `kernel` crate does not bind; `rcu.c`, linked into the
//! modules that use them, wraps them, lockdep annotation (`rcu_lock_map`) included.
//!
//! C header: [`include/linux/rcupdate.h`](srctree/include/linux/rcupdate.h)

extern "C" {
    fn klp_rust_rcu_read_lock();
    fn klp_rust_rcu_read_unlock();
}

/// Runs `f` in an RCU read-side critical section (`rcu_read_lock()` ... `rcu_read_unlock()`).
///
/// Memory freed with `kfree_rcu()` or after `synchronize_rcu()` and found by `f` stays valid
/// until `f` returns. `f` must not sleep. Sections nest.
///
/// A closure, not a guard: a guard could be forgotten (`mem::forget` is safe), which would leave
/// the section open on return to user space and stall every grace period.
///
/// # Examples
///
/// ```ignore
/// let n = rcu::read(|| {
///     // `kfree_rcu()`ed memory found here stays valid until the closure returns.
///     count_entries()
/// });
/// ```
pub fn read<R>(f: impl FnOnce() -> R) -> R {
    // SAFETY: `rcu_read_lock()` can be called in any context; it is paired with the
    // `rcu_read_unlock()` below on the same task: the kernel is built with `panic=abort`, so `f`
    // returns or never does.
    unsafe { klp_rust_rcu_read_lock() };
    let r = f();
    // SAFETY: Pairs with the `rcu_read_lock()` above, on this task.
    unsafe { klp_rust_rcu_read_unlock() };
    r
}
