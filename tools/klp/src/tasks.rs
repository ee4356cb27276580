// SPDX-License-Identifier: GPL-2.0
//! The tasks of a transition: `/proc/<pid>/task/<tid>/patch_state` (-1: no transition, 0:
//! unpatched, 1: patched; `fs/proc/base.c`), their command and kernel stack.

use crate::sysfs::Root;
use std::fs;

#[derive(Clone, Debug, PartialEq)]
pub struct Task {
    pub pid: u32,
    pub tid: u32,
    pub comm: String,
    pub state: i32,
}

fn numeric_dirs(dir: &std::path::Path) -> Vec<u32> {
    let mut v: Vec<u32> = fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().to_str().and_then(|s| s.parse().ok()))
                .collect()
        })
        .unwrap_or_default();
    v.sort_unstable();
    v
}

/// Every task with its `patch_state`; tasks that exit while being read are skipped. The idle
/// tasks are not in `/proc`.
pub fn tasks(root: &Root) -> Vec<Task> {
    let proc = root.path("proc");
    let mut out = vec![];
    for pid in numeric_dirs(&proc) {
        let tdir = proc.join(pid.to_string()).join("task");
        for tid in numeric_dirs(&tdir) {
            let d = tdir.join(tid.to_string());
            let Ok(state) = fs::read_to_string(d.join("patch_state")) else {
                continue;
            };
            let Ok(state) = state.trim().parse() else {
                continue;
            };
            let comm = fs::read_to_string(d.join("comm"))
                .map(|s| s.trim().to_string())
                .unwrap_or_default();
            out.push(Task {
                pid,
                tid,
                comm,
                state,
            });
        }
    }
    out
}

/// The tasks not yet switched to `target` (the `patch_state` of a switched task).
pub fn pending(tasks: &[Task], target: i32) -> Vec<Task> {
    tasks
        .iter()
        .filter(|t| t.state != -1 && t.state != target)
        .cloned()
        .collect()
}

/// The kernel stack of a task, one frame per line without the `[<0>]` prefix (addresses are
/// hidden by the kernel).
pub fn stack(root: &Root, t: &Task) -> Vec<String> {
    let path = root.path(&format!("proc/{}/task/{}/stack", t.pid, t.tid));
    parse_stack(&fs::read_to_string(path).unwrap_or_default())
}

pub fn parse_stack(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| match l.split_once("] ") {
            Some((_, f)) if l.starts_with("[<") => f.trim().to_string(),
            _ => l.trim().to_string(),
        })
        .filter(|l| !l.is_empty())
        .collect()
}

/// "1 task", "2 tasks".
pub fn count(n: usize) -> String {
    format!("{n} task{}", if n == 1 { "" } else { "s" })
}

/// The report of the tasks holding a transition: pid, tid, command, and kernel stack.
pub fn report(root: &Root, pending: &[Task]) -> String {
    let mut s = String::new();
    for t in pending {
        s.push_str(&format!(
            "  task {} (pid {}) {}: {}\n",
            t.tid,
            t.pid,
            t.comm,
            if t.state == 0 {
                "still on the old code"
            } else {
                "still on the new code"
            }
        ));
        let frames = stack(root, t);
        if frames.is_empty() {
            s.push_str("    (no kernel stack: running in user space or exiting)\n");
        }
        for f in frames {
            s.push_str(&format!("    {f}\n"));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stacks() {
        assert_eq!(
            parse_stack("[<0>] msleep+0x28/0x30\n[<0>] busymod_work_func+0x55/0x88 [m]\n\n"),
            ["msleep+0x28/0x30", "busymod_work_func+0x55/0x88 [m]"]
        );
        assert!(parse_stack("").is_empty());
    }

    #[test]
    fn pending_tasks() {
        let t = |tid, state| Task {
            pid: tid,
            tid,
            comm: "t".into(),
            state,
        };
        let all = [t(1, -1), t(2, 0), t(3, 1)];
        assert_eq!(pending(&all, 1), [t(2, 0)]);
        assert_eq!(pending(&all, 0), [t(3, 1)]);
    }
}
