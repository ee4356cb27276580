// SPDX-License-Identifier: GPL-2.0
/*
 * The C half of src/stand_in/sysfs.rs: the lockdep class of RoAttribute files,
 * in static storage as lockdep requires (with CONFIG_DEBUG_LOCK_ALLOC only).
 */
#include <linux/lockdep_types.h>

#ifdef CONFIG_DEBUG_LOCK_ALLOC
struct lock_class_key klp_rust_attr_key;
#endif
