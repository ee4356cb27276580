// SPDX-License-Identifier: GPL-2.0
//! In-place edits of an x86-64 relocatable ELF file, shared by `klp-elf convert` and
//! `klp-elf fentry`: everything the edit does not change stays byte for byte where it is; tables
//! that grow, new sections and a new section header table are appended to the file ([`Tail`]).

use object::elf::{FileHeader64, SectionHeader64};
use object::{elf, pod, LittleEndian as LE, U16, U32, U64};

pub(crate) fn read<T: pod::Pod + Copy>(data: &[u8], off: u64) -> Result<T, String> {
    let off = usize::try_from(off).map_err(|_| "offset out of range")?;
    data.get(off..)
        .and_then(|d| pod::from_bytes::<T>(d).ok())
        .map(|(v, _)| *v)
        .ok_or_else(|| "truncated ELF file".into())
}

pub(crate) fn write<T: pod::Pod>(data: &mut [u8], off: u64, v: &T) {
    let b = pod::bytes_of(v);
    data[off as usize..off as usize + b.len()].copy_from_slice(b);
}

pub(crate) fn cstr_at(data: &[u8], off: u64) -> String {
    let s = &data[off as usize..];
    String::from_utf8_lossy(&s[..s.iter().position(|&c| c == 0).unwrap_or(s.len())]).into_owned()
}

/// Appends `s` to the string table `table`; returns its offset there.
pub(crate) fn add_string(table: &mut Vec<u8>, s: &str) -> u32 {
    let off = table.len() as u32;
    table.extend_from_slice(s.as_bytes());
    table.push(0);
    off
}

/// The file header, the section headers and the index of the section name table.
pub(crate) type Headers = (FileHeader64<LE>, Vec<SectionHeader64<LE>>, usize);

/// The file header, the section headers and the index of the section name table of `data`, an
/// x86-64 relocatable ELF file without extended section numbering.
pub(crate) fn headers(data: &[u8]) -> Result<Headers, String> {
    let e = LE;
    let hdr: FileHeader64<LE> = read(data, 0)?;
    if hdr.e_ident.class != elf::ELFCLASS64
        || hdr.e_ident.data != elf::ELFDATA2LSB
        || hdr.e_type.get(e) != elf::ET_REL
        || hdr.e_machine.get(e) != elf::EM_X86_64
    {
        return Err("not an x86-64 relocatable ELF file".into());
    }
    let shoff = hdr.e_shoff.get(e);
    let shnum = hdr.e_shnum.get(e) as u64;
    let shstrndx = hdr.e_shstrndx.get(e).0 as usize;
    if shnum == 0 || shstrndx >= elf::SHN_LORESERVE as usize {
        return Err("extended section numbering is not supported".into());
    }
    let shdrs = (0..shnum)
        .map(|i| read::<SectionHeader64<LE>>(data, shoff + i * 64))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((hdr, shdrs, shstrndx))
}

/// The header of a `SHT_RELA` section named at `name` in the section name table, holding `count`
/// relocations at `offset`, against the symbol table `symtab`, for the section `info`.
pub(crate) fn rela_header(
    name: u32,
    flags: u64,
    offset: u64,
    count: usize,
    symtab: usize,
    info: u32,
) -> SectionHeader64<LE> {
    let e = LE;
    SectionHeader64 {
        sh_name: U32::new(e, name),
        sh_type: U32::new(e, elf::SHT_RELA),
        sh_flags: U64::new(e, elf::SectionFlags(flags)),
        sh_addr: U64::new(e, 0),
        sh_offset: U64::new(e, offset),
        sh_size: U64::new(e, count as u64 * 24),
        sh_link: U32::new(e, symtab as u32),
        sh_info: U32::new(e, info),
        sh_addralign: U64::new(e, 8),
        sh_entsize: U64::new(e, 24),
    }
}

/// What an edit appends to a file of `base` bytes.
pub(crate) struct Tail {
    base: u64,
    bytes: Vec<u8>,
}

impl Tail {
    pub(crate) fn new(data: &[u8]) -> Self {
        Self {
            base: data.len() as u64,
            bytes: vec![],
        }
    }

    /// Appends `bytes` at a file offset aligned to `align`, and returns that offset.
    pub(crate) fn push(&mut self, align: usize, bytes: &[u8]) -> u64 {
        while !(self.base as usize + self.bytes.len()).is_multiple_of(align) {
            self.bytes.push(0);
        }
        let off = self.base + self.bytes.len() as u64;
        self.bytes.extend_from_slice(bytes);
        off
    }

    /// Moves the contents of the section `shdr` to the end of the file: `bytes` (its old contents,
    /// grown).
    pub(crate) fn place(&mut self, shdr: &mut SectionHeader64<LE>, align: usize, bytes: &[u8]) {
        shdr.sh_offset = U64::new(LE, self.push(align, bytes));
        shdr.sh_size = U64::new(LE, bytes.len() as u64);
    }

    /// Appends the tail to `data` followed by the section header table `shdrs`, which `hdr`, the
    /// file header written to `data`, then points to.
    pub(crate) fn finish(
        mut self,
        data: &mut Vec<u8>,
        mut hdr: FileHeader64<LE>,
        shdrs: &[SectionHeader64<LE>],
    ) -> Result<(), String> {
        if shdrs.len() >= elf::SHN_LORESERVE as usize {
            return Err("too many sections".into());
        }
        let table: Vec<u8> = shdrs
            .iter()
            .flat_map(|s| pod::bytes_of(s).iter().copied())
            .collect();
        let shoff = self.push(8, &table);
        data.extend_from_slice(&self.bytes);
        hdr.e_shoff = U64::new(LE, shoff);
        hdr.e_shnum = U16::new(LE, shdrs.len() as u16);
        write(data, 0, &hdr);
        Ok(())
    }
}
