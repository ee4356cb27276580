// SPDX-License-Identifier: GPL-2.0

//! Patches, objects, functions and (un)patch callbacks.
//!
//! C header: [`include/linux/livepatch.h`](srctree/include/linux/livepatch.h)

use super::{
    bindings,
    state::{State, StateTable},
};
use core::{ffi::c_void, marker::PhantomPinned, pin::Pin, ptr};
use kernel::{
    error::from_result,
    prelude::*,
    str::CStr,
    sync::{Arc, Mutex},
    types::Opaque,
    ThisModule,
};

/// The address of a replacement function, made by [`klp_func!`] from safe Rust code.
///
/// # Invariants
///
/// `0` is the address of an `extern "C"` function whose parameters and return value are those of
/// the C function it is meant to replace, as declared in the [`klp_func!`] invocation.
#[derive(Clone, Copy)]
pub struct Replacement(*const c_void);

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
    pub const unsafe fn from_raw(func: *const c_void) -> Self {
        Self(func)
    }
}

/// A parameter type of a replacement function: the C type it stands for.
///
/// [`klp_func!`] declares the `extern "C"` function with the [`FfiArg::Raw`] types and hands the
/// safe Rust function the values [`FromRaw::from_raw`] converts, for the duration of the call.
///
/// # Safety
///
/// `Raw` is the C type the parameter stands for, with its size, alignment and calling convention.
pub unsafe trait FfiArg: Sized {
    /// The C type of the parameter.
    type Raw;
}

/// Converts a C argument to its Rust parameter type, for one call of a replacement function.
///
/// `'call` is the duration of the call: [`klp_func!`] gives it a local lifetime, so a parameter
/// type that names a longer lifetime (`&'static SeqFile`) fails to build, and a borrowed argument
/// cannot be kept past the call. Types that hold no borrow convert for every `'call`.
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
    /// Only [`klp_func!`] creates one, as a local of the replacement function, so a borrow of it
    /// ends before the call returns.
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
}

/// A return type of a replacement function: a C integer, `bool`, a raw pointer or `()`.
///
/// # Safety
///
/// Values of the type are passed to C as the C return type of the same layout.
pub unsafe trait FfiRet {}

/// Checks at compile time that `T` is a [`FfiRet`]; used by [`klp_func!`].
#[doc(hidden)]
pub const fn ffi_ret<T: FfiRet>() {}

macro_rules! impl_ffi_arg_identity {
    ($($t:ty),*) => {
        $(
            // SAFETY: The C type of the same name and layout.
            unsafe impl FfiArg for $t {
                type Raw = $t;
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
unsafe impl<T> FfiArg for *mut T {
    type Raw = *mut T;
}
// SAFETY: Every value is a valid raw pointer; dereferencing it needs `unsafe`, where the author
// states what the C code guarantees about it.
unsafe impl<T> FromRaw<'_> for *mut T {
    unsafe fn from_raw(raw: *mut T) -> *mut T {
        raw
    }
}
// SAFETY: As for `FfiArg`.
unsafe impl<T> FfiRet for *mut T {}

// SAFETY: A C pointer to `const T`: the same layout as the Rust raw pointer.
unsafe impl<T> FfiArg for *const T {
    type Raw = *const T;
}
// SAFETY: As for `*mut T`.
unsafe impl<T> FromRaw<'_> for *const T {
    unsafe fn from_raw(raw: *const T) -> *const T {
        raw
    }
}
// SAFETY: As for `FfiArg`.
unsafe impl<T> FfiRet for *const T {}

// SAFETY: `struct seq_file *`.
unsafe impl FfiArg for &super::SeqFile {
    type Raw = *mut bindings::seq_file;
}

// SAFETY: A `struct seq_file *` argument of a replaced `show()` function is valid for the call,
// which is what `SeqFile::from_raw` needs, and the reference lives for `'call`.
unsafe impl<'call> FromRaw<'call> for &'call super::SeqFile {
    unsafe fn from_raw(raw: Self::Raw) -> Self {
        // SAFETY: The caller guarantees `raw` is the argument of a running `show()` call, and
        // that `'call` ends with it.
        unsafe { super::SeqFile::from_raw(raw) }
    }
}

/// A function to replace: `old_name` in the object, by a [`Replacement`].
///
/// The Rust counterpart of `struct klp_func`.
///
/// # Examples
///
/// ```ignore
/// Func::new(c_str!("cmdline_proc_show"), livepatch_cmdline_proc_show)
/// ```
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
    pub(super) obj: &'a Opaque<bindings::klp_object>,
    pub(super) patch: *mut bindings::klp_patch,
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
            // SAFETY: A non-NULL `name` is the `&'static CStr` given to `Object::module`.
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

type PatchFn = dyn Fn(&Target<'_>) -> Result + Send + Sync;
type UnpatchFn = dyn Fn(&Target<'_>) + Send + Sync;

/// The callbacks of one object.
#[derive(Default)]
struct Callbacks {
    pre_patch: Option<Arc<PatchFn>>,
    post_patch: Option<Arc<UnpatchFn>>,
    pre_unpatch: Option<Arc<UnpatchFn>>,
    post_unpatch: Option<Arc<UnpatchFn>>,
}

/// A kernel object to patch: vmlinux or a module, its functions and its callbacks.
///
/// The Rust counterpart of `struct klp_object`. Builder methods never fail: an allocation failure
/// is kept and reported by [`Patch`] registration, as `ENOMEM`.
///
/// # Examples
///
/// ```ignore
/// Object::vmlinux()
///     .func(Func::new(c_str!("cmdline_proc_show"), livepatch_cmdline_proc_show))
///     .pre_patch(|obj| {
///         pr_info!("pre_patch: {}\n", obj.name());
///         Ok(())
///     })
/// ```
pub struct Object {
    name: Option<&'static CStr>,
    funcs: KVec<Func>,
    callbacks: Callbacks,
    error: Option<Error>,
}

impl Object {
    fn new(name: Option<&'static CStr>) -> Self {
        Self {
            name,
            funcs: KVec::new(),
            callbacks: Callbacks::default(),
            error: None,
        }
    }

    /// The kernel image (`klp_object.name == NULL`).
    pub fn vmlinux() -> Self {
        Self::new(None)
    }

    /// The module called `name`, patched whenever it is loaded.
    pub fn module(name: &'static CStr) -> Self {
        Self::new(Some(name))
    }

    fn fail(&mut self, e: impl Into<Error>) {
        self.error.get_or_insert(e.into());
    }

    fn boxed<F, T: ?Sized>(
        &mut self,
        f: F,
        coerce: impl FnOnce(Arc<F>) -> Arc<T>,
    ) -> Option<Arc<T>> {
        match Arc::new(f, GFP_KERNEL) {
            Ok(f) => Some(coerce(f)),
            Err(e) => {
                self.fail(e);
                None
            }
        }
    }

    /// Adds a function to replace.
    pub fn func(mut self, func: Func) -> Self {
        if let Err(e) = self.funcs.push(func, GFP_KERNEL) {
            self.fail(e);
        }
        self
    }

    /// Sets the pre-patch callback: runs before the object is patched. An `Err` stops the
    /// patching: `insmod` of the livepatch fails, or, when the patch is already enabled, the
    /// target module's load fails, with that error.
    pub fn pre_patch(mut self, f: impl Fn(&Target<'_>) -> Result + Send + Sync + 'static) -> Self {
        self.callbacks.pre_patch = self.boxed(f, |f| f as Arc<PatchFn>);
        self
    }

    /// Sets the post-patch callback: runs after the object is patched and the patch is active
    /// in all tasks.
    pub fn post_patch(mut self, f: impl Fn(&Target<'_>) + Send + Sync + 'static) -> Self {
        self.callbacks.post_patch = self.boxed(f, |f| f as Arc<UnpatchFn>);
        self
    }

    /// Sets the pre-unpatch callback: runs before the object is unpatched, only if the
    /// post-patch callback ran.
    pub fn pre_unpatch(mut self, f: impl Fn(&Target<'_>) + Send + Sync + 'static) -> Self {
        self.callbacks.pre_unpatch = self.boxed(f, |f| f as Arc<UnpatchFn>);
        self
    }

    /// Sets the post-unpatch callback: runs after the object is unpatched and no task runs
    /// patched code. It is skipped only when a pre-patch callback set for the object failed;
    /// without a pre-patch callback it always runs (`klp_pre_patch_callback()` sets
    /// `post_unpatch_enabled` whether or not there is one).
    pub fn post_unpatch(mut self, f: impl Fn(&Target<'_>) + Send + Sync + 'static) -> Self {
        self.callbacks.post_unpatch = self.boxed(f, |f| f as Arc<UnpatchFn>);
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
            *fill.lock() = Some(value);
            Ok(())
        })
        .post_unpatch(move |obj| {
            let value = take.lock().take();
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
            *fill.lock() = Some(value);
        })
        .pre_unpatch(move |obj| {
            let value = take.lock().take();
            if let Some(value) = value {
                release(obj, value);
            }
        })
    }

    /// Allocates the slot a paired callback keeps its value in, twice referenced.
    #[expect(clippy::type_complexity)]
    fn slot<T: Send + 'static>(
        &mut self,
    ) -> Option<(Arc<Mutex<Option<T>>>, Arc<Mutex<Option<T>>>)> {
        match Arc::pin_init(kernel::new_mutex!(None), GFP_KERNEL) {
            Ok(slot) => Some((slot.clone(), slot)),
            Err(e) => {
                self.fail(e);
                None
            }
        }
    }
}

/// A livepatch: the objects it patches, and how it combines with other patches.
///
/// The Rust counterpart of `struct klp_patch`, registered by [`module_livepatch!`] when the
/// module loads. Builder methods never fail: an allocation failure is kept and reported at
/// registration, as `ENOMEM`.
///
/// # Examples
///
/// ```ignore
/// fn patch() -> Patch {
///     Patch::new().object(
///         Object::vmlinux().func(Func::new(c_str!("cmdline_proc_show"), livepatch_cmdline_proc_show)),
///     )
/// }
/// ```
#[derive(Default)]
pub struct Patch {
    objects: KVec<Object>,
    states: KVec<State>,
    kept: KVec<Arc<dyn Kept>>,
    replace: bool,
    error: Option<Error>,
}

/// A value a [`Patch`] keeps until the module is unloaded (see [`Patch::keep`]).
trait Kept: Send + Sync {}
impl<T: Send + Sync> Kept for T {}

impl Patch {
    /// An empty patch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an object to patch.
    pub fn object(mut self, object: Object) -> Self {
        if let Err(e) = self.objects.push(object, GFP_KERNEL) {
            self.error.get_or_insert(e.into());
        }
        self
    }

    /// Declares a system state the patch modifies (`klp_patch.states`); can be repeated. See
    /// [`State`] and the [`state`](super::state) module: callbacks reach the state through
    /// [`Target::state`], and the core refuses a patch incompatible with the installed states.
    pub fn state(mut self, state: State) -> Self {
        if let Err(e) = self.states.push(state, GFP_KERNEL) {
            self.error.get_or_insert(e.into());
        }
        self
    }

    /// Keeps `value` until the livepatch module is unloaded, then drops it.
    ///
    /// For what the module needs while it is loaded and releases on unload, as C's module exit
    /// function would: a `free_all` of shadow variables in a `Drop`, say. It is dropped after the
    /// core has released the patch (or when registration fails).
    ///
    /// # Examples
    ///
    /// ```ignore
    /// Patch::new().object(object).keep(FreeAllLeaks)
    /// ```
    pub fn keep<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        let pushed = Arc::new(value, GFP_KERNEL)
            .map_err(Error::from)
            .and_then(|value| Ok(self.kept.push(value as Arc<dyn Kept>, GFP_KERNEL)?));
        if let Err(e) = pushed {
            self.error.get_or_insert(e);
        }
        self
    }

    /// Creates the directory `/sys/kernel/<name>` with the read-only `files`, removed when the
    /// module is unloaded (`kobject_create_and_add(name, kernel_kobj)`, `sysfs_create_file()`).
    ///
    /// The patch owns the directory: its files call this module's code, so nothing may keep it
    /// past the module's unloading (a directory a module could `forget` would).
    ///
    /// # Examples
    ///
    /// ```ignore
    /// static NPIDS_ATTR: RoAttribute = RoAttribute::new(c_str!("npids"), npids_show);
    ///
    /// Patch::new().object(object).kernel_dir(c_str!("test_klp_syscall"), &[&NPIDS_ATTR])
    /// ```
    pub fn kernel_dir(mut self, name: &CStr, files: &[&'static super::RoAttribute]) -> Self {
        let dir = super::sysfs::KernelDir::create(name).and_then(|dir| {
            for file in files {
                dir.create_file(file)?;
            }
            Ok(dir)
        });
        match dir {
            Ok(dir) => self.keep(dir),
            Err(e) => {
                self.error.get_or_insert(e);
                self
            }
        }
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
    pub unsafe fn register(
        mut self,
        module: &'static ThisModule,
    ) -> Result<Pin<KBox<Registration>>> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let n = self.objects.len();
        let mut callbacks = KVec::with_capacity(n, GFP_KERNEL)?;
        for object in self.objects.iter_mut() {
            if let Some(e) = object.error.take() {
                return Err(e);
            }
            callbacks.push(core::mem::take(&mut object.callbacks), GFP_KERNEL)?;
        }

        // The function tables: a header the core never reads, pointing at the object's
        // callbacks, then the functions, then the terminator.
        let mut tables = KVec::with_capacity(n, GFP_KERNEL)?;
        for (object, cbs) in self.objects.iter().zip(callbacks.iter()) {
            let mut table = KVec::with_capacity(object.funcs.len() + 2, GFP_KERNEL)?;
            let header = bindings::klp_func {
                new_func: (cbs as *const Callbacks).cast_mut().cast(),
                old_sympos: HEADER_SYMPOS,
                ..Default::default()
            };
            table.push(Opaque::new(header), GFP_KERNEL)?;
            for func in object.funcs.iter() {
                let func = bindings::klp_func {
                    old_name: func.old_name.as_char_ptr(),
                    new_func: func.new_func.0.cast_mut(),
                    old_sympos: func.old_sympos,
                    ..Default::default()
                };
                table.push(Opaque::new(func), GFP_KERNEL)?;
            }
            table.push(Opaque::new(bindings::klp_func::default()), GFP_KERNEL)?;
            tables.push(table, GFP_KERNEL)?;
        }

        let states = StateTable::new(&self.states)?;

        let mut objs = KVec::with_capacity(n + 1, GFP_KERNEL)?;
        for ((object, cbs), table) in self.objects.iter().zip(callbacks.iter()).zip(tables.iter()) {
            let obj = bindings::klp_object {
                name: object.name.map_or(ptr::null(), CStr::as_char_ptr),
                // Entry 1: the first function, or the terminator.
                funcs: Opaque::raw_get(table.as_ptr().wrapping_add(1)),
                callbacks: bindings::klp_callbacks {
                    pre_patch: cbs.pre_patch.is_some().then_some(pre_patch_shim as _),
                    post_patch: cbs.post_patch.is_some().then_some(post_patch_shim as _),
                    pre_unpatch: cbs.pre_unpatch.is_some().then_some(pre_unpatch_shim as _),
                    // Also for a patch with states: the shim records its own unpatching.
                    post_unpatch: (cbs.post_unpatch.is_some() || !states.is_empty())
                        .then_some(post_unpatch_shim as _),
                    post_unpatch_enabled: false,
                },
                ..Default::default()
            };
            objs.push(Opaque::new(obj), GFP_KERNEL)?;
        }
        objs.push(Opaque::new(bindings::klp_object::default()), GFP_KERNEL)?;

        let patch = bindings::klp_patch {
            mod_: module.as_ptr().cast(),
            objs: Opaque::raw_get(objs.as_ptr()),
            states: states.as_ptr(),
            replace: self.replace,
            ..Default::default()
        };
        let reg = KBox::pin(
            Registration {
                patch: Opaque::new(patch),
                objs,
                tables,
                callbacks,
                states,
                kept: core::mem::take(&mut self.kept),
                _pin: PhantomPinned,
            },
            GFP_KERNEL,
        )?;
        // The headers point at the patch, now at its final address.
        for table in reg.tables.iter() {
            if let Some(header) = table.first() {
                // SAFETY: The header is not shared with the core, which does not have the patch
                // yet; `Opaque` allows writing through a shared reference.
                unsafe { (*header.get()).old_func = reg.patch.get().cast() };
            }
        }
        // SAFETY: `reg.patch` is a fully initialised `klp_patch` whose objects and functions are
        // terminated arrays that live, at fixed addresses, as long as `reg`, which the caller
        // keeps until the core is done with the patch. `Func` names and `Object` names are
        // `'static`; replacement functions live in this module's text.
        let ret = unsafe { bindings::klp_enable_patch(reg.patch.get()) };
        if let Err(e) = kernel::error::to_result(ret) {
            // The core has released the patch: it never took effect, so no other patch holds
            // data its callbacks allocated.
            reg.states.free_owned();
            return Err(e);
        }
        Ok(reg)
    }
}

/// What a [`module_livepatch!`] `patch` function returns: a [`Patch`], or a `Result<Patch>` for
/// one that allocates (e.g. state shared by its callbacks).
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

/// `old_sympos` of a function-table header, which the core never sees.
const HEADER_SYMPOS: kernel::ffi::c_ulong = kernel::ffi::c_ulong::MAX;

/// A patch handed to the livepatch core with `klp_enable_patch()`.
///
/// # Invariants
///
/// - `patch` has been enabled; its `objs` is `objs`, whose last entry is the terminator.
/// - For each object `i`, `objs[i].funcs` is entry 1 of `tables[i]`; entry 0 of `tables[i]` is a
///   header whose `new_func` points at `callbacks[i]`, whose `old_func` points at `patch`, and
///   whose `old_sympos` is `HEADER_SYMPOS`.
/// - `patch.states` is `states`, a terminated `klp_state` array (see `StateTable`).
/// - None of the vectors is changed after registration, so these addresses are stable until the
///   registration is dropped, which happens after the core has released the patch.
/// - `kept` holds the values given to [`Patch::keep`], dropped with the registration.
#[expect(
    dead_code,
    reason = "the core uses `objs`, `tables`, `callbacks` and `states` through `patch`; `kept` is only owned"
)]
pub struct Registration {
    patch: Opaque<bindings::klp_patch>,
    objs: KVec<Opaque<bindings::klp_object>>,
    tables: KVec<KVec<Opaque<bindings::klp_func>>>,
    callbacks: KVec<Callbacks>,
    states: StateTable,
    kept: KVec<Arc<dyn Kept>>,
    _pin: PhantomPinned,
}

// SAFETY: The C structures are only used by the livepatch core, under its `klp_mutex`; the
// callbacks are `Send + Sync`.
unsafe impl Send for Registration {}
// SAFETY: As above; `Registration` has no methods that access the C structures.
unsafe impl Sync for Registration {}

/// Returns the callbacks and the target view of `obj`.
///
/// # Safety
///
/// `obj` is a `klp_object` the core passed to one of the callbacks installed by
/// [`Patch::register`], which the core only installs in a `Registration`'s objects.
unsafe fn view<'a>(obj: *mut bindings::klp_object) -> (&'a Callbacks, Target<'a>) {
    // SAFETY: By the `Registration` invariants, `obj->funcs` is entry 1 of a function table
    // whose entry 0 is the header.
    let header = unsafe { (*obj).funcs.sub(1) };
    // SAFETY: The header's `new_func` points at the object's `Callbacks`, alive as long as the
    // registration, which outlives every callback.
    let callbacks = unsafe { &*(*header).new_func.cast::<Callbacks>() };
    let target = Target {
        // SAFETY: The core calls callbacks under `klp_mutex` with a live object (and target
        // module).
        obj: unsafe { &*obj.cast::<Opaque<bindings::klp_object>>() },
        // SAFETY: The header's `old_func` points at the registration's `klp_patch`.
        patch: unsafe { (*header).old_func.cast() },
    };
    (callbacks, target)
}

// The shims below are `extern "C"`: a panic in a callback cannot unwind into C (the kernel
// builds Rust with `panic=abort`, and a panic is a `BUG()`).

/// Runs the object's pre-patch closure; its `Err` becomes the `-ERRNO` the core sees.
///
/// # Safety
///
/// Only the livepatch core calls this, through the `klp_callbacks` of a [`Registration`]'s object.
unsafe extern "C" fn pre_patch_shim(obj: *mut bindings::klp_object) -> core::ffi::c_int {
    // SAFETY: The core calls this shim only for objects where `register` installed it.
    let (callbacks, target) = unsafe { view(obj) };
    from_result(|| {
        if let Some(f) = &callbacks.pre_patch {
            f(&target)?;
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
        /// [`Registration`]'s object.
        unsafe extern "C" fn $name(obj: *mut bindings::klp_object) {
            // SAFETY: The core calls this shim only for objects where `register` installed it.
            let (callbacks, target) = unsafe { view(obj) };
            if let Some(f) = &callbacks.$field {
                f(&target);
            }
        }
    };
}
unpatch_shim!(post_patch_shim, post_patch);
unpatch_shim!(pre_unpatch_shim, pre_unpatch);

/// Runs the object's post-unpatch closure, then records that the patch itself is being
/// unpatched (not replaced), for its states' data (see [`StateTable`]).
///
/// # Safety
///
/// Only the livepatch core calls this, through the `klp_callbacks` of a [`Registration`]'s object.
unsafe extern "C" fn post_unpatch_shim(obj: *mut bindings::klp_object) {
    // SAFETY: The core calls this shim only for objects where `register` installed it.
    let (callbacks, target) = unsafe { view(obj) };
    if let Some(f) = &callbacks.post_unpatch {
        f(&target);
    }
    if target.transition().is_some() {
        // SAFETY: `target.patch` is the registered patch of this callback.
        unsafe { StateTable::mark_unpatched(target.patch) };
    }
}
