// SPDX-License-Identifier: GPL-2.0
/*
 * C inline functions of the kernel that 6.12's Rust bindings do not offer, and
 * static data, for the livepatch crate (src/). Kbuild links a copy into each
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

#ifdef CONFIG_DEBUG_LOCK_ALLOC
#include <linux/lockdep_types.h>

/* The lockdep class of RoAttribute files (src/stand_in/sysfs.rs). */
struct lock_class_key klp_rust_attr_key;
#endif
