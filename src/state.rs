// SPDX-License-Identifier: GPL-2.0

//! System states: changes a livepatch makes to the system besides replacing functions, and how
//! cumulative patches hand them over to each other.
//!
//! A patch lists the states it modifies with [`Patch::state`](super::Patch::state) (`struct
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
//! A state can own data, the C `klp_state.data`: a plain value ([`StateData`]) in a memory
//! allocation the state owns. The next cumulative patch takes the data over with
//! [`StateRef::take_over`], which moves it; the data is freed once, by [`StateRef::free_data`]
//! or, if still there, when the livepatch module holding it is unloaded.
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
//! Patch::new()
//!     .object(
//!         Object::vmlinux()
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

use super::{bindings, Target};
use core::{
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
/// Patch::new().object(object).state(State::new(1, 2)).replace(true)
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

/// Identifies data allocated by [`StateRef::set_data`] ("KLPSTATE").
const MAGIC: usize = 0x4b4c_5053_5441_5445;

/// What precedes the value in the data allocation of a state.
#[repr(C)]
struct Header {
    magic: usize,
    size: usize,
    align: usize,
}

/// The data allocation of a state: a [`Header`] describing the value, then the value.
#[repr(C)]
struct Tagged<T> {
    header: Header,
    value: T,
}

/// Returns whether `data`, a non-NULL `klp_state.data`, holds a value of type `T`.
///
/// # Safety
///
/// `data` is a `klp_state.data` set by this framework (see [`StateRef`]), not freed.
unsafe fn holds<T: StateData>(data: *mut c_void) -> bool {
    // SAFETY: By the function's safety requirements, `data` points at a `Tagged`, whose `Header`
    // comes first.
    let header = unsafe { &*data.cast::<Header>() };
    header.magic == MAGIC && header.size == size_of::<T>() && header.align == align_of::<T>()
}

/// Frees `data`, a `klp_state.data`, unless it is NULL or was not allocated by this framework.
///
/// # Safety
///
/// `data` is NULL or a `klp_state.data` set by this framework, not freed, and nothing uses it
/// afterwards.
unsafe fn free(data: *mut c_void) {
    if data.is_null() {
        return;
    }
    // SAFETY: `data` is a live `Tagged` (function safety requirements).
    if unsafe { (*data.cast::<Header>()).magic } == MAGIC {
        // SAFETY: A `Tagged` is allocated by `KBox::new`, i.e. `kmalloc()`, and its value has no
        // destructor (`StateData: Copy`): `kfree()` releases it. Nothing uses it afterwards.
        unsafe { kernel::bindings::kfree(data) };
    }
}

/// A state of a patch, seen from a callback: `struct klp_state`.
///
/// # Invariants
///
/// - `state` points at a `struct klp_state` of a registered patch, valid for `'a`, the duration
///   of a callback. The callback runs under the core's `klp_mutex`, which serialises every access
///   to `data` through a `StateRef`: callbacks are the only place one exists.
/// - `data` is NULL or an allocation of a `Tagged<T>` for some [`StateData`] `T`, made by
///   [`StateRef::set_data`] in this or another livepatch module using this framework, and owned by
///   this `klp_state` alone: [`StateRef::take_over`] moves it. (A C livepatch modifying the same
///   state must leave `data` alone.)
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

    /// Whether the state owns data.
    pub fn has_data(&self) -> bool {
        !self.get_data().is_null()
    }

    /// Allocates data for the state, holding `value`; data the state owned is freed.
    ///
    /// Fails with `ENOMEM` if the allocation fails; the state is then unchanged.
    pub fn set_data<T: StateData>(&self, value: T) -> Result {
        let header = Header {
            magic: MAGIC,
            size: size_of::<T>(),
            align: align_of::<T>(),
        };
        let data = KBox::new(Tagged { header, value }, GFP_KERNEL)?;
        let old = self.get_data();
        self.put_data(KBox::into_raw(data).cast());
        // SAFETY: `old` was the state's own data (type invariant), now replaced.
        unsafe { free(old) };
        Ok(())
    }

    /// The state's data, if it owns data holding a `T`.
    pub fn data<T: StateData>(&self) -> Option<T> {
        let data = self.get_data();
        // SAFETY: `data` is the state's data, not NULL (type invariant).
        if data.is_null() || !unsafe { holds::<T>(data) } {
            return None;
        }
        // SAFETY: `data` is a `Tagged` of a type of the size and alignment of `T`, so also a
        // `Tagged<T>`, whose value has no uninitialised bytes and is valid as a `T` (`T:
        // FromBytes`, the writer's type: `AsBytes`).
        Some(unsafe { ptr::read(ptr::addr_of!((*data.cast::<Tagged<T>>()).value)) })
    }

    /// Replaces the value of the state's data by `value`, without allocating.
    ///
    /// Fails with `EINVAL` if the state owns no data holding a `T`.
    pub fn write_data<T: StateData>(&self, value: T) -> Result {
        let data = self.get_data();
        // SAFETY: As in `data`.
        if data.is_null() || !unsafe { holds::<T>(data) } {
            return Err(EINVAL);
        }
        // SAFETY: As in `data`, `data` is a `Tagged<T>`, owned by the state, and accessed only
        // under `klp_mutex` (type invariant).
        unsafe { ptr::write(ptr::addr_of_mut!((*data.cast::<Tagged<T>>()).value), value) };
        Ok(())
    }

    /// Frees the state's data, if any. Returns whether there was data.
    pub fn free_data(&self) -> bool {
        let data = self.get_data();
        self.put_data(ptr::null_mut());
        // SAFETY: `data` was the state's own data (type invariant); the state no longer has it.
        unsafe { free(data) };
        !data.is_null()
    }

    /// Moves the data of `prev` (usually a previous patch's state, from
    /// [`Transition::prev_state`]) to this state, whose own data is freed. `prev` is left
    /// without data. Taking over from the same state does nothing.
    ///
    /// To hand data back when a transition is reverted, call it the other way round:
    /// `prev.take_over(&state)`.
    pub fn take_over(&self, prev: &StateRef<'_>) {
        if ptr::eq(self.state, prev.state) {
            return;
        }
        let data = prev.get_data();
        prev.put_data(ptr::null_mut());
        let old = self.get_data();
        self.put_data(data);
        // SAFETY: `old` was this state's own data, now replaced.
        unsafe { free(old) };
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
            Some(module) => module.state() == super::ModuleState::Live,
        };
        // INVARIANT: vmlinux callbacks, and callbacks for a live module, are only called by
        // `__klp_enable_patch()`, `__klp_disable_patch()` and `klp_complete_transition()`, for the
        // objects of `klp_transition_patch`, under `klp_mutex`.
        in_transition.then_some(Transition {
            _callback: PhantomData,
        })
    }
}

/// The `klp_state` array of a [`Registration`](super::Registration).
///
/// # Invariants
///
/// `states` holds one entry per [`State`] of the patch, each with a non-zero id, then the zeroed
/// terminator. The `data` of an entry is NULL or owned by it, as described for [`StateRef`].
pub(crate) struct StateTable {
    states: KVec<Opaque<bindings::klp_state>>,
}

impl StateTable {
    /// Builds the terminated array for `states`; fails with `EINVAL` for an id of zero.
    pub(crate) fn new(states: &[State]) -> Result<Self> {
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
        }
        table.push(Opaque::new(bindings::klp_state::default()), GFP_KERNEL)?;
        // INVARIANT: Non-zero ids, then the terminator; no data.
        Ok(Self { states: table })
    }

    /// The array, for `klp_patch.states`.
    pub(crate) fn as_ptr(&self) -> *mut bindings::klp_state {
        Opaque::raw_get(self.states.as_ptr())
    }
}

impl Drop for StateTable {
    fn drop(&mut self) {
        // The patch has been released by the core (see `Registration`): data still owned by a
        // state (not freed by a callback, not taken over by another patch) is freed here.
        for state in self.states.iter() {
            // SAFETY: The core no longer uses the patch, so nothing else accesses the entry;
            // its `data` is NULL or owned by it (type invariant), and dropped with the table.
            unsafe { free((*state.get()).data) };
        }
    }
}
