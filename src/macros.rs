// SPDX-License-Identifier: GPL-2.0

//! Macros that declare livepatch modules and replacement functions.
//!
//! They expand in the livepatch module's crate and name this library as `$crate::livepatch`:
//! include it under that name (see the crate documentation).

/// Declares a replacement function, written in safe Rust with the C function's parameters.
///
/// Expands to a constant of type [`Replacement`](crate::livepatch::Replacement) with the given
/// name, for [`Func::new`](crate::livepatch::Func::new). Each parameter type implements
/// [`FfiArg`](crate::livepatch::FfiArg), which says what C type it stands for (`&SeqFile` for
/// `struct seq_file *`, `i32` for `int`, raw pointers as they are); the return type is the C
/// return type. The C signature cannot be checked against the replaced function (it is often
/// `static`): declaring it is the patch author's job, as in C.
///
/// # Examples
///
/// ```ignore
/// klp_func! {
///     /// Replaces `cmdline_proc_show()` in `fs/proc/cmdline.c`.
///     fn livepatch_cmdline_proc_show(m: &SeqFile, _v: *mut c_void) -> c_int {
///         seq_print!(m, "{}\n", "this has been live patched");
///         0
///     }
/// }
/// ```
#[allow(unused_macros)] // Not every livepatch module replaces functions.
macro_rules! klp_func {
    (
        $(#[$meta:meta])*
        $vis:vis fn $name:ident($($arg:ident : $ty:ty),* $(,)?) $(-> $ret:ty)? $body:block
    ) => {
        $(#[$meta])*
        #[expect(non_upper_case_globals)]
        $vis const $name: $crate::livepatch::Replacement = {
            extern "C" fn replacement(
                $($arg: <$ty as $crate::livepatch::FfiArg>::Raw),*
            ) $(-> $ret)? {
                fn body($($arg: $ty),*) $(-> $ret)? $body
                body($(
                    // SAFETY: The livepatch core calls this function in place of the replaced
                    // one, with the arguments its caller passed, which `FfiArg::from_raw`
                    // converts for the duration of the call.
                    unsafe { <$ty as $crate::livepatch::FfiArg>::from_raw($arg) }
                ),*)
            }
            // SAFETY: `replacement` is `extern "C"` with the C parameter types declared in this
            // invocation, which its author states are those of the functions it replaces.
            unsafe {
                $crate::livepatch::Replacement::from_raw(replacement as *const ::core::ffi::c_void)
            }
        };
    };
}

/// Declares a livepatch kernel module.
///
/// Wraps [`module!`](kernel::prelude::module): the module is marked `livepatch=Y` in its
/// modinfo (required by `klp_enable_patch()`), builds its [`Patch`](crate::livepatch::Patch)
/// with the `patch` function when loaded and enables it; a failure (a missing symbol, a failing
/// pre-patch callback, ...) fails the load with the core's error. The patch is released when,
/// after a disable through `/sys/kernel/livepatch/<name>/enabled`, the module is unloaded.
///
/// # Examples
///
/// ```ignore
/// module_livepatch! {
///     patch: patch,
///     name: "livepatch_sample",
///     author: "Rust for Linux livepatch contributors",
///     description: "Rust port of samples/livepatch/livepatch-sample.c",
///     license: "GPL",
/// }
/// ```
macro_rules! module_livepatch {
    (
        patch: $patch:expr,
        name: $name:tt,
        $(author: $author:tt,)?
        $(description: $description:tt,)?
        license: $license:tt $(,)?
    ) => {
        /// The module: owns the registered patch until the module is unloaded.
        struct LivepatchModule {
            _registration: ::core::pin::Pin<::kernel::prelude::KBox<$crate::livepatch::Registration>>,
        }

        impl ::kernel::Module for LivepatchModule {
            fn init(module: &'static ::kernel::ThisModule) -> ::kernel::error::Result<Self> {
                let patch: $crate::livepatch::Patch = $patch();
                // SAFETY: `module!` drops the registration only in the module's exit function,
                // which runs once the module's reference count is zero; the livepatch core holds
                // a reference until it has released the patch.
                let registration = unsafe { patch.register(module) }?;
                Ok(Self {
                    _registration: registration,
                })
            }
        }

        ::kernel::prelude::module! {
            type: LivepatchModule,
            name: $name,
            $(author: $author,)?
            $(description: $description,)?
            license: $license,
        }

        /// `MODULE_INFO(livepatch, "Y")`: `klp_enable_patch()` refuses modules without it.
        #[link_section = ".modinfo"]
        #[used(compiler)]
        static LIVEPATCH_MODINFO: [u8; 12] = *b"livepatch=Y\0";
    };
}
