// SPDX-License-Identifier: GPL-2.0
/*
 * C inline functions of the kernel that 6.12's Rust bindings do not offer, and
 * static data (each module's own registry among them), for the livepatch crate (src/). Kbuild links a copy into each
 * Rust livepatch module (see Kbuild): no module depends on another.
 */

#include <linux/rcupdate.h>

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
