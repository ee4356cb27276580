#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The rules of Documentation/livepatch/callbacks.rst, section 3 ("How it
# works"), one test each, against Rust callback closures: test_klp_rust_callbacks
# acquires a token in each pre-patch/post-patch callback and hands it by value to
# the matching post-unpatch/pre-unpatch callback; tokens print when acquired and
# released with the number still alive, and each object's closures share a call
# counter. Expected logs follow the core's order of messages and callbacks as
# kernel/livepatch/{core,transition}.c print them (and as test-callbacks.sh
# expects them for the C modules).

. $(dirname $0)/functions.sh
. $(dirname $0)/rust_functions.sh

LP=test_klp_rust_callbacks
MOD_TARGET=test_klp_callbacks_mod
MOD_TARGET_BUSY=test_klp_callbacks_busy

setup_config

# Enabling $LP with only vmlinux loaded (tokens from $1), and disabling it.
enable_log() {
	echo "% insmod test_modules/$LP.ko"
	tokens_enable_log "$1"
}
disable_log() { tokens_disable_log; }

start_test "rule: patch and unpatch callbacks run in symmetric pairs; closure state persists; each value released once"

load_lp $LP
disable_lp $LP
unload_lp $LP

check_result "$(enable_log 1)
$(disable_log)
% rmmod $LP"

start_test "rule: a module loaded while the patch is enabled runs its callbacks; unloading it releases its values"

load_lp $LP
load_mod $MOD_TARGET
unload_mod $MOD_TARGET
disable_lp $LP
unload_lp $LP

check_result "$(enable_log 1)
% insmod test_modules/$MOD_TARGET.ko
livepatch: applying patch '$LP' to loading module '$MOD_TARGET'
$LP: pre_patch_callback: $MOD_TARGET (call 1)
$LP: pre_patch token 3 for $MOD_TARGET acquired, live tokens: 3
$LP: post_patch_callback: $MOD_TARGET (call 2)
$LP: post_patch token 4 for $MOD_TARGET acquired, live tokens: 4
$MOD_TARGET: ${MOD_TARGET}_init
% rmmod $MOD_TARGET
$MOD_TARGET: ${MOD_TARGET}_exit
$LP: pre_unpatch_callback: $MOD_TARGET (call 3)
$LP: post_patch token 4 released, live tokens: 3
livepatch: reverting patch '$LP' on unloading module '$MOD_TARGET'
$LP: post_unpatch_callback: $MOD_TARGET (call 4)
$LP: pre_patch token 3 released, live tokens: 2
$(disable_log)
% rmmod $LP"

start_test "rule: a target loaded before the patch runs its callbacks on enable and disable"

load_mod $MOD_TARGET
load_lp $LP
disable_lp $LP
unload_lp $LP
unload_mod $MOD_TARGET

check_result "% insmod test_modules/$MOD_TARGET.ko
$MOD_TARGET: ${MOD_TARGET}_init
% insmod test_modules/$LP.ko
livepatch: enabling patch '$LP'
livepatch: '$LP': initializing patching transition
$LP: pre_patch_callback: vmlinux (call 1)
$LP: pre_patch token 1 for vmlinux acquired, live tokens: 1
$LP: pre_patch_callback: $MOD_TARGET (call 1)
$LP: pre_patch token 2 for $MOD_TARGET acquired, live tokens: 2
livepatch: '$LP': starting patching transition
livepatch: '$LP': completing patching transition
$LP: post_patch_callback: vmlinux (call 2)
$LP: post_patch token 3 for vmlinux acquired, live tokens: 3
$LP: post_patch_callback: $MOD_TARGET (call 2)
$LP: post_patch token 4 for $MOD_TARGET acquired, live tokens: 4
livepatch: '$LP': patching complete
% echo 0 > /sys/kernel/livepatch/$LP/enabled
livepatch: '$LP': initializing unpatching transition
$LP: pre_unpatch_callback: vmlinux (call 3)
$LP: post_patch token 3 released, live tokens: 3
$LP: pre_unpatch_callback: $MOD_TARGET (call 3)
$LP: post_patch token 4 released, live tokens: 2
livepatch: '$LP': starting unpatching transition
livepatch: '$LP': completing unpatching transition
$LP: post_unpatch_callback: vmlinux (call 4)
$LP: pre_patch token 1 released, live tokens: 1
$LP: post_unpatch_callback: $MOD_TARGET (call 4)
$LP: pre_patch token 2 released, live tokens: 0
livepatch: '$LP': unpatching complete
% rmmod $LP
% rmmod $MOD_TARGET
$MOD_TARGET: ${MOD_TARGET}_exit"

start_test "rule: a target's callbacks run only while the patch is enabled"

load_lp $LP
disable_lp $LP
load_mod $MOD_TARGET
unload_mod $MOD_TARGET
unload_lp $LP

check_result "$(enable_log 1)
$(disable_log)
% insmod test_modules/$MOD_TARGET.ko
$MOD_TARGET: ${MOD_TARGET}_init
% rmmod $MOD_TARGET
$MOD_TARGET: ${MOD_TARGET}_exit
% rmmod $LP"

start_test "rule: a vmlinux pre-patch error refuses the livepatch; no other callback runs, nothing acquired"

load_failing_mod $LP vmlinux_pre_patch_ret=-19
[[ ! -e /sys/module/$LP ]] || die "$LP stayed loaded"

check_result "% insmod test_modules/$LP.ko vmlinux_pre_patch_ret=-19
livepatch: enabling patch '$LP'
livepatch: '$LP': initializing patching transition
$LP: pre_patch_callback: vmlinux (call 1)
livepatch: pre-patch callback failed for object 'vmlinux'
livepatch: failed to enable patch '$LP'
livepatch: '$LP': canceling patching transition, going to unpatch
livepatch: '$LP': completing unpatching transition
livepatch: '$LP': unpatching complete
insmod: ERROR: could not insert module test_modules/$LP.ko: No such device"

start_test "rule: a target's pre-patch error refuses the livepatch; vmlinux, already patched, gets only post-unpatch"

load_mod $MOD_TARGET
load_failing_mod $LP mod_pre_patch_ret=-19
unload_mod $MOD_TARGET

check_result "% insmod test_modules/$MOD_TARGET.ko
$MOD_TARGET: ${MOD_TARGET}_init
% insmod test_modules/$LP.ko mod_pre_patch_ret=-19
livepatch: enabling patch '$LP'
livepatch: '$LP': initializing patching transition
$LP: pre_patch_callback: vmlinux (call 1)
$LP: pre_patch token 1 for vmlinux acquired, live tokens: 1
$LP: pre_patch_callback: $MOD_TARGET (call 1)
livepatch: pre-patch callback failed for object '$MOD_TARGET'
livepatch: failed to enable patch '$LP'
livepatch: '$LP': canceling patching transition, going to unpatch
livepatch: '$LP': completing unpatching transition
$LP: post_unpatch_callback: vmlinux (call 2)
$LP: pre_patch token 1 released, live tokens: 0
livepatch: '$LP': unpatching complete
insmod: ERROR: could not insert module test_modules/$LP.ko: No such device
% rmmod $MOD_TARGET
$MOD_TARGET: ${MOD_TARGET}_exit"

start_test "rule: a target's pre-patch error, set at run time through sysfs, refuses the target's load"

load_lp $LP
log "% echo -19 > /sys/module/$LP/parameters/mod_pre_patch_ret"
echo -19 > /sys/module/$LP/parameters/mod_pre_patch_ret
load_failing_mod $MOD_TARGET
[[ ! -e /sys/module/$MOD_TARGET ]] || die "$MOD_TARGET loaded"
disable_lp $LP
unload_lp $LP

check_result "$(enable_log 1)
% echo -19 > /sys/module/$LP/parameters/mod_pre_patch_ret
% insmod test_modules/$MOD_TARGET.ko
livepatch: applying patch '$LP' to loading module '$MOD_TARGET'
$LP: pre_patch_callback: $MOD_TARGET (call 1)
livepatch: pre-patch callback failed for object '$MOD_TARGET'
livepatch: patch '$LP' failed for module '$MOD_TARGET', refusing to load module '$MOD_TARGET'
insmod: ERROR: could not insert module test_modules/$MOD_TARGET.ko: No such device
$(disable_log)
% rmmod $LP"

start_test "rule: a reversed transition runs no pre-unpatch; post-unpatch releases the pre-patch values"

load_mod $MOD_TARGET_BUSY block_transition=Y
load_lp_nowait $LP
loop_until 'grep -q '^1$' /sys/kernel/livepatch/$LP/transition' ||
	die "failed to stall transition"
disable_lp $LP
unload_lp $LP
unload_mod $MOD_TARGET_BUSY

check_result "% insmod test_modules/$MOD_TARGET_BUSY.ko block_transition=Y
$MOD_TARGET_BUSY: ${MOD_TARGET_BUSY}_init
$MOD_TARGET_BUSY: busymod_work_func enter
% insmod test_modules/$LP.ko
livepatch: enabling patch '$LP'
livepatch: '$LP': initializing patching transition
$LP: pre_patch_callback: vmlinux (call 1)
$LP: pre_patch token 1 for vmlinux acquired, live tokens: 1
$LP: pre_patch_callback: $MOD_TARGET_BUSY (call 1)
$LP: pre_patch token 2 for $MOD_TARGET_BUSY acquired, live tokens: 2
livepatch: '$LP': starting patching transition
% echo 0 > /sys/kernel/livepatch/$LP/enabled
livepatch: '$LP': reversing transition from patching to unpatching
livepatch: '$LP': starting unpatching transition
livepatch: '$LP': completing unpatching transition
$LP: post_unpatch_callback: vmlinux (call 2)
$LP: pre_patch token 1 released, live tokens: 1
$LP: post_unpatch_callback: $MOD_TARGET_BUSY (call 2)
$LP: pre_patch token 2 released, live tokens: 0
livepatch: '$LP': unpatching complete
% rmmod $LP
% rmmod $MOD_TARGET_BUSY
$MOD_TARGET_BUSY: busymod_work_func exit
$MOD_TARGET_BUSY: ${MOD_TARGET_BUSY}_exit"

start_test "rule: an atomic replace runs only the new patch's callbacks; the replaced patch's values drop at its rmmod"

LP_REPLACE=test_klp_callbacks_demo2
load_lp $LP
load_lp $LP_REPLACE replace=1
unload_lp $LP
disable_lp $LP_REPLACE
unload_lp $LP_REPLACE

check_result "$(enable_log 1)
% insmod test_modules/$LP_REPLACE.ko replace=1
livepatch: enabling patch '$LP_REPLACE'
livepatch: '$LP_REPLACE': initializing patching transition
$LP_REPLACE: pre_patch_callback: vmlinux
livepatch: '$LP_REPLACE': starting patching transition
livepatch: '$LP_REPLACE': completing patching transition
$LP_REPLACE: post_patch_callback: vmlinux
livepatch: '$LP_REPLACE': patching complete
% rmmod $LP
$LP: post_patch token 2 released, live tokens: 1
$LP: pre_patch token 1 released, live tokens: 0
% echo 0 > /sys/kernel/livepatch/$LP_REPLACE/enabled
livepatch: '$LP_REPLACE': initializing unpatching transition
$LP_REPLACE: pre_unpatch_callback: vmlinux
livepatch: '$LP_REPLACE': starting unpatching transition
livepatch: '$LP_REPLACE': completing unpatching transition
$LP_REPLACE: post_unpatch_callback: vmlinux
livepatch: '$LP_REPLACE': unpatching complete
% rmmod $LP_REPLACE"

start_test "rule: each callback is optional; without pre-patch, post-unpatch still runs"

LP2=test_klp_rust_partial
load_lp $LP2
disable_lp $LP2
unload_lp $LP2

check_result "% insmod test_modules/$LP2.ko
livepatch: enabling patch '$LP2'
livepatch: '$LP2': initializing patching transition
livepatch: '$LP2': starting patching transition
livepatch: '$LP2': completing patching transition
$LP2: post_patch_callback: vmlinux
livepatch: '$LP2': patching complete
% echo 0 > /sys/kernel/livepatch/$LP2/enabled
livepatch: '$LP2': initializing unpatching transition
livepatch: '$LP2': starting unpatching transition
livepatch: '$LP2': completing unpatching transition
$LP2: post_unpatch_callback: vmlinux
livepatch: '$LP2': unpatching complete
% rmmod $LP2"

exit 0
