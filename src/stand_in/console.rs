// SPDX-License-Identifier: GPL-2.0

//! The console log level: `console_loglevel`, read and changed by livepatches that adjust how
//! much the kernel prints (for example the system-state selftests, `test_klp_state*.c`).
//!
//! `console_loglevel` is `console_printk[0]`, an exported array that `/proc/sys/kernel/printk`
//! and `syslog(2)` also read and write. Like the C code, these functions use single, untorn
//! accesses and no lock: the log level is a plain `int` the kernel reads racily on every
//! `printk()`.
//!
//! C header: [`include/linux/printk.h`](srctree/include/linux/printk.h)
//!
//! # Examples
//!
//! ```ignore
//! use livepatch::console;
//!
//! let saved = console::loglevel();
//! console::set_loglevel(console::LOGLEVEL_MOTORMOUTH);
//! // ...
//! console::set_loglevel(saved);
//! ```

use crate::bindings;
use core::ptr;
use kernel::ffi::c_int;

/// `CONSOLE_LOGLEVEL_SILENT`: the console prints nothing.
pub const LOGLEVEL_SILENT: i32 = bindings::CONSOLE_LOGLEVEL_SILENT as i32;
/// `CONSOLE_LOGLEVEL_MOTORMOUTH`: the console prints everything ("you can't shut this one up").
pub const LOGLEVEL_MOTORMOUTH: i32 = bindings::CONSOLE_LOGLEVEL_MOTORMOUTH as i32;

/// The address of `console_loglevel`, the first entry of `console_printk[]`.
fn loglevel_ptr() -> *mut c_int {
    // `console_printk` is declared as a zero-length array: take its address without creating a
    // reference, and use it as a pointer to its first element.
    ptr::addr_of_mut!(bindings::console_printk).cast::<c_int>()
}

/// The current console log level (`console_loglevel`).
pub fn loglevel() -> i32 {
    // SAFETY: `console_printk` is a static `int[4]` in `kernel/printk/printk.c`, so its first
    // element is always valid; the kernel changes it without locking, hence the volatile (single,
    // untorn) read, as `READ_ONCE()` would do.
    unsafe { ptr::read_volatile(loglevel_ptr()) }
}

/// Sets the console log level (`console_loglevel = level`).
///
/// Any `int` is accepted, as by the C assignment: the kernel compares message levels against it.
pub fn set_loglevel(level: i32) {
    // SAFETY: As in `loglevel`; a single untorn store, like `WRITE_ONCE()`.
    unsafe { ptr::write_volatile(loglevel_ptr(), level) }
}
