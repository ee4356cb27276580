#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# sign-modules.sh KDIR MODULE.ko...: signs each module for the kernel built in
# KDIR, as `make modules_install` signs in-tree modules
# (Documentation/admin-guide/module-signing.rst): scripts/sign-file with the
# hash of CONFIG_MODULE_SIG_HASH and the kernel's own key, certs/signing_key.pem
# and its certificate certs/signing_key.x509, or the key and certificate given
# in SIGN_KEY and SIGN_CERT (a PKCS#11 URI or a PEM file holding the key;
# the certificate in PEM or DER), whose certificate the kernel must trust.
#
# A module is signed after its last edit: a signature already there (from an
# earlier build) is removed first, so signing again gives one signature.
# On a kernel without CONFIG_MODULE_SIG, does nothing.
set -euo pipefail
KDIR=$1
shift
grep -qx 'CONFIG_MODULE_SIG=y' "$KDIR/.config" || exit 0
hash=$(sed -n 's/^CONFIG_MODULE_SIG_HASH="\(.*\)"$/\1/p' "$KDIR/.config")
key=${SIGN_KEY:-$KDIR/certs/signing_key.pem}
cert=${SIGN_CERT:-$KDIR/certs/signing_key.x509}
for f in "$KDIR/scripts/sign-file" "$cert"; do
	[ -e "$f" ] || { echo "sign-modules.sh: $f: missing" >&2; exit 1; }
done
case $key in
pkcs11:*) ;;
*) [ -e "$key" ] || { echo "sign-modules.sh: $key: missing" >&2; exit 1; } ;;
esac

. "$(dirname "$0")/module-signature.sh"
for ko; do
	strip_signature "$ko"
	"$KDIR/scripts/sign-file" "$hash" "$key" "$cert" "$ko"
done
