// SPDX-License-Identifier: GPL-2.0

//! A pinned value in static storage, initialised in place when the module loads: a lock that
//! work functions and the module share, as C's `DEFINE_MUTEX()`.
//!
//! 6.12's locks are built in place by a pin-initialiser (`new_mutex!`), which a `static`'s
//! constant initialiser cannot run; static storage never moves, so it can take the value once
//! the module runs. Mainline's `kernel` crate later gained `global_lock!` for this.
//!
//! C header: [`include/linux/mutex.h`](srctree/include/linux/mutex.h)

use core::sync::atomic::{AtomicU8, Ordering};
use kernel::{
    error::{code::EBUSY, Error, Result},
    init::PinInit,
    types::Opaque,
};

const UNINIT: u8 = 0;
const INITIALISING: u8 = 1;
const READY: u8 = 2;

/// A `T` in static storage, initialised in place by [`StaticPin::init`].
///
/// The value is never dropped (no `static` is): empty what it owns before the module exits.
///
/// # Examples
///
/// ```ignore
/// static DUMMIES: StaticPin<Mutex<KVec<Dummy>>> = StaticPin::new();
///
/// // In the module's init:
/// let list = DUMMIES.init(new_mutex!(KVec::new(), "dummy_list_mutex"))?;
/// // In a work function:
/// if let Some(list) = DUMMIES.get() {
///     list.lock().push(dummy, GFP_KERNEL)?;
/// }
/// ```
///
/// # Invariants
///
/// Once `state` is `READY`, `value` holds an initialised `T` that is never moved, initialised
/// again or dropped; `state` becomes `READY` only once.
pub struct StaticPin<T> {
    value: Opaque<T>,
    state: AtomicU8,
}

// SAFETY: The value is written once, by the one caller that moved `state` from `UNINIT`, before
// `state` becomes `READY` (release), and only shared as `&T` afterwards (acquire): other threads
// may use it if `T: Sync`; it is created on one thread and used on others, hence `T: Send`.
unsafe impl<T: Send + Sync> Sync for StaticPin<T> {}

impl<T> StaticPin<T> {
    /// Static storage for a `T`, to be initialised with [`StaticPin::init`].
    pub const fn new() -> Self {
        Self {
            value: Opaque::uninit(),
            state: AtomicU8::new(UNINIT),
        }
    }

    /// Initialises the value in place, once per load of the module (`EBUSY` afterwards); on
    /// failure, the storage stays uninitialised and may be initialised again.
    pub fn init<E: Into<Error>>(&'static self, init: impl PinInit<T, E>) -> Result<&'static T> {
        self.state
            .compare_exchange(UNINIT, INITIALISING, Ordering::Acquire, Ordering::Relaxed)
            .map_err(|_| EBUSY)?;
        // SAFETY: `value` is valid static storage for a `T`, not initialised and not in use:
        // `state` was `UNINIT` and this caller alone moved it away. Static storage never moves,
        // so the value is pinned; it is never dropped, so never freed while pinned.
        match unsafe { init.__pinned_init(self.value.get()) } {
            Ok(()) => {
                // INVARIANT: `value` is initialised; `state` never leaves `READY`.
                self.state.store(READY, Ordering::Release);
                // SAFETY: Initialised just above; never moved, mutated through `&` only by `T`'s
                // own interior mutability, and never dropped.
                Ok(unsafe { &*self.value.get() })
            }
            Err(e) => {
                // `__pinned_init()` leaves the slot uninitialised on failure.
                self.state.store(UNINIT, Ordering::Release);
                Err(e.into())
            }
        }
    }

    /// The value, or `None` before [`StaticPin::init`] has succeeded.
    pub fn get(&'static self) -> Option<&'static T> {
        if self.state.load(Ordering::Acquire) != READY {
            return None;
        }
        // SAFETY: `state` is `READY`: `value` is initialised (type invariant), and stays so for
        // the life of the module's image, which outlives every user of `self`.
        Some(unsafe { &*self.value.get() })
    }
}

impl<T> Default for StaticPin<T> {
    fn default() -> Self {
        Self::new()
    }
}
