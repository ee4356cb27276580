// SPDX-License-Identifier: GPL-2.0

//! Livepatch test: a Rust module whose own functions a Rust livepatch replaces.
//!
//! Kbuild builds it with ftrace call sites (`klp_target`), so its functions show in
//! `available_filter_functions`, can be traced, and can be replaced:
//! `test_klp_rust_target_patch` replaces both below. `/sys/kernel/test_klp_rust_target/answer`
//! prints what `test_klp_rust_target_answer()` returns (`#[no_mangle]`: kallsyms has its C-like
//! name), `mangled` what `mangled_answer()` returns (kallsyms has its v0-mangled name).
//! `nofentry/test_klp-rust-target.ko` is the same module built without ftrace call sites: the
//! livepatch core refuses to patch it.

use core::{ffi::c_int, fmt::Write, hint::black_box};
use kernel::{c_str, prelude::*};
use livepatch::{
    klp_target_fn, module_target, AttrWriter, ModuleDir, ModuleInit, Registry, RoAttribute,
};

module_target! {
    type: RustTarget,
    name: "test_klp_rust_target",
    author: "Rust for Linux livepatch contributors",
    description: "Livepatch test: Rust functions as livepatch targets",
    license: "GPL",
}

klp_target_fn! {
    /// Replaced by `test_klp_rust_target_patch`, which the build checks against this signature.
    /// Not inlined into its caller (`klp_target_fn!`), and its value opaque to the optimizer
    /// (`black_box`): the caller must call it.
    pub fn test_klp_rust_target_answer() -> c_int {
        black_box(42)
    }
}

static ANSWER_REF: c_int = 42;

klp_target_fn! {
    /// Returns a reference, which its callers read without a NULL check: a livepatch cannot
    /// replace it without `unsafe` (a replacement returns no reference; the build refuses a
    /// pointer: compile-fail case `klp_func_rust_target_ref`).
    pub fn test_klp_rust_target_answer_ref() -> &'static c_int {
        &ANSWER_REF
    }
}

/// Replaced too, by its mangled name.
#[inline(never)]
extern "C" fn mangled_answer() -> c_int {
    black_box(7)
}

fn answer_show(out: &mut AttrWriter<'_>) -> Result {
    writeln!(out, "{}", test_klp_rust_target_answer()).map_err(|_| EINVAL)
}

fn mangled_show(out: &mut AttrWriter<'_>) -> Result {
    writeln!(out, "{}", mangled_answer()).map_err(|_| EINVAL)
}

static ANSWER: RoAttribute = RoAttribute::new(c_str!("answer"), answer_show);
static MANGLED: RoAttribute = RoAttribute::new(c_str!("mangled"), mangled_show);

struct RustTarget {
    _dir: ModuleDir,
}

impl ModuleInit for RustTarget {
    fn init(_module: &'static ThisModule, registry: &Registry) -> Result<Self> {
        pr_info!(
            "answer {}, mangled {}\n",
            test_klp_rust_target_answer(),
            mangled_answer()
        );
        let dir = ModuleDir::create(
            c_str!("test_klp_rust_target"),
            &[&ANSWER, &MANGLED],
            registry,
        )?;
        Ok(Self { _dir: dir })
    }
}
