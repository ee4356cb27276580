#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# rustc-fentry.sh KLP_ELF PREFIX COMPILER ARGS...: runs the Rust compiler (rustc or
# clippy-driver, as Kbuild's RUSTC_OR_CLIPPY), then `KLP_ELF fentry --prefix PREFIX` on the
# object it wrote (--emit=obj=OBJ): the function entries of
# -Zpatchable-function-entry=PREFIX+5,PREFIX become `call __fentry__`, before objtool,
# which Kbuild runs next in the same command (cmd_rustc_o_rs of scripts/Makefile.build), records
# and NOPs them as for C. Used by `klp_fentry` in Kbuild.
set -e
klp_elf=$1
prefix=$2
shift 2
"$@"
obj=
for arg; do
	case $arg in
	--emit=obj=*) obj=${arg#--emit=obj=} ;;
	esac
done
if [ -z "$obj" ]; then
	echo "rustc-fentry.sh: no --emit=obj= in the compiler's command line" >&2
	exit 1
fi
exec "$klp_elf" fentry --prefix "$prefix" "$obj"
