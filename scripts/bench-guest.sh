#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The guest side of `make bench`: ns per read of /proc/cmdline (open, read,
# close, from bash without forking), 3 rounds of N reads for each variant.
set -eu
dir=$1 N=${BENCH_READS:-2000}
P=/sys/kernel/livepatch/livepatch_sample
per_read() {
	local t0 t1 l
	t0=$(date +%s%N)
	for ((i = 0; i < N; i++)); do read -r l </proc/cmdline; done
	t1=$(date +%s%N)
	echo $(((t1 - t0) / N))
}
rounds() { echo "$(per_read) $(per_read) $(per_read)"; }
patched() { # patched KO: rounds with the livepatch applied
	insmod "$1"
	while [ "$(cat $P/transition)" != 0 ]; do sleep 0.1; done
	[ "$(head -c 26 /proc/cmdline)" = "this has been live patched" ] || { echo "not patched" >&2; exit 1; }
	rounds
	echo 0 >$P/enabled
	while [ -e $P ]; do sleep 0.1; done
	rmmod livepatch_sample
}
printf '%-24s %s\n' "variant" "ns per read, 3 rounds of $N"
printf '%-24s %s\n' "unpatched" "$(rounds)"
printf '%-24s %s\n' "C livepatch-sample" "$(patched "$dir/c-livepatch-sample.ko")"
printf '%-24s %s\n' "Rust livepatch-sample" "$(patched "$dir/rust-livepatch-sample.ko")"
