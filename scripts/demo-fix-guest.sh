#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# demo-fix-guest.sh TARGETS REPRO: the guest side of `make demo-fix`, a readable
# transcript of a live patch of a real bug. TARGETS is KDIR-targets (the unfixed
# macvlan.ko, dummy.ko), REPRO the reproducer. Each step that does not show what
# it should is marked; the exit status is then 1.
set -u
targets=$1 repro=$2
LP=livepatch_macvlan_fix
P=/sys/kernel/livepatch/$LP
bad=0

# run TITLE CMD [STATUS [REGEX]]: show CMD and its output; it must exit STATUS
# (default 0) and, if given, print a line matching the extended REGEX.
run() {
	local out rc
	printf '\n\033[1m# %s\033[0m\n$ %s\n' "$1" "$2"
	out=$(bash -c "$2" 2>&1)
	rc=$?
	[ -z "$out" ] || printf '%s\n' "$out"
	if [ "$rc" != "${3:-0}" ]; then
		printf '\033[1;31m!! expected exit status %s, got %s\033[0m\n' "${3:-0}" "$rc"
		bad=1
	elif [ -n "${4:-}" ] && ! grep -qE -- "$4" <<<"$out"; then
		printf '\033[1;31m!! expected a line matching: %s\033[0m\n' "$4"
		bad=1
	fi
}
wait_until() { for _ in $(seq 300); do eval "$1" && return; sleep 0.1; done; }
mountpoint -q /sys/kernel/tracing || mount -t tracefs none /sys/kernel/tracing

echo "Kernel: $(uname -r), Rust livepatch: samples/livepatch/livepatch-macvlan-fix.ko"
run "The lower device's driver, and macvlan.ko built from the unfixed 6.12.115 source" \
	"insmod $targets/dummy/dummy.ko && insmod $targets/macvlan-6.12.115/macvlan.ko && grep -E '^(macvlan|dummy) ' /proc/modules"
run "The reproducer: dummy rlpd0, passthru macvlan rlpmv0 on it (down), changelink NOPROMISC" \
	"$repro" 1 '^BUG PRESENT'
run "Load the Rust livepatch" "insmod samples/livepatch/livepatch-macvlan-fix.ko"
wait_until "[ \"\$(cat $P/transition 2>/dev/null)\" = 0 ]"
run "The patch in sysfs" "grep -H . $P/enabled $P/transition $P/macvlan/patched" 0 \
	"^$P/enabled:1\$"
run "The patched function: macvlan_changelink of the object macvlan (sympos 1), and its ftrace handler" \
	"ls -d $P/macvlan/macvlan_changelink,1 && grep -w macvlan_changelink /sys/kernel/tracing/enabled_functions" \
	0 'klp_ftrace_handler'
run "The reproducer again: the lower device is left alone" "$repro" 0 '^fixed'
run "Disable the patch" "echo 0 > $P/enabled"
wait_until "[ ! -e $P ]"
run "No livepatch left in sysfs" "ls -A /sys/kernel/livepatch/; [ ! -e $P ]"
run "The reproducer: the bug is back" "$repro" 1 '^BUG PRESENT'
run "Unload the modules" \
	"rmmod $LP macvlan dummy && ! grep -E '^($LP|macvlan|dummy) ' /proc/modules"
run "What the kernel logged" \
	"dmesg | sed 's/^\[[ 0-9.]*\] //' | grep -E '^(livepatch|$LP|macvlan|dummy|rlpd0|rlpmv0): ' | grep -v 'taints kernel'"
echo
if [ $bad = 0 ]; then
	echo "demo-fix: every step showed what it should"
else
	echo "demo-fix: FAILED: some steps did not show what they should (marked !!)"
fi
exit $bad
