#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# production-guest.sh DIR: the guest side of make check's production boot
# (scripts/check.sh, lab kernel booted with lockdown=integrity): what the
# hardened kernel reports about itself, enforced module signatures, a Rust
# livepatch applied, listed and removed with klp under lockdown, and, last (it
# leaves the kernel with a report), the kCFI canary. DIR holds the signed
# modules (modules/) and klp. Prints "TEST: <name> ... ok|not ok", details
# indented after a failure; exits 0.
set -u
. "$(dirname "$0")/../tools/testing/selftests/livepatch/kernel_reports.sh"
. "$(dirname "$0")/module-signature.sh"
DIR=$1
M=$DIR/modules
KLP=$DIR/klp

fail_details=""
result() {
	local name=$1 ok=$2
	if [ "$ok" = 0 ]; then
		echo "TEST: $name ... ok"
	else
		echo "TEST: $name ... not ok"
		[ -z "$fail_details" ] || printf '%s\n' "$fail_details" | sed 's/^/    /'
	fi
	fail_details=""
}
# check NAME COMMAND: a test whose command's output is shown on failure.
check() {
	local name=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	fail_details=$out
	result "$name" $rc
}
# dmesg_since MARK: the kernel messages after the line MARK.
mark() { echo "production: $1" >/dev/kmsg; }
dmesg_since() { dmesg | sed -n "/production: $1\$/,\$p" | sed 1d; }

mountpoint -q /sys/kernel/security || mount -t securityfs none /sys/kernel/security
echo "Kernel: $(uname -r)"
echo "Mitigations the kernel reports (/sys/devices/system/cpu/vulnerabilities):"
grep -H . /sys/devices/system/cpu/vulnerabilities/* | sed 's|^/sys/devices/system/cpu/vulnerabilities/|    |'
echo "Hardening in the boot log:"
dmesg | grep -v 'ommand line: ' |
	grep -E 'Spectre|Retbleed|mitigat|Kernel/User page tables|CET|IBT|CFI|call depth|lockdown|Lockdown|KASLR|x509|Loaded X.509 cert' |
	sed 's/^\[[ 0-9.]*\] /    /' | head -30
[ ! -r /sys/kernel/security/lockdown ] || echo "Lockdown: $(cat /sys/kernel/security/lockdown)"

# Without securityfs (the lab kernel has none) the kernel says it at boot, and
# refuses what integrity lockdown refuses: writable debugfs files.
check "the kernel is locked down (lockdown=integrity): it says so at boot" \
	bash -c "dmesg | grep -q 'Kernel is locked down from command line'"
mark debugfs
check "lockdown refuses a write to debugfs ('debugfs access is restricted')" bash -c \
	"! (echo -n > /sys/kernel/debug/dynamic_debug/control) 2>/dev/null && dmesg | sed -n '/production: debugfs\$/,\$p' | grep -q 'debugfs access is restricted'"
check "the kernel enforces module signatures (/sys/module/module/parameters/sig_enforce)" \
	grep -qx Y /sys/module/module/parameters/sig_enforce

# Signatures: the signed module loads; without its signature, or with one byte
# changed after signing, the kernel refuses it.
mod=$M/test_klp_rust_target.ko
mark signed
check "a signed Rust module loads" bash -c "insmod $mod && rmmod test_klp_rust_target"
cp "$mod" /tmp/unsigned.ko
strip_signature /tmp/unsigned.ko
cp "$mod" /tmp/changed.ko
# One byte of .modinfo's description text (not the signature): still an ELF module.
off=$(grep -abo 'description=' /tmp/changed.ko | head -1 | cut -d: -f1)
printf 'D' | dd of=/tmp/changed.ko bs=1 seek="$off" conv=notrunc status=none
mark unsigned
check "the same module without its signature is refused (EKEYREJECTED)" bash -c \
	"! insmod /tmp/unsigned.ko 2>/tmp/err && grep -q 'Key was rejected by service' /tmp/err"
check "the kernel says why: 'Loading of unsigned module is rejected'" bash -c \
	"dmesg | sed -n '/production: unsigned\$/,\$p' | grep -q 'Loading of unsigned module is rejected'"
mark changed
check "the module with one byte changed after signing is refused (EKEYREJECTED)" bash -c \
	"! insmod /tmp/changed.ko 2>/tmp/err && grep -q 'Key was rejected by service' /tmp/err"
# klp's answers to these (one line, exit status 10) and klp info's signer: test-rust-klp.sh.

# A Rust livepatch under lockdown, with klp.
check "klp load applies the Rust livepatch sample under lockdown" \
	bash -c "$KLP load $M/livepatch_sample.ko && grep -q 'this has been live patched' /proc/cmdline"
check "klp list shows it enabled" bash -c "$KLP list | tee /dev/stderr | grep -q livepatch_sample"
check "klp unload removes it" bash -c "$KLP unload livepatch_sample && ! grep -q 'live patched' /proc/cmdline && ! grep -q '^livepatch_sample ' /proc/modules"

dmesg >/tmp/dmesg
fail_details=$(kernel_report_excerpt /tmp/dmesg)
result "no kernel report before the canary" "$([ "$(kernel_report_count /tmp/dmesg)" = 0 ]; echo $?)"

# The kCFI canary, last: the well-typed call runs, the mistyped one is trapped.
mark canary0
check "kCFI canary case=0: the well-typed work function runs" bash -c \
	"insmod $M/test_klp_rust_cfi_canary.ko case=0 && sleep 1 && rmmod test_klp_rust_cfi_canary && dmesg | sed -n '/production: canary0\$/,\$p' | grep -q 'well-typed work function ran'"
mark canary1
insmod "$M/test_klp_rust_cfi_canary.ko" case=1
sleep 2
out=$(dmesg_since canary1)
fail_details=$out
! grep -q 'kCFI did not check' <<<"$out" && grep -q 'CFI failure at ' <<<"$out"
result "kCFI canary case=1: the mistyped work function is refused with a CFI failure report" $?
echo "The canary's report:"
grep -A3 'CFI failure at ' <<<"$out" | sed 's/^\[[ 0-9.]*\] /    /'
exit 0
