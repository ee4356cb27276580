// SPDX-License-Identifier: GPL-2.0
//! The livepatches as `/sys/kernel/livepatch` shows them (`kernel/livepatch/core.c`):
//! `<patch>/{enabled,transition,replace}`, `<patch>/<object>/patched`, and one directory
//! `<function>,<sympos>` per function (sympos 0 shows as 1).

use crate::error::{io, Error, Result};
use serde::Serialize;
use std::fs;
use std::path::{Path, PathBuf};

/// Where the kernel's files are: `/` on a live system, a recorded tree in tests.
#[derive(Clone, Debug)]
pub struct Root(pub PathBuf);

impl Root {
    pub fn live() -> Self {
        Root(PathBuf::from("/"))
    }
    pub fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel.trim_start_matches('/'))
    }
    pub fn livepatch_dir(&self) -> PathBuf {
        self.path("sys/kernel/livepatch")
    }
    pub fn patch_dir(&self, name: &str) -> PathBuf {
        self.livepatch_dir().join(name)
    }
    /// `/sys/module/<name>`: a module is loaded (or built in, for a module without it).
    pub fn module_loaded(&self, name: &str) -> bool {
        self.path("sys/module")
            .join(name)
            .join("initstate")
            .exists()
            || self.path("sys/module").join(name).join("refcnt").exists()
    }
    pub fn module_refcnt(&self, name: &str) -> Option<u32> {
        read_trim(&self.path("sys/module").join(name).join("refcnt"))
            .ok()
            .and_then(|s| s.parse().ok())
    }
    /// Fails with [`Error::NoLivepatch`] if the kernel has no livepatch support.
    pub fn require_livepatch(&self) -> Result<()> {
        if self.livepatch_dir().is_dir() {
            Ok(())
        } else {
            Err(Error::NoLivepatch)
        }
    }
}

pub fn read_trim(path: &Path) -> Result<String> {
    fs::read_to_string(path)
        .map(|s| s.trim().to_string())
        .map_err(|e| io(path, e))
}

fn read_flag(path: &Path) -> Result<bool> {
    Ok(read_trim(path)? == "1")
}

/// Which way a transition goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Patching,
    Unpatching,
}

impl Direction {
    /// The `patch_state` a task has once switched (`include/linux/livepatch.h`).
    pub fn target_state(self) -> i32 {
        match self {
            Direction::Patching => 1,
            Direction::Unpatching => 0,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Func {
    pub name: String,
    pub sympos: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Object {
    pub name: String,
    /// vmlinux, or a module that is loaded.
    pub loaded: bool,
    pub patched: bool,
    pub functions: Vec<Func>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Patch {
    pub name: String,
    pub enabled: bool,
    /// The transition this patch is in, if any.
    pub transition: Option<Direction>,
    pub replace: bool,
    pub objects: Vec<Object>,
}

fn sorted_dirs(dir: &Path) -> Result<Vec<String>> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .map_err(|e| io(dir, e))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    v.sort();
    Ok(v)
}

/// `name,sympos` as the core names a function's directory.
pub fn parse_func_dir(s: &str) -> Option<Func> {
    let (name, pos) = s.rsplit_once(',')?;
    Some(Func {
        name: name.to_string(),
        sympos: pos.parse().ok()?,
    })
}

/// One patch, read from its directory; [`Error::NotLoaded`] if there is none, also when the core
/// removes it while it is read (a patch is released right after its unpatching transition).
pub fn read_patch(root: &Root, name: &str) -> Result<Patch> {
    read_patch_dir(root, name).map_err(|e| {
        if root.patch_dir(name).is_dir() {
            e
        } else {
            Error::NotLoaded(name.to_string())
        }
    })
}

fn read_patch_dir(root: &Root, name: &str) -> Result<Patch> {
    let dir = root.patch_dir(name);
    if !dir.is_dir() {
        return Err(Error::NotLoaded(name.to_string()));
    }
    let enabled = read_flag(&dir.join("enabled"))?;
    let transition = read_flag(&dir.join("transition"))?.then_some(if enabled {
        Direction::Patching
    } else {
        Direction::Unpatching
    });
    // `replace` exists since 5.x; absent: not a replace patch.
    let replace = read_flag(&dir.join("replace")).unwrap_or(false);
    let mut objects = vec![];
    for o in sorted_dirs(&dir)? {
        let odir = dir.join(&o);
        let mut functions: Vec<Func> = sorted_dirs(&odir)?
            .iter()
            .filter_map(|f| parse_func_dir(f))
            .collect();
        functions.sort_by(|a, b| (&a.name, a.sympos).cmp(&(&b.name, b.sympos)));
        objects.push(Object {
            loaded: o == "vmlinux" || root.module_loaded(&o),
            patched: read_flag(&odir.join("patched")).unwrap_or(false),
            name: o,
            functions,
        });
    }
    Ok(Patch {
        name: name.to_string(),
        enabled,
        transition,
        replace,
        objects,
    })
}

/// Module names of `/proc/modules`, oldest first (the file lists the newest first:
/// `kernel/module/procfs.c` walks the list that `add_unformed_module()` adds to at the head).
pub fn module_load_order(root: &Root) -> Vec<String> {
    let text = fs::read_to_string(root.path("proc/modules")).unwrap_or_default();
    let mut v: Vec<String> = text
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(String::from))
        .collect();
    v.reverse();
    v
}

/// Every patch, in the order they were enabled (a livepatch module cannot be enabled again once
/// disabled, so its load order is its enable order), which is the order of the core's stack of
/// patches: the last one's version of a function is the one that runs.
pub fn read_patches(root: &Root) -> Result<Vec<Patch>> {
    root.require_livepatch()?;
    let names = sorted_dirs(&root.livepatch_dir())?;
    let order = module_load_order(root);
    let mut patches = names
        .iter()
        .map(|n| read_patch(root, n))
        .collect::<Result<Vec<_>>>()?;
    patches.sort_by_key(|p| {
        order
            .iter()
            .position(|m| *m == p.name)
            .unwrap_or(usize::MAX)
    });
    Ok(patches)
}

/// Who runs a function: the patch whose version is live, or the transition that is switching
/// tasks between two versions.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum Live {
    /// This patch's version runs.
    Runs,
    /// A later patch's version runs.
    Superseded { by: String },
    /// This patch's object is not patched (its module is not loaded, or the patch is disabled).
    Inactive,
    /// Tasks are being switched to or from this patch's version.
    Transition { direction: Direction },
}

/// For each function of `patches[i]`, who runs it: the last patch (in enable order) with the
/// function in a patched object wins; if that patch is in transition, tasks are being switched.
pub fn live_state(patches: &[Patch], i: usize, object: &str, func: &Func) -> Live {
    let has = |p: &Patch| {
        p.objects
            .iter()
            .any(|o| o.name == object && o.patched && o.functions.contains(func))
    };
    if !has(&patches[i]) {
        return Live::Inactive;
    }
    if let Some(later) = patches[i + 1..].iter().rev().find(|p| has(p)) {
        if later.transition.is_none() {
            return Live::Superseded {
                by: later.name.clone(),
            };
        }
    }
    match patches[i].transition {
        Some(direction) => Live::Transition { direction },
        None => Live::Runs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn func_dirs() {
        assert_eq!(
            parse_func_dir("cmdline_proc_show,1"),
            Some(Func {
                name: "cmdline_proc_show".into(),
                sympos: 1
            })
        );
        assert_eq!(parse_func_dir("a,b,2").map(|f| f.name), Some("a,b".into()));
        assert_eq!(parse_func_dir("patched"), None);
        assert_eq!(parse_func_dir("x,y"), None);
    }
}
