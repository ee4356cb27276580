// SPDX-License-Identifier: GPL-2.0
//! Errors: each is one line naming the cause and what to do, and has its own exit status.

use std::fmt;

/// The exit statuses, documented in `klp --help` and `Documentation/livepatch/klp.rst`: 0 when
/// done, 2 for a bad command line (clap's), and these.
pub mod status {
    /// Any other failure (an unreadable file, an unexpected kernel error).
    pub const FAILED: i32 = 1;
    /// Not run as root.
    pub const NOT_ROOT: i32 = 3;
    /// The kernel has no livepatch support (no `/sys/kernel/livepatch`).
    pub const NO_LIVEPATCH: i32 = 4;
    /// The file is not a livepatch module.
    pub const NOT_A_LIVEPATCH: i32 = 5;
    /// No livepatch or module of that name is loaded.
    pub const NOT_LOADED: i32 = 6;
    /// A transition did not complete in time; the tasks holding it are listed.
    pub const STALLED: i32 = 7;
    /// The patch was forced: its module stays until reboot.
    pub const FORCED: i32 = 8;
    /// The kernel refused to load the module (already loaded, bad parameter, missing symbol, a
    /// failing pre-patch callback, ...).
    pub const REFUSED: i32 = 9;
    /// The kernel refused the module's signature (none, an untrusted key, changed after signing,
    /// malformed, an unsupported algorithm).
    pub const SIGNATURE: i32 = 10;
}

#[derive(Debug)]
pub enum Error {
    NotRoot,
    NoLivepatch,
    NotALivepatch(String),
    NotLoaded(String),
    /// A transition did not complete in time; the report names the tasks.
    Stalled {
        what: String,
        report: String,
        /// What was done about it, and what to do.
        advice: String,
    },
    Forced(String),
    Refused(String),
    /// The kernel refused the module's signature: why, from what the file says about itself.
    Signature(String),
    Failed(String),
}

impl Error {
    pub fn status(&self) -> i32 {
        match self {
            Error::NotRoot => status::NOT_ROOT,
            Error::NoLivepatch => status::NO_LIVEPATCH,
            Error::NotALivepatch(_) => status::NOT_A_LIVEPATCH,
            Error::NotLoaded(_) => status::NOT_LOADED,
            Error::Stalled { .. } => status::STALLED,
            Error::Forced(_) => status::FORCED,
            Error::Refused(_) => status::REFUSED,
            Error::Signature(_) => status::SIGNATURE,
            Error::Failed(_) => status::FAILED,
        }
    }

    /// The tasks holding a stalled transition, printed after the message.
    pub fn report(&self) -> Option<&str> {
        match self {
            Error::Stalled { report, .. } => Some(report),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotRoot => write!(
                f,
                "klp: must run as root (loading, unloading and reading task states need it); use sudo"
            ),
            Error::NoLivepatch => write!(
                f,
                "klp: this kernel has no livepatch support (no /sys/kernel/livepatch); boot a kernel \
                 built with CONFIG_LIVEPATCH=y"
            ),
            Error::NotALivepatch(what) => write!(
                f,
                "klp: {what} is not a livepatch module (no livepatch=Y in its modinfo); load it with \
                 insmod or modprobe"
            ),
            Error::NotLoaded(name) => write!(
                f,
                "klp: no livepatch named {name} is loaded; `klp list` shows the loaded ones"
            ),
            Error::Stalled { what, advice, .. } => write!(f, "klp: {what}; {advice}"),
            Error::Forced(name) => write!(
                f,
                "klp: {name} was forced (/sys/kernel/livepatch/{name}/force): the kernel keeps its \
                 module until reboot; it is disabled, nothing else to do"
            ),
            Error::Refused(why) | Error::Signature(why) => write!(f, "klp: {why}"),
            Error::Failed(why) => write!(f, "klp: {why}"),
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// An I/O error on `path`, as an [`Error::Failed`].
pub fn io(path: &std::path::Path, e: std::io::Error) -> Error {
    Error::Failed(format!("{}: {e}", path.display()))
}
