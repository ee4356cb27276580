#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build (or reuse) the lab kernel: linux-source-6.12 (with the patches of
# scripts/config/$KERNEL/*.patch, if any) configured from tinyconfig plus
# scripts/config/*.config and scripts/config/$KERNEL/*.config, in a cache
# directory keyed by a content hash.
# Prints nothing on stdout but, with --print-dir, the build directory.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

bash "$LAB_ROOT/scripts/deps.sh" >&2

KOUT=$(kernel_dir)
# One build of a kernel at a time: a second caller waits for the first instead
# of starting over in the same directory.
exec 9>"$KOUT.lock"
if ! flock -n 9; then
	step "Waiting for another build of the $KERNEL kernel to finish"
	flock 9
fi
if [ -f "$KOUT/.lab-complete" ]; then
	[ "${1:-}" = --print-dir ] && echo "$KOUT"
	exit 0
fi

if ! [ -f "$KSRC/.lab-extracted" ]; then
	step "Extracting $KSRC_TAR (about 30 seconds)"
	rm -rf "$KSRC"
	mkdir -p "$LAB_CACHE/src"
	tar -C "$LAB_CACHE/src" -xf "$KSRC_TAR"
	touch "$KSRC/.lab-extracted"
fi

# A kernel with patches (scripts/config/$KERNEL/*.patch) builds from a copy of
# the source with them applied: hard links, but for the files they change,
# which are copied first, so that $KSRC stays as the package has it.
SRC=$(kernel_src)
if [ "$SRC" != "$KSRC" ] && ! [ -f "$SRC/.lab-patched" ]; then
	step "Applying $(kernel_patches | xargs -n1 basename | tr '\n' ' ')to a copy of the source in $SRC"
	rm -rf "$SRC"
	cp -al "$KSRC" "$SRC"
	rm -f "$SRC/.lab-extracted"
	for p in $(kernel_patches); do
		for f in $(sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$p"); do
			cp --remove-destination "$KSRC/$f" "$SRC/$f"
		done
		patch -s -p1 -d "$SRC" <"$p" || die "$p does not apply to linux-source-6.12"
	done
	touch "$SRC/.lab-patched"
fi

step "Configuring the $KERNEL kernel in $KOUT (tinyconfig + $(kernel_fragments | sed "s|$LAB_ROOT/||" | tr "\n" " "))"
rm -rf "$KOUT"
mkdir -p "$KOUT"
# tinyconfig is allnoconfig with tiny-base.config, then tiny.config; we add
# our fragments to the same allnoconfig so that they win.
cat "$KSRC/kernel/configs/tiny-base.config" "$KSRC/kernel/configs/tiny.config" \
	"$KSRC/arch/x86/configs/tiny.config" $(kernel_fragments) \
	| grep -v '^CONFIG_UNWINDER_GUESS' >"$KOUT/lab.config"
make -s -C "$SRC" O="$KOUT" "${KMAKE_FLAGS[@]}" KCONFIG_ALLCONFIG="$KOUT/lab.config" allnoconfig >&2
# Every option a fragment asks for must have survived Kconfig's dependencies.
bad=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*) grep -qx "$line" "$KOUT/.config" || { echo "config: wanted $line, got: $(grep "^${line%%=*}=" "$KOUT/.config" || echo unset)" >&2; bad=1; } ;;
	"# CONFIG_"*" is not set") ! grep -q "^${line:2:$((${#line} - 13))}=" "$KOUT/.config" || { echo "config: wanted $line" >&2; bad=1; } ;;
	esac
done < <(cat $(kernel_fragments) | 
	# a later fragment overrides an earlier one for the same option
	awk 'match($0, /^(# )?CONFIG_[A-Za-z0-9_]+/) { k = substr($0, RSTART, RLENGTH); sub(/^# /, "", k); want[k] = $0 } END { for (k in want) print want[k] }')
[ $bad = 0 ] || die "the kernel configuration lost options the fragments require"

step "Building the $KERNEL kernel, Linux 6.12 with Rust (cold build: about 9 minutes on 2 cores; log: $KOUT/build.log)"
t0=$(now)
make -C "$SRC" O="$KOUT" "${KMAKE_FLAGS[@]}" -j"$JOBS" bzImage modules >"$KOUT/build.log" 2>&1 &
pid=$!
# About 1200 objects in all: report progress every 30 seconds.
while kill -0 $pid 2>/dev/null; do
	for _ in $(seq 30); do kill -0 $pid 2>/dev/null || break; sleep 1; done
	kill -0 $pid 2>/dev/null || break
	printf '    %4d s: %d objects built, now: %s\n' "$(($(now) - t0))" \
		"$(grep -cE '^  (CC|RUSTC|AS|LD)' "$KOUT/build.log")" "$(tail -1 "$KOUT/build.log" | cut -c1-60)" >&2
done
if ! wait $pid; then
	tail -40 "$KOUT/build.log" >&2
	die "kernel build failed (full log: $KOUT/build.log)"
fi
touch "$KOUT/.lab-complete"
step "Kernel built in $(($(now) - t0)) s"
[ "${1:-}" = --print-dir ] && echo "$KOUT"
exit 0
