// SPDX-License-Identifier: GPL-2.0
/*
 * The C half of src/params.rs: who holds a module's parameter lock, which the
 * bindings cannot read (the bindings' struct module has zero-sized lockdep
 * fields).
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>

bool klp_rust_param_lock_held(struct module *mod);

/*
 * Whether the current task holds @mod's parameter lock (kernel_param_lock()):
 * the kernel holds it while it reads or writes the module's parameters through
 * sysfs (param_attr_show(), param_attr_store() in kernel/params.c) and calls
 * their ops, which a livepatch can replace (src/params.rs). The owner as
 * __mutex_owner() reads it (kernel/locking/mutex.c: the task pointer, the low
 * three bits, MUTEX_FLAGS, masked), or rt_mutex_owner() on PREEMPT_RT.
 */
bool klp_rust_param_lock_held(struct module *mod)
{
#ifdef CONFIG_PREEMPT_RT
	return rt_mutex_owner(&mod->param_lock.rtmutex) == current;
#else
	return (struct task_struct *)(atomic_long_read(&mod->param_lock.owner) & ~0x07UL) == current;
#endif
}
