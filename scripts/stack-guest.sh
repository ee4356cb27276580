#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# stack-guest.sh DIR: the guest side of make check's stack overflow boot
# (scripts/check.sh): a Rust livepatch without `unsafe` whose replacement of
# cmdline_proc_show() recurses far deeper than a kernel stack
# (test_klp_rust_stack_overflow, DIR/test_klp_rust_stack_overflow.ko). With
# CONFIG_VMAP_STACK and every frame bounded (klp-elf frames), the recursion
# faults on the stack's guard page: the kernel reports "stack guard page was
# hit" and panics, and QEMU exits (panic=-1, -no-reboot). The host checks the
# console; this script only prints what happens up to then.
set -u
echo "stack: loading the livepatch"
insmod "$1/test_klp_rust_stack_overflow.ko" || { echo "stack: insmod failed"; exit 1; }
echo "stack: reading /proc/cmdline with depth=100000 (about 50 MB of frames)"
echo 100000 >/sys/module/test_klp_rust_stack_overflow/parameters/depth
cat /proc/cmdline
echo "stack: the recursion returned"
