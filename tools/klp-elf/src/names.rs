// SPDX-License-Identifier: GPL-2.0
//! `klp-elf names`: the global symbols a module object defines must be its own, and it hands no
//! code to a deferred context the module's exit cannot tear down.
//!
//! Modules compile as edition 2021, where `#[no_mangle]` and `#[export_name]` need no `unsafe`:
//! a module may define `memset` (the compiler's own calls in the module then go to it), a name
//! of the kernel (which the module loader resolves, and kallsyms lookups find, ambiguously),
//! or a reserved `__` name. A global symbol of a module object is refused if it is
//!
//! * a compiler builtin or runtime name (`memset`, `memcpy`, `__stack_chk_fail`, `__fentry__`,
//!   the return and indirect-branch thunks, sanitizer hooks, ...),
//! * defined by vmlinux (its symbol table, as `System.map`) or exported by the kernel or its
//!   modules (`Module.symvers` of KDIR),
//! * a name starting with `__`, except what Kbuild and the compiler generate for every module
//!   (`__this_module`, `__UNIQUE_ID_*`, `__pfx_`/`__cfi_` companions of an accepted name, ...),
//! * a name of the crate's C helpers (`klp_rust_*`), whose calls the crate's `unsafe` code
//!   relies on.

use object::{Object, ObjectSymbol, SymbolKind};
use std::collections::HashSet;
use std::path::Path;

/// Names the compiler emits calls to, or that its runtime defines: a module's own definition
/// would take over the calls of the module's code.
const BUILTINS: &[&str] = &[
    "memset",
    "memcpy",
    "memmove",
    "memcmp",
    "bcmp",
    "memchr",
    "strlen",
    "strnlen",
    "strcmp",
    "strncmp",
    "strcpy",
    "strncpy",
    "strcat",
    "strchr",
    "strrchr",
    "strstr",
    "abort",
    "mcount",
    "_mcount",
    "rust_begin_unwind",
    "rust_eh_personality",
    "_Unwind_Resume",
];

/// Prefixes of compiler runtime names without a leading `__`.
const BUILTIN_PREFIXES: &[&str] = &["_Unwind_", "rust_helper_"];

/// Kernel functions that hand code to a deferred context (a work item, a timer, an RCU callback,
/// a kernel thread, ...), which may run it after the module's exit: its image is then freed. A
/// module's Rust code reaches them only through the crate's registered work items
/// (`StaticWork`, `StaticDelayedWork`: `work.c` calls them, and the generated exit disables the
/// items), never directly, e.g. through the `kernel` crate's `workqueue`, whose items the exit
/// cannot find (one that queues itself again outlives the exit's flush).
const DEFERRALS: &[&str] = &[
    "queue_work_on",
    "queue_work_node",
    "queue_delayed_work_on",
    "mod_delayed_work_on",
    "queue_rcu_work",
    "schedule_on_each_cpu",
    "execute_in_process_context",
    "call_rcu",
    "call_rcu_hurry",
    "call_srcu",
    "add_timer",
    "add_timer_on",
    "add_timer_global",
    "add_timer_local",
    "mod_timer",
    "mod_timer_pending",
    "timer_reduce",
    "init_timer_key",
    "hrtimer_start_range_ns",
    "hrtimer_init",
    "kthread_create_on_node",
    "kthread_create_on_cpu",
    "kthread_queue_work",
    "kthread_queue_delayed_work",
    "kthread_mod_delayed_work",
    "irq_work_queue",
    "irq_work_queue_on",
    "__tasklet_schedule",
    "__tasklet_hi_schedule",
    "tasklet_setup",
    "tasklet_init",
    "async_schedule_node",
    "async_schedule_node_domain",
    "stop_machine",
];

/// The namespace of the crate's C helpers (`src/stand_in/*.c`: `klp_rust_init_completion`,
/// `klp_rust_registry`, ...), which the crate's `extern` declarations name and its `unsafe`
/// code relies on: a module's own definition of such a name would take the crate's calls
/// (in a module built without that helper, the declaration resolves to it).
const CRATE_HELPER_PREFIX: &str = "klp_rust_";

/// `__` names that Kbuild or the compiler generate in every module object.
const KBUILD_NAMES: &[&str] = &["__this_module"];
const KBUILD_PREFIXES: &[&str] = &[
    "__UNIQUE_ID_",
    "__kcfi_typeid_",
    "__mod_device_table__",
    "__addressable_",
    // KASAN (generic): the ODR indicator the compiler defines beside each instrumented global.
    "__odr_asan_gen_",
];
/// Companion symbols of a function, checked as the function's name.
const COMPANIONS: &[&str] = &["__pfx_", "__cfi_"];

/// Why the global name `name` may not be defined by a module, if it may not.
pub fn refused(name: &str, kernel: &HashSet<String>) -> Option<String> {
    if let Some(base) = COMPANIONS.iter().find_map(|p| name.strip_prefix(p)) {
        return refused(base, kernel).map(|why| format!("the companion of `{base}`: {why}"));
    }
    if BUILTINS.contains(&name) || BUILTIN_PREFIXES.iter().any(|p| name.starts_with(p)) {
        return Some(
            "a compiler builtin or runtime name: the compiler's own calls in the module would \
             go to it"
                .into(),
        );
    }
    if name.starts_with(CRATE_HELPER_PREFIX) {
        return Some(
            "the namespace of the livepatch crate's C helpers (`klp_rust_`): the crate's own \
             calls would go to it"
                .into(),
        );
    }
    if kernel.contains(name) {
        return Some("defined or exported by the kernel (vmlinux or Module.symvers)".into());
    }
    if name.starts_with("__")
        && !KBUILD_NAMES.contains(&name)
        && !KBUILD_PREFIXES.iter().any(|p| name.starts_with(p))
    {
        return Some("a reserved name (`__`: the compiler's, the kernel's and Kbuild's)".into());
    }
    None
}

/// The names vmlinux defines and those `Module.symvers` lists.
pub fn kernel_names(kdir: &Path) -> Result<HashSet<String>, String> {
    let vml = kdir.join("vmlinux");
    let data = std::fs::read(&vml).map_err(|e| format!("cannot read {}: {e}", vml.display()))?;
    let file = object::File::parse(&*data)
        .map_err(|e| format!("{}: not an object file: {e}", vml.display()))?;
    let mut names: HashSet<String> = file
        .symbols()
        .filter(|s| {
            !s.is_undefined() && !matches!(s.kind(), SymbolKind::File | SymbolKind::Section)
        })
        .filter_map(|s| s.name().ok().filter(|n| !n.is_empty()).map(String::from))
        .collect();
    if names.is_empty() {
        return Err(format!("{}: no symbol table", vml.display()));
    }
    names.extend(crate::check::exported(kdir));
    Ok(names)
}

/// The errors of the global symbols that the object file `obj` defines, and of the deferral
/// functions it calls ([`DEFERRALS`]).
pub fn check_object(obj: &Path, kernel: &HashSet<String>) -> Result<Vec<String>, String> {
    let data = std::fs::read(obj).map_err(|e| format!("{}: {e}", obj.display()))?;
    let file = object::File::parse(&*data)
        .map_err(|e| format!("{}: not an object file: {e}", obj.display()))?;
    let mut errors = vec![];
    for s in file.symbols().filter(|s| s.is_undefined()) {
        let Ok(name) = s.name() else { continue };
        if DEFERRALS.contains(&name) {
            errors.push(format!(
                "calls `{name}`, which hands code to a deferred context that can run it after the \
                 module's exit: use StaticWork or StaticDelayedWork, whose work items the \
                 generated exit disables"
            ));
        }
    }
    for s in file.symbols() {
        if s.is_undefined()
            || s.is_local()
            || matches!(s.kind(), SymbolKind::File | SymbolKind::Section)
        {
            continue;
        }
        let Ok(name) = s.name() else { continue };
        if let Some(why) = refused(name, kernel) {
            errors.push(format!(
                "defines the global symbol `{name}` (`#[no_mangle]`, `#[export_name]` or a \
                 klp_target_fn!?): {why}"
            ));
        }
    }
    Ok(errors)
}

/// `klp-elf names --kdir KDIR OBJ...`.
pub fn names(kdir: &Path, objs: &[String]) -> Result<(), String> {
    let kernel = kernel_names(kdir)?;
    let mut out = vec![];
    for o in objs {
        let errors = check_object(Path::new(o), &kernel)?;
        if !errors.is_empty() {
            out.push(format!("{o}:\n{}", errors.join("\n")));
        }
    }
    if out.is_empty() {
        Ok(())
    } else {
        Err(out.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kernel() -> HashSet<String> {
        [
            "printk",
            "jhash",
            "saved_command_line",
            "__x86_return_thunk",
        ]
        .into_iter()
        .map(String::from)
        .collect()
    }

    #[test]
    fn builtins_are_refused() {
        for n in ["memset", "memcpy", "memmove", "memcmp", "__pfx_memset"] {
            assert!(refused(n, &kernel()).is_some(), "{n}");
        }
        assert!(refused("memset", &HashSet::new())
            .unwrap()
            .contains("compiler builtin"));
    }

    #[test]
    fn kernel_names_are_refused() {
        assert!(refused("jhash", &kernel()).unwrap().contains("kernel"));
        assert!(refused("saved_command_line", &kernel()).is_some());
    }

    #[test]
    fn reserved_names_are_refused() {
        for n in [
            "__stack_chk_fail",
            "__fentry__",
            "__x86_return_thunk",
            "__x86_indirect_thunk_rax",
            "__rust_alloc",
            "__my_helper",
        ] {
            assert!(refused(n, &HashSet::new()).is_some(), "{n}");
        }
    }

    #[test]
    fn crate_helper_names_are_refused() {
        for n in [
            "klp_rust_init_completion",
            "klp_rust_registry",
            "__cfi_klp_rust_init_work",
        ] {
            let why = refused(n, &HashSet::new()).expect(n);
            assert!(why.contains("C helpers"), "{n}: {why}");
        }
        assert!(refused("klp_rusty", &HashSet::new()).is_none());
    }

    #[test]
    fn deferrals_are_listed() {
        for n in [
            "queue_work_on",
            "call_rcu",
            "mod_timer",
            "kthread_create_on_node",
        ] {
            assert!(DEFERRALS.contains(&n), "{n}");
        }
        assert!(!DEFERRALS.contains(&"flush_work"));
    }

    #[test]
    fn own_and_kbuild_names_are_accepted() {
        for n in [
            "init_module",
            "cleanup_module",
            "__this_module",
            "__UNIQUE_ID_license123",
            "__odr_asan_gen__RNvCs1234_4test6answer",
            "__pfx_init_module",
            "test_klp_rust_target_answer",
            "_RNvCs1234_4test6answer",
        ] {
            assert_eq!(refused(n, &kernel()), None, "{n}");
        }
    }
}
