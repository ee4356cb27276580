// SPDX-License-Identifier: GPL-2.0

//! Livepatch test: the Rust shadow variable API (`src/shadow.rs`).
//!
//! Runs when loaded and prints one line per check, for `test-rust-shadow.sh`: values of several
//! types, a second allocation refused with `EEXIST`, a constructor that fails (nothing is left behind, its captures are dropped),
//! `get_or_alloc` running the constructor once, a free while the value is borrowed (the drop
//! waits for the borrow), and `free_all` with a destructor (each value destroyed and dropped
//! once). Loading fails if a check fails.
//!
//! C header: [`include/linux/livepatch.h`](srctree/include/linux/livepatch.h)

use core::{
    ffi::c_void,
    sync::atomic::{AtomicUsize, Ordering},
};
use kernel::{error::code::*, prelude::*};
use livepatch::{Gfp, Shadow, ShadowData, ShadowDtor};

module! {
    type: TestKlpRustShadow,
    name: "test_klp_rust_shadow",
    author: "Rust for Linux livepatch contributors",
    description: "Livepatch test: Rust shadow variable API",
    license: "GPL",
}

/// Values dropped so far.
static DROPS: AtomicUsize = AtomicUsize::new(0);
/// Destructor calls so far.
static DTORS: AtomicUsize = AtomicUsize::new(0);

/// A value that owns memory and counts its drops.
struct Tracked {
    n: KBox<u32>,
}

impl Drop for Tracked {
    fn drop(&mut self) {
        DROPS.fetch_add(1, Ordering::Relaxed);
    }
}

// SAFETY: A `Tracked` owns a `KBox` and its drop only increments an atomic: it does not sleep. Its
// drop reaches the module's static `DROPS`: it runs only from this module's `SV_TRACKED` calls
// (free, or the last `with` reader), and `run()` frees every `SV_TRACKED` variable before the
// module can be unloaded. (`klp_shadow_data!` refuses a custom `Drop`: this counter is what the
// test observes.)
unsafe impl ShadowData for Tracked {}

/// Counts destructor calls.
struct CountDtor;

impl ShadowDtor<Tracked> for CountDtor {
    fn destroy(_obj: *const c_void, value: &Tracked) {
        // The value is still alive when the destructor runs.
        if *value.n < 100 {
            DTORS.fetch_add(1, Ordering::Relaxed);
        }
    }
}

// SAFETY: Ids 0x7501 to 0x7503 are used by this test module only, each for one type.
static SV_BYTE: Shadow<u8> = unsafe { Shadow::new(0x7501) };
// SAFETY: As above.
static SV_ARRAY: Shadow<[u64; 4]> = unsafe { Shadow::new(0x7502) };
// SAFETY: As above.
static SV_TRACKED: Shadow<Tracked> = unsafe { Shadow::new(0x7503) };

/// Checks `cond`, printing `what` and the outcome.
fn check(what: &str, cond: bool) -> Result {
    pr_info!("{}: {}\n", what, if cond { "ok" } else { "FAILED" });
    if cond {
        Ok(())
    } else {
        Err(EINVAL)
    }
}

fn tracked(n: u32) -> Result<Tracked> {
    Ok(Tracked {
        n: KBox::new(n, GFP_ATOMIC)?,
    })
}

fn run(objs: &[u64; 5]) -> Result {
    let [a, b, ..] = objs;

    // Types: a byte and an array attached to the same object, read back.
    SV_BYTE.alloc(a, Gfp::KERNEL, |_| Ok(0x5a))?;
    SV_ARRAY.alloc(a, Gfp::KERNEL, |_| Ok([1, 2, 3, 4]))?;
    check("u8 value", SV_BYTE.with(a, |v| *v) == Some(0x5a))?;
    // Reads nest: each is an RCU read-side section (a spinlock of one lockdep class for all
    // call sites made the debug kernel report "possible recursive locking").
    check(
        "nested reads",
        SV_BYTE.with(a, |x| SV_ARRAY.with(a, |v| v[0] + u64::from(*x))) == Some(Some(0x5b)),
    )?;
    // A second variable with the same id on the same object is refused; the first stays.
    let ran = AtomicUsize::new(0);
    let r = SV_BYTE.alloc(a, Gfp::KERNEL, |_| {
        ran.fetch_add(1, Ordering::Relaxed);
        Ok(0)
    });
    check(
        "second alloc is refused with EEXIST",
        r == Err(EEXIST)
            && ran.load(Ordering::Relaxed) == 0
            && SV_BYTE.with(a, |v| *v) == Some(0x5a),
    )?;
    check(
        "[u64; 4] value",
        SV_ARRAY.with(a, |v| v.iter().sum::<u64>()) == Some(10),
    )?;
    check(
        "no variable on another object",
        SV_BYTE.with(b, |v| *v).is_none(),
    )?;
    let _ = SV_BYTE.free(a);
    let _ = SV_ARRAY.free(a);
    check(
        "freed variables are gone",
        !SV_BYTE.exists(a) && !SV_ARRAY.exists(a),
    )?;

    // A constructor that fails: the error comes back, nothing is attached, and what the
    // constructor captured is dropped.
    let drops = DROPS.load(Ordering::Relaxed);
    let captured = tracked(1)?;
    let r = SV_TRACKED.alloc(a, Gfp::KERNEL, move |new| {
        let _keep = captured;
        // The constructor sees the object it runs for.
        if new.obj() == core::ptr::from_ref(a).cast() {
            Err(ENOSPC)
        } else {
            Err(EINVAL)
        }
    });
    check("failing constructor returns its error", r == Err(ENOSPC))?;
    check(
        "failing constructor leaves no variable",
        !SV_TRACKED.exists(a),
    )?;
    check(
        "failing constructor drops its captures",
        DROPS.load(Ordering::Relaxed) == drops + 1,
    )?;

    // get_or_alloc: the constructor runs only the first time.
    let calls = AtomicUsize::new(0);
    for _ in 0..3 {
        SV_TRACKED.get_or_alloc(
            b,
            Gfp::KERNEL,
            |_| {
                calls.fetch_add(1, Ordering::Relaxed);
                tracked(7)
            },
            |v| *v.n,
        )?;
    }
    check(
        "get_or_alloc constructs once",
        calls.load(Ordering::Relaxed) == 1,
    )?;

    // A free while the value is borrowed: the drop waits until the borrow ends.
    let drops = DROPS.load(Ordering::Relaxed);
    let during = SV_TRACKED.with(b, |v| {
        let _ = SV_TRACKED.free(b);
        // Still readable: not dropped yet.
        (*v.n, DROPS.load(Ordering::Relaxed))
    });
    check(
        "free while borrowed defers the drop",
        during == Some((7, drops)),
    )?;
    check(
        "deferred drop happens after the borrow",
        DROPS.load(Ordering::Relaxed) == drops + 1 && !SV_TRACKED.exists(b),
    )?;

    // free_all with a destructor: every value destroyed and dropped exactly once.
    for (i, obj) in objs.iter().enumerate() {
        SV_TRACKED.alloc(obj, Gfp::KERNEL, |_| tracked(i as u32))?;
    }
    let drops = DROPS.load(Ordering::Relaxed);
    let dtors = DTORS.load(Ordering::Relaxed);
    let _ = SV_TRACKED.free_all_with::<CountDtor>();
    check(
        "free_all runs the destructor once per variable",
        DTORS.load(Ordering::Relaxed) == dtors + objs.len(),
    )?;
    check(
        "free_all drops each value once",
        DROPS.load(Ordering::Relaxed) == drops + objs.len(),
    )?;
    check(
        "free_all leaves no variable",
        objs.iter().all(|o| !SV_TRACKED.exists(o)),
    )?;
    Ok(())
}

struct TestKlpRustShadow;

impl kernel::Module for TestKlpRustShadow {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let objs = [0u64; 5];
        let r = run(&objs);
        let _ = SV_BYTE.free_all();
        let _ = SV_ARRAY.free_all();
        let _ = SV_TRACKED.free_all();
        r.map(|()| Self)
    }
}
