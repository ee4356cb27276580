// SPDX-License-Identifier: GPL-2.0
//! `klp-elf`: the build-time tool of the Rust livepatch framework.
//!
//! - `klp-elf check --kdir KDIR [--modules DIR]... --symvers OUT MODULE.o`, run by Kbuild on
//!   each livepatch module's object before `modpost`: checks the global names it defines
//!   (`names`), and every replacement function and
//!   every symbol declared with `klp_extern!` against the C definition of its target (libclang,
//!   with the flags Kbuild compiled that file with), and writes the declared symbols to OUT, in
//!   `Module.symvers` format, so that `modpost` lets the module reference them.
//! - `klp-elf convert [--kdir KDIR] MODULE.ko [--records MODULE.o]`, run by `make modules` on
//!   each linked module (declared symbols that KDIR's `Module.symvers` exports stay as they are): turns the references to declared symbols into livepatch relocations
//!   (`Documentation/livepatch/module-elf-format.rst`): each symbol becomes
//!   `.klp.sym.<object>.<name>,<sympos>` with section index `SHN_LIVEPATCH`, and the
//!   relocations against it move to `.klp.rela.<object>.<section>` sections flagged
//!   `SHF_ALLOC | SHF_RELA_LIVEPATCH`, which the livepatch core applies when the patch loads
//!   (vmlinux) or when the target module loads. Idempotent.
//! - `klp-elf fentry [--prefix BYTES] OBJ.o`, run by Kbuild between rustc and objtool on the
//!   objects of modules built for livepatch targets (`klp_target` in `Kbuild`): each entry of
//!   `-Zpatchable-function-entry=BYTES+5,BYTES` becomes `call __fentry__`, which objtool records
//!   in `__mcount_loc` and turns into the NOP ftrace patches, as for C. Idempotent.
//! - `klp-elf names --kdir KDIR OBJ.o...`, run by Kbuild on each module object it builds (and
//!   by `check`): refuses a global symbol that is a compiler builtin (`memset`), a name of the
//!   kernel (vmlinux's symbol table, `Module.symvers`) or a reserved `__` name (see `names.rs`).
//! - `klp-elf frames OBJ.o`, run by Kbuild right after rustc on each module object it builds
//!   (`scripts/rustc-module.sh`): refuses a function whose stack frame is larger than
//!   [`frames::MAX_FRAME`] (see `frames.rs`).
//! - `klp-elf proto --kdir KDIR [--modules DIR]... OBJECT NAME[@SYMPOS]`: prints the C
//!   prototype the check compares with.

mod cdecl;
mod check;
mod compare;
mod convert;
/// The records' layout: the livepatch crate's own definition.
#[allow(dead_code)]
#[path = "../../../src/ctype.rs"]
mod ctype;
mod elfedit;
mod fentry;
mod frames;
mod names;
mod records;

use std::path::PathBuf;
use std::process::ExitCode;

struct Args {
    kdir: Option<PathBuf>,
    modules: Vec<PathBuf>,
    symvers: Option<PathBuf>,
    records: Option<PathBuf>,
    /// `fentry --prefix`: the bytes of padding before each function (`CONFIG_CALL_PADDING`).
    prefix: u64,
    rest: Vec<String>,
}

fn parse(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut a = Args {
        kdir: None,
        modules: vec![],
        symvers: None,
        records: None,
        prefix: 0,
        rest: vec![],
    };
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--kdir" => a.kdir = Some(value("--kdir")?.into()),
            "--modules" => a.modules.push(value("--modules")?.into()),
            "--symvers" => a.symvers = Some(value("--symvers")?.into()),
            "--records" => a.records = Some(value("--records")?.into()),
            "--prefix" => {
                let v = value("--prefix")?;
                a.prefix = v
                    .parse()
                    .map_err(|_| format!("--prefix {v}: expected a byte count"))?
            }
            s if s.starts_with("--") => return Err(format!("unknown option {s}")),
            _ => a.rest.push(arg),
        }
    }
    Ok(a)
}

const USAGE: &str = "usage: klp-elf check --kdir KDIR [--modules DIR]... --symvers OUT MODULE.o
       klp-elf convert [--kdir KDIR] MODULE.ko [--records MODULE.o]
       klp-elf fentry [--prefix BYTES] OBJ.o
       klp-elf frames OBJ.o
       klp-elf names --kdir KDIR OBJ.o...
       klp-elf proto --kdir KDIR [--modules DIR]... OBJECT NAME[@SYMPOS]";

fn run() -> Result<(), String> {
    let mut it = std::env::args().skip(1);
    let cmd = it.next().ok_or(USAGE)?;
    let a = parse(it)?;
    match (cmd.as_str(), a.rest.as_slice()) {
        ("check", [obj]) => {
            let kdir = a.kdir.ok_or("check needs --kdir")?;
            let symvers = a.symvers.ok_or("check needs --symvers")?;
            check::check(&kdir, &a.modules, obj.as_ref(), &symvers)
        }
        ("convert", [ko]) => {
            let ko = PathBuf::from(ko);
            let records = a.records.unwrap_or_else(|| ko.with_extension("o"));
            convert::convert(&ko, &records, a.kdir.as_deref())
        }
        ("fentry", [obj]) => fentry::fentry(obj.as_ref(), a.prefix),
        ("frames", [obj]) => frames::check(obj.as_ref()),
        ("names", objs) if !objs.is_empty() => {
            let kdir = a.kdir.ok_or("names needs --kdir")?;
            names::names(&kdir, objs)
        }
        ("proto", [object, name]) => {
            let kdir = a.kdir.ok_or("proto needs --kdir")?;
            let (name, sympos) = match name.split_once('@') {
                Some((n, p)) => (n, p.parse().map_err(|_| format!("bad sympos {p}"))?),
                None => (name.as_str(), 0),
            };
            let mut finder = cdecl::Finder::new(&kdir, &a.modules)?;
            let found = finder.lookup(object, name, sympos)?;
            println!(
                "{}:{}: {}",
                found.file,
                found.line,
                check::prototype(name, &found.decl)
            );
            Ok(())
        }
        _ => Err(USAGE.into()),
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("klp-elf: error: {e}");
            ExitCode::FAILURE
        }
    }
}
