// SPDX-License-Identifier: GPL-2.0

//! Code shared by the Rust ports of the livepatch selftests' test modules.
//!
//! A library crate, compiled once as the `livepatch` crate is and used with
//! `--extern klp_selftest` (see `Kbuild`): each module gets its own copy of what it uses.

pub mod callbacks;
pub mod state;

use core::fmt;
use kernel::str::CStr;

/// Where the shared code prints: the `pr_info!` of the module that calls it.
///
/// `pr_info!` in this crate would print with this crate's name; the selftests match lines by the
/// module's name, which [`log!`] gives.
#[derive(Clone, Copy)]
pub struct Log(&'static CStr);

impl Log {
    /// The log of the module whose `pr_info!` prefix is `prefix`.
    pub const fn new(prefix: &'static CStr) -> Self {
        Self(prefix)
    }

    /// Prints `args` as `pr_info!` does in the module.
    pub fn info(&self, args: fmt::Arguments<'_>) {
        // SAFETY: The module name is NUL-terminated, as `call_printk()` requires.
        unsafe {
            kernel::print::call_printk(
                &kernel::print::format_strings::INFO,
                self.0.as_bytes_with_nul(),
                args,
            )
        };
    }
}

/// The [`Log`] of the calling module.
#[macro_export]
#[expect(
    clippy::crate_in_macro_def,
    reason = "`__LOG_PREFIX` is the calling module's, defined by its `module!`"
)]
macro_rules! log {
    () => {
        const {
            match ::kernel::str::CStr::from_bytes_with_nul(crate::__LOG_PREFIX) {
                Ok(prefix) => $crate::Log::new(prefix),
                Err(_) => panic!("the module name is NUL-terminated"),
            }
        }
    };
}

/// `pr_info!` into a [`Log`].
#[macro_export]
macro_rules! info {
    ($log:expr, $($arg:tt)+) => {
        $log.info(::core::format_args!($($arg)+))
    };
}
