// SPDX-License-Identifier: GPL-2.0

//! Compile-fail test: `no_mangle`, `export_name` and `link_section` define symbols and place data: written `#[unsafe(...)]` (Kbuild's `-D unsafe_attr_outside_unsafe`), never plain.
//~ ERROR: unsafe attribute used without unsafe

use livepatch::module_livepatch;

module_livepatch! {
    name: "cf_attr_outside_unsafe",
    license: "GPL",
    objects: {
        VMLINUX: vmlinux,
    },
}

/// Would be the module's own `memset`: the compiler's calls in the module would run it.
#[no_mangle] //~ FAIL
// SAFETY: A name no other module or the kernel defines. //~ PASS
#[unsafe(no_mangle)] //~ PASS
pub extern "C" fn cf_attr_outside_unsafe_fn() -> u32 {
    1
}
