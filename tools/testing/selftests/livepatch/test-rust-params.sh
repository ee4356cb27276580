#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Module parameters of Rust livepatch modules (module_livepatch! params): what
# modinfo and /sys/module/<mod>/parameters show, values set by insmod and by
# sysfs writes, and bad values refused by the kernel's own parsers
# (kernel/params.c: kstrtoint's -EINVAL/-ERANGE, "can only take N arguments")
# with the old value kept. c_modules/ holds C originals built from the tarball.
# (For a too long array, param_array() has already cut the value at its first
# comma when parse_args() reports it: "`1' invalid", as for a C module.)

. $(dirname $0)/functions.sh
. $(dirname $0)/rust_functions.sh

LP=test_klp_rust_callbacks
P=/sys/module/$LP/parameters

setup_config

# Enabling, then disabling and removing, $LP with only vmlinux loaded.
enable_disable_log() {
	tokens_enable_log 1
	tokens_disable_log
	echo "% rmmod $LP"
}

# write_refused FILE VALUE ERRNO_TEXT: the write fails with that error and the
# value stays.
write_refused() {
	local before=$(cat "$1") err
	err=$( (echo "$2" > "$1") 2>&1) && die "writing '$2' to $1 succeeded"
	[[ "$err" == *"$3"* ]] || die "writing '$2' to $1: '$err', expected '$3'"
	[[ "$(cat "$1")" == "$before" ]] || die "$1 changed to $(cat "$1") after a refused write"
}

start_test "rust params: modinfo matches the C original's; types, descriptions and sysfs permissions"

for f in parm parmtype; do
	rust=$(modinfo -F $f test_modules/test_klp_callbacks_demo.ko)
	c=$(modinfo -F $f c_modules/test_klp_callbacks_demo.ko)
	[[ -n "$rust" && "$rust" == "$c" ]] || die "modinfo $f: rust '$rust', C '$c'"
done
types=$(modinfo -F parmtype test_modules/$LP.ko | sort | tr '\n' ' ')
[[ "$types" == "check_reads:bool defaults:array of int flag:bool hidden:int mod_pre_patch_ret:int values:array of int vmlinux_pre_patch_ret:int " ]] ||
	die "parmtype: $types"
load_lp $LP values=3,-1,2 flag=Y
[[ "$(stat -c %A $P/vmlinux_pre_patch_ret)" == "-rw-r--r--" ]] || die "vmlinux_pre_patch_ret rights"
[[ "$(stat -c %A $P/flag)" == "-rw-------" ]] || die "flag rights"
[[ "$(stat -c %A $P/values)" == "-r--r--r--" ]] || die "values rights"
[[ ! -e $P/hidden ]] || die "a parameter with permissions 0 is in sysfs"
[[ "$(cat $P/values)" == "3,-1,2" ]] || die "values: $(cat $P/values)"
[[ "$(cat $P/flag)" == "Y" ]] || die "flag: $(cat $P/flag)"
[[ "$(cat $P/mod_pre_patch_ret)" == "0" ]] || die "mod_pre_patch_ret default: $(cat $P/mod_pre_patch_ret)"
disable_lp $LP
unload_lp $LP

check_result "% insmod test_modules/$LP.ko values=3,-1,2 flag=Y
$(enable_disable_log)"

start_test "rust params: bad values are refused with the kernel's errors and the old value stays"

load_failing_mod $LP vmlinux_pre_patch_ret=abc
load_failing_mod $LP values=1,2,3,4,5
load_failing_mod $LP flag=maybe
load_lp $LP
write_refused $P/vmlinux_pre_patch_ret abc "Invalid argument"
write_refused $P/vmlinux_pre_patch_ret 2147483648 "Numerical result out of range"
write_refused $P/flag maybe "Invalid argument"
echo -5 > $P/vmlinux_pre_patch_ret
[[ "$(cat $P/vmlinux_pre_patch_ret)" == "-5" ]] || die "vmlinux_pre_patch_ret: $(cat $P/vmlinux_pre_patch_ret)"
echo 1 > $P/flag
[[ "$(cat $P/flag)" == "Y" ]] || die "flag: $(cat $P/flag)"
# An array write that fails at its second value stores nothing: the kernel's param_array()
# parses into the array as it goes (it left "5": the first value and a count of one).
write_refused $P/defaults 5,x "Invalid argument"
write_refused $P/defaults 1,2,3,4,5 "Invalid argument"
echo 9,8 > $P/defaults
[[ "$(cat $P/defaults)" == "9,8" ]] || die "defaults: $(cat $P/defaults)"
disable_lp $LP
unload_lp $LP

check_result "% insmod test_modules/$LP.ko vmlinux_pre_patch_ret=abc
$LP: \`abc' invalid for parameter \`vmlinux_pre_patch_ret'
insmod: ERROR: could not insert module test_modules/$LP.ko: Invalid parameters
% insmod test_modules/$LP.ko values=1,2,3,4,5
$LP: \`1' invalid for parameter \`values'
insmod: ERROR: could not insert module test_modules/$LP.ko: Invalid parameters
% insmod test_modules/$LP.ko flag=maybe
$LP: \`maybe' invalid for parameter \`flag'
insmod: ERROR: could not insert module test_modules/$LP.ko: Invalid parameters
% insmod test_modules/$LP.ko
$(enable_disable_log)"

start_test "rust params: array defaults; reads nest and work in atomic context"

# The array defaults show in sysfs and to Rust (they were ignored: empty); an
# array read inside another and scalar reads under a spinlock neither deadlock
# (insmod hung in D state) nor sleep (the debug kernel reported "sleeping
# function called from invalid context").
load_lp $LP check_reads=1
[[ "$(cat $P/defaults)" == "1,2,3,4" ]] || die "defaults: '$(cat $P/defaults)'"
[[ "$(cat $P/values)" == "" ]] || die "values without defaults: '$(cat $P/values)'"
disable_lp $LP
unload_lp $LP
# Values near the type's limits: the module sums them without overflowing (an i32 sum panicked
# on the debug kernel, whose Rust has overflow checks, and printed a wrapped sum on the lab's).
load_lp $LP check_reads=1 defaults=2147483647,1
disable_lp $LP
unload_lp $LP

check_result "% insmod test_modules/$LP.ko check_reads=1
$LP: parameter reads: atomic (7, false, 4, Some(4), None), nested (0, 10, 7)
$(enable_disable_log)
% insmod test_modules/$LP.ko check_reads=1 defaults=2147483647,1
$LP: parameter reads: atomic (7, false, 2, None, None), nested (0, 2147483648, 7)
$(enable_disable_log)"

start_test "rust params: an array read under the kernel's parameter lock fails with EDEADLK"

# A replacement of param_get_int(), which sysfs reads call with the module's
# parameter lock held, reads the module's own array with ParamArray::with,
# which takes that lock: the read deadlocked (lockdep: possible recursive
# locking of &mod->param_lock; adversarial pass 5); now with() fails with
# EDEADLK (-35), the read returns (empty: the replacement prints nothing).
RE=test_klp_rust_param_reentry
load_lp $RE
out=$(timeout 20 cat /sys/module/$RE/parameters/x) || die "reading the parameter x of $RE did not return"
[[ -z "$out" ]] || die "x read as '$out' through the replacement, expected nothing"
disable_lp $RE
unload_lp $RE

check_result "% insmod test_modules/$RE.ko
livepatch: enabling patch '$RE'
livepatch: '$RE': initializing patching transition
livepatch: '$RE': starting patching transition
livepatch: '$RE': completing patching transition
livepatch: '$RE': patching complete
$RE: arr.with() in param_get_int(): Err(-35)
% echo 0 > /sys/kernel/livepatch/$RE/enabled
livepatch: '$RE': initializing unpatching transition
livepatch: '$RE': starting unpatching transition
livepatch: '$RE': completing unpatching transition
livepatch: '$RE': unpatching complete
% rmmod $RE"

exit 0
