#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench: C twin vs Rust port, in one run. Module sizes (host); in the VM
# under QEMU's instruction counting (-icount: guest time is a function of
# instructions executed) the cost of a read of /proc/cmdline: unpatched,
# patched by the C livepatch-sample, patched by the Rust port; and the wall
# time of the unmodified upstream selftests with the C test modules and with
# the Rust ports (plain TCG, as make check runs them).
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

step "Upstream livepatch selftests, unmodified: the C test modules vs the Rust ports (one VM boot)"
cbuild=$LAB_VMDIR/bench-c-build
c_modules=("$KSELFTEST"/test_modules/*.c)
c_modules=("${c_modules[@]##*/}")
build_c_test_modules "$KDIR" "$cbuild" "${c_modules[@]%.c}" ||
	{ tail -20 "$cbuild/build.log"; die "building the C test modules failed"; }
for v in c rust; do
	upstream_rundir "$LAB_VMDIR/bench-$v"
done
cp "$cbuild"/*.ko "$LAB_VMDIR/bench-c/test_modules/"
for ko in tools/testing/selftests/livepatch/test_modules/test-klp-*.ko; do
	name=$(basename "$ko" .ko)
	cp "$ko" "$LAB_VMDIR/bench-rust/test_modules/${name//-/_}.ko"
done
cp "$cbuild/test_klp_callbacks_busy.ko" "$LAB_VMDIR/bench-rust/test_modules/"
runner=tools/testing/selftests/livepatch/run_tests.sh
bash scripts/vm.sh "bash $runner $LAB_VMDIR/bench-c $UPSTREAM_SCRIPTS >$LAB_VMDIR/bench-c.log 2>&1;
	bash $runner $LAB_VMDIR/bench-rust $UPSTREAM_SCRIPTS >$LAB_VMDIR/bench-rust.log 2>&1" || true
printf '%-20s %14s %14s\n' script "C modules" "Rust ports"
total() { awk '/^SCRIPT/ { sub("s", "", $5); t += $5 } END { printf "%.1f", t }' "$1"; }
for s in $UPSTREAM_SCRIPTS; do
	c=$(awk -v s="$s" '$1 == "SCRIPT" && $2 == s { print $5 " (exit " $4 ")" }' "$LAB_VMDIR/bench-c.log")
	r=$(awk -v s="$s" '$1 == "SCRIPT" && $2 == s { print $5 " (exit " $4 ")" }' "$LAB_VMDIR/bench-rust.log")
	printf '%-20s %14s %14s\n' "$s" "$c" "$r"
done
printf '%-20s %13ss %13ss\n' "all seven" "$(total "$LAB_VMDIR/bench-c.log")" "$(total "$LAB_VMDIR/bench-rust.log")"
printf '%-20s %14s %14s\n' "cases ok" "$(grep -c ' \.\.\. ok$' "$LAB_VMDIR/bench-c.log")/25" \
	"$(grep -c ' \.\.\. ok$' "$LAB_VMDIR/bench-rust.log")/25"
