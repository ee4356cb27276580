// SPDX-License-Identifier: GPL-2.0
//! The comparison of one declared type (a replacement's, or a `klp_extern!` declaration's) with
//! the type of the definition it stands for (C, or a Rust target's `klp_target_fn!`).
//!
//! A pair is accepted only where the declaration promises what the definition promises, in
//! the direction values cross it ([`Flow`]); anything the tool cannot show fails:
//!
//! * the same number of pointer levels; a C array only as a (decayed) parameter;
//! * the outermost pointer: where values flow into the declaring side, a reference (never
//!   null, whether its `C_TYPE` or its Rust type says so) needs a definition that never passes
//!   null (C never does), and a pointer that writes its pointee (`*mut`) needs one that does
//!   not point to `const`; where values flow out of it, the same the other way round (a
//!   definition that returns a reference needs a replacement that returns one, a C return
//!   value or parameter without `const` needs a `*mut`);
//! * inner pointer levels (both ways through a pointer to a pointer): the same on both sides;
//! * the pointee: a `c_void` pointer (or C's `void *`) receives any pointer, but is not accepted
//!   where a named type is expected; structures by name (never an anonymous one), by value
//!   only with equal, known sizes; integers of the same width and signedness (a C enum of 4 or
//!   more bytes in either signedness); `bool` only for `_Bool`; C function pointers only into a
//!   `c_void` pointer; any other C type (floating point, vectors, what libclang cannot
//!   resolve) fails.

use crate::cdecl::CTy;
use crate::records::{Base, Niche, RustCType, Slot};

/// Which way values cross a slot, seen from the declaring side.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Flow {
    /// The definition's side makes the value, the declaring side uses it: a replacement's
    /// parameters, a `klp_extern!` function's return value, a `klp_extern!` variable.
    In,
    /// The declaring side makes the value, the definition's side uses it: a replacement's
    /// return value, a `klp_extern!` function's parameters.
    Out,
}

/// Where a slot is, for the C array rule.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Place {
    Param,
    Return,
    Variable,
}

/// How the two sides are named in messages.
#[derive(Clone, Copy, Debug)]
pub struct Sides {
    pub decl: &'static str,
    pub def: &'static str,
    /// Name whole types in base mismatches ("32-bit unsigned integer"), not C's short forms.
    pub full: bool,
}

pub const VS_C: Sides = Sides {
    decl: "Rust",
    def: "C",
    full: false,
};
pub const VS_TARGET: Sides = Sides {
    decl: "the replacement",
    def: "the target",
    full: true,
};

#[derive(Clone, Copy, Debug, PartialEq)]
struct Level {
    /// The side that makes the value guarantees it is not null.
    guaranteed: bool,
    /// The side that uses the value assumes it is not null.
    relied: bool,
    /// The pointee may be written through it.
    mutable: bool,
}

#[derive(Clone, Debug, PartialEq)]
enum SBase {
    Void,
    Bool,
    Int {
        bytes: u8,
        signed: bool,
        is_enum: bool,
    },
    Record {
        name: String,
        size: Option<u64>,
    },
    /// Rust's `c_void` pointee.
    Any,
    Function,
    Array,
    Other(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Shape {
    levels: Vec<Level>,
    base: SBase,
}

impl Shape {
    /// The shape of a C type; a C array at level 0 is a pointer where `decay` (a parameter).
    pub fn of_c(c: &CTy, decay: bool) -> Shape {
        let mut levels = vec![];
        let mut c = c;
        loop {
            match c {
                CTy::Pointer { to, konst } => {
                    levels.push(Level {
                        guaranteed: false,
                        relied: false,
                        mutable: !konst,
                    });
                    c = to;
                }
                CTy::Array { elem, konst, .. } if decay && levels.is_empty() => {
                    levels.push(Level {
                        guaranteed: false,
                        relied: false,
                        mutable: !konst,
                    });
                    c = elem;
                }
                _ => break,
            }
        }
        let base = match c {
            CTy::Void => SBase::Void,
            CTy::Bool => SBase::Bool,
            CTy::Int {
                bytes,
                signed,
                is_enum,
            } => SBase::Int {
                bytes: *bytes,
                signed: *signed,
                is_enum: *is_enum,
            },
            CTy::Record { name, size } => SBase::Record {
                name: name.clone(),
                size: *size,
            },
            CTy::Function => SBase::Function,
            CTy::Array { .. } => SBase::Array,
            CTy::Other(s) => SBase::Other(s.clone()),
            CTy::Pointer { .. } => SBase::Other("a pointer".into()),
        };
        Shape { levels, base }
    }

    /// The shape of a Rust slot: its recorded C type, and at level 0 whether the Rust type
    /// itself is never null (its niche), whatever the recorded C type says.
    pub fn of_rust(s: &Slot) -> Result<Shape, String> {
        let t: &RustCType = &s.ty;
        if !t.levels.is_empty() && s.niche == Niche::Unknown {
            return Err(format!(
                "the record of `{}` does not say whether the Rust type may be null (made with \
                 `Slot::new`, not `Slot::of`): rebuild with this version of the livepatch crate",
                s.rust_type
            ));
        }
        let levels = t
            .levels
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let niche = i == 0 && s.niche == Niche::Some;
                Level {
                    guaranteed: l.reference && (i > 0 || niche),
                    relied: l.reference || niche,
                    mutable: l.mutable,
                }
            })
            .collect();
        let base = match &t.base {
            Base::Void => SBase::Void,
            Base::Bool => SBase::Bool,
            Base::Int { bytes, signed } => SBase::Int {
                bytes: *bytes,
                signed: *signed,
                is_enum: false,
            },
            Base::Record(name, size) => SBase::Record {
                name: name.clone(),
                size: size.map(u64::from),
            },
            Base::Any => SBase::Any,
        };
        Ok(Shape { levels, base })
    }

    fn unspecified(&self) -> bool {
        matches!(self.base, SBase::Any) || (self.base == SBase::Void && !self.levels.is_empty())
    }
}

fn base_name(b: &SBase) -> String {
    match b {
        SBase::Void => "void".into(),
        SBase::Bool => "bool".into(),
        SBase::Int {
            bytes,
            signed,
            is_enum,
        } => format!(
            "{}{}-bit {} integer",
            if *is_enum { "an enum: " } else { "" },
            *bytes as u32 * 8,
            if *signed { "signed" } else { "unsigned" }
        ),
        SBase::Record { name, .. } => name.clone(),
        SBase::Any => "any type".into(),
        SBase::Function => "a function".into(),
        SBase::Array => "an array".into(),
        SBase::Other(s) => s.clone(),
    }
}

fn full_name(s: &Shape) -> String {
    let mut n = base_name(&s.base);
    for _ in &s.levels {
        n.push_str(" *");
    }
    n
}

/// Why the declared shape `d` does not promise what the definition's `f` does, if it does not.
pub fn compare(d: &Shape, f: &Shape, flow: Flow, place: Place, sides: Sides) -> Option<String> {
    let (dn, fname) = (sides.decl, sides.def);
    if f.base == SBase::Array && !(place == Place::Param && f.levels.is_empty()) {
        return Some(format!(
            "an array in {fname} (a variable, or behind a pointer): not checked (the Rust type \
             would read its first bytes as a value; declare it otherwise, or state it with \
             `unsafe`)"
        ));
    }
    let depth = d.levels.len();
    if depth != f.levels.len() {
        return Some(match (depth, f.levels.len()) {
            (0, _) => format!("a pointer in {fname}, not in {dn}"),
            (_, 0) => format!("a pointer in {dn}, not in {fname}"),
            (a, b) => format!("{a} levels of pointers in {dn}, {b} in {fname}"),
        });
    }
    if let Some(why) = compare_base(d, f, flow, sides) {
        return Some(why);
    }
    for (i, (dl, fl)) in d.levels.iter().zip(&f.levels).enumerate() {
        if i == 0 {
            let (maker, user, made, used) = match flow {
                Flow::In => (fname, dn, fl, dl),
                Flow::Out => (dn, fname, dl, fl),
            };
            if used.relied && !made.guaranteed {
                return Some(format!(
                    "{user} assumes a reference, never null, where {maker} has a pointer that \
                     may be NULL{}",
                    if flow == Flow::In {
                        " (take `Option<&T>` or a raw pointer)"
                    } else {
                        " (return a reference)"
                    }
                ));
            }
            let (reader, writer, r, w) = match flow {
                Flow::In => (fname, dn, fl, dl),
                Flow::Out => (dn, fname, dl, fl),
            };
            if w.mutable && !r.mutable {
                return Some(format!(
                    "{writer} writes through the pointer (`*mut`, or no `const` in C), {reader}'s \
                     points to `const` data (`*const T`, `&T` or `const` in C)"
                ));
            }
        } else {
            let dr = dl.relied || dl.guaranteed;
            let fr = fl.relied || fl.guaranteed;
            if dr != fr || dl.mutable != fl.mutable {
                return Some(format!(
                    "pointer level {} differs ({} in {dn}, {} in {fname}): a pointer behind a \
                     pointer must be the same on both sides",
                    i + 1,
                    level_name(dl),
                    level_name(fl)
                ));
            }
        }
    }
    None
}

/// The pointees (or values) of two shapes of the same depth.
fn compare_base(d: &Shape, f: &Shape, flow: Flow, sides: Sides) -> Option<String> {
    let (dn, fname) = (sides.decl, sides.def);
    let depth = d.levels.len();
    let inner = depth >= 2;
    let base_mismatch = || {
        Some(if sides.full {
            format!("{} in {dn}, {} in {fname}", full_name(d), full_name(f))
        } else {
            format!(
                "{} in {dn}, {} in {fname}",
                base_name(&d.base),
                base_name(&f.base)
            )
        })
    };
    match (&d.base, &f.base) {
        (SBase::Any, _) | (_, SBase::Any) if depth == 0 => {
            Some("`c_void` by value: only a pointer to it is a C type".into())
        }
        (_, SBase::Other(s)) => Some(format!("the C type `{s}` is not one klp-elf can check")),
        (SBase::Any, SBase::Function) if flow == Flow::In && !inner => None,
        (_, SBase::Function) => Some(format!(
            "a function pointer in {fname}: only a `c_void` pointer may receive one (its \
             signature is not checked), none may be given"
        )),
        _ if d.unspecified() && f.unspecified() => None,
        _ if d.unspecified() => {
            if flow == Flow::In && !inner {
                None
            } else {
                Some(format!(
                    "{dn} has a pointer to any type (`c_void`) where {fname} has one to {}",
                    base_name(&f.base)
                ))
            }
        }
        _ if f.unspecified() => {
            if flow == Flow::Out && !inner {
                None
            } else {
                Some(format!(
                    "{fname} has a pointer to any type (`void *`), {dn} one to {}",
                    base_name(&d.base)
                ))
            }
        }
        (SBase::Void, SBase::Void) | (SBase::Bool, SBase::Bool) => None,
        (
            SBase::Int { bytes, signed, .. },
            SBase::Int {
                bytes: fb,
                signed: fs,
                is_enum,
            },
        ) => {
            if bytes != fb {
                if sides.full {
                    return base_mismatch();
                }
                return Some(format!(
                    "{}-bit integer in {dn}, {}-bit in {fname}",
                    *bytes as u32 * 8,
                    *fb as u32 * 8
                ));
            }
            // An enum's values fit in either signedness of 4 bytes; smaller ones are extended
            // by the caller as their signedness says.
            if signed != fs && !(*is_enum && *fb >= 4) {
                if sides.full {
                    return base_mismatch();
                }
                let sign = |s: bool| if s { "signed" } else { "unsigned" };
                return Some(format!(
                    "{} in {dn}, {} in {fname}",
                    sign(*signed),
                    sign(*fs)
                ));
            }
            None
        }
        (SBase::Record { name: n, size: ds }, SBase::Record { name: m, size: fs }) => {
            if m.contains("(anonymous)") || n.contains("(anonymous)") {
                return Some(format!(
                    "an anonymous structure in {fname}: its identity cannot be checked"
                ));
            }
            if n != m {
                if sides.full {
                    return base_mismatch();
                }
                return Some(format!("points to {n} in {dn}, to {m} in {fname}"));
            }
            if depth == 0 && (ds.is_none() || ds != fs) {
                return Some(format!(
                    "{n} by value: sizes {} in {dn}, {} in {fname} (a structure passed by value \
                     needs the size of its Rust type: `CType::record_of`)",
                    ds.map_or("unknown".into(), |s| s.to_string()),
                    fs.map_or("unknown".into(), |s| s.to_string())
                ));
            }
            None
        }
        _ => base_mismatch(),
    }
}

fn level_name(l: &Level) -> &'static str {
    match (l.relied || l.guaranteed, l.mutable) {
        (true, true) => "`&mut`",
        (true, false) => "`&`",
        (false, true) => "`*mut`",
        (false, false) => "`*const`",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Level as RLevel;

    fn int(bytes: u8, signed: bool) -> CTy {
        CTy::Int {
            bytes,
            signed,
            is_enum: false,
        }
    }
    fn cptr(to: CTy) -> CTy {
        CTy::Pointer {
            to: Box::new(to),
            konst: false,
        }
    }
    fn cconst(to: CTy) -> CTy {
        CTy::Pointer {
            to: Box::new(to),
            konst: true,
        }
    }
    fn crec(n: &str) -> CTy {
        CTy::Record {
            name: n.into(),
            size: Some(16),
        }
    }
    const MUT: RLevel = RLevel {
        reference: false,
        mutable: true,
    };
    const CONST: RLevel = RLevel {
        reference: false,
        mutable: false,
    };
    const REF: RLevel = RLevel {
        reference: true,
        mutable: false,
    };
    /// A Rust slot: base, levels (outermost first), whether the Rust type has a niche.
    fn rs(base: Base, levels: &[RLevel], niche: bool) -> Shape {
        Shape::of_rust(&Slot {
            ty: RustCType {
                base,
                levels: levels.to_vec(),
            },
            niche: if niche { Niche::Some } else { Niche::None },
            rust_type: "T".into(),
            name: "x".into(),
        })
        .unwrap()
    }
    fn rint(bytes: u8, signed: bool) -> Base {
        Base::Int { bytes, signed }
    }
    fn rrec(n: &str) -> Base {
        Base::Record(n.into(), None)
    }
    fn c(t: CTy) -> Shape {
        Shape::of_c(&t, true)
    }
    fn param(d: &Shape, f: &Shape) -> Option<String> {
        compare(d, f, Flow::In, Place::Param, VS_C)
    }
    fn ret(d: &Shape, f: &Shape) -> Option<String> {
        compare(d, f, Flow::Out, Place::Return, VS_C)
    }

    #[test]
    fn integers() {
        assert_eq!(
            param(&rs(rint(4, true), &[], false), &c(int(4, true))),
            None
        );
        assert_eq!(
            param(&rs(rint(4, true), &[], false), &c(int(8, true))).as_deref(),
            Some("32-bit integer in Rust, 64-bit in C")
        );
        assert_eq!(
            ret(&rs(rint(8, false), &[], false), &c(int(8, true))).as_deref(),
            Some("unsigned in Rust, signed in C")
        );
        // A 4-byte enum in either signedness; a 1-byte one only in its own.
        let en = |bytes, signed| CTy::Int {
            bytes,
            signed,
            is_enum: true,
        };
        assert_eq!(
            param(&rs(rint(4, true), &[], false), &c(en(4, false))),
            None
        );
        assert!(param(&rs(rint(1, true), &[], false), &c(en(1, false))).is_some());
    }

    #[test]
    fn bool_is_not_an_integer() {
        assert_eq!(param(&rs(Base::Bool, &[], true), &c(CTy::Bool)), None);
        assert!(param(&rs(Base::Bool, &[], true), &c(int(1, false))).is_some());
        assert!(ret(&rs(rint(1, false), &[], false), &c(CTy::Bool)).is_some());
        assert!(param(&rs(rint(1, false), &[], false), &c(CTy::Bool)).is_some());
    }

    #[test]
    fn pointer_depth() {
        assert_eq!(
            param(&rs(rint(8, true), &[], false), &c(cptr(CTy::Void))).as_deref(),
            Some("a pointer in C, not in Rust")
        );
        assert_eq!(
            param(&rs(Base::Any, &[MUT], false), &c(int(8, true))).as_deref(),
            Some("a pointer in Rust, not in C")
        );
        assert!(param(&rs(Base::Any, &[MUT, MUT], false), &c(cptr(CTy::Void))).is_some());
    }

    /// A C pointer may be NULL: a parameter the Rust type says is never null does not match,
    /// whether the recorded C type or the Rust type (its niche) says so.
    #[test]
    fn nullable_c_pointer_is_not_a_reference() {
        let seq = || c(cptr(crec("struct seq_file")));
        // `Option<&SeqFile>` (no niche, recorded as a pointer), `*mut seq_file`.
        assert_eq!(
            param(&rs(rrec("struct seq_file"), &[MUT], false), &seq()),
            None
        );
        // `&SeqFile` recorded as a pointer (`CType::pointer()`), but never null in Rust.
        let e = param(&rs(rrec("struct seq_file"), &[MUT], true), &seq()).unwrap();
        assert!(e.contains("Rust assumes a reference, never null, where C has a pointer"));
        // `&T` recorded as a reference.
        assert!(param(
            &rs(rrec("struct seq_file"), &[REF], true),
            &c(cconst(crec("struct seq_file")))
        )
        .is_some());
        // A `klp_extern!` function returning `&T` for a C pointer.
        assert!(compare(
            &rs(rint(4, false), &[REF], true),
            &c(cconst(int(4, false))),
            Flow::In,
            Place::Return,
            VS_C
        )
        .is_some());
        // A `klp_extern!` variable of a reference type.
        assert!(compare(
            &rs(rint(1, true), &[REF], true),
            &c(cptr(int(1, true))),
            Flow::In,
            Place::Variable,
            VS_C
        )
        .is_some());
        // Passing a reference to C is fine.
        assert_eq!(
            compare(
                &rs(rint(4, false), &[REF], true),
                &c(cconst(int(4, false))),
                Flow::Out,
                Place::Param,
                VS_C
            ),
            None
        );
    }

    /// A replacement that writes where C passes `const`, or hands out read-only data where C
    /// writes.
    #[test]
    fn constness() {
        let regs = || crec("struct pt_regs");
        assert_eq!(
            param(
                &rs(rrec("struct pt_regs"), &[CONST], false),
                &c(cconst(regs()))
            ),
            None
        );
        let e = param(
            &rs(rrec("struct pt_regs"), &[MUT], false),
            &c(cconst(regs())),
        )
        .unwrap();
        assert!(e.starts_with("Rust writes through the pointer"), "{e}");
        // Receiving a `*const` for a C `T *` is fine; returning one is not.
        assert_eq!(
            param(
                &rs(rint(4, false), &[CONST], false),
                &c(cptr(int(4, false)))
            ),
            None
        );
        let e = ret(
            &rs(rint(4, false), &[CONST], false),
            &c(cptr(int(4, false))),
        )
        .unwrap();
        assert!(e.starts_with("C writes through the pointer"), "{e}");
        assert_eq!(
            ret(
                &rs(rint(4, false), &[MUT], false),
                &c(cconst(int(4, false)))
            ),
            None
        );
        // A `klp_extern!` function: Rust passing `*const` where C takes `T *`.
        assert!(compare(
            &rs(rint(4, false), &[CONST], false),
            &c(cptr(int(4, false))),
            Flow::Out,
            Place::Param,
            VS_C
        )
        .is_some());
        // Inner levels: the same on both sides.
        assert!(param(
            &rs(rint(1, true), &[MUT, MUT], false),
            &c(cptr(cconst(int(1, true))))
        )
        .is_some());
        assert_eq!(
            param(
                &rs(rint(1, true), &[MUT, CONST], false),
                &c(cptr(cconst(int(1, true))))
            ),
            None
        );
    }

    #[test]
    fn structures() {
        assert_eq!(
            param(
                &rs(rrec("struct a"), &[MUT], false),
                &c(cptr(crec("struct b")))
            )
            .as_deref(),
            Some("points to struct a in Rust, to struct b in C")
        );
        let anon = c(cptr(CTy::Record {
            name: "struct (anonymous)".into(),
            size: Some(8),
        }));
        assert!(param(&rs(rrec("struct (anonymous)"), &[MUT], false), &anon).is_some());
        // By value: the sizes, known on both sides.
        assert!(param(&rs(rrec("struct b"), &[], false), &c(crec("struct b"))).is_some());
        assert_eq!(
            param(
                &rs(Base::Record("struct b".into(), Some(16)), &[], false),
                &c(crec("struct b"))
            ),
            None
        );
        assert!(param(
            &rs(Base::Record("struct b".into(), Some(8)), &[], false),
            &c(crec("struct b"))
        )
        .is_some());
    }

    #[test]
    fn void_pointers() {
        // Receiving any pointer as `*mut c_void`.
        assert_eq!(
            param(&rs(Base::Any, &[MUT], false), &c(cptr(crec("struct x")))),
            None
        );
        // Claiming a structure where C passes `void *`.
        assert!(param(&rs(rrec("struct x"), &[MUT], false), &c(cptr(CTy::Void))).is_some());
        // Returning `*mut c_void` where C returns `struct x *`: not shown.
        assert!(ret(&rs(Base::Any, &[MUT], false), &c(cptr(crec("struct x")))).is_some());
        // Returning `*mut x` where C returns `void *`.
        assert_eq!(
            ret(&rs(rrec("struct x"), &[MUT], false), &c(cptr(CTy::Void))),
            None
        );
        // `c_void` by value.
        assert!(param(&rs(Base::Any, &[], false), &c(int(4, true))).is_some());
    }

    #[test]
    fn function_pointers() {
        let f = || c(cptr(CTy::Function));
        assert_eq!(param(&rs(Base::Any, &[MUT], false), &f()), None);
        assert!(ret(&rs(Base::Any, &[MUT], false), &f()).is_some());
        assert!(compare(
            &rs(Base::Any, &[MUT], false),
            &f(),
            Flow::Out,
            Place::Param,
            VS_C
        )
        .is_some());
    }

    #[test]
    fn arrays() {
        let arr = CTy::Array {
            elem: Box::new(int(1, true)),
            len: Some(16),
            konst: false,
        };
        // A parameter: a pointer.
        assert_eq!(
            param(&rs(rint(1, true), &[MUT], false), &c(arr.clone())),
            None
        );
        // A variable: not a pointer.
        assert!(compare(
            &rs(rint(1, true), &[MUT], false),
            &Shape::of_c(&arr, false),
            Flow::In,
            Place::Variable,
            VS_C
        )
        .is_some());
    }

    #[test]
    fn unresolved_c_types_fail() {
        assert!(param(
            &rs(rint(8, false), &[], false),
            &c(CTy::Other("double".into()))
        )
        .is_some());
        // An integer libclang could not size.
        assert!(param(&rs(rint(4, true), &[], false), &c(int(0, true))).is_some());
    }

    #[test]
    fn unknown_niche_fails() {
        let s = Slot {
            ty: RustCType {
                base: Base::Any,
                levels: vec![MUT],
            },
            niche: Niche::Unknown,
            rust_type: "*mut c_void".into(),
            name: "x".into(),
        };
        assert!(Shape::of_rust(&s).is_err());
    }

    /// Against a Rust target's `klp_target_fn!`: the target's references are promises.
    #[test]
    fn rust_targets() {
        let t = |d: &Shape, f: &Shape, flow| compare(d, f, flow, Place::Param, VS_TARGET);
        let u32_ = || rint(4, false);
        // The target returns `&'static u32`; the replacement `*const u32`.
        let e = t(
            &rs(u32_(), &[CONST], false),
            &rs(u32_(), &[REF], true),
            Flow::Out,
        )
        .unwrap();
        assert!(
            e.starts_with("the target assumes a reference, never null"),
            "{e}"
        );
        assert_eq!(
            t(
                &rs(u32_(), &[REF], true),
                &rs(u32_(), &[REF], true),
                Flow::Out
            ),
            None
        );
        // The target passes `&Dummy`: the replacement may take `*const`, not `*mut`.
        let dummy = || rrec("struct dummy");
        assert_eq!(
            t(
                &rs(dummy(), &[CONST], false),
                &rs(dummy(), &[REF], true),
                Flow::In
            ),
            None
        );
        assert!(t(
            &rs(dummy(), &[MUT], false),
            &rs(dummy(), &[REF], true),
            Flow::In
        )
        .is_some());
        // The target passes `*mut Dummy` (may be null): not a reference.
        assert!(t(
            &rs(dummy(), &[REF], true),
            &rs(dummy(), &[MUT], false),
            Flow::In
        )
        .is_some());
        // A `c_void` pointer in the target, a named one in the replacement.
        assert!(t(
            &rs(dummy(), &[CONST], false),
            &rs(Base::Any, &[CONST], false),
            Flow::In
        )
        .is_some());
        assert_eq!(
            t(
                &rs(u32_(), &[], false),
                &rs(rint(8, false), &[], false),
                Flow::In
            )
            .as_deref(),
            Some(
                "32-bit unsigned integer in the replacement, 64-bit unsigned integer in the target"
            )
        );
        assert_eq!(
            t(
                &rs(u32_(), &[], false),
                &rs(dummy(), &[CONST], false),
                Flow::In
            )
            .as_deref(),
            Some("a pointer in the target, not in the replacement")
        );
    }
}
