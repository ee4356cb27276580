#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run_tests.sh RUNDIR SCRIPT...: run livepatch selftest scripts inside the VM.
#
# RUNDIR holds the upstream scripts and functions.sh, copied unmodified from the
# kernel tarball, our own test-rust-*.sh, and test_modules/ with the modules
# under test. Each script runs from RUNDIR (functions.sh loads
# test_modules/<name>.ko) with a time limit; its "TEST: ... ok" lines are
# printed as they come, followed by "SCRIPT <name> exit <status> <seconds>s".
#
# Kernel reports (kernel_reports.sh) are checked at boot, before the first
# script, and after each script: the kernel messages since it started and, if
# the kernel has kmemleak, the leak suspects of a scan. Each check prints
# "REPORTS <boot|script> <count>", then the start of each report indented by
# four spaces, then an empty line; RUNDIR/reports/<boot|script>.{dmesg,kmemleak}
# keep everything.

. "$(dirname "$0")/kernel_reports.sh" || exit 1
rundir=$1; shift
cd "$rundir" || exit 1
rm -rf reports && mkdir reports || exit 1

# check_reports LABEL MARK: the kernel reports since the kernel message MARK
# (all messages if MARK is empty or no longer in the log buffer).
check_reports() {
	local label=$1 mark=$2 log=reports/$1.dmesg leaks=reports/$1.kmemleak
	kmemleak_suspects >"$leaks"
	dmesg >reports/all
	if [ -n "$mark" ] && grep -qF -- "$mark" reports/all; then
		awk -v m="$mark" 'p; index($0, m) { p = 1 }' reports/all >"$log"
	else
		cp reports/all "$log"
	fi
	rm -f reports/all
	echo "REPORTS $label $(kernel_report_count "$log" "$leaks")"
	kernel_report_excerpt "$log" "$leaks" | sed 's/^/    /'
	echo
}

check_reports boot ""
n=0
for script in "$@"; do
	n=$((n + 1))
	mark="run_tests.sh: $n $script"
	echo "$mark" >/dev/kmsg
	start=$(date +%s.%N)
	timeout --kill-after=10 "${SCRIPT_TIMEOUT:-400}" bash "./$script"
	rc=$?
	end=$(date +%s.%N)
	echo
	printf 'SCRIPT %s exit %d %.1fs\n' "$script" "$rc" "$(echo "$end - $start" | bc)"
	check_reports "$script" "$mark"
done
