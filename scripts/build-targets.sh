#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# build-targets.sh KDIR DIR: the C target modules of the Rust livepatches that the
# kernel build does not provide, built out of tree against KDIR, each group in its
# own subdirectory of DIR, for tools/klp-elf to check replacement functions and
# klp_extern! declarations against (it searches DIR recursively for <module>.mod
# and reads the objects' .cmd files: the Kbuild outputs stay in place):
#
#   DIR/selftests/         the selftests' C test_klp_callbacks_busy: loaded nowhere (its
#                          Rust port is), but the C definitions of busymod_work_func()
#                          and `static bool block_transition` that the Rust livepatches'
#                          replacements and klp_extern! declarations are checked against;
#                          the port keeps those C types (StaticWork runs only an
#                          `extern "C" fn(*mut work_struct)`; its #[no_mangle]
#                          block_transition is a Param<bool>, laid out as a C bool)
#   DIR/macvlan-6.12.115/  macvlan.ko from Debian's linux-source-6.12 6.12.115-2~deb12u1,
#                          before "macvlan: fix passthru promiscuity accounting while
#                          down" (6.12.117), the target of livepatch-macvlan-fix.ko
#   DIR/dummy/             dummy.ko, the lower device of the macvlan tests
#
# The old macvlan.c is fetched once (apt-get download of the old linux-source
# package, ~150 MB, deleted once the one file is extracted) and kept in
# $LAB_CACHE/src/linux-source-6.12.115/. Each subdirectory is rebuilt only when
# missing, older than the kernel's vmlinux, or built from other sources.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
kdir=$1 dir=$2

OLD_VERSION=6.12.115-2~deb12u1
OLD_SRC=$LAB_CACHE/src/linux-source-6.12.115
OLD_MACVLAN=$OLD_SRC/drivers/net/macvlan.c

# Before the subdirectories, DIR held test_klp_callbacks_busy itself: start afresh.
[ ! -f "$dir/.built" ] || rm -rf "$dir"
mkdir -p "$dir"

# fetch_old_macvlan: $OLD_MACVLAN, from the linux-source-6.12 package $OLD_VERSION.
fetch_old_macvlan() {
	local t0 tmp deb
	[ ! -s "$OLD_MACVLAN" ] || return 0
	step "Fetching drivers/net/macvlan.c of linux-source-6.12 $OLD_VERSION (apt-get download, ~150 MB)"
	t0=$(now)
	tmp=$(mktemp -d "$LAB_CACHE/src/.old-source.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	if ! apt-cache show "linux-source-6.12=$OLD_VERSION" >/dev/null 2>&1; then
		apt-get update -qq || die "apt-get update failed"
	fi
	(cd "$tmp" && apt-get download -q "linux-source-6.12=$OLD_VERSION") >"$tmp/apt.log" 2>&1 ||
		{ tail -20 "$tmp/apt.log" >&2; die "apt-get download linux-source-6.12=$OLD_VERSION failed"; }
	deb=$(ls "$tmp"/linux-source-6.12_*.deb) || die "apt-get download left no .deb in $tmp"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/src/linux-source-6.12.tar.xz |
		tar -xJO linux-source-6.12/drivers/net/macvlan.c >"$tmp/macvlan.c" ||
		die "extracting drivers/net/macvlan.c from $deb failed"
	# The old code: the passthru promiscuity condition without netif_running().
	grep -q 'if (macvlan_passthru(vlan->port) && promisc) {' "$tmp/macvlan.c" ||
		die "$deb: drivers/net/macvlan.c does not have the unfixed macvlan_changelink()"
	mkdir -p "${OLD_MACVLAN%/*}"
	mv "$tmp/macvlan.c" "$OLD_MACVLAN"
	rm -rf "$tmp"
	trap - EXIT
	echo "(fetched and extracted in $(($(now) - t0)) s: $OLD_MACVLAN; the .deb is deleted)" >&2
}

# up_to_date SUB KEY: SUB was built against this vmlinux from the sources KEY names.
up_to_date() {
	[ -f "$dir/$1/.built" ] && [ "$dir/$1/.built" -nt "$kdir/vmlinux" ] &&
		[ "$(cat "$dir/$1/.built")" = "$2" ]
}

# build_module SUB KBUILD SRC...: a fresh DIR/SUB with the sources SRC... and the
# Kbuild text KBUILD, built against KDIR (log: DIR/SUB/build.log).
build_module() {
	local sub=$dir/$1 kbuild=$2
	shift 2
	rm -rf "$sub" && mkdir -p "$sub" && cp "$@" "$sub"/ && echo "$kbuild" >"$sub/Kbuild" &&
		make -s -C "$kdir" M="$sub" "${KMAKE_FLAGS[@]}" modules >"$sub/build.log" 2>&1 ||
		{ tail -20 "$sub/build.log" >&2; die "building $sub failed"; }
}

# Signed as built (scripts/sign-modules.sh: on a kernel with CONFIG_MODULE_SIG).
sign() {
	bash "$LAB_ROOT/scripts/sign-modules.sh" "$kdir" "$1"/*.ko || die "signing the modules of $1 failed"
}

# The selftests' C module (build_c_test_modules empties its directory).
mods="test_klp_callbacks_busy"
key="$mods $(sha256sum <"$KSELFTEST/test_modules/test_klp_callbacks_busy.c" | cut -c1-16)"
if ! up_to_date selftests "$key"; then
	step "Building the C target modules ($mods) in $dir/selftests"
	build_c_test_modules "$kdir" "$dir/selftests" $mods ||
		{ tail -20 "$dir/selftests/build.log" >&2; die "building $mods failed"; }
	echo "$key" >"$dir/selftests/.built"
fi

# macvlan.ko before the fix. CONFIG_MACVLAN is not set in the lab kernel: without
# CONFIG_MACVLAN_MODULE, <linux/if_macvlan.h> stubs macvlan_dev_real_dev() with BUG().
fetch_old_macvlan
kbuild="obj-m += macvlan.o
ccflags-y += -DCONFIG_MACVLAN_MODULE=1"
key="$kbuild $(sha256sum <"$OLD_MACVLAN" | cut -c1-16)"
if ! up_to_date macvlan-6.12.115 "$key"; then
	step "Building macvlan.ko of linux-source-6.12 $OLD_VERSION (before the fix) in $dir/macvlan-6.12.115"
	build_module macvlan-6.12.115 "$kbuild" "$OLD_MACVLAN"
	sign "$dir/macvlan-6.12.115"
	echo "$key" >"$dir/macvlan-6.12.115/.built"
fi

# dummy.ko, the lower device, from the lab kernel's source.
kbuild="obj-m += dummy.o"
key="$kbuild $(sha256sum <"$KSRC/drivers/net/dummy.c" | cut -c1-16)"
if ! up_to_date dummy "$key"; then
	step "Building dummy.ko in $dir/dummy"
	build_module dummy "$kbuild" "$KSRC/drivers/net/dummy.c"
	sign "$dir/dummy"
	echo "$key" >"$dir/dummy/.built"
fi
