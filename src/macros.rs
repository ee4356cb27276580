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
/// `struct seq_file *`, `&PtRegs` for `const struct pt_regs *`, `i32` for `int`, raw pointers as
/// they are); the return type is a [`FfiRet`](crate::livepatch::FfiRet) (a C integer, `bool`, a
/// raw pointer or nothing).
///
/// Checked at build time: parameter and return types are C types; a borrowed parameter lives
/// only for the call (a named lifetime, `'static` included, fails to build). Not checked: that
/// the C signature is the replaced function's (it is often `static`), as in C; what a raw pointer
/// parameter allows (see [`cstruct`](crate::livepatch::cstruct)).
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
            $(const _: () = $crate::livepatch::ffi_ret::<$ret>();)?
            extern "C" fn replacement(
                $($arg: <$ty as $crate::livepatch::FfiArg>::Raw),*
            ) $(-> $ret)? {
                fn body($($arg: $ty),*) $(-> $ret)? $body
                // The arguments borrow from this local: a parameter type whose lifetime would
                // outlive the call does not build.
                let _arguments_live_only_during_the_call =
                    // SAFETY: A local of the replacement function, as `CallScope::new` requires.
                    unsafe { $crate::livepatch::CallScope::new() };
                body($(
                    // SAFETY: The livepatch core calls this function in place of the replaced
                    // one, with the arguments its caller passed.
                    unsafe { _arguments_live_only_during_the_call.arg($arg) }
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

/// Declares one module parameter; used by [`module_livepatch!`].
#[allow(unused_macros)] // Not every livepatch module has parameters.
macro_rules! livepatch_param {
    ($name:ident, [$t:ty; $n:expr], $default:expr, $perm:literal, $desc:literal) => {
        #[expect(non_upper_case_globals)]
        static $name: $crate::livepatch::ParamArray<$t, { $n }> =
            $crate::livepatch::ParamArray::new(&$default);
        const _: () = {
            use $crate::livepatch::{params::*, ParamType};
            verify_array::<$t, { $n }>($perm);
            static ARRAY: KparamArray = KparamArray::new(&raw const $name);
            #[link_section = "__param"]
            #[used(compiler)]
            static PARAM: KernelParam =
                KernelParam::array(::kernel::c_str!(stringify!($name)), $perm, &raw const ARRAY);
    livepatch_param!(@modinfo $name, <$t as ParamType>::ARRAY_NAME, $desc);
        };
    };
    ($name:ident, $t:ty, $default:expr, $perm:literal, $desc:literal) => {
        #[expect(non_upper_case_globals)]
        static $name: $crate::livepatch::Param<$t> = $crate::livepatch::Param::new($default);
        const _: () = {
            use $crate::livepatch::{params::*, ParamType};
            #[link_section = "__param"]
            #[used(compiler)]
            static PARAM: KernelParam =
                KernelParam::scalar(::kernel::c_str!(stringify!($name)), $perm, &raw const $name);
    livepatch_param!(@modinfo $name, <$t as ParamType>::NAME, $desc);
        };
    };
    (@modinfo $name:ident, $type_name:expr, $desc:literal) => {
        const PARMTYPE: &[&str] = &["parmtype=", stringify!($name), ":", $type_name];
        #[link_section = ".modinfo"]
        #[used(compiler)]
        static MODINFO_PARMTYPE: [u8; modinfo_len(PARMTYPE)] = modinfo(PARMTYPE);
        const PARM: &[&str] = &["parm=", stringify!($name), ":", $desc];
        #[link_section = ".modinfo"]
        #[used(compiler)]
        static MODINFO_PARM: [u8; modinfo_len(PARM)] = modinfo(PARM);
    };
}

/// Declares a livepatch kernel module.
///
/// Wraps [`module!`](kernel::prelude::module): the module is marked `livepatch=Y` in its
/// modinfo (required by `klp_enable_patch()`), builds its [`Patch`](crate::livepatch::Patch)
/// with the `patch` function (returning `Patch` or `Result<Patch>`) when loaded and enables it; a failure (a missing symbol, a failing
/// pre-patch callback, ...) fails the load with the core's error. The patch is released when,
/// after a disable through `/sys/kernel/livepatch/<name>/enabled`, the module is unloaded.
///
/// `params` declares module parameters as C's `module_param()` and `module_param_array()` do:
/// `name: type = default, permissions, "description";` where `type` is one of the
/// [`ParamType`](crate::livepatch::ParamType)s or an array `[type; N]`, whose default is the list
/// of its first values (`[]` for none, at most `N`: more fail the build). Each becomes a `static`
/// of that name ([`Param`](crate::livepatch::Param) or
/// [`ParamArray`](crate::livepatch::ParamArray)), set by `insmod name=value` and, with
/// non-zero permissions, through `/sys/module/<module>/parameters/<name>`, parsed by the
/// kernel's own parsers (bad values fail with their `-EINVAL`/`-ERANGE`). Reading a scalar
/// parameter never sleeps or locks. Checked at build time: permissions as C's
/// `VERIFY_OCTAL_PERMISSIONS()` checks them, and that a readable array prints within the sysfs page.
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
///     params: {
///         pre_patch_ret: i32 = 0, 0o644, "pre_patch_ret (default=0)";
///         klp_pids: [i32; 64] = [], 0, "Array of pids to be transitioned to livepatched state.";
///     },
/// }
/// ```
macro_rules! module_livepatch {
    (
        patch: $patch:expr,
        name: $name:tt,
        $(author: $author:tt,)?
        $(description: $description:tt,)?
        license: $license:tt
        $(, params: {
            $($pname:ident : $pty:tt = $default:expr, $perm:literal, $desc:literal;)*
        })? $(,)?
    ) => {
        $($(livepatch_param!($pname, $pty, $default, $perm, $desc);)*)?

        /// The module: owns the registered patch until the module is unloaded.
        struct LivepatchModule {
            _registration: ::core::pin::Pin<::kernel::prelude::KBox<$crate::livepatch::Registration>>,
        }

        impl ::kernel::Module for LivepatchModule {
            fn init(module: &'static ::kernel::ThisModule) -> ::kernel::error::Result<Self> {
                let patch = $crate::livepatch::IntoPatch::into_patch($patch())?;
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
