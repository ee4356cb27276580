// SPDX-License-Identifier: GPL-2.0
/*
 * Inline functions and macros of include/linux/workqueue.h and
 * include/linux/completion.h that 6.12's Rust bindings lack, for work items
 * and completions in static storage (src/stand_in/workqueue.rs and
 * completion.rs): linked only into the modules that use them (klp_c_halves in
 * Kbuild).
 */
#include <linux/completion.h>
#include <linux/workqueue.h>

void klp_rust_init_work(struct work_struct *work, work_func_t func);
bool klp_rust_schedule_work(struct work_struct *work);
void klp_rust_init_delayed_work(struct delayed_work *dwork, work_func_t func);
bool klp_rust_schedule_delayed_work(struct delayed_work *dwork, unsigned long delay);
void klp_rust_init_completion(struct completion *x);

/* INIT_WORK(work, func), with its lockdep class. */
void klp_rust_init_work(struct work_struct *work, work_func_t func)
{
	INIT_WORK(work, func);
}

/* schedule_work(): queue_work() on system_wq. */
bool klp_rust_schedule_work(struct work_struct *work)
{
	return schedule_work(work);
}

/* INIT_DELAYED_WORK(dwork, func), with its lockdep class. */
void klp_rust_init_delayed_work(struct delayed_work *dwork, work_func_t func)
{
	INIT_DELAYED_WORK(dwork, func);
}

/* schedule_delayed_work(): queue_delayed_work() on system_wq. */
bool klp_rust_schedule_delayed_work(struct delayed_work *dwork, unsigned long delay)
{
	return schedule_delayed_work(dwork, delay);
}

/* init_completion(), with its lockdep class. */
void klp_rust_init_completion(struct completion *x)
{
	init_completion(x);
}
