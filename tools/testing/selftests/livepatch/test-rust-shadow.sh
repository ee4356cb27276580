#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tests of the Rust shadow variable API: our test module for the API, and the
# Rust ports of samples/livepatch/livepatch-shadow-fix1.c and -fix2.c applied
# to the Rust port of their target, livepatch-shadow-mod (built with ftrace
# call sites), which behaves as the C module of the kernel build (c_modules/). Uses the upstream
# functions.sh, which the test runner copies from the kernel tarball next to
# this script. Expected messages follow the formats of the C sources
# (kernel/livepatch/shadow.c, samples/livepatch/livepatch-shadow-*.c).

. $(dirname $0)/functions.sh
. $(dirname $0)/rust_functions.sh

MOD_TEST=test_klp_rust_shadow
MOD_TARGET=livepatch_shadow_mod
MOD_FIX1=livepatch_shadow_fix1
MOD_FIX2=livepatch_shadow_fix2

setup_config

# check_result with the hashed pointers of kernel/livepatch/shadow.c's
# "Failed to construct shadow variable <%p, %lx> (%d)" replaced by PTR.
function check_result_ptr {
	local expect="$*"
	local result
	result=$(new_dmesg | grep -e 'livepatch:' -e 'test_klp' | \
		 grep -v '\(tainting\|taints\) kernel' | \
		 sed -e 's/variable <[0-9a-f]*, /variable <PTR, /')
	if [[ "$expect" == "$result" ]] ; then
		echo "ok"
	else
		echo -e "not ok\n\n$(diff -upr --label expected --label result <(echo "$expect") <(echo "$result"))\n"
		die "livepatch kselftest(s) failed"
	fi
}

start_test "rust shadow variable API: types, EEXIST, failing constructor, get_or_alloc, deferred drop, free_all"

load_mod $MOD_TEST
unload_mod $MOD_TEST
# Errors are answers: the refused second allocation must not WARN.
! new_dmesg | grep -q -e '^WARNING:' -e '------------\[ cut here' ||
	die "the shadow variable API test triggered a kernel warning"

check_result_ptr "% insmod test_modules/$MOD_TEST.ko
$MOD_TEST: u8 value: ok
$MOD_TEST: nested reads: ok
$MOD_TEST: second alloc is refused with EEXIST: ok
$MOD_TEST: [u64; 4] value: ok
$MOD_TEST: no variable on another object: ok
$MOD_TEST: freed variables are gone: ok
livepatch: Failed to construct shadow variable <PTR, 7503> (-28)
$MOD_TEST: failing constructor returns its error: ok
$MOD_TEST: failing constructor leaves no variable: ok
$MOD_TEST: failing constructor drops its captures: ok
$MOD_TEST: get_or_alloc constructs once: ok
$MOD_TEST: free while borrowed defers the drop: ok
$MOD_TEST: deferred drop happens after the borrow: ok
$MOD_TEST: free_all runs the destructor once per variable: ok
$MOD_TEST: free_all drops each value once: ok
$MOD_TEST: free_all leaves no variable: ok
% rmmod $MOD_TEST"

start_test "rust livepatch-shadow-fix1 and fix2 on livepatch-shadow-mod"

# The target allocates a dummy every second, checks them every 3 s and frees
# those older than 12 s, leaking memory with each. fix1 is loaded first, so
# every dummy carries its leak in a shadow variable that fix1's dummy_free (or
# fix2's) frees, and the target is unloaded while both are enabled, freeing
# the rest: nothing leaks (kmemleak checks it on the debug kernel). fix2
# counts the checks of each dummy.
load_lp $MOD_FIX1
load_mod $MOD_TARGET
loop_until 'new_dmesg | grep -q "^$MOD_FIX1: livepatch_fix1_dummy_leak_dtor: dummy @ [0-9a-f]*, prevented leak @ [0-9a-f]*$"' ||
	die "$MOD_FIX1 prevented no leak"
load_lp $MOD_FIX2
loop_until 'new_dmesg | grep -q "^$MOD_FIX2: livepatch_fix2_dummy_free: dummy @ [0-9a-f]*, check counter = [1-9][0-9]*$"' ||
	die "$MOD_FIX2 counted no check"
loop_until 'new_dmesg | grep -q "^$MOD_FIX2: livepatch_fix2_dummy_leak_dtor: dummy @ [0-9a-f]*, prevented leak @ [0-9a-f]*$"' ||
	die "$MOD_FIX2 prevented no leak"
unload_mod $MOD_TARGET
disable_lp $MOD_FIX2
disable_lp $MOD_FIX1
unload_lp $MOD_FIX2
unload_lp $MOD_FIX1

# Every dummy fix1 allocated had its leak freed exactly once: by fix1's or
# fix2's dummy_free, or by fix1's klp_shadow_free_all() when it was unloaded.
allocs=$(new_dmesg | sed -n "s/^$MOD_FIX1: livepatch_fix1_dummy_alloc: dummy @ \([0-9a-f]*\), expires @ [0-9a-f]*$/\1/p" | sort)
freed=$(new_dmesg | sed -n "s/^livepatch_shadow_fix[12]: livepatch_fix[12]_dummy_leak_dtor: dummy @ \([0-9a-f]*\), prevented leak @ [0-9a-f]*$/\1/p" | sort)
[[ -n "$allocs" ]] || die "$MOD_FIX1 allocated no dummy"
[[ "$allocs" == "$freed" ]] ||
	die "leaks of the dummies allocated by $MOD_FIX1 not freed exactly once: $(diff <(echo "$allocs") <(echo "$freed") | tr '\n' ' ')"

check_result "livepatch: enabling patch '$MOD_FIX1'
livepatch: '$MOD_FIX1': initializing patching transition
livepatch: '$MOD_FIX1': starting patching transition
livepatch: '$MOD_FIX1': completing patching transition
livepatch: '$MOD_FIX1': patching complete
livepatch: applying patch '$MOD_FIX1' to loading module '$MOD_TARGET'
livepatch: enabling patch '$MOD_FIX2'
livepatch: '$MOD_FIX2': initializing patching transition
livepatch: '$MOD_FIX2': starting patching transition
livepatch: '$MOD_FIX2': completing patching transition
livepatch: '$MOD_FIX2': patching complete
livepatch: reverting patch '$MOD_FIX1' on unloading module '$MOD_TARGET'
livepatch: reverting patch '$MOD_FIX2' on unloading module '$MOD_TARGET'
livepatch: '$MOD_FIX2': initializing unpatching transition
livepatch: '$MOD_FIX2': starting unpatching transition
livepatch: '$MOD_FIX2': completing unpatching transition
livepatch: '$MOD_FIX2': unpatching complete
livepatch: '$MOD_FIX1': initializing unpatching transition
livepatch: '$MOD_FIX1': starting unpatching transition
livepatch: '$MOD_FIX1': completing unpatching transition
livepatch: '$MOD_FIX1': unpatching complete"

start_test "rust livepatch-shadow-mod under livepatch-shadow-fix1: what the C module does"

# shadow_log KO: with fix1 enabled, KO runs until its first cleanup and is
# unloaded, its exit freeing its dummies through fix1's dummy_free(): each
# kind of message of the target (no module prefix: the C file has no pr_fmt)
# and of fix1, once, numbers and pointers as X.
shadow_log() {
	local from=$(($(new_dmesg | wc -l) + 1))
	local cleanups=$(new_dmesg | grep -c "^cleanup_work_func: ")
	insmod "$1" || die "failed to load $1"
	loop_until '[[ $(new_dmesg | grep -c "^cleanup_work_func: ") -gt $cleanups ]]' ||
		die "$1: no cleanup"
	rmmod $MOD_TARGET || die "failed to unload $1"
	new_dmesg | tail -n +$from | grep -E "^($MOD_FIX1: |(dummy_alloc|dummy_free|cleanup_work_func): )" |
		sed -E 's/(@|=) [0-9a-f]+/\1 X/g' | LC_ALL=C sort -u
}
load_lp $MOD_FIX1
c_log=$(shadow_log c_modules/$MOD_TARGET.ko)
rust_log=$(shadow_log test_modules/$MOD_TARGET.ko)
disable_lp $MOD_FIX1
unload_lp $MOD_FIX1
[[ "$rust_log" == "$c_log" ]] ||
	die "C and Rust $MOD_TARGET differ:$(echo; diff -u <(echo "$c_log") <(echo "$rust_log"))"
[[ "$rust_log" == "cleanup_work_func: jiffies = X
$MOD_FIX1: livepatch_fix1_dummy_alloc: dummy @ X, expires @ X
$MOD_FIX1: livepatch_fix1_dummy_leak_dtor: dummy @ X, prevented leak @ X" ]] || die "unexpected messages: $rust_log"

check_result "livepatch: enabling patch '$MOD_FIX1'
livepatch: '$MOD_FIX1': initializing patching transition
livepatch: '$MOD_FIX1': starting patching transition
livepatch: '$MOD_FIX1': completing patching transition
livepatch: '$MOD_FIX1': patching complete
livepatch: applying patch '$MOD_FIX1' to loading module '$MOD_TARGET'
livepatch: reverting patch '$MOD_FIX1' on unloading module '$MOD_TARGET'
livepatch: applying patch '$MOD_FIX1' to loading module '$MOD_TARGET'
livepatch: reverting patch '$MOD_FIX1' on unloading module '$MOD_TARGET'
livepatch: '$MOD_FIX1': initializing unpatching transition
livepatch: '$MOD_FIX1': starting unpatching transition
livepatch: '$MOD_FIX1': completing unpatching transition
livepatch: '$MOD_FIX1': unpatching complete"

start_test "rust shadow: racing exclusive allocations get EEXIST, never the core's warning"

# Three readers at once, each allocating and freeing one object's variable
# 20000 times per read: the core warned ("Duplicate shadow variable") when an
# allocation raced another (adversarial pass 6); any kernel report after this
# script fails it (run_tests.sh).
RACE=test_klp_rust_shadow_race
load_lp $RACE
for r in 1 2 3; do
	(for i in 1 2 3 4 5; do cat /proc/cmdline >/dev/null; done) &
done
wait
counts=$(cat /proc/cmdline)
disable_lp $RACE
unload_lp $RACE
[[ "$counts" =~ ^created=([0-9]+)\ existed=([0-9]+)\ other=([0-9]+)$ ]] || die "counts: '$counts'"
[[ ${BASH_REMATCH[1]} -gt 0 && ${BASH_REMATCH[3]} == 0 ]] ||
	die "$counts: every allocation must be created or EEXIST"
[[ $((BASH_REMATCH[1] + BASH_REMATCH[2])) == 320000 ]] || die "$counts: not 16 reads of 20000 allocations"

check_result "% insmod test_modules/$RACE.ko
livepatch: enabling patch '$RACE'
livepatch: '$RACE': initializing patching transition
livepatch: '$RACE': starting patching transition
livepatch: '$RACE': completing patching transition
livepatch: '$RACE': patching complete
% echo 0 > /sys/kernel/livepatch/$RACE/enabled
livepatch: '$RACE': initializing unpatching transition
livepatch: '$RACE': starting unpatching transition
livepatch: '$RACE': completing unpatching transition
livepatch: '$RACE': unpatching complete
% rmmod $RACE"

exit 0
