// SPDX-License-Identifier: GPL-2.0

//! Macros that declare livepatch modules and replacement functions.
//!
//! They expand in the livepatch module's crate, which uses this one with `--extern livepatch`.

/// Declares a replacement function, written in safe Rust with the C function's parameters.
///
/// Expands to a constant of type [`Replacement`](crate::Replacement) with the given name, for the
/// `objects` of [`module_livepatch!`](crate::module_livepatch). Each parameter type implements
/// [`FfiArg`](crate::FfiArg), which says what C type it stands for (`Option<&SeqFile>` for
/// `struct seq_file *`, `Option<&PtRegs>` for `const struct pt_regs *`, `i32` for `int`, raw pointers as
/// they are); the return type is a [`FfiRet`](crate::FfiRet) (a C integer, `bool`, a raw pointer or
/// nothing).
///
/// Checked at build time: parameter and return types are C types; a borrowed parameter lives
/// only for the call (a named lifetime, `'static` included, fails to build); and, by
/// `tools/klp-elf` for each function it replaces in [`module_livepatch!`](crate::module_livepatch),
/// that the C types are those of the replaced function's definition (see
/// [`ctype`](crate::ctype)). Not checked: what a raw pointer parameter allows (see
/// [`cstruct`](crate::stand_in::cstruct)).
///
/// # Examples
///
/// ```ignore
/// klp_func! {
///     /// Replaces `cmdline_proc_show()` in `fs/proc/cmdline.c`.
///     fn livepatch_cmdline_proc_show(m: Option<&SeqFile>, _v: *mut c_void) -> c_int {
///         let Some(m) = m else {
///             return EINVAL.to_errno();
///         };
///         seq_print!(m, "{}\n", "this has been live patched");
///         0
///     }
/// }
/// ```
#[macro_export]
macro_rules! klp_func {
    (
        $(#[doc = $doc:expr])*
        $vis:vis fn $name:ident($($arg:ident : $ty:ty),* $(,)?) $(-> $ret:ty)? $body:block
    ) => {
        $(#[doc = $doc])*
        #[expect(non_upper_case_globals)]
        $vis const $name: $crate::Replacement = {
            $(const _: () = $crate::ffi_ret::<$ret>();)?
            /// The C signature declared by the invocation, recorded for the build-time check.
            const SIGNATURE: $crate::ctype::Signature =
                $crate::klp_signature!(FfiArg; ($($arg: $ty),*) $(-> $ret)?);
            /// The function the livepatch core calls in place of the replaced one. `unsafe`:
            /// only the core may call it, with arguments of the C types its caller passed (the
            /// body, which can name it, cannot call it without `unsafe`).
            unsafe extern "C" fn replacement(
                $($arg: <$ty as $crate::FfiArg>::Raw),*
            ) $(-> $ret)? {
                fn body($($arg: $ty),*) $(-> $ret)? $body
                // The arguments borrow from this local: a parameter type whose lifetime would
                // outlive the call does not build.
                let _arguments_live_only_during_the_call =
                    // SAFETY: A local of the replacement function, as `CallScope::new` requires.
                    unsafe { $crate::CallScope::new() };
                let ret = body($(
                    // SAFETY: The livepatch core calls this function in place of the replaced
                    // one, with the arguments its caller passed.
                    unsafe { _arguments_live_only_during_the_call.arg($arg) }
                ),*);
                // The body's call is not a tail call: this frame stays on the stack while any
                // code of the module that it calls runs (see `CallScope::keep_frame`).
                $crate::CallScope::keep_frame();
                ret
            }
            // SAFETY: `replacement` is `extern "C"` with the C parameter types declared in this
            // invocation, recorded in `SIGNATURE`; `module_livepatch!` records each function it
            // replaces with that signature, which the build checks against the C definition (or
            // the author states it, with `unsafe`).
            unsafe { $crate::Replacement::from_raw(replacement as *const ::core::ffi::c_void, SIGNATURE) }
        };
    };
}

/// Defines a function of a Rust livepatch target module (built with `klp_target` in `Kbuild`)
/// that livepatches may replace: `#[no_mangle] extern "C"`, so that its symbol is its name, and
/// `#[inline(never)]`, so that its callers call it (a replaced function that was inlined would
/// keep running in its callers: C's `noinline`).
///
/// The function's C signature is recorded for the build: a livepatch that replaces it
/// (`name => replacement` in [`module_livepatch!`](crate::module_livepatch)) is checked against
/// it, as against a C definition; a function of such a module defined otherwise cannot be
/// replaced without `unsafe name => replacement`.
///
/// # Examples
///
/// ```ignore
/// klp_target_fn! {
///     /// `static noinline bool dummy_check(struct dummy *d, unsigned long jiffies)` in C.
///     fn dummy_check(d: &Dummy, jiffies: Jiffies) -> bool {
///         time_after(jiffies, d.jiffies_expire)
///     }
/// }
/// ```
#[macro_export]
macro_rules! klp_target_fn {
    (
        $(#[doc = $doc:expr])*
        $vis:vis fn $name:ident($($arg:ident : $ty:ty),* $(,)?) $(-> $ret:ty)? $body:block
    ) => {
        $(#[doc = $doc])*
        // The symbol is the function's name: `tools/klp-elf` fails the build of a module that
        // defines a name the kernel or the compiler's runtime defines (`memset`, ...).
        #[unsafe(no_mangle)]
        #[inline(never)]
        $vis extern "C" fn $name($($arg: $ty),*) $(-> $ret)? $body

        const _: () = {
            const SIGNATURE: $crate::ctype::Signature =
                $crate::klp_signature!(HasCType; ($($arg: $ty),*) $(-> $ret)?);
            $crate::livepatch_record!(
                // SAFETY: `$name` is the global C-ABI function defined just above, with the
                // parameter and return types of `SIGNATURE`.
                unsafe { $crate::ctype::Record::definition(stringify!($name), &SIGNATURE) }
            );
        };
    };
}

/// The `struct module *` of the module being built: the `THIS_MODULE` that `module!` defines at
/// the crate's root, typed, so that neither a name in scope where a macro is invoked (a
/// `const THIS_MODULE` of another type in a nested module) nor any other value can stand for it.
/// A `kernel::ThisModule` is only made by `module!` or by its `unsafe` constructor.
#[doc(hidden)]
#[macro_export]
#[expect(
    clippy::crate_in_macro_def,
    reason = "the `THIS_MODULE` of the crate that invokes the macro, not of this one"
)]
macro_rules! this_module {
    () => {{
        const MODULE: &::kernel::ThisModule = &crate::THIS_MODULE;
        MODULE.as_ptr()
    }};
}

/// The first statement of a generated `kernel::Module::init`: returns `EBUSY` from any call
/// but the first of this load. The kernel calls `init` once per load; the module's code can name
/// the type and its `init` and call it again (a second `klp_enable_patch()` of the enabled
/// patch, a second teardown from a work item). The flag is a `static` in a block of its own,
/// which nothing else can name; the macro emits no `unsafe`.
#[doc(hidden)]
#[macro_export]
macro_rules! __klp_init_once {
    () => {{
        static STARTED: ::core::sync::atomic::AtomicBool =
            ::core::sync::atomic::AtomicBool::new(false);
        if STARTED.swap(true, ::core::sync::atomic::Ordering::AcqRel) {
            return Err(::kernel::error::code::EBUSY);
        }
    }};
}

/// Declares one module parameter; used by [`module_livepatch!`](crate::module_livepatch).
#[doc(hidden)]
#[macro_export]
macro_rules! livepatch_param {
    (
        $(#[doc = $doc:expr])* $(#[unsafe($no_mangle:ident)])?
        $name:ident, [$t:ty; $n:expr], $default:expr, $perm:literal, $desc:literal
    ) => {
        #[expect(non_upper_case_globals)]
        $(#[doc = $doc])*
        $(#[unsafe($no_mangle)])?
        static $name: $crate::ParamArray<$t, { $n }> = {
            const DEFAULTS: &[$t] = &$default;
            // SAFETY: `$crate::this_module!()` is the module whose code uses the array.
            unsafe { $crate::ParamArray::new(DEFAULTS, $crate::this_module!()) }
        };
        const _: () = {
            $crate::params::verify_array::<$t, { $n }>($perm);
            static ARRAY: $crate::params::KparamArray =
                // SAFETY: `$name` is the `ParamArray` static defined above (the pointer's type
                // says so), which lives as long as the module.
                unsafe { $crate::params::KparamArray::new(&raw const $name) };
            static OPS: $crate::params::KparamOps = $crate::params::KparamOps::array::<$t, { $n }>();
            #[unsafe(link_section = "__param")]
            #[used(compiler)]
            static PARAM: $crate::params::KernelParam =
                // SAFETY: `ARRAY` describes the module's own static `$name`, `OPS` are its
                // operations for the same element type and size; `this_module!()` is the module.
                unsafe {
                    $crate::params::KernelParam::array(
                        ::kernel::c_str!(stringify!($name)),
                        $perm,
                        &raw const ARRAY,
                        &raw const OPS,
                        $crate::this_module!(),
                    )
                };
            $crate::livepatch_param!(
                @modinfo $name, <$t as $crate::ParamType>::ARRAY_NAME, $desc
            );
        };
    };
    (
        $(#[doc = $doc:expr])* $(#[unsafe($no_mangle:ident)])?
        $name:ident, $t:ty, $default:expr, $perm:literal, $desc:literal
    ) => {
        #[expect(non_upper_case_globals)]
        $(#[doc = $doc])*
        $(#[unsafe($no_mangle)])?
        static $name: $crate::Param<$t> = $crate::Param::new($default);
        const _: () = {
            #[unsafe(link_section = "__param")]
            #[used(compiler)]
            static PARAM: $crate::params::KernelParam =
                // SAFETY: `$name` is the `Param` static defined above (the pointer's type says
                // so), which lives as long as the module; `this_module!()` is the module.
                unsafe {
                    $crate::params::KernelParam::scalar(
                        ::kernel::c_str!(stringify!($name)),
                        $perm,
                        &raw const $name,
                        $crate::this_module!(),
                    )
                };
            $crate::livepatch_param!(@modinfo $name, <$t as $crate::ParamType>::NAME, $desc);
        };
    };
    (@modinfo $name:ident, $type_name:expr, $desc:literal) => {
        $crate::livepatch_modinfo!(parmtype = stringify!($name), ":", $type_name);
        $crate::livepatch_modinfo!(parm = stringify!($name), ":", $desc);
    };
}

/// Declares module parameters in a module that is not a livepatch, after its `module!`: the
/// `params` of [`module_livepatch!`](crate::module_livepatch), with the same syntax and checks.
///
/// Doc comments before a name apply to its `static`, and `#[unsafe(no_mangle)]` gives a scalar
/// parameter the C name of the variable, e.g. for a livepatch that reads it through
/// [`klp_extern!`](crate::klp_extern) (a [`Param`](crate::Param) has the layout of its C type):
/// `unsafe`, because a global symbol of that name must not exist anywhere else in the kernel. No
/// other attribute is accepted (a `link_section` could put the value in memory freed after
/// `init`).
///
/// # Examples
///
/// ```ignore
/// module! {
///     type: Busy,
///     name: "test_klp_callbacks_busy",
///     license: "GPL",
/// }
///
/// module_params! {
///     // SAFETY: No other module or the kernel defines a `block_transition` symbol.
///     #[unsafe(no_mangle)]
///     block_transition: bool = false, 0o644, "block_transition (default=false)";
/// }
/// ```
#[macro_export]
macro_rules! module_params {
    ($(
        $(#[doc = $doc:expr])* $(#[unsafe($no_mangle:ident)])?
        $pname:ident : $pty:tt = $default:expr, $perm:literal, $desc:literal;
    )*) => {
        $($crate::livepatch_param!(
            $(#[doc = $doc])* $(#[unsafe($no_mangle)])?
            $pname, $pty, $default, $perm, $desc
        );)*
    };
}

/// The name of an object of [`module_livepatch!`](crate::module_livepatch): `None` for `vmlinux`,
/// else the module's.
#[doc(hidden)]
#[macro_export]
macro_rules! livepatch_object_name {
    (vmlinux) => {
        None
    };
    ($module:literal) => {
        Some(::kernel::c_str!($module))
    };
}

/// The name of an object, `vmlinux` or a module's, as a `&str`.
#[doc(hidden)]
#[macro_export]
macro_rules! livepatch_object_str {
    (vmlinux) => {
        "vmlinux"
    };
    ($module:literal) => {
        $module
    };
}

/// Places a [`Record`](crate::ctype::Record) for the build tool in the module's object.
#[doc(hidden)]
#[macro_export]
macro_rules! livepatch_record {
    ($record:expr) => {
        const _: () = {
            #[unsafe(link_section = ".discard.klp.records")]
            #[used(compiler)]
            static RECORD: $crate::ctype::Record = $record;
        };
    };
}

/// The [`Signature`](crate::ctype::Signature) of `(arg: Type, ...) -> Ret`, each parameter's C
/// type from `Trait` (`FfiArg` for a replacement's parameters, `HasCType` elsewhere).
#[doc(hidden)]
#[macro_export]
macro_rules! klp_signature {
    ($trait:ident; ($($arg:ident : $ty:ty),*) $(-> $ret:ty)?) => {
        $crate::ctype::Signature::new($crate::klp_ret_slot!($($ret)?))
            $(.param($crate::ctype::Slot::of::<$ty>(
                <$ty as $crate::$trait>::C_TYPE,
                stringify!($ty),
                stringify!($arg),
            )))*
    };
}

/// The return [`Slot`](crate::ctype::Slot) of a signature: `()` if none is written.
#[doc(hidden)]
#[macro_export]
macro_rules! klp_ret_slot {
    () => {
        $crate::ctype::Slot::of::<()>($crate::ctype::CType::VOID, "()", "")
    };
    ($ret:ty) => {
        $crate::ctype::Slot::of::<$ret>(<$ret as $crate::HasCType>::C_TYPE, stringify!($ret), "")
    };
}

/// Normalises the functions of one object of [`module_livepatch!`](crate::module_livepatch) to
/// `[checked|unsafe] old [sympos] new,` entries for [`livepatch_object!`](crate::livepatch_object).
#[doc(hidden)]
#[macro_export]
macro_rules! livepatch_funcs {
    ([$($out:tt)*] $target:tt) => {
        $crate::livepatch_object!($target, $($out)*)
    };
    (
        [$($out:tt)*] $target:tt
        unsafe $old:ident $(@ $sympos:literal)? => $new:path $(, $($rest:tt)*)?
    ) => {
        $crate::livepatch_funcs!(
            [$($out)* [unsafe] $old [$($sympos)?] $new,] $target $($($rest)*)?
        )
    };
    (
        [$($out:tt)*] $target:tt
        $old:ident $(@ $sympos:literal)? => $new:path $(, $($rest:tt)*)?
    ) => {
        $crate::livepatch_funcs!(
            [$($out)* [checked] $old [$($sympos)?] $new,] $target $($($rest)*)?
        )
    };
}

/// The static function table of one object of [`module_livepatch!`](crate::module_livepatch), and
/// the object.
#[doc(hidden)]
#[macro_export]
macro_rules! livepatch_object {
    ($target:tt, $([$check:ident] $old:ident [$($sympos:literal)?] $new:path,)*) => {{
        $crate::livepatch_record!(
            // SAFETY: The patch of this `module_livepatch!` has the object `$target`.
            unsafe { $crate::ctype::Record::object($crate::livepatch_object_str!($target)) }
        );
        $crate::livepatch_modinfo!(klp_object = $crate::livepatch_object_str!($target));
        $(
            $crate::livepatch_modinfo!(
                klp_func = $crate::livepatch_object_str!($target), ":", stringify!($old), ",",
                $crate::livepatch_sympos_str!($($sympos)?)
            );
        )*
        $(
            $crate::livepatch_replacement_record!(
                [$check] $target, $old, 0 $(+ $sympos)?, $new
            );
        )*
        static FUNCS: $crate::FuncTable<{ <[()]>::len(&[$($crate::livepatch_unit!($old)),*]) }> =
            $crate::FuncTable::new($crate::PatchTable::klp_patch(&raw const __LIVEPATCH_PATCH), [
                $($crate::Func::new(::kernel::c_str!(stringify!($old)), $new)
                    $(.sympos($sympos))?),*
            ]);
        $crate::ObjectEntry::new(
            $crate::livepatch_object_name!($target),
            $crate::FuncTable::funcs(&raw const FUNCS),
        )
    }};
}

/// One `.modinfo` entry, `key=` and the concatenation of the parts: `klp_object=<object>` and
/// `klp_func=<object>:<old_name>,<sympos>` describe the patch to tools that read a `.ko` without
/// loading it (`modinfo`, `klp info`); `parmtype=` and `parm=` describe a parameter. Only these
/// keys (`params::modinfo_key`); a part containing a NUL, which would start another entry
/// (`license=` say), fails the build. Like all of `.modinfo`, not kept in memory once loaded.
#[doc(hidden)]
#[macro_export]
macro_rules! livepatch_modinfo {
    ($key:ident = $($part:expr),+ $(,)?) => {
        const _: () = {
            const PARTS: &[&str] = &[$crate::params::modinfo_key(stringify!($key)), $($part),+];
            #[unsafe(link_section = ".modinfo")]
            #[used(compiler)]
            static MODINFO: [u8; $crate::params::modinfo_len(PARTS)] =
                $crate::params::modinfo(PARTS);
        };
    };
}

/// The `sympos` of a function as a `&str`: `0` (the only symbol of that name) if none is written.
#[doc(hidden)]
#[macro_export]
macro_rules! livepatch_sympos_str {
    () => {
        "0"
    };
    ($sympos:literal) => {
        stringify!($sympos)
    };
}

/// The record of one replaced function: its signature is checked against the C definition,
/// unless its author took that check over with `unsafe` (the record is then `unchecked`); either
/// way `klp-elf check` refuses a function of the livepatch core.
#[doc(hidden)]
#[macro_export]
macro_rules! livepatch_replacement_record {
    ([checked] $target:tt, $old:ident, $sympos:expr, $new:path) => {
        $crate::livepatch_replacement_record!(@record $target, $old, $sympos, $new, );
    };
    ([unsafe] $target:tt, $old:ident, $sympos:expr, $new:path) => {
        $crate::livepatch_replacement_record!(@record $target, $old, $sympos, $new, .unchecked());
    };
    (@record $target:tt, $old:ident, $sympos:expr, $new:path, $($unchecked:tt)*) => {
        const _: () = {
            const REPLACEMENT: $crate::Replacement = $new;
            const SYMPOS: u32 = $sympos;
            $crate::livepatch_record!(
                // SAFETY: `REPLACEMENT`'s signature is the one `klp_func!` recorded for it, and
                // the patch binds it to `$old` of `$target` (`livepatch_object!`).
                unsafe {
                    $crate::ctype::Record::replacement(
                        $crate::livepatch_object_str!($target),
                        stringify!($old),
                        SYMPOS,
                        stringify!($new),
                        REPLACEMENT.signature(),
                    )
                }
                $($unchecked)*
            );
        };
    };
}

/// `()`, for counting.
#[doc(hidden)]
#[macro_export]
macro_rules! livepatch_unit {
    ($t:tt) => {
        ()
    };
}

/// Declares a livepatch kernel module.
///
/// Wraps [`module!`](kernel::prelude::module): the module is marked `livepatch=Y` in its
/// modinfo (required by `klp_enable_patch()`), which also names each object (`klp_object=vmlinux`)
/// and each replaced function (`klp_func=<object>:<old_name>,<sympos>`) for tools that read the
/// `.ko` (`modinfo`, `klp info`), and, when loaded, registers its patch with
/// `klp_enable_patch()`; a failure (a missing symbol, a failing pre-patch callback, ...) fails
/// the load with the core's error. The patch is released when, after a disable through
/// `/sys/kernel/livepatch/<name>/enabled`, the module is unloaded.
///
/// `objects` lists what the patch changes, as the static `klp_object` and `klp_func` arrays of a C
/// livepatch: each object is `ID: vmlinux` or `ID: "module_name"`, with the functions it replaces
/// between braces, `old_name => replacement`, where the replacement is declared with
/// [`klp_func!`](crate::klp_func) and `old_name @ N => replacement` picks the `N`-th symbol of that
/// name (`sympos`, for names that are not unique). The build checks each replacement's signature
/// against the C definition of `old_name` in that object; `unsafe old_name => replacement` skips
/// the check (a target the build cannot see), the author stating the prototype in a safety
/// comment. `ID` becomes an [`ObjectId`](crate::ObjectId)
/// constant, to set the object's callbacks. These tables are built at compile time, in static
/// storage: loading allocates nothing for them.
///
/// `patch`, optional, names a function called when the module loads with the
/// [`Patch`](crate::Patch), which returns it (or a `Result` of it) with what only exists at run
/// time: callbacks, states, atomic replace, values kept until unloading.
///
/// `params` declares module parameters as C's `module_param()` and `module_param_array()` do:
/// `name: type = default, permissions, "description";` where `type` is one of the
/// [`ParamType`](crate::ParamType)s or an array `[type; N]`, whose default is the list
/// of its first values (`[]` for none, at most `N`: more fail the build). Each becomes a `static`
/// of that name ([`Param`](crate::Param) or [`ParamArray`](crate::ParamArray)), set by
/// `insmod name=value` and, with non-zero permissions, through
/// `/sys/module/<module>/parameters/<name>`, parsed by the kernel's own parsers (bad values fail
/// with their `-EINVAL`/`-ERANGE`). Reading a scalar parameter never sleeps or locks. Checked at
/// build time: permissions as C's `VERIFY_OCTAL_PERMISSIONS()` checks them, and that a readable
/// array prints within the sysfs page.
///
/// # Examples
///
/// ```ignore
/// module_livepatch! {
///     name: "livepatch_callbacks_demo",
///     license: "GPL",
///     params: {
///         pre_patch_ret: i32 = 0, 0o644, "pre_patch_ret (default=0)";
///     },
///     objects: {
///         VMLINUX: vmlinux,
///         BUSYMOD: "livepatch_callbacks_busymod" {
///             busymod_work_func => patched_work_func,
///         },
///     },
///     patch: patch,
/// }
///
/// fn patch(patch: Patch) -> Patch {
///     patch.callbacks(
///         VMLINUX,
///         Callbacks::new().pre_patch(|_| to_result(pre_patch_ret.get())),
///     )
/// }
/// ```
#[macro_export]
macro_rules! module_livepatch {
    (
        name: $name:tt,
        $(author: $author:tt,)?
        $(description: $description:tt,)?
        license: $license:tt,
        $(params: {
            $($pname:ident : $pty:tt = $default:expr, $perm:literal, $desc:literal;)*
        },)?
        objects: {
            $($id:ident : $target:tt $({ $($funcs:tt)* })?),+ $(,)?
        }
        $(, patch: $patch:expr)? $(,)?
    ) => {
        $($($crate::livepatch_param!($pname, $pty, $default, $perm, $desc);)*)?

        /// The objects of the patch, in order.
        #[allow(non_camel_case_types, reason = "the variants are the objects' constant names")]
        enum __LivepatchObjects {
            $($id,)+
            __Count,
        }
        $(
            const $id: $crate::ObjectId = $crate::ObjectId::new(__LivepatchObjects::$id as usize);
        )+
        // Uses each object's constant, which a patch without callbacks does not.
        const _: [$crate::ObjectId; __LivepatchObjects::__Count as usize] = [$($id),+];

        /// The static `klp_patch`, `klp_object`s and `klp_func`s of the patch.
        static __LIVEPATCH_PATCH: $crate::PatchTable<{ __LivepatchObjects::__Count as usize }> =
            $crate::PatchTable::new(&raw const __LIVEPATCH_PATCH, [
                $($crate::livepatch_funcs!([] $target $($($funcs)*)?)),+
            ]);

        /// The module: owns the registered patch until the module is unloaded, then tears down
        /// the module's registry (fields drop in order).
        struct LivepatchModule {
            _registration: $crate::Registration,
            _exit: $crate::registry::ModuleExit,
        }

        impl ::kernel::Module for LivepatchModule {
            fn init(module: &'static ::kernel::ThisModule) -> ::kernel::error::Result<Self> {
                $crate::__klp_init_once!();
                // SAFETY: Kept in the module value, which `module!`'s exit drops; dropped, last,
                // when this init fails.
                let exit = unsafe { $crate::registry::ModuleExit::new() };
                // SAFETY: `init` runs once per load of the module (the flag above), before anything
                // else uses the patch's tables; `exit` tears the registry down.
                let patch = unsafe { $crate::Patch::new(&__LIVEPATCH_PATCH) };
                $(let patch = $crate::IntoPatch::into_patch($patch(patch))?;)?
                // SAFETY: `module!` drops the registration only in the module's exit function,
                // which runs once the module's reference count is zero; the livepatch core holds
                // a reference until it has released the patch.
                let registration = unsafe { patch.register(module) }?;
                Ok(Self {
                    _registration: registration,
                    _exit: exit,
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
        #[unsafe(link_section = ".modinfo")]
        #[used(compiler)]
        static LIVEPATCH_MODINFO: [u8; 12] = *b"livepatch=Y\0";
    };
}

/// Declares a Rust kernel module that is not a livepatch, such as a livepatch target module:
/// [`module!`](kernel::prelude::module) with a generated exit that tears down the module's
/// [`Registry`](crate::Registry).
///
/// `type` implements [`ModuleInit`](crate::ModuleInit), whose `init` gets the registry: work
/// items ([`StaticWork`](crate::StaticWork), [`StaticDelayedWork`](crate::StaticDelayedWork)),
/// completions ([`StaticCompletion`](crate::StaticCompletion)) and `/sys/kernel` directories
/// ([`ModuleDir`](crate::ModuleDir)) need it, and the module's exit, after dropping the module
/// value, disables, completes or removes them, as does a failing init: nothing the module's code
/// forgot stays reachable once its memory is freed. The other keys are `module!`'s.
///
/// # Examples
///
/// ```ignore
/// module_target! {
///     type: BusyMod,
///     name: "livepatch_callbacks_busymod",
///     license: "GPL",
/// }
///
/// static WORK: StaticDelayedWork = StaticDelayedWork::new(busymod_work_func);
///
/// struct BusyMod;
///
/// impl ModuleInit for BusyMod {
///     fn init(_module: &'static ThisModule, registry: &Registry) -> Result<Self> {
///         WORK.init(registry)?;
///         WORK.schedule(0);
///         Ok(BusyMod)
///     }
/// }
/// ```
#[macro_export]
macro_rules! module_target {
    (
        type: $type:ty,
        name: $name:tt,
        $(author: $author:tt,)?
        $(description: $description:tt,)?
        license: $license:tt $(,)?
    ) => {
        /// The module value: the module's own, then the teardown of its registry.
        struct __LivepatchTargetModule($crate::registry::TargetValue<$type>);

        impl ::kernel::Module for __LivepatchTargetModule {
            fn init(module: &'static ::kernel::ThisModule) -> ::kernel::error::Result<Self> {
                $crate::__klp_init_once!();
                // SAFETY: Kept in the module value, which `module!`'s exit drops; dropped when
                // the module's init fails.
                let exit = unsafe { $crate::registry::ModuleExit::new() };
                $crate::registry::TargetValue::init(module, exit).map(Self)
            }
        }

        ::kernel::prelude::module! {
            type: __LivepatchTargetModule,
            name: $name,
            $(author: $author,)?
            $(description: $description,)?
            license: $license,
        }
    };
}

/// Declares functions and variables of vmlinux or of a target module that the kernel does not
/// export, for replacement functions to use: `static` functions and variables as much as
/// global ones.
///
/// Each declaration becomes an `extern "C"` function or `static` of the given Rust name, which is
/// the C name. `name @ N` picks the `N`-th symbol of that name in the object (`sympos`, counted as
/// the livepatch core counts, for names that are not unique). At build time, `tools/klp-elf`
/// checks every declaration against the C definition in the configured kernel or in the target
/// module (number of parameters, integer widths and signedness, pointer or value, the structure
/// a pointer points to where the Rust type names one; a mismatch fails the build) and turns the
/// module's references into livepatch relocations (`.klp.rela.<object>.<section>` sections and
/// `.klp.sym.<object>.<name>,<sympos>` symbols, `Documentation/livepatch/module-elf-format.rst`),
/// which the livepatch core resolves when the patch loads (vmlinux) or when the target module
/// loads. The object must be one of the patch's objects. A symbol that is missing at that time
/// fails `insmod` with `-ENOENT` (or the patch's enabling, for a module loaded later).
///
/// Only doc comments are accepted on a declaration: a `#[link_name]` would link a symbol other
/// than the one the build checks.
///
/// `unsafe fn` declares a function the build does not check (its definition is not in the
/// configured kernel's sources, or is generated in a way libclang does not see): the author
/// states the C prototype in its safety comment.
///
/// Calling a declared function, or reading a declared variable, is `unsafe`: the build checks
/// the types, not what the C code expects of its callers (locks held, valid pointers), which the
/// author states in the safety comment of the `unsafe` block. The code that uses a module's symbols must only run
/// while that module is loaded, as a replacement of one of its functions does.
///
/// # Examples
///
/// ```ignore
/// klp_extern! {
///     "livepatch_shadow_mod" {
///         /// `static struct dummy *dummy_alloc(void)`.
///         fn dummy_alloc() -> *mut Dummy;
///     }
///     vmlinux {
///         fn cmdline_proc_show(m: *mut seq_file, v: *mut c_void) -> c_int;
///         static saved_command_line: *mut c_char;
///     }
/// }
/// ```
#[macro_export]
macro_rules! klp_extern {
    ($($target:tt { $($decls:tt)* })*) => {
        $($crate::klp_extern_decls!($target; $($decls)*);)*
    };
}

/// The declarations of one object of [`klp_extern!`](crate::klp_extern).
#[doc(hidden)]
#[macro_export]
macro_rules! klp_extern_decls {
    ($target:tt;) => {};
    (
        $target:tt;
        $(#[doc = $doc:expr])*
        unsafe fn $name:ident $(@ $sympos:literal)? ($($arg:ident : $ty:ty),* $(,)?)
            $(-> $ret:ty)?;
        $($rest:tt)*
    ) => {
        extern "C" {
            $(#[doc = $doc])*
            fn $name($($arg: $ty),*) $(-> $ret)?;
        }
        const _: () = {
            const SIGNATURE: $crate::ctype::Signature =
                $crate::klp_signature!(HasCType; ($($arg: $ty),*) $(-> $ret)?);
            const SYMPOS: u32 = 0 $(+ $sympos)?;
            $crate::livepatch_record!(
                // SAFETY: `$name` is declared just above with `SIGNATURE`, linking to the
                // symbol `$name` (no `link_name`); its check is the author's (`unsafe fn`).
                unsafe {
                    $crate::ctype::Record::function(
                        $crate::livepatch_object_str!($target),
                        stringify!($name),
                        SYMPOS,
                        &SIGNATURE,
                    )
                }
                .unchecked()
            );
        };
        $crate::klp_extern_decls!($target; $($rest)*);
    };
    (
        $target:tt;
        $(#[doc = $doc:expr])*
        $vis:vis fn $name:ident $(@ $sympos:literal)? ($($arg:ident : $ty:ty),* $(,)?)
            $(-> $ret:ty)?;
        $($rest:tt)*
    ) => {
        extern "C" {
            $(#[doc = $doc])*
            $vis fn $name($($arg: $ty),*) $(-> $ret)?;
        }
        const _: () = {
            const SIGNATURE: $crate::ctype::Signature =
                $crate::klp_signature!(HasCType; ($($arg: $ty),*) $(-> $ret)?);
            const SYMPOS: u32 = 0 $(+ $sympos)?;
            $crate::livepatch_record!(
                // SAFETY: `$name` is declared just above with `SIGNATURE`, linking to the
                // symbol `$name` (no `link_name`).
                unsafe {
                    $crate::ctype::Record::function(
                        $crate::livepatch_object_str!($target),
                        stringify!($name),
                        SYMPOS,
                        &SIGNATURE,
                    )
                }
            );
        };
        $crate::klp_extern_decls!($target; $($rest)*);
    };
    (
        $target:tt;
        $(#[doc = $doc:expr])*
        $vis:vis static $name:ident $(@ $sympos:literal)? : $ty:ty;
        $($rest:tt)*
    ) => {
        extern "C" {
            $(#[doc = $doc])*
            $vis static $name: $ty;
        }
        const _: () = {
            const SLOT: $crate::ctype::Slot =
                $crate::ctype::Slot::of::<$ty>(<$ty as $crate::HasCType>::C_TYPE, stringify!($ty), "");
            const SYMPOS: u32 = 0 $(+ $sympos)?;
            $crate::livepatch_record!(
                // SAFETY: `$name` is declared just above of the type of `SLOT`, linking to the
                // symbol `$name` (no `link_name`).
                unsafe {
                    $crate::ctype::Record::variable(
                        $crate::livepatch_object_str!($target),
                        stringify!($name),
                        SYMPOS,
                        SLOT,
                    )
                }
            );
        };
        $crate::klp_extern_decls!($target; $($rest)*);
    };
}
