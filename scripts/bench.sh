#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench: C original vs Rust port, in one run.
# 1. Sizes (host), for every port with a C original (samples, upstream test
#    modules): loaded size (the bytes of the .ko's SHF_ALLOC sections), .text
#    (those also executable), and Rust/C of the loaded size.
# 2. The cost of a patched getpid(), in the VM under QEMU's instruction counting
#    (-icount: guest time is a function of the instructions executed, so the
#    figures repeat): unpatched, with the C test_klp_syscall, with the Rust port.
# 3. The wall time of the unmodified upstream selftests with the C test modules
#    and with the Rust ports (plain TCG, as make check runs them).
# Goal lines (issue 9) say ok or FAILED; the exit status is non-zero if one
# failed, after everything is printed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$LAB_ROOT"
export LC_ALL=C
KDIR=$(bash scripts/kernel.sh --print-dir)
make -s modules
cbuild=$LAB_VMDIR/bench-c-build
c_modules=("$KSELFTEST"/test_modules/*.c)
c_modules=("${c_modules[@]##*/}")
build_c_test_modules "$KDIR" "$cbuild" "${c_modules[@]%.c}" ||
	{ tail -20 "$cbuild/build.log"; die "building the C test modules failed"; }
failed=0

# goal WHAT VALUE DECIMALS LIMIT: "goal WHAT VALUE <= LIMIT: ok|FAILED",
# VALUE shown with DECIMALS decimals and compared unrounded.
goal() {
	local s=ok
	awk -v v="$2" -v l="$4" 'BEGIN { exit !(v <= l) }' || s=FAILED failed=1
	printf "goal %s %.${3}f <= %s: %s\n" "$1" "$2" "$4" "$s"
}

# ko_size KO: "LOADED TEXT", the bytes of its SHF_ALLOC sections and of those
# also executable (readelf -SW: Name Type Address Off Size ES Flg ...).
ko_size() {
	local name type addr off size es flg rest loaded=0 text=0
	while read -r name type addr off size es flg rest; do
		[[ $flg == *A* ]] || continue
		loaded=$((loaded + 16#$size))
		[[ $flg != *X* ]] || text=$((text + 16#$size))
	done < <(readelf -SW "$1" | sed -n 's/^ *\[ *[0-9]*\] //p')
	echo "$loaded $text"
}

step "Module sizes (bytes): C original vs Rust port"
declare -A ratio
row() { # row NAME C_KO RUST_KO
	local cl ct rl rt
	[ -f "$2" ] || die "$1: no C original $2"
	read -r cl ct < <(ko_size "$2")
	read -r rl rt < <(ko_size "$3")
	ratio[$1]=$(awk -v r="$rl" -v c="$cl" 'BEGIN { printf "%.6f", r / c }')
	printf '%-26s %9d %9d %9d %9d %6.2f\n' "$1" "$cl" "$rl" "$ct" "$rt" "${ratio[$1]}"
}
printf '%-26s %9s %9s %9s %9s %6s\n' "" "loaded" "loaded" ".text" ".text" "loaded"
printf '%-26s %9s %9s %9s %9s %6s\n' "module" "C" "Rust" "C" "Rust" "Rust/C"
for ko in samples/livepatch/*.ko; do
	# Ours: the real fix (macvlan, 6.12.117) has no C sample to compare with.
	[[ $ko != */livepatch-macvlan-fix.ko ]] || continue
	row "$(basename "$ko" .ko)" "$KDIR/samples/livepatch/${ko##*/}" "$ko"
done
for ko in tools/testing/selftests/livepatch/test_modules/test-klp-*.ko; do
	m=$(basename "$ko" .ko)
	m=${m//-/_}
	[[ $m != test_klp_rust_* ]] || continue # ours, no C original
	row "$m" "$cbuild/$m.ko" "$ko"
done
if [ -f "$KDIR/samples/rust/rust_minimal.ko" ]; then
	read -r l t < <(ko_size "$KDIR/samples/rust/rust_minimal.ko")
	echo "the kernel's samples/rust/rust_minimal.ko: loaded $l, .text $t"
else
	echo "(the kernel's samples/rust/rust_minimal.ko is not built in $KDIR: not shown)"
fi
for m in livepatch-sample livepatch-callbacks-demo; do
	goal "$m loaded size Rust/C" "${ratio[$m]}" 2 2.00
done

step "getpid() patched by test_klp_syscall, C vs Rust, in the VM under -icount: virtual ns per call"
b=$LAB_VMDIR/bench
rm -rf "$b" && mkdir -p "$b"
cc -O2 -Wall -o "$b/getpid-loop" scripts/getpid-loop.c
VM_QEMU_OPTS="-icount shift=1,sleep=off" bash scripts/vm.sh "bash scripts/bench-guest.sh $b/getpid-loop \
	$b/getpid.txt C=$cbuild/test_klp_syscall.ko Rust=tools/testing/selftests/livepatch/test_modules/test-klp-syscall.ko" ||
	die "the getpid benchmark failed in the VM"
read -r u c r < <(awk '{ v[$1] = $2 } END { print v["unpatched"], v["C"], v["Rust"] }' "$b/getpid.txt")
printf 'unpatched %.1f, C %.1f, Rust %.1f virtual ns per call (patch cost: C +%.1f, Rust +%.1f)\n' \
	"$u" "$c" "$r" "$(awk -v a="$c" -v u="$u" 'BEGIN { print a - u }')" "$(awk -v a="$r" -v u="$u" 'BEGIN { print a - u }')"
goal "getpid Rust/C" "$(awk -v r="$r" -v c="$c" 'BEGIN { printf "%.6f", r / c }')" 3 1.01

step "Upstream livepatch selftests, unmodified: the C test modules vs the Rust ports (one VM boot)"
for v in c rust; do
	upstream_rundir "$LAB_VMDIR/bench-$v"
done
cp "$cbuild"/*.ko "$LAB_VMDIR/bench-c/test_modules/"
for ko in tools/testing/selftests/livepatch/test_modules/test-klp-*.ko; do
	name=$(basename "$ko" .ko)
	cp "$ko" "$LAB_VMDIR/bench-rust/test_modules/${name//-/_}.ko"
done
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

[ "$failed" = 0 ] || die "a goal FAILED (see the goal lines above)"
