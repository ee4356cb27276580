#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The guest side of `make demo`: a readable transcript of a live patch.
set -u
P=/sys/kernel/livepatch/livepatch_sample
run() { printf '\n\033[1m# %s\033[0m\n$ %s\n' "$1" "$2"; bash -c "$2" 2>&1; }
wait_transition() { for _ in $(seq 100); do [ "$(cat $P/transition 2>/dev/null)" != 1 ] && return; sleep 0.1; done; }

echo "Kernel: $(uname -r), Rust livepatch sample: samples/livepatch/livepatch-sample.ko"
run "The original /proc/cmdline" "cat /proc/cmdline"
run "Load the Rust livepatch (Rust port of samples/livepatch/livepatch-sample.c)" \
	"insmod samples/livepatch/livepatch-sample.ko"
wait_transition
run "/proc/cmdline is now served by the Rust replacement of cmdline_proc_show()" "cat /proc/cmdline"
run "The patch in sysfs" "grep -H . $P/enabled $P/transition $P/vmlinux/patched"
run "Disable the patch" "echo 0 > $P/enabled"
for _ in $(seq 100); do [ -e $P ] || break; sleep 0.1; done
run "The original /proc/cmdline is back" "cat /proc/cmdline"
run "Unload the livepatch module" "rmmod livepatch_sample && lsmod | grep -c livepatch_sample || true"
run "What the kernel logged" "dmesg | grep -E 'livepatch(:|_sample:)' | sed 's/^\[[ 0-9.]*\] //'"
