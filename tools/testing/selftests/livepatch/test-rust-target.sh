#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Rust functions as livepatch targets: test_klp_rust_target, a Rust module
# built with ftrace call sites (klp_target in Kbuild), has its functions in
# available_filter_functions, traced by the function tracer, and replaced by a
# Rust livepatch (one by its C-like #[no_mangle] name, one by its v0-mangled
# name), loaded before or after the target; the same module built without
# call sites (nofentry/) is refused with the core's error. The Rust port of
# test_klp_callbacks_busy: while its worker sleeps in the Rust
# busymod_work_func(), the core unwinds the worker's stack reliably, finds the
# function there and holds the transition of test_klp_callbacks_demo, which
# replaces it, until the worker leaves it.

. $(dirname $0)/functions.sh
. $(dirname $0)/rust_functions.sh

MOD_TARGET=test_klp_rust_target
MOD_LIVEPATCH=test_klp_rust_target_patch
DIR=/sys/kernel/$MOD_TARGET
TRACING=/sys/kernel/tracing
MANGLED=_RNvCs8qRjv1hEg8j_20test_klp_rust_target14mangled_answer

# values EXPECTED: what the target's two sysfs files show, on one line.
values() {
	local got
	got="$(cat $DIR/answer) $(cat $DIR/mangled)"
	[[ "$got" == "$1" ]] || die "$DIR/{answer,mangled}: '$got', expected '$1'"
}

setup_config
mountpoint -q $TRACING || mount -t tracefs nodev $TRACING || die "cannot mount tracefs"

start_test "rust target: ftrace call sites, the function tracer"

load_mod $MOD_TARGET
values "42 7"
for f in test_klp_rust_target_answer $MANGLED; do
	grep -qx "$f \[$MOD_TARGET\]" $TRACING/available_filter_functions ||
		die "$f is not in available_filter_functions"
done
echo test_klp_rust_target_answer >$TRACING/set_ftrace_filter
echo $MANGLED >>$TRACING/set_ftrace_filter
echo >$TRACING/trace
echo function >$TRACING/current_tracer
values "42 7"
trace=$(cat $TRACING/trace)
echo nop >$TRACING/current_tracer
echo >$TRACING/set_ftrace_filter
for call in "test_klp_rust_target_answer <-_RNvCs8qRjv1hEg8j_20test_klp_rust_target11answer_show" \
	"$MANGLED <-_RNvCs8qRjv1hEg8j_20test_klp_rust_target12mangled_show"; do
	grep -qF ": $call" <<<"$trace" || die "not traced: $call"
done
unload_mod $MOD_TARGET

check_result "% insmod test_modules/$MOD_TARGET.ko
$MOD_TARGET: answer 42, mangled 7
% rmmod $MOD_TARGET"

start_test "rust target: replaced, target loaded before and after the livepatch"

load_mod $MOD_TARGET
load_lp $MOD_LIVEPATCH
values "1042 1007"
grep -q "^test_klp_rust_target_answer \[$MOD_TARGET\] .*klp_ftrace_handler" $TRACING/enabled_functions ||
	die "test_klp_rust_target_answer: no klp_ftrace_handler in enabled_functions"
disable_lp $MOD_LIVEPATCH
values "42 7"
unload_lp $MOD_LIVEPATCH
unload_mod $MOD_TARGET
load_lp $MOD_LIVEPATCH
load_mod $MOD_TARGET
values "1042 1007"
unload_mod $MOD_TARGET
disable_lp $MOD_LIVEPATCH
unload_lp $MOD_LIVEPATCH

check_result "% insmod test_modules/$MOD_TARGET.ko
$MOD_TARGET: answer 42, mangled 7
% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
% echo 0 > $KLP_SYSFS_DIR/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
% rmmod $MOD_LIVEPATCH
% rmmod $MOD_TARGET
% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
% insmod test_modules/$MOD_TARGET.ko
livepatch: applying patch '$MOD_LIVEPATCH' to loading module '$MOD_TARGET'
$MOD_TARGET: answer 1042, mangled 1007
% rmmod $MOD_TARGET
livepatch: reverting patch '$MOD_LIVEPATCH' on unloading module '$MOD_TARGET'
% echo 0 > $KLP_SYSFS_DIR/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
% rmmod $MOD_LIVEPATCH"

start_test "rust target: patched and unpatched while called from every CPU"

# One reader per CPU, pinned, calls test_klp_rust_target_answer() through the
# sysfs file in a loop (bash's read: no process per call; a 2 ms wait on an
# empty FIFO between calls leaves the CPUs to the rest, which the debug kernel
# needs) while the patch is enabled and disabled three times; each transition
# must complete under the calls, and every CPU must see only the old (42) and
# the new (1042) result, both of them.
ncpus=$(nproc)
[[ $ncpus -ge 2 ]] || die "this test needs at least 2 CPUs, the VM has $ncpus"
load_mod $MOD_TARGET
calls=$(mktemp -d)
mkfifo "$calls/tick"
for ((cpu = 0; cpu < ncpus; cpu++)); do
	taskset -c $cpu bash -c 'exec 3<>$1/tick
		while [[ ! -e $1/stop ]]; do read -r v <'$DIR'/answer; echo "$v"; read -t 0.002 -u 3 _; done |
		sort | uniq -c >$1/cpu$2' _ "$calls" $cpu &
done
rounds=""
for round in 1 2 3; do
	load_lp $MOD_LIVEPATCH
	disable_lp $MOD_LIVEPATCH
	unload_lp $MOD_LIVEPATCH
	rounds+="$(plain_lp_log $MOD_LIVEPATCH | sed "1i % insmod test_modules/$MOD_LIVEPATCH.ko" |
		sed "6a % echo 0 > $KLP_SYSFS_DIR/$MOD_LIVEPATCH/enabled")
% rmmod $MOD_LIVEPATCH
"
done
touch "$calls/stop"
wait
for ((cpu = 0; cpu < ncpus; cpu++)); do
	seen=$(awk '{ print $2 }' "$calls/cpu$cpu" | sort | tr '\n' ' ')
	[[ "$seen" == "1042 42 " ]] ||
		die "CPU $cpu: results '$seen' (counts: $(tr -s ' \n' ' ' <"$calls/cpu$cpu")), expected both 42 and 1042 only"
done
rm -rf "$calls"
values "42 7"
unload_mod $MOD_TARGET

check_result "% insmod test_modules/$MOD_TARGET.ko
$MOD_TARGET: answer 42, mangled 7
$rounds% rmmod $MOD_TARGET"

start_test "rust target: without ftrace call sites, refused"

log "% insmod test_modules/nofentry/$MOD_TARGET.ko"
insmod test_modules/nofentry/$MOD_TARGET.ko || die "cannot load nofentry/$MOD_TARGET.ko"
! grep -q "^test_klp_rust_target_answer " $TRACING/available_filter_functions ||
	die "nofentry/$MOD_TARGET.ko: test_klp_rust_target_answer in available_filter_functions"
load_failing_mod $MOD_LIVEPATCH
values "42 7"
unload_mod $MOD_TARGET

check_result "% insmod test_modules/nofentry/$MOD_TARGET.ko
$MOD_TARGET: answer 42, mangled 7
% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: failed to find location for function 'test_klp_rust_target_answer'
livepatch: failed to patch object '$MOD_TARGET'
livepatch: failed to enable patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': canceling patching transition, going to unpatch
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
insmod: ERROR: could not insert module test_modules/$MOD_LIVEPATCH.ko: Invalid parameters
% rmmod $MOD_TARGET"

start_test "rust target: the transition waits while the worker sleeps in the Rust busymod_work_func"

BUSY=test_klp_callbacks_busy
DEMO=test_klp_callbacks_demo
DYNDBG=/sys/kernel/debug/dynamic_debug/control
load_mod $BUSY block_transition=Y
grep -qx "busymod_work_func \[$BUSY\]" $TRACING/available_filter_functions ||
	die "busymod_work_func of the Rust $BUSY is not in available_filter_functions"
# The core's report of each task it cannot switch yet (kernel/livepatch/transition.c).
echo "func klp_try_switch_task +p" >$DYNDBG
load_lp_nowait $DEMO
loop_until 'grep -q "^1$" $KLP_SYSFS_DIR/$DEMO/transition' || die "failed to stall transition"
sleeping="klp_try_switch_task: kworker/[^ ]*:[0-9]* is sleeping on function busymod_work_func\$"
loop_until 'new_dmesg | grep -q "$sleeping"' ||
	die "the core did not report the worker sleeping on busymod_work_func: $(new_dmesg | grep klp_try_switch_task | tail -3)"
echo "func klp_try_switch_task -p" >$DYNDBG
! new_dmesg | grep "klp_try_switch_task: kworker.*unreliable stack" ||
	die "the worker's stack was unreliable"
grep -q "^1$" $KLP_SYSFS_DIR/$DEMO/transition || die "the transition ended while the worker slept"
log "% echo N > /sys/module/$BUSY/parameters/block_transition"
echo N >/sys/module/$BUSY/parameters/block_transition
loop_until 'grep -q "^0$" $KLP_SYSFS_DIR/$DEMO/transition' || die "the transition did not end"
disable_lp $DEMO
unload_lp $DEMO
unload_mod $BUSY

expect="% insmod test_modules/$BUSY.ko block_transition=Y
$BUSY: ${BUSY}_init
$BUSY: busymod_work_func enter
% insmod test_modules/$DEMO.ko
livepatch: enabling patch '$DEMO'
livepatch: '$DEMO': initializing patching transition
$DEMO: pre_patch_callback: vmlinux
$DEMO: pre_patch_callback: $BUSY -> [MODULE_STATE_LIVE] Normal state
livepatch: '$DEMO': starting patching transition
% echo N > /sys/module/$BUSY/parameters/block_transition
$BUSY: busymod_work_func exit
livepatch: '$DEMO': completing patching transition
$DEMO: post_patch_callback: vmlinux
$DEMO: post_patch_callback: $BUSY -> [MODULE_STATE_LIVE] Normal state
livepatch: '$DEMO': patching complete
% echo 0 > $KLP_SYSFS_DIR/$DEMO/enabled
livepatch: '$DEMO': initializing unpatching transition
$DEMO: pre_unpatch_callback: vmlinux
$DEMO: pre_unpatch_callback: $BUSY -> [MODULE_STATE_LIVE] Normal state
livepatch: '$DEMO': starting unpatching transition
livepatch: '$DEMO': completing unpatching transition
$DEMO: post_unpatch_callback: vmlinux
$DEMO: post_unpatch_callback: $BUSY -> [MODULE_STATE_LIVE] Normal state
livepatch: '$DEMO': unpatching complete
% rmmod $DEMO
% rmmod $BUSY
$BUSY: ${BUSY}_exit"
# check_result, without the core's debug messages enabled above.
result=$(new_dmesg | grep -e 'livepatch:' -e 'test_klp' | grep -v '\(tainting\|taints\) kernel' |
	grep -v 'livepatch: klp_try_switch_task: ')
if [[ "$expect" == "$result" ]]; then
	echo "ok"
else
	echo -e "not ok\n\n$(diff -u --label expected --label result <(echo "$expect") <(echo "$result"))\n"
	die "livepatch kselftest(s) failed"
fi

exit 0
