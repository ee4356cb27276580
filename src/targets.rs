// SPDX-License-Identifier: GPL-2.0

//! Private structures of livepatch targets, generated at build time.
//!
//! A livepatch often replaces functions of a module whose structures appear in no header (the C
//! livepatch samples copy `struct dummy` from `livepatch-shadow-mod.c`). Rather than a hand-typed
//! copy, `scripts/gen-targets.sh` runs `bindgen` on the C sources listed in `src/targets.txt` with
//! the configured kernel's flags; each source becomes a module here, and its listed structures
//! implement [`CStruct`](crate::stand_in::cstruct::CStruct): replacement functions receive them as
//! raw pointers (see [`cstruct`](crate::stand_in::cstruct)).

#![allow(
    clippy::all,
    clippy::undocumented_unsafe_blocks,
    missing_docs,
    non_camel_case_types,
    non_upper_case_globals,
    non_snake_case,
    improper_ctypes,
    unreachable_pub,
    unsafe_op_in_unsafe_fn,
    dead_code,
    unnecessary_transmutes
)]

include!("targets_generated.rs");
