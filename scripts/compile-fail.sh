#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# compile-fail.sh [CASE...]: the compile-time checks of the livepatch library,
# the kernel-module counterpart of trybuild.
#
# Each tools/testing/selftests/livepatch/compile_fail/<case>.rs is a livepatch
# module written twice in one file: a line ending in `//~ FAIL` is only in the
# variant that must not build, a line ending in `//~ PASS` only in its twin
# that must, so the two differ only in the marked lines. Each `//~ ERROR: text`
# line names text the compiler's errors for the failing variant must contain.
# Both variants are compiled against $KDIR (default: the lab kernel), outside
# the repository, and checked by tools/klp-elf as `make modules` checks them
# (a case may fail there: signatures against the C definitions, or against a
# Rust target's klp_target_fn! definitions); one line per
# case: "ok" or "FAIL" and why.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$LAB_ROOT"

KDIR=${KDIR:-$(bash scripts/kernel.sh --print-dir)} || exit 1
# The livepatch crate the cases use, built for $KDIR.
make -s modules KDIR="$KDIR" || exit 1
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=($(cd tools/testing/selftests/livepatch/compile_fail && ls *.rs | sed 's/\.rs$//'))
dir=$LAB_VMDIR/compile-fail
rm -rf "$dir" && mkdir -p "$dir" || exit 1
t0=$(now)

# variant CASE pass|fail: the source of one variant.
variant() {
	local keep drop
	[ "$2" = pass ] && { keep=PASS drop=FAIL; } || { keep=FAIL drop=PASS; }
	grep -v "//~ $drop\$" "tools/testing/selftests/livepatch/compile_fail/$1.rs" |
		sed -e "s|[[:space:]]*//~ $keep\$||"
}
{
	echo "include $LAB_ROOT/scripts/module-flags.mk"
	echo "rustflags-y += \$(klp_module_flags) --extern=livepatch=$LAB_ROOT/src/liblivepatch.rmeta -Ldependency=$LAB_ROOT/src"
	for c in "${cases[@]}"; do
		variant "$c" pass >"$dir/${c}_pass.rs"
		variant "$c" fail >"$dir/${c}_fail.rs"
		echo "obj-m += ${c}_pass.o ${c}_fail.o"
	done
} >"$dir/Kbuild"

kbuild() { make -C "$KDIR" M="$dir" "${KMAKE_FLAGS[@]}" "$@"; }
# klpcheck OBJ: the build-time checks `make modules` runs after rustc (tools/klp-elf): the
# bound on stack frames (scripts/rustc-module.sh), then the global names, signatures against
# the C definitions, klp_extern! objects (`check`), with the Rust targets' definitions
# (klp_target_fn!) in this tree's modules, after the C targets.
klpcheck() {
	"$KLP_ELF" frames "$1" &&
		"$KLP_ELF" check --kdir "$KDIR" --modules "$KDIR-targets" --modules samples/livepatch \
			--modules tools/testing/selftests/livepatch/test_modules --symvers /dev/null "$1"
}

# The twins all build, in one run.
kbuild -k -j"$JOBS" $(printf '%s_pass.o ' "${cases[@]}") >"$dir/pass.log" 2>&1
status=0
for c in "${cases[@]}"; do
	if [ -f "$dir/${c}_pass.o" ] && ! klpcheck "$dir/${c}_pass.o" >>"$dir/pass.log" 2>&1; then
		echo "FAIL    compile-fail: $c: the twin that must build fails klp-elf check:"
		grep -A6 "klp-elf: error" "$dir/pass.log" | head -20 | sed 's/^/        /'
		status=1
		continue
	fi
	if ! [ -f "$dir/${c}_pass.o" ]; then
		echo "FAIL    compile-fail: $c: the twin that must build does not:"
		grep -A12 -E "^error" "$dir/pass.log" | grep -B2 -A10 "${c}_pass" | head -30 | sed 's/^/        /'
		status=1
		continue
	fi
	# The failing variant, alone, so its errors are its own.
	if kbuild "${c}_fail.o" >"$dir/${c}_fail.log" 2>&1 && klpcheck "$dir/${c}_fail.o" >>"$dir/${c}_fail.log" 2>&1; then
		echo "FAIL    compile-fail: $c: the variant that must not build builds"
		status=1
		continue
	fi
	missing=""
	while IFS= read -r want; do
		grep -qF -- "$want" "$dir/${c}_fail.log" || missing="$want"
	done < <(sed -n 's|^//~ ERROR: ||p' "tools/testing/selftests/livepatch/compile_fail/$c.rs")
	if [ -n "$missing" ]; then
		echo "FAIL    compile-fail: $c: expected error not found: $missing"
		grep -A6 -E "^error|klp-elf: error" "$dir/${c}_fail.log" | head -20 | sed 's/^/        /'
		status=1
	else
		echo "ok      compile-fail: $c: $(sed -n 's|^//~ ERROR: ||p' "tools/testing/selftests/livepatch/compile_fail/$c.rs" | head -1)"
	fi
done
echo "(compile-fail: ${#cases[@]} cases in $(($(now) - t0)) s, in $dir)"
exit $status
