#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make demo-fix: a real upstream fix as a Rust livepatch. Shows the fix ("macvlan:
# fix passthru promiscuity accounting while down", Linux 6.12.117), then boots the
# lab kernel in QEMU and applies samples/livepatch/livepatch-macvlan-fix.ko to
# macvlan.ko built from the unfixed 6.12.115 source, running a reproducer before,
# with and after the patch (scripts/demo-fix-guest.sh). Needs `make modules` first
# (the livepatch, and the target modules in KDIR-targets). Exits non-zero if a
# step does not show what it should.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$LAB_ROOT"

KDIR=${KDIR:-$(bash scripts/kernel.sh --print-dir)}
targets=$KDIR-targets
old_c=$LAB_CACHE/src/linux-source-6.12.115/drivers/net/macvlan.c
for f in "$old_c" "$targets/macvlan-6.12.115/macvlan.ko" "$targets/dummy/dummy.ko" \
	samples/livepatch/livepatch-macvlan-fix.ko; do
	[ -f "$f" ] || die "$f is missing: run make modules first"
done

step "The upstream fix: drivers/net/macvlan.c, linux-source-6.12 6.12.115 -> 6.12.117 (the whole difference)"
# diff exits 1 when the files differ, 0 when they do not: then there is nothing to show.
if diff -u -p --label "6.12.115/drivers/net/macvlan.c" --label "6.12.117/drivers/net/macvlan.c" \
	"$old_c" "$KSRC/drivers/net/macvlan.c"; then
	die "$old_c and $KSRC/drivers/net/macvlan.c do not differ"
fi
echo
echo "Before the fix, changelink of IFLA_MACVLAN_FLAGS on a passthru macvlan that is down"
echo "drops (or takes) a promiscuity reference on the lower device that macvlan_open() never"
echo "took: the lower device's count underflows and it turns promiscuous. The Rust livepatch"
echo "samples/livepatch/livepatch_macvlan_fix.rs replaces macvlan_changelink() of the"
echo "module macvlan with the fixed version."

# The reproducer, built here; the guest reads the host's file system.
out=$LAB_VMDIR/demo-fix
mkdir -p "$out"
cc -O2 -Wall -o "$out/repro_macvlan_promisc" tools/testing/selftests/livepatch/repro_macvlan_promisc.c ||
	die "building the reproducer failed"

step "Booting Linux 6.12 in QEMU (TCG, about 10 s): the bug, the livepatch, the bug back once disabled"
bash scripts/vm.sh "bash scripts/demo-fix-guest.sh $targets $out/repro_macvlan_promisc"
