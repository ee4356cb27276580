// SPDX-License-Identifier: GPL-2.0

//! C structures that replacement functions receive, allocate or free.
//!
//! A livepatch often replaces functions of a module whose private structures appear in no
//! header (the C livepatch samples copy `struct dummy` from `livepatch-shadow-mod.c`). A Rust
//! livepatch mirrors such a structure with [`klp_c_struct!`]; the replacement function can then
//! take it as `&T` (a pointer it only reads) or `Option<KBox<T>>` (a pointer to `kmalloc()`ed
//! memory whose ownership the C function takes: freeing it is the function's job), and return a
//! newly allocated one with [`KBox::into_raw`].
//!
//! C header: [`include/linux/slab.h`](srctree/include/linux/slab.h)

use super::FfiArg;
use kernel::prelude::*;

/// A Rust mirror of a C structure, declared with [`klp_c_struct!`].
///
/// # Safety
///
/// `Self` is `#[repr(C)]` with the layout of the C structure it mirrors, and every value the C
/// code leaves in such a structure is a valid `Self`.
pub unsafe trait CStruct: Sized + Send + Sync {}

// SAFETY: The author of the replacement declares the parameter as a pointer to the mirrored C
// structure (`CStruct`), which C callers pass valid and non-NULL for the call.
unsafe impl<'a, T: CStruct> FfiArg for &'a T {
    type Raw = *const T;
    unsafe fn from_raw(raw: Self::Raw) -> Self {
        // SAFETY: `raw` points at a valid `T` for the duration of the call (see above).
        unsafe { &*raw }
    }
}

// SAFETY: The author declares that the C function takes ownership of a `kmalloc()`ed structure
// (it `kfree()`s it), or gets NULL: `KBox<T>` is the Rust owner of such memory.
unsafe impl<T: CStruct> FfiArg for Option<KBox<T>> {
    type Raw = *mut T;
    unsafe fn from_raw(raw: Self::Raw) -> Self {
        // SAFETY: A non-NULL `raw` is a `kmalloc()`ed `T` that nobody else owns any more; `KBox`
        // frees with `kfree()`.
        (!raw.is_null()).then(|| unsafe { KBox::from_raw(raw) })
    }
}

/// Declares a Rust mirror of a C structure, for replacement function parameters
/// (see [`CStruct`]).
///
/// The fields must be those of the C structure, in order, with the C types: like the C signature
/// given to [`klp_func!`], the layout cannot be checked and declaring it is the author's job.
///
/// # Examples
///
/// ```ignore
/// klp_c_struct! {
///     /// `struct dummy` of `samples/livepatch/livepatch-shadow-mod.c`.
///     struct Dummy {
///         list: bindings::list_head,
///         jiffies_expire: c_ulong,
///     }
/// }
/// ```
#[allow(unused_macros)] // Not every livepatch module mirrors C structures.
macro_rules! klp_c_struct {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident { $($fvis:vis $field:ident : $ty:ty),* $(,)? }
    ) => {
        $(#[$meta])*
        #[repr(C)]
        $vis struct $name { $($fvis $field: $ty),* }

        // SAFETY: The invocation declares the C structure's fields in order with their C types,
        // which is the author's declaration, as the C signature of a `klp_func!`.
        unsafe impl $crate::livepatch::cstruct::CStruct for $name {}
    };
}
