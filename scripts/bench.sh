#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench: C twin vs Rust port, in one run. Module sizes (host), and in the
# VM under QEMU's instruction counting (-icount: guest time is a function of
# instructions executed, so runs repeat) the cost of a read of /proc/cmdline:
# unpatched, patched by the C livepatch-sample, patched by the Rust port.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$LAB_ROOT"
KDIR=$(bash scripts/kernel.sh --print-dir)
make -s modules

step "Module sizes (bytes): C original vs Rust port"
printf '%-28s %8s %8s %8s %8s\n' module text data bss file
row() { size -A "$2" | awk -v n="$1" -v f="$(stat -c %s "$2")" '
	/^\.text|^\.init\.text|^\.exit\.text/ { t += $2 } /^\.data|^\.rodata|^\.modinfo/ { d += $2 } /^\.bss/ { b += $2 }
	END { printf "%-28s %8d %8d %8d %8d\n", n, t, d, b, f }'; }
row "C livepatch-sample" "$KDIR/samples/livepatch/livepatch-sample.ko"
row "Rust livepatch-sample" samples/livepatch/livepatch-sample.ko
row "C livepatch-callbacks-demo" "$KDIR/samples/livepatch/livepatch-callbacks-demo.ko"
row "Rust livepatch-callbacks-demo" samples/livepatch/livepatch-callbacks-demo.ko

step "Reading /proc/cmdline in the VM (-icount shift=1: virtual ns, repeatable)"
mkdir -p "$LAB_VMDIR/bench"
cp "$KDIR/samples/livepatch/livepatch-sample.ko" "$LAB_VMDIR/bench/c-livepatch-sample.ko"
cp samples/livepatch/livepatch-sample.ko "$LAB_VMDIR/bench/rust-livepatch-sample.ko"
VM_QEMU_OPTS="-icount shift=1,sleep=off" bash scripts/vm.sh "bash scripts/bench-guest.sh $LAB_VMDIR/bench"
