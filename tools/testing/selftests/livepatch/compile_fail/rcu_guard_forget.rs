// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: an RCU read-side critical section is a closure, not a value that can be
//! forgotten (a forgotten guard would leave `rcu_read_lock()` held: stalled grace periods).
//~ ERROR: cannot find function `read_lock`

use livepatch::module_livepatch;

module_livepatch! {
    name: "cf_rcu_guard_forget",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux,
    },
    patch: patch,
}

fn patch(patch: livepatch::Patch) -> livepatch::Patch {
    core::mem::forget(livepatch::rcu::read_lock()); //~ FAIL
    livepatch::rcu::read(|| ()); //~ PASS
    patch
}
