// SPDX-License-Identifier: GPL-2.0
//! Waiting for transitions, with progress, and what to do when one stalls
//! (`kernel/livepatch/transition.c`: a task switches when no patched function is on its stack).

use crate::error::{Error, Result};
use crate::sysfs::{read_patch, read_patches, Direction, Root};
use crate::tasks::{count, pending, report, tasks, Task};
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

const POLL: Duration = Duration::from_millis(100);

/// A deadline for the whole command.
#[derive(Clone, Copy)]
pub struct Deadline {
    end: Instant,
    pub secs: u64,
}

impl Deadline {
    pub fn new(secs: u64) -> Self {
        Deadline {
            end: Instant::now() + Duration::from_secs(secs),
            secs,
        }
    }
    pub fn passed(&self) -> bool {
        Instant::now() >= self.end
    }
}

/// Prints how many tasks are still to switch: in place on a terminal, else one line per change.
struct Progress {
    tty: bool,
    last: Option<usize>,
    shown: bool,
}

impl Progress {
    fn new() -> Self {
        Progress {
            tty: std::io::stderr().is_terminal(),
            last: None,
            shown: false,
        }
    }
    fn show(&mut self, name: &str, dir: Direction, n: usize) {
        if self.last == Some(n) {
            return;
        }
        self.last = Some(n);
        let what = match dir {
            Direction::Patching => "patching",
            Direction::Unpatching => "unpatching",
        };
        let mut e = std::io::stderr();
        if self.tty {
            let _ = write!(e, "\rklp: {name}: {what}, {} still to switch   ", count(n));
            self.shown = true;
        } else {
            let _ = writeln!(e, "klp: {name}: {what}, {} still to switch", count(n));
        }
    }
    fn done(&mut self) {
        if self.shown {
            let _ = writeln!(std::io::stderr());
            self.shown = false;
        }
    }
}

/// How a wait ended.
pub enum Waited {
    /// The patch has no transition (or is gone).
    Done,
    /// The deadline passed: the tasks still to switch, and the direction.
    Stalled(Vec<Task>, Direction),
}

/// Waits until the patch `name` has no transition; shows progress.
pub fn wait_patch(root: &Root, name: &str, deadline: Deadline) -> Result<Waited> {
    let mut progress = Progress::new();
    loop {
        let p = match read_patch(root, name) {
            Ok(p) => p,
            // Disabled and released meanwhile.
            Err(Error::NotLoaded(_)) => {
                progress.done();
                return Ok(Waited::Done);
            }
            Err(e) => return Err(e),
        };
        let Some(dir) = p.transition else {
            progress.done();
            return Ok(Waited::Done);
        };
        let left = pending(&tasks(root), dir.target_state());
        progress.show(name, dir, left.len());
        if deadline.passed() {
            progress.done();
            return Ok(Waited::Stalled(left, dir));
        }
        std::thread::sleep(POLL);
    }
}

/// The patch in transition, if any (the core runs one transition at a time).
pub fn in_transition(root: &Root) -> Result<Option<String>> {
    Ok(read_patches(root)?
        .into_iter()
        .find(|p| p.transition.is_some())
        .map(|p| p.name))
}

/// Writes `value` to the patch's `enabled`; retries while another patch's transition runs
/// (`-EBUSY` from `__klp_enable_patch()`/`__klp_disable_patch()`) until the deadline.
pub fn write_enabled(root: &Root, name: &str, value: bool, deadline: Deadline) -> Result<()> {
    let path = root.patch_dir(name).join("enabled");
    let mut told = false;
    loop {
        match std::fs::write(&path, if value { "1" } else { "0" }) {
            Ok(()) => return Ok(()),
            Err(e) if e.raw_os_error() == Some(libc::EBUSY) => {
                let other = in_transition(root)?.unwrap_or_else(|| "another patch".into());
                if !told {
                    eprintln!("klp: {other} is in transition; waiting for it to finish");
                    told = true;
                }
                if deadline.passed() {
                    return Err(stalled_other(root, &other, deadline, name));
                }
                std::thread::sleep(POLL);
            }
            Err(e) => {
                return Err(Error::Failed(format!(
                    "cannot write {} to {}: {e}",
                    value as u8,
                    path.display()
                )))
            }
        }
    }
}

/// The error when another patch's transition kept this command from starting.
pub fn stalled_other(root: &Root, other: &str, deadline: Deadline, name: &str) -> Error {
    let left = read_patch(root, other)
        .ok()
        .and_then(|p| p.transition)
        .map(|d| pending(&tasks(root), d.target_state()))
        .unwrap_or_default();
    Error::Stalled {
        what: format!(
            "the transition of {other} did not complete within {} s, so {name} was left as it was",
            deadline.secs
        ),
        report: report(root, &left),
        advice: format!("`klp wait {other}` shows the tasks holding it"),
    }
}

/// Waits until the core has released the patch (its directory gone), then until its module has
/// no references; `false` if a reference stays (a forced patch keeps one).
pub fn wait_released(root: &Root, name: &str, deadline: Deadline) -> bool {
    while root.patch_dir(name).exists() && !deadline.passed() {
        std::thread::sleep(POLL);
    }
    // The core drops the module reference right after removing the directory
    // (`klp_free_patch_finish()`); allow it a moment.
    let grace = Instant::now() + Duration::from_secs(2);
    loop {
        match root.module_refcnt(name) {
            Some(0) | None => return true,
            Some(_)
                if Instant::now() >= grace
                    && (deadline.passed() || !root.patch_dir(name).exists()) =>
            {
                return false
            }
            Some(_) => std::thread::sleep(POLL),
        }
    }
}
