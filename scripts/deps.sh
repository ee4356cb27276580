#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install what the lab needs: Debian packages, bindgen-cli from crates.io and
# virtme-ng from PyPI in a venv. Idempotent: a second run checks and returns.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PKGS="linux-source-6.12 rustc-web rust-web-src cargo-web rustfmt-web rust-web-clippy
clang-19 lld-19 llvm-19 libclang-19-dev bc bison flex libelf-dev libssl-dev cpio kmod
dwarves qemu-system-x86 python3-venv make gcc libc6-dev xz-utils busybox-static"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	step "Installing Debian packages:$missing (about 2-4 minutes)"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends $missing >"$LAB_CACHE/apt.log" 2>&1 ||
		{ tail -30 "$LAB_CACHE/apt.log"; die "apt-get install failed"; }
fi

if ! "$BINDGEN" --version 2>/dev/null | grep -q "0.71.1"; then
	step "Installing bindgen-cli 0.71.1 from crates.io (about 1.5 minutes)"
	mkdir -p "$LAB_CACHE/cargo"
	RUSTUP_TOOLCHAIN= cargo install --locked --quiet --root "$LAB_CACHE/cargo" bindgen-cli@0.71.1 \
		>"$LAB_CACHE/bindgen.log" 2>&1 || { tail -30 "$LAB_CACHE/bindgen.log"; die "cargo install bindgen-cli failed"; }
fi

if ! [ -x "$VNG" ]; then
	step "Installing virtme-ng 1.42 from PyPI into $LAB_CACHE/venv (about 30 seconds)"
	python3 -m venv "$LAB_CACHE/venv"
	"$LAB_CACHE/venv/bin/pip" install -q 'virtme-ng==1.42' >"$LAB_CACHE/pip.log" 2>&1 ||
		{ tail -30 "$LAB_CACHE/pip.log"; die "pip install virtme-ng failed"; }
fi
