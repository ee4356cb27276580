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

rundir=$1; shift
cd "$rundir" || exit 1
for script in "$@"; do
	start=$(date +%s.%N)
	timeout --kill-after=10 "${SCRIPT_TIMEOUT:-400}" bash "./$script"
	rc=$?
	end=$(date +%s.%N)
	echo
	printf 'SCRIPT %s exit %d %.1fs\n' "$script" "$rc" "$(echo "$end - $start" | bc)"
done
