// SPDX-License-Identifier: GPL-2.0

//! Replacing system call entry points.
//!
//! On x86_64 with `ARCH_HAS_SYSCALL_WRAPPER`, `SYSCALL_DEFINE0(getpid)` defines
//! `__x64_sys_getpid(const struct pt_regs *regs)`: the entry point takes the saved user registers.
//! A replacement declares that parameter as `Option<&PtRegs>` (C code may pass `NULL` for a
//! `struct pt_regs *`: see [`CallArg`]) and returns `c_long`:
//!
//! ```ignore
//! klp_func! {
//!     /// Replaces `__x64_sys_getpid()`.
//!     fn lp_sys_getpid(_regs: Option<&PtRegs>) -> c_long {
//!         current_tgid_vnr().into()
//!     }
//! }
//! ```
//!
//! C headers: [`include/linux/syscalls.h`](srctree/include/linux/syscalls.h),
//! [`arch/x86/include/asm/ptrace.h`](srctree/arch/x86/include/asm/ptrace.h)

use crate::{bindings, CallArg};
use core::marker::PhantomData;
use kernel::types::Opaque;

/// The user registers saved on system call entry (`struct pt_regs`), as a syscall entry point
/// receives them.
///
/// # Invariants
///
/// `inner` is the `struct pt_regs` passed to a running system call entry point, valid for the
/// duration of that call.
#[repr(transparent)]
pub struct PtRegs {
    inner: Opaque<bindings::pt_regs>,
}

impl PtRegs {
    /// The raw `struct pt_regs *`, for passing on to C.
    pub fn as_ptr(&self) -> *const bindings::pt_regs {
        self.inner.get()
    }
}

// SAFETY: `PtRegs` is transparent over `Opaque<pt_regs>`; a non-NULL `const struct pt_regs *`
// argument of a running function (a syscall entry point's saved user registers) is valid for the
// call, which is the type invariant.
unsafe impl CallArg for PtRegs {
    type C = bindings::pt_regs;
    const C_TYPE: crate::ctype::CType =
        crate::ctype::CType::record("struct pt_regs").const_pointer();
}

/// The task running this code (`current`), read once for the calls below.
///
/// # Invariants
///
/// `task` is `current` of the thread that made the value, which is not `Send`: it stays on that
/// thread, whose task is alive while it runs.
pub struct Current {
    task: *mut kernel::bindings::task_struct,
    _not_send: PhantomData<*mut ()>,
}

impl Current {
    /// The current task (`get_current()`).
    pub fn get() -> Self {
        Self {
            // SAFETY: `get_current()` only reads this CPU's `current_task`.
            task: unsafe { kernel::bindings::get_current() },
            _not_send: PhantomData,
        }
    }

    /// Its pid (thread id), as seen from the kernel (`current->pid`).
    pub fn pid(&self) -> i32 {
        // SAFETY: `task` is alive (type invariants); `pid` is set at fork and changes only when
        // this very task execs (`de_thread()`), not while it runs this code.
        unsafe { (*self.task).pid }
    }

    /// Its thread group id in its pid namespace: what `getpid()` returns
    /// (`task_tgid_vnr(current)`).
    pub fn tgid_vnr(&self) -> i32 {
        // SAFETY: `task` is alive (type invariants); a NULL namespace means the task's active one.
        unsafe {
            kernel::bindings::__task_pid_nr_ns(
                self.task,
                kernel::bindings::pid_type_PIDTYPE_TGID,
                core::ptr::null_mut(),
            )
        }
    }
}

/// The thread group id of the current task in its pid namespace: what `getpid()` returns
/// (`task_tgid_vnr(current)`).
pub fn current_tgid_vnr() -> i32 {
    Current::get().tgid_vnr()
}

/// The pid (thread id) of the current task, as seen from the kernel (`current->pid`).
pub fn current_pid() -> i32 {
    Current::get().pid()
}
