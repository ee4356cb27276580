#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The guest side of `make bench`: bench-guest.sh LOOP OUT LABEL=KO...
# ns per getpid() (LOOP: scripts/getpid-loop.c), BENCH_ROUNDS rounds (5) of
# BENCH_CALLS calls (200000): unpatched, then with each test_klp_syscall module
# KO loaded, in turn. Prints each round and the best; writes "LABEL BEST" lines
# to OUT. The modules get klp_pids=1: init never calls getpid(), so npids stays
# 1 and every call runs the replacement's whole check (the C one under its
# mutex); the core's transition does not wait for klp_pids, only the test's
# npids counter does. npids is checked to be still 1 after the rounds.
set -euo pipefail
loop=$1 out=$2
shift 2
N=${BENCH_CALLS:-200000} ROUNDS=${BENCH_ROUNDS:-5}
P=/sys/kernel/livepatch/test_klp_syscall
wait_for() { # wait_for CMD...: until CMD succeeds, at most 60 s
	local i
	for ((i = 0; i < 600; i++)); do "$@" && return; sleep 0.1; done
	echo "bench-guest: timed out waiting for: $*" >&2
	exit 1
}
transition_done() { [ "$(cat $P/transition)" = 0 ]; }
rounds() { # rounds LABEL
	local i r all=()
	for ((i = 0; i < ROUNDS; i++)); do
		r=$("$loop" "$N")
		all+=("$r")
	done
	r=$(printf '%s\n' "${all[@]}" | sort -n | head -1)
	printf '%-10s %s   best %s\n' "$1" "${all[*]}" "$r"
	echo "$1 $r" >>"$out"
}
: >"$out"
echo "virtual ns per getpid(), $ROUNDS rounds of $N calls:"
rounds unpatched
for v; do
	insmod "${v#*=}" klp_pids=1
	wait_for transition_done
	rounds "${v%%=*}"
	npids=$(cat /sys/kernel/test_klp_syscall/npids)
	echo 0 >$P/enabled
	wait_for test ! -e $P
	rmmod test_klp_syscall
	[ "$npids" = 1 ] || { echo "bench-guest: ${v%%=*}: npids $npids after the rounds, expected 1" >&2; exit 1; }
done
