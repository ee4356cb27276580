// SPDX-License-Identifier: GPL-2.0
//! `klp-elf frames`: a bound on the stack frame of every function of a module's Rust object.
//!
//! Safe Rust cannot write outside its objects, except below its stack: a deep recursion or a
//! large local array in a replacement, a callback or a shadow constructor runs the task's kernel
//! stack into whatever lies below it. `CONFIG_VMAP_STACK` puts an unmapped guard page there (the
//! crate refuses to build without it), so an overflow faults ("stack guard page", a kernel
//! oops) instead of writing into other memory; but a single frame larger than the guard could
//! step over it, and the kernel's Rust target has no stack probes. So no function of a module
//! may have a frame larger than [`MAX_FRAME`], half a page, the kernel's own
//! `CONFIG_FRAME_WARN` default on 64-bit (which only warns for C).
//!
//! Every module crate is compiled with `-Zemit-stack-sizes` (`scripts/module-flags.mk`): LLVM
//! lists each function's frame in `.stack_sizes` sections (an `R_X86_64_64` relocation against
//! the function's section plus its offset, then the size in ULEB128). `scripts/rustc-module.sh`
//! runs this check right after the compiler, then removes the sections, which the module does
//! not need (and modpost would warn about).

use object::{Object, ObjectSection, ObjectSymbol, RelocationTarget, SectionIndex, SymbolKind};
use std::collections::HashMap;
use std::path::Path;

/// The largest stack frame a module's function may have, in bytes.
pub const MAX_FRAME: u64 = 2048;

/// Reads the ULEB128 number at the start of `b`.
fn uleb128(b: &[u8]) -> Option<u64> {
    let mut v = 0u64;
    for (i, &byte) in b.iter().enumerate().take(10) {
        v |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

/// The frame size of each function of the object `data`, with its name.
pub fn frames(data: &[u8]) -> Result<Vec<(String, u64)>, String> {
    let file = object::File::parse(data).map_err(|e| format!("not an object file: {e}"))?;
    // The functions, by section and offset.
    let mut funcs: HashMap<(SectionIndex, u64), String> = HashMap::new();
    for s in file.symbols() {
        if s.kind() != SymbolKind::Text || s.is_undefined() {
            continue;
        }
        if let (Some(i), Ok(name)) = (s.section_index(), s.name()) {
            funcs.insert((i, s.address()), name.to_string());
        }
    }
    let mut out = vec![];
    for sec in file.sections() {
        if sec.name() != Ok(".stack_sizes") {
            continue;
        }
        let bytes = sec.data().map_err(|e| format!(".stack_sizes: {e}"))?;
        for (off, rel) in sec.relocations() {
            let size = usize::try_from(off)
                .ok()
                .and_then(|o| bytes.get(o + 8..))
                .and_then(uleb128)
                .ok_or(".stack_sizes: truncated entry")?;
            let RelocationTarget::Symbol(i) = rel.target() else {
                return Err(format!(".stack_sizes: entry at {off:#x} names no symbol"));
            };
            let sym = file
                .symbol_by_index(i)
                .map_err(|e| format!(".stack_sizes: {e}"))?;
            let name = match sym.kind() {
                SymbolKind::Section => sym
                    .section_index()
                    .and_then(|s| funcs.get(&(s, rel.addend() as u64)))
                    .cloned(),
                _ => sym.name().ok().map(String::from),
            }
            .unwrap_or_else(|| format!("the function at {off:#x} of .stack_sizes"));
            out.push((name, size));
        }
    }
    if out.is_empty() && !funcs.is_empty() {
        return Err(
            "no .stack_sizes section: the object was not compiled with -Zemit-stack-sizes \
             (scripts/module-flags.mk), so its stack frames cannot be checked"
                .into(),
        );
    }
    Ok(out)
}

/// `klp-elf frames OBJ.o`: fails if a function of `obj` has a frame larger than [`MAX_FRAME`].
pub fn check(obj: &Path) -> Result<(), String> {
    let data = std::fs::read(obj).map_err(|e| format!("{}: {e}", obj.display()))?;
    let frames = frames(&data).map_err(|e| format!("{}: {e}", obj.display()))?;
    let over: Vec<String> = frames
        .iter()
        .filter(|(_, size)| *size > MAX_FRAME)
        .map(|(name, size)| format!("  {name}: {size} bytes"))
        .collect();
    if over.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{}: stack frames larger than {MAX_FRAME} bytes, which could step over the stack's guard \
         page (a large local array? keep large data in a KBox):\n{}",
        obj.display(),
        over.join("\n")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use object::write::{Object, Relocation, SectionKind, StandardSection, Symbol, SymbolSection};
    use object::{
        elf, Architecture, BinaryFormat, Endianness, RelocationFlags, SymbolFlags, SymbolScope,
    };

    /// An object as rustc makes it with `-Zemit-stack-sizes`: functions `f` and `g` in `.text`
    /// (at 0 and 16), their frames listed against the section symbol.
    fn object(sizes: &[(u64, &[u8])]) -> Vec<u8> {
        let mut o = Object::new(BinaryFormat::Elf, Architecture::X86_64, Endianness::Little);
        let text = o.section_id(StandardSection::Text);
        o.append_section_data(text, &[0xc3; 32], 16);
        for (name, value) in [("f", 0), ("g", 16)] {
            o.add_symbol(Symbol {
                name: name.as_bytes().to_vec(),
                value,
                size: 1,
                kind: SymbolKind::Text,
                scope: SymbolScope::Compilation,
                weak: false,
                section: SymbolSection::Section(text),
                flags: SymbolFlags::None,
            });
        }
        if sizes.is_empty() {
            return o.write().unwrap();
        }
        let ss = o.add_section(vec![], b".stack_sizes".to_vec(), SectionKind::Other);
        let sym = o.section_symbol(text);
        for &(addend, size) in sizes {
            let off = o.append_section_data(ss, &[[0u8; 8].as_slice(), size].concat(), 1);
            o.add_relocation(
                ss,
                Relocation {
                    offset: off,
                    symbol: sym,
                    addend: addend as i64,
                    flags: RelocationFlags::Elf {
                        r_type: elf::R_X86_64_64,
                    },
                },
            )
            .unwrap();
        }
        o.write().unwrap()
    }

    #[test]
    fn sizes_are_read_with_their_functions() {
        // 24, and 2049 in ULEB128 (0x81 0x10).
        let data = object(&[(0, &[24]), (16, &[0x81, 0x10])]);
        let mut got = frames(&data).unwrap();
        got.sort();
        assert_eq!(got, [("f".to_string(), 24), ("g".to_string(), 2049)]);
    }

    #[test]
    fn a_frame_over_the_bound_is_refused() {
        let dir = std::env::temp_dir().join(format!("klp-elf-frames-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let ok = dir.join("ok.o");
        let big = dir.join("big.o");
        // 2048 (0x80 0x10) is allowed, 2049 is not.
        std::fs::write(&ok, object(&[(0, &[24]), (16, &[0x80, 0x10])])).unwrap();
        std::fs::write(&big, object(&[(0, &[24]), (16, &[0x81, 0x10])])).unwrap();
        assert_eq!(check(&ok), Ok(()));
        let e = check(&big).unwrap_err();
        assert!(e.contains("  g: 2049 bytes") && !e.contains("  f:"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_object_without_sizes_is_refused() {
        assert!(frames(&object(&[]))
            .unwrap_err()
            .contains("-Zemit-stack-sizes"));
    }
}
