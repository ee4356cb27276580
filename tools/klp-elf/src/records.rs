// SPDX-License-Identifier: GPL-2.0
//! The records the `livepatch` crate's macros leave in `.discard.klp.records` (see
//! `src/ctype.rs`: the layout here must be the same).

use object::{Object, ObjectSection};
use std::fmt;

pub const SECTION: &str = ".discard.klp.records";
const MAGIC: &[u8; 8] = b"KLPREC1\0";
const CTYPE_SIZE: usize = 4 + 48;
const SLOT_SIZE: usize = CTYPE_SIZE + 48 + 32;
const MAX_PARAMS: usize = 8;
const HEADER_SIZE: usize = 8 + 4 + 4 + 56 + 128 + 64;
pub const RECORD_SIZE: usize = HEADER_SIZE + SLOT_SIZE * (1 + MAX_PARAMS);

/// A C type as the Rust side describes it: `depth` pointers to `base`.
#[derive(Clone, Debug, PartialEq)]
pub struct RustCType {
    pub base: Base,
    pub depth: u8,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Base {
    Void,
    Int { bytes: u8, signed: bool },
    Bool,
    Record(String),
    Any,
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
            Base::Record(n) => write!(f, "{n}")?,
            Base::Any => write!(f, "any type")?,
        }
        for _ in 0..self.depth {
            write!(f, " *")?;
        }
        Ok(())
    }
}

#[derive(Clone, Debug)]
pub struct Slot {
    pub ty: RustCType,
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

fn cstr(b: &[u8]) -> Result<String, String> {
    let end = b
        .iter()
        .position(|&c| c == 0)
        .ok_or("unterminated string in a record")?;
    String::from_utf8(b[..end].to_vec()).map_err(|_| "a record's string is not UTF-8".into())
}

fn slot(b: &[u8]) -> Result<Slot, String> {
    let base = match b[0] {
        0 => Base::Void,
        1 => Base::Int {
            bytes: b[1],
            signed: b[2] != 0,
        },
        2 => Base::Bool,
        3 => Base::Record(cstr(&b[4..52])?),
        4 => Base::Any,
        k => return Err(format!("unknown base type {k} in a record")),
    };
    Ok(Slot {
        ty: RustCType { base, depth: b[3] },
        rust_type: cstr(&b[CTYPE_SIZE..CTYPE_SIZE + 48])?,
        name: cstr(&b[CTYPE_SIZE + 48..SLOT_SIZE])?,
    })
}

fn record(b: &[u8]) -> Result<Record, String> {
    let kind = match b[8] {
        1 => Kind::Replacement,
        2 => Kind::Function,
        3 => Kind::Variable,
        4 => Kind::Object,
        5 => Kind::Definition,
        k => return Err(format!("unknown record kind {k}")),
    };
    let count = b[9] as usize;
    if count > MAX_PARAMS {
        return Err("a record has too many parameters".into());
    }
    let at = |i: usize| HEADER_SIZE + SLOT_SIZE * i;
    let mut params = Vec::new();
    for i in 0..count {
        params.push(slot(&b[at(1 + i)..at(2 + i)])?);
    }
    Ok(Record {
        kind,
        unchecked: b[10] != 0,
        sympos: u32::from_le_bytes([b[12], b[13], b[14], b[15]]),
        object: cstr(&b[16..72])?,
        name: cstr(&b[72..200])?,
        rust: cstr(&b[200..264])?,
        ret: slot(&b[at(0)..at(1)])?,
        params,
    })
}

/// The records of the object file `data`.
pub fn read(data: &[u8]) -> Result<Vec<Record>, String> {
    let file = object::File::parse(data).map_err(|e| format!("not an ELF object: {e}"))?;
    let mut out = Vec::new();
    for section in file.sections().filter(|s| s.name() == Ok(SECTION)) {
        let b = section.data().map_err(|e| e.to_string())?;
        let mut off = 0;
        while off + RECORD_SIZE <= b.len() {
            if &b[off..off + 8] == MAGIC {
                out.push(record(&b[off..off + RECORD_SIZE])?);
                off += RECORD_SIZE;
            } else {
                off += 4;
            }
        }
    }
    Ok(out)
}
