// SPDX-License-Identifier: GPL-2.0

//! A directory under `/sys/kernel` with read-only attributes, as livepatch test modules create
//! with `kobject_create_and_add(name, kernel_kobj)` and `sysfs_create_file()`.
//!
//! C headers: [`include/linux/kobject.h`](srctree/include/linux/kobject.h),
//! [`include/linux/sysfs.h`](srctree/include/linux/sysfs.h)

use crate::bindings;
use core::{fmt, ptr::NonNull};
use kernel::{error::code::*, prelude::*, str::CStr, types::Opaque};

/// The size of the buffer sysfs hands to a `show()` function.
const SYSFS_BUF_SIZE: usize = kernel::page::PAGE_SIZE;

/// The output of a `show()` function: up to a page of text, like `sysfs_emit()`'s buffer.
pub struct AttrWriter<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl fmt::Write for AttrWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(fmt::Error)?;
        // Keep the last byte for sysfs' terminating NUL.
        let dst = self
            .buf
            .get_mut(self.len..end)
            .filter(|_| end < SYSFS_BUF_SIZE)
            .ok_or(fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// A read-only (`0444`) sysfs attribute whose contents a Rust function prints.
///
/// # Invariants
///
/// `attr.show` is `show_shim`, `attr.attr.name` a `'static` C string; `attr` is the first field,
/// so the `struct kobj_attribute *` that sysfs passes to `show_shim` points at the `RoAttribute`.
///
/// # Examples
///
/// ```ignore
/// fn npids_show(out: &mut AttrWriter<'_>) -> Result {
///     writeln!(out, "{}", NPIDS_PENDING.load(Ordering::Relaxed)).map_err(|_| EINVAL)
/// }
/// static NPIDS: RoAttribute = RoAttribute::new(c_str!("npids"), npids_show);
/// ```
#[repr(C)]
pub struct RoAttribute {
    attr: Opaque<bindings::kobj_attribute>,
    show: fn(&mut AttrWriter<'_>) -> Result,
}

// SAFETY: sysfs only reads the attribute; `show` is a plain function.
unsafe impl Sync for RoAttribute {}

#[cfg(CONFIG_DEBUG_LOCK_ALLOC)]
extern "C" {
    /// The lockdep class of the files of every [`RoAttribute`] (`attribute.key`, with
    /// `CONFIG_DEBUG_LOCK_ALLOC`), defined in `helpers.c`: lockdep requires keys in static
    /// storage, which the attribute's own `skey` is not when the attribute was leaked from the
    /// heap.
    static klp_rust_attr_key: Opaque<bindings::lock_class_key>;
}

/// The `struct attribute` of a read-only file `name`.
#[cfg(not(CONFIG_DEBUG_LOCK_ALLOC))]
const fn read_only(name: &'static CStr) -> bindings::attribute {
    bindings::attribute {
        name: name.as_char_ptr(),
        mode: 0o444,
    }
}

/// The `struct attribute` of a read-only file `name`, with lockdep's key.
#[cfg(CONFIG_DEBUG_LOCK_ALLOC)]
const fn read_only(name: &'static CStr) -> bindings::attribute {
    bindings::attribute {
        name: name.as_char_ptr(),
        mode: 0o444,
        key: (&raw const klp_rust_attr_key).cast_mut().cast(),
        // SAFETY: The other fields are integers (`ignore_lockdep`: 0, lockdep on) and the unused
        // `skey`: all-zero is valid for them.
        ..unsafe { core::mem::zeroed() }
    }
}

impl RoAttribute {
    /// The attribute `name`, mode `0444`, printed by `show` (`__ATTR_RO(name)`).
    pub const fn new(name: &'static CStr, show: fn(&mut AttrWriter<'_>) -> Result) -> Self {
        Self {
            attr: Opaque::new(bindings::kobj_attribute {
                attr: read_only(name),
                show: Some(show_shim),
                store: None,
            }),
            show,
        }
    }
}

/// The `show()` of every [`RoAttribute`].
///
/// # Safety
///
/// Only sysfs calls this, with `attr` a `kobj_attribute` of a [`RoAttribute`] and `buf` a buffer
/// of `PAGE_SIZE` bytes.
unsafe extern "C" fn show_shim(
    _kobj: *mut bindings::kobject,
    attr: *mut bindings::kobj_attribute,
    buf: *mut kernel::ffi::c_char,
) -> isize {
    // SAFETY: `attr` is the first field of a `'static` `RoAttribute` (type invariant).
    let attr = unsafe { &*attr.cast::<RoAttribute>() };
    let mut out = AttrWriter {
        // SAFETY: sysfs hands `show()` a zeroed page, owned by this call.
        buf: unsafe { core::slice::from_raw_parts_mut(buf.cast::<u8>(), SYSFS_BUF_SIZE) },
        len: 0,
    };
    match (attr.show)(&mut out) {
        // `len < PAGE_SIZE`, so it fits.
        Ok(()) => out.len as isize,
        Err(e) => e.to_errno() as isize,
    }
}

/// A directory `/sys/kernel/<name>`, removed with its files when dropped.
///
/// Only a [`Patch`](crate::Patch) owns one ([`Patch::kernel_dir`](crate::Patch::kernel_dir)),
/// dropped when the module is unloaded: a directory that outlived the module would call freed
/// code from its `show()` functions.
///
/// # Invariants
///
/// `kobj` is a kobject made by `kobject_create_and_add()`, of which this owns one reference.
pub(crate) struct KernelDir {
    kobj: NonNull<bindings::kobject>,
}

// SAFETY: kobjects are reference counted and can be released from any task.
unsafe impl Send for KernelDir {}
// SAFETY: `KernelDir` only adds files, which sysfs serialises.
unsafe impl Sync for KernelDir {}

impl KernelDir {
    /// Creates `/sys/kernel/<name>` (`kobject_create_and_add(name, kernel_kobj)`).
    pub(crate) fn create(name: &CStr) -> Result<Self> {
        // SAFETY: `kernel_kobj` is set up at boot and never changes; `name` is a C string, which
        // the kobject copies.
        let kobj =
            unsafe { bindings::kobject_create_and_add(name.as_char_ptr(), bindings::kernel_kobj) };
        Ok(Self {
            kobj: NonNull::new(kobj).ok_or(ENOMEM)?,
        })
    }

    /// Adds the read-only file `attr` to the directory (`sysfs_create_file()`).
    pub(crate) fn create_file(&self, attr: &'static RoAttribute) -> Result {
        // SAFETY: `kobj` is alive (type invariant); `attr` is `'static`, as sysfs requires.
        kernel::error::to_result(unsafe {
            bindings::sysfs_create_file_ns(
                self.kobj.as_ptr(),
                core::ptr::addr_of!((*attr.attr.get()).attr),
                core::ptr::null(),
            )
        })
    }
}

impl Drop for KernelDir {
    fn drop(&mut self) {
        // SAFETY: Drops the reference this owns (type invariant); the last one removes the
        // directory and its files, waiting for running `show()` calls.
        unsafe { bindings::kobject_put(self.kobj.as_ptr()) };
    }
}

/// A directory `/sys/kernel/<name>` with read-only files, owned by a module that is not a
/// livepatch (a livepatch's belongs to its [`Patch`](crate::Patch): `Patch::kernel_dir`), such as
/// a Rust target module whose functions a livepatch replaces; removed when dropped.
///
/// # Examples
///
/// ```ignore
/// struct Target {
///     _dir: ModuleDir,
/// }
///
/// impl kernel::Module for Target {
///     fn init(_module: &'static ThisModule) -> Result<Self> {
///         // SAFETY: The directory is a field of the module, dropped by its exit function.
///         let dir = unsafe { ModuleDir::create(c_str!("target"), &[&ANSWER]) }?;
///         Ok(Self { _dir: dir })
///     }
/// }
/// ```
pub struct ModuleDir {
    /// Removes the directory when dropped.
    _dir: KernelDir,
}

impl ModuleDir {
    /// Creates `/sys/kernel/<name>` with `files`.
    ///
    /// # Safety
    ///
    /// The directory is dropped before the module's exit function returns (it is part of the
    /// module's [`kernel::Module`] value, say): its files call the module's code.
    pub unsafe fn create(name: &CStr, files: &[&'static RoAttribute]) -> Result<Self> {
        let dir = KernelDir::create(name)?;
        for f in files {
            dir.create_file(f)?;
        }
        Ok(Self { _dir: dir })
    }
}
