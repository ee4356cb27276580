// SPDX-License-Identifier: GPL-2.0
//! `klp-elf convert`: references to `klp_extern!` symbols become livepatch relocations
//! (`Documentation/livepatch/module-elf-format.rst`).
//!
//! The module is edited in place, everything else kept byte for byte: the symbols are renamed
//! `.klp.sym.<object>.<name>,<sympos>` and get section index `SHN_LIVEPATCH`; the relocations
//! against them leave their `.rela*` sections for new `.klp.rela.<object>.<section>` sections
//! flagged `SHF_ALLOC | SHF_RELA_LIVEPATCH`. The grown string tables, the new sections and a new
//! section header table are appended to the file.

use crate::elfedit::{add_string, cstr_at, headers, read, rela_header, write, Tail};
use crate::records::{self, Kind};
use object::elf::{Rela64, SectionHeader64, Sym64};
use object::{elf, pod, LittleEndian as LE, U32, U64};
use std::collections::HashMap;
use std::path::Path;

/// `SHN_LIVEPATCH` and `SHF_RELA_LIVEPATCH` of `include/uapi/linux/elf.h`.
const SHN_LIVEPATCH: u16 = 0xff20;
const SHF_RELA_LIVEPATCH: u64 = 0x0010_0000;

/// The relocation types `apply_relocate_add()` of `arch/x86/kernel/module.c` applies.
fn supported(r_type: u32) -> bool {
    [
        elf::R_X86_64_64,
        elf::R_X86_64_32,
        elf::R_X86_64_32S,
        elf::R_X86_64_PC32,
        elf::R_X86_64_PLT32,
        elf::R_X86_64_PC64,
    ]
    .iter()
    .any(|t| t.0 == r_type)
}

pub fn convert(ko: &Path, records_from: &Path, kdir: Option<&Path>) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| format!("{}: {e}", ko.display());
    // Symbols the kernel exports are linked as usual.
    let exported = kdir.map(crate::check::exported).unwrap_or_default();
    let obj =
        std::fs::read(records_from).map_err(|e| format!("{}: {e}", records_from.display()))?;
    // symbol name -> (object, sympos)
    let wanted: HashMap<String, (String, u32)> = records::read(&obj)
        .map_err(|e| format!("{}: {e}", records_from.display()))?
        .into_iter()
        .filter(|r| matches!(r.kind, Kind::Function | Kind::Variable))
        .filter(|r| !(r.object == "vmlinux" && exported.contains(&r.name)))
        .map(|r| (r.name, (r.object, r.sympos)))
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let mut data = std::fs::read(ko).map_err(|e| err(&e))?;
    let e = LE;
    let (hdr, mut shdrs, shstrndx) = headers(&data).map_err(|e| err(&e))?;
    let sec_name = |data: &[u8], shdrs: &[SectionHeader64<LE>], i: usize| {
        cstr_at(
            data,
            shdrs[shstrndx].sh_offset.get(e) + shdrs[i].sh_name.get(e) as u64,
        )
    };
    let symtab = shdrs
        .iter()
        .position(|s| s.sh_type.get(e) == elf::SHT_SYMTAB)
        .ok_or_else(|| err(&"no symbol table"))?;
    let strtab = shdrs[symtab].sh_link.get(e) as usize;

    // The symbols: `.klp.sym.<object>.<name>,<sympos>`, section index SHN_LIVEPATCH. Their
    // names are appended to a copy of the string table.
    let mut strings = data[shdrs[strtab].sh_offset.get(e) as usize..]
        [..shdrs[strtab].sh_size.get(e) as usize]
        .to_vec();
    let (symoff, nsyms) = (
        shdrs[symtab].sh_offset.get(e),
        shdrs[symtab].sh_size.get(e) / 24,
    );
    let mut klp: HashMap<u32, String> = HashMap::new(); // symbol index -> object
    let mut already = 0;
    for i in 1..nsyms {
        let mut sym: Sym64<LE> = read(&data, symoff + i * 24).map_err(|e| err(&e))?;
        let name = cstr_at(&strings, sym.st_name.get(e) as u64);
        if name.starts_with(".klp.sym.") && sym.st_shndx.get(e).0 == SHN_LIVEPATCH {
            already += 1;
            continue;
        }
        let Some((object, sympos)) = wanted.get(&name) else {
            continue;
        };
        if sym.st_shndx.get(e) != elf::SHN_UNDEF {
            return Err(err(&format!(
                "{name} is declared with klp_extern! but defined in the module"
            )));
        }
        let klp_name = format!(".klp.sym.{object}.{name},{sympos}");
        sym.st_name = U32::new(e, add_string(&mut strings, &klp_name));
        sym.st_shndx = elf::SymbolSection(SHN_LIVEPATCH).into();
        write(&mut data, symoff + i * 24, &sym);
        klp.insert(i as u32, object.clone());
    }
    if klp.is_empty() {
        return if already > 0 {
            Ok(())
        } else {
            Err(err(&"none of the klp_extern! symbols is referenced"))
        };
    }

    // The relocations against them leave their sections, grouped by (object, target section).
    let mut moved: Vec<(String, u32, Vec<Rela64<LE>>)> = vec![];
    for i in 0..shdrs.len() {
        if shdrs[i].sh_type.get(e) != elf::SHT_RELA {
            continue;
        }
        let target = shdrs[i].sh_info.get(e);
        let (off, n) = (shdrs[i].sh_offset.get(e), shdrs[i].sh_size.get(e) / 24);
        let mut keep = vec![];
        for j in 0..n {
            let r: Rela64<LE> = read(&data, off + j * 24).map_err(|e| err(&e))?;
            let Some(object) = klp.get(&r.r_sym(e, false)) else {
                keep.push(r);
                continue;
            };
            let target_name = sec_name(&data, &shdrs, target as usize);
            if !supported(r.r_type(e, false).0) {
                return Err(err(&format!(
                    "relocation type {} against a klp_extern! symbol in {target_name}: the kernel does not apply it",
                    r.r_type(e, false).0
                )));
            }
            if shdrs[target as usize].sh_flags.get(e).0 & elf::SHF_ALLOC.0 == 0 {
                return Err(err(&format!(
                    "a klp_extern! symbol is referenced from {target_name}, which is not loaded"
                )));
            }
            match moved
                .iter_mut()
                .find(|(o, t, _)| o == object && *t == target)
            {
                Some(m) => m.2.push(r),
                None => moved.push((object.clone(), target, vec![r])),
            }
        }
        if keep.len() as u64 != n {
            for (j, r) in keep.iter().enumerate() {
                write(&mut data, off + j as u64 * 24, r);
            }
            shdrs[i].sh_size = U64::new(e, keep.len() as u64 * 24);
        }
    }

    // Appended: the string tables, the new sections, the section header table.
    let mut shstr = data[shdrs[shstrndx].sh_offset.get(e) as usize..]
        [..shdrs[shstrndx].sh_size.get(e) as usize]
        .to_vec();
    let mut new_shdrs = vec![];
    let mut report = vec![];
    let mut tail = Tail::new(&data);
    for (object, target, relocs) in &moved {
        let name = format!(
            ".klp.rela.{object}.{}",
            sec_name(&data, &shdrs, *target as usize).trim_start_matches('.')
        );
        report.push(format!("{name} ({})", relocs.len()));
        let bytes: Vec<u8> = relocs
            .iter()
            .flat_map(|r| pod::bytes_of(r).iter().copied())
            .collect();
        let off = tail.push(8, &bytes);
        new_shdrs.push(rela_header(
            add_string(&mut shstr, &name),
            elf::SHF_ALLOC.0 | elf::SHF_INFO_LINK.0 | SHF_RELA_LIVEPATCH,
            off,
            relocs.len(),
            symtab,
            *target,
        ));
    }
    tail.place(&mut shdrs[strtab], 1, &strings);
    tail.place(&mut shdrs[shstrndx], 1, &shstr);
    shdrs.extend(new_shdrs);
    tail.finish(&mut data, hdr, &shdrs).map_err(|e| err(&e))?;

    let tmp = ko.with_extension("ko.klp-tmp");
    std::fs::write(&tmp, &data).map_err(|e| err(&e))?;
    std::fs::rename(&tmp, ko).map_err(|e| err(&e))?;
    println!("  KLP     {}: {}", ko.display(), report.join(", "));
    Ok(())
}
