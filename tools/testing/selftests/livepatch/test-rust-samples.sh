#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Rust ports of samples/livepatch/livepatch-callbacks-{demo,mod,busymod}
# (busymod built with ftrace call sites: its work function is replaced), and
# the C busymod of the kernel build (c_modules/) for comparison. The samples'
# own messages do not
# match check_result()'s filter ("livepatch:", "test_klp"), so check_samples()
# compares them separately; check_result() then checks the core's messages.

. $(dirname $0)/functions.sh
. $(dirname $0)/rust_functions.sh

LP=livepatch_callbacks_demo
MOD=livepatch_callbacks_mod
BUSY=livepatch_callbacks_busymod

setup_config

# check_samples EXPECTED: the samples' messages since start_test.
check_samples() {
	local result=$(new_dmesg | grep -E "^($LP|$MOD): ")
	[[ "$result" == "$1" ]] ||
		die "sample messages differ:$(echo; diff -u <(echo "$1") <(echo "$result"))"
}

start_test "rust livepatch-callbacks-demo: callbacks, as the C sample prints them"

load_mod $BUSY
load_lp $LP
load_mod $MOD
unload_mod $MOD
load_mod $MOD
unload_mod $MOD
disable_lp $LP
unload_lp $LP
unload_mod $BUSY

check_samples "$LP: pre_patch_callback: vmlinux
$LP: pre_patch_callback: $BUSY -> [MODULE_STATE_LIVE] Normal state
$LP: post_patch_callback: vmlinux
$LP: post_patch_callback: $BUSY -> [MODULE_STATE_LIVE] Normal state
$LP: pre_patch_callback: $MOD -> [MODULE_STATE_COMING] Full formed, running module_init
$LP: post_patch_callback: $MOD -> [MODULE_STATE_COMING] Full formed, running module_init
$MOD: ${MOD}_init
$MOD: ${MOD}_exit
$LP: pre_unpatch_callback: $MOD -> [MODULE_STATE_GOING] Going away
$LP: post_unpatch_callback: $MOD -> [MODULE_STATE_GOING] Going away
$LP: pre_patch_callback: $MOD -> [MODULE_STATE_COMING] Full formed, running module_init
$LP: post_patch_callback: $MOD -> [MODULE_STATE_COMING] Full formed, running module_init
$MOD: ${MOD}_init
$MOD: ${MOD}_exit
$LP: pre_unpatch_callback: $MOD -> [MODULE_STATE_GOING] Going away
$LP: post_unpatch_callback: $MOD -> [MODULE_STATE_GOING] Going away
$LP: pre_unpatch_callback: vmlinux
$LP: pre_unpatch_callback: $BUSY -> [MODULE_STATE_LIVE] Normal state
$LP: post_unpatch_callback: vmlinux
$LP: post_unpatch_callback: $BUSY -> [MODULE_STATE_LIVE] Normal state"

check_result "livepatch: enabling patch '$LP'
livepatch: '$LP': initializing patching transition
livepatch: '$LP': starting patching transition
livepatch: '$LP': completing patching transition
livepatch: '$LP': patching complete
livepatch: applying patch '$LP' to loading module '$MOD'
livepatch: reverting patch '$LP' on unloading module '$MOD'
livepatch: applying patch '$LP' to loading module '$MOD'
livepatch: reverting patch '$LP' on unloading module '$MOD'
livepatch: '$LP': initializing unpatching transition
livepatch: '$LP': starting unpatching transition
livepatch: '$LP': completing unpatching transition
livepatch: '$LP': unpatching complete"

start_test "rust livepatch-callbacks-demo: pre_patch_ret=-19 refuses the livepatch"

load_mod $BUSY
load_failing_mod $LP pre_patch_ret=-19
unload_mod $BUSY

check_samples "$LP: pre_patch_callback: vmlinux"

check_result "livepatch: enabling patch '$LP'
livepatch: '$LP': initializing patching transition
livepatch: pre-patch callback failed for object 'vmlinux'
livepatch: failed to enable patch '$LP'
livepatch: '$LP': canceling patching transition, going to unpatch
livepatch: '$LP': completing unpatching transition
livepatch: '$LP': unpatching complete"

start_test "rust livepatch-callbacks-busymod: prints what the C module prints"

# busy_run KO: the module's life with a 1 s sleep; prints its messages.
busy_run() {
	local before=$(new_dmesg | grep -c "^$BUSY: ")
	local exits=$(new_dmesg | grep -c "^$BUSY: busymod_work_func exit$")
	insmod "$1" sleep_secs=1 || die "failed to load $1"
	loop_until '[[ $(new_dmesg | grep -c "^$BUSY: busymod_work_func exit$") -gt $exits ]]' ||
		die "$1: the worker did not finish"
	rmmod $BUSY || die "failed to unload $BUSY"
	new_dmesg | grep "^$BUSY: " | tail -n +$((before + 1))
}
c_log=$(busy_run c_modules/$BUSY.ko)
rust_log=$(busy_run test_modules/$BUSY.ko)
[[ "$rust_log" == "$c_log" ]] ||
	die "C and Rust busymod differ:$(echo; diff -u <(echo "$c_log") <(echo "$rust_log"))"
[[ "$rust_log" == "$BUSY: livepatch_callbacks_mod_init
$BUSY: busymod_work_func, sleeping 1 seconds ...
$BUSY: busymod_work_func exit
$BUSY: livepatch_callbacks_mod_exit" ]] || die "unexpected busymod messages: $rust_log"
echo "ok"

start_test "rust livepatch-callbacks-busymod: its sleeping worker holds livepatch-callbacks-demo's transition"

# The worker sleeps in the Rust busymod_work_func(), which the demo replaces:
# the transition completes only once the worker has left it.
load_mod $BUSY sleep_secs=8
loop_until 'new_dmesg | grep -q "^$BUSY: busymod_work_func, sleeping 8 seconds ...$"' ||
	die "the worker did not start"
load_lp_nowait $LP
[[ "$(cat /sys/kernel/livepatch/$LP/transition)" == 1 ]] ||
	die "$LP: the transition is not held by the sleeping worker"
loop_until 'grep -q "^0$" /sys/kernel/livepatch/$LP/transition' || die "$LP: the transition never completed"
order=$(new_dmesg | grep -nE "^$BUSY: busymod_work_func exit$|^livepatch: '$LP': completing patching transition$" | cut -d: -f2-)
[[ "$order" == "$BUSY: busymod_work_func exit
livepatch: '$LP': completing patching transition" ]] ||
	die "the transition completed before the worker left busymod_work_func: $order"
disable_lp $LP
unload_lp $LP
unload_mod $BUSY

check_samples "$LP: pre_patch_callback: vmlinux
$LP: pre_patch_callback: $BUSY -> [MODULE_STATE_LIVE] Normal state
$LP: post_patch_callback: vmlinux
$LP: post_patch_callback: $BUSY -> [MODULE_STATE_LIVE] Normal state
$LP: pre_unpatch_callback: vmlinux
$LP: pre_unpatch_callback: $BUSY -> [MODULE_STATE_LIVE] Normal state
$LP: post_unpatch_callback: vmlinux
$LP: post_unpatch_callback: $BUSY -> [MODULE_STATE_LIVE] Normal state"

check_result "livepatch: enabling patch '$LP'
livepatch: '$LP': initializing patching transition
livepatch: '$LP': starting patching transition
livepatch: '$LP': completing patching transition
livepatch: '$LP': patching complete
livepatch: '$LP': initializing unpatching transition
livepatch: '$LP': starting unpatching transition
livepatch: '$LP': completing unpatching transition
livepatch: '$LP': unpatching complete"

exit 0
