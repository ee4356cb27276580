// SPDX-License-Identifier: GPL-2.0

//! System states: changes a livepatch makes to the system besides replacing functions, and how
//! cumulative patches hand them over to each other.
//!
//! A patch lists the states it modifies with [`Patch::state`](crate::Patch::state) (`struct
//! klp_state`: an id and a version). The core refuses a patch that is not compatible with the
//! states of the patches already installed: a cumulative (`replace`) patch must list every
//! installed state, with a version at least as high. `klp_enable_patch()` then fails with
//! `EINVAL`, so the `insmod` of the livepatch module fails.
//!
//! Callbacks see the states through their [`Target`]:
//!
//! - [`Target::state`] is `klp_get_state()`: a state of the callback's own patch, available in
//!   every callback;
//! - [`Target::transition`] exists only in callbacks that run for a transition of the patch (the
//!   only time `klp_get_prev_state()` may be called), and [`Transition::prev_state`] is
//!   `klp_get_prev_state()`: the state as the patches installed before this one left it.
//!
//! A state can own data, the C `klp_state.data`: a plain value ([`StateData`]) in a `kmalloc()`
//! allocation, as C livepatches allocate it, so C patches taking it over read the same value.
//! The next cumulative patch takes the data over with [`StateRef::take_over`], which moves it.
//!
//! Which data this library allocated, and its type's layout, is recorded on the Rust side, in a
//! ledger reached from the terminating entry of each Rust patch's state array (whose `id` is 0:
//! the core reads nothing else of it). Data is read, written or freed only when the ledger says
//! this library allocated it and the state still holds it; data of C livepatches (no ledger) is
//! never interpreted or freed, only carried along to the next patch. Data left with a state is
//! freed when the livepatch module is unloaded if the patch was disabled (or failed to enable),
//! and left to the patch that replaced it otherwise: C cumulative patches copy the pointer
//! without clearing the old one, and free it themselves.
//!
//! C header: [`include/linux/livepatch.h`](srctree/include/linux/livepatch.h)
//!
//! Documentation: `Documentation/livepatch/system-state.rst`
//!
//! # Examples
//!
//! The console log level fix of `test_klp_state2.c`, as the C selftest does it with one
//! object's callbacks:
//!
//! ```ignore
//! const CONSOLE_LOGLEVEL_STATE: c_ulong = 1;
//!
//! patch
//!     .callbacks(
//!         VMLINUX,
//!         Callbacks::new()
//!             .pre_patch(|obj| {
//!                 if obj.transition().and_then(|t| t.prev_state(CONSOLE_LOGLEVEL_STATE)).is_some() {
//!                     return Ok(()); // the previous patch's data is taken over in post_patch
//!                 }
//!                 obj.state(CONSOLE_LOGLEVEL_STATE).ok_or(EINVAL)?.set_data(0i32)
//!             })
//!             .post_patch(|obj| {
//!                 let Some(state) = obj.state(CONSOLE_LOGLEVEL_STATE) else { return };
//!                 match obj.transition().and_then(|t| t.prev_state(CONSOLE_LOGLEVEL_STATE)) {
//!                     Some(prev) => state.take_over(&prev),
//!                     None => {
//!                         let _ = state.write_data(console::loglevel());
//!                         console::set_loglevel(console::LOGLEVEL_MOTORMOUTH);
//!                     }
//!                 }
//!             }),
//!     )
//!     .state(State::new(CONSOLE_LOGLEVEL_STATE, 2))
//!     .replace(true)
//! ```

use crate::{bindings, Target};
use core::{
    cell::Cell,
    marker::PhantomData,
    mem::{align_of, size_of},
    ptr,
};
use kernel::{
    ffi::{c_uint, c_ulong, c_void},
    prelude::*,
    types::{AsBytes, FromBytes, Opaque},
};

/// A system state a patch modifies: the Rust counterpart of `struct klp_state`.
///
/// `id` names the state; it is shared by all the patches that modify the same state and must not
/// be zero (zero terminates the C array). `version` says which patches can replace this one: a
/// cumulative patch must list the state with a version at least as high.
///
/// # Examples
///
/// ```ignore
/// patch.state(State::new(1, 2)).replace(true)
/// ```
#[derive(Clone, Copy, Debug)]
pub struct State {
    id: c_ulong,
    version: c_uint,
}

impl State {
    /// The state `id` (non-zero; registration fails with `EINVAL` otherwise) at `version`.
    pub const fn new(id: c_ulong, version: c_uint) -> Self {
        Self { id, version }
    }
}

/// A value a state can own as its data (`klp_state.data`).
///
/// Plain data only: every bit pattern is a valid value ([`FromBytes`]), there are no
/// uninitialised bytes ([`AsBytes`]) and no destructor (`Copy`). Data is handed over between
/// livepatch modules, which may read it with another type of the same size and alignment: these
/// bounds make that safe. Integers and arrays of them are `StateData`.
pub trait StateData: FromBytes + AsBytes + Copy + 'static {}

impl<T: FromBytes + AsBytes + Copy + 'static> StateData for T {}

/// The `version` of the terminating entry of a Rust patch's state array, whose `data` then
/// points at the [`Ledger`] ("KLPR").
const LEDGER_MAGIC: c_uint = 0x4b4c_5052;

/// The data this library allocated for one state and that the state still holds.
struct Owned {
    /// The allocation, or NULL.
    data: Cell<*mut c_void>,
    /// The size and alignment of the value in it.
    layout: Cell<(usize, usize)>,
}

impl Owned {
    /// Frees the allocation, if any.
    fn free(&self) {
        let data = self.data.replace(ptr::null_mut());
        // SAFETY: A non-NULL `data` is a `KBox` allocation (`kmalloc()`) of a `StateData` value,
        // which has no destructor, owned by this entry alone (`Ledger` invariants).
        unsafe { kernel::bindings::kfree(data) };
    }
}

/// What this library knows of the data of a Rust patch's states.
///
/// # Invariants
///
/// - `owned[i]` describes entry `i` of the patch's state array; its `data`, when not NULL, is a
///   `kmalloc()` allocation of a [`StateData`] value of layout `layout`, made by
///   [`StateRef::set_data`] or moved here by [`StateRef::take_over`], that nothing else owns.
/// - Accessed only by callbacks of registered patches, under the core's `klp_mutex`, or by the
///   owning [`StateTable`] once the core has released its patch.
struct Ledger {
    /// Set when a post-unpatch callback ran for this patch's own transition: the patch was
    /// disabled (or its enabling cancelled), not replaced.
    unpatched: Cell<bool>,
    owned: KVec<Owned>,
}

/// A state of a patch, seen from a callback: `struct klp_state`.
///
/// # Invariants
///
/// `state` points at an entry of the terminated `struct klp_state` array of a registered patch
/// (Rust or C), valid for `'a`, the duration of a callback. The callback runs under the core's
/// `klp_mutex`, which serialises every access to `data` and to the ledgers through a `StateRef`:
/// callbacks are the only place one exists.
pub struct StateRef<'a> {
    state: *mut bindings::klp_state,
    _callback: PhantomData<&'a bindings::klp_state>,
}

impl<'a> StateRef<'a> {
    /// Wraps a `klp_state` returned by the core, if any.
    ///
    /// # Safety
    ///
    /// `state` is NULL or meets the type invariants for `'a`.
    unsafe fn from_raw(state: *mut bindings::klp_state) -> Option<Self> {
        // INVARIANT: Guaranteed by the caller.
        (!state.is_null()).then_some(Self {
            state,
            _callback: PhantomData,
        })
    }

    fn get_data(&self) -> *mut c_void {
        // SAFETY: `state` is valid and `data` is only accessed under `klp_mutex` (type
        // invariants).
        unsafe { (*self.state).data }
    }

    fn put_data(&self, data: *mut c_void) {
        // SAFETY: As in `get_data`.
        unsafe { (*self.state).data = data }
    }

    /// The ledger entry of this state, if it belongs to a patch of this library.
    fn owned(&self) -> Option<&'a Owned> {
        let mut entry = self.state;
        let mut after = 0;
        // SAFETY: The array is terminated by an entry with id 0 (type invariant), as the core's
        // own `klp_for_each_state()` requires, so every entry up to it is valid.
        while unsafe { (*entry).id } != 0 {
            entry = entry.wrapping_add(1);
            after += 1;
        }
        // SAFETY: `entry` is the terminator, valid as above.
        let (magic, ledger) = unsafe { ((*entry).version, (*entry).data) };
        if magic != LEDGER_MAGIC || ledger.is_null() {
            return None;
        }
        // SAFETY: A Rust patch's terminator points at its `Ledger` (`StateTable` invariants),
        // which lives as long as the patch; C terminators are zeroed.
        let ledger = unsafe { &*ledger.cast::<Ledger>() };
        ledger
            .owned
            .len()
            .checked_sub(after)
            .and_then(|i| ledger.owned.get(i))
    }

    /// The data, if this library allocated it with the layout of `T` and the state holds it.
    fn own_data<T: StateData>(&self) -> Option<*mut T> {
        let data = self.get_data();
        let owned = self.owned()?;
        (!data.is_null()
            && owned.data.get() == data
            && owned.layout.get() == (size_of::<T>(), align_of::<T>()))
            .then_some(data.cast())
    }

    /// The state's id.
    pub fn id(&self) -> c_ulong {
        // SAFETY: `state` is valid (type invariant); the core never changes `id`.
        unsafe { (*self.state).id }
    }

    /// The state's version.
    pub fn version(&self) -> c_uint {
        // SAFETY: `state` is valid (type invariant); the core never changes `version`.
        unsafe { (*self.state).version }
    }

    /// Whether the state holds data (its own, or a C livepatch's).
    pub fn has_data(&self) -> bool {
        !self.get_data().is_null()
    }

    /// Allocates data for the state, holding `value`; data the state owned is freed (data of a
    /// C livepatch is dropped from the state, not freed).
    ///
    /// Fails with `ENOMEM` if the allocation fails, and with `EINVAL` for a state of a C
    /// livepatch; the state is then unchanged.
    pub fn set_data<T: StateData>(&self, value: T) -> Result {
        let owned = self.owned().ok_or(EINVAL)?;
        let data = KBox::into_raw(KBox::new(value, GFP_KERNEL)?).cast::<c_void>();
        if owned.data.get() == self.get_data() {
            owned.free();
        }
        owned.data.set(data);
        owned.layout.set((size_of::<T>(), align_of::<T>()));
        self.put_data(data);
        Ok(())
    }

    /// The state's data, if it is data this library allocated, holding a `T`.
    pub fn data<T: StateData>(&self) -> Option<T> {
        // SAFETY: `own_data` returns an allocation of a value with the size and alignment of `T`,
        // so also a valid `T` (`T: FromBytes`, the writer's type: `AsBytes`).
        self.own_data::<T>().map(|data| unsafe { ptr::read(data) })
    }

    /// Replaces the value of the state's data by `value`, without allocating.
    ///
    /// Fails with `EINVAL` if the state holds no data this library allocated for a `T`.
    pub fn write_data<T: StateData>(&self, value: T) -> Result {
        let data = self.own_data::<T>().ok_or(EINVAL)?;
        // SAFETY: As in `data`; the allocation is the state's, accessed under `klp_mutex`.
        unsafe { ptr::write(data, value) };
        Ok(())
    }

    /// Frees the state's data, if this library allocated it. Returns whether it did. Data of a C
    /// livepatch is left alone.
    pub fn free_data(&self) -> bool {
        let Some(owned) = self.owned() else {
            return false;
        };
        let data = self.get_data();
        if data.is_null() || owned.data.get() != data {
            return false;
        }
        owned.free();
        self.put_data(ptr::null_mut());
        true
    }

    /// Moves the data of `prev` (usually a previous patch's state, from
    /// [`Transition::prev_state`]) to this state, whose own data is freed. `prev` is left
    /// without data. Taking over from the same state does nothing.
    ///
    /// Data a C livepatch allocated is carried over but stays opaque: [`StateRef::data`] does not
    /// read it and nothing here frees it; a C patch taking it over in turn frees it. Moving data
    /// into a C livepatch's state hands it over: the C patch frees it, as it frees its own.
    ///
    /// To hand data back when a transition is reverted, call it the other way round:
    /// `prev.take_over(&state)`.
    pub fn take_over(&self, prev: &StateRef<'_>) {
        if ptr::eq(self.state, prev.state) {
            return;
        }
        let data = prev.get_data();
        let moved = prev
            .owned()
            .filter(|o| !data.is_null() && o.data.get() == data);
        if let Some(owned) = self.owned() {
            if owned.data.get() == self.get_data() {
                owned.free();
            }
            owned.data.set(ptr::null_mut());
            if let Some(from) = moved {
                owned.data.set(from.data.replace(ptr::null_mut()));
                owned.layout.set(from.layout.get());
            }
        } else if let Some(from) = moved {
            // Handed over to a C livepatch, which frees it.
            from.data.set(ptr::null_mut());
        }
        if moved.is_some() {
            prev.put_data(ptr::null_mut());
        }
        self.put_data(data);
    }
}

/// A callback running for a transition of its patch: when `klp_get_prev_state()` may be called.
///
/// # Invariants
///
/// While it exists, the core's `klp_transition_patch` is the patch of the callback, and the
/// callback holds `klp_mutex`.
pub struct Transition<'a> {
    _callback: PhantomData<(&'a (), *mut ())>,
}

impl<'a> Transition<'a> {
    /// `klp_get_prev_state()`: the state `id` as the patches installed before this one left it
    /// (the latest of them that modifies it), or `None`.
    pub fn prev_state(&self, id: c_ulong) -> Option<StateRef<'a>> {
        // SAFETY: A transition is in progress (type invariant), as the function requires; it
        // only walks the list of patches, under `klp_mutex`.
        let state = unsafe { bindings::klp_get_prev_state(id) };
        // SAFETY: A non-NULL result is a `klp_state` of a patch in the core's list, which the
        // core keeps (and whose module it holds) at least until the transition completes, after
        // this callback; the callback holds `klp_mutex` (type invariant).
        unsafe { StateRef::from_raw(state) }
    }
}

impl<'a> Target<'a> {
    /// `klp_get_state()`: the state `id` of this callback's patch, or `None` if the patch does not
    /// list it. Available in every callback.
    pub fn state(&self, id: c_ulong) -> Option<StateRef<'a>> {
        // SAFETY: `patch` is the callback's registered patch (type invariant of `Target`);
        // `klp_get_state()` only walks its `states` array.
        let state = unsafe { bindings::klp_get_state(self.patch, id) };
        // SAFETY: A non-NULL result is an entry of the `StateTable` of the patch's
        // `Registration`, which outlives the callback; the callback holds `klp_mutex` (type
        // invariant of `Target`).
        unsafe { StateRef::from_raw(state) }
    }

    /// The transition this callback runs for, or `None` if it runs because a target module is
    /// coming or going (pre-patch and post-patch when a patched module loads; pre-unpatch and
    /// post-unpatch when it is removed or fails to load).
    ///
    /// The core allows `klp_get_prev_state()` only during a transition; it then returns the
    /// states of the patches installed before the one in transition. Callbacks for vmlinux, and
    /// for a module that is live, run only in a transition of their own patch. Callbacks for a
    /// coming or going module also run outside transitions, so they get `None` (including the
    /// rare case of a transition running while the module is still initialising or already
    /// exiting).
    pub fn transition(&self) -> Option<Transition<'a>> {
        let in_transition = match self.module() {
            None => true,
            Some(module) => module.state() == crate::ModuleState::Live,
        };
        // INVARIANT: vmlinux callbacks, and callbacks for a live module, are only called by
        // `__klp_enable_patch()`, `__klp_disable_patch()` and `klp_complete_transition()`, for the
        // objects of `klp_transition_patch`, under `klp_mutex`.
        in_transition.then_some(Transition {
            _callback: PhantomData,
        })
    }
}

/// The `klp_state` array of a [`Registration`](crate::Registration), and its [`Ledger`].
///
/// # Invariants
///
/// `states` holds one entry per [`State`] of the patch, each with a non-zero id, then the
/// terminator: id 0, version [`LEDGER_MAGIC`], `data` pointing at `ledger`, which has one entry
/// per state. The `data` of an entry is NULL, owned as `ledger` describes, or a C livepatch's.
pub(crate) struct StateTable {
    states: KVec<Opaque<bindings::klp_state>>,
    ledger: KBox<Ledger>,
}

impl StateTable {
    /// Builds the terminated array for `states`; fails with `EINVAL` for an id of zero.
    pub(crate) fn new(states: &[State]) -> Result<Self> {
        let mut owned = KVec::with_capacity(states.len(), GFP_KERNEL)?;
        let mut table = KVec::with_capacity(states.len() + 1, GFP_KERNEL)?;
        for state in states {
            if state.id == 0 {
                return Err(EINVAL);
            }
            let state = bindings::klp_state {
                id: state.id,
                version: state.version,
                data: ptr::null_mut(),
            };
            table.push(Opaque::new(state), GFP_KERNEL)?;
            owned.push(
                Owned {
                    data: Cell::new(ptr::null_mut()),
                    layout: Cell::new((0, 0)),
                },
                GFP_KERNEL,
            )?;
        }
        let ledger = KBox::new(
            Ledger {
                unpatched: Cell::new(false),
                owned,
            },
            GFP_KERNEL,
        )?;
        let terminator = bindings::klp_state {
            id: 0,
            version: LEDGER_MAGIC,
            data: ptr::from_ref::<Ledger>(&ledger).cast_mut().cast(),
        };
        table.push(Opaque::new(terminator), GFP_KERNEL)?;
        // INVARIANT: Non-zero ids, then the terminator pointing at the ledger; no data.
        Ok(Self {
            states: table,
            ledger,
        })
    }

    /// The array, for `klp_patch.states`.
    pub(crate) fn as_ptr(&self) -> *mut bindings::klp_state {
        Opaque::raw_get(self.states.as_ptr())
    }

    /// Records that a post-unpatch callback ran for the patch's own transition.
    ///
    /// # Safety
    ///
    /// `patch` is a registered patch of this library, and the caller is a callback of it.
    pub(crate) unsafe fn mark_unpatched(patch: *mut bindings::klp_patch) {
        // SAFETY: A patch of this library has a `StateTable`; its terminator follows the entries.
        let mut entry = unsafe { (*patch).states };
        // SAFETY: The array is terminated (type invariants).
        while unsafe { (*entry).id } != 0 {
            entry = entry.wrapping_add(1);
        }
        // SAFETY: The terminator points at the ledger (type invariants), accessed under
        // `klp_mutex` by callbacks.
        unsafe { (*(*entry).data.cast::<Ledger>()).unpatched.set(true) };
    }

    /// Frees the data the states still own: the patch failed to enable.
    pub(crate) fn free_owned(&self) {
        for owned in self.ledger.owned.iter() {
            owned.free();
        }
    }
}

impl Drop for StateTable {
    fn drop(&mut self) {
        // The core has released the patch (see `Registration`). Disabled: nothing can have taken
        // the data over, free what is still owned. Replaced: the replacing patch holds the data
        // now (a C one copies the pointer and frees it itself), leave it.
        if self.ledger.unpatched.get() {
            self.free_owned();
        }
    }
}
