#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tests of the Rust livepatch-sample port and of how the core treats a Rust
# livepatch module: /proc/cmdline, sysfs, rmmod. Uses the upstream functions.sh,
# which the test runner copies from the kernel tarball next to this script.
# Its check_result() keeps only dmesg lines with "livepatch:" or "test_klp", so
# the "% insmod/rmmod livepatch_sample" command lines are not in the expected
# logs below; the commands' effects are checked directly.

. $(dirname $0)/functions.sh
. $(dirname $0)/rust_functions.sh

MOD_LIVEPATCH=livepatch_sample
PATCHED="this has been live patched"

setup_config

start_test "rust livepatch-sample patches and unpatches /proc/cmdline"

orig=$(cat /proc/cmdline)
[[ "$orig" != "$PATCHED" ]] || die "/proc/cmdline already patched"
load_lp $MOD_LIVEPATCH
[[ "$(cat /proc/cmdline)" == "$PATCHED" ]] ||
	die "/proc/cmdline not patched: $(cat /proc/cmdline)"
disable_lp $MOD_LIVEPATCH
[[ "$(cat /proc/cmdline)" == "$orig" ]] ||
	die "/proc/cmdline not restored: $(cat /proc/cmdline)"
unload_lp $MOD_LIVEPATCH

check_result "$(plain_lp_log $MOD_LIVEPATCH)"

# Documentation/ABI/testing/sysfs-kernel-livepatch
start_test "rust livepatch-sample sysfs attributes, permissions and values"

load_lp $MOD_LIVEPATCH
check_sysfs_rights "$MOD_LIVEPATCH" "" "drwxr-xr-x"
check_sysfs_rights "$MOD_LIVEPATCH" "enabled" "-rw-r--r--"
check_sysfs_value  "$MOD_LIVEPATCH" "enabled" "1"
check_sysfs_rights "$MOD_LIVEPATCH" "transition" "-r--r--r--"
check_sysfs_value  "$MOD_LIVEPATCH" "transition" "0"
check_sysfs_rights "$MOD_LIVEPATCH" "force" "--w-------"
check_sysfs_rights "$MOD_LIVEPATCH" "replace" "-r--r--r--"
check_sysfs_value  "$MOD_LIVEPATCH" "replace" "0"
check_sysfs_rights "$MOD_LIVEPATCH" "vmlinux" "drwxr-xr-x"
check_sysfs_rights "$MOD_LIVEPATCH" "vmlinux/patched" "-r--r--r--"
check_sysfs_value  "$MOD_LIVEPATCH" "vmlinux/patched" "1"
check_sysfs_rights "$MOD_LIVEPATCH" "vmlinux/cmdline_proc_show,1" "drwxr-xr-x"
[[ "$(modinfo -F livepatch test_modules/$MOD_LIVEPATCH.ko)" == "Y" ]] ||
	die "modinfo livepatch is not Y"
# Writes in the wrong state are refused with -EINVAL, and change nothing.
if echo 1 > $KLP_SYSFS_DIR/$MOD_LIVEPATCH/enabled 2>/dev/null; then
	die "enabling an enabled patch succeeded"
fi
if echo abc > $KLP_SYSFS_DIR/$MOD_LIVEPATCH/enabled 2>/dev/null; then
	die "writing 'abc' to enabled succeeded"
fi
if echo 1 > $KLP_SYSFS_DIR/$MOD_LIVEPATCH/force 2>/dev/null; then
	die "forcing a patch that is not in transition succeeded"
fi
check_sysfs_value  "$MOD_LIVEPATCH" "enabled" "1"
[[ "$(cat /proc/cmdline)" == "$PATCHED" ]] || die "/proc/cmdline lost the patch"
disable_lp $MOD_LIVEPATCH
unload_lp $MOD_LIVEPATCH

check_result "$(plain_lp_log $MOD_LIVEPATCH)"

start_test "rust livepatch-sample: rmmod is refused while enabled, works after disable"

load_lp $MOD_LIVEPATCH
log "% rmmod $MOD_LIVEPATCH"
if ret=$(rmmod $MOD_LIVEPATCH 2>&1); then
	die "rmmod of an enabled livepatch succeeded"
fi
[[ "$ret" == *"Module $MOD_LIVEPATCH is in use"* ]] || die "unexpected rmmod error: $ret"
[[ -e /sys/module/$MOD_LIVEPATCH ]] || die "module gone after refused rmmod"
[[ "$(cat /proc/cmdline)" == "$PATCHED" ]] || die "/proc/cmdline lost the patch"
disable_lp $MOD_LIVEPATCH
unload_lp $MOD_LIVEPATCH

check_result "$(plain_lp_log $MOD_LIVEPATCH)"

start_test "rust livepatch with a missing target symbol fails insmod with -EINVAL, then the sample applies"

MOD_BAD=test_klp_rust_bad_symbol
load_failing_mod $MOD_BAD
[[ ! -e /sys/module/$MOD_BAD ]] || die "$MOD_BAD stayed loaded"
[[ ! -e $KLP_SYSFS_DIR/$MOD_BAD ]] || die "$MOD_BAD left a patch in sysfs"
load_lp $MOD_LIVEPATCH
[[ "$(cat /proc/cmdline)" == "$PATCHED" ]] || die "/proc/cmdline not patched after the failure"
disable_lp $MOD_LIVEPATCH
unload_lp $MOD_LIVEPATCH

check_result "% insmod test_modules/$MOD_BAD.ko
livepatch: symbol 'test_klp_rust_no_such_function' not found in symbol table
insmod: ERROR: could not insert module test_modules/$MOD_BAD.ko: Invalid parameters
$(plain_lp_log $MOD_LIVEPATCH)"

exit 0
