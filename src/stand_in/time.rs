// SPDX-License-Identifier: GPL-2.0

//! Jiffies, as C livepatches read them, and `msleep()`.
//!
//! C header: [`include/linux/jiffies.h`](srctree/include/linux/jiffies.h)

pub use kernel::time::{msecs_to_jiffies, Jiffies};

/// The current value of `jiffies`.
pub fn jiffies() -> Jiffies {
    // SAFETY: `jiffies` is a kernel variable that is always valid; it is read once, as C's
    // `READ_ONCE(jiffies)` (the timer interrupt updates it).
    unsafe { core::ptr::read_volatile(&raw const kernel::bindings::jiffies) }
}

/// `time_after(a, b)`: whether `a` is after `b`, robust to wrap-around.
pub fn time_after(a: Jiffies, b: Jiffies) -> bool {
    (b.wrapping_sub(a) as i64) < 0
}

/// `msleep()`: sleeps, uninterruptibly, for at least `msecs` milliseconds. Process context only.
///
/// C header: [`include/linux/delay.h`](srctree/include/linux/delay.h)
pub fn msleep(msecs: u32) {
    // SAFETY: `msleep()` takes any value and only sleeps.
    unsafe { kernel::bindings::msleep(msecs) }
}
