#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# rustc-module.sh KLP_ELF OBJCOPY PREFIX COMPILER ARGS...: Kbuild's command for the Rust object
# of each module built here (RUSTC_OR_CLIPPY of klp_crate in Kbuild). Runs the Rust compiler
# (rustc or clippy-driver), then, on the object it wrote (--emit=obj=OBJ):
# - `KLP_ELF frames`: no function's stack frame may exceed the bound that keeps a stack
#   overflow on the guard page (tools/klp-elf/src/frames.rs); the frames are those that
#   -Zemit-stack-sizes (scripts/module-flags.mk) lists in .stack_sizes, which OBJCOPY then
#   removes;
# - unless PREFIX is `-`, `KLP_ELF fentry --prefix PREFIX` (klp_fentry in Kbuild): the function
#   entries of -Zpatchable-function-entry=PREFIX+5,PREFIX become `call __fentry__`, before
#   objtool, which Kbuild runs next in the same command (cmd_rustc_o_rs of
#   scripts/Makefile.build), records and NOPs them as for C.
set -e
klp_elf=$1
objcopy=$2
prefix=$3
shift 3
"$@"
obj=
for arg; do
	case $arg in
	--emit=obj=*) obj=${arg#--emit=obj=} ;;
	esac
done
if [ -z "$obj" ]; then
	echo "rustc-module.sh: no --emit=obj= in the compiler's command line" >&2
	exit 1
fi
"$klp_elf" frames "$obj"
"$objcopy" --remove-section=.stack_sizes "$obj"
[ "$prefix" = - ] || exec "$klp_elf" fentry --prefix "$prefix" "$obj"
