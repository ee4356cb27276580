// SPDX-License-Identifier: GPL-2.0

//! Writing to a `struct seq_file` from a replacement function.
//!
//! C header: [`include/linux/seq_file.h`](srctree/include/linux/seq_file.h)

use crate::{bindings, CallArg};
use core::fmt;
use kernel::types::Opaque;

/// A `struct seq_file` being filled by a `show()` function.
///
/// Replacement functions for `show()` callbacks receive an `Option<&SeqFile>` (see
/// [`CallArg`]: C may pass `NULL`) and print into it with [`seq_print!`](crate::seq_print) or [`SeqFile::write_str`].
///
/// # Invariants
///
/// `inner` is a `struct seq_file` that the seq_file core handed to a `show()` function, valid for
/// the duration of that call; the seq_file core serialises `show()` calls on it (`m->lock`).
#[repr(transparent)]
pub struct SeqFile {
    inner: Opaque<bindings::seq_file>,
}

impl SeqFile {
    /// Creates a `&SeqFile` from the pointer a `show()` function received.
    ///
    /// # Safety
    ///
    /// `ptr` must be the `struct seq_file *` passed to a running `show()` function, and the
    /// returned reference must not outlive that call.
    pub unsafe fn from_raw<'a>(ptr: *mut bindings::seq_file) -> &'a SeqFile {
        // SAFETY: `SeqFile` is a transparent wrapper of `Opaque<seq_file>`, which has the layout of
        // `seq_file`; the caller guarantees that `ptr` is valid for `'a`.
        unsafe { &*ptr.cast::<SeqFile>() }
    }

    /// Writes `s` to the file, as `seq_puts()` does.
    pub fn write_str(&self, s: &str) {
        // SAFETY: `self.inner` is valid (type invariant); `s` is valid for `s.len()` bytes.
        // `seq_write()` only fails (and marks the file overflowed) when the buffer is full, in
        // which case the seq_file core retries with a bigger buffer, as for `seq_puts()`.
        unsafe { bindings::seq_write(self.inner.get(), s.as_ptr().cast(), s.len()) };
    }

    /// Writes formatted text to the file; use [`seq_print!`](crate::seq_print) rather than calling
    /// this.
    pub fn call_printf(&self, args: fmt::Arguments<'_>) {
        // SAFETY: `self.inner` is valid (type invariant). `%pA` is the kernel's `vsprintf`
        // extension that formats a `core::fmt::Arguments` passed by pointer; `args` lives until
        // `seq_printf()` returns.
        unsafe {
            bindings::seq_printf(
                self.inner.get(),
                kernel::c_str!("%pA").as_char_ptr(),
                &args as *const fmt::Arguments<'_> as *const kernel::ffi::c_void,
            )
        };
    }
}

// SAFETY: `SeqFile` is transparent over `Opaque<seq_file>`; a non-NULL `struct seq_file *`
// argument of a running `show()` function is the one the seq_file core handed it, valid and
// serialised by `m->lock` for the call (`fs/seq_file.c`: `seq_read_iter()`), which is the type
// invariant.
unsafe impl CallArg for SeqFile {
    type C = bindings::seq_file;
    const C_TYPE: crate::ctype::CType = crate::ctype::CType::record("struct seq_file").pointer();
}

/// Prints into a [`SeqFile`] with `format!`-style arguments, like C's `seq_printf()`.
///
/// # Examples
///
/// ```ignore
/// seq_print!(m, "{}\n", "this has been live patched");
/// ```
#[macro_export]
macro_rules! seq_print {
    ($m:expr, $($arg:tt)+) => {
        $m.call_printf(::core::format_args!($($arg)+))
    };
}
