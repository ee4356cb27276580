#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vm.sh CMD...: boot the lab kernel in QEMU (virtme-ng, TCG) and run CMD as root
# in the repository directory, with debugfs mounted and KDIR set. The guest sees
# the host's root file system read-only (9p: root=/dev/root names its tag), and
# $LAB_VMDIR read-write.
# CMD's output is printed; the exit status is CMD's. A guest that does not finish
# within VM_TIMEOUT seconds is killed and reported as a failure. The defaults
# (VM_TIMEOUT, VM_MEMORY) depend on KERNEL: the debug kernel runs several times
# slower under TCG, and KASAN keeps an eighth of the memory for its shadow.
# VM_APPEND adds to the kernel's command line (lockdown=integrity).
# VM_CONSOLE=FILE keeps the guest's console (with --verbose: the kernel's
# messages up to a crash) in FILE.
#
# The two vCPUs run on one host thread, in turn (`-accel tcg,thread=single`):
# with QEMU 7.2's multi-threaded TCG, a vCPU can execute a stale int3 after
# text_poke_bp() has removed it and synchronised every CPU, an "Oops: int3" in
# the patched function; the upstream test-syscall.sh (getpid() hammered on both
# CPUs while ftrace patches it) hit it within three runs each time, with the C
# test module as with the Rust one, and never in 8 runs single-threaded. Tasks
# still interleave on the two vCPUs, instruction by instruction.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

KDIR=${KDIR:-$(bash "$LAB_ROOT/scripts/kernel.sh" --print-dir)}
if [ "$KERNEL" = debug ]; then
	timeout_s=${VM_TIMEOUT:-3600} memory=${VM_MEMORY:-2G}
else
	timeout_s=${VM_TIMEOUT:-1800} memory=${VM_MEMORY:-1G}
fi
out=$(mktemp -d "$LAB_VMDIR/out.XXXXXX")
trap '[ -z "${VM_CONSOLE:-}" ] || cp "$out/vng.log" "$VM_CONSOLE"; [ -n "${VM_KEEP:-}" ] || rm -rf "$out"' EXIT

cat >"$out/guest.sh" <<GUEST
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
export KDIR=$KDIR LAB_ROOT=$LAB_ROOT LAB_CACHE=$LAB_CACHE PATH=/usr/sbin:/usr/bin:/sbin:/bin
cd $LAB_ROOT
( $* ) >$out/output 2>&1
echo \$? >$out/status
GUEST

set +e
timeout --kill-after=10 "$timeout_s" "$VNG" --run "$KDIR/arch/x86/boot/bzImage" --disable-kvm \
	--memory "$memory" --cpus 2 --append "root=/dev/root ${VM_APPEND:-}" --rwdir "$LAB_VMDIR" \
	--qemu-opts="-accel tcg,thread=single ${VM_QEMU_OPTS:-}" ${VM_CONSOLE:+--verbose} \
	--exec "bash $out/guest.sh" </dev/null >"$out/vng.log" 2>&1
rc=$?
set -e
[ -f "$out/output" ] && cat "$out/output"
if [ $rc = 124 ] || [ $rc = 137 ]; then
	echo "vm: the guest did not finish within ${timeout_s}s and was killed" >&2
	tail -20 "$out/vng.log" >&2
	exit 124
fi
if ! [ -f "$out/status" ]; then
	echo "vm: the guest stopped before the command finished (vng exit $rc)" >&2
	tail -30 "$out/vng.log" >&2
	exit 1
fi
exit "$(cat "$out/status")"
