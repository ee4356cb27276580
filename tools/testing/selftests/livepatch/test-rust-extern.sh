#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Non-exported symbols through livepatch relocations (klp_extern!, made into
# .klp.rela sections by tools/klp-elf): of vmlinux (a variable, and a function
# picked by sympos among same-named copies), of a module loaded before and
# after the patch, and a missing symbol refused with the core's error, the
# system staying patchable.

. $(dirname $0)/functions.sh
. $(dirname $0)/rust_functions.sh

MOD_LIVEPATCH=test_klp_rust_extern
MOD_MISSING=test_klp_rust_extern_missing
MOD_TARGET=test_klp_callbacks_busy

# jhash(key, initval) of include/linux/jhash.h, written again here: what the
# patched /proc/cmdline must show for jhash("livepatch", 9, 0).
jhash_livepatch=$(python3 - <<'PY'
M = 0xffffffff
def rol(w, s): return ((w << s) | (w >> (32 - s))) & M
def jhash(k, initval):
    a = b = c = (0xdeadbeef + len(k) + initval) & M
    while len(k) > 12:
        a, b, c = [(x + int.from_bytes(k[i:i + 4], 'little')) & M for x, i in ((a, 0), (b, 4), (c, 8))]
        a = (a - c) & M; a ^= rol(c, 4);  c = (c + b) & M
        b = (b - a) & M; b ^= rol(a, 6);  a = (a + c) & M
        c = (c - b) & M; c ^= rol(b, 8);  b = (b + a) & M
        a = (a - c) & M; a ^= rol(c, 16); c = (c + b) & M
        b = (b - a) & M; b ^= rol(a, 19); a = (a + c) & M
        c = (c - b) & M; c ^= rol(b, 4);  b = (b + a) & M
        k = k[12:]
    if not k:
        return c
    k = k + bytes(12 - len(k))
    a, b, c = [(x + int.from_bytes(k[i:i + 4], 'little')) & M for x, i in ((a, 0), (b, 4), (c, 8))]
    c ^= b; c = (c - rol(b, 14)) & M
    a ^= c; a = (a - rol(c, 11)) & M
    b ^= a; b = (b - rol(a, 25)) & M
    c ^= b; c = (c - rol(b, 16)) & M
    a ^= c; a = (a - rol(c, 4)) & M
    b ^= a; b = (b - rol(a, 14)) & M
    c ^= b; c = (c - rol(b, 24)) & M
    return c
print("0x%08x" % jhash(b"livepatch", 0))
PY
)

setup_config

start_test "rust klp_extern: a vmlinux variable, and a function chosen by sympos"

[[ $(grep -c ' jhash$' /proc/kallsyms) -ge 2 ]] ||
	die "vmlinux has fewer than 2 symbols named jhash: the sympos case tests nothing"
orig=$(cat /proc/cmdline)
load_lp $MOD_LIVEPATCH
[[ "$(cat /proc/cmdline)" == "$orig jhash@2=$jhash_livepatch" ]] ||
	die "/proc/cmdline: '$(cat /proc/cmdline)', expected the command line and jhash@2=$jhash_livepatch"
disable_lp $MOD_LIVEPATCH
[[ "$(cat /proc/cmdline)" == "$orig" ]] || die "/proc/cmdline not restored"
unload_lp $MOD_LIVEPATCH

check_result "% insmod test_modules/$MOD_LIVEPATCH.ko
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
% rmmod $MOD_LIVEPATCH"

start_test "rust klp_extern: a module's static variable, module loaded before the patch"

# block_transition=Y: the module's work function sleeps until rmmod; the patch
# replaces nothing in the module, so its transition is not held.
load_mod $MOD_TARGET block_transition=Y
load_lp $MOD_LIVEPATCH
disable_lp $MOD_LIVEPATCH
unload_lp $MOD_LIVEPATCH
unload_mod $MOD_TARGET

check_result "% insmod test_modules/$MOD_TARGET.ko block_transition=Y
$MOD_TARGET: ${MOD_TARGET}_init
$MOD_TARGET: busymod_work_func enter
% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
$MOD_LIVEPATCH: block_transition of $MOD_TARGET: true
livepatch: '$MOD_LIVEPATCH': patching complete
% echo 0 > $KLP_SYSFS_DIR/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
% rmmod $MOD_LIVEPATCH
% rmmod $MOD_TARGET
$MOD_TARGET: busymod_work_func exit
$MOD_TARGET: ${MOD_TARGET}_exit"

start_test "rust klp_extern: a module's static variable, module loaded after the patch, twice"

# The core applies the module's relocations when it loads (before its
# parameters are parsed: block_transition reads false) and clears them when it
# goes; loaded again, they are applied again.
load_lp $MOD_LIVEPATCH
load_mod $MOD_TARGET
unload_mod $MOD_TARGET
load_mod $MOD_TARGET
disable_lp $MOD_LIVEPATCH
unload_lp $MOD_LIVEPATCH
unload_mod $MOD_TARGET

target_load="% insmod test_modules/$MOD_TARGET.ko
livepatch: applying patch '$MOD_LIVEPATCH' to loading module '$MOD_TARGET'
$MOD_LIVEPATCH: block_transition of $MOD_TARGET: false
$MOD_TARGET: ${MOD_TARGET}_init
$MOD_TARGET: busymod_work_func enter
$MOD_TARGET: busymod_work_func exit"
check_result "% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
$target_load
% rmmod $MOD_TARGET
$MOD_TARGET: ${MOD_TARGET}_exit
livepatch: reverting patch '$MOD_LIVEPATCH' on unloading module '$MOD_TARGET'
$target_load
% echo 0 > $KLP_SYSFS_DIR/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
% rmmod $MOD_LIVEPATCH
% rmmod $MOD_TARGET
$MOD_TARGET: ${MOD_TARGET}_exit"

start_test "rust klp_extern: a missing symbol fails insmod; the system stays patchable"

orig=$(cat /proc/cmdline)
load_failing_mod $MOD_MISSING
[[ ! -e $KLP_SYSFS_DIR/$MOD_MISSING && ! -e /sys/module/$MOD_MISSING ]] ||
	die "$MOD_MISSING left behind"
[[ "$(cat /proc/cmdline)" == "$orig" ]] || die "/proc/cmdline changed"
load_lp $MOD_LIVEPATCH
[[ "$(cat /proc/cmdline)" == "$orig jhash@2=$jhash_livepatch" ]] || die "/proc/cmdline not patched"
disable_lp $MOD_LIVEPATCH
unload_lp $MOD_LIVEPATCH

check_result "% insmod test_modules/$MOD_MISSING.ko
livepatch: symbol 'test_klp_rust_no_such_symbol' not found in symbol table
insmod: ERROR: could not insert module test_modules/$MOD_MISSING.ko: Invalid parameters
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
% rmmod $MOD_LIVEPATCH"

exit 0
