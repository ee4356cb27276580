// SPDX-License-Identifier: GPL-2.0

//! A completion in static storage, as C's `DECLARE_COMPLETION()`.
//!
//! 6.12's `kernel` crate has no completion. `init_completion()` is inline C: `work.c` has it,
//! linked into the modules that declare the `work` helpers in `Kbuild`; `complete()` and
//! `wait_for_completion()` are exported functions.
//!
//! C header: [`include/linux/completion.h`](srctree/include/linux/completion.h)

use core::sync::atomic::{AtomicU8, Ordering};
use kernel::{
    bindings::completion,
    error::{
        code::{EBUSY, EINVAL},
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

/// `DECLARE_COMPLETION(name)`: a completion in static storage, initialised by
/// [`StaticCompletion::init`] when the module loads.
///
/// # Invariants
///
/// Once `state` is `READY`, `inner` has been initialised by `init_completion()` and is never
/// initialised again; `state` becomes `READY` only once.
pub struct StaticCompletion {
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
            inner: Opaque::uninit(),
            state: AtomicU8::new(UNINIT),
        }
    }

    fn ready(&self) -> bool {
        self.state.load(Ordering::Acquire) == READY
    }

    /// `init_completion()`, once per load of the module (`EBUSY` afterwards).
    pub fn init(&self) -> Result {
        self.state
            .compare_exchange(UNINIT, INITIALISING, Ordering::Acquire, Ordering::Relaxed)
            .map_err(|_| EBUSY)?;
        // SAFETY: `inner` is valid static storage, not yet initialised and not in use: `state`
        // was `UNINIT` and this caller alone moved it away.
        unsafe { klp_rust_init_completion(self.inner.get()) };
        // INVARIANT: `inner` is initialised; `state` never leaves `READY`.
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
    /// [`StaticCompletion::init`].
    pub fn wait(&self) -> Result {
        if !self.ready() {
            return Err(EINVAL);
        }
        // SAFETY: `inner` is initialised (type invariant, `state` is `READY`).
        unsafe { kernel::bindings::wait_for_completion(self.inner.get()) };
        Ok(())
    }
}

impl Default for StaticCompletion {
    fn default() -> Self {
        Self::new()
    }
}
