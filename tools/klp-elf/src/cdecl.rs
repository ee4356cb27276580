// SPDX-License-Identifier: GPL-2.0
//! Find the C definition of a kernel function or variable, as the livepatch core would
//! resolve `(object, name, sympos)`, and return its prototype as parsed by libclang with the
//! exact compiler flags Kbuild used for the object that defines it.
//!
//! * `vmlinux`: the objects are the members of the thin archive `KDIR/vmlinux.a` (link order);
//!   `sympos` counts the symbols named `name` in `KDIR/vmlinux` in address order (kallsyms).
//! * a module: the objects are listed in `<module>.mod` (in KDIR or in external module
//!   directories); `sympos` counts in the order of the module's symbol table (`<module>.ko`,
//!   or the objects of the `.mod` file in order if the `.ko` is missing).
//!
//! Occurrences in the linked image are matched to the objects by link order and by the
//! `STT_FILE` symbol preceding each compilation unit's local symbols.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

use clang::{Entity, EntityKind, Type, TypeKind};
use object::{Object, ObjectSection, ObjectSymbol, SectionFlags, SymbolKind, SymbolSection};

/// A C type, reduced to what matters for ABI checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CTy {
    Void,
    /// `_Bool`
    Bool,
    /// char/short/int/long/long long, enums (underlying type); typedefs resolved.
    Int {
        bytes: u8,
        signed: bool,
        is_enum: bool,
    },
    /// Pointee with qualifiers removed; whether it was `const`.
    Pointer {
        to: Box<CTy>,
        konst: bool,
    },
    /// "struct seq_file", "union foo" (canonical); anonymous: "struct (anonymous)"; its size in
    /// bytes, if complete.
    Record {
        name: String,
        size: Option<u64>,
    },
    /// A function type (pointee of a function pointer).
    Function,
    Array {
        elem: Box<CTy>,
        len: Option<u64>,
        /// The elements are `const`.
        konst: bool,
    },
    /// Anything else (float, vector, ...): the canonical spelling.
    Other(String),
}

/// A C type with its spelling as written in the source ("struct seq_file *", "loff_t").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CType {
    pub ty: CTy,
    pub spelling: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CParam {
    pub name: String,
    pub ty: CType,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CDecl {
    Func {
        ret: CType,
        params: Vec<CParam>,
        variadic: bool,
    },
    Var {
        ty: CType,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub decl: CDecl,
    /// Source path relative to the kernel source root where possible (else absolute).
    pub file: String,
    pub line: u32,
}

/// A named, defined symbol of an object file or a linked image.
#[derive(Debug, Clone)]
struct Sym {
    /// Index in the symbol table (for stable ordering).
    index: usize,
    addr: u64,
    local: bool,
    weak: bool,
    /// STT_FUNC or STT_OBJECT (a possible C definition).
    c_like: bool,
    /// In a SHF_ALLOC section (what a module's kallsyms keep).
    alloc: bool,
    /// Name of the STT_FILE symbol preceding this one (locals only).
    file: Option<Rc<str>>,
}

/// Defined symbols by name, each name's list in symbol table order.
type SymMap = HashMap<String, Vec<Sym>>;

fn read_syms(path: &Path) -> Result<SymMap, String> {
    let data = fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let file = object::File::parse(&*data)
        .map_err(|e| format!("{}: not an object file: {e}", path.display()))?;
    let mut map: SymMap = HashMap::new();
    let mut cur_file: Option<Rc<str>> = None;
    for s in file.symbols() {
        let kind = s.kind();
        if kind == SymbolKind::File {
            cur_file = s.name().ok().map(Rc::from);
            continue;
        }
        if kind == SymbolKind::Section {
            continue;
        }
        let sec_idx = match s.section() {
            SymbolSection::Section(i) => i,
            SymbolSection::Common => {
                // A common symbol is defined (by the linker) but has no section.
                let Ok(name) = s.name() else { continue };
                if name.is_empty() {
                    continue;
                }
                map.entry(name.to_string()).or_default().push(Sym {
                    index: s.index().0,
                    addr: 0,
                    local: false,
                    weak: false,
                    c_like: true,
                    alloc: true,
                    file: None,
                });
                continue;
            }
            _ => continue, // undefined, absolute
        };
        let Ok(name) = s.name() else { continue };
        if name.is_empty() {
            continue;
        }
        let alloc = match file.section_by_index(sec_idx) {
            Ok(sec) => match sec.flags() {
                SectionFlags::Elf { sh_flags, .. } => sh_flags.0 & object::elf::SHF_ALLOC.0 != 0,
                _ => true,
            },
            Err(_) => false,
        };
        let local = s.is_local();
        map.entry(name.to_string()).or_default().push(Sym {
            index: s.index().0,
            addr: s.address(),
            local,
            weak: s.is_weak(),
            c_like: matches!(kind, SymbolKind::Text | SymbolKind::Data | SymbolKind::Tls),
            alloc,
            file: if local { cur_file.clone() } else { None },
        });
    }
    Ok(map)
}

/// What a TU parse yields: definitions by name, or why the parse failed.
type TuDefs = Result<HashMap<String, Result<Found, String>>, String>;

/// The objects making up vmlinux, with an index name -> definitions.
struct VmIndex {
    objects: Vec<PathBuf>,
    /// name -> (object index, symbol) in link order.
    defs: HashMap<String, Vec<(usize, Sym)>>,
    /// Symbols of KDIR/vmlinux.
    image: SymMap,
}

pub struct Finder {
    kdir: PathBuf,
    srctree: Option<PathBuf>,
    module_dirs: Vec<PathBuf>,
    clang: Option<clang::Clang>,
    vm: Option<VmIndex>,
    /// Parsed translation units (function bodies skipped), by object path.
    tus: HashMap<PathBuf, TuDefs>,
    /// Same, parsed with function bodies (only when the above misses a definition).
    full_tus: HashMap<PathBuf, TuDefs>,
    /// Object symbol tables (modules), by object path.
    objsyms: HashMap<PathBuf, Rc<SymMap>>,
}

impl std::fmt::Debug for Finder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Finder")
            .field("kdir", &self.kdir)
            .field("module_dirs", &self.module_dirs)
            .finish_non_exhaustive()
    }
}

/// One occurrence of the name in the linked image, matched to a defining object if possible.
struct Cand {
    order: (u64, usize),
    obj: Option<(PathBuf, Sym)>,
    img_file: Option<Rc<str>>,
}

impl Finder {
    pub fn new(kdir: &Path, module_dirs: &[PathBuf]) -> Result<Self, String> {
        let kdir = fs::canonicalize(kdir)
            .map_err(|e| format!("kernel build directory {}: {e}", kdir.display()))?;
        if !kdir.join("vmlinux.a").is_file() && !kdir.join("vmlinux").is_file() {
            return Err(format!(
                "{}: not a kernel build directory (no vmlinux.a or vmlinux)",
                kdir.display()
            ));
        }
        let srctree = fs::canonicalize(kdir.join("source")).ok().or_else(|| {
            // In-tree build: KDIR is the source tree.
            kdir.join("Kconfig").is_file().then(|| kdir.clone())
        });
        let module_dirs = module_dirs
            .iter()
            .map(|d| fs::canonicalize(d).unwrap_or_else(|_| d.clone()))
            .collect();
        Ok(Finder {
            kdir,
            srctree,
            module_dirs,
            clang: None,
            vm: None,
            tus: HashMap::new(),
            full_tus: HashMap::new(),
            objsyms: HashMap::new(),
        })
    }

    /// The definition of `name` in `object` ("vmlinux" or a module name); `sympos` as the
    /// livepatch core counts it (0: the name must be unique).
    pub fn lookup(&mut self, object: &str, name: &str, sympos: u32) -> Result<Found, String> {
        let cands = if object == "vmlinux" {
            self.vmlinux_cands(name)?
        } else {
            self.module_cands(object, name)?
        };
        let what = if object == "vmlinux" {
            "vmlinux".to_string()
        } else {
            format!("module {object}")
        };
        if cands.is_empty() {
            return Err(format!("{name}: no such function or variable in {what}"));
        }
        let n = cands.len();
        let idx = if sympos == 0 {
            if n > 1 {
                let files: Vec<String> = cands.iter().map(|c| self.cand_desc(c)).collect();
                return Err(format!(
                    "{name} is defined {n} times in {what} ({}): give its position (sympos 1..{n})",
                    files.join(", ")
                ));
            }
            0
        } else if sympos as usize > n {
            return Err(format!(
                "sympos {sympos} of {name}, but {what} has {n}{}",
                if n == 1 { " (use sympos 0 or 1)" } else { "" }
            ));
        } else {
            sympos as usize - 1
        };
        let cand = &cands[idx];
        let Some((obj, sym)) = &cand.obj else {
            return Err(match cand.img_file.as_deref() {
                Some(f) => format!(
                    "{name}{} in {what} (from {f}) is not defined by any of its object files",
                    pos_note(sympos)
                ),
                None => format!(
                    "{name}{} in {what} is not defined by any of its object files (a linker \
                     script or generated symbol?)",
                    pos_note(sympos)
                ),
            });
        };
        if !sym.c_like {
            return Err(format!(
                "{name} in {} is not a function or variable symbol (an assembler label?)",
                self.display_path(obj)
            ));
        }
        let obj = obj.clone();
        self.find_in_tu(&obj, name)
    }

    // ---- vmlinux --------------------------------------------------------------------------

    fn ensure_vm(&mut self) -> Result<(), String> {
        if self.vm.is_none() {
            let ar = self.kdir.join("vmlinux.a");
            let objects = thin_archive_members(&ar, &self.kdir)?;
            let mut defs: HashMap<String, Vec<(usize, Sym)>> = HashMap::new();
            for (i, o) in objects.iter().enumerate() {
                // Members are always ELF objects; tolerate unreadable ones (reported at use).
                let Ok(map) = read_syms(o) else { continue };
                for (name, syms) in map {
                    let e = defs.entry(name).or_default();
                    e.extend(syms.into_iter().map(|s| (i, s)));
                }
            }
            let vml = self.kdir.join("vmlinux");
            let image = read_syms(&vml).map_err(|e| format!("{e} (build the kernel first)"))?;
            self.vm = Some(VmIndex {
                objects,
                defs,
                image,
            });
        }
        Ok(())
    }

    fn vmlinux_cands(&mut self, name: &str) -> Result<Vec<Cand>, String> {
        self.ensure_vm()?;
        let Some(vm) = self.vm.as_ref() else {
            return Err("internal error: no vmlinux index".to_string());
        };
        let occs: Vec<Sym> = vm.image.get(name).cloned().unwrap_or_default();
        let defs: Vec<(usize, Sym)> = vm.defs.get(name).cloned().unwrap_or_default();
        if occs.is_empty() {
            if let Some((i, _)) = defs.first() {
                return Err(format!(
                    "{name} is defined in {} but is not in vmlinux (discarded at link time?)",
                    self.display_path(&vm.objects[*i])
                ));
            }
            return Ok(Vec::new());
        }
        let defs: Vec<(PathBuf, Sym)> = defs
            .into_iter()
            .map(|(i, s)| (vm.objects[i].clone(), s))
            .collect();
        let mut cands = match_occs(&occs, &defs);
        // kallsyms: address order, ties in symbol table order.
        cands.sort_by_key(|c| c.order);
        Ok(cands)
    }

    // ---- modules --------------------------------------------------------------------------

    /// The `.mod` file of `module` and the objects it lists.
    pub fn module_objects(&self, module: &str) -> Result<(PathBuf, Vec<PathBuf>), String> {
        let modfile = self.find_mod_file(module)?;
        let text = fs::read_to_string(&modfile)
            .map_err(|e| format!("cannot read {}: {e}", modfile.display()))?;
        let moddir = modfile.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut objects = Vec::new();
        for w in text.split_whitespace() {
            let p = Path::new(w);
            let abs = if p.is_absolute() {
                p.to_path_buf()
            } else if self.kdir.join(p).exists() {
                self.kdir.join(p)
            } else {
                moddir.join(p.file_name().unwrap_or_default())
            };
            objects.push(abs);
        }
        Ok((modfile, objects))
    }

    fn module_cands(&mut self, module: &str, name: &str) -> Result<Vec<Cand>, String> {
        let (modfile, objects) = self.module_objects(module)?;
        let mut defs: Vec<(PathBuf, Sym)> = Vec::new();
        for o in &objects {
            let syms = self.obj_syms(o)?;
            if let Some(v) = syms.get(name) {
                defs.extend(v.iter().filter(|s| s.alloc).map(|s| (o.clone(), s.clone())));
            }
        }
        let ko = modfile.with_extension("ko");
        let mut cands = if ko.is_file() {
            let img = read_syms(&ko)?;
            let occs: Vec<Sym> = img
                .get(name)
                .map(|v| v.iter().filter(|s| s.alloc).cloned().collect())
                .unwrap_or_default();
            if occs.is_empty() && !defs.is_empty() {
                return Err(format!(
                    "{name} is defined in {} but is not in {} (rebuild the module?)",
                    self.display_path(&defs[0].0),
                    ko.display()
                ));
            }
            match_occs(&occs, &defs)
        } else {
            // No .ko: the object order of the .mod file, symbol table order within each.
            defs.iter()
                .enumerate()
                .map(|(i, (o, s))| Cand {
                    order: (0, i),
                    obj: Some((o.clone(), s.clone())),
                    img_file: s.file.clone(),
                })
                .collect()
        };
        // module_kallsyms_on_each_symbol walks the symbol table in order.
        cands.sort_by_key(|c| c.order.1);
        Ok(cands)
    }

    fn obj_syms(&mut self, o: &Path) -> Result<Rc<SymMap>, String> {
        if let Some(m) = self.objsyms.get(o) {
            return Ok(m.clone());
        }
        let m = Rc::new(read_syms(o)?);
        self.objsyms.insert(o.to_path_buf(), m.clone());
        Ok(m)
    }

    fn find_mod_file(&self, module: &str) -> Result<PathBuf, String> {
        let norm = |s: &str| s.replace('-', "_");
        let want = norm(module);
        let matches = |p: &Path| {
            p.extension().is_some_and(|e| e == "mod")
                && p.file_stem()
                    .and_then(|s| s.to_str())
                    .is_some_and(|s| norm(s) == want)
        };
        // External module dirs first: they are what the caller points at.
        for d in &self.module_dirs {
            if let Some(p) = find_file(d, &matches, 12) {
                return Ok(p);
            }
        }
        // In-tree modules: modules.order lists them.
        if let Ok(order) = fs::read_to_string(self.kdir.join("modules.order")) {
            for l in order.lines() {
                let p = self.kdir.join(l.trim()).with_extension("mod");
                if matches(&p) && p.is_file() {
                    return Ok(p);
                }
            }
        }
        if let Some(p) = find_file(&self.kdir, &matches, 12) {
            return Ok(p);
        }
        let mut dirs = vec![self.kdir.display().to_string()];
        dirs.extend(self.module_dirs.iter().map(|d| d.display().to_string()));
        Err(format!(
            "module {module}: no {}.mod under {}: build the target module first",
            want,
            dirs.join(" or ")
        ))
    }

    // ---- libclang -------------------------------------------------------------------------

    fn find_in_tu(&mut self, obj: &Path, name: &str) -> Result<Found, String> {
        if !self.tus.contains_key(obj) {
            let r = self.parse_tu(obj, true);
            self.tus.insert(obj.to_path_buf(), r);
        }
        let objd = self.display_path(obj);
        // A definition generated by a macro cannot be told from a declaration when bodies are
        // skipped: parse the TU once more with bodies in that (rare) case.
        let miss = matches!(self.tus.get(obj), Some(Ok(defs)) if !defs.contains_key(name));
        if miss && !name.contains('.') && !self.full_tus.contains_key(obj) {
            let r = self.parse_tu(obj, false);
            self.full_tus.insert(obj.to_path_buf(), r);
        }
        if let Some(Ok(defs)) = self.full_tus.get(obj) {
            if let (true, Some(r)) = (miss, defs.get(name)) {
                return r.clone();
            }
        }
        match self.tus.get(obj) {
            Some(Ok(defs)) => match defs.get(name) {
                Some(r) => r.clone(),
                None if name.contains('.') => Err(format!(
                    "{name} (in {objd}) is a compiler-generated local symbol (a static variable \
                     inside a function?): it has no C declaration of its own"
                )),
                None => Err(format!(
                    "{name} is defined in {objd} but libclang finds no C definition of it in its \
                     source (defined in inline assembly, or generated in a way libclang cannot see?)"
                )),
            },
            Some(Err(e)) => Err(e.clone()),
            None => Err("internal error: TU cache".to_string()),
        }
    }

    fn parse_tu(&mut self, obj: &Path, skip_bodies: bool) -> TuDefs {
        let objd = self.display_path(obj);
        let (source, args) = self.compile_command(obj)?;
        let ext = source.extension().and_then(|e| e.to_str()).unwrap_or("");
        if ext != "c" {
            return Err(format!(
                "{objd} is built from {} (not C): no C prototype available",
                self.display_path(&source)
            ));
        }
        let wanted: HashSet<String> = read_syms(obj)?
            .into_iter()
            .filter(|(_, v)| v.iter().any(|s| s.c_like))
            .map(|(k, _)| k)
            .collect();
        if self.clang.is_none() {
            self.clang = Some(clang::Clang::new().map_err(|e| format!("libclang: {e}"))?);
        }
        let Some(clang) = self.clang.as_ref() else {
            return Err("internal error: libclang".to_string());
        };
        let index = clang::Index::new(clang, false, false);
        let tu = index
            .parser(&source)
            .arguments(&args)
            .skip_function_bodies(skip_bodies)
            .parse()
            .map_err(|e| {
                format!(
                    "libclang cannot parse {} (for {objd}): {e}",
                    source.display()
                )
            })?;
        let first_error = tu
            .get_diagnostics()
            .into_iter()
            .find(|d| d.get_severity() >= clang::diagnostic::Severity::Error)
            .map(|d| d.get_text());

        // Top-level declarations with a wanted name: the definition, else the last declaration
        // in the main file (e.g. `long __x64_sys_foo(...) __alias(__do_sys_foo);`).
        // Rank: 3 definition, 2 function whose skipped body follows, 1 tentative variable
        // definition, 0 other declaration in the main file (an alias, e.g.
        // `long __x64_sys_foo(...) __alias(__do_sys_foo);`). First of the highest rank wins.
        let mut best: HashMap<String, (u8, Entity)> = HashMap::new();
        let mut files: HashMap<PathBuf, Option<Vec<u8>>> = HashMap::new();
        for e in tu.get_entity().get_children() {
            let kind = e.get_kind();
            if !matches!(kind, EntityKind::FunctionDecl | EntityKind::VarDecl) {
                continue;
            }
            let Some(n) = e.get_name() else { continue };
            if !wanted.contains(&n) {
                continue;
            }
            let rank = if e.is_definition() {
                3
            } else if skip_bodies && has_skipped_body(&e, &mut files) {
                2
            } else if kind == EntityKind::VarDecl
                && e.get_storage_class() != Some(clang::StorageClass::Extern)
            {
                1
            } else if in_file(&e, &source) {
                0
            } else {
                continue;
            };
            if best.get(&n).is_none_or(|(r, _)| *r < rank) {
                best.insert(n, (rank, e));
            }
        }
        let mut out = HashMap::new();
        for (n, (_, e)) in best {
            let r = self.entity_found(&e);
            out.insert(n, r);
        }
        // After an error, clang's recovery gives declarations types that are not the
        // compiler's (an unknown type name becomes `int`): nothing of this parse is a proof.
        if let Some(err) = first_error {
            return Err(format!(
                "libclang failed on {} (for {objd}): {err}: its declarations cannot be checked",
                self.display_path(&source)
            ));
        }
        Ok(out)
    }

    fn entity_found(&self, e: &Entity) -> Result<Found, String> {
        let name = e.get_name().unwrap_or_default();
        if e.is_invalid_declaration() {
            return Err(format!(
                "{name}: libclang finds its C declaration invalid (an unknown type?): its \
                 types cannot be checked"
            ));
        }
        let loc = e
            .get_location()
            .map(|l| l.get_expansion_location())
            .ok_or_else(|| format!("{name}: libclang gives no location"))?;
        let file = loc
            .file
            .map(|f| self.display_path(&f.get_path()))
            .unwrap_or_else(|| "<unknown>".to_string());
        let decl = match e.get_kind() {
            EntityKind::FunctionDecl => {
                let fty = e
                    .get_type()
                    .ok_or_else(|| format!("{name}: libclang gives no type"))?;
                let ret = e
                    .get_result_type()
                    .or_else(|| fty.get_result_type())
                    .ok_or_else(|| format!("{name}: libclang gives no return type"))?;
                let params = e
                    .get_arguments()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|a| {
                        Ok(CParam {
                            name: a.get_name().unwrap_or_default(),
                            ty: ctype(
                                a.get_type()
                                    .ok_or_else(|| format!("{name}: parameter without a type"))?,
                            ),
                        })
                    })
                    .collect::<Result<Vec<_>, String>>()?;
                let variadic = fty.get_kind() == TypeKind::FunctionPrototype && fty.is_variadic();
                CDecl::Func {
                    ret: ctype(ret),
                    params,
                    variadic,
                }
            }
            _ => CDecl::Var {
                ty: ctype(
                    e.get_type()
                        .ok_or_else(|| format!("{name}: libclang gives no type"))?,
                ),
            },
        };
        Ok(Found {
            decl,
            file,
            line: loc.line,
        })
    }

    /// Source file and clang arguments (without the source) from the object's `.cmd` file.
    fn compile_command(&self, obj: &Path) -> Result<(PathBuf, Vec<String>), String> {
        let fname = obj.file_name().and_then(|f| f.to_str()).unwrap_or_default();
        let cmdfile = obj.with_file_name(format!(".{fname}.cmd"));
        let text = fs::read_to_string(&cmdfile).map_err(|e| {
            format!(
                "cannot read {} (compile command of {}): {e}",
                cmdfile.display(),
                self.display_path(obj)
            )
        })?;
        let mut cmd = None;
        let mut source = None;
        for l in text.lines() {
            if let Some((k, v)) = l.split_once(" := ") {
                if cmd.is_none() && (k.starts_with("savedcmd_") || k.starts_with("cmd_")) {
                    cmd = Some(v.to_string());
                } else if source.is_none() && k.starts_with("source_") {
                    source = Some(v.trim().to_string());
                }
            }
        }
        let cmd = cmd.ok_or_else(|| format!("{}: no savedcmd_ line", cmdfile.display()))?;
        let cmd = cmd.replace("$$", "$").replace("\\#", "#");
        let mut words = shell_words(&cmd)
            .map_err(|e| format!("{}: cannot split the command: {e}", cmdfile.display()))?;
        // Leading environment assignments (`RUST_MODFILE=... rustc ...`).
        let nenv = words
            .iter()
            .take_while(|w| {
                w.split_once('=')
                    .is_some_and(|(k, _)| !k.is_empty() && !k.starts_with('-') && !k.contains('/'))
            })
            .count();
        words.drain(..nenv);
        let Some(compiler) = words.first() else {
            return Err(format!("{}: empty compile command", cmdfile.display()));
        };
        let cc = Path::new(compiler)
            .file_name()
            .and_then(|f| f.to_str())
            .unwrap_or_default();
        if !(cc.contains("clang") || cc.contains("gcc") || cc.ends_with("cc")) {
            return Err(format!(
                "{} is not compiled from C (compiler {cc}): no C prototype available",
                self.display_path(obj)
            ));
        }
        let abs = |p: &str| -> String {
            let pp = Path::new(p);
            if pp.is_absolute() {
                p.to_string()
            } else {
                self.kdir.join(pp).display().to_string()
            }
        };
        let source = source.map(|s| PathBuf::from(abs(&s)));
        let is_source = |w: &str| -> bool {
            let p = PathBuf::from(abs(w));
            match &source {
                Some(s) => &p == s,
                None => {
                    !w.starts_with('-') && [".c", ".S", ".s", ".rs"].iter().any(|x| w.ends_with(x))
                }
            }
        };
        let mut args = Vec::new();
        let mut src_found = None;
        let mut it = words.into_iter().skip(1);
        while let Some(w) = it.next() {
            match w.as_str() {
                "-c" | "-MD" | "-MMD" | "-MP" => {}
                "-o" | "-MF" | "-MT" | "-MQ" => {
                    it.next();
                }
                "-I" | "-include" | "-imacros" | "-isystem" | "-iquote" | "-idirafter" => {
                    let v = it.next().unwrap_or_default();
                    args.push(w.clone());
                    args.push(abs(&v));
                }
                _ if w.starts_with("-Wp,-M") => {}
                _ if w.starts_with("-I") && w.len() > 2 => args.push(format!("-I{}", abs(&w[2..]))),
                _ if !w.starts_with('-') && is_source(&w) => {
                    src_found = Some(PathBuf::from(abs(&w)))
                }
                _ => args.push(w),
            }
        }
        args.push("-w".to_string());
        if args.iter().any(|a| a.contains('\0')) {
            return Err(format!(
                "{}: NUL byte in the compile command",
                cmdfile.display()
            ));
        }
        let source = source.or(src_found).ok_or_else(|| {
            format!(
                "{}: cannot find the source file in the command",
                cmdfile.display()
            )
        })?;
        Ok((source, args))
    }

    // ---- paths ----------------------------------------------------------------------------

    /// A path relative to the source tree or KDIR where possible.
    fn display_path(&self, p: &Path) -> String {
        let p = normalize(p);
        if let Some(s) = &self.srctree {
            if let Ok(r) = p.strip_prefix(s) {
                return r.display().to_string();
            }
        }
        if let Ok(r) = p.strip_prefix(&self.kdir) {
            return r.display().to_string();
        }
        p.display().to_string()
    }

    fn cand_desc(&self, c: &Cand) -> String {
        match &c.obj {
            Some((o, _)) => {
                // The source named in the .cmd file, else the object.
                let fname = o.file_name().and_then(|f| f.to_str()).unwrap_or_default();
                let cmdfile = o.with_file_name(format!(".{fname}.cmd"));
                if let Ok(t) = fs::read_to_string(cmdfile) {
                    if let Some(src) = t.lines().find_map(|l| {
                        l.split_once(" := ")
                            .filter(|(k, _)| k.starts_with("source_"))
                            .map(|(_, v)| v.trim().to_string())
                    }) {
                        let sp = Path::new(&src);
                        let sp = if sp.is_absolute() {
                            sp.to_path_buf()
                        } else {
                            self.kdir.join(sp)
                        };
                        return self.display_path(&sp);
                    }
                }
                self.display_path(o)
            }
            None => c.img_file.as_deref().unwrap_or("?").to_string(),
        }
    }
}

fn pos_note(sympos: u32) -> String {
    if sympos == 0 {
        String::new()
    } else {
        format!(" (sympos {sympos})")
    }
}

/// With skip-function-bodies, libclang reports a function definition as a mere declaration
/// whose extent ends before the body: look at the source text after it for a `{`.
fn has_skipped_body(e: &Entity, files: &mut HashMap<PathBuf, Option<Vec<u8>>>) -> bool {
    if e.get_kind() != EntityKind::FunctionDecl {
        return false;
    }
    let Some(end) = e.get_range().map(|r| r.get_end()) else {
        return false;
    };
    // In a macro expansion (e.g. tracepoints), the text to look at is in the macro definition.
    [end.get_expansion_location(), end.get_spelling_location()]
        .into_iter()
        .any(|l| brace_follows(l, files))
}

fn brace_follows(
    end: clang::source::Location,
    files: &mut HashMap<PathBuf, Option<Vec<u8>>>,
) -> bool {
    let Some(f) = end.file else { return false };
    let path = f.get_path();
    let text = files
        .entry(path.clone())
        .or_insert_with(|| fs::read(&path).ok());
    let Some(text) = text.as_deref() else {
        return false;
    };
    let mut i = end.offset as usize;
    if i >= text.len() {
        return false;
    }
    // The extent ends at the start of its last token: skip that token.
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    if ident(text[i]) {
        while i < text.len() && ident(text[i]) {
            i += 1;
        }
    } else {
        i += 1;
    }
    // Skip blanks, comments and line continuations.
    while i < text.len() {
        match text[i] {
            b' ' | b'\t' | b'\n' | b'\r' | b'\\' => i += 1,
            b'/' if text.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < text.len() && !(text[i] == b'*' && text[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
            }
            b'/' if text.get(i + 1) == Some(&b'/') => {
                while i < text.len() && text[i] != b'\n' {
                    i += 1;
                }
            }
            c => return c == b'{',
        }
    }
    false
}

/// Whether the entity's (expansion) location is in `file`.
fn in_file(e: &Entity, file: &Path) -> bool {
    e.get_location()
        .and_then(|l| l.get_expansion_location().file)
        .is_some_and(|f| normalize(&f.get_path()) == normalize(file))
}

/// Match image occurrences (symbol table order) to object definitions (link order).
fn match_occs(occs: &[Sym], defs: &[(PathBuf, Sym)]) -> Vec<Cand> {
    let mut used = vec![false; defs.len()];
    let mut out = Vec::new();
    let mut j = 0;
    for o in occs {
        let mut hit = None;
        if o.local {
            // Next unused local definition with the same STT_FILE, in link order.
            let same = |d: &Sym| match (&o.file, &d.file) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            };
            let found = (j..defs.len())
                .find(|&k| !used[k] && defs[k].1.local && same(&defs[k].1))
                .or_else(|| {
                    (0..defs.len()).find(|&k| !used[k] && defs[k].1.local && same(&defs[k].1))
                });
            if let Some(k) = found {
                used[k] = true;
                j = k + 1;
                hit = Some(k);
            }
        } else {
            let found = (0..defs.len())
                .find(|&k| !used[k] && !defs[k].1.local && !defs[k].1.weak)
                .or_else(|| (0..defs.len()).find(|&k| !used[k] && !defs[k].1.local));
            if let Some(k) = found {
                used[k] = true;
                hit = Some(k);
            }
        }
        out.push(Cand {
            order: (o.addr, o.index),
            obj: hit.map(|k| defs[k].clone()),
            img_file: o.file.clone(),
        });
    }
    out
}

/// Members of a thin archive, as paths (absolute when `base` is), in archive order.
fn thin_archive_members(ar: &Path, base: &Path) -> Result<Vec<PathBuf>, String> {
    let data = fs::read(ar)
        .map_err(|e| format!("cannot read {}: {e} (build the kernel first)", ar.display()))?;
    let archive = object::read::archive::ArchiveFile::parse(&*data)
        .map_err(|e| format!("{}: not an archive: {e}", ar.display()))?;
    let mut out = Vec::new();
    for m in archive.members() {
        let m = m.map_err(|e| format!("{}: bad archive member: {e}", ar.display()))?;
        let name = String::from_utf8_lossy(m.name()).to_string();
        if name.ends_with(".a") {
            // A nested (thin) archive: flatten it.
            let sub = base.join(&name);
            let subbase = sub.parent().map(Path::to_path_buf).unwrap_or_default();
            out.extend(thin_archive_members(&sub, &subbase)?);
            continue;
        }
        let p = Path::new(&name);
        out.push(if p.is_absolute() {
            p.to_path_buf()
        } else {
            normalize(&base.join(p))
        });
    }
    Ok(out)
}

/// Recursive search for a file, not following symlinks, depth-limited.
fn find_file(dir: &Path, pred: &dyn Fn(&Path) -> bool, depth: u32) -> Option<PathBuf> {
    let rd = fs::read_dir(dir).ok()?;
    let mut subdirs = Vec::new();
    for ent in rd.flatten() {
        let Ok(ft) = ent.file_type() else { continue };
        let p = ent.path();
        if ft.is_file() && pred(&p) {
            return Some(p);
        }
        if ft.is_dir() && depth > 0 {
            let n = ent.file_name();
            if n.to_str()
                .is_some_and(|s| !s.starts_with('.') && s != "source")
            {
                subdirs.push(p);
            }
        }
    }
    subdirs.sort();
    subdirs
        .into_iter()
        .find_map(|d| find_file(&d, pred, depth - 1))
}

/// Lexical normalization (`.` and `..`) without touching the file system.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// POSIX-shell-like word splitting of one command, up to the first unquoted `;`, `&&`, `||`
/// or `|`. Handles '...', "..." (with \ escapes of $ ` " \ and newline) and \ outside quotes.
fn shell_words(s: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut have = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' => {
                if have {
                    words.push(std::mem::take(&mut cur));
                    have = false;
                }
            }
            ';' | '|' => break,
            '&' if chars.peek() == Some(&'&') => break,
            '\'' => {
                have = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => cur.push(c),
                        None => return Err("unterminated '".to_string()),
                    }
                }
            }
            '"' => {
                have = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('$' | '`' | '"' | '\\')) => cur.push(c),
                            Some('\n') => {}
                            Some(c) => {
                                cur.push('\\');
                                cur.push(c);
                            }
                            None => return Err("unterminated \"".to_string()),
                        },
                        Some(c) => cur.push(c),
                        None => return Err("unterminated \"".to_string()),
                    }
                }
            }
            '\\' => {
                have = true;
                match chars.next() {
                    Some('\n') | None => {}
                    Some(c) => cur.push(c),
                }
            }
            c => {
                have = true;
                cur.push(c);
            }
        }
    }
    if have {
        words.push(cur);
    }
    Ok(words)
}

// ---- type conversion ---------------------------------------------------------------------

fn ctype(t: Type) -> CType {
    CType {
        ty: cty(t),
        spelling: clean_spelling(t.get_display_name()),
    }
}

fn cty(t: Type) -> CTy {
    let c = t.get_canonical_type();
    match c.get_kind() {
        TypeKind::Void => CTy::Void,
        TypeKind::Bool => CTy::Bool,
        TypeKind::CharS
        | TypeKind::CharU
        | TypeKind::SChar
        | TypeKind::UChar
        | TypeKind::Short
        | TypeKind::UShort
        | TypeKind::Int
        | TypeKind::UInt
        | TypeKind::Long
        | TypeKind::ULong
        | TypeKind::LongLong
        | TypeKind::ULongLong
        | TypeKind::Int128
        | TypeKind::UInt128
        | TypeKind::WChar
        | TypeKind::Char16
        | TypeKind::Char32 => CTy::Int {
            bytes: c.get_sizeof().map(|s| s as u8).unwrap_or(0),
            signed: c.is_signed_integer(),
            is_enum: false,
        },
        TypeKind::Enum => {
            let under = c
                .get_declaration()
                .and_then(|d| d.get_enum_underlying_type());
            match under.map(cty) {
                Some(CTy::Int { bytes, signed, .. }) => CTy::Int {
                    bytes,
                    signed,
                    is_enum: true,
                },
                _ => CTy::Int {
                    bytes: c.get_sizeof().map(|s| s as u8).unwrap_or(4),
                    signed: false,
                    is_enum: true,
                },
            }
        }
        TypeKind::Pointer => match c.get_pointee_type() {
            Some(p) => CTy::Pointer {
                to: Box::new(cty(p)),
                konst: p.is_const_qualified(),
            },
            None => CTy::Other(clean_spelling(c.get_display_name())),
        },
        TypeKind::Record => CTy::Record {
            name: record_name(c),
            size: c.get_sizeof().ok().map(|s| s as u64),
        },
        TypeKind::FunctionPrototype | TypeKind::FunctionNoPrototype => CTy::Function,
        TypeKind::ConstantArray
        | TypeKind::IncompleteArray
        | TypeKind::VariableArray
        | TypeKind::DependentSizedArray => match c.get_element_type() {
            Some(el) => CTy::Array {
                elem: Box::new(cty(el)),
                konst: el.is_const_qualified(),
                len: if c.get_kind() == TypeKind::ConstantArray {
                    c.get_size().map(|n| n as u64)
                } else {
                    None
                },
            },
            None => CTy::Other(clean_spelling(c.get_display_name())),
        },
        _ => CTy::Other(clean_spelling(c.get_display_name())),
    }
}

fn record_name(c: Type) -> String {
    let kw = match c.get_declaration().map(|d| d.get_kind()) {
        Some(EntityKind::UnionDecl) => "union",
        _ => "struct",
    };
    // The canonical spelling: "struct spinlock" for a tag, the typedef name for an untagged
    // struct with a typedef name (atomic_t), "struct (unnamed struct at ...)" otherwise.
    let mut name = c.get_display_name();
    for q in ["const ", "volatile ", "restrict "] {
        while let Some(r) = name.strip_prefix(q) {
            name = r.to_string();
        }
    }
    match name.strip_prefix(kw).and_then(|r| r.strip_prefix(' ')) {
        Some(tag) if !tag.is_empty() && !tag.contains(['(', ' ']) => format!("{kw} {tag}"),
        _ => format!("{kw} (anonymous)"),
    }
}

/// Type spelling without libclang's "(unnamed struct at /path/file.c:1:2)" locations.
fn clean_spelling(s: String) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s.as_str();
    while let Some(i) = rest.find('(') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let anon = ["(unnamed ", "(anonymous "]
            .iter()
            .any(|p| tail.starts_with(p));
        match (anon, tail.find(')')) {
            (true, Some(j)) if tail[..j].contains(" at ") => {
                out.push_str("(anonymous)");
                rest = &tail[j + 1..];
            }
            _ => {
                out.push('(');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        let w =
            shell_words(r#"clang-19 -Wp,-MMD,a.d -DX='"fs/proc"' -D"Y=1 2" a\ b.c  ; objtool x"#);
        assert_eq!(
            w,
            Ok(vec![
                "clang-19".to_string(),
                "-Wp,-MMD,a.d".to_string(),
                r#"-DX="fs/proc""#.to_string(),
                "-DY=1 2".to_string(),
                "a b.c".to_string(),
            ])
        );
        assert!(shell_words("a 'b").is_err());
    }

    #[test]
    fn spelling() {
        assert_eq!(
            clean_spelling("struct (unnamed struct at /x/y.c:627:8) *".to_string()),
            "struct (anonymous) *"
        );
        assert_eq!(clean_spelling("void (*)(int)".to_string()), "void (*)(int)");
    }

    #[test]
    fn paths() {
        assert_eq!(
            normalize(Path::new("/k/./a/../b.o")),
            PathBuf::from("/k/b.o")
        );
    }
}
