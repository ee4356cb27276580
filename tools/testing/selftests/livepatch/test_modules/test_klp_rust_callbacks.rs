// SPDX-License-Identifier: GPL-2.0

//! Livepatch test: callbacks as Rust closures with shared state, and paired values.
//!
//! Objects: vmlinux, `test_klp_callbacks_mod`, and `test_klp_callbacks_busy` (whose
//! `busymod_work_func()` it replaces, so that a blocked transition can be reversed). Each object
//! acquires a [`Token`] in pre-patch that its post-unpatch receives, and produces one in
//! post-patch that its pre-unpatch receives. Tokens print when acquired and when dropped, with
//! the number still alive, so the tests count acquisitions and releases. The callbacks of an
//! object count their calls in a counter their closures share.

use core::{
    ffi::c_void,
    sync::atomic::{AtomicI32, AtomicU32, Ordering},
};
use kernel::{error::to_result, prelude::*, sync::Arc};
use livepatch::{klp_func, module_livepatch, Callbacks, Patch, Target};

module_livepatch! {
    name: "test_klp_rust_callbacks",
    description: "Livepatch test: Rust callback closures and paired values",
    license: "GPL",
    params: {
        vmlinux_pre_patch_ret: i32 = 0, 0o644, "vmlinux pre_patch_callback return (default=0)";
        mod_pre_patch_ret: i32 = 0, 0o644, "module targets pre_patch_callback return (default=0)";
        flag: bool = false, 0o600, "a bool parameter, for the parameter tests";
        values: [i32; 4] = [], 0o444, "an int array parameter, for the parameter tests";
        defaults: [i32; 4] = [1, 2, 3, 4], 0o644, "an int array parameter with default values";
        hidden: i32 = 7, 0, "a parameter not in sysfs, for the parameter tests";
        check_reads: bool = false, 0, "check parameter reads when loaded (nested, atomic context)";
    },
    objects: {
        VMLINUX: vmlinux,
        MOD: "test_klp_callbacks_mod",
        BUSY: "test_klp_callbacks_busy" {
            busymod_work_func => patched_work_func,
        },
    },
    patch: patch,
}

/// Tokens alive, and tokens ever made.
static LIVE: AtomicI32 = AtomicI32::new(0);
static SERIAL: AtomicI32 = AtomicI32::new(0);

/// A resource acquired by a patch callback and released by its unpatch counterpart.
struct Token {
    serial: i32,
    kind: &'static str,
}

impl Token {
    fn new(kind: &'static str, obj: &Target<'_>) -> Self {
        let serial = SERIAL.fetch_add(1, Ordering::Relaxed) + 1;
        let live = LIVE.fetch_add(1, Ordering::Relaxed) + 1;
        pr_info!(
            "{kind} token {serial} for {} acquired, live tokens: {live}\n",
            obj.name()
        );
        Self { serial, kind }
    }
}

impl Drop for Token {
    fn drop(&mut self) {
        let live = LIVE.fetch_sub(1, Ordering::Relaxed) - 1;
        pr_info!(
            "{} token {} released, live tokens: {live}\n",
            self.kind,
            self.serial
        );
    }
}

fn info(callback: &str, obj: &Target<'_>, calls: &AtomicU32) {
    let n = calls.fetch_add(1, Ordering::Relaxed) + 1;
    pr_info!("{callback}: {} (call {n})\n", obj.name());
}

fn callbacks(pre_patch_ret: fn() -> i32) -> Result<Callbacks> {
    let calls = Arc::new(AtomicU32::new(0), GFP_KERNEL)?;
    let (pre, post, pre_un, post_un) = (calls.clone(), calls.clone(), calls.clone(), calls);
    Ok(Callbacks::new()
        .pre_patch_paired(
            move |obj| {
                info("pre_patch_callback", obj, &pre);
                to_result(pre_patch_ret())?;
                Ok(Token::new("pre_patch", obj))
            },
            move |obj, token| {
                info("post_unpatch_callback", obj, &post_un);
                drop(token);
            },
        )
        .post_patch_paired(
            move |obj| {
                info("post_patch_callback", obj, &post);
                Token::new("post_patch", obj)
            },
            move |obj, token| {
                info("pre_unpatch_callback", obj, &pre_un);
                drop(token);
            },
        ))
}

klp_func! {
    /// Replaces `busymod_work_func()` of `test_klp_callbacks_busy`.
    fn patched_work_func(_work: *mut c_void) {
        pr_info!("patched_work_func\n");
    }
}

/// Reads parameters nested in an array read, and under a spinlock (atomic context), and prints
/// what it read, for `test-rust-params.sh`.
fn check_param_reads() -> Result {
    kernel::stack_pin_init!(let lock = kernel::new_spinlock!((), "check_param_reads"));
    let atomic = {
        let _guard = lock.lock();
        (
            hidden.get(),
            flag.get(),
            defaults.len(),
            defaults.get(3),
            values.get(9),
        )
    };
    // Summed as `i64`: four `i32`s cannot overflow it (an `i32` sum of insmod values would, and
    // the debug kernel's overflow checks panic).
    let sum = |d: &[i32]| d.iter().map(|&x| i64::from(x)).sum::<i64>();
    let nested = values.with(|v| defaults.with(|d| (v.len(), sum(d), hidden.get())))??;
    pr_info!(
        "parameter reads: atomic {:?}, nested {:?}\n",
        atomic,
        nested
    );
    Ok(())
}

fn patch(patch: Patch) -> Result<Patch> {
    if check_reads.get() {
        check_param_reads()?;
    }
    let module_ret = || mod_pre_patch_ret.get();
    Ok(patch
        .callbacks(VMLINUX, callbacks(|| vmlinux_pre_patch_ret.get())?)
        .callbacks(MOD, callbacks(module_ret)?)
        .callbacks(BUSY, callbacks(module_ret)?))
}
