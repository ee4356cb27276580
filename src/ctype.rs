// SPDX-License-Identifier: GPL-2.0

//! The C types of replacement functions and of declared kernel symbols, checked at build time.
//!
//! Each Rust type that crosses into C says which C type it stands for ([`HasCType`]). The macros
//! record, for every [`klp_func!`](crate::klp_func) replacement bound to an `old_name` in
//! [`module_livepatch!`](crate::module_livepatch) and every symbol declared with
//! [`klp_extern!`](crate::klp_extern), the object and name of the C function or variable and the
//! C types of the Rust declaration, in a [`Record`] placed in the `.discard.klp.records` section
//! of the module's object. The build tool `tools/klp-elf` reads the records before `modpost`,
//! finds each C definition in the configured kernel (or target module) with libclang and the
//! compiler flags Kbuild used for its file, and fails the build on a mismatch: number of
//! parameters, integer width and signedness, pointer or value, and the name of the structure a
//! pointer points to where the Rust type names one. The linker discards the section: the loaded
//! module carries none of it.
//!
//! C header: [`include/linux/livepatch.h`](srctree/include/linux/livepatch.h)

use core::ffi::c_void;

/// What a C type is, as far as the build-time check compares it.
///
/// A chain of `depth` pointers to a base type: `int` is depth 0 and base `int` (4 bytes, signed);
/// `struct seq_file *` is depth 1 and base `struct seq_file`; `void *` is depth 1 and base
/// `void`. A pointer to [`c_void`] in Rust is a pointer to anything: its base is "any", which
/// the replacement of a function may receive for every C pointee (the author chose not to name
/// it), but not return where the C code expects a named one.
///
/// Each pointer level, 0 the outermost, says whether it is a reference (non-null: `&T`) and
/// whether its pointee may be written through it (`*mut T`, `&mut T`; not `*const T`, `&T`).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct CType {
    base: u8,
    signed: u8,
    depth: u8,
    /// Bit `i`: pointer level `i` is a reference, never null.
    nonnull: u8,
    /// Bit `i`: the pointee of pointer level `i` may be written through it.
    mutable: u8,
    _reserved: [u8; 3],
    /// The size of the base type in bytes (0: unknown, for a structure named only).
    size: u32,
    name: [u8; 48],
}

const BASE_VOID: u8 = 0;
const BASE_INT: u8 = 1;
const BASE_BOOL: u8 = 2;
const BASE_RECORD: u8 = 3;
const BASE_ANY: u8 = 4;

/// The most pointer levels a [`CType`] describes.
const MAX_DEPTH: u8 = 8;

impl CType {
    const fn base(base: u8, size: usize, signed: bool) -> Self {
        Self {
            base,
            signed: signed as u8,
            depth: 0,
            nonnull: 0,
            mutable: 0,
            _reserved: [0; 3],
            size: size as u32,
            name: [0; 48],
        }
    }

    /// C's `void`, as a return type.
    pub const VOID: Self = Self::base(BASE_VOID, 0, false);

    /// A C integer of `size` bytes.
    pub const fn int(size: usize, signed: bool) -> Self {
        Self::base(BASE_INT, size, signed)
    }

    /// C's `bool` (`_Bool`).
    pub const BOOL: Self = Self::base(BASE_BOOL, 1, false);

    /// Any type: the pointee of a Rust pointer to [`c_void`], unchecked.
    pub const ANY: Self = Self::base(BASE_ANY, 0, false);

    /// The C structure or union `name`, e.g. `"struct seq_file"`, of unknown size: only behind
    /// a pointer (by value, the build cannot show that the sizes agree).
    pub const fn record(name: &str) -> Self {
        let mut t = Self::base(BASE_RECORD, 0, false);
        t.name = bytes(name);
        t
    }

    /// The C structure or union `name` that `T` translates (its size is compared too).
    pub const fn record_of<T>(name: &str) -> Self {
        let mut t = Self::record(name);
        t.size = core::mem::size_of::<T>() as u32;
        t
    }

    const fn level(self, nonnull: bool, mutable: bool) -> Self {
        let mut t = self;
        assert!(
            t.depth < MAX_DEPTH,
            "too many pointer levels for the signature check"
        );
        t.depth += 1;
        t.nonnull = (t.nonnull << 1) | nonnull as u8;
        t.mutable = (t.mutable << 1) | mutable as u8;
        t
    }

    /// A pointer to `self` that may be null and lets its pointee be written: C's `T *`, Rust's
    /// `*mut T`.
    pub const fn pointer(self) -> Self {
        self.level(false, true)
    }

    /// A pointer to `self` that may be null and only reads its pointee: C's `const T *`, Rust's
    /// `*const T`.
    pub const fn const_pointer(self) -> Self {
        self.level(false, false)
    }

    /// A shared reference to `self`: never null, reads its pointee (`&T`).
    pub const fn reference(self) -> Self {
        self.level(true, false)
    }

    /// A mutable reference to `self`: never null, writes its pointee (`&mut T`).
    pub const fn mut_reference(self) -> Self {
        self.level(true, true)
    }
}

/// A Rust type that stands for a C type, for the build-time checks of signatures.
///
/// # Safety
///
/// [`HasCType::C_TYPE`] describes a C type with the size, alignment and calling convention of
/// `Self`.
pub unsafe trait HasCType {
    /// The C type.
    const C_TYPE: CType;
}

macro_rules! impl_int {
    ($($t:ty => $signed:literal),*) => {
        $(
            // SAFETY: The C integer of the same size and signedness.
            unsafe impl HasCType for $t {
                const C_TYPE: CType = CType::int(core::mem::size_of::<$t>(), $signed);
            }
        )*
    };
}
impl_int!(i8 => true, u8 => false, i16 => true, u16 => false, i32 => true, u32 => false,
    i64 => true, u64 => false, isize => true, usize => false);

// SAFETY: `bool` has the layout of C's `_Bool`.
unsafe impl HasCType for bool {
    const C_TYPE: CType = CType::BOOL;
}

// SAFETY: `()` is the Rust return type of a C `void` function.
unsafe impl HasCType for () {
    const C_TYPE: CType = CType::VOID;
}

// SAFETY: Only used behind a pointer, whose pointee it leaves unchecked.
unsafe impl HasCType for c_void {
    const C_TYPE: CType = CType::ANY;
}

// SAFETY: A C pointer to the C type of `T`.
unsafe impl<T: HasCType> HasCType for *mut T {
    const C_TYPE: CType = T::C_TYPE.pointer();
}

// SAFETY: A C pointer to the `const` C type of `T`.
unsafe impl<T: HasCType> HasCType for *const T {
    const C_TYPE: CType = T::C_TYPE.const_pointer();
}

// SAFETY: A reference has the ABI of a (non-null) pointer to `T`.
unsafe impl<T: HasCType> HasCType for &T {
    const C_TYPE: CType = T::C_TYPE.reference();
}

// SAFETY: A reference has the ABI of a (non-null) pointer to `T`.
unsafe impl<T: HasCType> HasCType for &mut T {
    const C_TYPE: CType = T::C_TYPE.mut_reference();
}

/// One parameter, return value or variable of a [`Record`]: the C type, and the Rust type and
/// name as written, for the tool's messages.
///
/// `niche` says whether the Rust type itself has invalid values, as a reference has null: for
/// a pointer, whether the Rust code assumes it is never null, whatever [`CType`] its
/// [`HasCType`] or [`FfiArg`](crate::FfiArg) implementation states.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Slot {
    c_type: CType,
    rust_type: [u8; 48],
    name: [u8; 32],
    niche: u8,
    _reserved: [u8; 3],
}

const NICHE_UNKNOWN: u8 = 0;
const NICHE_NONE: u8 = 1;
const NICHE_SOME: u8 = 2;

impl Slot {
    /// An unused slot.
    const NONE: Self = Self {
        c_type: CType::VOID,
        rust_type: [0; 48],
        name: [0; 32],
        niche: NICHE_NONE,
        _reserved: [0; 3],
    };

    /// The slot of a parameter `name` of Rust type `rust_type` (as written), C type `c_type`,
    /// without the Rust type's niche: the build refuses a pointer slot made so.
    pub const fn new(c_type: CType, rust_type: &str, name: &str) -> Self {
        Self {
            c_type,
            rust_type: bytes(rust_type),
            name: bytes(name),
            niche: NICHE_UNKNOWN,
            _reserved: [0; 3],
        }
    }

    /// The slot of a parameter `name` of Rust type `T` (written `rust_type`), C type `c_type`.
    pub const fn of<T>(c_type: CType, rust_type: &str, name: &str) -> Self {
        let mut s = Self::new(c_type, rust_type, name);
        // A type with a niche (`&T`, `bool`) is as small as its `Option`.
        s.niche = if core::mem::size_of::<Option<T>>() == core::mem::size_of::<T>() {
            NICHE_SOME
        } else {
            NICHE_NONE
        };
        s
    }
}

/// The most parameters a checked function may have (the x86-64 ABI passes six in registers).
pub const MAX_PARAMS: usize = 8;

/// The C signature of a Rust function: its return type and parameters.
#[derive(Clone, Copy)]
pub struct Signature {
    ret: Slot,
    params: [Slot; MAX_PARAMS],
    count: u8,
}

impl Signature {
    /// A signature returning `ret`, without parameters yet.
    pub const fn new(ret: Slot) -> Self {
        Self {
            ret,
            params: [Slot::NONE; MAX_PARAMS],
            count: 0,
        }
    }

    /// The signature with the parameter `param` added last.
    pub const fn param(mut self, param: Slot) -> Self {
        assert!(
            (self.count as usize) < MAX_PARAMS,
            "too many parameters for the signature check"
        );
        self.params[self.count as usize] = param;
        self.count += 1;
        self
    }
}

/// A record for the build tool: what one declaration claims about the C code.
///
/// The tool trusts records: a record that does not describe its declaration (a definition a Rust
/// target does not have, a signature other than the function's) would make the build accept what
/// it must refuse. So the constructors are `unsafe`, and only the macros call them, on the
/// declaration they expand to in the same invocation.
///
/// Placed by the macros in the `.discard.klp.records` section of the module's object, which the
/// tool reads and the module linker script discards.
#[repr(C)]
pub struct Record {
    magic: [u8; 8],
    kind: u8,
    count: u8,
    unchecked: u8,
    _reserved: u8,
    sympos: u32,
    object: [u8; 56],
    name: [u8; 128],
    rust: [u8; 64],
    ret: Slot,
    params: [Slot; MAX_PARAMS],
}

/// The first bytes of a record; the digit is the version of this layout.
const MAGIC: [u8; 8] = *b"KLPREC2\0";

const RECORD_REPLACEMENT: u8 = 1;
const RECORD_FUNCTION: u8 = 2;
const RECORD_VARIABLE: u8 = 3;
const RECORD_OBJECT: u8 = 4;
const RECORD_DEFINITION: u8 = 5;

impl Record {
    const fn new(kind: u8, object: &str, name: &str, sympos: u32, rust: &str) -> Self {
        Self {
            magic: MAGIC,
            kind,
            count: 0,
            unchecked: 0,
            _reserved: 0,
            sympos,
            object: bytes(object),
            name: bytes(name),
            rust: bytes(rust),
            ret: Slot::NONE,
            params: [Slot::NONE; MAX_PARAMS],
        }
    }

    const fn with_signature(mut self, sig: &Signature) -> Self {
        self.ret = sig.ret;
        self.params = sig.params;
        self.count = sig.count;
        self
    }

    /// `old_name` (at `sympos`) of `object` is replaced by the function `rust` of signature `sig`.
    ///
    /// # Safety
    ///
    /// `sig` is the signature of the replacement `rust` that the module's patch binds to
    /// `old_name` in `object`.
    pub const unsafe fn replacement(
        object: &str,
        old_name: &str,
        sympos: u32,
        rust: &str,
        sig: &Signature,
    ) -> Self {
        Self::new(RECORD_REPLACEMENT, object, old_name, sympos, rust).with_signature(sig)
    }

    /// The function `name` (at `sympos`) of `object` is declared with signature `sig`.
    ///
    /// # Safety
    ///
    /// The module declares `name` with `sig` and links to the symbol `name` of `object`.
    pub const unsafe fn function(object: &str, name: &str, sympos: u32, sig: &Signature) -> Self {
        Self::new(RECORD_FUNCTION, object, name, sympos, name).with_signature(sig)
    }

    /// The variable `name` (at `sympos`) of `object` is declared of type `ty`.
    ///
    /// # Safety
    ///
    /// The module declares `name` with `ty` and links to the symbol `name` of `object`.
    pub const unsafe fn variable(object: &str, name: &str, sympos: u32, ty: Slot) -> Self {
        let mut r = Self::new(RECORD_VARIABLE, object, name, sympos, name);
        r.ret = ty;
        r
    }

    /// The record, whose claim the author states with `unsafe` instead of the build checking it.
    pub const fn unchecked(mut self) -> Self {
        self.unchecked = 1;
        self
    }

    /// The patch has an object `object`.
    ///
    /// # Safety
    ///
    /// The module's patch has the object `object`.
    pub const unsafe fn object(object: &str) -> Self {
        Self::new(RECORD_OBJECT, object, "", 0, "")
    }

    /// This module, a Rust livepatch target, defines the C-ABI function `name` with signature
    /// `sig`, which replacements of it are checked against.
    ///
    /// # Safety
    ///
    /// The module defines the global C-ABI function `name` with the signature `sig`.
    pub const unsafe fn definition(name: &str, sig: &Signature) -> Self {
        Self::new(RECORD_DEFINITION, "", name, 0, name).with_signature(sig)
    }
}

/// `s` in a zero-padded array, always zero-terminated; a longer `s` fails the build.
const fn bytes<const N: usize>(s: &str) -> [u8; N] {
    let b = s.as_bytes();
    assert!(b.len() < N, "name too long for a livepatch build record");
    let mut out = [0; N];
    let mut i = 0;
    while i < b.len() {
        out[i] = b[i];
        i += 1;
    }
    out
}

/// The layout of the records, for the build tool, which compiles this file too
/// (`tools/klp-elf/src/records.rs`): one definition for both.
#[doc(hidden)]
pub mod layout {
    #![allow(missing_docs)]

    use super::{CType, Record, Slot};
    use core::mem::{offset_of, size_of};

    /// The first 8 bytes of every record.
    pub const MAGIC: [u8; 8] = super::MAGIC;
    /// The size of a [`Record`].
    pub const RECORD: usize = size_of::<Record>();
    /// The size of a [`Slot`].
    pub const SLOT: usize = size_of::<Slot>();
    /// The most parameters of a record.
    pub const MAX_PARAMS: usize = super::MAX_PARAMS;
    /// The most pointer levels of a [`CType`].
    pub const MAX_DEPTH: u8 = super::MAX_DEPTH;

    /// Offsets in a [`Record`].
    pub const R_KIND: usize = offset_of!(Record, kind);
    pub const R_COUNT: usize = offset_of!(Record, count);
    pub const R_UNCHECKED: usize = offset_of!(Record, unchecked);
    pub const R_SYMPOS: usize = offset_of!(Record, sympos);
    pub const R_OBJECT: (usize, usize) = (offset_of!(Record, object), 56);
    pub const R_NAME: (usize, usize) = (offset_of!(Record, name), 128);
    pub const R_RUST: (usize, usize) = (offset_of!(Record, rust), 64);
    pub const R_RET: usize = offset_of!(Record, ret);
    pub const R_PARAMS: usize = offset_of!(Record, params);

    /// Offsets in a [`Slot`].
    pub const S_CTYPE: usize = offset_of!(Slot, c_type);
    pub const S_RUST_TYPE: (usize, usize) = (offset_of!(Slot, rust_type), 48);
    pub const S_NAME: (usize, usize) = (offset_of!(Slot, name), 32);
    pub const S_NICHE: usize = offset_of!(Slot, niche);

    /// Offsets in a [`CType`].
    pub const T_BASE: usize = offset_of!(CType, base);
    pub const T_SIGNED: usize = offset_of!(CType, signed);
    pub const T_DEPTH: usize = offset_of!(CType, depth);
    pub const T_NONNULL: usize = offset_of!(CType, nonnull);
    pub const T_MUTABLE: usize = offset_of!(CType, mutable);
    pub const T_SIZE: usize = offset_of!(CType, size);
    pub const T_NAME: (usize, usize) = (offset_of!(CType, name), 48);

    /// Base types of a [`CType`].
    pub const BASE_VOID: u8 = super::BASE_VOID;
    pub const BASE_INT: u8 = super::BASE_INT;
    pub const BASE_BOOL: u8 = super::BASE_BOOL;
    pub const BASE_RECORD: u8 = super::BASE_RECORD;
    pub const BASE_ANY: u8 = super::BASE_ANY;

    /// Niches of a [`Slot`].
    pub const NICHE_UNKNOWN: u8 = super::NICHE_UNKNOWN;
    pub const NICHE_NONE: u8 = super::NICHE_NONE;
    pub const NICHE_SOME: u8 = super::NICHE_SOME;

    /// Kinds of a [`Record`].
    pub const RECORD_REPLACEMENT: u8 = super::RECORD_REPLACEMENT;
    pub const RECORD_FUNCTION: u8 = super::RECORD_FUNCTION;
    pub const RECORD_VARIABLE: u8 = super::RECORD_VARIABLE;
    pub const RECORD_OBJECT: u8 = super::RECORD_OBJECT;
    pub const RECORD_DEFINITION: u8 = super::RECORD_DEFINITION;

    // The tool reads records at 4-byte steps: no padding between records in the section.
    const _: () = assert!(RECORD & 3 == 0 && core::mem::align_of::<Record>() == 4);
}
