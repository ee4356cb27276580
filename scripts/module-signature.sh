#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Sourced by scripts/sign-modules.sh (host) and scripts/production-guest.sh
# (VM): the signature scripts/sign-file appends to a module.
#
# <module><PKCS#7, sig_len bytes><struct module_signature, 12 bytes, sig_len
# big-endian last><"~Module signature appended~\n">
# (include/linux/module_signature.h).

MODULE_SIG_MAGIC='~Module signature appended~'

# strip_signature KO: removes KO's appended signature, if it has one.
strip_signature() {
	local ko=$1 size sig_len
	size=$(stat -c %s "$ko")
	[ "$size" -gt 40 ] && tail -c 28 "$ko" | grep -qax -- "$MODULE_SIG_MAGIC" || return 0
	sig_len=$(tail -c 32 "$ko" | head -c 4 | od -An -tu1 | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
	truncate -s $((size - 40 - sig_len)) "$ko"
}
