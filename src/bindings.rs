// SPDX-License-Identifier: GPL-2.0

//! Bindings to the C livepatch API, generated at build time.
//!
//! `scripts/gen-bindings.sh` runs `bindgen` on `src/bindings_helper.h` with the command line and
//! C flags the configured kernel recorded for its own `rust/bindings`, so every layout here (for
//! example [`klp_patch`], [`klp_object`] and [`klp_func`]) is the configured kernel's.
//!
//! C header: [`include/linux/livepatch.h`](srctree/include/linux/livepatch.h)

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

use kernel::ffi;

include!("bindings_generated.rs");
