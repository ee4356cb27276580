#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make check: every test. Host checks (build, clippy, rustfmt, source rules),
# then the selftest scripts in the VM against our modules: the upstream
# scripts, unmodified from the kernel tarball, and our own test-rust-*.sh,
# each followed by a check for kernel reports (BUG, WARNING, KASAN, lockdep,
# kmemleak, ...). KERNEL=debug runs it all on the debug kernel.
# Ends with "N passed, N failed"; exits non-zero if anything failed.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$LAB_ROOT"

pass=0 fail=0
failed=()
report() { # report NAME STATUS [DETAIL]
	if [ "$2" = 0 ]; then
		pass=$((pass + 1)); printf 'ok      %s\n' "$1"
	else
		fail=$((fail + 1)); failed+=("$1"); printf 'FAIL    %s\n' "$1"
		[ -z "${3:-}" ] || printf '%s\n' "$3" | sed 's/^/        /'
	fi
}
check() { # check NAME CMD...: run CMD, report its status, show its output on failure
	local name=$1 out rc; shift
	out=$("$@" 2>&1); rc=$?
	report "$name" $rc "$(tail -30 <<<"$out")"
}
finish() {
	echo
	[ $fail = 0 ] || printf 'failed: %s\n' "${failed[@]}"
	echo "$pass passed, $fail failed"
	[ $fail = 0 ]
	exit
}

bash scripts/kernel.sh || { report "kernel build ($KERNEL)" 1; finish; }
KDIR=$(bash scripts/kernel.sh --print-dir); export KDIR
step "Host checks ($KERNEL kernel: $KDIR)"
check "build: all Rust modules build against the $KERNEL kernel" make -s modules
# Livepatch relocations made by tools/klp-elf (Documentation/livepatch/module-elf-format.rst).
klp_relocs() {
	local ko=tools/testing/selftests/livepatch/test_modules/test-klp-rust-extern.ko sec sym want
	sec=$(readelf -SW "$ko") sym=$(readelf -sW "$ko")
	for want in .klp.rela.vmlinux.text .klp.rela.test_klp_callbacks_busy.text; do
		grep -F "] $want " <<<"$sec" | grep -qE ' RELA .* AIo ' ||
			{ echo "no SHF_ALLOC|SHF_RELA_LIVEPATCH section $want"; return 1; }
	done
	for want in .klp.sym.vmlinux.saved_command_line,0 .klp.sym.vmlinux.jhash,2 \
		.klp.sym.test_klp_callbacks_busy.block_transition,0; do
		grep -F " $want" <<<"$sym" | grep -qE 'GLOBAL DEFAULT +OS \[0xff20\] ' ||
			{ echo "no SHN_LIVEPATCH symbol $want"; return 1; }
	done
	! llvm-nm-19 -u "$ko" | grep -wE 'saved_command_line|jhash|block_transition' ||
		{ echo "undefined symbols left"; return 1; }
}
# VM_ONLY=1 (with UPSTREAM= and OURS=): only the build and the VM scripts, for a quick loop.
if [ "${VM_ONLY:-0}" != 1 ]; then
# No replacement function leaves its frame for other code (a tail call): the unpatching
# transition only sees tasks whose stack has a return address inside one (test-rust-frames.sh).
check "frames: no replacement function tail-calls or jumps out of itself (llvm-objdump)" \
	bash scripts/check-frames.sh $(find samples tools/testing -name '*.ko' | sort)
check "livepatch relocations: readelf shows .klp.rela sections (AIo) and SHN_LIVEPATCH symbols in test-klp-rust-extern.ko" klp_relocs
# module_livepatch! describes the patch in .modinfo, for tools that read a .ko (klp info).
klp_modinfo() { # klp_modinfo KO EXPECTED: the module's klp_object and klp_func entries, sorted
	local got
	got=$(modinfo "$1" | awk '$1 == "klp_object:" || $1 == "klp_func:"' | sort | tr -s ' ' | tr '\n' ';')
	[ "$got" = "$2" ] || { echo "$1: modinfo klp entries '$got', expected '$2'"; return 1; }
}
check "modinfo: klp_object and klp_func entries name each object and function of a Rust livepatch" bash -c "
	$(declare -f klp_modinfo)
	klp_modinfo samples/livepatch/livepatch-sample.ko 'klp_func: vmlinux:cmdline_proc_show,0;klp_object: vmlinux;' &&
	klp_modinfo samples/livepatch/livepatch-shadow-fix2.ko \
		'klp_func: livepatch_shadow_mod:dummy_check,0;klp_func: livepatch_shadow_mod:dummy_free,0;klp_object: livepatch_shadow_mod;'"
check "tools/klp-elf: cargo test, clippy and rustfmt clean" bash -c 'cd tools/klp-elf &&
	export CARGO_TARGET_DIR=${KLP_ELF%/release/klp-elf} LIBCLANG_PATH=/usr/lib/llvm-19/lib &&
	cargo test --release --locked --quiet && cargo clippy --release --locked --quiet -- -D warnings &&
	cargo fmt --check'
check "tools/klp: cargo test, clippy and rustfmt clean" bash -c 'cd tools/klp &&
	export CARGO_TARGET_DIR=${KLP%/release/klp} &&
	cargo test --release --locked --quiet && cargo clippy --release --locked --quiet -- -D warnings &&
	cargo fmt --check'
clippy_out=$(touch src/lib.rs; make -s clippy 2>&1); rc=$?
warnings=$(grep -cE '^(warning|error)' <<<"$clippy_out")
report "clippy: CLIPPY=1 build has no warnings ($warnings)" $((rc || warnings)) "$(grep -A8 -E '^(warning|error)' <<<"$clippy_out" | head -40)"
check "rustfmt --check with the kernel's .rustfmt.toml" make -s fmtcheck
check "make doc: rustdoc of the livepatch crate, no warning" make -s doc
# The crate is used with --extern: no module includes library code by path, and
# each .ko stands alone (the crate's functions are copied into each module).
selfcontained() {
	local f bad=0
	if grep -rln '#\[path' samples tools/testing --include='*.rs'; then bad=1; fi
	for f in samples/livepatch/*.ko tools/testing/selftests/livepatch/test_modules/*.ko; do
		[ -z "$(modinfo -F depends "$f")" ] || { echo "$f depends on $(modinfo -F depends "$f")"; bad=1; }
	done
	return $bad
}
check "crate: no module includes code by #[path]; no .ko depends on another module" selfcontained
check "unsafe in samples and test modules: each has a SAFETY comment and is counted in the README" \
	bash scripts/check-unsafe-count.sh
check "every unsafe block and impl in src/ has a SAFETY comment" bash scripts/check-safety.sh src
# Compile-time checks: each case must not build, and its twin must.
while IFS= read -r line; do
	case "$line" in
	"ok      "*) report "${line#ok      }" 0 ;;
	"FAIL    "*) report "${line#FAIL    }" 1 ;;
	"        "*) printf '%s\n' "$line" ;;
	"(compile-fail"*) echo "        $line" ;;
	esac
done < <(bash scripts/compile-fail.sh 2>&1)
# The patterns that find kernel reports in the VM, on recorded kernel messages.
. tools/testing/selftests/livepatch/kernel_reports.sh
missed=""
for f in scripts/testdata/kernel-reports/*.log; do
	n=$(kernel_report_count "$f")
	case ${f##*/} in
	clean-*) [ "$n" = 0 ] || missed+="$f: $n report lines found in a clean log:"$'\n'"$(kernel_report_excerpt "$f")"$'\n' ;;
	*) [ "$n" != 0 ] || missed+="$f: no report found"$'\n' ;;
	esac
done
report "kernel report patterns find each report in scripts/testdata/kernel-reports and none in its clean logs" \
	"$([ -z "$missed" ]; echo $?)" "$missed"
fi
make -s modules >/dev/null 2>&1 || finish

step "Preparing the selftest run directory"
# Per kernel (selftests, selftests-debug), so that one run's logs survive the other's.
sfx=${KERNEL#lab}; sfx=${sfx:+-$sfx}
rundir=$LAB_VMDIR/selftests$sfx
if ! out=$(upstream_rundir "$rundir" 2>&1); then
	report "copy the upstream scripts and build test_klp-call_getpid from the kernel tarball" 1 "$out"
fi
cp tools/testing/selftests/livepatch/{test-rust-*.sh,rust_functions.sh} "$rundir"/
# test-rust-klp.sh runs the klp command (tools/klp, built by make tools).
cp "$KLP" "$rundir/klp" || report "copy the klp command ($KLP) into the run directory" 1
for ko in tools/testing/selftests/livepatch/test_modules/*.ko samples/livepatch/*.ko; do
	name=$(basename "$ko" .ko)
	cp "$ko" "$rundir/test_modules/${name//-/_}.ko"
done
# test-rust-target.sh: the Rust target module built without ftrace call sites, named as the module.
mkdir -p "$rundir/test_modules/nofentry"
cp tools/testing/selftests/livepatch/test_modules/nofentry/test_klp-rust-target.ko \
	"$rundir/test_modules/nofentry/test_klp_rust_target.ko"
# Every upstream test module is Rust (the loop above copies them, the busy
# target module too). C originals of Rust ports, for comparisons (modinfo,
# benchmarks), built from the kernel tarball's sources: c_modules/.
# Per VM directory, so that concurrent checks do not share a build directory.
cbuild=$LAB_VMDIR/c-test-modules$sfx
C_TWINS="test_klp_callbacks_demo test_klp_state test_klp_state2 test_klp_state3"
if build_c_test_modules "$KDIR" "$cbuild" $C_TWINS; then
	mkdir -p "$rundir/c_modules"
	for m in $C_TWINS; do cp "$cbuild/$m.ko" "$rundir/c_modules/"; done
	# The C samples of the Rust target modules, built with the kernel.
	for m in livepatch-callbacks-busymod livepatch-shadow-mod; do
		cp "$KDIR/samples/livepatch/$m.ko" "$rundir/c_modules/${m//-/_}.ko" ||
			report "copy $m.ko from the kernel build" 1
	done
else
	report "build the C test modules from the kernel tarball" 1 "$(tail -20 "$cbuild/build.log")"
fi
# The real fix's target (unfixed macvlan.ko of 6.12.115), its lower device, and the reproducer.
cp "$KDIR-targets/macvlan-6.12.115/macvlan.ko" "$KDIR-targets/dummy/dummy.ko" "$rundir/test_modules/" ||
	report "copy macvlan.ko and dummy.ko from $KDIR-targets" 1
cc -O2 -Wall -o "$rundir/repro_macvlan_promisc" tools/testing/selftests/livepatch/repro_macvlan_promisc.c ||
	report "build repro_macvlan_promisc" 1
# Every module the tests load is signed, after its last edit, with the kernel's key: on a
# kernel with CONFIG_MODULE_SIG_FORCE (the lab kernel) nothing else loads.
bash scripts/sign-modules.sh "$KDIR" $(find "$rundir" -name '*.ko') ||
	report "sign the modules of $rundir" 1

# The upstream scripts, all seven, with the Rust ports of all the test modules.
UPSTREAM=${UPSTREAM-$UPSTREAM_SCRIPTS}
# UPSTREAM= and OURS= pick scripts (e.g. UPSTREAM= OURS=test-rust-shadow.sh).
# One line: the list goes into the VM command line.
OURS=${OURS-$(cd tools/testing/selftests/livepatch && echo test-rust-*.sh)}
step "Running in the VM: ${UPSTREAM:+$UPSTREAM }$(echo $OURS)"
t0=$(now)
log=$LAB_VMDIR/selftests$sfx.log
# Per script; the debug kernel is several times slower.
script_timeout=${SCRIPT_TIMEOUT:-$([ "$KERNEL" = debug ] && echo 1200 || echo 400)}
bash scripts/vm.sh "SCRIPT_TIMEOUT=$script_timeout bash tools/testing/selftests/livepatch/run_tests.sh $rundir $UPSTREAM $OURS" >"$log" 2>&1
vmrc=$?
echo "(VM run: $(($(now) - t0)) s, log: $log)"
[ $vmrc = 0 ] || report "VM run finished (exit $vmrc)" $vmrc "$(tail -20 "$log")"

# Each "TEST: name ... ok|not ok" is a test; a script that fails outside a
# TEST line (setup, die) counts as one more failure. Each "REPORTS <boot or
# script> <count>" is one more test: no kernel report (BUG, WARNING, KASAN,
# lockdep, kmemleak, ...: kernel_reports.sh) at boot or since the script
# started; the start of each report follows, indented.
current=""
while IFS= read -r line; do
	case "$line" in
	"TEST: "*" ... ok") report "${line% ... ok}" 0 ;;
	"TEST: "*" ... not ok") report "${line% ... not ok}" 1 "$(grep -A25 -F "$line" "$log" | tail -n +2)" ;;
	"SCRIPT "*)
		read -r _ script _ rc secs <<<"$line"
		echo "        ($script: exit $rc, $secs)"
		if [ "$rc" != 0 ] && ! grep -q "not ok" <<<"$(sed -n "/^TEST:.*$script/,/SCRIPT $script/p" "$log")"; then
			report "$script exits 0" "$rc" "$(grep -B15 -F "$line" "$log" | head -15)"
		fi ;;
	"REPORTS "*)
		read -r _ label count <<<"$line"
		excerpt=$(awk -v l="$line" 'f && /^    / { print substr($0, 5); next } f { exit } $0 == l { f = 1 }' "$log")
		[ "$label" = boot ] && name="no kernel reports at boot" || name="no kernel reports after $label"
		report "$name" "$([ "$count" = 0 ]; echo $?)" \
			"$(head -60 <<<"$excerpt")"$'\n'"(kernel messages: $rundir/reports/$label.dmesg; kmemleak suspects: $rundir/reports/$label.kmemleak)" ;;
	esac
done <"$log"
for s in $UPSTREAM $OURS; do
	grep -q "^SCRIPT $s " "$log" || report "$s ran" 1
	! grep -q "^SCRIPT $s " "$log" || grep -q "^REPORTS $s " "$log" || report "kernel reports checked after $s" 1
done
grep -q "^REPORTS boot " "$log" || report "kernel reports checked at boot" 1

# The production boot, on a kernel with enforced signatures (the lab kernel): booted with
# lockdown=integrity, what the kernel reports about its mitigations, signed and unsigned
# modules, klp under lockdown, and last the kCFI canary, which must leave a CFI failure report
# (so: a boot of its own). scripts/production-guest.sh.
if grep -qx 'CONFIG_MODULE_SIG_FORCE=y' "$KDIR/.config" && [ -z "${SKIP_PRODUCTION:-}" ]; then
	step "Production boot (lockdown=integrity): signatures, klp, the kCFI canary"
	prod=$LAB_VMDIR/production$sfx
	rm -rf "$prod" && mkdir -p "$prod/modules"
	for m in test_klp_rust_target livepatch_sample test_klp_rust_cfi_canary; do
		cp "$rundir/test_modules/$m.ko" "$prod/modules/" || report "copy $m.ko" 1
	done
	cp "$KLP" "$prod/klp"
	plog=$LAB_VMDIR/production$sfx.log
	VM_APPEND="lockdown=integrity" bash scripts/vm.sh "bash scripts/production-guest.sh $prod" >"$plog" 2>&1 ||
		report "production boot finished (log: $plog)" 1 "$(tail -20 "$plog")"
	while IFS= read -r line; do
		case "$line" in
		"TEST: "*" ... ok") name=${line#TEST: } && report "production: ${name% ... ok}" 0 ;;
		"TEST: "*" ... not ok") name=${line#TEST: } && report "production: ${name% ... not ok}" 1 \
			"$(grep -A25 -F "$line" "$plog" | tail -n +2 | sed '/^TEST: /,$d')" ;;
		"TEST: "*) ;;
		*) printf '        %s\n' "$line" ;;
		esac
	done <"$plog"
	grep -q "TEST: kCFI canary case=1" "$plog" || report "production: the kCFI canary ran (log: $plog)" 1
fi

# The stack overflow boot, on either kernel: a livepatch without `unsafe` recurses far past its
# kernel stack (scripts/stack-guest.sh). The guard page below the stack (CONFIG_VMAP_STACK, which
# the crate requires) must stop it, and nothing be written below the stack first: the kernel
# reports the guard page and panics, with no other report before (KASAN's out-of-bounds writes
# into the memory below the stack, on the debug kernel, were the bug). A boot of its own: it
# ends in a panic.
if [ -z "${SKIP_STACK:-}" ]; then
	step "Stack overflow boot: a deep recursion in a replacement stops on the stack's guard page"
	stk=$LAB_VMDIR/stack$sfx
	rm -rf "$stk" && mkdir -p "$stk"
	cp "$rundir/test_modules/test_klp_rust_stack_overflow.ko" "$stk/" || report "copy test_klp_rust_stack_overflow.ko" 1
	slog=$LAB_VMDIR/stack$sfx.log
	# The kernel's report is on its console (VM_CONSOLE): the guest does not outlive it.
	con=$slog.console
	rm -f "$con"
	VM_CONSOLE=$con bash scripts/vm.sh "bash scripts/stack-guest.sh $stk" >"$slog" 2>&1 || true
	touch "$con"
	grep -E '^stack: ' "$slog" | sed 's/^/        /'
	grep -E 'guard page|Kernel panic' "$con" | sed 's/^\[[ 0-9.]*\] //; s/^/        /' | head -6
	report "stack overflow: the livepatch loaded and the recursion ran" \
		"$(grep -q '^stack: reading' "$slog"; echo $?)" "$(tail -20 "$slog")"
	report "stack overflow: the kernel stack's guard page stopped the recursion" \
		"$(grep -q 'stack guard page was hit' "$con"; echo $?)" "$(tail -40 "$con")"
	report "stack overflow: the recursion never returned" "$(! grep -q '^stack: the recursion returned' "$slog"; echo $?)"
	# The console up to the guard page's report: the boot, the load, the recursion.
	before=$(sed '/stack guard page was hit/,$d' "$con")
	report "stack overflow: no kernel report before the guard page (nothing written below the stack)" \
		"$(! grep -qE "$(kernel_report_regex)" <<<"$before"; echo $?)" "$(grep -E "$(kernel_report_regex)" <<<"$before" | head -20)"
fi
finish
