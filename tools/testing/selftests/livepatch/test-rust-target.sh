#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Rust functions as livepatch targets: test_klp_rust_target, a Rust module
# built with ftrace call sites (klp_target in Kbuild), has its functions in
# available_filter_functions, traced by the function tracer, and replaced by a
# Rust livepatch (one by its C-like #[no_mangle] name, one by its v0-mangled
# name), loaded before or after the target; the same module built without
# call sites (nofentry/) is refused with the core's error.

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

exit 0
