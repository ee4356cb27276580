// SPDX-License-Identifier: GPL-2.0

//! The module's registry: what the kernel can reach of a module after its memory is freed
//! (sysfs directories, work items, timers, completions waited on) is torn down by the module's
//! generated exit and load-failure paths, from this registry, never by a value the module holds.
//!
//! `mem::forget`, `KBox::leak` and [`StaticPin`](crate::StaticPin) are safe: a handle whose
//! `Drop` removes a sysfs file or cancels a work item can be forgotten by safe code, and the
//! module's memory is then freed with the file or the work item still reachable. So the items
//! are registered when they are set up, here, in the module's static storage (`registry.c`, linked
//! into every module: the user cannot name it without `unsafe`), and the handles the module holds
//! ([`Work`](crate::Work), [`DelayedWork`](crate::DelayedWork), [`ModuleDir`](crate::ModuleDir))
//! are mere capabilities. Setting an item up takes a [`Registry`], which only the init that
//! [`module_livepatch!`](crate::module_livepatch) and [`module_target!`](crate::module_target)
//! generate hands out: a module written with the kernel's `module!` has no generated exit, and
//! cannot set such items up.
//!
//! The generated exit (and a failing init) first runs the module's own exit code (the
//! `Drop` of its module type, or the patch's kept values), then tears the registry down, in three
//! steps: every registered completion is completed for good (`complete_all()`: a work function or
//! `show()` function waiting for one returns, its [`wait`](crate::StaticCompletion::wait) an
//! error), every directory is removed (`kobject_del()`, which waits for running `show()` calls,
//! then `kobject_put()`), every work item is disabled (`disable_work_sync()`,
//! `disable_delayed_work_sync()`: cancelled, its running function waited for, and never queued
//! again, whoever tries). Last, it flushes the system workqueues of `kernel::workqueue`, for the
//! work items of the kernel crate that the module queued (see `Documentation/livepatch/rust.rst`
//! §4.5 for what that leaves open). Registration after the teardown fails with `ENODEV`.

use core::{
    ffi::c_void,
    marker::PhantomData,
    ptr,
    sync::atomic::{AtomicPtr, Ordering},
};
use kernel::{
    error::{code::ENODEV, Result},
    types::Opaque,
};

/// The kinds of registered items, in the order the teardown handles them.
#[derive(Clone, Copy)]
#[repr(usize)]
pub(crate) enum Kind {
    /// Completions: completed for good, so that no function waits for them.
    Completion = 0,
    /// `/sys/kernel` directories: removed, running `show()` calls waited for.
    Dir = 1,
    /// Work items and delayed work items: disabled, running functions waited for.
    Work = 2,
}

const KINDS: usize = 3;

/// The value of a closed list's head: the address of the head itself, never a [`Node`]'s.
fn closed(head: &AtomicPtr<c_void>) -> *mut c_void {
    ptr::from_ref(head).cast_mut().cast()
}

/// A registered item: the first field of each registered structure (`repr(C)`), linked into the
/// registry's list of its kind.
///
/// # Invariants
///
/// `teardown` may be called once with the node's address once the node is on a list that the
/// teardown has taken; the node stays valid until then (static storage, or a box that `teardown`
/// frees).
#[repr(C)]
pub(crate) struct Node {
    next: Opaque<*mut Node>,
    teardown: unsafe fn(*const Node),
}

// SAFETY: `next` is written once, before the node is published on a list (by the one caller that
// registers it), and read only by the teardown that took the list; `teardown` is a plain function.
unsafe impl Sync for Node {}
// SAFETY: As above.
unsafe impl Send for Node {}

impl Node {
    /// A node that the teardown hands to `teardown`.
    pub(crate) const fn new(teardown: unsafe fn(*const Node)) -> Self {
        Self {
            next: Opaque::new(ptr::null_mut()),
            teardown,
        }
    }
}

extern "C" {
    /// The heads of the module's lists, one per [`Kind`], in `registry.c` (one copy per module):
    /// `NULL` when empty, [`closed`] once torn down, else a [`Node`]. `AtomicPtr` has the layout
    /// of a pointer.
    static klp_rust_registry: [AtomicPtr<c_void>; KINDS];
}

/// The list of `kind` of this module.
fn head(kind: Kind) -> &'static AtomicPtr<c_void> {
    // SAFETY: `klp_rust_registry` is this module's array of `KINDS` pointers, in static storage,
    // zero-initialised (`NULL`: empty lists); it is only accessed atomically, here.
    unsafe { &klp_rust_registry[kind as usize] }
}

/// Adds `node` to the registry's list of `kind`; `ENODEV` once the registry is torn down.
///
/// # Safety
///
/// `node` is valid, not on any list, and stays valid until the teardown hands it to its
/// `teardown` function, which may be called (once) as soon as this returns `Ok`; it is not
/// registered again.
pub(crate) unsafe fn register(kind: Kind, node: *const Node) -> Result {
    let head = head(kind);
    let mut first = head.load(Ordering::Acquire);
    loop {
        if first == closed(head) {
            return Err(ENODEV);
        }
        // SAFETY: `node` is not published yet (the caller's guarantee): this caller alone
        // accesses its `next`.
        unsafe { *(*node).next.get() = first.cast::<Node>() };
        let new = node.cast_mut().cast::<c_void>();
        match head.compare_exchange(first, new, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => return Ok(()),
            Err(now) => first = now,
        }
    }
}

/// Closes the registry and tears down every registered item: completions, then directories,
/// then work items (see the module documentation).
fn teardown() {
    for kind in [Kind::Completion, Kind::Dir, Kind::Work] {
        let head = head(kind);
        let first = head.swap(closed(head), Ordering::AcqRel);
        if first == closed(head) {
            continue;
        }
        let mut node = first.cast::<Node>();
        while !node.is_null() {
            // SAFETY: The list was taken from the registry, which no longer reaches it: each node
            // is valid until its `teardown` (`Node` invariants), called once, here; `next` was
            // written before the node was published.
            let (next, teardown) = unsafe { (*(*node).next.get(), (*node).teardown) };
            // SAFETY: As above.
            unsafe { teardown(node) };
            node = next;
        }
    }
    flush_system_workqueues();
}

/// Flushes the system workqueues that `kernel::workqueue` offers (`system()`, ...): waits for the
/// work items queued on them before now, those of the kernel crate that this module queued (a
/// replacement or callback may enqueue one that runs this module's code) among them.
fn flush_system_workqueues() {
    use kernel::bindings;
    // SAFETY: The system workqueues are created at boot and never destroyed
    // (`workqueue_init_early()` in `kernel/workqueue.c`); reading the pointers is a plain load.
    let queues = unsafe {
        [
            bindings::system_wq,
            bindings::system_highpri_wq,
            bindings::system_long_wq,
            bindings::system_unbound_wq,
            bindings::system_freezable_wq,
            bindings::system_power_efficient_wq,
            bindings::system_freezable_power_efficient_wq,
        ]
    };
    for wq in queues {
        if !wq.is_null() {
            // SAFETY: `wq` is a live system workqueue (above). The teardown runs in the module's
            // init or exit, in process context and not on a workqueue, where
            // `__flush_workqueue()` may sleep and cannot wait for itself.
            unsafe { bindings::__flush_workqueue(wq) };
        }
    }
}

/// Proof that the running module has the generated exit that tears its registry down: taken by
/// [`StaticWork::init`](crate::StaticWork::init),
/// [`StaticDelayedWork::init`](crate::StaticDelayedWork::init),
/// [`StaticCompletion::init`](crate::StaticCompletion::init) and
/// [`ModuleDir::create`](crate::ModuleDir::create).
///
/// Only the init that [`module_target!`](crate::module_target) and
/// [`module_livepatch!`](crate::module_livepatch) generate makes one: the `init` of
/// [`ModuleInit`], and [`Patch::registry`](crate::Patch::registry) in a `patch` function.
pub struct Registry {
    _not_send: PhantomData<*mut ()>,
}

impl Registry {
    /// The token.
    ///
    /// # Safety
    ///
    /// In a module whose exit and failing init tear the registry down (see
    /// [`ModuleExit::new`]).
    pub(crate) unsafe fn new() -> Self {
        Self {
            _not_send: PhantomData,
        }
    }
}

/// The module's teardown, held by the module value that `module!` drops in the module's exit,
/// and by the generated init until it succeeds.
///
/// # Invariants
///
/// The module that made one drops one (this or another, see [`ModuleExit::new`]) before its
/// memory is freed: in its exit function, or in its init when the init fails.
#[doc(hidden)]
pub struct ModuleExit {
    registry: Registry,
}

// SAFETY: The teardown runs on whichever task drops it (the module's exit or init), which may
// differ from the one that made it; the registry itself is static and accessed atomically.
unsafe impl Send for ModuleExit {}
// SAFETY: A shared `ModuleExit` only hands out `&Registry`, which has no methods.
unsafe impl Sync for ModuleExit {}

impl ModuleExit {
    /// The teardown of this load of the module.
    ///
    /// # Safety
    ///
    /// Only the init that [`module_target!`](crate::module_target) or
    /// [`module_livepatch!`](crate::module_livepatch) generates calls this, and keeps the value
    /// in the module value that `module!`'s exit function drops (or drops it when the init
    /// fails): the module's registry is then torn down before its memory is freed. Once per load:
    /// the generated init refuses a second call (the module's code can name it) before it makes
    /// one; a second value torn down from a registered work item would wait for that item
    /// itself, and close the registry the real exit then finds closed.
    #[doc(hidden)]
    pub unsafe fn new() -> Self {
        Self {
            // SAFETY: This value tears the registry down (the caller's guarantee).
            registry: unsafe { Registry::new() },
        }
    }

    /// The registry of this module, for the user's init.
    #[doc(hidden)]
    pub fn registry(&self) -> &Registry {
        &self.registry
    }
}

impl Drop for ModuleExit {
    fn drop(&mut self) {
        teardown();
    }
}

/// A module written with [`module_target!`](crate::module_target): a Rust module that is not a
/// livepatch (a livepatch target module, typically), whose init gets the module's [`Registry`].
///
/// The module value is dropped by the module's exit function, before the registry is torn down
/// (its `Drop` may still use its work items, e.g. flush them).
pub trait ModuleInit: Sized + Sync + Send {
    /// The module's init: sets up what the module needs, registering its work items,
    /// completions and sysfs directories with `registry`.
    fn init(module: &'static kernel::ThisModule, registry: &Registry) -> Result<Self>;
}

/// The module value of [`module_target!`](crate::module_target): the user's module, then the
/// teardown, dropped in that order.
#[doc(hidden)]
pub struct TargetValue<T> {
    _module: T,
    _exit: ModuleExit,
}

impl<T: ModuleInit> TargetValue<T> {
    /// Runs the user's init with the registry of `exit`; on failure, `exit` tears down what it
    /// registered.
    #[doc(hidden)]
    pub fn init(module: &'static kernel::ThisModule, exit: ModuleExit) -> Result<Self> {
        let user = T::init(module, exit.registry())?;
        Ok(Self {
            _module: user,
            _exit: exit,
        })
    }
}
