// SPDX-License-Identifier: GPL-2.0

//! A directory under `/sys/kernel` with read-only attributes, as livepatch test modules create
//! with `kobject_create_and_add(name, kernel_kobj)` and `sysfs_create_file()`.
//!
//! C headers: [`include/linux/kobject.h`](srctree/include/linux/kobject.h),
//! [`include/linux/sysfs.h`](srctree/include/linux/sysfs.h)

use crate::{
    bindings,
    registry::{self, Kind, Node, Registry},
};
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
/// `attr.show` is `show_shim`, `attr.attr.name` is `name`; `attr` is the first field, so the
/// `struct kobj_attribute *` that sysfs passes to `show_shim` points at the `RoAttribute`.
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
    name: &'static CStr,
}

// SAFETY: sysfs only reads the attribute; `show` is a plain function.
unsafe impl Sync for RoAttribute {}

extern "C" {
    /// Whether `/sys/kernel/<name>` exists (`sysfs.c`).
    fn klp_rust_kernel_dir_exists(name: *const kernel::ffi::c_char) -> bool;
}

#[cfg(CONFIG_DEBUG_LOCK_ALLOC)]
extern "C" {
    /// The lockdep class of the files of every [`RoAttribute`] (`attribute.key`, with
    /// `CONFIG_DEBUG_LOCK_ALLOC`), defined in `sysfs.c`: lockdep requires keys in static
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
            name,
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

/// A directory `/sys/kernel/<name>`, registered with the module's registry, which removes it
/// with its files when the module exits or its load fails (`kobject_del()`, then
/// `kobject_put()`).
///
/// Never held by the module: a directory that outlived the module would call freed code from its
/// `show()` functions, and a handle whose `Drop` removed it could be forgotten. The removal is
/// `kobject_del()` first: it removes the directory at once, waiting for running `show()` calls
/// (`kernfs_remove()`), where the last `kobject_put()` alone may defer it
/// (`CONFIG_DEBUG_KOBJECT_RELEASE` delays the release, and with it the removal, by 1 to 4
/// seconds: `kobject_release()` in `lib/kobject.c`).
///
/// # Invariants
///
/// `kobj` is a kobject made by `kobject_create_and_add()`, of which this owns one reference;
/// `node` is its first field (`repr(C)`), and the `KernelDir` a leaked box once registered.
#[repr(C)]
pub(crate) struct KernelDir {
    node: Node,
    kobj: NonNull<bindings::kobject>,
}

/// Creates `/sys/kernel/<name>` with `files`, registered with the module's registry: removed by
/// the module's exit or its failing init, even if adding a file fails here.
///
/// Only called from the module's init, through a [`Registry`] or a [`Patch`](crate::Patch).
pub(crate) fn create_dir(name: &CStr, files: &[&'static RoAttribute]) -> Result {
    // What `kobject_add_internal()` would `WARN` about (an empty name), and a name sysfs would
    // rename (a `/`), for the directory and its files: refused with `EINVAL` (an adversarial
    // pass found the `WARN`); two files of one name too, and a directory that exists already is
    // `EEXIST`: sysfs would dump the stack (`sysfs_warn_dup()`, found by another pass).
    let bad = |name: &CStr| name.is_empty() || name.as_bytes().contains(&b'/');
    if bad(name) || files.iter().any(|f| bad(f.name)) {
        return Err(EINVAL);
    }
    for (i, f) in files.iter().enumerate() {
        if files[..i]
            .iter()
            .any(|g| g.name.as_bytes() == f.name.as_bytes())
        {
            return Err(EINVAL);
        }
    }
    // SAFETY: `name` is a C string that outlives the call; `sysfs.c` looks it up in
    // `kernel_kobj`'s directory (set up at boot by `ksysfs_init()`, never removed) with
    // `kernfs_find_and_get()`, which takes kernfs' own lock, and drops the reference it got.
    if unsafe { klp_rust_kernel_dir_exists(name.as_char_ptr()) } {
        return Err(EEXIST);
    }
    // Allocated first: nothing to undo if it fails.
    let dir = KBox::new(
        KernelDir {
            node: Node::new(remove_dir),
            kobj: NonNull::dangling(),
        },
        GFP_KERNEL,
    )?;
    // SAFETY: `kernel_kobj` is set up at boot and never changes; `name` is a C string, which
    // the kobject copies.
    let kobj =
        unsafe { bindings::kobject_create_and_add(name.as_char_ptr(), bindings::kernel_kobj) };
    let kobj = NonNull::new(kobj).ok_or(ENOMEM)?;
    let dir = KBox::into_raw(dir);
    // SAFETY: `dir` is a valid box, not registered yet; the node is its first field.
    unsafe { (*dir).kobj = kobj };
    // SAFETY: `dir` is a leaked box, valid until `remove_dir` frees it; registered once.
    if let Err(e) = unsafe { registry::register(Kind::Dir, dir.cast::<Node>()) } {
        // SAFETY: Not registered: this caller still owns the box and the directory.
        unsafe { remove_dir(dir.cast::<Node>()) };
        return Err(e);
    }
    for attr in files {
        // SAFETY: `kobj` is alive until the registry's teardown, which runs after the module's
        // init; `attr` is `'static`, as sysfs requires.
        kernel::error::to_result(unsafe {
            bindings::sysfs_create_file_ns(
                kobj.as_ptr(),
                core::ptr::addr_of!((*attr.attr.get()).attr),
                core::ptr::null(),
            )
        })?;
    }
    Ok(())
}

/// Removes a [`KernelDir`] and frees it: `kobject_del()`, then `kobject_put()`.
///
/// # Safety
///
/// `node` is the `node` of a [`KernelDir`] leaked from a box with its `kobj` set, which nothing
/// uses afterwards (the registry's teardown, or `create_dir` before registering it).
unsafe fn remove_dir(node: *const Node) {
    // SAFETY: `node` is the first field of a `repr(C)` `KernelDir` in a leaked box (the caller's
    // guarantee), which this takes back.
    let dir = unsafe { KBox::from_raw(node.cast_mut().cast::<KernelDir>()) };
    // SAFETY: `kobj` is a live kobject of which `dir` owns a reference (type invariant).
    // `kobject_del()` removes its sysfs directory and files now (`kernfs_remove()` waits for
    // running `show()` calls), whenever the release runs; `kobject_put()` drops the reference.
    unsafe {
        bindings::kobject_del(dir.kobj.as_ptr());
        bindings::kobject_put(dir.kobj.as_ptr());
    }
}

// SAFETY: kobjects are reference counted and can be released from any task.
unsafe impl Send for KernelDir {}
// SAFETY: `KernelDir` has no methods; the registry's teardown alone uses it.
unsafe impl Sync for KernelDir {}

/// A directory `/sys/kernel/<name>` with read-only files, made by a module that is not a
/// livepatch (a livepatch's is made by [`Patch::kernel_dir`](crate::Patch::kernel_dir)), such as
/// a Rust target module whose functions a livepatch replaces.
///
/// A capability: the directory is registered with the module's registry, and removed by the
/// module's exit (after the module's own `Drop`) or by its failing init, whatever became of
/// this.
///
/// # Examples
///
/// ```ignore
/// module_target! {
///     type: Target,
///     name: "target",
///     license: "GPL",
/// }
///
/// struct Target;
///
/// impl ModuleInit for Target {
///     fn init(_module: &'static ThisModule, registry: &Registry) -> Result<Self> {
///         ModuleDir::create(c_str!("target"), &[&ANSWER], registry)?;
///         Ok(Target)
///     }
/// }
/// ```
pub struct ModuleDir(());

impl ModuleDir {
    /// Creates `/sys/kernel/<name>` with `files`, registered with the module's `registry`.
    /// `EINVAL` for an empty name or one with a `/` (of the directory or a file), or two files
    /// of one name; `EEXIST` if the directory exists (another module's, say).
    pub fn create(
        name: &CStr,
        files: &[&'static RoAttribute],
        _registry: &Registry,
    ) -> Result<Self> {
        create_dir(name, files)?;
        Ok(Self(()))
    }
}
