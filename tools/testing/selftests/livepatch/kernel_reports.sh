#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Kernel reports: the kernel messages that mean the kernel found a bug, by
# itself (BUG, WARN, Oops, kCFI on the lab kernel) or with the checkers of the debug lab kernel (KASAN,
# UBSAN, lockdep, RCU checks, atomic-sleep checks, debugobjects, DEBUG_LIST,
# kmemleak). Sourced by run_tests.sh in the VM, and by scripts/check.sh, which
# tests the patterns on recorded logs (scripts/testdata/kernel-reports/).

# One extended regular expression (grep -E) per kind of report. A bare "Call
# Trace:" is not one: the kernel prints stacks on request too.
KERNEL_REPORT_PATTERNS=(
	'BUG:'				# BUG: KASAN: ..., BUG: sleeping function ..., BUG: unable to handle ...
	'WARNING:'			# WARN(); lockdep's and RCU's reports start with it too
	'kernel BUG at'			# BUG(), also after a Rust panic
	'Oops: '
	'general protection fault'
	'CFI failure at'		# kCFI: an indirect call through a mistyped pointer
	'KASAN'
	'UBSAN'
	'possible recursive locking'
	'inconsistent lock state'
	'circular locking dependency'
	'sleeping function called from invalid context'
	'list_(add|del) corruption'
	'ODEBUG: .*object type'		# debugobjects: free active, init active, ...
	'RCU used illegally'
	'suspicious RCU usage'
	'Kernel panic'
	'panicked at'			# a Rust panic
	'unreferenced object'		# a kmemleak suspect (read from debugfs)
	'Kernel memory leak detector disabled'
	'kmemleak: scan failed'		# written by kmemleak_suspects below
)

kernel_report_regex() {
	local IFS='|'
	echo "${KERNEL_REPORT_PATTERNS[*]}"
}

# kernel_report_count FILE...: the number of report lines in the kernel
# messages in FILE...
kernel_report_count() {
	cat "$@" | grep -cE "$(kernel_report_regex)"
}

# kernel_report_excerpt FILE...: each report line in FILE... and the 15 lines
# that follow it, without register and code dumps (the start of the report and
# of its call trace), at most 150 lines in all.
kernel_report_excerpt() {
	cat "$@" | grep -vE '(Code: |R(SP|AX|DX|BP|10|13): |[FC]S: |CR2: |DR[0-9]: |PKRU: |\] +\? )' |
		grep -E -A15 "$(kernel_report_regex)" | head -n 150
}

# kmemleak_suspects: if the kernel has kmemleak, scan for leaks and print the
# suspects, then forget them (the next scan starts clean). Objects younger
# than 5 s are never reported: wait first. If the scan finds suspects, a
# second one drops those whose only reference was in flight (kmemleak's
# advice); a clean scan is not repeated (a scan takes ~7 s under TCG).
kmemleak_suspects() {
	local f=/sys/kernel/debug/kmemleak
	[ -e "$f" ] || return 0
	sleep 6
	{ echo scan >"$f"; } 2>/dev/null || echo "kmemleak: scan failed"
	if grep -q . "$f"; then
		{ echo scan >"$f"; } 2>/dev/null || echo "kmemleak: scan failed"
	fi
	cat "$f"
	echo clear >"$f"
}
