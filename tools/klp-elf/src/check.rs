// SPDX-License-Identifier: GPL-2.0
//! `klp-elf check`: the signatures of replacement functions and declared symbols against the
//! C definitions of their targets, and the symbols `modpost` must accept.

use crate::cdecl::{CDecl, CType, Finder};
use crate::compare::{compare, Flow, Place, Shape, Sides, VS_C, VS_TARGET};
use crate::records::{self, Kind, Record};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

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

/// The livepatch core's own source: the functions a livepatch may not replace.
const LIVEPATCH_CORE: &str = "kernel/livepatch/";

/// Why the replacement `r` of a function defined in `file` is refused, if it is: the livepatch
/// core calls its own functions under its locks (`klp_shadow_get()` under `klp_shadow_lock`,
/// from `klp_shadow_alloc()`), and the crate's safe API takes those locks (the shadow calls): a
/// replacement of one could take them again and spin forever with interrupts disabled (found by
/// an adversarial pass). A livepatch does not patch the livepatch core.
fn core_function(r: &Record, file: &str) -> Option<String> {
    if r.kind != Kind::Replacement || r.object != "vmlinux" || !file.starts_with(LIVEPATCH_CORE) {
        return None;
    }
    Some(format!(
        "{} is a function of the livepatch core ({file}), which calls it under its own locks: \
         a livepatch may not replace it",
        r.name
    ))
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

/// Why the declared slot `s` does not match the definition's shape `f`, if it does not.
fn slot_mismatch(
    s: &records::Slot,
    f: &Shape,
    flow: Flow,
    place: Place,
    sides: Sides,
) -> Option<String> {
    match Shape::of_rust(s) {
        Ok(d) => compare(&d, f, flow, place, sides),
        Err(e) => Some(e),
    }
}

/// The errors of one record against its C definition.
fn check_record(r: &Record, decl: &CDecl) -> Vec<String> {
    let mut errors = vec![];
    // Replacements receive their parameters and give their return value; a `klp_extern!`
    // function is called: it is given the parameters, its return value is received.
    let (params_flow, ret_flow) = match r.kind {
        Kind::Replacement => (Flow::In, Flow::Out),
        _ => (Flow::Out, Flow::In),
    };
    match (r.kind, decl) {
        (Kind::Variable, CDecl::Var { ty }) => {
            let f = Shape::of_c(&ty.ty, false);
            if let Some(why) = slot_mismatch(&r.ret, &f, Flow::In, Place::Variable, VS_C) {
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
            let f = Shape::of_c(&ret.ty, false);
            if let Some(why) = slot_mismatch(&r.ret, &f, ret_flow, Place::Return, VS_C) {
                errors.push(slot_error(r, None, &r.ret, ret, "", &why));
            }
            for (i, (s, c)) in r.params.iter().zip(params).enumerate() {
                let f = Shape::of_c(&c.ty.ty, true);
                if let Some(why) = slot_mismatch(s, &f, params_flow, Place::Param, VS_C) {
                    errors.push(slot_error(r, Some(i), s, &c.ty, &c.name, &why));
                }
            }
        }
    }
    errors
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
        let (flow, place) = match i {
            Some(_) => (Flow::In, Place::Param),
            None => (Flow::Out, Place::Return),
        };
        let why = match Shape::of_rust(t) {
            Ok(f) => slot_mismatch(s, &f, flow, place, VS_TARGET),
            Err(e) => Some(e),
        };
        if let Some(why) = why {
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
    let mut errors = crate::names::check_object(obj, &crate::names::kernel_names(kdir)?)?;
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
        let core_only = r.unchecked && r.kind == Kind::Replacement && r.object == "vmlinux";
        if finder.is_none() && (!r.unchecked || core_only) {
            finder = Some(crate::cdecl::Finder::new(kdir, modules)?);
        }
        if r.unchecked {
            // An unchecked entry is the author's claim about the prototype, not that the function
            // is outside the livepatch core: such entries got past this refusal (adversarial
            // pass 7). A target the build cannot see is none of the core's.
            if core_only {
                let finder: &mut Finder = finder.as_mut().ok_or("no finder")?;
                if let Some(why) = finder
                    .lookup(&r.object, &r.name, r.sympos)
                    .ok()
                    .and_then(|found| core_function(r, &found.file))
                {
                    errors.push(format!("{}: {why}", what(r)));
                }
            }
            continue;
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
                if let Some(why) = core_function(r, &found.file) {
                    errors.push(format!("{}: {why}", what(r)));
                }
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
