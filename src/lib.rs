// SPDX-License-Identifier: GPL-2.0

//! Safe Rust abstractions for kernel live patching.
//!
//! A livepatch module describes a [`Patch`]: a list of [`Object`]s (vmlinux or a module), each
//! with the [`Func`]s it replaces and optional (un)patch callbacks written as Rust closures. The
//! [`module_livepatch!`] macro declares the kernel module, marks it `livepatch=Y` in its modinfo
//! and registers the patch with `klp_enable_patch()` when the module loads. A patch can declare
//! the system [`State`]s it modifies, for cumulative patches to take over; [`console`] reads and
//! changes the console log level.
//!
//! Out-of-tree Rust modules are separate crates that only see `kernel`, so each livepatch module
//! includes this library as its `livepatch` module:
//!
//! ```ignore
//! #[macro_use]
//! #[path = "../../src/lib.rs"]
//! pub mod livepatch;
//! ```
//!
//! C header: [`include/linux/livepatch.h`](srctree/include/linux/livepatch.h)
//!
//! Documentation: `Documentation/livepatch/rust.rst`

pub mod bindings;
pub mod console;
#[macro_use]
pub mod cstruct;
#[macro_use]
mod macros;
pub mod params;
mod patch;
pub mod printk;
pub mod rcu;
#[macro_use]
pub mod seq_file;
pub mod state;
#[macro_use]
pub mod shadow;
pub mod syscall;
pub mod sysfs;
pub mod targets;
pub mod time;

/// `NR_CPUS` of the configured kernel (`CONFIG_NR_CPUS`), e.g. for a per-CPU parameter array.
pub const NR_CPUS: usize = bindings::CONFIG_NR_CPUS as usize;

pub use cstruct::CStruct;
pub use params::{Param, ParamArray, ParamType};
pub use patch::{ffi_ret, CallScope, FfiArg, FfiRet, FromRaw, IntoPatch, ModuleState};
pub use patch::{Func, Object, Patch, Registration, Replacement, Target, TargetModule};
pub use printk::Ptr;
pub use seq_file::SeqFile;
pub use shadow::{Gfp, NewShadow, Shadow, ShadowData, ShadowDtor, ShadowObj};
pub use state::{State, StateData, StateRef, Transition};
pub use syscall::{current_pid, current_tgid_vnr, PtRegs};
pub use sysfs::{AttrWriter, RoAttribute};
