// SPDX-License-Identifier: GPL-2.0

//! Module parameters for livepatch modules.
//!
//! 6.12's `module!` has no parameters; [`module_livepatch!`](crate::module_livepatch) declares them
//! with these types, as C's `module_param()` and `module_param_array()` do: a `struct kernel_param`
//! in the `__param` section, parsed by the kernel's own `param_ops_*` at `insmod` time and on
//! writes to `/sys/module/<module>/parameters/<name>`, and `parm`/`parmtype` modinfo strings.
//!
//! C header: [`include/linux/moduleparam.h`](srctree/include/linux/moduleparam.h)

use crate::bindings;
use core::{cell::UnsafeCell, ffi::c_void, mem::offset_of, ptr};
use kernel::{error::Result, ffi::c_uint, str::CStr};

/// A C type a module parameter can have.
///
/// # Safety
///
/// [`ParamType::OPS`] must parse and print values with exactly the layout of `Self`, store a
/// parsed value with a single aligned store of at most a machine word (so that a concurrent
/// [`Param::get`] reads either the old or the new value), and leave only valid values of `Self`
/// in it. [`ParamType::MAX_PRINTED`] must bound the length of what its `get` prints for any value,
/// without the newline.
pub unsafe trait ParamType: Copy + Send + Sync + 'static {
    /// The kernel's `param_ops_*` for the type.
    const OPS: *const bindings::kernel_param_ops;
    /// The type's name in `modinfo` (`parmtype=<name>:<type>`).
    const NAME: &'static str;
    /// The `parmtype` of an array of this type.
    const ARRAY_NAME: &'static str;
    /// The value of an array element no default was given for.
    const ZERO: Self;
    /// The longest text `OPS.get` prints for a value, without its newline.
    const MAX_PRINTED: usize;
}

macro_rules! param_type {
    ($t:ty, $ops:ident, $name:literal, $zero:expr, $max:expr) => {
        // SAFETY: `$ops` is the kernel's parser for the C type of the same layout as `$t`
        // (`kernel/params.c`: `STANDARD_PARAM_DEF` stores the result of `kstrto*()` with one
        // assignment of the C type; `param_set_bool()` stores one `bool` through
        // `kstrtobool()`), and its `get` prints with `%i`, `%u`, `%li`, `%lu` or `Y`/`N`.
        unsafe impl ParamType for $t {
            const OPS: *const bindings::kernel_param_ops = &raw const bindings::$ops;
            const NAME: &'static str = $name;
            const ARRAY_NAME: &'static str = concat!("array of ", $name);
            const ZERO: Self = $zero;
            const MAX_PRINTED: usize = $max;
        }
    };
}
param_type!(i32, param_ops_int, "int", 0, "-2147483648".len());
param_type!(u32, param_ops_uint, "uint", 0, "4294967295".len());
param_type!(i64, param_ops_long, "long", 0, "-9223372036854775808".len());
param_type!(
    u64,
    param_ops_ulong,
    "ulong",
    0,
    "18446744073709551615".len()
);
param_type!(bool, param_ops_bool, "bool", false, "Y".len());

extern "C" {
    /// Whether the current task holds the parameter lock of `module`, a `struct module *`
    /// (`params.c`; `c_void`: the bindings' `struct module` has zero-sized lockdep fields,
    /// which `improper_ctypes` refuses).
    fn klp_rust_param_lock_held(module: *mut c_void) -> bool;
}

/// Takes the parameter lock of `module`, which the kernel holds while it reads or writes the
/// module's parameters from sysfs, for the duration of `f`, which must not take it again.
/// Sleeps: process context only.
///
/// Fails with `EDEADLK` if the current task holds the lock already: the kernel calls a
/// parameter's ops (`param_get_int()`, ...) with it held, and a livepatch can replace them.
///
/// # Safety
///
/// `module` is the module whose code runs (`THIS_MODULE`): it is alive.
unsafe fn with_param_lock<R>(module: *mut bindings::module, f: impl FnOnce() -> R) -> Result<R> {
    // SAFETY: `module` is alive (the caller's guarantee); `params.c` reads its lock's owner.
    if unsafe { klp_rust_param_lock_held(module.cast()) } {
        return Err(crate::edeadlk());
    }
    // SAFETY: `module` is alive (the caller's guarantee); this task does not hold the lock.
    unsafe { bindings::kernel_param_lock(module) };
    let r = f();
    // SAFETY: Taken above.
    unsafe { bindings::kernel_param_unlock(module) };
    Ok(r)
}

/// A scalar module parameter, declared by [`module_livepatch!`](crate::module_livepatch) or
/// [`module_params!`](crate::module_params).
///
/// # Invariants
///
/// `value` is written only by the kernel's parameter code (while parsing `insmod` arguments,
/// before the module's code runs, and on sysfs writes) and by [`Param::set`], each time with one
/// aligned store of the whole value (see [`ParamType`]).
#[repr(C)]
pub struct Param<T: ParamType> {
    value: UnsafeCell<T>,
}

// SAFETY: The kernel writes `value` with single stores and `get` reads it with a single load
// (type invariant): a reader on another CPU sees the old or the new value, never a mix.
unsafe impl<T: ParamType> Sync for Param<T> {}

impl<T: ParamType> Param<T> {
    #[doc(hidden)]
    pub const fn new(value: T) -> Self {
        Self {
            value: UnsafeCell::new(value),
        }
    }

    /// The current value.
    ///
    /// Lock-free: usable in any context (atomic, interrupt, a replacement function), nested in
    /// [`ParamArray::with`], and while a sysfs write runs (it then sees the old or the new value).
    pub fn get(&self) -> T {
        // SAFETY: `value` is valid and aligned; the kernel writes it with single stores (type
        // invariant), so a single volatile load, as C's `READ_ONCE()`, sees a whole value.
        unsafe { ptr::read_volatile(self.value.get()) }
    }

    /// Sets the value, as C's `WRITE_ONCE()` on a parameter: lock-free, usable in any context.
    /// A concurrent sysfs write stores its own value before or after this one.
    pub fn set(&self, value: T) {
        // SAFETY: `value` is valid and aligned; a single volatile store of a whole value, as the
        // kernel's own writes (type invariant), so that concurrent readers see a whole value.
        unsafe { ptr::write_volatile(self.value.get(), value) }
    }
}

/// An array module parameter of up to `N` values, declared by
/// [`module_livepatch!`](crate::module_livepatch).
///
/// # Invariants
///
/// `values` and `count` are written only by the kernel's parameter code: while parsing `insmod`
/// arguments, and on sysfs writes under the module's parameter lock; each element and `count`
/// with single stores (see [`ParamType`]); `count <= N`. `module` is the module the array is a
/// parameter of, the one whose code uses it.
#[repr(C)]
pub struct ParamArray<T: ParamType, const N: usize> {
    values: UnsafeCell<[T; N]>,
    count: UnsafeCell<c_uint>,
    module: *mut bindings::module,
}

// SAFETY: As for `Param`: elements and `count` are read with single loads, or copied under the
// parameter lock that serialises the kernel's writes.
unsafe impl<T: ParamType, const N: usize> Sync for ParamArray<T, N> {}

impl<T: ParamType, const N: usize> ParamArray<T, N> {
    /// The array with its default values: `count` is their number (what `modinfo` and sysfs
    /// show until a value is given); more than `N` defaults fail the build.
    ///
    /// # Safety
    ///
    /// `module` is `THIS_MODULE` of the module whose code uses the array.
    #[doc(hidden)]
    pub const unsafe fn new(defaults: &[T], module: *mut kernel::bindings::module) -> Self {
        assert!(
            defaults.len() <= N,
            "more default values than the array parameter holds"
        );
        let mut values = [T::ZERO; N];
        let mut i = 0;
        while i < defaults.len() {
            values[i] = defaults[i];
            i += 1;
        }
        Self {
            values: UnsafeCell::new(values),
            count: UnsafeCell::new(defaults.len() as c_uint),
            // INVARIANT: The caller's guarantee.
            module: module.cast(),
        }
    }

    /// The number of values given, lock-free (as [`Param::get`]).
    pub fn len(&self) -> usize {
        // SAFETY: `count` is valid and written with single stores (type invariant).
        let count = unsafe { ptr::read_volatile(self.count.get()) };
        (count as usize).min(N)
    }

    /// Whether no value was given.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `i`-th value given, lock-free (as [`Param::get`]). During a concurrent sysfs write,
    /// values read one by one may mix the old and the new array: use [`ParamArray::with`] for a
    /// consistent copy.
    pub fn get(&self, i: usize) -> Option<T> {
        if i >= self.len() {
            return None;
        }
        // SAFETY: `i < N`; elements are written with single stores (type invariant).
        Some(unsafe { ptr::read_volatile(self.values.get().cast::<T>().add(i)) })
    }

    /// Calls `f` with a consistent copy of the values given (`insmod ... name=1,2,3`).
    ///
    /// The copy is taken under the module's parameter lock, which is released before `f` runs:
    /// `f` may read parameters again. Sleeps on that lock: process context only (use
    /// [`ParamArray::get`] elsewhere). Fails with `EDEADLK`, without waiting, where the kernel
    /// holds that lock for this task: in a replacement of a function it calls while it reads or
    /// writes this module's parameters (a parameter's ops, `param_get_int()`, ...).
    pub fn with<R>(&self, f: impl FnOnce(&[T]) -> R) -> Result<R> {
        // SAFETY: `self.module` is the module whose code runs (type invariant).
        let (values, count) = unsafe {
            with_param_lock(self.module, || {
                // SAFETY: Under the parameter lock, which serialises the kernel's writes (type
                // invariant), and `count <= N`.
                (ptr::read(self.values.get()), *self.count.get() as usize)
            })
        }?;
        Ok(f(&values[..count.min(N)]))
    }
}

/// Checks at compile time that the kernel can print the array parameter `[T; N]` with
/// permissions `perm` in a sysfs page.
///
/// `param_array_get()` (`kernel/params.c`) prints each element with the element's `get`, which
/// writes past the page if the total is longer: a readable array must fit in the worst case.
#[doc(hidden)]
pub const fn verify_array<T: ParamType, const N: usize>(perm: u16) {
    // Each element is printed with its newline (turned into a comma), then the final NUL.
    assert!(
        perm & 0o444 == 0 || N * (T::MAX_PRINTED + 1) < kernel::page::PAGE_SIZE,
        "a readable array parameter must print within a sysfs page: make it smaller or not readable"
    );
    // `ParamArray::with` copies the array to the stack.
    assert!(
        core::mem::size_of::<[T; N]>() <= 2048,
        "array parameters are limited to 2048 bytes"
    );
}

/// A `struct kernel_param` for the `__param` section.
#[doc(hidden)]
#[repr(transparent)]
pub struct KernelParam(bindings::kernel_param);

// SAFETY: The kernel only reads it; it points at `Sync` statics.
unsafe impl Sync for KernelParam {}

/// A `struct kparam_array` describing a [`ParamArray`].
#[doc(hidden)]
#[repr(transparent)]
pub struct KparamArray(bindings::kparam_array);

// SAFETY: As for `KernelParam`.
unsafe impl Sync for KparamArray {}

/// Checks permissions as C's `VERIFY_OCTAL_PERMISSIONS()` (`include/linux/moduleparam.h` via
/// `include/linux/kernel.h`) does, at compile time: octal `0..=0777`, readable by the user if by
/// the group and by the group if by others, writable by the user if by the group, never by
/// others. Execute bits are not compared, as in C.
#[doc(hidden)]
pub const fn verify_perm(perm: u16) -> u16 {
    assert!(
        perm <= 0o777,
        "module parameter permissions must be octal 0..0777"
    );
    assert!(
        (perm >> 6) & 4 >= (perm >> 3) & 4 && (perm >> 3) & 4 >= perm & 4,
        "module parameter permissions: USER_READABLE >= GROUP_READABLE >= OTHER_READABLE"
    );
    assert!(
        (perm >> 6) & 2 >= (perm >> 3) & 2,
        "module parameter permissions: USER_WRITABLE >= GROUP_WRITABLE"
    );
    assert!(
        perm & 0o002 == 0,
        "module parameters must not be world-writable"
    );
    perm
}

impl KernelParam {
    const fn new(
        name: &'static CStr,
        perm: u16,
        ops: *const bindings::kernel_param_ops,
        module: *mut kernel::bindings::module,
    ) -> Self {
        Self(bindings::kernel_param {
            name: name.as_char_ptr(),
            mod_: module.cast(),
            ops,
            perm: verify_perm(perm),
            level: -1,
            flags: 0,
            __bindgen_anon_1: bindings::kernel_param__bindgen_ty_1 {
                arg: ptr::null_mut(),
            },
        })
    }

    /// `module_param(name, type, perm)` for the [`Param`] at `param`, of the module `module`
    /// (`THIS_MODULE`).
    ///
    /// # Safety
    ///
    /// `param` points at a `static` of the module `module`, which the kernel's parameter code
    /// then writes, for as long as the module is loaded.
    #[doc(hidden)]
    pub const unsafe fn scalar<T: ParamType>(
        name: &'static CStr,
        perm: u16,
        param: *const Param<T>,
        module: *mut kernel::bindings::module,
    ) -> Self {
        let mut kp = Self::new(name, perm, T::OPS, module);
        // `value` is at offset 0 of the `repr(C)` `Param`.
        kp.0.__bindgen_anon_1.arg = param.cast::<c_void>().cast_mut();
        kp
    }

    /// `module_param_array(name, type, &count, perm)` for the `struct kparam_array` at `array`,
    /// of the module `module` (`THIS_MODULE`).
    ///
    /// # Safety
    ///
    /// `array` points at a `static` of the module `module`, made by [`KparamArray::new`] for a
    /// `static` [`ParamArray<T, N>`] of that module, and `ops` at a `static`
    /// [`KparamOps::array::<T, N>()`](KparamOps::array) of the same `T` and `N`.
    #[doc(hidden)]
    pub const unsafe fn array(
        name: &'static CStr,
        perm: u16,
        array: *const KparamArray,
        ops: *const KparamOps,
        module: *mut kernel::bindings::module,
    ) -> Self {
        let mut kp = Self::new(name, perm, ops.cast(), module);
        kp.0.__bindgen_anon_1.arr = array.cast();
        kp
    }
}

impl KparamArray {
    /// The `struct kparam_array` for the [`ParamArray`] at `array`.
    ///
    /// # Safety
    ///
    /// `array` points at a `static` [`ParamArray`] of the module whose parameter it describes.
    #[doc(hidden)]
    pub const unsafe fn new<T: ParamType, const N: usize>(array: *const ParamArray<T, N>) -> Self {
        let values = array.wrapping_byte_add(offset_of!(ParamArray<T, N>, values));
        let count = array.wrapping_byte_add(offset_of!(ParamArray<T, N>, count));
        Self(bindings::kparam_array {
            max: N as c_uint,
            elemsize: core::mem::size_of::<T>() as c_uint,
            num: count.cast::<c_uint>().cast_mut(),
            ops: T::OPS,
            elem: values.cast::<c_void>().cast_mut(),
        })
    }
}

/// The `struct kernel_param_ops` of a [`ParamArray<T, N>`]: the kernel's `param_array_ops`, but a
/// write stores the new values only once every one of them has parsed. `param_array()`
/// (`kernel/params.c`) parses each element straight into the array and sets the count as it goes,
/// so a write failing at its third value would leave two new values and a new count: the old
/// array, which the documentation promises, would be lost.
#[doc(hidden)]
#[repr(transparent)]
pub struct KparamOps(bindings::kernel_param_ops);

// SAFETY: The kernel only reads it; it holds function pointers.
unsafe impl Sync for KparamOps {}

impl KparamOps {
    /// The operations of a `ParamArray<T, N>`.
    #[doc(hidden)]
    pub const fn array<T: ParamType, const N: usize>() -> Self {
        Self(bindings::kernel_param_ops {
            flags: 0,
            set: Some(array_set::<T, N>),
            get: Some(array_get),
            // The elements own nothing (`ParamType`s are plain values): `param_array_free()`
            // would free nothing either.
            free: None,
        })
    }
}

/// Parses `val` into a copy of the array with the kernel's `param_array_ops.set`, then stores
/// the values and the count; on an error, stores nothing.
///
/// # Safety
///
/// Only the kernel's parameter code calls this, through a [`KparamOps::array::<T, N>()`]
/// (`KernelParam::array`), with a `kernel_param` whose `arr` describes a `ParamArray<T, N>`, and
/// holding the module's parameter lock or before the module's code runs (`parse_one()`,
/// `param_attr_store()`).
unsafe extern "C" fn array_set<T: ParamType, const N: usize>(
    val: *const kernel::ffi::c_char,
    kp: *const bindings::kernel_param,
) -> kernel::ffi::c_int {
    // SAFETY: `kp` is the module's `kernel_param` of a `ParamArray<T, N>` (the caller's
    // guarantee), valid for the call; its `arr` points at the module's `KparamArray`.
    let (mut tmp, arr) = unsafe { (ptr::read(kp), &*(*kp).__bindgen_anon_1.arr) };
    let mut values = [T::ZERO; N];
    let mut count: c_uint = 0;
    let copy = bindings::kparam_array {
        max: N as c_uint,
        elemsize: core::mem::size_of::<T>() as c_uint,
        num: &mut count,
        ops: arr.ops,
        elem: values.as_mut_ptr().cast(),
    };
    tmp.__bindgen_anon_1.arr = &copy;
    // SAFETY: `param_array_ops` is the kernel's, never written; its `set` parses `val` into the
    // `N` elements and the count of `copy`, on this stack for the call.
    let Some(set) = (unsafe { bindings::param_array_ops.set }) else {
        return kernel::error::code::EINVAL.to_errno();
    };
    // SAFETY: `val` is the C string the kernel passed; `tmp` is `*kp` with `arr` pointing at
    // `copy`, valid for the call.
    let ret = unsafe { set(val, &tmp) };
    if ret != 0 {
        return ret;
    }
    let elem = arr.elem.cast::<T>();
    for (i, value) in values.iter().enumerate() {
        // SAFETY: `arr.elem` is the `[T; N]` of the `ParamArray` (`KparamArray::new`), `i < N`;
        // each element is written with one aligned store, as `ParamArray`'s readers expect.
        unsafe { ptr::write_volatile(elem.add(i), *value) };
    }
    // SAFETY: `arr.num` is the `ParamArray`'s count, written with one store; `count <= N`.
    unsafe { ptr::write_volatile(arr.num, count) };
    0
}

/// The kernel's `param_array_ops.get`: prints the values, comma-separated.
///
/// # Safety
///
/// Only the kernel's parameter code calls this, with a page-sized `buffer` and a `kernel_param`
/// of a [`ParamArray`].
unsafe extern "C" fn array_get(
    buffer: *mut kernel::ffi::c_char,
    kp: *const bindings::kernel_param,
) -> kernel::ffi::c_int {
    // SAFETY: `param_array_ops` is the kernel's, never written.
    let Some(get) = (unsafe { bindings::param_array_ops.get }) else {
        return kernel::error::code::EINVAL.to_errno();
    };
    // SAFETY: The kernel's own `get` for the array `kp` describes, with the caller's buffer.
    unsafe { get(buffer, kp) }
}

/// Builds a NUL-terminated `.modinfo` string of `N` bytes (with the NUL) from `parts`.
///
/// A part containing a NUL fails the build: it would end the entry and start another one.
#[doc(hidden)]
pub const fn modinfo<const N: usize>(parts: &[&str]) -> [u8; N] {
    let mut out = [0u8; N];
    let (mut i, mut n) = (0, 0);
    while i < parts.len() {
        let bytes = parts[i].as_bytes();
        let mut j = 0;
        while j < bytes.len() {
            assert!(
                bytes[j] != 0,
                "a .modinfo entry must not contain a NUL byte"
            );
            out[n] = bytes[j];
            n += 1;
            j += 1;
        }
        i += 1;
    }
    assert!(n + 1 == N, "modinfo length");
    out
}

/// The `.modinfo` entries `livepatch_modinfo!` writes; any other key fails the build.
const MODINFO_KEYS: [&str; 4] = ["klp_object=", "klp_func=", "parmtype=", "parm="];

/// `key=`, for a key `livepatch_modinfo!` writes.
#[doc(hidden)]
pub const fn modinfo_key(key: &str) -> &'static str {
    let mut i = 0;
    while i < MODINFO_KEYS.len() {
        let k = MODINFO_KEYS[i].as_bytes();
        let b = key.as_bytes();
        if k.len() == b.len() + 1 {
            let mut j = 0;
            while j < b.len() && b[j] == k[j] {
                j += 1;
            }
            if j == b.len() {
                return MODINFO_KEYS[i];
            }
        }
        i += 1;
    }
    panic!("not a key livepatch_modinfo! writes: klp_object, klp_func, parmtype or parm")
}

/// The length, with the NUL, of the `.modinfo` string made of `parts`.
#[doc(hidden)]
pub const fn modinfo_len(parts: &[&str]) -> usize {
    let (mut i, mut n) = (0, 1);
    while i < parts.len() {
        n += parts[i].len();
        i += 1;
    }
    n
}
