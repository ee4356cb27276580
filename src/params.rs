// SPDX-License-Identifier: GPL-2.0

//! Module parameters for livepatch modules.
//!
//! 6.12's `module!` has no parameters; [`module_livepatch!`] declares them with these types, as
//! C's `module_param()` and `module_param_array()` do: a `struct kernel_param` in the `__param`
//! section, parsed by the kernel's own `param_ops_*` at `insmod` time and on writes to
//! `/sys/module/<module>/parameters/<name>`, and `parm`/`parmtype` modinfo strings.
//!
//! C header: [`include/linux/moduleparam.h`](srctree/include/linux/moduleparam.h)

use super::bindings;
use core::{cell::UnsafeCell, ffi::c_void, mem::offset_of, ptr};
use kernel::{ffi::c_uint, str::CStr};

/// This module's `struct module`: `THIS_MODULE`, which `module!` defines at the crate root.
const THIS_MODULE: *mut bindings::module = crate::THIS_MODULE.as_ptr().cast();

/// A C type a module parameter can have.
///
/// # Safety
///
/// [`ParamType::OPS`] must parse and print values with exactly the layout of `Self`, and leave
/// only valid values of `Self` in it.
pub unsafe trait ParamType: Copy + Send + 'static {
    /// The kernel's `param_ops_*` for the type.
    const OPS: *const bindings::kernel_param_ops;
    /// The type's name in `modinfo` (`parmtype=<name>:<type>`).
    const NAME: &'static str;
    /// The `parmtype` of an array of this type.
    const ARRAY_NAME: &'static str;
}

macro_rules! param_type {
    ($t:ty, $ops:ident, $name:literal) => {
        // SAFETY: `$ops` is the kernel's parser for the C type of the same layout as `$t`.
        unsafe impl ParamType for $t {
            const OPS: *const bindings::kernel_param_ops = &raw const bindings::$ops;
            const NAME: &'static str = $name;
            const ARRAY_NAME: &'static str = concat!("array of ", $name);
        }
    };
}
param_type!(i32, param_ops_int, "int");
param_type!(u32, param_ops_uint, "uint");
param_type!(i64, param_ops_long, "long");
param_type!(u64, param_ops_ulong, "ulong");
param_type!(bool, param_ops_bool, "bool");

/// Takes the module's parameter lock, which the kernel holds while it writes a parameter from
/// sysfs, for the duration of `f`.
fn with_param_lock<R>(f: impl FnOnce() -> R) -> R {
    // SAFETY: `THIS_MODULE` is alive while its code runs.
    unsafe { bindings::kernel_param_lock(THIS_MODULE) };
    let r = f();
    // SAFETY: Taken above.
    unsafe { bindings::kernel_param_unlock(THIS_MODULE) };
    r
}

/// A scalar module parameter, declared by [`module_livepatch!`].
///
/// # Invariants
///
/// `value` is written only by the kernel's parameter code: while parsing `insmod` arguments,
/// before the module's code runs, and on sysfs writes, under the module's parameter lock.
#[repr(C)]
pub struct Param<T: ParamType> {
    value: UnsafeCell<T>,
}

// SAFETY: Concurrent writes by the kernel are serialised with reads by the parameter lock.
unsafe impl<T: ParamType> Sync for Param<T> {}

impl<T: ParamType> Param<T> {
    #[doc(hidden)]
    pub const fn new(value: T) -> Self {
        Self {
            value: UnsafeCell::new(value),
        }
    }

    /// The current value. Sleeps on the parameter lock: not for atomic context.
    pub fn get(&self) -> T {
        // SAFETY: Reads are under the parameter lock, as are the kernel's writes (type
        // invariant).
        with_param_lock(|| unsafe { ptr::read(self.value.get()) })
    }
}

/// An array module parameter of up to `N` values, declared by [`module_livepatch!`].
///
/// # Invariants
///
/// As for [`Param`]: `values` and `count` are written only by the kernel's parameter code, under
/// the parameter lock once the module runs; `count <= N`.
#[repr(C)]
pub struct ParamArray<T: ParamType, const N: usize> {
    values: UnsafeCell<[T; N]>,
    count: UnsafeCell<c_uint>,
}

// SAFETY: As for `Param`.
unsafe impl<T: ParamType, const N: usize> Sync for ParamArray<T, N> {}

impl<T: ParamType, const N: usize> ParamArray<T, N> {
    #[doc(hidden)]
    pub const fn new(values: [T; N], count: usize) -> Self {
        Self {
            values: UnsafeCell::new(values),
            count: UnsafeCell::new(count as c_uint),
        }
    }

    /// Calls `f` with the values given (`insmod ... name=1,2,3`), under the parameter lock.
    pub fn with<R>(&self, f: impl FnOnce(&[T]) -> R) -> R {
        with_param_lock(|| {
            // SAFETY: Under the parameter lock (type invariant); `count <= N` because the
            // kernel's array parser never stores more than `max` (`N`) elements.
            let (values, count) = unsafe { (&*self.values.get(), *self.count.get() as usize) };
            f(&values[..count.min(N)])
        })
    }
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

/// Checks permissions as C's `VERIFY_OCTAL_PERMISSIONS()` does, at compile time.
#[doc(hidden)]
pub const fn verify_perm(perm: u16) -> u16 {
    assert!(
        perm <= 0o777,
        "module parameter permissions must be octal 0..0777"
    );
    assert!(
        perm & 0o002 == 0,
        "module parameters must not be world-writable"
    );
    assert!(
        (perm >> 6) & 7 >= (perm >> 3) & 7 && (perm >> 3) & 7 >= perm & 7,
        "module parameter permissions: user >= group >= other"
    );
    perm
}

impl KernelParam {
    const fn new(name: &'static CStr, perm: u16, ops: *const bindings::kernel_param_ops) -> Self {
        Self(bindings::kernel_param {
            name: name.as_char_ptr(),
            mod_: THIS_MODULE,
            ops,
            perm: verify_perm(perm),
            level: -1,
            flags: 0,
            __bindgen_anon_1: bindings::kernel_param__bindgen_ty_1 {
                arg: ptr::null_mut(),
            },
        })
    }

    /// `module_param(name, type, perm)` for the [`Param`] at `param`.
    #[doc(hidden)]
    pub const fn scalar<T: ParamType>(
        name: &'static CStr,
        perm: u16,
        param: *const Param<T>,
    ) -> Self {
        let mut kp = Self::new(name, perm, T::OPS);
        // `value` is at offset 0 of the `repr(C)` `Param`.
        kp.0.__bindgen_anon_1.arg = param.cast::<c_void>().cast_mut();
        kp
    }

    /// `module_param_array(name, type, &count, perm)` for the `struct kparam_array` at `array`.
    #[doc(hidden)]
    pub const fn array(name: &'static CStr, perm: u16, array: *const KparamArray) -> Self {
        let mut kp = Self::new(name, perm, &raw const bindings::param_array_ops);
        kp.0.__bindgen_anon_1.arr = array.cast();
        kp
    }
}

impl KparamArray {
    /// The `struct kparam_array` for the [`ParamArray`] at `array`.
    #[doc(hidden)]
    pub const fn new<T: ParamType, const N: usize>(array: *const ParamArray<T, N>) -> Self {
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

/// Builds a NUL-terminated `.modinfo` string of `N` bytes (with the NUL) from `parts`.
#[doc(hidden)]
pub const fn modinfo<const N: usize>(parts: &[&str]) -> [u8; N] {
    let mut out = [0u8; N];
    let (mut i, mut n) = (0, 0);
    while i < parts.len() {
        let bytes = parts[i].as_bytes();
        let mut j = 0;
        while j < bytes.len() {
            out[n] = bytes[j];
            n += 1;
            j += 1;
        }
        i += 1;
    }
    assert!(n + 1 == N, "modinfo length");
    out
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
