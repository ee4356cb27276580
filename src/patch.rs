// SPDX-License-Identifier: GPL-2.0

//! Patches, objects, functions and (un)patch callbacks.
//!
//! C header: [`include/linux/livepatch.h`](srctree/include/linux/livepatch.h)

use crate::{
    bindings,
    ctype::{CType, HasCType, Signature},
    state::{State, StateTable},
};
use core::{alloc::Layout, cell::UnsafeCell, ffi::c_void, ptr, ptr::NonNull};
use kernel::{
    alloc::{allocator::Kmalloc, AllocError, Allocator},
    error::from_result,
    prelude::*,
    str::CStr,
    types::Opaque,
    ThisModule,
};

/// The address of a replacement function, made by [`klp_func!`](crate::klp_func) from safe Rust
/// code.
///
/// # Invariants
///
/// `0` is the address of an `extern "C"` function whose parameters and return value are those of
/// the C function it is meant to replace, as declared in the [`klp_func!`](crate::klp_func)
/// invocation.
#[derive(Clone, Copy)]
pub struct Replacement {
    func: *const c_void,
    signature: Signature,
}

// SAFETY: `Replacement` is the address of code; it is never dereferenced as data.
unsafe impl Sync for Replacement {}
// SAFETY: As above.
unsafe impl Send for Replacement {}

impl Replacement {
    /// Wraps the address of a replacement function.
    ///
    /// # Safety
    ///
    /// `func` must be an `extern "C"` function whose C signature is the signature of every
    /// function it is given to replace with [`Func::new`]: the livepatch core redirects calls of
    /// the old function to it with the old function's arguments.
    #[doc(hidden)]
    pub const unsafe fn from_raw(func: *const c_void, signature: Signature) -> Self {
        Self { func, signature }
    }

    /// The C signature the replacement declares, for the build-time check.
    #[doc(hidden)]
    pub const fn signature(&self) -> &Signature {
        &self.signature
    }
}

/// A parameter type of a replacement function: the C type it stands for.
///
/// [`klp_func!`](crate::klp_func) declares the `extern "C"` function with the [`FfiArg::Raw`] types
/// and hands the safe Rust function the values [`FromRaw::from_raw`] converts, for the duration of
/// the call.
///
/// # Safety
///
/// `Raw` is the C type the parameter stands for, with its size, alignment and calling convention.
pub unsafe trait FfiArg: Sized {
    /// The C type of the parameter.
    type Raw;
    /// The C type, for the build-time check of the replaced function's signature.
    const C_TYPE: CType;
}

/// Converts a C argument to its Rust parameter type, for one call of a replacement function.
///
/// `'call` is the duration of the call: [`klp_func!`](crate::klp_func) gives it a local lifetime,
/// so a parameter type that names a longer lifetime (`&'static SeqFile`) fails to build, and a
/// borrowed argument cannot be kept past the call. Types that hold no borrow convert for every
/// `'call`.
///
/// # Safety
///
/// Implementers must ensure that [`FromRaw::from_raw`] creates a valid value of `Self`, valid for
/// `'call`, from any `Raw` value that a C caller passes for a parameter of this C type.
pub unsafe trait FromRaw<'call>: FfiArg {
    /// Converts the C argument.
    ///
    /// # Safety
    ///
    /// `raw` is the argument a C caller passed to the replaced function, and `'call` does not
    /// outlive that call.
    unsafe fn from_raw(raw: Self::Raw) -> Self;
}

/// The scope of one call of a replacement function: its arguments do not outlive it.
#[doc(hidden)]
pub struct CallScope(());

impl CallScope {
    /// The scope of the running call.
    ///
    /// # Safety
    ///
    /// Only [`klp_func!`](crate::klp_func) creates one, as a local of the replacement function, so
    /// a borrow of it ends before the call returns.
    #[doc(hidden)]
    pub const unsafe fn new() -> Self {
        Self(())
    }

    /// Converts the argument `raw` of the running call, for no longer than the call.
    ///
    /// # Safety
    ///
    /// `raw` is the argument a C caller passed for this parameter of the replaced function.
    #[doc(hidden)]
    pub unsafe fn arg<'call, T: FromRaw<'call>>(&'call self, raw: T::Raw) -> T {
        // SAFETY: `raw` is the argument of the running call (the caller's guarantee), and `'call`
        // is bounded by `self`, a local of that call (see `CallScope::new`).
        unsafe { T::from_raw(raw) }
    }

    /// Ends the replacement function's work after its body has returned, so that the call of the
    /// body is not the function's last instruction: the compiler cannot turn it into a tail call
    /// (`jmp`), and the replacement's frame stays on the stack for as long as the body, or any
    /// function of the module it calls, runs.
    ///
    /// This is what makes the unpatching transition sound: before the livepatch module may be
    /// removed, the core waits until no task has a return address inside a replacement function
    /// (`klp_check_stack_func()` in `kernel/livepatch/transition.c` looks for
    /// `[new_func, new_func + new_size)` only). A replacement that tail-called another function
    /// of the module would leave a task sleeping in that function invisible to the check, and
    /// `rmmod` would free the code it returns into. `make check` disassembles every replacement of
    /// the built modules and fails on a jump out of it.
    #[doc(hidden)]
    #[inline(always)]
    pub fn keep_frame() {
        // SAFETY: No instruction: the `asm!` block only stands for unknown effects on memory,
        // after the call that precedes it, which therefore cannot be the function's last.
        unsafe { core::arch::asm!("", options(nostack, preserves_flags)) };
    }
}

/// A return type of a replacement function: a C integer, `bool`, a [`ReturnPtr`] or `()`.
///
/// Not a raw pointer: what C trusts in a returned pointer is the author's claim ([`ReturnPtr`]).
///
/// # Safety
///
/// Values of the type are passed to C as the C return type of the same layout, which is
/// [`HasCType::C_TYPE`].
pub unsafe trait FfiRet: HasCType {}

/// Checks at compile time that `T` is a [`FfiRet`]; used by [`klp_func!`](crate::klp_func).
#[doc(hidden)]
pub const fn ffi_ret<T: FfiRet>() {}

macro_rules! impl_ffi_arg_identity {
    ($($t:ty),*) => {
        $(
            // SAFETY: The C type of the same name and layout.
            unsafe impl FfiArg for $t {
                type Raw = $t;
                const C_TYPE: CType = <$t as HasCType>::C_TYPE;
            }
            // SAFETY: Every bit pattern of a C integer is a valid value of the identical Rust
            // type (C's `bool` is 0 or 1), and the value holds no borrow.
            unsafe impl FromRaw<'_> for $t {
                unsafe fn from_raw(raw: $t) -> $t {
                    raw
                }
            }
            // SAFETY: The C type of the same name and layout.
            unsafe impl FfiRet for $t {}
        )*
    };
}
impl_ffi_arg_identity!(i8, u8, i16, u16, i32, u32, i64, u64, isize, usize, bool);

// SAFETY: `void`.
unsafe impl FfiRet for () {}

// SAFETY: A C pointer to `T`: the same layout as the Rust raw pointer.
unsafe impl<T: HasCType> FfiArg for *mut T {
    type Raw = *mut T;
    const C_TYPE: CType = <*mut T as HasCType>::C_TYPE;
}
// SAFETY: Every value is a valid raw pointer; dereferencing it needs `unsafe`, where the author
// states what the C code guarantees about it.
unsafe impl<T: HasCType> FromRaw<'_> for *mut T {
    unsafe fn from_raw(raw: *mut T) -> *mut T {
        raw
    }
}

// SAFETY: A C pointer to `const T`: the same layout as the Rust raw pointer.
unsafe impl<T: HasCType> FfiArg for *const T {
    type Raw = *const T;
    const C_TYPE: CType = <*const T as HasCType>::C_TYPE;
}
// SAFETY: As for `*mut T`.
unsafe impl<T: HasCType> FromRaw<'_> for *const T {
    unsafe fn from_raw(raw: *const T) -> *const T {
        raw
    }
}

/// A C structure that a replacement function borrows for the duration of the call, through a
/// pointer parameter: the parameter's type is `Option<&T>`, `None` where C passes `NULL`.
///
/// There is no `&T` parameter: that C never passes `NULL` for a `struct seq_file *` or a
/// `struct pt_regs *` is a fact about every caller of the replaced function, which nothing
/// checks (`__warn()` passes a `NULL` `regs`, `print_tickdevice()` a `NULL` `seq_file` from
/// SysRq-q). The replacement checks it, with `let Some(m) = m else { ... }`.
///
/// # Safety
///
/// `Self` is `#[repr(transparent)]` over `Opaque<Self::C>`, and a non-NULL `*mut Self::C`
/// argument of a running C function, valid for that call, is a valid `&Self` for the call (the
/// type's invariants hold for it).
pub unsafe trait CallArg {
    /// The C structure.
    type C;
    /// The C type of the pointer parameter, for the build-time check: `struct <name> *`, or
    /// `const struct <name> *` where the Rust type never writes through it.
    const C_TYPE: CType;
}

// SAFETY: `Option<&T>` has the layout and ABI of a nullable `*mut T::C` (`T` is transparent over
// `Opaque<T::C>`, the null pointer is `None`).
unsafe impl<T: CallArg> FfiArg for Option<&T> {
    type Raw = *mut T::C;
    const C_TYPE: CType = T::C_TYPE;
}

// SAFETY: `NULL` becomes `None`; any other pointer is the argument of a running call, a valid
// `&T` for the call (`CallArg`), and the reference lives for `'call`.
unsafe impl<'call, T: CallArg> FromRaw<'call> for Option<&'call T> {
    unsafe fn from_raw(raw: Self::Raw) -> Self {
        // SAFETY: `raw` is NULL or valid for `'call` (the caller's guarantee and `CallArg`).
        unsafe { raw.cast::<T>().as_ref() }
    }
}

/// A pointer returned to the C caller of a replacement function, with the validity and
/// ownership that the caller relies on.
///
/// A C caller trusts what a function returns: that a pointer is `NULL` or points at what the
/// C prototype says, with the ownership the function's contract gives (a `kmalloc()`ed object the
/// caller will `kfree()`, an element of a table that lives as long as the caller uses it, ...).
/// Nothing checks that contract, so a replacement returns a raw pointer only as an author claim:
/// [`ReturnPtr::new`] is `unsafe`. [`ReturnPtr::null`] is safe where the prototype allows `NULL`
/// (the author still decides that it does: C's callers may not check).
///
/// # Examples
///
/// ```ignore
/// klp_func! {
///     fn livepatch_fix1_dummy_alloc() -> ReturnPtr<Dummy> {
///         let Ok(d) = KBox::new(Dummy::new(), GFP_KERNEL) else {
///             return ReturnPtr::null();
///         };
///         // SAFETY: `dummy_alloc()`'s callers own the `kmalloc()`ed dummy it returns, and free
///         // it with `dummy_free()` (`kfree()`).
///         unsafe { ReturnPtr::new(KBox::into_raw(d)) }
///     }
/// }
/// ```
#[repr(transparent)]
pub struct ReturnPtr<T>(*mut T);

impl<T> ReturnPtr<T> {
    /// `NULL`, for a function whose callers accept it.
    pub const fn null() -> Self {
        Self(ptr::null_mut())
    }

    /// Returns `ptr` to the C caller.
    ///
    /// # Safety
    ///
    /// `ptr` is what the replaced function's contract says it returns: `NULL` only where its
    /// callers accept it, otherwise valid for as long as and with the ownership that they
    /// assume (an object they free must be theirs to free, once).
    pub const unsafe fn new(ptr: *mut T) -> Self {
        Self(ptr)
    }
}

// SAFETY: A C pointer to the C type of `T`, as `*mut T`.
unsafe impl<T: HasCType> HasCType for ReturnPtr<T> {
    const C_TYPE: CType = <*mut T as HasCType>::C_TYPE;
}
// SAFETY: Transparent over `*mut T`, returned as the C pointer of the same layout.
unsafe impl<T: HasCType> FfiRet for ReturnPtr<T> {}

/// A function to replace: `old_name` in the object, by a [`Replacement`].
///
/// The Rust counterpart of `struct klp_func`.
///
/// [`module_livepatch!`](crate::module_livepatch) makes one for each `old_name => new_func`
/// of its `objects`, in a static table.
///
/// # Examples
///
/// ```ignore
/// Func::new(c_str!("cmdline_proc_show"), livepatch_cmdline_proc_show)
/// ```
#[derive(Clone, Copy)]
pub struct Func {
    old_name: &'static CStr,
    new_func: Replacement,
    old_sympos: usize,
}

impl Func {
    /// Replaces the function called `old_name` by `new_func`.
    pub const fn new(old_name: &'static CStr, new_func: Replacement) -> Self {
        Self {
            old_name,
            new_func,
            old_sympos: 0,
        }
    }

    /// Picks the `sympos`-th symbol called `old_name` in the object (kallsyms order, from 1),
    /// for names that are not unique. `0`, the default, requires a unique name.
    pub const fn sympos(mut self, sympos: usize) -> Self {
        self.old_sympos = sympos;
        self
    }
}

/// The state of a target module, as the module loader reports it (`enum module_state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModuleState {
    /// `MODULE_STATE_LIVE`: normal state.
    Live,
    /// `MODULE_STATE_COMING`: loading. Callbacks for a module that loads while the patch is
    /// enabled run in this state from `klp_module_coming()`, called by the module loader's
    /// `prepare_coming_module()`: before the module's init function runs and before its
    /// parameters are parsed.
    Coming,
    /// `MODULE_STATE_GOING`: going away.
    Going,
    /// `MODULE_STATE_UNFORMED`: still setting it up.
    Unformed,
}

/// A module being (un)patched, seen from a callback.
pub struct TargetModule<'a> {
    module: &'a Opaque<bindings::module>,
}

impl<'a> TargetModule<'a> {
    /// The module's name.
    pub fn name(&self) -> &'a CStr {
        // SAFETY: `name` is a NUL-terminated array inside the module, which the core keeps alive
        // while a callback runs (see `Target`).
        unsafe { CStr::from_char_ptr((*self.module.get()).name.as_ptr()) }
    }

    /// The module's state at the time of the call.
    pub fn state(&self) -> ModuleState {
        // SAFETY: The module is alive (see `name`); `state` is a plain integer the module loader
        // updates, read once here.
        let state = unsafe { ptr::read_volatile(ptr::addr_of!((*self.module.get()).state)) };
        match state {
            bindings::module_state_MODULE_STATE_LIVE => ModuleState::Live,
            bindings::module_state_MODULE_STATE_COMING => ModuleState::Coming,
            bindings::module_state_MODULE_STATE_GOING => ModuleState::Going,
            _ => ModuleState::Unformed,
        }
    }
}

/// The object a callback runs for: vmlinux or a loaded module.
///
/// # Invariants
///
/// `obj` is a `struct klp_object` of a registered patch, passed by the livepatch core to a
/// callback; the core holds `klp_mutex` and keeps the object, and its module if any, alive for
/// the duration of the callback. `patch` is that registered patch's `struct klp_patch`.
pub struct Target<'a> {
    pub(crate) obj: &'a Opaque<bindings::klp_object>,
    pub(crate) patch: *mut bindings::klp_patch,
}

impl<'a> Target<'a> {
    /// Whether the object is vmlinux.
    pub fn is_vmlinux(&self) -> bool {
        // SAFETY: `obj` is valid (type invariant); `name` is not changed by the core.
        unsafe { (*self.obj.get()).name.is_null() }
    }

    /// The object's name: the module name, or `vmlinux`.
    pub fn name(&self) -> &'a CStr {
        // SAFETY: `obj` is valid (type invariant).
        let name = unsafe { (*self.obj.get()).name };
        if name.is_null() {
            kernel::c_str!("vmlinux")
        } else {
            // SAFETY: A non-NULL `name` is the `&'static CStr` of a module object of a `PatchTable`
            // (`ObjectEntry::new`).
            unsafe { CStr::from_char_ptr(name) }
        }
    }

    /// The loaded target module, for a module object (`None` for vmlinux).
    pub fn module(&self) -> Option<TargetModule<'a>> {
        // SAFETY: `obj` is valid (type invariant); the core sets `mod` before calling callbacks.
        let module = unsafe { (*self.obj.get()).mod_ };
        (!module.is_null()).then(|| TargetModule {
            // SAFETY: A non-NULL `mod` is the live target module while the callback runs (type
            // invariant); `Opaque` allows the module loader's concurrent updates.
            module: unsafe { &*module.cast::<Opaque<bindings::module>>() },
        })
    }
}

/// A pre-patch closure behind a pointer. Not `dyn Fn`: its vtable would hold a copy of each
/// closure for `FnOnce` and `FnMut` too.
trait PatchFn: Send + Sync {
    fn call(&self, target: &Target<'_>) -> Result;
}

impl<F: Fn(&Target<'_>) -> Result + Send + Sync> PatchFn for F {
    fn call(&self, target: &Target<'_>) -> Result {
        self(target)
    }
}

/// Any other callback's closure behind a pointer (see [`PatchFn`]).
trait UnpatchFn: Send + Sync {
    fn call(&self, target: &Target<'_>);
}

impl<F: Fn(&Target<'_>) + Send + Sync> UnpatchFn for F {
    fn call(&self, target: &Target<'_>) {
        self(target)
    }
}

/// The closures of one object, as the shims find them.
#[derive(Default)]
struct Closures {
    pre_patch: Option<KBox<dyn PatchFn>>,
    post_patch: Option<KBox<dyn UnpatchFn>>,
    pre_unpatch: Option<KBox<dyn UnpatchFn>>,
    post_unpatch: Option<KBox<dyn UnpatchFn>>,
    /// The [`Slot`]s of the paired closures, each before the ones made before it: dropped after
    /// the closures, which point at them.
    slots: Option<KBox<dyn Kept>>,
}

/// The (un)patch callbacks of one object, as Rust closures: the `struct klp_callbacks` of a
/// `klp_object`, given to [`Patch::callbacks`].
///
/// Each closure is boxed: a closure that captures nothing allocates nothing. Builder methods
/// never fail: an allocation failure is kept and reported at registration, as `ENOMEM`.
///
/// # Examples
///
/// ```ignore
/// patch.callbacks(
///     VMLINUX,
///     Callbacks::new()
///         .pre_patch(|obj| {
///             pr_info!("pre_patch: {}\n", obj.name());
///             Ok(())
///         })
///         .post_unpatch(|obj| pr_info!("post_unpatch: {}\n", obj.name())),
/// )
/// ```
#[derive(Default)]
pub struct Callbacks {
    closures: Closures,
    error: Option<Error>,
}

impl Callbacks {
    /// No callbacks.
    pub fn new() -> Self {
        Self::default()
    }

    /// Boxes `f` as the closure type `T` (see [`into_dyn`]).
    fn boxed<F, T: ?Sized>(
        &mut self,
        f: F,
        coerce: impl FnOnce(*mut F) -> *mut T,
    ) -> Option<KBox<T>> {
        match new_box(f) {
            Ok(f) => Some(into_dyn(f, coerce)),
            Err(e) => {
                self.error.get_or_insert(e.into());
                None
            }
        }
    }

    /// Sets the pre-patch callback: runs before the object is patched. An `Err` stops the
    /// patching: `insmod` of the livepatch fails, or, when the patch is already enabled, the
    /// target module's load fails, with that error.
    pub fn pre_patch(mut self, f: impl Fn(&Target<'_>) -> Result + Send + Sync + 'static) -> Self {
        self.closures.pre_patch = self.boxed(f, |f| f as *mut dyn PatchFn);
        self
    }

    /// Sets the post-patch callback: runs after the object is patched and the patch is active
    /// in all tasks.
    pub fn post_patch(mut self, f: impl Fn(&Target<'_>) + Send + Sync + 'static) -> Self {
        self.closures.post_patch = self.boxed(f, |f| f as *mut dyn UnpatchFn);
        self
    }

    /// Sets the pre-unpatch callback: runs before the object is unpatched, only if the
    /// post-patch callback ran.
    pub fn pre_unpatch(mut self, f: impl Fn(&Target<'_>) + Send + Sync + 'static) -> Self {
        self.closures.pre_unpatch = self.boxed(f, |f| f as *mut dyn UnpatchFn);
        self
    }

    /// Sets the post-unpatch callback: runs after the object is unpatched and no task runs
    /// patched code. It is skipped only when a pre-patch callback set for the object failed;
    /// without a pre-patch callback it always runs (`klp_pre_patch_callback()` sets
    /// `post_unpatch_enabled` whether or not there is one).
    pub fn post_unpatch(mut self, f: impl Fn(&Target<'_>) + Send + Sync + 'static) -> Self {
        self.closures.post_unpatch = self.boxed(f, |f| f as *mut dyn UnpatchFn);
        self
    }

    /// Sets a pre-patch callback that acquires a value and a post-unpatch callback that
    /// receives it by value.
    ///
    /// The core runs post-unpatch only after a successful pre-patch, so `release` gets each
    /// value `acquire` returned exactly once: on normal unpatch, on a reversed or cancelled
    /// transition, when a target module goes away or fails to patch. Where the core skips the
    /// unpatch callbacks, when an atomic-replace patch replaces this one (only the new patch's
    /// callbacks run), the value is dropped without `release` when the livepatch module is
    /// unloaded: still exactly once.
    pub fn pre_patch_paired<T: Send + 'static>(
        mut self,
        acquire: impl Fn(&Target<'_>) -> Result<T> + Send + Sync + 'static,
        release: impl Fn(&Target<'_>, T) + Send + Sync + 'static,
    ) -> Self {
        let Some((fill, take)) = self.slot() else {
            return self;
        };
        self.pre_patch(move |obj| {
            let value = acquire(obj)?;
            // SAFETY: The shims run this closure (see `Slot`).
            unsafe { fill.put(value) };
            Ok(())
        })
        .post_unpatch(move |obj| {
            // SAFETY: The shims run this closure (see `Slot`).
            let value = unsafe { take.take() };
            if let Some(value) = value {
                release(obj, value);
            }
        })
    }

    /// Sets a post-patch callback that produces a value and a pre-unpatch callback that
    /// receives it by value.
    ///
    /// The core runs pre-unpatch only after post-patch ran (not on a reversed transition), so
    /// `release` gets each value `produce` returned exactly once when the object is unpatched,
    /// or its module goes away. A value the core never hands back (this patch was replaced by
    /// an atomic-replace patch) is dropped without `release` when the livepatch module is
    /// unloaded.
    pub fn post_patch_paired<T: Send + 'static>(
        mut self,
        produce: impl Fn(&Target<'_>) -> T + Send + Sync + 'static,
        release: impl Fn(&Target<'_>, T) + Send + Sync + 'static,
    ) -> Self {
        let Some((fill, take)) = self.slot() else {
            return self;
        };
        self.post_patch(move |obj| {
            let value = produce(obj);
            // SAFETY: The shims run this closure (see `Slot`).
            unsafe { fill.put(value) };
        })
        .pre_unpatch(move |obj| {
            // SAFETY: The shims run this closure (see `Slot`).
            let value = unsafe { take.take() };
            if let Some(value) = value {
                release(obj, value);
            }
        })
    }

    /// Allocates the slot a paired callback keeps its value in, owned by the closures.
    fn slot<T: Send + 'static>(&mut self) -> Option<(SlotRef<T>, SlotRef<T>)> {
        // The newest slot first: values are dropped in the reverse order of the pairs.
        match new_box((Slot(UnsafeCell::new(None)), self.closures.slots.take())) {
            Ok(slots) => {
                let slot = SlotRef(&raw const slots.0);
                self.closures.slots = Some(into_dyn(slots, |s| s as *mut dyn Kept));
                Some((slot, slot))
            }
            Err(e) => {
                self.error.get_or_insert(e.into());
                None
            }
        }
    }
}

/// The value a paired callback hands to its partner.
///
/// No lock: the two closures of a pair are stored in an object's [`Closures`], which only the
/// shims run, and the livepatch core calls the shims with `klp_mutex` held
/// (`kernel/livepatch/core.c` and `transition.c`: every `klp_*_callback()` caller holds it),
/// which serialises them.
///
/// # Invariants
///
/// Accessed only by the closures of one [`Callbacks`] pair, run by the shims.
struct Slot<T>(UnsafeCell<Option<T>>);

// SAFETY: Accesses are serialised by `klp_mutex` (type invariants); the value moves between
// threads, hence `T: Send`.
unsafe impl<T: Send> Sync for Slot<T> {}

/// The [`Slot`] of a pair, as its closures capture it.
///
/// # Invariants
///
/// Points at a [`Slot`] in the `slots` of the [`Closures`] that hold the closures capturing it,
/// which drop it after them.
struct SlotRef<T>(*const Slot<T>);

impl<T> Clone for SlotRef<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for SlotRef<T> {}

// SAFETY: The slot is `Sync` for `T: Send` (see `Slot`), and outlives the closures (type
// invariants).
unsafe impl<T: Send> Send for SlotRef<T> {}
// SAFETY: As above.
unsafe impl<T: Send> Sync for SlotRef<T> {}

impl<T> SlotRef<T> {
    /// Stores `value`, dropping a value left there.
    ///
    /// # Safety
    ///
    /// Called by a closure the shims run (see [`Slot`]).
    unsafe fn put(self, value: T) {
        // SAFETY: The slot outlives the closure (type invariants); accesses are serialised by
        // `klp_mutex` (the caller's guarantee).
        unsafe { *(*self.0).0.get() = Some(value) };
    }

    /// Takes the value.
    ///
    /// # Safety
    ///
    /// As for [`SlotRef::put`].
    unsafe fn take(self) -> Option<T> {
        // SAFETY: As in `put`.
        unsafe { (*(*self.0).0.get()).take() }
    }
}

/// `KBox::new(value)`, with the allocation made by code that is not generic: each closure type
/// would otherwise make its own copy of `KBox::new`.
fn new_box<T>(value: T) -> Result<KBox<T>, AllocError> {
    let ptr = if size_of::<T>() == 0 {
        NonNull::<T>::dangling()
    } else {
        alloc::<Kmalloc>(Layout::new::<T>())?.cast::<T>()
    };
    // SAFETY: `ptr` is valid for writing a `T`: a `Kmalloc` allocation of `T`'s layout, or
    // dangling and aligned for a zero-sized `T`.
    unsafe { ptr.as_ptr().write(value) };
    // SAFETY: As above, which is what `KBox::from_raw` requires; it holds a valid `T`.
    Ok(unsafe { KBox::from_raw(ptr.as_ptr()) })
}

/// Allocates `layout` with `A` (`Kmalloc`, as `KBox`), in one out-of-line copy per module.
///
/// Generic only so that it is compiled in the module that uses it, as non-generic functions of
/// this crate are, but not inlined: `#[inline(never)]` would keep a non-generic function in this
/// crate's own object, which no module links.
#[inline(never)]
fn alloc<A: Allocator>(layout: Layout) -> Result<NonNull<u8>, AllocError> {
    Ok(A::alloc(layout, GFP_KERNEL)?.cast())
}

/// An object of a [`module_livepatch!`](crate::module_livepatch) patch, named in its `objects`:
/// which object [`Patch::callbacks`] sets the callbacks of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ObjectId(usize);

impl ObjectId {
    /// The `index`-th object of the patch; made by [`module_livepatch!`](crate::module_livepatch).
    #[doc(hidden)]
    pub const fn new(index: usize) -> Self {
        Self(index)
    }
}

/// What the library keeps with the functions of each object: its closures and its patch.
///
/// # Invariants
///
/// `closures` is written only by [`Patch::callbacks`] (module initialisation, before
/// registration) and by [`Tables`]' drop (after the core released the patch); the shims read it
/// in between.
#[repr(C)]
struct ObjectData {
    closures: UnsafeCell<Closures>,
    patch: *mut bindings::klp_patch,
}

/// The static function table of one object: its [`ObjectData`], then the `klp_func` array that
/// `klp_object.funcs` points at, terminated. Emitted by
/// [`module_livepatch!`](crate::module_livepatch).
///
/// # Invariants
///
/// `funcs` hold the functions given to [`FuncTable::new`], with `'static` names, and `data.patch`
/// its patch; `end` is all zeroes.
#[doc(hidden)]
#[repr(C)]
pub struct FuncTable<const N: usize> {
    data: ObjectData,
    funcs: [Opaque<bindings::klp_func>; N],
    end: Opaque<bindings::klp_func>,
}

// SAFETY: The livepatch core accesses the `klp_func`s under `klp_mutex`; `data` is written only
// before registration and after the core released the patch (`ObjectData` invariants), and the
// closures are `Send + Sync`.
unsafe impl<const N: usize> Sync for FuncTable<N> {}

/// A zeroed C structure, for the fields the core initialises (kobjects, lists).
const fn zeroed<T>() -> Opaque<T> {
    // SAFETY: The livepatch structures are integers, pointers and options of function pointers,
    // plus opaque kernel structures, all valid when zero (C declares them zeroed too).
    Opaque::new(unsafe { core::mem::zeroed() })
}

impl<const N: usize> FuncTable<N> {
    /// The functions `funcs` of an object of the patch `patch` (see [`PatchTable::klp_patch`]).
    pub const fn new(patch: *mut bindings::klp_patch, funcs: [Func; N]) -> Self {
        let mut table = Self {
            data: ObjectData {
                closures: UnsafeCell::new(Closures {
                    pre_patch: None,
                    post_patch: None,
                    pre_unpatch: None,
                    post_unpatch: None,
                    slots: None,
                }),
                patch,
            },
            funcs: [const { zeroed() }; N],
            end: zeroed(),
        };
        let mut i = 0;
        while i < N {
            // SAFETY: All-zero is a valid `klp_func` (see `zeroed`).
            let mut func: bindings::klp_func = unsafe { core::mem::zeroed() };
            func.old_name = funcs[i].old_name.as_char_ptr();
            func.new_func = funcs[i].new_func.func.cast_mut();
            func.old_sympos = funcs[i].old_sympos as _;
            table.funcs[i] = Opaque::new(func);
            i += 1;
        }
        table
    }

    /// `klp_object.funcs` of the object whose table `this` is.
    pub const fn funcs(this: *const Self) -> *mut bindings::klp_func {
        this.cast::<u8>()
            .wrapping_add(FUNCS_OFFSET)
            .cast::<bindings::klp_func>()
            .cast_mut()
    }
}

/// Where the `klp_func` array starts in every [`FuncTable`]: the same for every `N`.
const FUNCS_OFFSET: usize = core::mem::offset_of!(FuncTable<0>, funcs);

/// A static object of a [`PatchTable`]: vmlinux or a module, and its function table.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct ObjectEntry {
    name: Option<&'static CStr>,
    funcs: *mut bindings::klp_func,
}

impl ObjectEntry {
    /// The object `name` (a module) or vmlinux (`None`), whose functions are
    /// [`FuncTable::funcs`] of its table. A module name is checked at compile time: not empty
    /// (the core would register a kobject without a name: a `WARN`, found by an adversarial
    /// pass) and shorter than `MODULE_NAME_LEN` (which `klp_init_object()` refuses).
    pub const fn new(name: Option<&'static CStr>, funcs: *mut bindings::klp_func) -> Self {
        if let Some(name) = name {
            assert!(
                !name.is_empty() && name.len_with_nul() <= MODULE_NAME_LEN,
                "a klp_object is vmlinux or a module: its name has 1 to 55 characters"
            );
        }
        Self { name, funcs }
    }
}

/// `MODULE_NAME_LEN` (`include/linux/module.h`): `64 - sizeof(unsigned long)`.
const MODULE_NAME_LEN: usize = 64 - core::mem::size_of::<core::ffi::c_ulong>();

/// The static `klp_patch` of a livepatch module and its `klp_object` array, terminated; emitted
/// by [`module_livepatch!`](crate::module_livepatch).
///
/// # Invariants
///
/// `patch.objs` points at `objs`; each object's `funcs` is the `funcs` of a [`FuncTable`] whose
/// `data.patch` is `patch`. Until registration only the module's initialisation accesses the
/// table ([`Patch`]); then the livepatch core, under `klp_mutex`, until it releases the patch.
#[doc(hidden)]
#[repr(C)]
pub struct PatchTable<const M: usize> {
    patch: Opaque<bindings::klp_patch>,
    objs: [Opaque<bindings::klp_object>; M],
    end: Opaque<bindings::klp_object>,
}

// SAFETY: See the type invariants: the core serialises its accesses with `klp_mutex`.
unsafe impl<const M: usize> Sync for PatchTable<M> {}

impl<const M: usize> PatchTable<M> {
    /// The table at `this`, for the objects `objs`.
    pub const fn new(this: *const Self, objs: [ObjectEntry; M]) -> Self {
        // SAFETY: All-zero is a valid `klp_patch` (see `zeroed`).
        let mut patch: bindings::klp_patch = unsafe { core::mem::zeroed() };
        patch.objs = this
            .cast::<u8>()
            .wrapping_add(core::mem::offset_of!(Self, objs))
            .cast::<bindings::klp_object>()
            .cast_mut();
        let mut table = Self {
            patch: Opaque::new(patch),
            objs: [const { zeroed() }; M],
            end: zeroed(),
        };
        let mut i = 0;
        while i < M {
            // SAFETY: All-zero is a valid `klp_object` (see `zeroed`).
            let mut obj: bindings::klp_object = unsafe { core::mem::zeroed() };
            obj.name = match objs[i].name {
                Some(name) => name.as_char_ptr(),
                None => ptr::null(),
            };
            obj.funcs = objs[i].funcs;
            table.objs[i] = Opaque::new(obj);
            i += 1;
        }
        table
    }

    /// The `klp_patch` of the table at `this`, for [`FuncTable::new`].
    pub const fn klp_patch(this: *const Self) -> *mut bindings::klp_patch {
        this.cast::<bindings::klp_patch>().cast_mut()
    }
}

/// Moves a boxed value behind the trait-object type `D` (6.12's `KBox` does not coerce: `coerce`
/// unsizes the raw pointer).
fn into_dyn<T, D: ?Sized>(value: KBox<T>, coerce: impl FnOnce(*mut T) -> *mut D) -> KBox<D> {
    let raw = coerce(KBox::into_raw(value));
    // SAFETY: `raw` is the pointer `KBox::into_raw` returned, unsized: the same allocation (or
    // dangling pointer, for a zero-sized value), holding the same value.
    unsafe { KBox::from_raw(raw) }
}

/// The static tables of a patch, seen from [`Patch`] and [`Registration`]; dropping it drops the
/// closures of every object.
///
/// # Invariants
///
/// `patch` and `objs` are those of a [`PatchTable`], accessed as its invariants say.
/// `drop_closures` is set once an object has closures.
struct Tables {
    patch: *mut bindings::klp_patch,
    objs: &'static [Opaque<bindings::klp_object>],
    /// [`drop_closures`], set by [`Patch::callbacks`]: a patch without callbacks does not
    /// contain the code.
    drop_closures: Option<fn(&Tables)>,
}

impl Tables {
    /// The data of object `i`.
    fn data(&self, i: usize) -> Option<&ObjectData> {
        let obj = self.objs.get(i)?;
        // SAFETY: `funcs` of an object of a `PatchTable` is the `funcs` of a static `FuncTable`
        // (type invariants), at `FUNCS_OFFSET` from its `ObjectData`.
        Some(unsafe {
            &*(*obj.get())
                .funcs
                .cast::<u8>()
                .sub(FUNCS_OFFSET)
                .cast::<ObjectData>()
        })
    }
}

/// Drops the closures of every object of `tables`, when it is dropped.
fn drop_closures(tables: &Tables) {
    for i in 0..tables.objs.len() {
        if let Some(data) = tables.data(i) {
            // SAFETY: Dropping the tables happens before registration or after the core released
            // the patch: no shim runs, nothing else accesses the closures (`ObjectData`).
            drop(core::mem::take(unsafe { &mut *data.closures.get() }));
        }
    }
}

impl Drop for Tables {
    fn drop(&mut self) {
        if let Some(drop_closures) = self.drop_closures {
            drop_closures(self);
        }
    }
}

/// A value a [`Patch`] keeps until the module is unloaded (see [`Patch::keep`]).
trait Kept: Send + Sync {}
impl<T: Send + Sync> Kept for T {}

/// The state table of a registered patch, behind a trait object: only patches with states
/// contain its code.
trait States {
    /// See [`StateTable::free_owned`].
    fn free_owned(&self);
}

impl States for StateTable {
    fn free_owned(&self) {
        StateTable::free_owned(self);
    }
}

/// Builds the state table of `patch` and hooks it up: `klp_patch.states`, and on every object
/// the post-patch and post-unpatch shims that record the end of the patch's own transitions,
/// for its states' data. Set by [`Patch::state`].
///
/// A patch with states must patch vmlinux (an object without functions will do, as in
/// `test_klp_state.c`): vmlinux is the one object whose callbacks always run in the patch's
/// transitions. With module objects alone, disabling the patch once every target module is gone
/// runs no callback, and the data could not be told from data a replacing C patch took over.
/// Fails with `EINVAL` otherwise.
///
/// # Safety
///
/// Before registration (see [`Patch::callbacks`]).
unsafe fn attach_states(patch: &Patch) -> Result<KBox<dyn States>> {
    let patches_vmlinux = patch.tables.objs.iter().any(|obj| {
        // SAFETY: Before registration, the module's initialisation alone accesses the tables
        // (the caller's guarantee); `name` is NULL for vmlinux.
        unsafe { (*obj.get()).name.is_null() }
    });
    if !patches_vmlinux {
        return Err(EINVAL);
    }
    let table = KBox::new(StateTable::new(&patch.states, patch.replace)?, GFP_KERNEL)?;
    // SAFETY: Before registration, the module's initialisation alone accesses the tables (the
    // caller's guarantee).
    unsafe {
        (*patch.tables.patch).states = table.as_ptr();
        for obj in patch.tables.objs {
            (*obj.get()).callbacks.post_patch = Some(post_patch_shim);
            (*obj.get()).callbacks.post_unpatch = Some(post_unpatch_shim);
        }
    }
    Ok(into_dyn(table, |t| t as *mut dyn States))
}

/// The type of [`attach_states`].
type AttachStates = unsafe fn(&Patch) -> Result<KBox<dyn States>>;

/// A livepatch being set up, by the `patch` function of
/// [`module_livepatch!`](crate::module_livepatch): the callbacks of its objects, the states it
/// modifies, atomic replace, and what it keeps until the module is unloaded.
///
/// The objects and functions are static ([`module_livepatch!`](crate::module_livepatch)'s
/// `objects`); the patch allocates only what the closures capture, its states and kept values.
/// Builder methods never fail: an error is kept and reported at registration. A module contains
/// the code of the features it uses only.
///
/// # Examples
///
/// ```ignore
/// fn patch(patch: Patch) -> Patch {
///     patch
///         .callbacks(VMLINUX, Callbacks::new().post_patch(|obj| pr_info!("{}\n", obj.name())))
///         .replace(true)
/// }
/// ```
pub struct Patch {
    tables: Tables,
    states: KVec<State>,
    /// [`attach_states`], set by [`Patch::state`].
    attach_states: Option<AttachStates>,
    /// The kept values, each with the ones kept before it.
    kept: Option<KBox<dyn Kept>>,
    replace: bool,
    error: Option<Error>,
    registry: crate::Registry,
}

impl Patch {
    /// The patch of `table`, with no callbacks.
    ///
    /// # Safety
    ///
    /// Called at most once per load of the module, by its initialisation, before anything else
    /// uses `table` ([`module_livepatch!`](crate::module_livepatch) does), in a module whose
    /// exit and failing init tear its registry down (see
    /// [`ModuleExit::new`](crate::registry::ModuleExit::new)).
    #[doc(hidden)]
    pub unsafe fn new<const M: usize>(table: &'static PatchTable<M>) -> Self {
        Self {
            tables: Tables {
                patch: table.patch.get(),
                objs: &table.objs,
                drop_closures: None,
            },
            states: KVec::new(),
            attach_states: None,
            kept: None,
            replace: false,
            error: None,
            // SAFETY: The caller's guarantee: this module's registry is torn down by its exit
            // and its failing init.
            registry: unsafe { crate::registry::Registry::new() },
        }
    }

    fn fail(&mut self, e: Error) {
        self.error.get_or_insert(e);
    }

    /// Sets the (un)patch callbacks of the object `object`.
    pub fn callbacks(mut self, object: ObjectId, callbacks: Callbacks) -> Self {
        if let Some(e) = callbacks.error {
            self.fail(e);
            return self;
        }
        let (Some(obj), Some(data)) = (self.tables.objs.get(object.0), self.tables.data(object.0))
        else {
            self.fail(EINVAL);
            return self;
        };
        let c = &callbacks.closures;
        // SAFETY: Before registration, the module's initialisation alone accesses the tables
        // (`PatchTable` invariants); `Patch` is its only handle to them.
        let cbs = unsafe { &mut (*obj.get()).callbacks };
        cbs.pre_patch = c.pre_patch.is_some().then_some(pre_patch_shim as _);
        cbs.post_patch = c.post_patch.is_some().then_some(post_patch_shim as _);
        cbs.pre_unpatch = c.pre_unpatch.is_some().then_some(pre_unpatch_shim as _);
        cbs.post_unpatch = c.post_unpatch.is_some().then_some(post_unpatch_shim as _);
        // SAFETY: As above.
        unsafe { *data.closures.get() = callbacks.closures };
        self.tables.drop_closures = Some(drop_closures);
        self
    }

    /// Declares a system state the patch modifies (`klp_patch.states`); can be repeated. See
    /// [`State`] and the [`state`](crate::state) module: callbacks reach the state through
    /// [`Target::state`], and the core refuses a patch incompatible with the installed states.
    pub fn state(mut self, state: State) -> Self {
        if let Err(e) = self.states.push(state, GFP_KERNEL) {
            self.fail(e.into());
        }
        self.attach_states = Some(attach_states);
        self
    }

    /// Keeps `value` until the livepatch module is unloaded, then drops it.
    ///
    /// For what the module needs while it is loaded and releases on unload, as C's module exit
    /// function would: a `free_all` of shadow variables in a `Drop`, say. It is dropped after the
    /// core has released the patch (or when registration fails), after the values kept before
    /// it.
    ///
    /// # Examples
    ///
    /// ```ignore
    /// patch.keep(FreeAllLeaks)
    /// ```
    pub fn keep<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        match new_box((self.kept.take(), value)) {
            Ok(kept) => self.kept = Some(into_dyn(kept, |k| k as *mut dyn Kept)),
            Err(e) => self.fail(e.into()),
        }
        self
    }

    /// Creates the directory `/sys/kernel/<name>` with the read-only `files`, removed when the
    /// module is unloaded or its load fails (`kobject_create_and_add(name, kernel_kobj)`,
    /// `sysfs_create_file()`).
    ///
    /// The directory is registered with the module's registry, which the generated exit and
    /// load-failure paths tear down: its files call this module's code, so nothing the module
    /// does with the `Patch` (forgetting it included) keeps it past the module's memory. An
    /// empty name, or one with a `/` (of the directory or a file), or two files of one name fail
    /// the load with `EINVAL`; a directory that exists already, with `EEXIST`.
    ///
    /// # Examples
    ///
    /// ```ignore
    /// static NPIDS_ATTR: RoAttribute = RoAttribute::new(c_str!("npids"), npids_show);
    ///
    /// patch.kernel_dir(c_str!("test_klp_syscall"), &[&NPIDS_ATTR])
    /// ```
    pub fn kernel_dir(mut self, name: &CStr, files: &[&'static crate::RoAttribute]) -> Self {
        // A `Patch` exists only in the init that `module_livepatch!` generates (`Patch::new`),
        // whose exit and failure paths tear the registry down.
        if let Err(e) = crate::stand_in::sysfs::create_dir(name, files) {
            self.fail(e);
        }
        self
    }

    /// The module's registry, for the work items, completions and directories the `patch`
    /// function sets up ([`StaticWork::init`](crate::StaticWork::init), ...): the module's exit,
    /// or its failing load, tears them down.
    pub fn registry(&self) -> &crate::Registry {
        &self.registry
    }

    /// Atomic replace: when enabled, this patch replaces all patches enabled before it, which
    /// are then disabled (`klp_patch.replace`).
    pub fn replace(mut self, replace: bool) -> Self {
        self.replace = replace;
        self
    }

    /// Hands the patch to the livepatch core with `klp_enable_patch()`.
    ///
    /// # Safety
    ///
    /// The returned registration must not be dropped before the module's reference count has
    /// dropped to zero (i.e. only from the module's exit function): the core keeps using the
    /// patch, and holds a module reference, until a disable through sysfs has completed.
    #[doc(hidden)]
    pub unsafe fn register(mut self, module: &'static ThisModule) -> Result<Registration> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let states = match self.attach_states {
            // SAFETY: Not registered yet.
            Some(attach) => Some(unsafe { attach(&self) }?),
            None => None,
        };
        let patch = self.tables.patch;
        // SAFETY: Before registration, only the module's initialisation accesses the tables.
        unsafe {
            (*patch).mod_ = module.as_ptr().cast();
            (*patch).replace = self.replace;
        }
        let reg = Registration {
            _tables: self.tables,
            states,
            _kept: self.kept,
        };
        // SAFETY: `patch` is a fully initialised static `klp_patch` whose objects and functions
        // are terminated static arrays (`PatchTable` invariants), whose closures and states live
        // as long as `reg`, which the caller keeps until the core is done with the patch. Names
        // are `'static`; replacement functions live in this module's text.
        let ret = unsafe { bindings::klp_enable_patch(patch) };
        if let Err(e) = kernel::error::to_result(ret) {
            // The core has released the patch: it never took effect, so no other patch holds
            // data its callbacks allocated.
            if let Some(states) = &reg.states {
                states.free_owned();
            }
            return Err(e);
        }
        Ok(reg)
    }
}

/// What a [`module_livepatch!`](crate::module_livepatch) `patch` function returns: a [`Patch`],
/// or a `Result<Patch>` for one that can fail.
pub trait IntoPatch {
    /// The patch, or the error that fails the module's load.
    fn into_patch(self) -> Result<Patch>;
}

impl IntoPatch for Patch {
    fn into_patch(self) -> Result<Patch> {
        Ok(self)
    }
}

impl IntoPatch for Result<Patch> {
    fn into_patch(self) -> Result<Patch> {
        self
    }
}

/// A patch handed to the livepatch core with `klp_enable_patch()`.
///
/// # Invariants
///
/// The patch of `tables` has been enabled, with `states` as its `klp_patch.states`. Dropped only
/// after the core released the patch: then the closures, the states' data and the kept values.
pub struct Registration {
    _tables: Tables,
    states: Option<KBox<dyn States>>,
    _kept: Option<KBox<dyn Kept>>,
}

// SAFETY: The C structures are only used by the livepatch core, under its `klp_mutex`; the
// closures and kept values are `Send + Sync`.
unsafe impl Send for Registration {}
// SAFETY: As above; `Registration` has no methods that access the C structures.
unsafe impl Sync for Registration {}

/// Returns the closures and the target view of `obj`.
///
/// # Safety
///
/// `obj` is a `klp_object` the core passed to one of the callbacks installed by
/// [`Patch::callbacks`] or [`Patch::register`], which install them only in a [`PatchTable`].
unsafe fn view<'a>(obj: *mut bindings::klp_object) -> (&'a Closures, Target<'a>) {
    // SAFETY: `obj->funcs` is the `funcs` of a static `FuncTable` (`PatchTable` invariants).
    let data = unsafe {
        &*(*obj)
            .funcs
            .cast::<u8>()
            .sub(FUNCS_OFFSET)
            .cast::<ObjectData>()
    };
    let target = Target {
        // SAFETY: The core calls callbacks under `klp_mutex` with a live object (and target
        // module).
        obj: unsafe { &*obj.cast::<Opaque<bindings::klp_object>>() },
        patch: data.patch,
    };
    // SAFETY: The closures are not written while the patch is registered (`ObjectData`
    // invariants), and it is while a callback runs.
    (unsafe { &*data.closures.get() }, target)
}

// The shims below are `extern "C"`: a panic in a callback cannot unwind into C (the kernel
// builds Rust with `panic=abort`, and a panic is a `BUG()`).

/// Runs the object's pre-patch closure; its `Err` becomes the `-ERRNO` the core sees.
///
/// # Safety
///
/// Only the livepatch core calls this, through the `klp_callbacks` of a [`PatchTable`]'s object.
unsafe extern "C" fn pre_patch_shim(obj: *mut bindings::klp_object) -> core::ffi::c_int {
    // SAFETY: The core calls this shim only for objects where `Patch::callbacks` installed it.
    let (closures, target) = unsafe { view(obj) };
    from_result(|| {
        if let Some(f) = &closures.pre_patch {
            f.call(&target)?;
        }
        Ok(0)
    })
}

macro_rules! unpatch_shim {
    ($name:ident, $field:ident) => {
        /// Runs the object's closure for this callback.
        ///
        /// # Safety
        ///
        /// Only the livepatch core calls this, through the `klp_callbacks` of a
        /// [`PatchTable`]'s object.
        unsafe extern "C" fn $name(obj: *mut bindings::klp_object) {
            // SAFETY: The core calls this shim only for objects where `Patch::callbacks`
            // installed it.
            let (closures, target) = unsafe { view(obj) };
            if let Some(f) = &closures.$field {
                f.call(&target);
            }
        }
    };
}
unpatch_shim!(pre_unpatch_shim, pre_unpatch);

macro_rules! post_shim {
    ($name:ident, $field:ident, $patched:literal) => {
        /// Runs the object's closure for this callback, then, for a patch with states and a
        /// callback of its own transition, records the end of that transition for its states'
        /// data (see [`StateTable::transition_done`]).
        ///
        /// # Safety
        ///
        /// Only the livepatch core calls this, through the `klp_callbacks` of a
        /// [`PatchTable`]'s object.
        unsafe extern "C" fn $name(obj: *mut bindings::klp_object) {
            // SAFETY: The core calls this shim only for objects where `Patch::callbacks` or
            // `attach_states` installed it.
            let (closures, target) = unsafe { view(obj) };
            if let Some(f) = &closures.$field {
                f.call(&target);
            }
            if target.transition().is_some() {
                // SAFETY: `target.patch` is the registered patch of this library this callback
                // runs for, in its transition (`Target::transition`); post-patch callbacks run
                // when a patching transition completes, post-unpatch ones when an unpatching
                // transition does (`klp_complete_transition()`, `kernel/livepatch/transition.c`).
                unsafe { StateTable::transition_done(target.patch, $patched) };
            }
        }
    };
}
post_shim!(post_patch_shim, post_patch, true);
post_shim!(post_unpatch_shim, post_unpatch, false);
