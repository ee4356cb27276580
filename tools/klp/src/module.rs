// SPDX-License-Identifier: GPL-2.0
//! Kernel modules: what a `.ko` says about itself (`.modinfo`, section names), and loading and
//! removing one with `finit_module(2)` and `delete_module(2)`, whose `errno` is the answer.

use crate::error::{io, Error, Result};
use crate::signature::Signature;
use object::{Object, ObjectSection};
use serde::Serialize;
use std::ffi::CString;
use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::Path;

/// The `.modinfo` entries of a module, in order (`key=value`, NUL-separated).
pub fn parse_modinfo(data: &[u8]) -> Vec<(String, String)> {
    data.split(|&b| b == 0)
        .filter_map(|e| std::str::from_utf8(e).ok())
        .filter_map(|e| e.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[derive(Debug, Serialize)]
pub struct Param {
    pub name: String,
    pub kind: String,
    pub description: String,
}

#[derive(Debug, Serialize)]
pub struct PatchedObject {
    pub name: String,
    /// `name,sympos` of each function, where the module records them.
    pub functions: Option<Vec<String>>,
}

#[derive(Debug, Serialize)]
pub struct Info {
    pub file: String,
    pub name: String,
    pub livepatch: bool,
    pub description: Option<String>,
    pub license: Option<String>,
    pub vermagic: Option<String>,
    /// The appended signature (`Documentation/admin-guide/module-signing.rst`).
    pub signature: Signature,
    pub parameters: Vec<Param>,
    /// The patched objects: from the `klp_object`/`klp_func` modinfo entries that Rust
    /// livepatches carry, else the objects named by `.klp.rela.<object>.*` sections.
    pub objects: Vec<PatchedObject>,
    /// Whether `objects` lists the functions (`false`: the module does not record them).
    pub functions_recorded: bool,
}

fn get<'a>(mi: &'a [(String, String)], key: &str) -> Option<&'a str> {
    mi.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// What `file` says about itself.
pub fn info(file: &Path) -> Result<Info> {
    let data = std::fs::read(file).map_err(|e| io(file, e))?;
    let elf = object::File::parse(&*data).map_err(|e| {
        Error::NotALivepatch(format!("{} (not an ELF module: {e})", file.display()))
    })?;
    let modinfo = elf
        .section_by_name(".modinfo")
        .and_then(|s| s.data().ok())
        .ok_or_else(|| {
            Error::NotALivepatch(format!(
                "{} (no .modinfo: not a kernel module)",
                file.display()
            ))
        })?;
    let mi = parse_modinfo(modinfo);
    let name = get(&mi, "name")
        .map(String::from)
        .or_else(|| {
            file.file_stem()
                .and_then(|s| s.to_str())
                .map(|s| s.replace('-', "_"))
        })
        .unwrap_or_default();
    let mut parameters: Vec<Param> = vec![];
    for (k, v) in &mi {
        let Some((p, rest)) = v.split_once(':') else {
            continue;
        };
        let idx = match parameters.iter().position(|x| x.name == p) {
            Some(i) => i,
            None if k == "parm" || k == "parmtype" => {
                parameters.push(Param {
                    name: p.to_string(),
                    kind: String::new(),
                    description: String::new(),
                });
                parameters.len() - 1
            }
            None => continue,
        };
        match k.as_str() {
            "parmtype" => parameters[idx].kind = rest.to_string(),
            "parm" => parameters[idx].description = rest.to_string(),
            _ => {}
        }
    }
    let mut objects: Vec<PatchedObject> = vec![];
    let recorded = mi.iter().any(|(k, _)| k == "klp_object");
    if recorded {
        for (k, v) in &mi {
            match k.as_str() {
                "klp_object" if !objects.iter().any(|o| o.name == *v) => {
                    objects.push(PatchedObject {
                        name: v.clone(),
                        functions: Some(vec![]),
                    })
                }
                "klp_func" => {
                    if let Some((o, f)) = v.split_once(':') {
                        if let Some(obj) = objects.iter_mut().find(|x| x.name == o) {
                            obj.functions
                                .get_or_insert_with(Vec::new)
                                .push(f.to_string());
                        } else {
                            objects.push(PatchedObject {
                                name: o.to_string(),
                                functions: Some(vec![f.to_string()]),
                            });
                        }
                    }
                }
                _ => {}
            }
        }
    } else {
        for s in elf.sections() {
            let Ok(n) = s.name() else { continue };
            if let Some(rest) = n.strip_prefix(".klp.rela.") {
                let o = rest.split('.').next().unwrap_or_default().to_string();
                if !objects.iter().any(|x| x.name == o) {
                    objects.push(PatchedObject {
                        name: o,
                        functions: None,
                    });
                }
            }
        }
    }
    Ok(Info {
        file: file.display().to_string(),
        livepatch: get(&mi, "livepatch") == Some("Y"),
        description: get(&mi, "description").map(String::from),
        license: get(&mi, "license").map(String::from),
        vermagic: get(&mi, "vermagic").map(String::from),
        signature: Signature::parse(&data),
        name,
        parameters,
        objects,
        functions_recorded: recorded,
    })
}

/// `finit_module(2)` of `file` with `params` (`name=value ...`); the `errno` on failure.
pub fn load(file: &Path, params: &[String]) -> std::result::Result<(), std::io::Error> {
    let f = File::open(file)?;
    let args = CString::new(params.join(" "))
        .map_err(|_| std::io::Error::from_raw_os_error(libc::EINVAL))?;
    // SAFETY: `f` is an open file descriptor for the call's duration and `args` a NUL-terminated
    // string, as finit_module(2) requires.
    let r = unsafe { libc::syscall(libc::SYS_finit_module, f.as_raw_fd(), args.as_ptr(), 0) };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// `delete_module(2)` of `name`, without waiting for its references to go (`O_NONBLOCK`, as
/// rmmod does).
pub fn remove(name: &str) -> std::result::Result<(), std::io::Error> {
    let n = CString::new(name).map_err(|_| std::io::Error::from_raw_os_error(libc::EINVAL))?;
    // SAFETY: `n` is a NUL-terminated string for the call's duration.
    let r = unsafe { libc::syscall(libc::SYS_delete_module, n.as_ptr(), libc::O_NONBLOCK) };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Whether this process may load and remove modules and read task stacks.
pub fn require_root() -> Result<()> {
    // SAFETY: geteuid(2) has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        Ok(())
    } else {
        Err(Error::NotRoot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modinfo() {
        let mi = parse_modinfo(b"livepatch=Y\0\0parm=x:desc=with=equals\0junk\0name=m\0");
        assert_eq!(get(&mi, "livepatch"), Some("Y"));
        assert_eq!(get(&mi, "parm"), Some("x:desc=with=equals"));
        assert_eq!(get(&mi, "name"), Some("m"));
        assert_eq!(get(&mi, "junk"), None);
    }
}
