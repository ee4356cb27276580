// SPDX-License-Identifier: GPL-2.0

//! Printing pointers as the C livepatch samples do with `printk()`'s `%p`.
//!
//! Rust's `{:p}` prints the raw address; C's `%p` prints a hashed value that does not leak the
//! kernel's layout. [`Ptr`] formats like `%p`, so a Rust port's messages match its C original's.
//!
//! C header: [`include/linux/sprintf.h`](srctree/include/linux/sprintf.h)

use core::{ffi::c_void, fmt};
use kernel::str::CStr;

/// Formats `arg` with the `printk()` format `format` (one pointer conversion) and writes it to
/// `f`; the output is cut at 63 bytes.
pub(crate) fn snprintf_ptr(
    f: &mut fmt::Formatter<'_>,
    format: &CStr,
    arg: *const c_void,
) -> fmt::Result {
    let mut buf = [0u8; 64];
    // SAFETY: `buf` is writable for `buf.len()` bytes and `snprintf()` NUL-terminates within
    // them; `format` takes exactly one pointer argument, `arg`, which `%p` never dereferences and
    // the callers' other formats (`%pGg`) read as the pointed-to type they pass.
    let n = unsafe {
        kernel::bindings::snprintf(
            buf.as_mut_ptr().cast(),
            buf.len(),
            format.as_char_ptr(),
            arg,
        )
    };
    let n = usize::try_from(n).unwrap_or(0).min(buf.len() - 1);
    let text = buf.get(..n).unwrap_or(&[]);
    f.write_str(core::str::from_utf8(text).unwrap_or("(?)"))
}

/// A pointer printed as `printk()`'s `%p` prints it: hashed, `(null)` for NULL.
///
/// # Examples
///
/// ```ignore
/// pr_info!("dummy @ {}\n", Ptr(d));
/// ```
#[derive(Clone, Copy)]
pub struct Ptr(pub *const c_void);

impl<T> From<*mut T> for Ptr {
    fn from(p: *mut T) -> Self {
        Ptr(p.cast_const().cast())
    }
}

impl<T: ?Sized> From<&T> for Ptr {
    fn from(r: &T) -> Self {
        Ptr(core::ptr::from_ref(r).cast())
    }
}

impl fmt::Display for Ptr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        snprintf_ptr(f, kernel::c_str!("%p"), self.0)
    }
}

/// `pr_info()` in a C file that defines no `pr_fmt()`: the message without the module-name
/// prefix that the `kernel` crate's `pr_info!` always adds, so that a port of such a file prints
/// what it prints. Use [`pr_info_bare!`](crate::pr_info_bare).
pub fn info_bare(args: fmt::Arguments<'_>) {
    // SAFETY: The format is NUL-terminated, `KERN_INFO` then `%pA`, which `vsprintf()` formats
    // by calling `rust_fmt_argument()` on its argument, a `fmt::Arguments` here
    // (`lib/vsprintf.c`, as `kernel::print::call_printk()` passes it).
    unsafe {
        kernel::bindings::_printk(
            c"\x016%pA".as_ptr().cast(),
            core::ptr::from_ref(&args).cast::<c_void>(),
        )
    };
}

/// Prints an info message without the module-name prefix: C's `pr_info()` in a file without
/// `pr_fmt()`.
///
/// # Examples
///
/// ```ignore
/// pr_info_bare!("cleanup_work_func: jiffies = {:x}\n", j);
/// ```
#[macro_export]
macro_rules! pr_info_bare {
    ($($arg:tt)+) => {
        $crate::printk::info_bare(format_args!($($arg)+))
    };
}
