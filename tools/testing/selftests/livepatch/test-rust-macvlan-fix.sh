#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A real upstream fix as a Rust livepatch: "macvlan: fix passthru promiscuity
# accounting while down" (Linux 6.12.117, drivers/net/macvlan.c), applied by
# livepatch_macvlan_fix to macvlan.ko built from the unfixed 6.12.115 source.
# repro_macvlan_promisc (next to this script, built on the host) shows the bug
# (exit 1: a changelink on a down passthru macvlan underflows the lower dummy
# device's promiscuity count) or its absence (exit 0); 2 is a setup error.
# The livepatch's and the modules' own messages do not match check_result()'s
# filter ("livepatch:", "test_klp"): it checks the core's messages.

. $(dirname $0)/functions.sh
. $(dirname $0)/rust_functions.sh

MOD_LIVEPATCH=livepatch_macvlan_fix
MOD_TARGET=macvlan
MOD_LOWER=dummy
REPRO=./repro_macvlan_promisc

# run_repro WANT WHY: the reproducer must exit WANT (0: fixed, 1: bug present).
run_repro() {
	local out rc
	out=$($REPRO 2>&1)
	rc=$?
	[[ $rc == "$1" ]] ||
		die "$REPRO exited $rc, expected $1 ($2):$(echo; echo "$out")"
}

# patched OBJECT WANT: /sys/kernel/livepatch/$MOD_LIVEPATCH/OBJECT/patched is WANT.
patched() {
	local v
	v=$(cat "$KLP_SYSFS_DIR/$MOD_LIVEPATCH/$1/patched" 2>&1)
	[[ "$v" == "$2" ]] || die "$KLP_SYSFS_DIR/$MOD_LIVEPATCH/$1/patched: '$v', expected $2"
}

# check_lower N: the kernel said N times since start_test that the lower device
# entered promiscuous mode (__dev_set_promiscuity(): once per run with the bug).
check_lower() {
	local n
	n=$(new_dmesg | grep -c '^rlpd0: entered promiscuous mode$')
	[[ $n == "$1" ]] || die "rlpd0 entered promiscuous mode $n times, expected $1"
}

# On any exit (die included): no module of this script left loaded, then
# functions.sh's own cleanup (its EXIT trap calls cleanup()).
cleanup() {
	if [[ -e $KLP_SYSFS_DIR/$MOD_LIVEPATCH ]]; then
		echo 0 >"$KLP_SYSFS_DIR/$MOD_LIVEPATCH/enabled" 2>/dev/null
		loop_until '[[ ! -e $KLP_SYSFS_DIR/$MOD_LIVEPATCH ]]'
	fi
	for m in $MOD_LIVEPATCH $MOD_TARGET $MOD_LOWER; do
		[[ ! -e /sys/module/$m ]] || rmmod $m ||
			echo "cleanup: rmmod $m failed" >&2
	done
	pop_config
}

[[ -x $REPRO ]] || die "$REPRO not found: build it from repro_macvlan_promisc.c"

setup_config

start_test "rust livepatch-macvlan-fix: the bug in the unfixed macvlan, fixed by the livepatch, back once it is disabled"

load_mod $MOD_LOWER
load_mod $MOD_TARGET
run_repro 1 "unfixed macvlan.ko, no livepatch"
load_lp $MOD_LIVEPATCH
patched $MOD_TARGET 1
run_repro 0 "livepatch enabled"
run_repro 0 "livepatch enabled, second run"
disable_lp $MOD_LIVEPATCH
run_repro 1 "livepatch disabled"
unload_lp $MOD_LIVEPATCH
run_repro 1 "livepatch unloaded"
unload_mod $MOD_TARGET
unload_mod $MOD_LOWER

check_lower 3
check_result "$(plain_lp_log $MOD_LIVEPATCH)"

start_test "rust livepatch-macvlan-fix: the livepatch loaded before macvlan fixes it when it loads"

load_mod $MOD_LOWER
load_lp $MOD_LIVEPATCH
patched $MOD_TARGET 0
load_mod $MOD_TARGET
patched $MOD_TARGET 1
run_repro 0 "macvlan.ko loaded after the livepatch"
unload_mod $MOD_TARGET
patched $MOD_TARGET 0
load_mod $MOD_TARGET
run_repro 0 "macvlan.ko loaded again after the livepatch"
disable_lp $MOD_LIVEPATCH
run_repro 1 "livepatch disabled"
unload_lp $MOD_LIVEPATCH
unload_mod $MOD_TARGET
unload_mod $MOD_LOWER

check_lower 1
check_result "livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
livepatch: applying patch '$MOD_LIVEPATCH' to loading module '$MOD_TARGET'
livepatch: reverting patch '$MOD_LIVEPATCH' on unloading module '$MOD_TARGET'
livepatch: applying patch '$MOD_LIVEPATCH' to loading module '$MOD_TARGET'
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete"

exit 0
