// SPDX-License-Identifier: GPL-2.0

//! Stand-ins for what the `kernel` crate of Linux 6.12 lacks.
//!
//! Livepatches need a few kernel interfaces that 6.12's `kernel` crate does not bind yet. Each
//! module here fills one such gap, with the smallest safe API the livepatch modules need, and can
//! be dropped once the `kernel` crate offers its own:
//!
//! | module | stands in for | in mainline's `kernel` crate (after 6.12) |
//! |---|---|---|
//! | [`seq_file`] | `seq_printf()` from a `show()` function | `kernel::seq_file` |
//! | [`rcu`] | `rcu_read_lock()`, inline in C, through `rcu.c` | `kernel::sync::rcu` |
//! | [`sysfs`] | a `/sys/kernel/<name>` directory of read-only files | |
//! | [`syscall`] | `struct pt_regs` of a system call, `current`'s pid | |
//! | [`console`] | `console_loglevel` | |
//! | [`printk`] | `%p`-style hashed pointers | |
//! | [`time`] | reading `jiffies`, `time_after()`, `msleep()` | `kernel::time::delay` (`fsleep()`) |
//! | [`cstruct`] | C structures passed to replacement functions | |
//! | [`net`] | `netdev_priv()`, `netif_running()` (through `net.c`), `nla_get_*()` | |
//! | [`workqueue`] | `DECLARE_WORK()`, `DECLARE_DELAYED_WORK()` running a named C-ABI function (through `work.c`) | |
//! | [`static_pin`] | `DEFINE_MUTEX()`: a pin-initialised value in static storage | `global_lock!` |
//! | [`completion`] | `DECLARE_COMPLETION()` (through `work.c`) | `kernel::sync::Completion` |
//!
//! The livepatch API itself (patches, objects, functions, callbacks, states, shadow variables,
//! parameters and the macros) is in the crate root and does not depend on how these are
//! implemented. The `.c` files are the C halves of their namesakes: inline C functions and static
//! data, linked by Kbuild into the modules that use them (`klp_c_halves` in `Kbuild`).

pub mod completion;
pub mod console;
pub mod cstruct;
pub mod net;
pub mod printk;
pub mod rcu;
pub mod seq_file;
pub mod static_pin;
pub mod syscall;
pub mod sysfs;
pub mod time;
pub mod workqueue;
