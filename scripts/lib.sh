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

# kernel_key: a hash of everything that shapes the kernel build.
kernel_key() {
	{
		echo "recipe $KERNEL_RECIPE ${KMAKE_FLAGS[*]}"
		dpkg-query -W -f='${Version}\n' linux-source-6.12
		cat "$LAB_ROOT"/scripts/config/*.config
		/usr/bin/rustc --version
		clang-19 --version | head -1
		"$BINDGEN" --version
	} | sha256sum | cut -c1-16
}

# kernel_dir: the build directory of the cached kernel for this key.
kernel_dir() { echo "$LAB_CACHE/kernel-$(kernel_key)"; }
KSRC=$LAB_CACHE/src/linux-source-6.12

# now: seconds since the epoch, for "took N s" messages.
now() { date +%s; }
