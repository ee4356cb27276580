#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# System states (klp_state) with the Rust ports of test_klp_state*.c and
# test_klp_atomic_replace.c: cases that test-state.sh does not cover. Uses the
# upstream functions.sh, which the test runner copies from the kernel tarball
# next to this script. The expected logs follow kernel/livepatch/{core,state,
# transition}.c and the messages of the test modules.

. $(dirname $0)/functions.sh

MOD_STATE=test_klp_state
MOD_STATE2=test_klp_state2
MOD_REPLACE=test_klp_atomic_replace
PRINTK=/proc/sys/kernel/printk
MOTORMOUTH=15	# CONSOLE_LOGLEVEL_MOTORMOUTH

setup_config

console_loglevel() {
	read -r level _ < $PRINTK
	echo "$level"
}

# state_enable_log MOD: loading MOD, which allocates the state and fixes
# console_loglevel (no earlier patch has the state).
state_enable_log() {
	echo "% insmod test_modules/$1.ko
livepatch: enabling patch '$1'
livepatch: '$1': initializing patching transition
$1: pre_patch_callback: vmlinux
$1: allocate_loglevel_state: allocating space to store console_loglevel
livepatch: '$1': starting patching transition
livepatch: '$1': completing patching transition
$1: post_patch_callback: vmlinux
$1: fix_console_loglevel: fixing console_loglevel
livepatch: '$1': patching complete"
}

# state_disable_log MOD: disabling MOD, which restores console_loglevel and
# frees the state, then unloading it.
state_disable_log() {
	echo "% echo 0 > /sys/kernel/livepatch/$1/enabled
livepatch: '$1': initializing unpatching transition
$1: pre_unpatch_callback: vmlinux
$1: restore_console_loglevel: restoring console_loglevel
livepatch: '$1': starting unpatching transition
livepatch: '$1': completing unpatching transition
$1: post_unpatch_callback: vmlinux
$1: free_loglevel_state: freeing space for the stored console_loglevel
livepatch: '$1': unpatching complete
% rmmod $1"
}

# state_takeover_log MOD [DIR]: loading MOD (from DIR, test_modules by
# default), which takes the state over from the patch it replaces.
state_takeover_log() {
	echo "% insmod ${2:-test_modules}/$1.ko
livepatch: enabling patch '$1'
livepatch: '$1': initializing patching transition
$1: pre_patch_callback: vmlinux
$1: allocate_loglevel_state: space to store console_loglevel already allocated
livepatch: '$1': starting patching transition
livepatch: '$1': completing patching transition
$1: post_patch_callback: vmlinux
$1: fix_console_loglevel: taking over the console_loglevel change
livepatch: '$1': patching complete"
}

# load_c_lp MOD: load the tarball's C module MOD from c_modules/ (its name
# is the Rust port's, so load_lp cannot tell them apart) and wait for the
# end of its transition.
load_c_lp() {
	log "% insmod c_modules/$1.ko"
	insmod "c_modules/$1.ko" || die "failed to load c_modules/$1.ko"
	loop_until "[[ -e /sys/kernel/livepatch/$1/transition ]]" &&
		loop_until "[[ \$(cat /sys/kernel/livepatch/$1/transition) == 0 ]]" ||
		die "failed to complete transition of $1"
}

# klp_is_state_compatible(): a cumulative patch (replace) must handle every
# state of the installed patches; a non-cumulative one may leave them alone.
start_test "a cumulative livepatch without an installed state is refused with -EINVAL"

load_lp $MOD_STATE2
load_failing_mod $MOD_REPLACE replace=1
[[ ! -e /sys/module/$MOD_REPLACE ]] || die "$MOD_REPLACE stayed loaded"
load_lp $MOD_REPLACE replace=0
disable_lp $MOD_REPLACE
unload_lp $MOD_REPLACE
disable_lp $MOD_STATE2
unload_lp $MOD_STATE2

check_result "$(state_enable_log $MOD_STATE2)
% insmod test_modules/$MOD_REPLACE.ko replace=1
livepatch: Livepatch patch ($MOD_REPLACE) is not compatible with the already installed livepatches.
insmod: ERROR: could not insert module test_modules/$MOD_REPLACE.ko: Invalid parameters
% insmod test_modules/$MOD_REPLACE.ko replace=0
livepatch: enabling patch '$MOD_REPLACE'
livepatch: '$MOD_REPLACE': initializing patching transition
livepatch: '$MOD_REPLACE': starting patching transition
livepatch: '$MOD_REPLACE': completing patching transition
livepatch: '$MOD_REPLACE': patching complete
% echo 0 > /sys/kernel/livepatch/$MOD_REPLACE/enabled
livepatch: '$MOD_REPLACE': initializing unpatching transition
livepatch: '$MOD_REPLACE': starting unpatching transition
livepatch: '$MOD_REPLACE': completing unpatching transition
livepatch: '$MOD_REPLACE': unpatching complete
% rmmod $MOD_REPLACE
$(state_disable_log $MOD_STATE2)"

# The state data (the saved console_loglevel) moves from test_klp_state to
# test_klp_state2, which takes the change over; test_klp_state is unloaded
# first, and its data must survive it and still restore the original level.
start_test "state data taken over by the next cumulative patch outlives the first module"

saved_printk=$(cat $PRINTK)
echo 6 > $PRINTK
load_lp $MOD_STATE
[[ "$(console_loglevel)" == $MOTORMOUTH ]] || die "console_loglevel not fixed: $(console_loglevel)"
load_lp $MOD_STATE2
[[ "$(console_loglevel)" == $MOTORMOUTH ]] || die "console_loglevel lost by the take-over: $(console_loglevel)"
unload_lp $MOD_STATE
disable_lp $MOD_STATE2
level=$(console_loglevel)
echo "$saved_printk" > $PRINTK
[[ "$level" == 6 ]] || die "console_loglevel not restored: $level, expected 6"
unload_lp $MOD_STATE2

check_result "$(state_enable_log $MOD_STATE)
$(state_takeover_log $MOD_STATE2)
% rmmod $MOD_STATE
$(state_disable_log $MOD_STATE2)"

# Mixed languages. The C cumulative patches copy the previous patch's data
# pointer without clearing it, and free it when disabled; a Rust patch reads
# and frees only data it allocated. Rust then C: the replaced Rust module
# must not free the data the C patch took over (it did: a double free, a
# WARNING in free_large_kmalloc() and an Oops in the slab allocator).
start_test "state data of a Rust patch taken over by a C cumulative patch"

saved_printk=$(cat $PRINTK)
echo 6 > $PRINTK
load_lp $MOD_STATE
load_c_lp $MOD_STATE2
unload_lp $MOD_STATE
level_patched=$(console_loglevel)
disable_lp $MOD_STATE2
level=$(console_loglevel)
echo "$saved_printk" > $PRINTK
[[ "$level_patched" == $MOTORMOUTH ]] || die "console_loglevel lost by the take-over: $level_patched"
[[ "$level" == 6 ]] || die "console_loglevel not restored by the C patch: $level, expected 6"
unload_lp $MOD_STATE2

check_result "$(state_enable_log $MOD_STATE)
$(state_takeover_log $MOD_STATE2 c_modules)
% rmmod $MOD_STATE
$(state_disable_log $MOD_STATE2)"

# C then Rust then C: the Rust patch carries the C data along without reading
# or freeing it (it read a 24-byte header from the 4-byte C allocation), and
# the next C patch takes it over, restores the level and frees it.
start_test "state data of a C patch carried by a Rust cumulative patch to the next C one"

MOD_STATE3=test_klp_state3
echo 6 > $PRINTK
load_c_lp $MOD_STATE
load_lp $MOD_STATE2
unload_lp $MOD_STATE
load_c_lp $MOD_STATE3
unload_lp $MOD_STATE2
level_patched=$(console_loglevel)
disable_lp $MOD_STATE3
level=$(console_loglevel)
echo "$saved_printk" > $PRINTK
[[ "$level_patched" == $MOTORMOUTH ]] || die "console_loglevel lost by the take-overs: $level_patched"
[[ "$level" == 6 ]] || die "console_loglevel not restored by the C patch: $level, expected 6"
unload_lp $MOD_STATE3

check_result "$(state_enable_log $MOD_STATE | sed "s|test_modules/$MOD_STATE|c_modules/$MOD_STATE|")
$(state_takeover_log $MOD_STATE2)
% rmmod $MOD_STATE
$(state_takeover_log $MOD_STATE3 c_modules)
% rmmod $MOD_STATE2
$(state_disable_log $MOD_STATE3)"

# C then Rust, the upstream "taking over system state modification" sequence:
# the Rust cumulative patch declares the type of the state's data at versions
# 1 and 2 (an int, as the C modules store it), takes the C allocation over,
# restores the level from it when disabled and frees it. It refused to read
# the C data: the level stayed at CONSOLE_LOGLEVEL_MOTORMOUTH.
start_test "state data of a C patch taken over by a Rust cumulative patch"

echo 6 > $PRINTK
load_c_lp $MOD_STATE
load_lp $MOD_STATE2
unload_lp $MOD_STATE
level_patched=$(console_loglevel)
disable_lp $MOD_STATE2
level=$(console_loglevel)
echo "$saved_printk" > $PRINTK
[[ "$level_patched" == $MOTORMOUTH ]] || die "console_loglevel lost by the take-over: $level_patched"
[[ "$level" == 6 ]] || die "console_loglevel not restored by the Rust patch: $level, expected 6"
unload_lp $MOD_STATE2

check_result "$(state_enable_log $MOD_STATE | sed "s|test_modules/$MOD_STATE|c_modules/$MOD_STATE|")
$(state_takeover_log $MOD_STATE2)
% rmmod $MOD_STATE
$(state_disable_log $MOD_STATE2)"

# Rust, C, Rust: the Rust test_klp_state3 takes over from the C
# test_klp_state2 the allocation that the Rust test_klp_state made (the C patch
# copied the pointer); the replaced Rust test_klp_state must not free it.
start_test "state data of a Rust patch carried by a C cumulative patch to the next Rust one"

echo 6 > $PRINTK
load_lp $MOD_STATE
load_c_lp $MOD_STATE2
unload_lp $MOD_STATE
load_lp $MOD_STATE3
unload_lp $MOD_STATE2
level_patched=$(console_loglevel)
disable_lp $MOD_STATE3
level=$(console_loglevel)
echo "$saved_printk" > $PRINTK
[[ "$level_patched" == $MOTORMOUTH ]] || die "console_loglevel lost by the take-overs: $level_patched"
[[ "$level" == 6 ]] || die "console_loglevel not restored by the Rust patch: $level, expected 6"
unload_lp $MOD_STATE3

check_result "$(state_enable_log $MOD_STATE)
$(state_takeover_log $MOD_STATE2 c_modules)
% rmmod $MOD_STATE
$(state_takeover_log $MOD_STATE3)
% rmmod $MOD_STATE2
$(state_disable_log $MOD_STATE3)"

# C, Rust, Rust: the data the Rust test_klp_state2 took over from C moves on
# to the Rust test_klp_state3 through the ledger, which frees it when disabled.
start_test "state data of a C patch taken over by two Rust cumulative patches in turn"

echo 6 > $PRINTK
load_c_lp $MOD_STATE
load_lp $MOD_STATE2
unload_lp $MOD_STATE
load_lp $MOD_STATE3
unload_lp $MOD_STATE2
level_patched=$(console_loglevel)
disable_lp $MOD_STATE3
level=$(console_loglevel)
echo "$saved_printk" > $PRINTK
[[ "$level_patched" == $MOTORMOUTH ]] || die "console_loglevel lost by the take-overs: $level_patched"
[[ "$level" == 6 ]] || die "console_loglevel not restored by the Rust patch: $level, expected 6"
unload_lp $MOD_STATE3

check_result "$(state_enable_log $MOD_STATE | sed "s|test_modules/$MOD_STATE|c_modules/$MOD_STATE|")
$(state_takeover_log $MOD_STATE2)
% rmmod $MOD_STATE
$(state_takeover_log $MOD_STATE3)
% rmmod $MOD_STATE2
$(state_disable_log $MOD_STATE3)"

# A patch with states must patch vmlinux: with module objects alone, once
# every target module is gone, disabling the patch runs none of its callbacks,
# and its state data was never freed (a kmemleak suspect on the debug kernel).
start_test "a patch with states but no vmlinux object is refused with -EINVAL"

MOD_TARGET=test_klp_callbacks_mod
MOD_STATE_MOD=test_klp_rust_state_mod
load_mod $MOD_TARGET
load_failing_mod $MOD_STATE_MOD
unload_mod $MOD_TARGET

check_result "% insmod test_modules/$MOD_TARGET.ko
$MOD_TARGET: test_klp_callbacks_mod_init
% insmod test_modules/$MOD_STATE_MOD.ko
insmod: ERROR: could not insert module test_modules/$MOD_STATE_MOD.ko: Invalid parameters
% rmmod $MOD_TARGET
$MOD_TARGET: test_klp_callbacks_mod_exit"

# Data stored under a state's id and version is read as that id's type by the patches taking it
# over, C included: storing it needs the type declared (State::with_data, unsafe). An undeclared
# [u8; 0] was stored without memory before the fix: the C test_klp_state2 then read address 1.
start_test "state data of an undeclared type is refused with -EINVAL"

MOD_UNDECLARED=test_klp_rust_state_undeclared
load_failing_mod $MOD_UNDECLARED
[[ ! -e $KLP_SYSFS_DIR/$MOD_UNDECLARED ]] || die "$MOD_UNDECLARED left a patch in sysfs"

check_result "% insmod test_modules/$MOD_UNDECLARED.ko
livepatch: enabling patch '$MOD_UNDECLARED'
livepatch: '$MOD_UNDECLARED': initializing patching transition
livepatch: pre-patch callback failed for object 'vmlinux'
livepatch: failed to enable patch '$MOD_UNDECLARED'
livepatch: '$MOD_UNDECLARED': canceling patching transition, going to unpatch
livepatch: '$MOD_UNDECLARED': completing unpatching transition
livepatch: '$MOD_UNDECLARED': unpatching complete
insmod: ERROR: could not insert module test_modules/$MOD_UNDECLARED.ko: Invalid parameters"

exit 0
