// SPDX-License-Identifier: GPL-2.0
/*
 * The C half of src/shadow.rs: the marker of the CPU that runs one of the
 * module's shadow variable constructors or destructors, which the Rust code
 * cannot read without raw_smp_processor_id().
 */
#include <linux/compiler.h>
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
