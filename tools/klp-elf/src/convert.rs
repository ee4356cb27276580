// SPDX-License-Identifier: GPL-2.0
//! `klp-elf convert`: references to `klp_extern!` symbols become livepatch relocations
//! (`Documentation/livepatch/module-elf-format.rst`).

use crate::records::{self, Kind};
use object::build::elf::{Builder, SectionData};
use object::elf;
use std::collections::HashMap;
use std::path::Path;

/// `SHN_LIVEPATCH` and `SHF_RELA_LIVEPATCH` of `include/uapi/linux/elf.h`.
const SHN_LIVEPATCH: u16 = 0xff20;
const SHF_RELA_LIVEPATCH: u64 = 0x0010_0000;

/// The relocation types `apply_relocate_add()` of `arch/x86/kernel/module.c` applies.
fn supported(r_type: elf::RelocationType) -> bool {
    matches!(
        r_type,
        elf::R_X86_64_64 | elf::R_X86_64_32 | elf::R_X86_64_32S | elf::R_X86_64_PC32 | elf::R_X86_64_PLT32 | elf::R_X86_64_PC64
    )
}

pub fn convert(ko: &Path, records_from: &Path) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| format!("{}: {e}", ko.display());
    let obj = std::fs::read(records_from).map_err(|e| format!("{}: {e}", records_from.display()))?;
    // symbol name -> (object, sympos)
    let wanted: HashMap<String, (String, u32)> = records::read(&obj)
        .map_err(|e| format!("{}: {e}", records_from.display()))?
        .into_iter()
        .filter(|r| matches!(r.kind, Kind::Function | Kind::Variable))
        .map(|r| (r.name, (r.object, r.sympos)))
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let data = std::fs::read(ko).map_err(|e| err(&e))?;
    let mut b = Builder::read(&data[..]).map_err(|e| err(&e))?;

    // The symbols: `.klp.sym.<object>.<name>,<sympos>`, section index SHN_LIVEPATCH.
    let mut klp = vec![]; // (symbol id, object)
    let mut done = 0;
    for sym in b.symbols.iter_mut() {
        let name = String::from_utf8_lossy(&sym.name).into_owned();
        if name.starts_with(".klp.sym.") {
            done += 1;
            continue;
        }
        let Some((object, sympos)) = wanted.get(&name) else { continue };
        if sym.section.is_some() || sym.st_shndx != elf::SHN_UNDEF {
            return Err(err(&format!("{name} is declared with klp_extern! but defined in the module")));
        }
        sym.name = format!(".klp.sym.{object}.{name},{sympos}").into_bytes().into();
        sym.st_shndx = elf::SymbolSection(SHN_LIVEPATCH);
        klp.push((sym.id(), object.clone()));
    }
    if klp.is_empty() {
        return if done > 0 { Ok(()) } else { Err(err(&"none of the klp_extern! symbols is referenced")) };
    }

    // The relocations against them, per (object, section), out of the ordinary sections.
    let is_klp = |id: Option<object::build::elf::SymbolId>| id.and_then(|id| klp.iter().find(|(k, _)| *k == id).map(|(_, o)| o.clone()));
    let symtab = b.sections.iter().find(|s| matches!(s.data, SectionData::Symbol)).map(|s| s.id());
    let rela: Vec<_> = b
        .sections
        .iter()
        .filter(|s| matches!(s.data, SectionData::Relocation(_)))
        .filter_map(|s| Some((s.id(), s.sh_info_section?)))
        .collect();
    let mut moved: Vec<(String, object::build::elf::SectionId, Vec<_>)> = vec![];
    for (id, target) in rela {
        let target_name = String::from_utf8_lossy(&b.sections.get(target).name).into_owned();
        let SectionData::Relocation(relocs) = &mut b.sections.get_mut(id).data else { continue };
        let mut keep = Vec::with_capacity(relocs.len());
        for r in relocs.drain(..) {
            let Some(object) = is_klp(r.symbol) else {
                keep.push(r);
                continue;
            };
            if !supported(r.r_type) {
                return Err(err(&format!(
                    "relocation type {} against a klp_extern! symbol in {target_name}: the kernel does not apply it",
                    r.r_type.0
                )));
            }
            match moved.iter_mut().find(|(o, t, _)| *o == object && *t == target) {
                Some(m) => m.2.push(r),
                None => moved.push((object, target, vec![r])),
            }
        }
        *relocs = keep;
    }
    let mut report = vec![];
    for (object, target, relocs) in moved {
        let target_name = String::from_utf8_lossy(&b.sections.get(target).name).into_owned();
        if !b.sections.get(target).is_alloc() {
            return Err(err(&format!("a klp_extern! symbol is referenced from {target_name}, which is not loaded")));
        }
        let name = format!(".klp.rela.{object}.{}", target_name.trim_start_matches('.'));
        report.push(format!("{name} ({})", relocs.len()));
        let s = b.sections.add();
        s.name = name.into_bytes().into();
        s.sh_type = elf::SHT_RELA;
        s.sh_flags = elf::SectionFlags(elf::SHF_ALLOC.0 | elf::SHF_INFO_LINK.0 | SHF_RELA_LIVEPATCH);
        s.sh_link_section = symtab;
        s.sh_info_section = Some(target);
        s.sh_addralign = 8;
        s.sh_entsize = 24;
        s.data = SectionData::Relocation(relocs);
    }
    // Relocation sections left empty go.
    for sec in b.sections.iter_mut() {
        if let SectionData::Relocation(r) = &sec.data {
            if r.is_empty() {
                sec.delete = true;
            }
        }
    }
    let mut out = Vec::new();
    b.write(&mut out).map_err(|e| err(&e))?;
    let tmp = ko.with_extension("ko.klp-tmp");
    std::fs::write(&tmp, out).map_err(|e| err(&e))?;
    std::fs::rename(&tmp, ko).map_err(|e| err(&e))?;
    println!("  KLP     {}: {}", ko.display(), report.join(", "));
    Ok(())
}
