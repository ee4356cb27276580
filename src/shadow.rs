// SPDX-License-Identifier: GPL-2.0

//! Shadow variables: data a livepatch attaches to existing kernel objects.
//!
//! A shadow variable is identified by an object address and an `unsigned long` id; the livepatch
//! core keeps it in a hash table (see `Documentation/livepatch/shadow-vars.rst`). This module is a
//! typed API over `klp_shadow_alloc()`, `klp_shadow_get()`, `klp_shadow_get_or_alloc()`,
//! `klp_shadow_free()` and `klp_shadow_free_all()`:
//!
//! - a [`Shadow<T>`] is a typed id, declared with `unsafe` [`Shadow::new`]: the author states that
//!   every shadow variable with that id, in any module, C or Rust, holds a `T`;
//! - `T` is [`ShadowData`]: owned data that holds no pointer into a module image and drops
//!   without sleeping, because shadow variables outlive the module that allocates them (they stay
//!   in the core's hash table after `rmmod`, for other modules sharing the id) and are dropped in
//!   atomic context;
//! - constructors are Rust closures that return the value; destructors are `T`'s [`Drop`], plus
//!   an optional [`ShadowDtor`] that also sees the object;
//! - values are only reached through closures ([`Shadow::with`]), which cannot keep a reference
//!   past a free: a free that happens while a closure runs defers the drop until it returns.
//!
//! # Context
//!
//! The core runs constructors and destructors under its `klp_shadow_lock` spinlock with interrupts
//! disabled, and this module runs the closures given to [`Shadow::with`] in an RCU read-side
//! critical section (`rcu_read_lock()`); a value freed while borrowed is dropped by its last
//! reader, in whatever context that reader runs (possibly an interrupt). `T`'s drop cannot sleep
//! ([`ShadowData`]); constructors, destructors and `with` closures must not either (the kernel's
//! rule for atomic context, which the debug lab kernel checks with `CONFIG_DEBUG_ATOMIC_SLEEP`): no
//! `GFP_KERNEL` allocation, no mutex. Allocate with `GFP_ATOMIC` there; [`NewShadow::flags`] says
//! so. Constructors, destructors and `Drop` cannot allocate or free shadow variables: the core's
//! spinlock is not recursive (a deadlock in C); here such a call fails with `EDEADLK` (the
//! module marks the CPU that runs them, `shadow.c`). Values are at most [`MAX_SHADOW_SIZE`]
//! bytes: the constructor builds them on the stack in atomic context. The allocation of the shadow variable
//! itself uses the [`Gfp`] flags given to [`Shadow::alloc`], outside the lock.
//!
//! C header: [`include/linux/livepatch.h`](srctree/include/linux/livepatch.h); implementation:
//! `kernel/livepatch/shadow.c`.

use crate::bindings;
use core::{
    cell::UnsafeCell,
    ffi::c_void,
    fmt,
    marker::PhantomData,
    mem::{align_of, size_of, ManuallyDrop},
    ptr,
    sync::atomic::{AtomicUsize, Ordering},
};
use kernel::{
    error::code::*,
    ffi::{c_int, c_ulong},
    prelude::*,
};

extern "C" {
    /// Whether this CPU runs a constructor or destructor shim of this module (`shadow.c`).
    fn klp_rust_shadow_locked() -> bool;
    /// Marks this CPU as running one; called under `klp_shadow_lock`, interrupts disabled.
    fn klp_rust_shadow_enter();
    /// Unmarks it, before the shim returns to the core.
    fn klp_rust_shadow_exit();
}

/// Runs `f`, code the core calls under its `klp_shadow_lock` (a constructor, a destructor, a
/// value's drop), marked as such: the calls of this module that would take the lock again fail
/// with `EDEADLK` meanwhile ([`not_under_shadow_lock`]).
///
/// # Safety
///
/// Called by a constructor or destructor shim, which the core runs under `klp_shadow_lock` with
/// interrupts disabled (`kernel/livepatch/shadow.c`: `spin_lock_irqsave()` around `ctor` in
/// `__klp_shadow_get_or_alloc()` and `dtor` in `klp_shadow_free()`/`klp_shadow_free_all()`).
unsafe fn under_shadow_lock<R>(f: impl FnOnce() -> R) -> R {
    // SAFETY: Under the lock with interrupts disabled (the caller's guarantee): this CPU runs
    // nothing else until `klp_rust_shadow_exit()`, and no other CPU holds the lock.
    unsafe { klp_rust_shadow_enter() };
    let r = f();
    // SAFETY: Pairs with the `klp_rust_shadow_enter()` above, still under the lock.
    unsafe { klp_rust_shadow_exit() };
    r
}

/// `EDEADLK` when called from code that [`under_shadow_lock`] runs: the core's `klp_shadow_lock`
/// is a spinlock that this CPU already holds, and taking it again would never return.
fn not_under_shadow_lock() -> Result {
    // SAFETY: Reads this module's marker with preemption disabled (`shadow.c`).
    if unsafe { klp_rust_shadow_locked() } {
        Err(crate::edeadlk())
    } else {
        Ok(())
    }
}

/// The largest value a shadow variable may hold: its constructor builds it on the stack, in
/// atomic context, under the core's lock.
pub const MAX_SHADOW_SIZE: usize = 512;

/// The allocation flags of a shadow variable (`gfp_t`), printed as `%pGg` prints them.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Gfp(bindings::gfp_t);

impl Gfp {
    /// `GFP_KERNEL`: may sleep. Not for atomic context.
    pub const KERNEL: Gfp = Gfp(kernel::bindings::GFP_KERNEL as bindings::gfp_t);
    /// `GFP_ATOMIC`: does not sleep, may use emergency reserves.
    pub const ATOMIC: Gfp = Gfp(kernel::bindings::GFP_ATOMIC as bindings::gfp_t);
    /// `GFP_NOWAIT`: does not sleep.
    pub const NOWAIT: Gfp = Gfp(kernel::bindings::GFP_NOWAIT as bindings::gfp_t);
}

impl fmt::Display for Gfp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let flags = self.0;
        crate::stand_in::printk::snprintf_ptr(
            f,
            kernel::c_str!("%pGg"),
            ptr::from_ref(&flags).cast(),
        )
    }
}

impl fmt::Debug for Gfp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// An object a shadow variable can be attached to: anything with an address.
///
/// Implemented for raw pointers (the `void *obj` of the C API, as received by a replacement
/// function) and for references. The address is only used as a key, never dereferenced.
pub trait ShadowObj {
    /// The object's address.
    fn shadow_addr(&self) -> *const c_void;
}

impl ShadowObj for *const c_void {
    fn shadow_addr(&self) -> *const c_void {
        *self
    }
}

impl ShadowObj for *mut c_void {
    fn shadow_addr(&self) -> *const c_void {
        self.cast_const()
    }
}

impl<T: ?Sized> ShadowObj for &T {
    fn shadow_addr(&self) -> *const c_void {
        ptr::from_ref::<T>(*self).cast()
    }
}

/// A type a shadow variable can hold.
///
/// Shadow variables outlive the module that allocates them: they stay in the core's hash table
/// after `rmmod`, where other modules that use the id (cumulative livepatches, the same module
/// loaded again) read and free them. Their values are dropped in atomic context: under the
/// core's spinlock with interrupts disabled, or by the last reader (see [`Shadow::with`]). So a
/// `ShadowData` type:
///
/// - holds no pointer into a module image: no references (not even `&'static`: a module's
///   statics and string literals are in its image), no function pointers, no trait objects (their
///   vtables), no locks (their lockdep class keys are module statics); only owned data:
///   integers, atomics, arrays, tuples, `Option`s of them, and
///   [`KBox`]/[`KVec`]/[`Arc`](kernel::sync::Arc) of them;
/// - drops without sleeping: `kfree()` only, not `vfree()` ([`VBox`]
///   and [`VVec`] are not `ShadowData`), no sysfs removal, no custom [`Drop`].
///
/// Declare structures with [`klp_shadow_data!`](crate::klp_shadow_data), which checks both at
/// compile time.
///
/// # Safety
///
/// Values of the type hold no pointer into a module image, and dropping one never sleeps.
pub unsafe trait ShadowData: Send + Sync + 'static {}

macro_rules! impl_shadow_data {
    ($($t:ty),* $(,)?) => {
        $(
            // SAFETY: Plain values: no pointer, no destructor.
            unsafe impl ShadowData for $t {}
        )*
    };
}
impl_shadow_data!(
    (),
    bool,
    char,
    i8,
    u8,
    i16,
    u16,
    i32,
    u32,
    i64,
    u64,
    i128,
    u128,
    isize,
    usize,
    core::sync::atomic::AtomicBool,
    core::sync::atomic::AtomicI8,
    core::sync::atomic::AtomicU8,
    core::sync::atomic::AtomicI16,
    core::sync::atomic::AtomicU16,
    core::sync::atomic::AtomicI32,
    core::sync::atomic::AtomicU32,
    core::sync::atomic::AtomicI64,
    core::sync::atomic::AtomicU64,
    core::sync::atomic::AtomicIsize,
    core::sync::atomic::AtomicUsize,
);

// SAFETY: As its elements.
unsafe impl<T: ShadowData, const N: usize> ShadowData for [T; N] {}
// SAFETY: As its contents.
unsafe impl<T: ShadowData> ShadowData for Option<T> {}
// SAFETY: As their elements.
unsafe impl<A: ShadowData, B: ShadowData> ShadowData for (A, B) {}
// SAFETY: As their elements.
unsafe impl<A: ShadowData, B: ShadowData, C: ShadowData> ShadowData for (A, B, C) {}
// SAFETY: A `kmalloc()` allocation, freed with `kfree()`, which does not sleep, holding a
// `ShadowData` value (`T: Sized`: no vtable pointer).
unsafe impl<T: ShadowData> ShadowData for KBox<T> {}
// SAFETY: As `KBox`: `kmalloc()`ed elements, freed with `kfree()`.
unsafe impl<T: ShadowData> ShadowData for KVec<T> {}
// SAFETY: A reference count and a `kmalloc()` allocation; the last drop drops a `ShadowData`
// value and `kfree()`s.
unsafe impl<T: ShadowData> ShadowData for kernel::sync::Arc<T> {}

/// Checks at compile time that `T` is [`ShadowData`]; used by
/// [`klp_shadow_data!`](crate::klp_shadow_data).
#[doc(hidden)]
pub const fn assert_shadow_data<T: ShadowData>() {}

/// The bit of [`Slot::state`] set once the core has freed the shadow variable.
const DEAD: usize = 1 << (usize::BITS - 1);

/// What a shadow variable of a [`Shadow<T>`] holds: the value, then its reader count.
///
/// `value` is first, so C code sharing the id sees a `T` at the shadow data address.
///
/// # Invariants
///
/// - `value` is initialised by the constructor shim before the core adds the variable to its
///   hash table, and dropped exactly once: by the destructor shim if no reader holds it, else by
///   the last reader ([`Slot::release`]).
/// - `state` is the number of [`Shadow::with`] closures running on `value`, plus [`DEAD`] once the
///   destructor shim ran. No reader starts after `DEAD` is set.
#[repr(C)]
struct Slot<T> {
    value: UnsafeCell<ManuallyDrop<T>>,
    state: AtomicUsize,
}

impl<T> Slot<T> {
    /// Registers a reader. Fails once the variable has been freed.
    fn acquire(&self) -> bool {
        let mut state = self.state.load(Ordering::Acquire);
        loop {
            if state & DEAD != 0 {
                return false;
            }
            match self.state.compare_exchange_weak(
                state,
                state + 1,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return true,
                Err(s) => state = s,
            }
        }
    }

    /// Unregisters a reader; the last reader of a freed variable drops the value.
    ///
    /// # Safety
    ///
    /// Pairs with a successful [`Slot::acquire`]; the caller does not use `value` afterwards and
    /// is still in the RCU read-side critical section it acquired in.
    unsafe fn release(&self) {
        if self.state.fetch_sub(1, Ordering::AcqRel) == DEAD | 1 {
            // SAFETY: `DEAD` is set and this was the last reader: nobody else can reach `value`
            // (type invariants), and the memory lives until the reader's RCU section ends.
            unsafe { ManuallyDrop::drop(&mut *self.value.get()) };
        }
    }

    /// Runs the destructor `D`, marks the variable freed and drops the value unless a reader
    /// holds it (then the last reader drops it).
    ///
    /// # Safety
    ///
    /// Called once, by the destructor shim, after the core removed the variable from its table.
    unsafe fn kill<D: ShadowDtor<T>>(&self, obj: *const c_void) {
        // SAFETY: `DEAD` is not set yet, so `value` is alive; readers only share it.
        D::destroy(obj, unsafe { &*self.value.get() });
        if self.state.fetch_or(DEAD, Ordering::AcqRel) == 0 {
            // SAFETY: No reader holds `value` and none can start (type invariants); it was
            // initialised by the constructor shim and not dropped yet.
            unsafe { ManuallyDrop::drop(&mut *self.value.get()) };
        }
    }
}

/// A destructor for shadow variables holding `T`, run by [`Shadow::free_with`] and
/// [`Shadow::free_all_with`] before the value is dropped: the Rust form of `klp_shadow_dtor_t`.
///
/// `destroy` gets the object and the value (whose address is the C `shadow_data`). It runs in
/// atomic context, under the core's spinlock with interrupts disabled: it must not sleep. `T`'s
/// own [`Drop`] then releases what the value owns. `()` is the destructor that does nothing more.
pub trait ShadowDtor<T> {
    /// Called once for each variable freed, before its value is dropped.
    fn destroy(obj: *const c_void, value: &T);
}

impl<T> ShadowDtor<T> for () {
    fn destroy(_obj: *const c_void, _value: &T) {}
}

/// Runs `f` in an RCU read-side critical section.
///
/// The core frees shadow variables with `kfree_rcu()`, so memory found by `klp_shadow_get()` in
/// such a section stays valid until it ends.
fn rcu_read_section<R>(f: impl FnOnce() -> R) -> R {
    crate::stand_in::rcu::read(f)
}

/// A shadow variable being constructed, as seen by its constructor.
///
/// Constructors run in atomic context, under the core's `klp_shadow_lock` with interrupts
/// disabled: they must not sleep. Allocate with [`NewShadow::flags`] (`GFP_ATOMIC`).
pub struct NewShadow<'a> {
    obj: *const c_void,
    addr: *const c_void,
    _p: PhantomData<&'a ()>,
}

impl NewShadow<'_> {
    /// The object the variable is attached to.
    pub fn obj(&self) -> *const c_void {
        self.obj
    }

    /// The address the value will live at (the `shadow_data` of the C constructor).
    pub fn addr(&self) -> *const c_void {
        self.addr
    }

    /// The allocation flags usable in a constructor: `GFP_ATOMIC`.
    pub fn flags(&self) -> kernel::alloc::Flags {
        GFP_ATOMIC
    }
}

/// The `ctor_data` of a constructor shim: the closure, and its error.
struct Ctor<F> {
    f: Option<F>,
    err: Option<Error>,
}

/// The `klp_shadow_ctor_t` for [`Shadow<T>`] with a constructor closure `F`.
///
/// # Safety
///
/// Only the core calls this, from `klp_shadow_alloc()` or `klp_shadow_get_or_alloc()` called by
/// [`Shadow::alloc_raw`] with this shim, `ctor_data` pointing at a live `Ctor<F>`, and
/// `shadow_data` pointing at `size_of::<Slot<T>>()` zeroed bytes, aligned for `Slot<T>`.
unsafe extern "C" fn ctor_shim<T, F>(
    obj: *mut c_void,
    shadow_data: *mut c_void,
    ctor_data: *mut c_void,
) -> c_int
where
    F: FnOnce(NewShadow<'_>) -> Result<T>,
{
    // SAFETY: `ctor_data` is the `Ctor<F>` on `alloc_raw`'s stack, which waits for the core.
    let ctor = unsafe { &mut *ctor_data.cast::<Ctor<F>>() };
    let Some(f) = ctor.f.take() else {
        return EINVAL.to_errno();
    };
    let new = NewShadow {
        obj,
        addr: shadow_data,
        _p: PhantomData,
    };
    // SAFETY: The core runs constructors under `klp_shadow_lock`, interrupts disabled.
    match unsafe { under_shadow_lock(|| f(new)) } {
        Ok(value) => {
            let slot = Slot {
                value: UnsafeCell::new(ManuallyDrop::new(value)),
                state: AtomicUsize::new(0),
            };
            // SAFETY: `shadow_data` is valid and aligned for a `Slot<T>` (see `Shadow::new`),
            // and not yet visible to anybody else.
            unsafe { shadow_data.cast::<Slot<T>>().write(slot) };
            0
        }
        Err(e) => {
            ctor.err = Some(e);
            e.to_errno()
        }
    }
}

/// The `klp_shadow_dtor_t` for [`Shadow<T>`]: drops the value (now or after its last reader).
///
/// # Safety
///
/// Only the core calls this, from `klp_shadow_free()` or `klp_shadow_free_all()` for a variable
/// of a [`Shadow<T>`] id, after removing it from its table and before `kfree_rcu()`.
unsafe extern "C" fn dtor_shim<T, D: ShadowDtor<T>>(obj: *mut c_void, shadow_data: *mut c_void) {
    // SAFETY: Variables with this id are `Slot<T>`s (`Shadow` invariants), and the memory lives
    // at least until the end of every RCU read-side critical section that found it.
    let slot = unsafe { &*shadow_data.cast::<Slot<T>>() };
    // SAFETY: The core calls the destructor once per variable, after unhashing it, under
    // `klp_shadow_lock` with interrupts disabled.
    unsafe { under_shadow_lock(|| slot.kill::<D>(obj)) };
}

/// A typed shadow variable id: every shadow variable with this id holds a `T`.
///
/// Declare one with the `unsafe` [`Shadow::new`]. [`Shadow::free`] and [`Shadow::free_all`] drop
/// the values ([`ShadowDtor`] adds a destructor that sees the object), in atomic context. `T` is
/// [`ShadowData`]: any task can reach the value, the last one drops it, and it outlives the
/// module. Mutable state inside `T` needs interior mutability (atomics).
///
/// # Invariants
///
/// Every shadow variable with id `id`, in the whole kernel, was allocated by [`Shadow<T>`]
/// methods for this `T` (so it is a `Slot<T>`) and is freed only with a `dtor_shim::<T, _>`.
///
/// # Examples
///
/// ```ignore
/// // SAFETY: Id 2 is used by `livepatch-shadow-fix2` alone, for `AtomicI32` counters.
/// static SV_COUNTER: Shadow<AtomicI32> = unsafe { Shadow::new(2) };
///
/// fn check(d: *mut c_void) {
///     // Attach a counter to `d` if it has none yet, then increment it.
///     let _ = SV_COUNTER.get_or_alloc(d, Gfp::NOWAIT, |_| Ok(AtomicI32::new(0)), |count| {
///         count.fetch_add(1, Ordering::Relaxed)
///     });
/// }
///
/// fn free(d: *mut c_void) {
///     if let Some(n) = SV_COUNTER.with(d, |count| count.load(Ordering::Relaxed)) {
///         pr_info!("check counter = {}\n", n);
///         SV_COUNTER.free(d);
///     }
/// }
/// ```
pub struct Shadow<T> {
    id: c_ulong,
    _t: PhantomData<fn() -> T>,
}

impl<T: ShadowData> Shadow<T> {
    /// The shadow variable id `id`, holding `T`s.
    ///
    /// # Safety
    ///
    /// Every shadow variable with this id, allocated or freed by any module (Rust or C), must be
    /// allocated and freed through a `Shadow<T>` of this exact type (or of a type with the same
    /// layout and meaning, in other livepatch modules). No tool can check this: the author
    /// states it where the id is declared, in a `// SAFETY:` comment naming the modules that use
    /// the id.
    pub const unsafe fn new(id: c_ulong) -> Self {
        // `struct klp_shadow` is four pointer-sized words before `data[]`, and `kzalloc()`
        // returns memory aligned to at least `ARCH_KMALLOC_MINALIGN` (8 on 64-bit).
        const {
            assert!(
                align_of::<Slot<T>>() <= align_of::<u64>(),
                "shadow variable types must not need more than 8-byte alignment"
            );
            assert!(
                size_of::<T>() <= MAX_SHADOW_SIZE,
                "shadow variable types are limited to MAX_SHADOW_SIZE bytes: box larger data"
            );
        };
        Self {
            id,
            _t: PhantomData,
        }
    }

    /// The id.
    pub const fn id(&self) -> c_ulong {
        self.id
    }

    /// Whether `obj` has a shadow variable with this id (`klp_shadow_get() != NULL`).
    pub fn exists(&self, obj: impl ShadowObj) -> bool {
        // SAFETY: `klp_shadow_get()` only compares addresses.
        !unsafe { bindings::klp_shadow_get(obj.shadow_addr().cast_mut(), self.id) }.is_null()
    }

    /// Calls `f` with `obj`'s shadow variable, or returns `None` if it has none.
    ///
    /// `f` runs in an RCU read-side critical section and must not sleep. The variable may be freed
    /// meanwhile (even by `f`): the value is then dropped when `f` returns.
    pub fn with<R>(&self, obj: impl ShadowObj, f: impl FnOnce(&T) -> R) -> Option<R> {
        let obj = obj.shadow_addr().cast_mut();
        rcu_read_section(|| {
            // SAFETY: `klp_shadow_get()` only compares addresses.
            let data = unsafe { bindings::klp_shadow_get(obj, self.id) };
            if data.is_null() {
                return None;
            }
            // SAFETY: Variables with this id are `Slot<T>`s (type invariant), initialised before
            // they were hashed; freed with `kfree_rcu()`, so valid until the section ends.
            let slot = unsafe { &*data.cast::<Slot<T>>() };
            if !slot.acquire() {
                return None;
            }
            // SAFETY: A registered reader keeps `value` from being dropped (`Slot` invariants).
            let r = f(unsafe { &*slot.value.get() });
            // SAFETY: Acquired above; `f` has returned; still in the RCU section.
            unsafe { slot.release() };
            Some(r)
        })
    }

    /// Calls the core with the constructor shim; returns the shadow data or the error.
    fn alloc_raw<F>(&self, obj: *const c_void, flags: Gfp, ctor: F, exclusive: bool) -> Result
    where
        F: FnOnce(NewShadow<'_>) -> Result<T>,
    {
        not_under_shadow_lock()?;
        // The core answers a second `klp_shadow_alloc()` with a WARN and a stack dump, as a
        // programming error in C, also when two tasks race to allocate the same `<obj, id>` (an
        // adversarial pass raced two so). Both calls go through `klp_shadow_get_or_alloc()`,
        // which never warns and runs the constructor only for the variable it attaches: an
        // exclusive allocation whose constructor did not run found one there, `EEXIST`.
        if exclusive && self.exists(obj) {
            return Err(EEXIST);
        }
        let obj = obj.cast_mut();
        let mut data = Ctor {
            f: Some(ctor),
            err: None,
        };
        let ctor_data = ptr::from_mut(&mut data).cast::<c_void>();
        let shim: bindings::klp_shadow_ctor_t = Some(ctor_shim::<T, F>);
        let size = size_of::<Slot<T>>();
        // SAFETY: `ctor_shim::<T, F>` gets `ctor_data`, a `Ctor<F>` alive for the call, and
        // `size` bytes for a `Slot<T>`; the core runs it at most once, before returning, and
        // only for the variable it attaches (`__klp_shadow_get_or_alloc()` in
        // `kernel/livepatch/shadow.c` returns an existing one without calling it).
        let p = unsafe {
            bindings::klp_shadow_get_or_alloc(obj, self.id, size, flags.0, shim, ctor_data)
        };
        if !p.is_null() {
            // The constructor took `f` if and only if it ran.
            return if exclusive && data.f.is_some() {
                Err(EEXIST)
            } else {
                Ok(())
            };
        }
        if let Some(e) = data.err {
            return Err(e);
        }
        Err(ENOMEM)
    }

    /// Attaches a new shadow variable to `obj`, with the value `ctor` returns
    /// (`klp_shadow_alloc()`, made with `klp_shadow_get_or_alloc()`: see below).
    ///
    /// The memory is allocated with `flags`; `ctor` then runs under the core's spinlock (atomic
    /// context: see [`NewShadow`]). Fails with `ctor`'s error, leaving nothing behind; with
    /// `EEXIST` if `obj` already has one, without running `ctor` (also when another task
    /// attaches one meanwhile: the core's `klp_shadow_get_or_alloc()` decides, without the
    /// warning `klp_shadow_alloc()` gives C callers); with `ENOMEM`.
    pub fn alloc(
        &self,
        obj: impl ShadowObj,
        flags: Gfp,
        ctor: impl FnOnce(NewShadow<'_>) -> Result<T>,
    ) -> Result {
        self.alloc_raw(obj.shadow_addr(), flags, ctor, true)
    }

    /// Calls `f` with `obj`'s shadow variable, attaching one with the value `ctor` returns if
    /// there is none (`klp_shadow_get_or_alloc()`); `ctor` runs only in that case.
    ///
    /// As [`Shadow::alloc`], without `EEXIST`; `ENOENT` if the variable was freed by another task
    /// before `f` could run.
    pub fn get_or_alloc<R>(
        &self,
        obj: impl ShadowObj,
        flags: Gfp,
        ctor: impl FnOnce(NewShadow<'_>) -> Result<T>,
        f: impl FnOnce(&T) -> R,
    ) -> Result<R> {
        let obj = obj.shadow_addr();
        self.alloc_raw(obj, flags, ctor, false)?;
        self.with(obj, f).ok_or(ENOENT)
    }

    /// Detaches `obj`'s shadow variable, if any, and drops its value (`klp_shadow_free()`).
    ///
    /// `EDEADLK` from a constructor, destructor or drop that the core runs under its lock.
    pub fn free(&self, obj: impl ShadowObj) -> Result {
        self.free_with::<()>(obj)
    }

    /// Detaches `obj`'s shadow variable, if any, runs the destructor `D` on it and drops its
    /// value (`klp_shadow_free()` with a `dtor`).
    ///
    /// `EDEADLK` from a constructor, destructor or drop that the core runs under its lock.
    pub fn free_with<D: ShadowDtor<T>>(&self, obj: impl ShadowObj) -> Result {
        not_under_shadow_lock()?;
        let dtor: bindings::klp_shadow_dtor_t = Some(dtor_shim::<T, D>);
        // SAFETY: Variables with this id are `Slot<T>`s (type invariant), which
        // `dtor_shim::<T, D>` drops.
        unsafe { bindings::klp_shadow_free(obj.shadow_addr().cast_mut(), self.id, dtor) };
        Ok(())
    }

    /// Detaches the shadow variables with this id from all objects and drops their values
    /// (`klp_shadow_free_all()`).
    ///
    /// `EDEADLK` from a constructor, destructor or drop that the core runs under its lock.
    pub fn free_all(&self) -> Result {
        self.free_all_with::<()>()
    }

    /// Detaches the shadow variables with this id from all objects, runs the destructor `D` on
    /// each and drops their values (`klp_shadow_free_all()` with a `dtor`).
    ///
    /// `EDEADLK` from a constructor, destructor or drop that the core runs under its lock.
    pub fn free_all_with<D: ShadowDtor<T>>(&self) -> Result {
        not_under_shadow_lock()?;
        let dtor: bindings::klp_shadow_dtor_t = Some(dtor_shim::<T, D>);
        // SAFETY: As for `free_with`.
        unsafe { bindings::klp_shadow_free_all(self.id, dtor) };
        Ok(())
    }
}

/// Declares a structure a shadow variable can hold: implements [`ShadowData`] for it.
///
/// Checked at compile time: every field is [`ShadowData`], and the structure has no [`Drop`] of
/// its own (it would run in atomic context; release resources in the fields' drops, or run code
/// at free time with a [`ShadowDtor`]). Generic structures are not supported.
///
/// # Examples
///
/// ```ignore
/// klp_shadow_data! {
///     /// The memory `dummy_alloc()` allocates and forgets: freed when the shadow variable is.
///     pub struct Leak(KBox<i32>);
/// }
/// ```
#[macro_export]
macro_rules! klp_shadow_data {
    // Each arm checks the fields of the structure it defines itself: there is no arm that would
    // implement `ShadowData` for a type defined elsewhere, or check fields other than the
    // definition's.
    (
        $(#[doc = $doc:expr])*
        $vis:vis struct $name:ident ($($fvis:vis $fty:ty),* $(,)?);
    ) => {
        $(#[doc = $doc])*
        $vis struct $name($($fvis $fty),*);
        const _: () = {
            $($crate::shadow::assert_shadow_data::<$fty>();)*
        };
        $crate::__klp_shadow_data_no_drop!($name);
        // SAFETY: Every field of the structure defined just above is `ShadowData`, and the
        // structure has no `Drop` of its own (both checked above): its values hold no pointer
        // into a module image and drop without sleeping.
        unsafe impl $crate::ShadowData for $name {}
    };
    (
        $(#[doc = $doc:expr])*
        $vis:vis struct $name:ident {
            $($(#[doc = $fdoc:expr])* $fvis:vis $field:ident : $fty:ty),* $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        $vis struct $name { $($(#[doc = $fdoc])* $fvis $field: $fty),* }
        const _: () = {
            $($crate::shadow::assert_shadow_data::<$fty>();)*
        };
        $crate::__klp_shadow_data_no_drop!($name);
        // SAFETY: As in the tuple structure arm.
        unsafe impl $crate::ShadowData for $name {}
    };
}

/// Fails the build if `$name` implements [`Drop`]; emits no `unsafe`, so calling it alone
/// proves nothing and allows nothing.
#[doc(hidden)]
#[macro_export]
macro_rules! __klp_shadow_data_no_drop {
    ($name:ident) => {
        // A structure with its own `Drop` gets two implementations of `NoCustomDrop`: a
        // "conflicting implementations" error.
        const _: () = {
            trait NoCustomDrop {}
            #[expect(drop_bounds)]
            impl<T: ::core::ops::Drop> NoCustomDrop for T {}
            impl NoCustomDrop for $name {}
            const fn no_custom_drop<T: NoCustomDrop>() {}
            no_custom_drop::<$name>();
        };
    };
}
