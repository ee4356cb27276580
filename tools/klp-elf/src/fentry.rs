// SPDX-License-Identifier: GPL-2.0
//! `klp-elf fentry`: ftrace call sites in a Rust object, so that its functions can be traced and
//! replaced by a livepatch.
//!
//! rustc has no `-mfentry`; `-Zpatchable-function-entry=5,0` makes each function start with a
//! 5-byte NOP (`0f 1f 44 00 08`), before its prologue (after its `endbr64` under IBT), and lists
//! these entries, with relocations, in `__patchable_function_entries` sections. On a kernel with
//! `CONFIG_CALL_PADDING`, whose functions have `CONFIG_FUNCTION_PADDING_BYTES` of padding before
//! their entry (which Kbuild asks rustc for with `-Zpatchable-function-entry=P,P`), the flag is
//! `P+5,P` instead, one flag for both: the padding, then the function's `endbr64`, then the
//! 5-byte NOP; the entry listed is then the padding's first byte, `--prefix P` bytes before the
//! function, as for C with `-fpatchable-function-entry=P,P -mfentry`. Each entry becomes `call __fentry__`, what clang's
//! `-mfentry` emits (`e8` and an `R_X86_64_PLT32` relocation against the undefined global
//! `__fentry__`, addend -4), so that objtool, which Kbuild runs next in the same command, does
//! exactly what it does for C (`CONFIG_FTRACE_MCOUNT_USE_OBJTOOL`): it records the call in
//! `__mcount_loc`, writes the ideal NOP in its place (`--mnop`) and generates ORC data with the
//! call at the function's entry. The `__patchable_function_entries` sections are renamed
//! `.discard.klp.patchable_function_entries`, which the module linker script discards.
//!
//! Entries in `.exit.text` and `.noinstr.text` keep their NOP: C's `__exit` and `noinstr`
//! functions are `notrace`.
//!
//! The object is edited in place, as `convert` does: patched bytes in `.text`, the grown symbol,
//! string and relocation tables, new relocation sections and a new section header table are
//! appended to the file.

use crate::elfedit::{add_string, cstr_at, headers, read, rela_header, Tail};
use object::elf::{Rela64, SectionHeader64, Sym64};
use object::{elf, pod, LittleEndian as LE, I64, U32, U64};
use std::collections::BTreeMap;
use std::path::Path;

/// What `-Zpatchable-function-entry=5,0` puts at a function's entry: `nopl 0x8(%rax,%rax,1)`
/// (the last byte is not checked: any `nopl disp8(%rax,%rax,1)` is a 5-byte NOP).
const ENTRY_NOP: [u8; 4] = [0x0f, 0x1f, 0x44, 0x00];
/// `endbr64`, at the entry of each function under `CONFIG_X86_KERNEL_IBT` (`-Zcf-protection`).
const ENDBR64: [u8; 4] = [0xf3, 0x0f, 0x1e, 0xfa];
const PFE: &str = "__patchable_function_entries";
const DISCARDED: &str = ".discard.klp.patchable_function_entries";

/// Sections whose functions C compiles `notrace`.
fn notrace(section: &str) -> bool {
    [".exit.text", ".noinstr.text"]
        .iter()
        .any(|s| section == *s || section.starts_with(&format!("{s}.")))
}

/// Turns the patchable entries of the object `data` into `call __fentry__`; returns the new file
/// and the number of calls made. An object without entries is returned as it is. `prefix`: the
/// bytes of padding between each listed entry and its function.
pub fn fentry_calls(mut data: Vec<u8>, prefix: u64) -> Result<(Vec<u8>, usize), String> {
    let e = LE;
    let (hdr, mut shdrs, shstrndx) = headers(&data)?;
    let shstr_off = shdrs[shstrndx].sh_offset.get(e);
    let name =
        |data: &[u8], s: &SectionHeader64<LE>| cstr_at(data, shstr_off + s.sh_name.get(e) as u64);
    let pfe: Vec<usize> = (0..shdrs.len())
        .filter(|&i| shdrs[i].sh_type.get(e) == elf::SHT_PROGBITS && name(&data, &shdrs[i]) == PFE)
        .collect();
    if pfe.is_empty() {
        return Ok((data, 0));
    }
    if shdrs
        .iter()
        .any(|s| s.sh_type.get(e) == elf::SHT_SYMTAB_SHNDX)
    {
        return Err("extended symbol section indices are not supported".into());
    }
    let symtab = shdrs
        .iter()
        .position(|s| s.sh_type.get(e) == elf::SHT_SYMTAB)
        .ok_or("no symbol table")?;
    let strtab = shdrs[symtab].sh_link.get(e) as usize;
    let (symoff, nsyms) = (
        shdrs[symtab].sh_offset.get(e),
        shdrs[symtab].sh_size.get(e) / 24,
    );
    let mut strings = data[shdrs[strtab].sh_offset.get(e) as usize..]
        [..shdrs[strtab].sh_size.get(e) as usize]
        .to_vec();
    let syms = (0..nsyms)
        .map(|i| read::<Sym64<LE>>(&data, symoff + i * 24))
        .collect::<Result<Vec<_>, _>>()?;
    let rela_of = |shdrs: &[SectionHeader64<LE>], target: usize| {
        shdrs.iter().position(|s| {
            s.sh_type.get(e) == elf::SHT_RELA
                && s.sh_info.get(e) as usize == target
                && s.sh_link.get(e) as usize == symtab
        })
    };

    // The entries: (text section, offset).
    let mut entries = vec![];
    for &p in &pfe {
        let Some(r) = rela_of(&shdrs, p) else {
            return Err(format!("section {p} ({PFE}) has no relocations"));
        };
        let (off, n) = (shdrs[r].sh_offset.get(e), shdrs[r].sh_size.get(e) / 24);
        if shdrs[p].sh_size.get(e) != n * 8 {
            return Err(format!("section {p} ({PFE}): not one relocation per entry"));
        }
        for j in 0..n {
            let rela: Rela64<LE> = read(&data, off + j * 24)?;
            if rela.r_type(e, false) != elf::R_X86_64_64 {
                return Err(format!(
                    "section {p} ({PFE}): relocation type {}",
                    rela.r_type(e, false).0
                ));
            }
            let sym = syms
                .get(rela.r_sym(e, false) as usize)
                .ok_or("relocation against a missing symbol")?;
            let sec = sym.st_shndx.get(e).0 as usize;
            if sec == 0 || sec >= shdrs.len() {
                return Err(format!(
                    "section {p} ({PFE}): entry not in a section of the object"
                ));
            }
            entries.push((
                sec,
                (sym.st_value.get(e) as i64 + rela.r_addend.get(e)) as u64,
            ));
        }
    }

    // `__fentry__`: an undefined global symbol, appended to the symbol table unless present.
    let fentry_sym = match (1..syms.len()).find(|&i| {
        cstr_at(&strings, syms[i].st_name.get(e) as u64) == "__fentry__"
            && syms[i].st_bind() == elf::STB_GLOBAL
    }) {
        Some(i) => (i, None),
        None => {
            let sym = Sym64::<LE> {
                st_name: U32::new(e, strings.len() as u32),
                st_info: elf::SymbolInfo::new(elf::STB_GLOBAL, elf::STT_NOTYPE),
                st_other: elf::SymbolOther::default(),
                st_shndx: elf::SHN_UNDEF.into(),
                st_value: U64::new(e, 0),
                st_size: U64::new(e, 0),
            };
            strings.extend_from_slice(b"__fentry__\0");
            (syms.len(), Some(sym))
        }
    };

    // The calls, and their relocations by text section.
    let mut relocs: BTreeMap<usize, Vec<Rela64<LE>>> = BTreeMap::new();
    let mut calls = 0;
    for (sec, listed) in entries {
        let sname = name(&data, &shdrs[sec]);
        let in_code = |off: u64| {
            shdrs[sec].sh_flags.get(e).0 & elf::SHF_EXECINSTR.0 != 0
                && shdrs[sec].sh_type.get(e) == elf::SHT_PROGBITS
                && off + 5 <= shdrs[sec].sh_size.get(e)
        };
        // The function: `prefix` bytes after the listed entry; its NOP after its `endbr64`.
        let mut off = listed + prefix;
        if !in_code(off) {
            return Err(format!("entry {sname}+{listed:#x}: not in code"));
        }
        let file = shdrs[sec].sh_offset.get(e);
        if prefix > 0 && data[(file + off) as usize..][..4] == ENDBR64 {
            off += 4;
            if !in_code(off) {
                return Err(format!("entry {sname}+{listed:#x}: not in code"));
            }
        }
        let at = (file + off) as usize;
        if data[at..at + 4] != ENTRY_NOP {
            return Err(format!(
                "entry {sname}+{off:#x}: {:02x?} is not the NOP of \
                 -Zpatchable-function-entry={},{prefix}",
                &data[at..at + 5],
                prefix + 5
            ));
        }
        if notrace(&sname) {
            continue;
        }
        data[at..at + 5].copy_from_slice(&[0xe8, 0, 0, 0, 0]);
        relocs.entry(sec).or_default().push(Rela64 {
            r_offset: U64::new(e, off + 1),
            r_info: Rela64::<LE>::r_info(e, false, fentry_sym.0 as u32, elf::R_X86_64_PLT32),
            r_addend: I64::new(e, -4),
        });
        calls += 1;
    }

    // Appended: grown tables, new relocation sections, the section header table.
    // LLVM writes symbol and section names to one string table (`.strtab`): then both grow in
    // one buffer.
    let shared = strtab == shstrndx;
    let mut shstr = if shared {
        std::mem::take(&mut strings)
    } else {
        data[shstr_off as usize..][..shdrs[shstrndx].sh_size.get(e) as usize].to_vec()
    };
    let mut add_name = |n: &str| add_string(&mut shstr, n);
    let discarded = add_name(DISCARDED);
    let discarded_rela = add_name(&format!(".rela{DISCARDED}"));
    for &p in &pfe {
        shdrs[p].sh_name = U32::new(e, discarded);
        let r = rela_of(&shdrs, p).expect("found above");
        shdrs[r].sh_name = U32::new(e, discarded_rela);
    }
    let mut new_shdrs = vec![];
    let mut tail = Tail::new(&data);
    for (sec, new) in &relocs {
        let new: Vec<u8> = new
            .iter()
            .flat_map(|r| pod::bytes_of(r).iter().copied())
            .collect();
        match rela_of(&shdrs, *sec) {
            Some(r) => {
                let mut bytes = data[shdrs[r].sh_offset.get(e) as usize..]
                    [..shdrs[r].sh_size.get(e) as usize]
                    .to_vec();
                bytes.extend_from_slice(&new);
                tail.place(&mut shdrs[r], 8, &bytes);
            }
            None => {
                let n = add_name(&format!(".rela{}", name(&data, &shdrs[*sec])));
                let off = tail.push(8, &new);
                new_shdrs.push(rela_header(
                    n,
                    elf::SHF_INFO_LINK.0,
                    off,
                    new.len() / 24,
                    symtab,
                    *sec as u32,
                ));
            }
        }
    }
    if let (i, Some(sym)) = fentry_sym {
        let mut bytes = data[symoff as usize..][..i * 24].to_vec();
        bytes.extend_from_slice(pod::bytes_of(&sym));
        tail.place(&mut shdrs[symtab], 8, &bytes);
        if !shared {
            tail.place(&mut shdrs[strtab], 1, &strings);
        }
    }
    tail.place(&mut shdrs[shstrndx], 1, &shstr);
    shdrs.extend(new_shdrs);
    tail.finish(&mut data, hdr, &shdrs)?;
    Ok((data, calls))
}

/// `klp-elf fentry [--prefix BYTES] OBJ.o`: edits the object in place.
pub fn fentry(obj: &Path, prefix: u64) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| format!("{}: {e}", obj.display());
    let data = std::fs::read(obj).map_err(|e| err(&e))?;
    let (data, calls) = fentry_calls(data, prefix).map_err(|e| err(&e))?;
    if calls == 0 {
        return Ok(());
    }
    let tmp = obj.with_extension("o.klp-tmp");
    std::fs::write(&tmp, &data).map_err(|e| err(&e))?;
    std::fs::rename(&tmp, obj).map_err(|e| err(&e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use object::read::elf::ElfFile64;
    use object::write::{Object, Relocation, SectionKind, StandardSection, Symbol, SymbolSection};
    use object::{
        Architecture, BinaryFormat, Endianness, Object as _, ObjectSection as _, ObjectSymbol as _,
        RelocationFlags, RelocationTarget, SymbolFlags, SymbolKind, SymbolScope,
    };

    const NOP: [u8; 5] = [0x0f, 0x1f, 0x44, 0x00, 0x08];

    /// An object as rustc makes it: two functions in `.text` (the second with a call, so with a
    /// relocation section), one in `.exit.text`, one in `.init.text` (without relocations), each
    /// with its entry listed.
    fn object() -> Vec<u8> {
        let mut o = Object::new(BinaryFormat::Elf, Architecture::X86_64, Endianness::Little);
        let text = o.section_id(StandardSection::Text);
        let exit = o.add_section(vec![], b".exit.text".to_vec(), SectionKind::Text);
        let init = o.add_section(vec![], b".init.text".to_vec(), SectionKind::Text);
        let mut code = NOP.to_vec();
        code.push(0xc3); // f: ret
        code.extend_from_slice(&NOP); // g at 6
        code.extend_from_slice(&[0xe8, 0, 0, 0, 0, 0xc3]); // call f; ret
        o.append_section_data(text, &code, 16);
        o.append_section_data(exit, &[NOP.as_slice(), &[0xc3]].concat(), 16);
        o.append_section_data(init, &[NOP.as_slice(), &[0xc3]].concat(), 16);
        let mut func = |name: &str, section, value| {
            o.add_symbol(Symbol {
                name: name.as_bytes().to_vec(),
                value,
                size: 0,
                kind: SymbolKind::Text,
                scope: SymbolScope::Compilation,
                weak: false,
                section: SymbolSection::Section(section),
                flags: SymbolFlags::None,
            })
        };
        let f = func("f", text, 0);
        func("g", text, 6);
        func("cleanup", exit, 0);
        func("init", init, 0);
        o.add_relocation(
            text,
            Relocation {
                offset: 12,
                symbol: f,
                addend: -4,
                flags: RelocationFlags::Elf {
                    r_type: elf::R_X86_64_PLT32,
                },
            },
        )
        .unwrap();
        for (section, offset) in [(text, 0), (text, 6), (exit, 0), (init, 0)] {
            list_entry(&mut o, section, offset);
        }
        o.write().unwrap()
    }

    /// Lists the entry at `section + offset` as rustc does: a `__patchable_function_entries`
    /// section of its own with an `R_X86_64_64` relocation against the section symbol.
    fn list_entry(o: &mut Object<'_>, section: object::write::SectionId, offset: i64) {
        let pfe = o.add_section(vec![], PFE.as_bytes().to_vec(), SectionKind::Data);
        o.append_section_data(pfe, &[0; 8], 8);
        let sym = o.section_symbol(section);
        o.add_relocation(
            pfe,
            Relocation {
                offset: 0,
                symbol: sym,
                addend: offset,
                flags: RelocationFlags::Elf {
                    r_type: elf::R_X86_64_64,
                },
            },
        )
        .unwrap();
    }

    #[test]
    fn entries_become_fentry_calls() {
        let (out, calls) = fentry_calls(object(), 0).unwrap();
        assert_eq!(calls, 3);
        let f = ElfFile64::<LE>::parse(out.as_slice()).unwrap();
        let text = f.section_by_name(".text").unwrap();
        let code = text.data().unwrap();
        assert_eq!(code[0..5], [0xe8, 0, 0, 0, 0]);
        assert_eq!(code[6..11], [0xe8, 0, 0, 0, 0]);
        let exit = f.section_by_name(".exit.text").unwrap();
        assert_eq!(exit.data().unwrap()[0..5], NOP, "__exit is notrace");
        let fentry = f.symbol_by_name("__fentry__").unwrap();
        assert!(fentry.is_undefined() && fentry.is_global());
        let mut relocs: Vec<_> = text
            .relocations()
            .map(|(off, r)| {
                let RelocationTarget::Symbol(s) = r.target() else {
                    panic!()
                };
                let RelocationFlags::Elf { r_type } = r.flags() else {
                    panic!()
                };
                (
                    off,
                    f.symbol_by_index(s).unwrap().name().unwrap().to_owned(),
                    r_type,
                    r.addend(),
                )
            })
            .collect();
        relocs.sort();
        assert_eq!(
            relocs,
            [
                (1, "__fentry__".into(), elf::R_X86_64_PLT32, -4),
                (7, "__fentry__".into(), elf::R_X86_64_PLT32, -4),
                (12, "f".into(), elf::R_X86_64_PLT32, -4),
            ]
        );
        // A new relocation section for `.init.text`.
        let init = f.section_by_name(".init.text").unwrap();
        assert_eq!(init.data().unwrap()[0..5], [0xe8, 0, 0, 0, 0]);
        let r: Vec<_> = init
            .relocations()
            .map(|(off, r)| (off, r.addend()))
            .collect();
        assert_eq!(r, [(1, -4)]);
        assert!(f.section_by_name(PFE).is_none());
        assert_eq!(
            f.sections().filter(|s| s.name() == Ok(DISCARDED)).count(),
            4
        );
        // Idempotent: nothing left to convert.
        let (again, calls) = fentry_calls(out.clone(), 0).unwrap();
        assert_eq!((calls, again), (0, out));
    }

    /// A function as rustc compiles it for a kernel with `CONFIG_CALL_PADDING`, kCFI and IBT
    /// (`-Zpatchable-function-entry=16,11 -Zsanitizer=kcfi -Zcf-protection=branch`): its kCFI
    /// type hash (`movl $hash, %eax`) and 11 bytes of padding, listed, then at the function
    /// `endbr64` and the 5-byte NOP.
    fn padded_object(endbr: bool) -> Vec<u8> {
        let mut o = Object::new(BinaryFormat::Elf, Architecture::X86_64, Endianness::Little);
        let text = o.section_id(StandardSection::Text);
        let mut code = vec![0xb8, 0x34, 0x7d, 0xd7, 0x77];
        code.extend_from_slice(&[0x90; 11]);
        if endbr {
            code.extend_from_slice(&ENDBR64);
        }
        code.extend_from_slice(&NOP);
        code.push(0xc3);
        o.append_section_data(text, &code, 16);
        o.add_symbol(Symbol {
            name: b"f".to_vec(),
            value: 16,
            size: 0,
            kind: SymbolKind::Text,
            scope: SymbolScope::Compilation,
            weak: false,
            section: SymbolSection::Section(text),
            flags: SymbolFlags::None,
        });
        list_entry(&mut o, text, 5);
        o.write().unwrap()
    }

    #[test]
    fn padded_entries_become_fentry_calls_after_endbr() {
        for (endbr, at) in [(true, 20), (false, 16)] {
            let (out, calls) = fentry_calls(padded_object(endbr), 11).unwrap();
            assert_eq!(calls, 1);
            let f = ElfFile64::<LE>::parse(out.as_slice()).unwrap();
            let text = f.section_by_name(".text").unwrap();
            let code = text.data().unwrap();
            assert_eq!(code[at..at + 5], [0xe8, 0, 0, 0, 0], "endbr64: {endbr}");
            assert_eq!(code[5..16], [0x90; 11], "the padding stays");
            let r: Vec<_> = text
                .relocations()
                .map(|(off, r)| (off, r.addend()))
                .collect();
            assert_eq!(r, [(at as u64 + 1, -4)]);
        }
        // Without the prefix, the listed entry is the padding: refused, nothing guessed.
        let e = fentry_calls(padded_object(true), 0).unwrap_err();
        assert!(e.contains("is not the NOP"), "{e}");
    }

    #[test]
    fn entry_without_nop_is_refused() {
        let mut obj = object();
        let f = ElfFile64::<LE>::parse(obj.as_slice()).unwrap();
        let (off, _) = f.section_by_name(".text").unwrap().file_range().unwrap();
        obj[off as usize] = 0x55;
        let e = fentry_calls(obj, 0).unwrap_err();
        assert!(e.contains("is not the NOP"), "{e}");
    }
}
