# SPDX-License-Identifier: GPL-2.0
#
# The flags every Rust module crate of this project is compiled with, in Kbuild
# and in scripts/compile-fail.sh's generated Kbuild alike: attributes that let
# safe code define symbols or place data (`no_mangle`, `export_name`,
# `link_section`) must be written `#[unsafe(...)]`, as in edition 2024, so that
# a module without the `unsafe` keyword has none of them. Each function's stack
# frame is listed (-Zemit-stack-sizes) for `klp-elf frames`, which bounds it
# (scripts/rustc-module.sh). Generic instances are the module's own
# (-Zshare-generics=n, as rustc does at -Copt-level=2): at -Copt-level=s (a
# kernel optimised for size) rustc would make them global, and keep those
# inlined everywhere.
klp_module_flags := -Dunsafe_attr_outside_unsafe -Zemit-stack-sizes -Zshare-generics=n
