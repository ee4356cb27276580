#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make stress [N=1000] [SEED=...]: random insmod/rmmod/disable/replace/
# parameter-write sequences of the Rust livepatches and their target modules
# in the VM, on the debug kernel by default (KERNEL=debug: KASAN, kmemleak,
# lockdep, ...), while a load calls the patched functions from every CPU. The
# guest side is scripts/stress-guest.sh; its progress is printed as it runs.
# Ends with "stress: N steps, seed S: ok" or the failure, its seed, its last
# operations and the kernel's report; exits non-zero on failure. Replay a run
# with the same SEED and N (and the same modules). STRESS_SRC=DIR builds and
# stresses the modules of another checkout (default: this one).
set -euo pipefail
KERNEL=${KERNEL:-debug}
. "$(dirname "$0")/lib.sh"
cd "$LAB_ROOT"

N=${N:-1000}
SEED=${SEED:-$(($(date +%s) % 32768))}
[[ "$N" =~ ^[0-9]+$ ]] || die "N=$N: expected a number of steps"
[[ "$SEED" =~ ^[0-9]+$ ]] || die "SEED=$SEED: expected a number"

bash scripts/kernel.sh
KDIR=$(bash scripts/kernel.sh --print-dir)
export KDIR
SRC=$(cd "${STRESS_SRC:-$LAB_ROOT}" && pwd)
step "Building the modules of $SRC against the $KERNEL kernel ($KDIR)"
# src/bindings_generated.rs depends on the kernel: regenerate it for this one.
make -s -C "$SRC" -B bindings KDIR="$KDIR"
make -s -C "$SRC" modules KDIR="$KDIR"

RUN=$LAB_VMDIR/stress
step "Preparing $RUN"
rm -rf "$RUN"
mkdir -p "$RUN/modules"
for ko in "$SRC"/tools/testing/selftests/livepatch/test_modules/*.ko "$SRC"/samples/livepatch/*.ko; do
	name=$(basename "$ko" .ko)
	cp "$ko" "$RUN/modules/${name//-/_}.ko"
done
# The targets whose own functions get replaced are Rust; for a STRESS_SRC from
# before their Rust ports, the kernel's C samples and the selftests' busy
# module built from the tarball.
for m in livepatch-callbacks-busymod livepatch-shadow-mod; do
	[ -f "$RUN/modules/${m//-/_}.ko" ] || cp "$KDIR/samples/livepatch/$m.ko" "$RUN/modules/${m//-/_}.ko"
done
if [ ! -f "$RUN/modules/test_klp_callbacks_busy.ko" ]; then
	cbuild=$LAB_VMDIR/stress-c-modules
	build_c_test_modules "$KDIR" "$cbuild" test_klp_callbacks_busy ||
		{ tail -20 "$cbuild/build.log"; die "building test_klp_callbacks_busy failed"; }
	cp "$cbuild/test_klp_callbacks_busy.ko" "$RUN/modules/"
fi
# Signed after their last edit, with the kernel's key (CONFIG_MODULE_SIG_FORCE on the lab kernel).
bash scripts/sign-modules.sh "$KDIR" "$RUN"/modules/*.ko || die "signing the modules of $RUN failed"
cc -O2 -Wall -o "$RUN/call_getpid" "$KSELFTEST/test_klp-call_getpid.c"

# About 2-5 s a step on the debug kernel (transitions retry every second),
# plus boot, baseline and final kmemleak scans.
export VM_TIMEOUT=${VM_TIMEOUT:-$((900 + N * 10))}
# KASAN's shadow and quarantine and kmemleak's metadata want more than 1G.
export VM_MEMORY=${VM_MEMORY:-$([ "$KERNEL" = debug ] && echo 2G || echo 1G)}
step "Running $N steps, seed $SEED, in the VM ($KERNEL kernel, ${VM_MEMORY} memory, time limit ${VM_TIMEOUT}s)"
t0=$(now)
: >"$RUN/stress.log"
# The console (kernel messages up to a crash, which the guest cannot log).
export VM_CONSOLE=$RUN/console.log
bash scripts/vm.sh "bash scripts/stress-guest.sh $RUN $N $SEED" >"$RUN/vm.log" 2>&1 &
vm=$!
tail -n +1 -F --pid=$vm "$RUN/stress.log" 2>/dev/null &
tailer=$!
rc=0
wait $vm || rc=$?
wait $tailer || true
# What the guest did not write to its log (vm.sh's own messages: a timeout,
# a guest that stopped).
[ ! -s "$RUN/vm.log" ] || cat "$RUN/vm.log"
echo "(VM run: $(($(now) - t0)) s; logs: $RUN/stress.log, ops.log, kmsg.log)"
if [ $rc != 0 ]; then
	if ! grep -q "^stress: $N steps, seed $SEED: " "$RUN/stress.log"; then
		# The guest died: the last operations and the end of its console.
		echo "The last operations (replay: SEED=$SEED N=$N):"
		tail -20 "$RUN/ops.log" | sed 's/^/  /'
		echo "The end of the console ($RUN/console.log):"
		grep -v '^\s*$' "$RUN/console.log" | tail -80 | sed 's/^/  /'
		echo "stress: $N steps, seed $SEED: FAILED (VM exit $rc, the guest did not finish)"
	fi
	exit 1
fi
