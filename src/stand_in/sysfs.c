// SPDX-License-Identifier: GPL-2.0
/*
 * The C half of src/stand_in/sysfs.rs: whether a /sys/kernel directory exists
 * (the bindings keep struct kobject opaque), and the lockdep class of
 * RoAttribute files, in static storage as lockdep requires (with
 * CONFIG_DEBUG_LOCK_ALLOC only).
 */
#include <linux/kernfs.h>
#include <linux/kobject.h>
#include <linux/lockdep_types.h>

bool klp_rust_kernel_dir_exists(const char *name);

/*
 * Whether /sys/kernel/@name exists: sysfs_get_dirent() of kernel_kobj's
 * directory. kobject_create_and_add() of an existing name dumps the stack
 * (sysfs_warn_dup()) and returns NULL, which reads as ENOMEM.
 */
bool klp_rust_kernel_dir_exists(const char *name)
{
	struct kernfs_node *kn = kernfs_find_and_get(kernel_kobj->sd, name);

	kernfs_put(kn);
	return kn;
}

#ifdef CONFIG_DEBUG_LOCK_ALLOC
struct lock_class_key klp_rust_attr_key;
#endif
