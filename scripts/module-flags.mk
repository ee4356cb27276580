# SPDX-License-Identifier: GPL-2.0
#
# The flags every Rust module crate of this project is compiled with, in Kbuild
# and in scripts/compile-fail.sh's generated Kbuild alike: attributes that let
# safe code define symbols or place data (`no_mangle`, `export_name`,
# `link_section`) must be written `#[unsafe(...)]`, as in edition 2024, so that
# a module without the `unsafe` keyword has none of them.
klp_module_lints := -Dunsafe_attr_outside_unsafe -Zshare-generics=n
