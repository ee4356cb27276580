// SPDX-License-Identifier: GPL-2.0

//! Work items in static storage that run a given C function, as C's `DECLARE_WORK()` and
//! `DECLARE_DELAYED_WORK()`.
//!
//! 6.12's `kernel::workqueue` runs work items through its own generic `extern "C"` function,
//! which then calls `WorkItem::run()`: the function the worker runs is not one the module names.
//! A Rust module whose work function is a livepatch target (`test_klp_callbacks_busy`) needs the
//! worker to run that very function, as `INIT_WORK(work, func)` makes it in C. `INIT_WORK()`,
//! `INIT_DELAYED_WORK()`, `schedule_work()` and `schedule_delayed_work()` are C macros and
//! inline functions: `work.c` has them, linked into the
//! modules that declare the `work` helpers in `Kbuild`.
//!
//! C header: [`include/linux/workqueue.h`](srctree/include/linux/workqueue.h)

use core::sync::atomic::{AtomicU8, Ordering};
use kernel::{
    bindings::{delayed_work, work_struct},
    error::{code::EBUSY, Result},
    time::Jiffies,
    types::Opaque,
};

extern "C" {
    fn klp_rust_init_work(work: *mut work_struct, func: extern "C" fn(*mut work_struct));
    fn klp_rust_schedule_work(work: *mut work_struct) -> bool;
    fn klp_rust_init_delayed_work(dwork: *mut delayed_work, func: extern "C" fn(*mut work_struct));
    fn klp_rust_schedule_delayed_work(dwork: *mut delayed_work, delay: Jiffies) -> bool;
}

// SAFETY: `struct work_struct`, as the kernel crate translates it.
unsafe impl crate::HasCType for work_struct {
    const C_TYPE: crate::CType = crate::CType::record("struct work_struct");
}

const UNINIT: u8 = 0;
const INITIALISING: u8 = 1;
const READY: u8 = 2;

/// `DECLARE_WORK(name, func)`: a work item in static storage whose worker calls `func`.
///
/// [`StaticWork::init`] initialises it when the module loads and returns the [`Work`] through
/// which it is scheduled and flushed.
///
/// # Invariants
///
/// Once `state` is `READY`, `work` has been initialised by `INIT_WORK()` with `func`, and is never
/// initialised again; `state` becomes `READY` only once.
pub struct StaticWork {
    work: Opaque<work_struct>,
    func: extern "C" fn(*mut work_struct),
    state: AtomicU8,
}

// SAFETY: `work` is initialised once, by the one caller that moved `state` from `UNINIT`; after
// that it is only passed to the kernel's workqueue functions, which synchronise concurrent
// callers with the work item's own bits and the pool's lock (`kernel/workqueue.c`).
unsafe impl Sync for StaticWork {}

impl StaticWork {
    /// A work item that runs `func`, which the worker calls with a pointer to the work item.
    pub const fn new(func: extern "C" fn(*mut work_struct)) -> Self {
        Self {
            work: Opaque::uninit(),
            func,
            state: AtomicU8::new(UNINIT),
        }
    }

    /// `INIT_WORK()`, once per load of the module (`EBUSY` afterwards).
    ///
    /// The work item and its function are in the module's memory: keep the returned [`Work`] in
    /// the module, so that the module's exit flushes the work item when it drops it. As in C, a
    /// work function that queues its own work item again must stop doing so before then.
    pub fn init(&'static self) -> Result<Work> {
        self.state
            .compare_exchange(UNINIT, INITIALISING, Ordering::Acquire, Ordering::Relaxed)
            .map_err(|_| EBUSY)?;
        // SAFETY: `work` is valid static storage, not yet initialised and not in use: `state` was
        // `UNINIT` and this caller alone moved it away. `INIT_WORK()` writes the whole structure.
        unsafe { klp_rust_init_work(self.work.get(), self.func) };
        // INVARIANT: `work` is initialised with `func`; `state` never leaves `READY`.
        self.state.store(READY, Ordering::Release);
        Ok(Work(self))
    }
}

/// The initialised [`StaticWork`]: schedules and flushes it; flushes it when dropped.
///
/// # Invariants
///
/// The work item's `state` is `READY`.
pub struct Work(&'static StaticWork);

impl Work {
    /// `schedule_work()`: queues the work item on the system workqueue; `false` if it was
    /// already pending.
    pub fn schedule(&self) -> bool {
        // SAFETY: `work` is initialised (type invariant) and static.
        unsafe { klp_rust_schedule_work(self.0.work.get()) }
    }

    /// `flush_work()`: waits until the work item's last queueing has finished executing;
    /// `false` if it was idle. Sleeps.
    pub fn flush(&self) -> bool {
        // SAFETY: `work` is initialised (type invariant) and static.
        unsafe { kernel::bindings::flush_work(self.0.work.get()) }
    }
}

impl Drop for Work {
    fn drop(&mut self) {
        self.flush();
    }
}

/// `DECLARE_DELAYED_WORK(name, func)`: a delayed work item in static storage whose worker calls
/// `func`.
///
/// [`StaticDelayedWork::init`] initialises it when the module loads and returns the
/// [`DelayedWork`] that cancels it when dropped; [`StaticDelayedWork::schedule`] queues it, from
/// anywhere, its own work function included.
///
/// # Invariants
///
/// Once `state` is `READY`, `dwork` has been initialised by `INIT_DELAYED_WORK()` with `func`, and
/// is never initialised again; `state` becomes `READY` only once.
pub struct StaticDelayedWork {
    dwork: Opaque<delayed_work>,
    func: extern "C" fn(*mut work_struct),
    state: AtomicU8,
}

// SAFETY: `dwork` is initialised once, by the one caller that moved `state` from `UNINIT`; after
// that it is only passed to the kernel's workqueue functions, which synchronise concurrent
// callers with the work item's own bits, the pool's lock and the timer's (`kernel/workqueue.c`).
unsafe impl Sync for StaticDelayedWork {}

impl StaticDelayedWork {
    /// A delayed work item that runs `func`, which the worker calls with a pointer to the
    /// `work_struct` inside it.
    pub const fn new(func: extern "C" fn(*mut work_struct)) -> Self {
        Self {
            dwork: Opaque::uninit(),
            func,
            state: AtomicU8::new(UNINIT),
        }
    }

    /// `INIT_DELAYED_WORK()`, once per load of the module (`EBUSY` afterwards).
    ///
    /// Keep the returned [`DelayedWork`] in the module: the module's exit cancels the work item
    /// when it drops it, and waits for its function to return.
    pub fn init(&'static self) -> Result<DelayedWork> {
        self.state
            .compare_exchange(UNINIT, INITIALISING, Ordering::Acquire, Ordering::Relaxed)
            .map_err(|_| EBUSY)?;
        // SAFETY: `dwork` is valid static storage, not yet initialised and not in use: `state`
        // was `UNINIT` and this caller alone moved it away. `INIT_DELAYED_WORK()` writes the
        // whole structure, its timer included.
        unsafe { klp_rust_init_delayed_work(self.dwork.get(), self.func) };
        // INVARIANT: `dwork` is initialised with `func`; `state` never leaves `READY`.
        self.state.store(READY, Ordering::Release);
        Ok(DelayedWork(self))
    }

    /// `schedule_delayed_work()`: queues the work item on the system workqueue after `delay`
    /// jiffies; `false` if it was already pending, or before [`StaticDelayedWork::init`]. A work
    /// function may queue its own work item again: [`DelayedWork`]'s drop stops that.
    pub fn schedule(&self, delay: Jiffies) -> bool {
        if self.state.load(Ordering::Acquire) != READY {
            return false;
        }
        // SAFETY: `dwork` is initialised (type invariant, `state` is `READY`) and static.
        unsafe { klp_rust_schedule_delayed_work(self.dwork.get(), delay) }
    }
}

/// The initialised [`StaticDelayedWork`]: cancels it, and waits for its function, when dropped.
///
/// # Invariants
///
/// The work item's `state` is `READY`.
pub struct DelayedWork(&'static StaticDelayedWork);

impl DelayedWork {
    /// `cancel_delayed_work_sync()`: cancels the pending work item and waits for its function to
    /// return, even if it queues itself again meanwhile; `true` if it was pending. Sleeps.
    pub fn cancel_sync(&self) -> bool {
        // SAFETY: `dwork` is initialised (type invariant) and static.
        unsafe { kernel::bindings::cancel_delayed_work_sync(self.0.dwork.get()) }
    }
}

impl Drop for DelayedWork {
    fn drop(&mut self) {
        self.cancel_sync();
    }
}
