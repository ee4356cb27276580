// SPDX-License-Identifier: GPL-2.0

//! A completion in static storage, as C's `DECLARE_COMPLETION()`.
//!
//! 6.12's `kernel` crate has no completion. `init_completion()` is inline C: `work.c` has it,
//! linked into the modules that use it (`klp_c_halves` in `Kbuild`); `complete()` and
//! `wait_for_completion()` are exported functions.
//!
//! A completion is registered with the module's registry when it is initialised: the module's
//! exit (and a failing init) completes it for good (`complete_all()`) before it disables the
//! module's work items and removes its sysfs directories, which wait for their running
//! functions: a function waiting for the completion returns (with an error) instead of holding
//! the module's exit forever.
//!
//! C header: [`include/linux/completion.h`](srctree/include/linux/completion.h)

use crate::registry::{self, Kind, Node, Registry};
use core::sync::atomic::{AtomicU8, Ordering};
use kernel::{
    bindings::completion,
    error::{
        code::{EBUSY, EINVAL, ENODEV},
        Result,
    },
    types::Opaque,
};

extern "C" {
    fn klp_rust_init_completion(x: *mut completion);
}

const UNINIT: u8 = 0;
const INITIALISING: u8 = 1;
const READY: u8 = 2;
const CLOSED: u8 = 3;

/// `DECLARE_COMPLETION(name)`: a completion in static storage, initialised by
/// [`StaticCompletion::init`] when the module loads.
///
/// # Invariants
///
/// Once `state` is `READY` or `CLOSED`, `inner` has been initialised by `init_completion()`, is
/// never initialised again, and `node` is registered (`Kind::Completion`); `state` becomes
/// `READY` only once, `CLOSED` only from `READY` (by the module's teardown, after which `inner`
/// stays completed).
#[repr(C)]
pub struct StaticCompletion {
    node: Node,
    inner: Opaque<completion>,
    state: AtomicU8,
}

// SAFETY: `inner` is initialised once, by the one caller that moved `state` from `UNINIT`; after
// that only `complete()` and `wait_for_completion()` use it, which take its wait queue's lock
// (`kernel/sched/completion.c`).
unsafe impl Sync for StaticCompletion {}

impl StaticCompletion {
    /// A completion, to be initialised with [`StaticCompletion::init`].
    pub const fn new() -> Self {
        Self {
            node: Node::new(close_completion),
            inner: Opaque::uninit(),
            state: AtomicU8::new(UNINIT),
        }
    }

    fn ready(&self) -> bool {
        self.state.load(Ordering::Acquire) == READY
    }

    /// `init_completion()`, once per load of the module (`EBUSY` afterwards), and registers the
    /// completion with the module's `registry`, whose teardown completes it for good.
    pub fn init(&'static self, _registry: &Registry) -> Result {
        self.state
            .compare_exchange(UNINIT, INITIALISING, Ordering::Acquire, Ordering::Relaxed)
            .map_err(|_| EBUSY)?;
        // SAFETY: `inner` is valid static storage, not yet initialised and not in use: `state`
        // was `UNINIT` and this caller alone moved it away.
        unsafe { klp_rust_init_completion(self.inner.get()) };
        // SAFETY: `node` is the first field of this `repr(C)` static, registered only here, once
        // (`state`); `close_completion` may run from now on: `inner` is initialised.
        unsafe { registry::register(Kind::Completion, &self.node) }?;
        // INVARIANT: `inner` is initialised and registered.
        self.state.store(READY, Ordering::Release);
        Ok(())
    }

    /// `complete()`: wakes one waiter, or lets the next wait return at once. Does nothing (and
    /// returns `false`) before [`StaticCompletion::init`].
    pub fn complete(&self) -> bool {
        if !self.ready() {
            return false;
        }
        // SAFETY: `inner` is initialised (type invariant, `state` is `READY`).
        unsafe { kernel::bindings::complete(self.inner.get()) };
        true
    }

    /// `wait_for_completion()`: sleeps, uninterruptibly, until it is completed. `EINVAL` before
    /// [`StaticCompletion::init`]; `ENODEV` once the module's exit has completed it for good
    /// (the wait returns then).
    pub fn wait(&self) -> Result {
        match self.state.load(Ordering::Acquire) {
            READY => {}
            CLOSED => return Err(ENODEV),
            _ => return Err(EINVAL),
        }
        // SAFETY: `inner` is initialised (type invariant, `state` was `READY`).
        unsafe { kernel::bindings::wait_for_completion(self.inner.get()) };
        if self.state.load(Ordering::Acquire) == CLOSED {
            return Err(ENODEV);
        }
        Ok(())
    }
}

/// The teardown of a registered [`StaticCompletion`]: closes it and `complete_all()`.
///
/// # Safety
///
/// `node` is the `node` of a registered `StaticCompletion` (the registry's teardown calls it so).
unsafe fn close_completion(node: *const Node) {
    // SAFETY: `node` is the first field of a `repr(C)` `StaticCompletion` (the caller's
    // guarantee), whose `inner` is initialised (it is registered, type invariant) and static.
    let c = unsafe { &*node.cast::<StaticCompletion>() };
    // INVARIANT: From `READY` (registered) to `CLOSED`; `inner` is completed for good below.
    c.state.store(CLOSED, Ordering::Release);
    // SAFETY: `inner` is initialised (above). `complete_all()` (`kernel/sched/completion.c`)
    // wakes every waiter and lets every later wait return at once.
    unsafe { kernel::bindings::complete_all(c.inner.get()) };
}

impl Default for StaticCompletion {
    fn default() -> Self {
        Self::new()
    }
}
