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
//! The next cumulative patch takes the data over with [`StateRef::take_over`].
//!
//! A state's id and version are the contract for its data (`system-state.rst`). A patch
//! declares the type the data has at the versions it understands with [`State::with_data`], an
//! `unsafe` claim about every livepatch, C or Rust, that uses those versions: data such patches
//! left in a state is then read as that type, after the checks that can be made (alignment, and
//! the allocation's size with `ksize()`), and a cumulative patch taking it over owns it.
//!
//! Which data this library allocated or took over, and its layout, is recorded on the Rust side,
//! in a ledger reached from the terminating entry of each Rust patch's state array (whose `id`
//! is 0: the core reads nothing else of it). The ledger has a versioned `#[repr(C)]` layout,
//! read by the later patches of a chain, which may be built with a later version of this crate:
//! a ledger of another layout version is foreign data, treated as a C patch's. Data is read,
//! written or freed as its owner's ledger says, or, for data no ledger of this version owns, as
//! the reading patch declared; other data is never interpreted or freed, only carried along to
//! the next patch. Data left with a state is freed when the livepatch module is unloaded if the
//! patch was disabled (or failed to enable), and left to the patch that replaced it otherwise:
//! C cumulative patches copy the pointer without clearing the old one, and free it themselves.
//! A patch with states must patch vmlinux (an object without functions will do), whose
//! callbacks always run in its transitions: registration fails with `EINVAL` otherwise.
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
//!     // SAFETY: Versions 1 and 2 of the state, in `test_klp_state.c` and `test_klp_state2.c`,
//!     // store the saved level, an `int`, in a `kzalloc()` allocation freed only when disabled.
//!     .state(unsafe { State::new(CONSOLE_LOGLEVEL_STATE, 2).with_data::<i32>(1) })
//!     .replace(true)
//! ```

use crate::{bindings, Target};
use core::{
    cell::Cell,
    marker::PhantomData,
    mem::{align_of, offset_of, size_of},
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
/// A state and version is also the contract for the state's data: [`State::with_data`] declares
/// the type the data has at the versions the patch understands.
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
    data: Option<DataType>,
}

impl State {
    /// The state `id` (non-zero; registration fails with `EINVAL` otherwise) at `version`.
    ///
    /// Its data can be any [`StateData`] this patch allocates; data other livepatches left in the
    /// state is read only where a ledger of this crate records its layout (see the
    /// [module](self) documentation).
    pub const fn new(id: c_ulong, version: c_uint) -> Self {
        Self {
            id,
            version,
            data: None,
        }
    }

    /// Declares that the data of this state, at every version from `oldest` to this state's own
    /// version, is a `T` (the C `*(T *)state->data`): this patch then stores only a `T`
    /// ([`StateRef::set_data`] fails with `EINVAL` for another layout), and reads as a `T` the
    /// data that other livepatches (in C, or built with another version of this crate) left in
    /// the state at those versions, and, if it is cumulative, takes it over
    /// ([`StateRef::take_over`]).
    ///
    /// Reading such data checks what can be checked: the pointer's alignment, and that the
    /// allocation holds at least `size_of::<T>()` bytes (`ksize()`). The rest is this claim.
    ///
    /// # Safety
    ///
    /// Every livepatch that lists the state `id` with a version from `oldest` to this state's
    /// version leaves in `klp_state.data` either NULL or a pointer to a live `kmalloc()`
    /// allocation that starts with an initialised `T`, which it frees (`kfree()`) only as
    /// `Documentation/livepatch/system-state.rst` describes: once no installed patch holds it (a
    /// replaced patch never frees the data its successor took over).
    ///
    /// # Examples
    ///
    /// ```ignore
    /// // SAFETY: test_klp_state.c and test_klp_state2.c store a kzalloc()ed `int`, the saved
    /// // console_loglevel, in versions 1 and 2 of the state 1, and free it when disabled.
    /// patch.state(unsafe { State::new(1, 2).with_data::<i32>(1) })
    /// ```
    pub const unsafe fn with_data<T: StateData>(self, oldest: c_uint) -> Self {
        // A zero-sized `T` would be "stored" without an allocation (`KBox` allocates nothing):
        // a dangling pointer in `klp_state.data` for the next patch, C or Rust, to read.
        const { assert!(size_of::<T>() > 0, "state data must not be zero-sized") };
        Self {
            data: Some(DataType {
                size: size_of::<T>(),
                align: align_of::<T>(),
                oldest,
                version: self.version,
            }),
            ..self
        }
    }
}

/// The type a patch declared for a state's data with [`State::with_data`].
#[derive(Clone, Copy, Debug)]
struct DataType {
    size: usize,
    align: usize,
    /// The versions whose data has this type: `oldest..=version`.
    oldest: c_uint,
    version: c_uint,
}

impl DataType {
    /// Whether the type is `T`, or one of the same layout.
    fn is<T>(&self) -> bool {
        self.size == size_of::<T>() && self.align == align_of::<T>()
    }

    /// Whether the data of `version` has this type.
    fn covers(&self, version: c_uint) -> bool {
        self.oldest <= version && version <= self.version
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
/// points at its ledger ("KLPR"). Frozen: every version of this crate uses it.
const TERMINATOR_MAGIC: c_uint = 0x4b4c_5052;

/// [`LedgerHeader::magic`]. Frozen.
const LEDGER_MAGIC: u64 = u64::from_le_bytes(*b"KLPLEDGR");

/// The version of the ledger layout ([`Ledger`]) this crate writes, and the only one it reads.
/// A new layout gets a new number; a ledger of another version is foreign data.
const LEDGER_VERSION: u32 = 1;

/// [`Entry::flags`]: a patch that is still installed holds the data too (a C patch, or a
/// foreign ledger's, that this patch took the data over from while its transition runs): the
/// data may be read and written, but never freed through this entry.
const ENTRY_SHARED: u32 = 1;

/// The start of a ledger, the same in every version of the layout: a reader checks `magic` and
/// `version` before it reads anything else.
#[repr(C)]
struct LedgerHeader {
    magic: u64,
    version: u32,
    _reserved: u32,
}

/// Version 1 of the ledger: what this library allocated for the states of a Rust patch. Read and
/// written by other livepatch modules, built with other versions of this crate, during their
/// transitions, under `klp_mutex`: this layout and the rules below never change (a new layout
/// gets a new [`LEDGER_VERSION`]).
///
/// - `entries` points at `len` [`Entry`]s; entry `i` describes entry `i` of the patch's state
///   array (whose terminator, entry `len`, points at this ledger).
/// - An entry whose `data` is not NULL and equal to its state's `klp_state.data` owns the data: a
///   `kmalloc()` allocation of `size` bytes, aligned to `align`, holding a plain value (every bit
///   pattern valid, no destructor). It may be read or written as any such type of that size and
///   alignment. Otherwise the state's data, if any, is not this ledger's (a C patch's, carried).
/// - Taking the data over moves it: the taker clears `data` and `flags` of this entry and NULLs
///   `klp_state.data`, then owns the allocation. Handing data back sets all four fields and
///   `klp_state.data`.
/// - A patch frees the data it owns only once it is disabled (its own unpatching transition) or
///   failed to enable; never once replaced, and never with [`ENTRY_SHARED`] set.
#[repr(C)]
struct Ledger {
    header: LedgerHeader,
    len: usize,
    entries: *const Entry,
}

/// An entry of a [`Ledger`] of version 1.
#[repr(C)]
struct Entry {
    data: Cell<*mut c_void>,
    size: Cell<usize>,
    align: Cell<usize>,
    flags: Cell<u32>,
}

// The version 1 layout, frozen (x86_64).
const _: () = {
    assert!(size_of::<LedgerHeader>() == 16);
    assert!(offset_of!(Ledger, len) == 16 && offset_of!(Ledger, entries) == 24);
    assert!(offset_of!(Entry, size) == 8 && offset_of!(Entry, align) == 16);
    assert!(offset_of!(Entry, flags) == 24 && size_of::<Entry>() == 32);
};

impl Entry {
    /// Lets go of the data: frees it, unless [`ENTRY_SHARED`].
    fn release(&self) {
        let data = self.data.replace(ptr::null_mut());
        if self.flags.replace(0) & ENTRY_SHARED == 0 {
            // SAFETY: A non-NULL `data` is a `kmalloc()` allocation of a plain value, owned by
            // this entry alone, not shared (`Ledger` rules); `kfree(NULL)` does nothing.
            unsafe { kernel::bindings::kfree(data) };
        }
    }
}

/// The ledger of a patch of this library, with what only the patch itself reads.
///
/// # Invariants
///
/// `ledger.entries` points at `entries`, which is never resized; `types[i]` is the id of state
/// `i` and the type it declared. Accessed only by callbacks of registered patches, under the
/// core's `klp_mutex`, or by the owning [`StateTable`] once the core has released its patch.
#[repr(C)]
struct OwnLedger {
    /// First: the terminator points at it.
    ledger: Ledger,
    /// Set when a post-unpatch callback ran for this patch's own transition: the patch was
    /// disabled (or its enabling reverted), not replaced.
    unpatched: Cell<bool>,
    /// `klp_patch.replace`: once its transition completes, the patches before it are gone.
    replace: bool,
    entries: KVec<Entry>,
    types: KVec<(c_ulong, Option<DataType>)>,
}

impl OwnLedger {
    /// The type the patch declared for the state `id`.
    fn type_of(&self, id: c_ulong) -> Option<DataType> {
        self.types.iter().find(|(i, _)| *i == id).and_then(|t| t.1)
    }
}

/// The terminator of the state array `state` is an entry of, and how many entries `state` is
/// before it.
///
/// # Safety
///
/// `state` points at an entry of a valid, terminated `klp_state` array.
unsafe fn terminator(state: *mut bindings::klp_state) -> (*mut bindings::klp_state, usize) {
    let mut entry = state;
    let mut before = 0;
    // SAFETY: The array is terminated by an entry with id 0, as the core's own
    // `klp_for_each_state()` (`include/linux/livepatch.h`) requires, so every entry up to it is
    // valid (the caller's guarantee).
    while unsafe { (*entry).id } != 0 {
        entry = entry.wrapping_add(1);
        before += 1;
    }
    (entry, before)
}

/// The entry of `state` in its patch's ledger, if the patch has a ledger of version
/// [`LEDGER_VERSION`]: a patch of this library, or of another version of it with the same
/// layout. `None` for C patches and foreign ledgers.
///
/// # Safety
///
/// `state` is an entry (not the terminator) of a valid, terminated `klp_state` array of a
/// registered patch, which stays registered for `'a`.
unsafe fn ledger_entry<'a>(state: *mut bindings::klp_state) -> Option<&'a Entry> {
    // SAFETY: The caller's guarantee.
    let (end, before) = unsafe { terminator(state) };
    // SAFETY: `end` is the terminator, valid as above.
    let (magic, data) = unsafe { ((*end).version, (*end).data) };
    if magic != TERMINATOR_MAGIC || data.is_null() {
        return None;
    }
    // SAFETY: Every version of this crate makes a terminator with `TERMINATOR_MAGIC` point at a
    // ledger, which starts with a `LedgerHeader` and lives as long as the patch (C terminators
    // are zeroed: `{ }`).
    let header = unsafe { &*data.cast::<LedgerHeader>() };
    if header.magic != LEDGER_MAGIC || header.version != LEDGER_VERSION {
        return None;
    }
    // SAFETY: A ledger of version 1 is a `Ledger`.
    let ledger = unsafe { &*data.cast::<Ledger>() };
    let i = ledger.len.checked_sub(before)?;
    // SAFETY: `before >= 1` (`state` is not the terminator), so `i < len`: an entry of the
    // ledger (`Ledger` rules), which lives as long as the patch.
    (i < ledger.len).then(|| unsafe { &*ledger.entries.add(i) })
}

/// The ledger of `patch`, if it has states.
///
/// # Safety
///
/// `patch` is a patch of this library (whose `states`, if not NULL, is the array of a
/// [`StateTable`]), registered for `'a`.
unsafe fn own_ledger<'a>(patch: *mut bindings::klp_patch) -> Option<&'a OwnLedger> {
    // SAFETY: `patch` is valid (the caller's guarantee); `states` is set before registration.
    let states = unsafe { (*patch).states };
    if states.is_null() {
        return None;
    }
    // SAFETY: A `StateTable`'s array is terminated (type invariants).
    let (end, _) = unsafe { terminator(states) };
    // SAFETY: The terminator of a `StateTable` points at its `OwnLedger` (type invariants),
    // which lives as long as the patch.
    Some(unsafe { &*(*end).data.cast::<OwnLedger>() })
}

/// Whether `data`, a live `kmalloc()` allocation, can hold a value of `size` and `align`.
///
/// # Safety
///
/// `data` is not NULL and points at a live `kmalloc()` allocation.
unsafe fn fits(data: *mut c_void, size: usize, align: usize) -> bool {
    // SAFETY: The caller's guarantee: `ksize()` (`mm/slab_common.c`) returns the usable size of a
    // `kmalloc()` allocation (at least what was asked for; 0 for `ZERO_SIZE_PTR`).
    (data as usize) % align.max(1) == 0 && unsafe { kernel::bindings::ksize(data) } >= size
}

/// A state of a patch, seen from a callback: `struct klp_state`.
///
/// # Invariants
///
/// `state` points at an entry of the terminated `struct klp_state` array of a registered patch
/// (Rust or C), valid for `'a`, the duration of a callback. The callback runs under the core's
/// `klp_mutex`, which serialises every access to `data` and to the ledgers through a `StateRef`:
/// callbacks are the only place one exists. `own` is the calling patch's ledger if `state` is
/// one of its states, `None` otherwise; `declared` is the type the calling patch declared for
/// the state's id.
pub struct StateRef<'a> {
    state: *mut bindings::klp_state,
    own: Option<&'a OwnLedger>,
    declared: Option<DataType>,
    _callback: PhantomData<&'a bindings::klp_state>,
}

impl<'a> StateRef<'a> {
    /// Wraps a `klp_state` returned by the core, if any.
    ///
    /// # Safety
    ///
    /// `state` is NULL or meets the type invariants for `'a`, with `own` and `declared`.
    unsafe fn from_raw(
        state: *mut bindings::klp_state,
        own: Option<&'a OwnLedger>,
        declared: Option<DataType>,
    ) -> Option<Self> {
        // INVARIANT: Guaranteed by the caller.
        (!state.is_null()).then_some(Self {
            state,
            own,
            declared,
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

    /// The ledger entry of this state, if its patch has a ledger of this crate's version.
    fn entry(&self) -> Option<&'a Entry> {
        // SAFETY: `state` is an entry of a registered patch's array for `'a` (type invariants).
        unsafe { ledger_entry(self.state) }
    }

    /// The ledger entry of this state, if it owns the data the state holds.
    fn owner(&self) -> Option<&'a Entry> {
        let data = self.get_data();
        self.entry()
            .filter(|e| !data.is_null() && e.data.get() == data)
    }

    /// The data, if it can be read and written as a `T`: data a ledger owns with the layout of
    /// `T`, or, in another patch's state, data of a version the calling patch declared `T` for,
    /// that fits a `T`.
    fn data_ptr<T: StateData>(&self) -> Option<*mut T> {
        let data = self.get_data();
        if data.is_null() {
            return None;
        }
        if let Some(owner) = self.owner() {
            return (owner.size.get() == size_of::<T>() && owner.align.get() == align_of::<T>())
                .then_some(data.cast());
        }
        if self.own.is_some() {
            // Data this patch carries without owning it: it may not outlive the transition.
            return None;
        }
        let declared = self
            .declared
            .filter(|d| d.is::<T>() && d.covers(self.version()))?;
        // SAFETY: `data` is not NULL; the state's data at this version is a live `kmalloc()`
        // allocation (the claim of `State::with_data`), as long as its patch is installed, which
        // it is during the callback.
        unsafe { fits(data, declared.size, declared.align) }.then_some(data.cast())
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

    /// Allocates data for a state of the calling patch, holding `value`; data the state owned is
    /// freed (data of a C livepatch is dropped from the state, not freed).
    ///
    /// Fails with `ENOMEM` if the allocation fails, and with `EINVAL` for a state of another
    /// patch or unless the patch declared `T` for the state ([`State::with_data`]: the claim
    /// that `T` is the data of the state's id and version for every patch, C or Rust, that
    /// reads it); the state is then unchanged.
    pub fn set_data<T: StateData>(&self, value: T) -> Result {
        let entry = self.own.and(self.entry()).ok_or(EINVAL)?;
        // Data stored under a state's id and version is read by the patches that take the state
        // over, C ones included, as the type that id and version stand for: storing a `T` is a
        // claim about all of them, which only the `unsafe` declaration makes. (An undeclared
        // `[u8; 0]`, stored without an allocation, made a C `test_klp_state2` read address 1.)
        if !self.declared.is_some_and(|d| d.is::<T>()) {
            return Err(EINVAL);
        }
        let data = KBox::into_raw(KBox::new(value, GFP_KERNEL)?).cast::<c_void>();
        entry.release();
        entry.data.set(data);
        entry.size.set(size_of::<T>());
        entry.align.set(align_of::<T>());
        self.put_data(data);
        Ok(())
    }

    /// The state's data as a `T`: data a ledger of this crate owns with the layout of `T`, or,
    /// in a state of a previous patch ([`Transition::prev_state`]), data of a version for which
    /// the calling patch declared `T` ([`State::with_data`]) whose allocation is large enough.
    pub fn data<T: StateData>(&self) -> Option<T> {
        // SAFETY: `data_ptr` returns a live allocation, aligned for `T` and holding a `T` (the
        // ledger's record, or the declaration's claim checked with `ksize()`), which is also a
        // valid `T` (`T: FromBytes`).
        self.data_ptr::<T>().map(|data| unsafe { ptr::read(data) })
    }

    /// Replaces the value of the state's data by `value`, without allocating.
    ///
    /// Fails with `EINVAL` if [`StateRef::data`] cannot read the data as a `T`.
    pub fn write_data<T: StateData>(&self, value: T) -> Result {
        let data = self.data_ptr::<T>().ok_or(EINVAL)?;
        // SAFETY: As in `data`; the allocation is the state's, accessed under `klp_mutex`.
        unsafe { ptr::write(data, value) };
        Ok(())
    }

    /// Frees the state's data, if a ledger of this crate owns it. Returns whether the state let
    /// go of it. Data of a C livepatch is left alone; data taken over from one during a
    /// transition that has not completed is let go of, not freed.
    pub fn free_data(&self) -> bool {
        let Some(owner) = self.owner() else {
            return false;
        };
        owner.release();
        self.put_data(ptr::null_mut());
        true
    }

    /// Takes the data of `prev` (usually a previous patch's state, from
    /// [`Transition::prev_state`]) over into this state, whose own data is freed. Taking over
    /// from the same state does nothing.
    ///
    /// - Data a ledger of this crate owns moves: `prev` is left without it.
    /// - Data of a C livepatch (or of another version of this crate) is copied, as C cumulative
    ///   patches do, and `prev` keeps it. If this is a state of the calling patch, the patch is
    ///   cumulative, and it declared the type of `prev`'s version ([`State::with_data`]), this
    ///   patch owns the data from now on: it reads it, and frees it once its transition has
    ///   completed (before, the previous patch may still use it). Otherwise it is carried along,
    ///   opaque, and never freed here.
    /// - Moving data into a C livepatch's state hands it over: the C patch frees it.
    ///
    /// To hand data back when a transition is reverted, call it the other way round:
    /// `prev.take_over(&state)`.
    pub fn take_over(&self, prev: &StateRef<'_>) {
        if ptr::eq(self.state, prev.state) {
            return;
        }
        let data = prev.get_data();
        let to = self.entry();
        if let Some(to) = to {
            if to.data.get() == data {
                // The same allocation: it stays, under the arrangement below.
                to.data.set(ptr::null_mut());
                to.flags.set(0);
            } else {
                to.release();
            }
        }
        if let Some(from) = prev.owner() {
            // A ledger's data: it moves.
            match to {
                Some(to) => {
                    to.data.set(from.data.replace(ptr::null_mut()));
                    to.size.set(from.size.get());
                    to.align.set(from.align.get());
                    to.flags.set(from.flags.replace(0));
                }
                None => {
                    // Handed over to a C livepatch (or a foreign ledger's), which frees it.
                    from.data.set(ptr::null_mut());
                    from.flags.set(0);
                }
            }
            prev.put_data(ptr::null_mut());
        } else if let (Some(to), Some(own)) = (to, self.own) {
            // A C livepatch's data, copied: owned if declared, shared until the transition
            // completes.
            let declared = self
                .declared
                .filter(|d| own.replace && !data.is_null() && d.covers(prev.version()));
            if let Some(d) = declared {
                // SAFETY: `data` is not NULL; the data of `prev`'s version is a live `kmalloc()`
                // allocation (the claim of `State::with_data`), as long as `prev`'s patch is
                // installed, which it is during the callback.
                if unsafe { fits(data, d.size, d.align) } {
                    to.data.set(data);
                    to.size.set(d.size);
                    to.align.set(d.align);
                    to.flags.set(ENTRY_SHARED);
                }
            }
        }
        self.put_data(data);
    }
}

/// A callback running for a transition of its patch: when `klp_get_prev_state()` may be called.
///
/// # Invariants
///
/// While it exists, the core's `klp_transition_patch` is `patch`, the patch of the callback, a
/// patch of this library, and the callback holds `klp_mutex`.
pub struct Transition<'a> {
    patch: *mut bindings::klp_patch,
    _callback: PhantomData<(&'a (), *mut ())>,
}

impl<'a> Transition<'a> {
    /// `klp_get_prev_state()`: the state `id` as the patches installed before this one left it
    /// (the latest of them that modifies it), or `None`.
    pub fn prev_state(&self, id: c_ulong) -> Option<StateRef<'a>> {
        // SAFETY: A transition is in progress (type invariant), as the function requires; it
        // only walks the list of patches, under `klp_mutex`.
        let state = unsafe { bindings::klp_get_prev_state(id) };
        // SAFETY: `patch` is the callback's registered patch of this library (type invariant).
        let declared = unsafe { own_ledger(self.patch) }.and_then(|l| l.type_of(id));
        // SAFETY: A non-NULL result is a `klp_state` of a patch in the core's list before
        // `klp_transition_patch`, not the calling patch, which the core keeps (and whose module
        // it holds) at least until the transition completes, after this callback; the callback
        // holds `klp_mutex` (type invariant).
        unsafe { StateRef::from_raw(state, None, declared) }
    }
}

impl<'a> Target<'a> {
    /// `klp_get_state()`: the state `id` of this callback's patch, or `None` if the patch does not
    /// list it. Available in every callback.
    pub fn state(&self, id: c_ulong) -> Option<StateRef<'a>> {
        // SAFETY: `patch` is the callback's registered patch (type invariant of `Target`);
        // `klp_get_state()` only walks its `states` array.
        let state = unsafe { bindings::klp_get_state(self.patch, id) };
        // SAFETY: As above: a patch of this library.
        let own = unsafe { own_ledger(self.patch) };
        let declared = own.and_then(|l| l.type_of(id));
        // SAFETY: A non-NULL result is an entry of the `StateTable` of the patch's
        // `Registration`, which outlives the callback, whose ledger is `own`; the callback holds
        // `klp_mutex` (type invariant of `Target`).
        unsafe { StateRef::from_raw(state, own, declared) }
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
            patch: self.patch,
            _callback: PhantomData,
        })
    }
}

/// The `klp_state` array of a [`Registration`](crate::Registration), and its ledger.
///
/// # Invariants
///
/// `states` holds one entry per [`State`] of the patch, each with a non-zero id, then the
/// terminator: id 0, version [`TERMINATOR_MAGIC`], `data` pointing at `ledger`, which has one
/// entry per state. The `data` of an entry is NULL, owned as `ledger` describes, or a C
/// livepatch's.
pub(crate) struct StateTable {
    states: KVec<Opaque<bindings::klp_state>>,
    ledger: KBox<OwnLedger>,
}

impl StateTable {
    /// Builds the terminated array for `states` of a patch that is cumulative if `replace`;
    /// fails with `EINVAL` for an id of zero.
    pub(crate) fn new(states: &[State], replace: bool) -> Result<Self> {
        let mut entries = KVec::with_capacity(states.len(), GFP_KERNEL)?;
        let mut types = KVec::with_capacity(states.len(), GFP_KERNEL)?;
        let mut table = KVec::with_capacity(states.len() + 1, GFP_KERNEL)?;
        for state in states {
            if state.id == 0 {
                return Err(EINVAL);
            }
            let state_c = bindings::klp_state {
                id: state.id,
                version: state.version,
                data: ptr::null_mut(),
            };
            table.push(Opaque::new(state_c), GFP_KERNEL)?;
            entries.push(
                Entry {
                    data: Cell::new(ptr::null_mut()),
                    size: Cell::new(0),
                    align: Cell::new(0),
                    flags: Cell::new(0),
                },
                GFP_KERNEL,
            )?;
            types.push((state.id, state.data), GFP_KERNEL)?;
        }
        let ledger = KBox::new(
            OwnLedger {
                ledger: Ledger {
                    header: LedgerHeader {
                        magic: LEDGER_MAGIC,
                        version: LEDGER_VERSION,
                        _reserved: 0,
                    },
                    len: entries.len(),
                    entries: entries.as_ptr(),
                },
                unpatched: Cell::new(false),
                replace,
                entries,
                types,
            },
            GFP_KERNEL,
        )?;
        let terminator = bindings::klp_state {
            id: 0,
            version: TERMINATOR_MAGIC,
            data: ptr::from_ref::<OwnLedger>(&ledger).cast_mut().cast(),
        };
        table.push(Opaque::new(terminator), GFP_KERNEL)?;
        // INVARIANT: Non-zero ids, then the terminator pointing at the ledger, whose `entries`
        // (moved, not reallocated) has one entry per state; no data.
        Ok(Self {
            states: table,
            ledger,
        })
    }

    /// The array, for `klp_patch.states`.
    pub(crate) fn as_ptr(&self) -> *mut bindings::klp_state {
        Opaque::raw_get(self.states.as_ptr())
    }

    /// Records the end of a transition of the patch: its own unpatching (disabled or reverted)
    /// if `patched` is false; otherwise its patching completed, and, cumulative, it replaced the
    /// patches it took data over from, so that data is its own.
    ///
    /// # Safety
    ///
    /// `patch` is a registered patch of this library, and the caller is a callback of it that
    /// runs for its transition (post-patch or post-unpatch).
    pub(crate) unsafe fn transition_done(patch: *mut bindings::klp_patch, patched: bool) {
        // SAFETY: The caller's guarantee.
        let Some(ledger) = (unsafe { own_ledger(patch) }) else {
            return;
        };
        if !patched {
            ledger.unpatched.set(true);
        } else if ledger.replace {
            // `klp_complete_transition()` has unpatched the replaced patches
            // (`klp_unpatch_replaced_patches()`) before the post-patch callbacks: their callbacks
            // never run again.
            for entry in ledger.entries.iter() {
                entry.flags.set(entry.flags.get() & !ENTRY_SHARED);
            }
        }
    }

    /// Frees the data the states still own: the patch failed to enable.
    pub(crate) fn free_owned(&self) {
        for entry in self.ledger.entries.iter() {
            entry.release();
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
