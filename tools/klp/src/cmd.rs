// SPDX-License-Identifier: GPL-2.0
//! The commands.

use crate::error::{Error, Result};
use crate::module::{self, require_root};
use crate::signature::{self, Signature};
use crate::sysfs::{live_state, read_patch, read_patches, Direction, Live, Patch, Root};
use crate::tasks::report;
use crate::transition::{
    in_transition, stalled_other, wait_patch, wait_released, write_enabled, Deadline, Waited,
};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::Path;

#[derive(Serialize)]
struct FuncView<'a> {
    name: &'a str,
    sympos: u32,
    live: Live,
}

#[derive(Serialize)]
struct ObjectView<'a> {
    name: &'a str,
    loaded: bool,
    patched: bool,
    functions: Vec<FuncView<'a>>,
}

#[derive(Serialize)]
struct PatchView<'a> {
    name: &'a str,
    enabled: bool,
    transition: Option<Direction>,
    replace: bool,
    objects: Vec<ObjectView<'a>>,
}

fn views(patches: &[Patch]) -> Vec<PatchView<'_>> {
    patches
        .iter()
        .enumerate()
        .map(|(i, p)| PatchView {
            name: &p.name,
            enabled: p.enabled,
            transition: p.transition,
            replace: p.replace,
            objects: p
                .objects
                .iter()
                .map(|o| ObjectView {
                    name: &o.name,
                    loaded: o.loaded,
                    patched: o.patched,
                    functions: o
                        .functions
                        .iter()
                        .map(|f| FuncView {
                            name: &f.name,
                            sympos: f.sympos,
                            live: live_state(patches, i, &o.name, f),
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect()
}

/// The text of `klp list`.
pub fn list_text(patches: &[Patch]) -> String {
    let mut s = String::new();
    if patches.is_empty() {
        s.push_str("no livepatch loaded\n");
    }
    for p in views(patches) {
        let mut flags = vec![if p.enabled { "enabled" } else { "disabled" }];
        match p.transition {
            Some(Direction::Patching) => flags.push("in transition (patching)"),
            Some(Direction::Unpatching) => flags.push("in transition (unpatching)"),
            None => {}
        }
        if p.replace {
            flags.push("replace");
        }
        let _ = writeln!(s, "{}: {}", p.name, flags.join(", "));
        for o in &p.objects {
            let _ = writeln!(
                s,
                "  {}: {}, {}",
                o.name,
                if o.loaded { "loaded" } else { "not loaded" },
                if o.patched { "patched" } else { "not patched" }
            );
            for f in &o.functions {
                let live = match &f.live {
                    Live::Runs => "live".to_string(),
                    Live::Superseded { by } => format!("superseded by {by}"),
                    Live::Inactive => "inactive".to_string(),
                    Live::Transition { direction } => format!(
                        "{} (tasks switching)",
                        match direction {
                            Direction::Patching => "patching",
                            Direction::Unpatching => "unpatching",
                        }
                    ),
                };
                let _ = writeln!(s, "    {},{}: {live}", f.name, f.sympos);
            }
        }
    }
    s
}

pub fn list(root: &Root, json: bool) -> Result<()> {
    let patches = read_patches(root)?;
    if json {
        let doc = serde_json::json!({ "patches": views(&patches) });
        println!("{doc}");
    } else {
        print!("{}", list_text(&patches));
    }
    Ok(())
}

pub fn info(file: &Path, json: bool) -> Result<()> {
    let i = module::info(file)?;
    if json {
        println!(
            "{}",
            serde_json::to_string(&i).map_err(|e| Error::Failed(e.to_string()))?
        );
        return Ok(());
    }
    println!("{}: {}", i.file, i.name);
    println!("livepatch: {}", if i.livepatch { "Y" } else { "no" });
    for (k, v) in [
        ("description", &i.description),
        ("license", &i.license),
        ("vermagic", &i.vermagic),
    ] {
        if let Some(v) = v {
            println!("{k}: {v}");
        }
    }
    print!("{}", signature_text(&i.signature));
    for p in &i.parameters {
        println!("parameter {} ({}): {}", p.name, p.kind, p.description);
    }
    for o in &i.objects {
        match &o.functions {
            Some(f) if !f.is_empty() => println!("patches {}: {}", o.name, f.join(" ")),
            Some(_) => println!(
                "patches {}: no function (callbacks, states, relocations)",
                o.name
            ),
            None => println!("patches {}: functions not recorded in the module", o.name),
        }
    }
    if i.objects.is_empty() && i.livepatch {
        println!("objects and functions: not recorded in the module (no klp_object modinfo)");
    }
    if !i.livepatch {
        return Err(Error::NotALivepatch(i.file));
    }
    Ok(())
}

/// The signature lines of `klp info`, named as `modinfo` names them.
pub fn signature_text(s: &Signature) -> String {
    match s {
        Signature::Unsigned => "signature: unsigned\n".into(),
        Signature::Signed {
            sig_id,
            signer,
            sig_key,
            sig_hashalgo,
        } => format!(
            "sig_id: {sig_id}\nsigner: {signer}\nsig_key: {sig_key}\nsig_hashalgo: {sig_hashalgo}\n"
        ),
        Signature::Unreadable { error } => format!("signature: unreadable ({error})\n"),
    }
}

/// The kernel's lockdown mode (`/sys/kernel/security/lockdown`, the bracketed one) when it is
/// not `none` and modules are not disabled altogether (`/proc/sys/kernel/modules_disabled`):
/// then `EPERM` from `finit_module(2)` is the lockdown's refusal of the signature.
fn lockdown(root: &Root) -> Option<String> {
    if crate::sysfs::read_trim(&root.path("proc/sys/kernel/modules_disabled")).ok()? != "0" {
        return None;
    }
    let modes = crate::sysfs::read_trim(&root.path("sys/kernel/security/lockdown")).ok()?;
    let mode = modes.split_once('[')?.1.split_once(']')?.0;
    (mode != "none").then(|| mode.to_string())
}

/// Reverses the transition of `name` and waits until the old code runs everywhere and the
/// module is gone.
fn revert(root: &Root, name: &str, secs: u64) -> Result<()> {
    let deadline = Deadline::new(secs);
    write_enabled(root, name, false, deadline)?;
    if let Waited::Stalled(left, _) = wait_patch(root, name, deadline)? {
        return Err(Error::Stalled {
            what: format!("reverting {name} did not complete within {secs} s"),
            report: report(root, &left),
            advice: "`klp wait` shows the tasks holding it".into(),
        });
    }
    remove_released(root, name, deadline)
}

/// Waits for the core to release the disabled patch `name`, then removes its module.
fn remove_released(root: &Root, name: &str, deadline: Deadline) -> Result<()> {
    if !wait_released(root, name, deadline) {
        if !root.patch_dir(name).exists() {
            return Err(Error::Forced(name.into()));
        }
        return Err(Error::Failed(format!(
            "the core did not release {name} within {} s",
            deadline.secs
        )));
    }
    module::remove(name).map_err(|e| match e.raw_os_error() {
        Some(libc::EWOULDBLOCK) | Some(libc::EBUSY) => Error::Forced(name.into()),
        Some(libc::ENOENT) => Error::NotLoaded(name.into()),
        _ => Error::Failed(format!("cannot remove module {name}: {e}")),
    })
}

pub fn load(
    root: &Root,
    file: &Path,
    params: &[String],
    secs: u64,
    revert_on_stall: bool,
) -> Result<()> {
    require_root()?;
    root.require_livepatch()?;
    let info = module::info(file)?;
    if !info.livepatch {
        return Err(Error::NotALivepatch(file.display().to_string()));
    }
    let name = info.name.clone();
    if root.module_loaded(&name) || root.patch_dir(&name).exists() {
        return Err(Error::Refused(format!(
            "{name} is already loaded; `klp unload {name}` first"
        )));
    }
    let deadline = Deadline::new(secs);
    let mut told = false;
    loop {
        match module::load(file, params) {
            Ok(()) => break,
            Err(e) if e.raw_os_error() == Some(libc::EBUSY) => {
                // klp_enable_patch(): another patch is in transition. Anything else is the
                // module's own answer.
                let Some(other) = in_transition(root)? else {
                    return Err(Error::Refused(format!(
                        "the kernel refused {}: {e} (see dmesg)",
                        file.display()
                    )));
                };
                if !told {
                    eprintln!("klp: {other} is in transition; {name} will load once it is done");
                    told = true;
                }
                if deadline.passed() {
                    return Err(stalled_other(root, &other, deadline, &name));
                }
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
            Err(e) if e.raw_os_error() == Some(libc::EEXIST) => {
                return Err(Error::Refused(format!(
                    "{name} is already loaded; `klp unload {name}` first"
                )))
            }
            Err(e) => {
                let why = e.raw_os_error().and_then(|errno| {
                    signature::refusal(
                        &file.display().to_string(),
                        errno,
                        &info.signature,
                        lockdown(root).as_deref(),
                    )
                });
                if let Some(why) = why {
                    return Err(Error::Signature(why));
                }
                return Err(Error::Refused(format!(
                    "the kernel refused {}: {e} (dmesg says why: a missing symbol, a bad \
                     parameter, a failing pre-patch callback); nothing was changed",
                    file.display()
                )));
            }
        }
    }
    match wait_patch(root, &name, deadline)? {
        Waited::Done => {
            let p = read_patch(root, &name)?;
            if p.enabled {
                println!("klp: {name} is enabled; its transition is complete");
                Ok(())
            } else {
                Err(Error::Failed(format!(
                    "{name} was disabled while loading (someone wrote 0 to its enabled)"
                )))
            }
        }
        Waited::Stalled(left, _) => {
            let report = report(root, &left);
            let what = format!(
                "the patching transition of {name} did not complete within {secs} s: {} still \
                 on the old code",
                crate::tasks::count(left.len())
            );
            if revert_on_stall {
                eprintln!("klp: {name}: stalled; reversing the transition");
                revert(root, &name, secs)?;
                Err(Error::Stalled {
                    what,
                    report,
                    advice: "reverted: the old code runs everywhere and the module is removed"
                        .into(),
                })
            } else {
                Err(Error::Stalled {
                    what,
                    report,
                    advice: format!(
                        "the patch stays in transition: wait for these tasks to leave the patched \
                         functions (`klp wait {name}`), or reverse it (`klp unload {name}`)"
                    ),
                })
            }
        }
    }
}

pub fn unload(root: &Root, name: &str, secs: u64) -> Result<()> {
    require_root()?;
    root.require_livepatch()?;
    let deadline = Deadline::new(secs);
    let p = match read_patch(root, name) {
        Ok(p) => p,
        // Disabled and released already (replaced, or released as it was read): only the
        // module is left.
        Err(Error::NotLoaded(_))
            if root.module_loaded(name) && root.module_refcnt(name).is_some() =>
        {
            remove_released(root, name, deadline)?;
            println!("klp: {name} removed");
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    if p.enabled {
        write_enabled(root, name, false, deadline)?;
    }
    if let Waited::Stalled(left, _) = wait_patch(root, name, deadline)? {
        let report = report(root, &left);
        // Back to the enabled patch: no half-unpatched system is left behind.
        write_enabled(root, name, true, Deadline::new(secs))?;
        let back = wait_patch(root, name, Deadline::new(secs))?;
        return Err(Error::Stalled {
            what: format!(
                "the unpatching transition of {name} did not complete within {secs} s: {} still \
                 on the patched code",
                crate::tasks::count(left.len())
            ),
            report,
            advice: match back {
                Waited::Done => "reversed: the patch stays enabled; retry once these tasks have \
                                 left the patched functions"
                    .into(),
                Waited::Stalled(..) => "the reversal is still in transition".into(),
            },
        });
    }
    remove_released(root, name, deadline)?;
    println!("klp: {name} disabled and removed");
    Ok(())
}

pub fn wait(root: &Root, name: Option<&str>, secs: u64) -> Result<()> {
    root.require_livepatch()?;
    let deadline = Deadline::new(secs);
    let name = match name {
        Some(n) => {
            read_patch(root, n)?;
            n.to_string()
        }
        None => match in_transition(root)? {
            Some(n) => n,
            None => {
                println!("klp: no transition");
                return Ok(());
            }
        },
    };
    require_root()?;
    match wait_patch(root, &name, deadline)? {
        Waited::Done => {
            println!("klp: {name}: no transition");
            Ok(())
        }
        Waited::Stalled(left, dir) => Err(Error::Stalled {
            what: format!(
                "the {} transition of {name} did not complete within {secs} s",
                match dir {
                    Direction::Patching => "patching",
                    Direction::Unpatching => "unpatching",
                }
            ),
            report: report(root, &left),
            advice: "these tasks hold it".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tasks::{pending, tasks};

    /// A fixture, relative to the package's root, where `cargo test` runs its tests (a path
    /// baked in at build time went stale when a target directory served another checkout).
    fn fixture(name: &str) -> Root {
        Root(Path::new("tests/fixtures").join(name))
    }

    #[test]
    fn list_of_stacked_patches() {
        let root = fixture("list");
        let patches = read_patches(&root).unwrap();
        // Enable order, from /proc/modules (newest first there).
        let names: Vec<&str> = patches.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "test_klp_livepatch",
                "livepatch_sample",
                "test_klp_atomic_replace"
            ]
        );
        assert_eq!(
            list_text(&patches),
            "test_klp_livepatch: enabled
  vmlinux: loaded, patched
    cmdline_proc_show,1: superseded by livepatch_sample
livepatch_sample: enabled
  vmlinux: loaded, patched
    cmdline_proc_show,1: live
test_klp_atomic_replace: enabled
  vmlinux: loaded, patched
    meminfo_proc_show,1: live
"
        );
        let json = serde_json::to_value(views(&patches)).unwrap();
        assert_eq!(
            json[0]["objects"][0]["functions"][0]["live"]["state"],
            "superseded"
        );
        assert_eq!(
            json[0]["objects"][0]["functions"][0]["live"]["by"],
            "livepatch_sample"
        );
        assert_eq!(json[2]["transition"], serde_json::Value::Null);
        assert_eq!(json[2]["replace"], false);
    }

    #[test]
    fn stalled_transition() {
        let root = fixture("stall");
        let p = read_patch(&root, "test_klp_callbacks_demo").unwrap();
        assert!(p.enabled);
        assert_eq!(p.transition, Some(Direction::Patching));
        let objs: Vec<(&str, bool, bool)> = p
            .objects
            .iter()
            .map(|o| (o.name.as_str(), o.loaded, o.patched))
            .collect();
        assert_eq!(
            objs,
            [
                ("test_klp_callbacks_busy", true, true),
                ("test_klp_callbacks_mod", false, false),
                ("vmlinux", true, true)
            ]
        );
        assert_eq!(
            in_transition(&root).unwrap().as_deref(),
            Some("test_klp_callbacks_demo")
        );
        let all = tasks(&root);
        assert!(all.len() > 20, "{} tasks", all.len());
        let left = pending(&all, Direction::Patching.target_state());
        assert_eq!(left.len(), 1, "{left:?}");
        assert!(left[0].comm.starts_with("kworker/"), "{:?}", left[0]);
        let text = report(&root, &left);
        assert!(text.contains("still on the old code"), "{text}");
        assert!(
            text.contains("\n    busymod_work_func+0x")
                && text.contains("[test_klp_callbacks_busy]"),
            "{text}"
        );
        assert!(list_text(&[p]).contains("busymod_work_func,1: patching (tasks switching)"));
    }

    #[test]
    fn no_livepatch_support() {
        let root = fixture("none");
        assert!(matches!(read_patches(&root), Err(Error::NoLivepatch)));
        assert_eq!(
            Error::NoLivepatch.status(),
            crate::error::status::NO_LIVEPATCH
        );
    }

    #[test]
    fn not_loaded() {
        assert!(matches!(
            read_patch(&fixture("list"), "nope"),
            Err(Error::NotLoaded(n)) if n == "nope"
        ));
    }
}
