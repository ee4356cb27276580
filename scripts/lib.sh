# SPDX-License-Identifier: GPL-2.0
# Shared settings for the lab scripts (sourced, not run).
LAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The cache: toolchain installs, kernel source and builds. Not under /var/cache,
# which the virtme-ng guest replaces with an empty tmpfs.
LAB_CACHE=${LAB_CACHE:-/opt/rust-livepatch}
mkdir -p "$LAB_CACHE"
# The one directory the VM guest may write to (with --rwdir). It must not be
# inside $LAB_CACHE: the guest sees an --rwdir's parent as an empty directory.
LAB_VMDIR=${LAB_VMDIR:-/var/tmp/rust-livepatch-vm}
mkdir -p "$LAB_VMDIR"
BINDGEN=$LAB_CACHE/cargo/bin/bindgen
# tools/klp-elf, built by `make tools` (and `make modules`).
export KLP_ELF=${KLP_ELF:-$LAB_CACHE/klp-elf/release/klp-elf}
# tools/klp, the klp command (make tools), run in the VM by test-rust-klp.sh.
export KLP=${KLP:-$LAB_CACHE/klp/release/klp}
VNG=$LAB_CACHE/venv/bin/vng
KSRC_TAR=/usr/src/linux-source-6.12.tar.xz
export PATH="$LAB_CACHE/cargo/bin:$LAB_CACHE/venv/bin:$PATH"

step() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The toolchain that builds kernel Rust code: Debian's rustc-web, never the
# rustup proxies that come first in PATH.
KMAKE_FLAGS=(LLVM=-19 RUSTC=/usr/bin/rustc RUSTFMT=/usr/bin/rustfmt
	RUSTDOC=/usr/bin/rustdoc CLIPPY_DRIVER=/usr/bin/clippy-driver
	BINDGEN="$BINDGEN" RUST_LIB_SRC=/usr/src/rustc-1.96.0/library)
JOBS=${JOBS:-$(($(nproc) + 1))}

# Bump when scripts/kernel.sh changes how the kernel is configured or built.
KERNEL_RECIPE=1

# KERNEL picks the lab kernel: "lab" (default) or "debug" (the same plus
# KASAN, kmemleak, lockdep and the other checkers of scripts/config/debug/).
KERNEL=${KERNEL:-lab}
case $KERNEL in
lab | debug) ;;
*) echo "error: KERNEL=$KERNEL: expected lab or debug" >&2; exit 1 ;;
esac
export KERNEL

# kernel_fragments: the config fragments of $KERNEL, in the order they apply.
kernel_fragments() {
	ls "$LAB_ROOT"/scripts/config/*.config
	ls "$LAB_ROOT/scripts/config/$KERNEL"/*.config
}

# kernel_patches: the patches $KERNEL's source gets (scripts/config/$KERNEL/*.patch),
# in the order they apply; none for most kernels.
kernel_patches() {
	ls "$LAB_ROOT/scripts/config/$KERNEL"/*.patch 2>/dev/null || true
}

# kernel_src: the source tree $KERNEL is built from: $KSRC, or, for a kernel
# with patches, a copy of it (hard links; the patched files copied) with them
# applied, keyed by their content (scripts/kernel.sh makes it).
kernel_src() {
	local patches
	patches=$(kernel_patches)
	if [ -z "$patches" ]; then
		echo "$KSRC"
	else
		echo "$KSRC-$KERNEL-$(cat $patches | sha256sum | cut -c1-12)"
	fi
}

# kernel_key: a hash of everything that shapes the kernel build.
kernel_key() {
	local patches
	patches=$(kernel_patches)
	{
		echo "recipe $KERNEL_RECIPE ${KMAKE_FLAGS[*]}"
		dpkg-query -W -f='${Version}\n' linux-source-6.12
		cat $(kernel_fragments)
		[ -z "$patches" ] || cat $patches
		/usr/bin/rustc --version
		clang-19 --version | head -1
		"$BINDGEN" --version
	} | sha256sum | cut -c1-16
}

# kernel_dir: the build directory of the cached kernel for this key.
kernel_dir() {
	if [ "$KERNEL" = lab ]; then
		echo "$LAB_CACHE/kernel-$(kernel_key)"
	else
		echo "$LAB_CACHE/kernel-$KERNEL-$(kernel_key)"
	fi
}
KSRC=$LAB_CACHE/src/linux-source-6.12

# The upstream livepatch selftests, taken unmodified from the kernel tarball.
KSELFTEST=$KSRC/tools/testing/selftests/livepatch
UPSTREAM_SCRIPTS="test-livepatch.sh test-callbacks.sh test-shadow-vars.sh test-state.sh test-ftrace.sh test-sysfs.sh test-syscall.sh"

# upstream_rundir DIR: a fresh directory to run the upstream scripts in: their
# functions.sh, test-*.sh and settings, an empty test_modules/, and
# test_klp-call_getpid, the user-space helper test-syscall.sh runs, built from
# the tarball's source as the selftests' Makefile does (TEST_GEN_FILES).
upstream_rundir() {
	rm -rf "$1" && mkdir -p "$1/test_modules" &&
		cp "$KSELFTEST"/functions.sh "$KSELFTEST"/test-*.sh "$KSELFTEST"/settings "$1"/ &&
		cc -O2 -Wall -o "$1/test_klp-call_getpid" "$KSELFTEST/test_klp-call_getpid.c"
}

# build_c_test_modules KDIR DIR NAME...: builds the tarball's C test modules
# NAME... out of tree against KDIR, in a fresh DIR (log: DIR/build.log), signed
# (scripts/sign-modules.sh).
build_c_test_modules() {
	local kdir=$1 dir=$2 m
	shift 2
	rm -rf "$dir" && mkdir -p "$dir" || return
	for m; do
		cp "$KSELFTEST/test_modules/$m.c" "$dir/" || return
		echo "obj-m += $m.o"
	done >"$dir/Kbuild"
	make -s -C "$kdir" M="$dir" "${KMAKE_FLAGS[@]}" modules >"$dir/build.log" 2>&1 &&
		bash "$LAB_ROOT/scripts/sign-modules.sh" "$kdir" "$dir"/*.ko >>"$dir/build.log" 2>&1
}

# now: seconds since the epoch, for "took N s" messages.
now() { date +%s; }
