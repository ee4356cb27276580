// SPDX-License-Identifier: GPL-2.0
/*
 * C inline functions of the kernel that 6.12's Rust bindings do not offer, and
 * static data (each module's own registry among them), for the livepatch crate (src/). Kbuild links a copy into each
 * Rust livepatch module (see Kbuild): no module depends on another.
 */

#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>

void klp_rust_rcu_read_lock(void);
void klp_rust_rcu_read_unlock(void);

/* rcu_read_lock(), with its lockdep annotation (rcu_lock_map). */
void klp_rust_rcu_read_lock(void)
{
	rcu_read_lock();
}

/* rcu_read_unlock(). */
void klp_rust_rcu_read_unlock(void)
{
	rcu_read_unlock();
}

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

/*
 * The module's registry (src/registry.rs): the heads of its lists of
 * completions, /sys/kernel directories and work items, which the module's
 * generated exit and load-failure paths tear down.
 */
void *klp_rust_registry[3];

#ifdef CONFIG_DEBUG_LOCK_ALLOC
#include <linux/lockdep_types.h>

/* The lockdep class of RoAttribute files (src/stand_in/sysfs.rs). */
struct lock_class_key klp_rust_attr_key;
#endif

#include <linux/preempt.h>
#include <linux/smp.h>

bool klp_rust_shadow_locked(void);
void klp_rust_shadow_enter(void);
void klp_rust_shadow_exit(void);

/*
 * The CPU, plus one, on which this module's shadow variable constructor or
 * destructor runs (src/shadow.rs), 0 when none does: the livepatch core runs
 * them under its klp_shadow_lock with interrupts disabled, so that CPU runs
 * nothing else until they return, and no other CPU can be in one (the lock is
 * global).
 */
static int klp_rust_shadow_cpu;

/* Whether this CPU is inside such a constructor or destructor of the module. */
bool klp_rust_shadow_locked(void)
{
	bool locked;

	/* A task checking from process context cannot migrate between the reads. */
	preempt_disable();
	locked = READ_ONCE(klp_rust_shadow_cpu) == raw_smp_processor_id() + 1;
	preempt_enable();
	return locked;
}

/* Called by a constructor or destructor shim, under klp_shadow_lock. */
void klp_rust_shadow_enter(void)
{
	WRITE_ONCE(klp_rust_shadow_cpu, raw_smp_processor_id() + 1);
}

/* Called by a constructor or destructor shim before it returns to the core. */
void klp_rust_shadow_exit(void)
{
	WRITE_ONCE(klp_rust_shadow_cpu, 0);
}
