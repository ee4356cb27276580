#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# build-targets.sh KDIR DIR: the C target modules of the Rust livepatches that the
# kernel build does not provide, built out of tree against KDIR in DIR, for
# tools/klp-elf to check replacement functions and klp_extern! declarations
# against (it reads their .cmd and .mod files): the selftests' C
# test_klp_callbacks_busy. Rebuilt only when missing or older than the
# kernel's vmlinux.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
kdir=$1 dir=$2
mods="test_klp_callbacks_busy"
stamp=$dir/.built
if [ -f "$stamp" ] && [ "$stamp" -nt "$kdir/vmlinux" ] && [ "$(cat "$stamp")" = "$mods" ]; then
	exit 0
fi
step "Building the C target modules ($mods) in $dir"
build_c_test_modules "$kdir" "$dir" $mods || { tail -20 "$dir/build.log"; die "building $mods failed"; }
echo "$mods" >"$stamp"
