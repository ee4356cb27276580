// SPDX-License-Identifier: GPL-2.0
/*
 * The C half of src/stand_in/rcu.rs: rcu_read_lock() and rcu_read_unlock(),
 * inline in C, which 6.12's Rust bindings lack.
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
