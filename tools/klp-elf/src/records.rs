// SPDX-License-Identifier: GPL-2.0
//! The records the `livepatch` crate's macros leave in `.discard.klp.records`. Their layout is
//! defined once, in the crate's `src/ctype.rs`, which this tool compiles too (`ctype::layout`).

use crate::ctype::layout as l;
use object::{Object, ObjectSection};
use std::fmt;

pub const SECTION: &str = ".discard.klp.records";

/// One pointer level of a Rust type, 0 the outermost.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Level {
    /// Declared a reference (`&T`, `&mut T`) by the type's `C_TYPE`.
    pub reference: bool,
    /// Its pointee may be written through it (`*mut T`, `&mut T`).
    pub mutable: bool,
}

/// A C type as the Rust side describes it: `levels` pointers (outermost first) to `base`.
#[derive(Clone, Debug, PartialEq)]
pub struct RustCType {
    pub base: Base,
    pub levels: Vec<Level>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Base {
    Void,
    Int {
        bytes: u8,
        signed: bool,
    },
    Bool,
    /// A structure or union by name, and its size in bytes if the Rust type states it.
    Record(String, Option<u32>),
    Any,
}

impl RustCType {
    pub fn depth(&self) -> usize {
        self.levels.len()
    }
}

impl fmt::Display for RustCType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.base {
            Base::Void => write!(f, "void")?,
            Base::Int { bytes, signed } => write!(
                f,
                "{}-bit {} integer",
                *bytes as u32 * 8,
                if *signed { "signed" } else { "unsigned" }
            )?,
            Base::Bool => write!(f, "bool")?,
            Base::Record(n, _) => write!(f, "{n}")?,
            Base::Any => write!(f, "any type")?,
        }
        for _ in 0..self.depth() {
            write!(f, " *")?;
        }
        Ok(())
    }
}

/// Whether the Rust type of a slot has invalid values (a reference: null).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Niche {
    /// Recorded without the type (`Slot::new`).
    Unknown,
    None,
    Some,
}

#[derive(Clone, Debug)]
pub struct Slot {
    pub ty: RustCType,
    pub niche: Niche,
    pub rust_type: String,
    pub name: String,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    Replacement,
    Function,
    Variable,
    Object,
    /// A C-ABI function that a Rust target module defines (`klp_target_fn!`).
    Definition,
}

#[derive(Clone, Debug)]
pub struct Record {
    pub kind: Kind,
    pub unchecked: bool,
    pub sympos: u32,
    pub object: String,
    pub name: String,
    pub rust: String,
    pub ret: Slot,
    pub params: Vec<Slot>,
}

fn cstr(b: &[u8], (off, len): (usize, usize)) -> Result<String, String> {
    let b = &b[off..off + len];
    let end = b
        .iter()
        .position(|&c| c == 0)
        .ok_or("unterminated string in a record")?;
    String::from_utf8(b[..end].to_vec()).map_err(|_| "a record's string is not UTF-8".into())
}

fn u32_at(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes([b[off], b[off + 1], b[off + 2], b[off + 3]])
}

fn slot(b: &[u8]) -> Result<Slot, String> {
    let t = &b[l::S_CTYPE..];
    let depth = t[l::T_DEPTH];
    if depth > l::MAX_DEPTH {
        return Err(format!("{depth} pointer levels in a record"));
    }
    let size = u32_at(t, l::T_SIZE);
    let base = match t[l::T_BASE] {
        l::BASE_VOID => Base::Void,
        l::BASE_INT => Base::Int {
            bytes: u8::try_from(size).map_err(|_| "integer size in a record")?,
            signed: t[l::T_SIGNED] != 0,
        },
        l::BASE_BOOL => Base::Bool,
        l::BASE_RECORD => Base::Record(cstr(t, l::T_NAME)?, (size != 0).then_some(size)),
        l::BASE_ANY => Base::Any,
        k => return Err(format!("unknown base type {k} in a record")),
    };
    // Bit `i` is level `i`, 0 the outermost (`CType::level` shifts the inner ones up).
    let levels = (0..depth)
        .map(|i| Level {
            reference: t[l::T_NONNULL] >> i & 1 != 0,
            mutable: t[l::T_MUTABLE] >> i & 1 != 0,
        })
        .collect();
    let niche = match b[l::S_NICHE] {
        l::NICHE_UNKNOWN => Niche::Unknown,
        l::NICHE_NONE => Niche::None,
        l::NICHE_SOME => Niche::Some,
        n => return Err(format!("unknown niche {n} in a record")),
    };
    Ok(Slot {
        ty: RustCType { base, levels },
        niche,
        rust_type: cstr(b, l::S_RUST_TYPE)?,
        name: cstr(b, l::S_NAME)?,
    })
}

fn record(b: &[u8]) -> Result<Record, String> {
    let kind = match b[l::R_KIND] {
        l::RECORD_REPLACEMENT => Kind::Replacement,
        l::RECORD_FUNCTION => Kind::Function,
        l::RECORD_VARIABLE => Kind::Variable,
        l::RECORD_OBJECT => Kind::Object,
        l::RECORD_DEFINITION => Kind::Definition,
        k => return Err(format!("unknown record kind {k}")),
    };
    let count = b[l::R_COUNT] as usize;
    if count > l::MAX_PARAMS {
        return Err("a record has too many parameters".into());
    }
    let at = |i: usize| l::R_PARAMS + l::SLOT * i;
    let mut params = Vec::new();
    for i in 0..count {
        params.push(slot(&b[at(i)..at(i + 1)])?);
    }
    Ok(Record {
        kind,
        unchecked: b[l::R_UNCHECKED] != 0,
        sympos: u32_at(b, l::R_SYMPOS),
        object: cstr(b, l::R_OBJECT)?,
        name: cstr(b, l::R_NAME)?,
        rust: cstr(b, l::R_RUST)?,
        ret: slot(&b[l::R_RET..l::R_RET + l::SLOT])?,
        params,
    })
}

/// The records in the contents `b` of a records section: every byte belongs to a record of
/// this layout (records of another version of the crate are refused, not skipped).
pub fn parse(b: &[u8]) -> Result<Vec<Record>, String> {
    if !b.len().is_multiple_of(l::RECORD) {
        return Err(format!(
            "{SECTION} holds {} bytes, not a whole number of {}-byte records: built with another \
             version of the livepatch crate? (rebuild the module)",
            b.len(),
            l::RECORD
        ));
    }
    b.chunks(l::RECORD)
        .map(|r| {
            if r[..8] != l::MAGIC {
                return Err(format!(
                    "a record of {SECTION} does not start with {:?}: built with another version \
                     of the livepatch crate? (rebuild the module)",
                    String::from_utf8_lossy(&l::MAGIC[..7])
                ));
            }
            record(r)
        })
        .collect()
}

/// The records of the object file `data`.
pub fn read(data: &[u8]) -> Result<Vec<Record>, String> {
    let file = object::File::parse(data).map_err(|e| format!("not an ELF object: {e}"))?;
    let mut out = Vec::new();
    for section in file.sections().filter(|s| s.name() == Ok(SECTION)) {
        let b = section.data().map_err(|e| e.to_string())?;
        out.extend(parse(b)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record of the layout the crate defines (`ctype::Record`), as the crate lays it out.
    fn v2() -> Vec<u8> {
        let sig = crate::ctype::Signature::new(crate::ctype::Slot::of::<&u32>(
            crate::ctype::CType::int(4, false).reference(),
            "&u32",
            "",
        ));
        // SAFETY: A record for the test only, read back, never trusted by a build.
        let r = unsafe { crate::ctype::Record::definition("f", &sig) };
        let p = (&r as *const crate::ctype::Record).cast::<u8>();
        // SAFETY: `r` is plain old data of `size_of::<Record>()` bytes, initialised (padding
        // included: its fields are byte arrays and `u32`s with explicit reserved bytes).
        unsafe { std::slice::from_raw_parts(p, l::RECORD) }.to_vec()
    }

    #[test]
    fn reads_what_the_crate_writes() {
        let recs = parse(&v2()).unwrap();
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0].kind, Kind::Definition);
        assert_eq!(recs[0].ret.niche, Niche::Some);
        assert_eq!(
            recs[0].ret.ty.levels,
            vec![Level {
                reference: true,
                mutable: false
            }]
        );
    }

    /// The reader before version 2 skipped bytes it did not recognise: a module built with
    /// another layout passed unchecked.
    #[test]
    fn other_layouts_are_refused() {
        let mut b = v2();
        b[..8].copy_from_slice(b"KLPREC1\0");
        assert!(parse(&b).is_err());
        let mut b = v2();
        b.extend_from_slice(&[0; 4]);
        assert!(parse(&b).is_err());
    }
}
