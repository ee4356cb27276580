// SPDX-License-Identifier: GPL-2.0

//! Work items in static storage that run a given C function, as C's `DECLARE_WORK()` and
//! `DECLARE_DELAYED_WORK()`.
//!
//! 6.12's `kernel::workqueue` runs work items through its own generic `extern "C"` function,
//! which then calls `WorkItem::run()`: the function the worker runs is not one the module names.
//! A Rust module whose work function is a livepatch target (`test_klp_callbacks_busy`) needs the
//! worker to run that very function, as `INIT_WORK(work, func)` makes it in C. `INIT_WORK()`,
//! `INIT_DELAYED_WORK()`, `schedule_work()` and `schedule_delayed_work()` are C macros and
//! inline functions: `work.c` has them, linked into the modules that use them (`klp_c_halves` in
//! `Kbuild`).
//!
//! Each work item is registered with the module's [`Registry`] when it is initialised: the
//! module's generated exit (and a failing init) disables it (`disable_work_sync()`,
//! `disable_delayed_work_sync()`), whatever became of the handles. The handles, [`Work`] and
//! [`DelayedWork`], are capabilities: dropping or forgetting one changes nothing.
//!
//! C header: [`include/linux/workqueue.h`](srctree/include/linux/workqueue.h)

use crate::registry::{self, Kind, Node, Registry};
use core::{
    ptr,
    sync::atomic::{AtomicU8, Ordering},
};
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
/// [`StaticWork::init`] initialises it when the module loads, registers it with the module's
/// registry, and returns the [`Work`] through which it is scheduled and flushed.
///
/// # Invariants
///
/// Once `state` is `READY`, `work` has been initialised by `INIT_WORK()` with `func`, is never
/// initialised again, and `node` is registered (`Kind::Work`); `state` becomes `READY` only
/// once. `node` is registered only once `work` is initialised.
#[repr(C)]
pub struct StaticWork {
    node: Node,
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
            node: Node::new(disable_work),
            work: Opaque::uninit(),
            func,
            state: AtomicU8::new(UNINIT),
        }
    }

    /// `INIT_WORK()`, once per load of the module (`EBUSY` afterwards), and registers the work
    /// item with the module's `registry`: the module's exit disables it (`disable_work_sync()`:
    /// cancels it, waits for its function, and refuses to queue it again), after the module's
    /// own `Drop`.
    pub fn init(&'static self, _registry: &Registry) -> Result<Work> {
        self.state
            .compare_exchange(UNINIT, INITIALISING, Ordering::Acquire, Ordering::Relaxed)
            .map_err(|_| EBUSY)?;
        // SAFETY: `work` is valid static storage, not yet initialised and not in use: `state` was
        // `UNINIT` and this caller alone moved it away. `INIT_WORK()` writes the whole structure.
        unsafe { klp_rust_init_work(self.work.get(), self.func) };
        // SAFETY: `node` is the first field of this `repr(C)` static, registered only here, once
        // (`state`); `disable_work` may run from now on: `work` is initialised.
        unsafe { registry::register(Kind::Work, &self.node) }?;
        // INVARIANT: `work` is initialised with `func` and registered; `state` never leaves
        // `READY`. (Not registered: `state` stays `INITIALISING`, the item unusable.)
        self.state.store(READY, Ordering::Release);
        Ok(Work(self))
    }
}

/// The teardown of a registered [`StaticWork`]: `disable_work_sync()`.
///
/// # Safety
///
/// `node` is the `node` of a registered `StaticWork` (the registry's teardown calls it so).
unsafe fn disable_work(node: *const Node) {
    // SAFETY: `node` is the first field of a `repr(C)` `StaticWork` (the caller's guarantee),
    // whose `work` is initialised (it is registered, type invariant) and static.
    let work = unsafe { &*node.cast::<StaticWork>() };
    // SAFETY: As above. `disable_work_sync()` (`kernel/workqueue.c`) cancels the item, waits for
    // a running function and increments the disable count: `queue_work()` refuses it afterwards.
    unsafe { kernel::bindings::disable_work_sync(work.work.get()) };
}

/// The initialised [`StaticWork`]: schedules and flushes it. A capability: the module's exit
/// disables the work item, whatever became of this.
///
/// # Invariants
///
/// The work item's `state` is `READY`.
#[derive(Clone, Copy)]
pub struct Work(&'static StaticWork);

impl Work {
    /// `schedule_work()`: queues the work item on the system workqueue; `false` if it was
    /// already pending.
    pub fn schedule(&self) -> bool {
        // SAFETY: `work` is initialised (type invariant) and static.
        unsafe { klp_rust_schedule_work(self.0.work.get()) }
    }

    /// `flush_work()`: waits until the work item's last queueing has finished executing;
    /// `Ok(false)` if it was idle. Sleeps. `EDEADLK` from the item's own work function, which
    /// would wait for itself for good (an adversarial pass left a worker and `rmmod` so).
    pub fn flush(&self) -> Result<bool> {
        not_own_work(self.0.work.get())?;
        // SAFETY: `work` is initialised (type invariant) and static.
        Ok(unsafe { kernel::bindings::flush_work(self.0.work.get()) })
    }
}

/// `DECLARE_DELAYED_WORK(name, func)`: a delayed work item in static storage whose worker calls
/// `func`.
///
/// [`StaticDelayedWork::init`] initialises it when the module loads, registers it with the
/// module's registry and returns the [`DelayedWork`] that cancels it;
/// [`StaticDelayedWork::schedule`] queues it, from anywhere, its own work function included.
///
/// # Invariants
///
/// Once `state` is `READY`, `dwork` has been initialised by `INIT_DELAYED_WORK()` with `func`, is
/// never initialised again, and `node` is registered (`Kind::Work`); `state` becomes `READY`
/// only once. `node` is registered only once `dwork` is initialised.
#[repr(C)]
pub struct StaticDelayedWork {
    node: Node,
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
            node: Node::new(disable_delayed_work),
            dwork: Opaque::uninit(),
            func,
            state: AtomicU8::new(UNINIT),
        }
    }

    /// `INIT_DELAYED_WORK()`, once per load of the module (`EBUSY` afterwards), and registers the
    /// work item with the module's `registry`: the module's exit disables it
    /// (`disable_delayed_work_sync()`: cancels its timer and the item, waits for its function,
    /// and refuses to queue it again, its own function's requeueing included), after the
    /// module's own `Drop`.
    pub fn init(&'static self, _registry: &Registry) -> Result<DelayedWork> {
        self.state
            .compare_exchange(UNINIT, INITIALISING, Ordering::Acquire, Ordering::Relaxed)
            .map_err(|_| EBUSY)?;
        // SAFETY: `dwork` is valid static storage, not yet initialised and not in use: `state`
        // was `UNINIT` and this caller alone moved it away. `INIT_DELAYED_WORK()` writes the
        // whole structure, its timer included.
        unsafe { klp_rust_init_delayed_work(self.dwork.get(), self.func) };
        // SAFETY: `node` is the first field of this `repr(C)` static, registered only here, once
        // (`state`); `disable_delayed_work` may run from now on: `dwork` is initialised.
        unsafe { registry::register(Kind::Work, &self.node) }?;
        // INVARIANT: `dwork` is initialised with `func` and registered; `state` never leaves
        // `READY`. (Not registered: `state` stays `INITIALISING`, the item unusable.)
        self.state.store(READY, Ordering::Release);
        Ok(DelayedWork(self))
    }

    /// `schedule_delayed_work()`: queues the work item on the system workqueue after `delay`
    /// jiffies; `false` if it was already pending, before [`StaticDelayedWork::init`], or once the
    /// module's exit disabled it. A work function may queue its own work item again: the
    /// module's exit stops that.
    pub fn schedule(&self, delay: Jiffies) -> bool {
        if self.state.load(Ordering::Acquire) != READY {
            return false;
        }
        // SAFETY: `dwork` is initialised (type invariant, `state` is `READY`) and static.
        unsafe { klp_rust_schedule_delayed_work(self.dwork.get(), delay) }
    }
}

/// The teardown of a registered [`StaticDelayedWork`]: `disable_delayed_work_sync()`.
///
/// # Safety
///
/// `node` is the `node` of a registered `StaticDelayedWork` (the registry's teardown calls it so).
unsafe fn disable_delayed_work(node: *const Node) {
    // SAFETY: `node` is the first field of a `repr(C)` `StaticDelayedWork` (the caller's
    // guarantee), whose `dwork` is initialised (it is registered, type invariant) and static.
    let dwork = unsafe { &*node.cast::<StaticDelayedWork>() };
    // SAFETY: As above. `disable_delayed_work_sync()` (`kernel/workqueue.c`) deletes the timer,
    // cancels the item, waits for a running function and increments the disable count:
    // `queue_delayed_work()` refuses it afterwards.
    unsafe { kernel::bindings::disable_delayed_work_sync(dwork.dwork.get()) };
}

/// The initialised [`StaticDelayedWork`]: cancels it. A capability: the module's exit disables
/// the work item, whatever became of this.
///
/// # Invariants
///
/// The work item's `state` is `READY`.
#[derive(Clone, Copy)]
pub struct DelayedWork(&'static StaticDelayedWork);

impl DelayedWork {
    /// `cancel_delayed_work_sync()`: cancels the pending work item and waits for its function to
    /// return, even if it queues itself again meanwhile; `true` if it was pending. Sleeps. The
    /// item can be queued again afterwards (by another work function, say): only the module's
    /// exit disables it for good.
    ///
    /// `EDEADLK` from the item's own work function, which would wait for itself for good.
    pub fn cancel_sync(&self) -> Result<bool> {
        // SAFETY: `dwork` is initialised (type invariant) and static; `work` is its first field.
        not_own_work(unsafe { ptr::addr_of_mut!((*self.0.dwork.get()).work) })?;
        // SAFETY: `dwork` is initialised (type invariant) and static.
        Ok(unsafe { kernel::bindings::cancel_delayed_work_sync(self.0.dwork.get()) })
    }
}

/// `EDEADLK` if the calling task is the worker running `work`'s function (`current_work()`,
/// `kernel/workqueue.c`): waiting for that function there never returns.
fn not_own_work(work: *mut work_struct) -> Result {
    // SAFETY: `current_work()` only reads the current task's worker, if it is one.
    if unsafe { kernel::bindings::current_work() } == work {
        Err(crate::edeadlk())
    } else {
        Ok(())
    }
}
