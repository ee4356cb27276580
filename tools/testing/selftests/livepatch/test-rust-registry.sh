#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What the kernel can reach of a module once its memory is freed (class 2 of
# issue 18) is torn down by the module's generated exit and load-failure
# paths, whatever the module's own code did with its handles. The test
# modules have no `unsafe`: test_klp_rust_forget_dir forgets the Patch that
# owns its /sys/kernel directory and fails its load; test_klp_rust_forget_work
# forgets a queued work item's handle (case=0), a pending delayed work item's
# (case=1), or drops a delayed work item's handle while another work function
# still queues it (case=2), and is removed at once. Any kernel report (oops,
# KASAN) after the script fails it (run_tests.sh).

. $(dirname $0)/functions.sh
. $(dirname $0)/rust_functions.sh

MOD_DIR=test_klp_rust_forget_dir
MOD_WORK=test_klp_rust_forget_work

setup_config

start_test "registry: a failed load removes the sysfs directory its forgotten Patch owned"

load_failing_mod $MOD_DIR
if [ -e /sys/kernel/$MOD_DIR ]; then
	# Shows what is at stake: the file calls the freed module's code.
	cat /sys/kernel/$MOD_DIR/answer
	die "/sys/kernel/$MOD_DIR outlives the failed load of $MOD_DIR"
fi

check_result "% insmod test_modules/$MOD_DIR.ko
insmod: ERROR: could not insert module test_modules/$MOD_DIR.ko: Resource temporarily unavailable"

start_test "registry: /sys/kernel directories sysfs would refuse fail the load (EINVAL, EEXIST)"

# An empty name: kobject_add_internal() warned (a WARN and its stack) and the
# load failed with ENOMEM (adversarial pass 5). Two files of one name, and an
# existing directory: sysfs dumped the stack (sysfs_warn_dup()), the latter
# with ENOMEM (pass 7). The crate refuses them itself, and the kernel stays
# quiet (the check's scan of dmesg).
for c in 0 1 2; do
	load_failing_mod test_klp_rust_dir_name case=$c
done
[ ! -e /sys/kernel/test_klp_rust_dir_name ] || die "/sys/kernel/test_klp_rust_dir_name outlives the failed load"

check_result "% insmod test_modules/test_klp_rust_dir_name.ko case=0
insmod: ERROR: could not insert module test_modules/test_klp_rust_dir_name.ko: Invalid parameters
% insmod test_modules/test_klp_rust_dir_name.ko case=1
insmod: ERROR: could not insert module test_modules/test_klp_rust_dir_name.ko: Invalid parameters
% insmod test_modules/test_klp_rust_dir_name.ko case=2
insmod: ERROR: could not insert module test_modules/test_klp_rust_dir_name.ko: File exists"

start_test "registry: a work function waiting for its own item gets EDEADLK"

# Work::flush and DelayedWork::cancel_sync from the item's own function waited
# for good, and rmmod with them (adversarial pass 6).
for c in 0 1; do
	load_mod test_klp_rust_self_flush case=$c
	loop_until 'dmesg | grep -q "test_klp_rust_self_flush: d\?work_func: .* of itself"' ||
		die "the work function of case $c did not return"
	unload_mod test_klp_rust_self_flush
done

check_result "% insmod test_modules/test_klp_rust_self_flush.ko case=0
test_klp_rust_self_flush: work_func: flush of itself: Err(-35)
% rmmod test_klp_rust_self_flush
% insmod test_modules/test_klp_rust_self_flush.ko case=1
test_klp_rust_self_flush: dwork_func: cancel_sync of itself: Err(-35)
% rmmod test_klp_rust_self_flush"

start_test "registry: a forgotten work item's handle: rmmod waits for the running work function"

load_mod $MOD_WORK case=0
loop_until 'dmesg | grep -q "$MOD_WORK: work_func start"' || die "the work function did not start"
unload_mod $MOD_WORK

check_result "% insmod test_modules/$MOD_WORK.ko case=0
$MOD_WORK: case 0 queued
$MOD_WORK: work_func start
% rmmod $MOD_WORK
$MOD_WORK: work_func done"

start_test "registry: a forgotten delayed work item's handle: rmmod cancels its timer"

load_mod $MOD_WORK case=1
unload_mod $MOD_WORK
# Past the timer's five seconds: had it survived rmmod, it would run freed code now.
sleep 6

check_result "% insmod test_modules/$MOD_WORK.ko case=1
$MOD_WORK: case 1 queued
% rmmod $MOD_WORK"

start_test "registry: a delayed work item queued again after its handle was dropped"

load_mod $MOD_WORK case=2
sleep 0.5
unload_mod $MOD_WORK
sleep 2

check_result "% insmod test_modules/$MOD_WORK.ko case=2
$MOD_WORK: case 2 queued
% rmmod $MOD_WORK"

start_test "registry: the generated init refuses a second call from the module's own code"

# From a replacement: it enabled the enabled patch again (kobject "tried to init an initialized
# object", then an RCU stall in klp_is_patch_compatible() under klp_mutex) before the fix.
MOD_TWICE=test_klp_rust_init_twice
load_lp $MOD_TWICE
[[ "$(cat /proc/cmdline)" == "second init: Some(-16)" ]] ||
	die "the second init of $MOD_TWICE returned: $(cat /proc/cmdline)"
disable_lp $MOD_TWICE
unload_lp $MOD_TWICE
# From a registered work function: its teardown waited for its own worker, and rmmod freed the
# module under it, before the fix.
MOD_TTWICE=test_klp_rust_target_init_twice
load_mod $MOD_TTWICE
loop_until 'dmesg | grep -q "$MOD_TTWICE: second init"' ||
	die "the work function of $MOD_TTWICE did not return from the second init"
unload_mod $MOD_TTWICE

check_result "% insmod test_modules/$MOD_TWICE.ko
livepatch: enabling patch '$MOD_TWICE'
livepatch: '$MOD_TWICE': initializing patching transition
livepatch: '$MOD_TWICE': starting patching transition
livepatch: '$MOD_TWICE': completing patching transition
livepatch: '$MOD_TWICE': patching complete
% echo 0 > /sys/kernel/livepatch/$MOD_TWICE/enabled
livepatch: '$MOD_TWICE': initializing unpatching transition
livepatch: '$MOD_TWICE': starting unpatching transition
livepatch: '$MOD_TWICE': completing unpatching transition
livepatch: '$MOD_TWICE': unpatching complete
% rmmod $MOD_TWICE
% insmod test_modules/$MOD_TTWICE.ko
$MOD_TTWICE: second init: Some(-16)
% rmmod $MOD_TTWICE"

exit 0
