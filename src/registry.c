// SPDX-License-Identifier: GPL-2.0
/*
 * The C half of src/registry.rs: the module's registry, in the module's own
 * static storage. Like every C half of the crate, Kbuild links a copy into each
 * module whose Rust code uses it (see Kbuild: no module depends on another).
 */

/*
 * The heads of the module's lists of completions, /sys/kernel directories and
 * work items, which the module's generated exit and load-failure paths tear
 * down.
 */
void *klp_rust_registry[3];
