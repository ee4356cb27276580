// SPDX-License-Identifier: GPL-2.0
//! `klp-elf check`: the signatures of replacement functions and declared symbols against the
//! C definitions of their targets, and the symbols `modpost` must accept.

use crate::cdecl::{CDecl, CTy, CType, Finder};
use crate::records::{self, Base, Kind, Record, RustCType};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Why the Rust type `r` is not the C type `c`, if it is not.
fn mismatch(r: &RustCType, c: &CTy) -> Option<String> {
    let mut c = c;
    for level in 0..r.depth {
        match c {
            CTy::Pointer(inner) => c = inner,
            CTy::Array { elem, .. } if level == 0 => c = elem,
            _ => {
                return Some(if level == 0 {
                    "a pointer in Rust, not in C".into()
                } else {
                    format!("{} levels of pointers in Rust, {level} in C", r.depth)
                })
            }
        }
    }
    let ok = match (&r.base, c) {
        (Base::Any, _) => true,
        (Base::Void, CTy::Void) | (Base::Bool, CTy::Bool) => true,
        (
            Base::Int { bytes, signed },
            CTy::Int {
                bytes: cb,
                signed: cs,
                is_enum,
            },
        ) => {
            if bytes != cb {
                return Some(format!(
                    "{}-bit integer in Rust, {}-bit in C",
                    bytes * 8,
                    cb * 8
                ));
            }
            if signed != cs && !is_enum {
                return Some(format!(
                    "{} in Rust, {} in C",
                    if *signed { "signed" } else { "unsigned" },
                    if *cs { "signed" } else { "unsigned" }
                ));
            }
            true
        }
        (Base::Record(n), CTy::Record(m)) => {
            if n != m {
                return Some(format!("points to {n} in Rust, to {m} in C"));
            }
            true
        }
        _ => false,
    };
    if ok {
        return None;
    }
    Some(match c {
        CTy::Pointer(_) if r.depth == 0 => "a pointer in C, not in Rust".into(),
        CTy::Pointer(_) => format!("more levels of pointers in C than the {} in Rust", r.depth),
        _ => format!("{r} in Rust, {} in C", describe(c)),
    })
}

fn describe(c: &CTy) -> String {
    match c {
        CTy::Void => "void".into(),
        CTy::Bool => "bool".into(),
        CTy::Int {
            bytes,
            signed,
            is_enum,
        } => format!(
            "{}{}-bit {} integer",
            if *is_enum { "an enum: " } else { "" },
            *bytes as u32 * 8,
            if *signed { "signed" } else { "unsigned" }
        ),
        CTy::Pointer(p) => format!("{} *", describe(p)),
        CTy::Record(n) => n.clone(),
        CTy::Function => "a function".into(),
        CTy::Array { .. } => "an array".into(),
        CTy::Other(s) => s.clone(),
    }
}

/// `name`'s C prototype, for messages.
pub fn prototype(name: &str, decl: &CDecl) -> String {
    match decl {
        CDecl::Func {
            ret,
            params,
            variadic,
        } => {
            let mut s = format!("{} {name}(", ret.spelling);
            for (i, p) in params.iter().enumerate() {
                let _ = write!(
                    s,
                    "{}{} {}",
                    if i > 0 { ", " } else { "" },
                    p.ty.spelling,
                    p.name
                );
            }
            if *variadic {
                s.push_str(", ...");
            }
            s + ")"
        }
        CDecl::Var { ty } => format!("{} {name}", ty.spelling),
    }
}

fn what(r: &Record) -> String {
    let pos = if r.sympos > 0 {
        format!(" (sympos {})", r.sympos)
    } else {
        String::new()
    };
    match r.kind {
        Kind::Replacement => format!(
            "{}, the replacement of {}{pos} of {},",
            r.rust, r.name, r.object
        ),
        Kind::Function => format!("klp_extern! function {}{pos} of {}", r.name, r.object),
        Kind::Variable => format!("klp_extern! variable {}{pos} of {}", r.name, r.object),
        Kind::Object => r.object.clone(),
        Kind::Definition => format!("klp_target_fn! {}", r.name),
    }
}

fn slot_error(
    r: &Record,
    i: Option<usize>,
    s: &records::Slot,
    c: &CType,
    cname: &str,
    why: &str,
) -> String {
    let place = match i {
        Some(i) => format!("parameter {} `{}` (C `{cname}`)", i + 1, s.name),
        None if r.kind == Kind::Variable => "type".into(),
        None => "return type".into(),
    };
    format!(
        "{} does not match C: {place}: the C type is `{}`, the Rust type `{}`: {why}",
        what(r),
        c.spelling,
        s.rust_type
    )
}

/// The errors of one record against its C definition.
fn check_record(r: &Record, decl: &CDecl) -> Vec<String> {
    let mut errors = vec![];
    match (r.kind, decl) {
        (Kind::Variable, CDecl::Var { ty }) => {
            if let Some(why) = mismatch(&r.ret.ty, &ty.ty) {
                errors.push(slot_error(r, None, &r.ret, ty, "", &why));
            }
        }
        (Kind::Variable, CDecl::Func { .. }) => {
            errors.push(format!("{}: {} is a function in C", what(r), r.name))
        }
        (_, CDecl::Var { .. }) => {
            errors.push(format!("{}: {} is a variable in C", what(r), r.name))
        }
        (
            _,
            CDecl::Func {
                ret,
                params,
                variadic,
            },
        ) => {
            if *variadic {
                errors.push(format!(
                    "{}: {} is variadic in C: not supported",
                    what(r),
                    r.name
                ));
            }
            if params.len() != r.params.len() {
                errors.push(format!(
                    "{} does not match C: {} parameters in C, {} in Rust",
                    what(r),
                    params.len(),
                    r.params.len()
                ));
                return errors;
            }
            if let Some(why) = mismatch(&r.ret.ty, &ret.ty) {
                errors.push(slot_error(r, None, &r.ret, ret, "", &why));
            }
            for (i, (s, c)) in r.params.iter().zip(params).enumerate() {
                if let Some(why) = mismatch(&s.ty, &c.ty.ty) {
                    errors.push(slot_error(r, Some(i), s, &c.ty, &c.name, &why));
                }
            }
        }
    }
    errors
}

/// Why the replacement's Rust type `r` is not the Rust target's `d`, if it is not: the same
/// comparison as against C, a pointer to `c_void` on either side matching any pointer.
fn rust_mismatch(r: &RustCType, d: &RustCType) -> Option<String> {
    if r.depth != d.depth {
        return Some(match (r.depth, d.depth) {
            (0, _) => "a pointer in the target, not in the replacement".into(),
            (_, 0) => "a pointer in the replacement, not in the target".into(),
            (a, b) => format!("{a} levels of pointers in the replacement, {b} in the target"),
        });
    }
    match (&r.base, &d.base) {
        (Base::Any, _) | (_, Base::Any) if r.depth > 0 => None,
        (a, b) if a == b => None,
        _ => Some(format!("{r} in the replacement, {d} in the target")),
    }
}

/// The errors of a replacement `r` against the definition `d` of a Rust target module.
fn check_rust_record(r: &Record, d: &Record) -> Vec<String> {
    let mut errors = vec![];
    if r.kind != Kind::Replacement {
        return vec![format!(
            "{}: {} is defined in Rust (klp_target_fn!): only replacements are checked against it",
            what(r),
            r.name
        )];
    }
    if r.params.len() != d.params.len() {
        return vec![format!(
            "{} does not match the Rust target: {} parameters in the target, {} in the replacement",
            what(r),
            d.params.len(),
            r.params.len()
        )];
    }
    let slots = std::iter::once((None, &r.ret, &d.ret)).chain(
        r.params
            .iter()
            .zip(&d.params)
            .enumerate()
            .map(|(i, (s, t))| (Some(i), s, t)),
    );
    for (i, s, t) in slots {
        if let Some(why) = rust_mismatch(&s.ty, &t.ty) {
            let place = match i {
                Some(i) => format!("parameter {} `{}` (target `{}`)", i + 1, s.name, t.name),
                None => "return type".into(),
            };
            errors.push(format!(
                "{} does not match the Rust target: {place}: the target's type is `{}`, the \
                 replacement's `{}`: {why}",
                what(r),
                t.rust_type,
                s.rust_type
            ));
        }
    }
    errors
}

/// The `klp_target_fn!` definitions of a Rust target module, if `module` is one (its objects
/// have definition records); `None` for a C module or a Rust module without any.
fn rust_definitions(
    finder: &Finder,
    module: &str,
) -> Result<Option<(PathBuf, Vec<Record>)>, String> {
    let Ok((modfile, objects)) = finder.module_objects(module) else {
        return Ok(None);
    };
    let mut defs = vec![];
    for o in &objects {
        let Ok(data) = std::fs::read(o) else { continue };
        let recs = records::read(&data).map_err(|e| format!("{}: {e}", o.display()))?;
        defs.extend(recs.into_iter().filter(|r| r.kind == Kind::Definition));
    }
    Ok((!defs.is_empty()).then_some((modfile, defs)))
}

/// Names exported by the kernel (its `Module.symvers`).
pub fn exported(kdir: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(kdir.join("Module.symvers"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split('\t').nth(1).map(String::from))
        .collect()
}

pub fn check(kdir: &Path, modules: &[PathBuf], obj: &Path, symvers: &Path) -> Result<(), String> {
    let data = std::fs::read(obj).map_err(|e| format!("{}: {e}", obj.display()))?;
    let recs = records::read(&data).map_err(|e| format!("{}: {e}", obj.display()))?;
    let objects: BTreeSet<&str> = recs
        .iter()
        .filter(|r| r.kind == Kind::Object)
        .map(|r| r.object.as_str())
        .collect();
    let mut errors = vec![];
    let mut names = BTreeSet::new();
    let mut finder = None;
    let mut rust_defs = std::collections::HashMap::new();
    let exported = exported(kdir);
    for r in recs
        .iter()
        .filter(|r| r.kind != Kind::Object && r.kind != Kind::Definition)
    {
        // A declared symbol the kernel exports is checked like the others, and linked as usual.
        let is_exported = r.object == "vmlinux" && exported.contains(&r.name);
        if r.kind != Kind::Replacement && !is_exported {
            if !objects.contains(r.object.as_str()) {
                errors.push(format!(
                    "{}: the patch has no object {}: its livepatch relocations would never be applied (add `ID: {}` to the objects of module_livepatch!)",
                    what(r),
                    r.object,
                    if r.object == "vmlinux" {
                        "vmlinux".to_string()
                    } else {
                        format!("\"{}\"", r.object)
                    }
                ));
            }
            if !names.insert(r.name.clone()) {
                errors.push(format!("{}: declared twice in one module", what(r)));
            }
        }
        if r.unchecked {
            continue;
        }
        if finder.is_none() {
            finder = Some(crate::cdecl::Finder::new(kdir, modules)?);
        }
        let finder: &mut Finder = finder.as_mut().ok_or("no finder")?;
        if r.object != "vmlinux" {
            if !rust_defs.contains_key(&r.object) {
                rust_defs.insert(r.object.clone(), rust_definitions(finder, &r.object)?);
            }
            if let Some(Some((modfile, defs))) = rust_defs.get(&r.object) {
                match defs.iter().find(|d| d.name == r.name) {
                    Some(d) if r.sympos <= 1 => errors.extend(
                        check_rust_record(r, d)
                            .into_iter()
                            .map(|e| format!("{e}\n  Rust target: {}", modfile.display())),
                    ),
                    Some(_) => errors.push(format!(
                        "{}: sympos {}, but {} has one {} (a #[no_mangle] function)",
                        what(r),
                        r.sympos,
                        r.object,
                        r.name
                    )),
                    None => errors.push(format!(
                        "{}: {} is a Rust module ({}) that defines no {} with klp_target_fn! \
                         (defined: {}); define it so, or state its prototype with `unsafe`",
                        what(r),
                        r.object,
                        modfile.display(),
                        r.name,
                        defs.iter()
                            .map(|d| d.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                }
                continue;
            }
        }
        match finder.lookup(&r.object, &r.name, r.sympos) {
            Ok(found) => {
                for e in check_record(r, &found.decl) {
                    errors.push(format!(
                        "{e}\n  C: {}:{}: {}",
                        found.file,
                        found.line,
                        prototype(&r.name, &found.decl)
                    ));
                }
            }
            Err(e) => errors.push(format!("{}: {e}", what(r))),
        }
    }
    if !errors.is_empty() {
        return Err(format!("{}:\n{}", obj.display(), errors.join("\n")));
    }
    // modpost accepts a reference to a symbol a symvers file lists; attributed to vmlinux, the
    // module gets no dependency. `klp-elf convert` makes the references livepatch relocations.
    let mut out = String::new();
    for n in &names {
        let _ = writeln!(out, "0x00000000\t{n}\tvmlinux\tEXPORT_SYMBOL_GPL\t");
    }
    std::fs::write(symvers, out).map_err(|e| format!("{}: {e}", symvers.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(bytes: u8, signed: bool) -> CTy {
        CTy::Int {
            bytes,
            signed,
            is_enum: false,
        }
    }
    fn r(base: Base, depth: u8) -> RustCType {
        RustCType { base, depth }
    }

    #[test]
    fn matches() {
        assert_eq!(
            mismatch(
                &r(
                    Base::Int {
                        bytes: 4,
                        signed: true
                    },
                    0
                ),
                &int(4, true)
            ),
            None
        );
        assert_eq!(
            mismatch(
                &r(Base::Any, 1),
                &CTy::Pointer(Box::new(CTy::Record("struct x".into())))
            ),
            None
        );
        assert_eq!(
            mismatch(
                &r(Base::Record("struct seq_file".into()), 1),
                &CTy::Pointer(Box::new(CTy::Record("struct seq_file".into())))
            ),
            None
        );
        assert_eq!(mismatch(&r(Base::Void, 0), &CTy::Void), None);
        assert_eq!(
            mismatch(
                &r(
                    Base::Int {
                        bytes: 4,
                        signed: true
                    },
                    0
                ),
                &CTy::Int {
                    bytes: 4,
                    signed: false,
                    is_enum: true
                }
            ),
            None
        );
    }

    #[test]
    fn mismatches() {
        assert_eq!(
            mismatch(
                &r(
                    Base::Int {
                        bytes: 4,
                        signed: true
                    },
                    0
                ),
                &int(8, true)
            )
            .unwrap(),
            "32-bit integer in Rust, 64-bit in C"
        );
        assert_eq!(
            mismatch(
                &r(
                    Base::Int {
                        bytes: 8,
                        signed: false
                    },
                    0
                ),
                &int(8, true)
            )
            .unwrap(),
            "unsigned in Rust, signed in C"
        );
        assert_eq!(
            mismatch(&r(Base::Any, 1), &int(8, true)).unwrap(),
            "a pointer in Rust, not in C"
        );
        assert_eq!(
            mismatch(
                &r(
                    Base::Int {
                        bytes: 8,
                        signed: true
                    },
                    0
                ),
                &CTy::Pointer(Box::new(CTy::Void))
            )
            .unwrap(),
            "a pointer in C, not in Rust"
        );
        assert_eq!(
            mismatch(
                &r(Base::Record("struct a".into()), 1),
                &CTy::Pointer(Box::new(CTy::Record("struct b".into())))
            )
            .unwrap(),
            "points to struct a in Rust, to struct b in C"
        );
        assert!(mismatch(&r(Base::Bool, 0), &int(4, true)).is_some());
        assert!(mismatch(
            &r(Base::Record("struct a".into()), 1),
            &CTy::Pointer(Box::new(CTy::Void))
        )
        .is_some());
    }

    #[test]
    fn rust_targets() {
        let dummy = || Base::Record("struct dummy".into());
        let u64_ = Base::Int {
            bytes: 8,
            signed: false,
        };
        // `&Dummy` in the target, `*mut Dummy` in the replacement: one pointer each.
        assert_eq!(rust_mismatch(&r(dummy(), 1), &r(dummy(), 1)), None);
        // A `c_void` pointer on either side matches any pointer, not a value.
        assert_eq!(rust_mismatch(&r(Base::Any, 1), &r(dummy(), 1)), None);
        assert_eq!(rust_mismatch(&r(dummy(), 1), &r(Base::Any, 1)), None);
        assert_eq!(
            rust_mismatch(&r(u64_.clone(), 0), &r(dummy(), 1)).as_deref(),
            Some("a pointer in the target, not in the replacement")
        );
        assert_eq!(
            rust_mismatch(
                &r(
                    Base::Int {
                        bytes: 4,
                        signed: false
                    },
                    0
                ),
                &r(u64_, 0)
            )
            .as_deref(),
            Some(
                "32-bit unsigned integer in the replacement, 64-bit unsigned integer in the target"
            )
        );
        assert_eq!(
            rust_mismatch(
                &r(Base::Record("struct seq_file".into()), 1),
                &r(dummy(), 1)
            )
            .as_deref(),
            Some("struct seq_file * in the replacement, struct dummy * in the target")
        );
    }
}
