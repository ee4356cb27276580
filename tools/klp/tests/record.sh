#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# record.sh: records the fixtures of tools/klp's unit tests in the VM, from the
# repository's directory with its modules built:
#   make vm CMD="bash tools/klp/tests/record.sh $LAB_VMDIR/fixtures"
# (the VM writes only to $LAB_VMDIR), then copy them to tools/klp/tests/fixtures.
# Each fixture is the part of /sys and /proc that klp reads, as plain files
# (directories that sysfs shows empty hold an empty .fixture file, for git):
#   list/   test_klp_livepatch, livepatch_sample, test_klp_atomic_replace (replace=0)
#   stall/  test_klp_callbacks_demo held by test_klp_callbacks_busy's worker
set -u
shopt -s nullglob
out=${1:?usage: record.sh DIR}
T=tools/testing/selftests/livepatch/test_modules

# rec DEST: the livepatch sysfs tree, the refcnt of patches and loaded objects,
# /proc/modules, and every task's patch_state and comm (and stack if the task
# has not switched).
rec() {
	local d=$1 p o f t n s
	rm -rf "$d" && mkdir -p "$d/sys/kernel/livepatch" "$d/proc"
	for p in /sys/kernel/livepatch/*/; do
		n=$(basename "$p")
		mkdir -p "$d$p" "$d/sys/module/$n"
		for f in enabled transition replace; do cat "$p$f" >"$d$p$f"; done
		cat /sys/module/$n/refcnt >"$d/sys/module/$n/refcnt"
		for o in "$p"*/; do
			mkdir -p "$d$o" && cat "$o/patched" >"$d$o/patched"
			[ ! -e "/sys/module/$(basename "$o")/refcnt" ] || {
				mkdir -p "$d/sys/module/$(basename "$o")"
				cat "/sys/module/$(basename "$o")/refcnt" >"$d/sys/module/$(basename "$o")/refcnt"
			}
			for f in "$o"*/; do mkdir -p "$d$f" && : >"$d$f/.fixture"; done
		done
	done
	cut -d' ' -f1-3 /proc/modules >"$d/proc/modules"
	for t in /proc/[0-9]*/task/[0-9]*; do
		s=$(cat "$t/patch_state" 2>/dev/null) || continue
		mkdir -p "$d$t"
		echo "$s" >"$d$t/patch_state"
		cat "$t/comm" >"$d$t/comm"
		if [ "$s" = 0 ]; then cat "$t/stack" >"$d$t/stack"; fi
	done
}

# settle: until no patch is in transition (the core refuses a new one meanwhile).
settle() { while cat /sys/kernel/livepatch/*/transition </dev/null | grep -qx 1; do sleep 0.2; done; }
insmod $T/test-klp-livepatch.ko && settle
insmod samples/livepatch/livepatch-sample.ko && settle
insmod $T/test-klp-atomic-replace.ko replace=0 && settle
rec $out/list
for m in test_klp_atomic_replace livepatch_sample test_klp_livepatch; do
	echo 0 >/sys/kernel/livepatch/$m/enabled && settle
	while [ -e /sys/kernel/livepatch/$m ]; do sleep 0.2; done
	rmmod $m
done

insmod $T/test-klp-callbacks-busy.ko block_transition=Y
insmod $T/test-klp-callbacks-demo.ko
sleep 2
rec $out/stall
echo N >/sys/module/test_klp_callbacks_busy/parameters/block_transition
while grep -q 1 /sys/kernel/livepatch/test_klp_callbacks_demo/transition; do sleep 0.2; done
echo 0 >/sys/kernel/livepatch/test_klp_callbacks_demo/enabled
while [ -e /sys/kernel/livepatch/test_klp_callbacks_demo ]; do sleep 0.2; done
rmmod test_klp_callbacks_demo test_klp_callbacks_busy
echo "recorded: $(find $out -type f | wc -l) files"
