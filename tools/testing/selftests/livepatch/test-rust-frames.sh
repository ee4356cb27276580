#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Module code that a replacement calls is module code too: a task sleeping in a
# function of the livepatch module, called by a replacement as its very last
# act, must hold the unpatching transition (the core looks for return addresses
# inside the replacement only: klp_check_stack_func()), so that rmmod cannot
# free the code the task returns into. test_klp_rust_frames replaces
# cmdline_proc_show() by a function whose body ends in a call of slow_show(),
# which sleeps sleep_ms. Before klp_func! kept its frame, that call was a jmp:
# the transition completed at once and rmmod freed the sleeper's code.

. $(dirname $0)/functions.sh
. $(dirname $0)/rust_functions.sh

MOD=test_klp_rust_frames
SLEEP_MS=8000

setup_config

start_test "a reader sleeping in module code called by a replacement holds the unpatching transition"

load_lp $MOD
echo $SLEEP_MS > /sys/module/$MOD/parameters/sleep_ms
out=$(mktemp)
cat /proc/cmdline > "$out" &
reader=$!
sleep 1
log "% echo 0 > /sys/kernel/livepatch/$MOD/enabled"
echo 0 > /sys/kernel/livepatch/$MOD/enabled
# The core retries every second: without a task holding it, the transition completes within
# about 2 s. After 4 s, the reader (asleep until 8 s) must still be on the patched state (1).
sleep 4
state=$(cat /proc/$reader/patch_state 2>/dev/null)
if [[ "$(cat /sys/kernel/livepatch/$MOD/transition 2>/dev/null)" != 1 || "$state" != 1 ]]; then
	wait $reader
	die "the unpatching transition let a reader sleeping in $MOD's code switch (patch_state ${state:-gone})"
fi
if rmmod $MOD 2>/dev/null; then
	die "rmmod of $MOD succeeded while a reader slept in its code"
fi
wait $reader
[[ "$(cat "$out")" == "test_klp_rust_frames: slow read done" ]] ||
	die "the slow read printed: $(cat "$out")"
rm -f "$out"
# The core retries the transition every second: it completes once the reader left.
loop_until '[[ ! -e "/sys/kernel/livepatch/$MOD" ]]' ||
	die "the unpatching transition did not complete after the reader left"
[[ "$(cat /proc/cmdline)" != *"slow read done"* ]] || die "/proc/cmdline still patched"
unload_lp $MOD

check_result "% insmod test_modules/$MOD.ko
livepatch: enabling patch '$MOD'
livepatch: '$MOD': initializing patching transition
livepatch: '$MOD': starting patching transition
livepatch: '$MOD': completing patching transition
livepatch: '$MOD': patching complete
% echo 0 > /sys/kernel/livepatch/$MOD/enabled
livepatch: '$MOD': initializing unpatching transition
livepatch: '$MOD': starting unpatching transition
livepatch: '$MOD': completing unpatching transition
livepatch: '$MOD': unpatching complete
% rmmod $MOD"

exit 0
