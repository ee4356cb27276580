// SPDX-License-Identifier: GPL-2.0
//! `klp`: load, watch, diagnose and unload kernel livepatches.
//!
//! `Documentation/livepatch/klp.rst` describes the commands and the exit statuses.

mod cmd;
mod error;
mod module;
mod signature;
mod sysfs;
mod tasks;
mod transition;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

const EXIT_STATUS: &str = "Exit status: 0 done; 1 other failure; 2 bad command line; 3 not root; \
4 no livepatch support in the kernel; 5 not a livepatch module; 6 no such livepatch loaded; \
7 a transition did not complete in time (the tasks holding it are listed); 8 the patch was forced \
(its module stays until reboot); 9 the kernel refused the module; 10 the kernel refused the \
module's signature (not signed, a key it does not trust, changed after signing).";

#[derive(Parser)]
#[command(name = "klp", version, about = "Load, watch, diagnose and unload kernel livepatches",
    after_help = EXIT_STATUS)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Every livepatch: enabled, in transition, replace; its objects and functions, and which
    /// patch's version of each function runs.
    List {
        /// One JSON document on stdout, for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Load a livepatch module and wait until its transition completes, showing the tasks still
    /// to switch; on timeout, name the tasks that hold it, with their kernel stacks.
    Load {
        /// The livepatch module (.ko).
        file: PathBuf,
        /// Module parameters, `name=value`.
        params: Vec<String>,
        /// Seconds to wait for the transition (and for another patch's transition to end).
        #[arg(long, default_value_t = 60)]
        timeout: u64,
        /// On timeout, reverse the transition, wait until the old code runs again everywhere and
        /// remove the module.
        #[arg(long)]
        revert_on_stall: bool,
    },
    /// Disable a livepatch, wait for the unpatching transition and for the core to release the
    /// patch, and remove its module.
    Unload {
        /// The patch's name (its module's name).
        name: String,
        /// Seconds to wait for the transition; on timeout the disable is reversed.
        #[arg(long, default_value_t = 60)]
        timeout: u64,
    },
    /// Wait until the transition of NAME (or of whichever patch is in transition) completes.
    Wait {
        name: Option<String>,
        /// Seconds to wait.
        #[arg(long, default_value_t = 60)]
        timeout: u64,
    },
    /// What a livepatch module file says about itself: livepatch=Y, parameters, its signature
    /// (signer, key, hash, as modinfo shows them), the objects and functions it patches (where
    /// the module records them).
    Info {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

fn main() {
    let cli = Cli::parse();
    let root = sysfs::Root::live();
    let r = match cli.command {
        Command::List { json } => cmd::list(&root, json),
        Command::Load {
            file,
            params,
            timeout,
            revert_on_stall,
        } => cmd::load(&root, &file, &params, timeout, revert_on_stall),
        Command::Unload { name, timeout } => cmd::unload(&root, &name, timeout),
        Command::Wait { name, timeout } => cmd::wait(&root, name.as_deref(), timeout),
        Command::Info { file, json } => cmd::info(&file, json),
    };
    if let Err(e) = r {
        eprintln!("{e}");
        if let Some(report) = e.report() {
            eprint!("{report}");
        }
        std::process::exit(e.status());
    }
}
