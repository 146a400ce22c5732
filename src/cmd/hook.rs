//! `awscreds-rs hook SHELL` (hidden): what the shell hook runs when the
//! directory or an AWS variable changed. It reads what the hook sees, asks
//! [`crate::hook::decide`], prints the shell code on stdout and the warnings
//! on stderr.
//!
//! The shell keeps the hook's state in its own variables and hands it over
//! in `AWSCREDS_HOOK_*` for this one command.

use std::path::PathBuf;

use crate::awsfiles::AwsFiles;
use crate::cli::Shell;
use crate::context::Env;
use crate::error::Result;
use crate::hook::{self, decide, emit_with_leave, leaving, Input, State};
use crate::project;
use crate::trust::Trust;

fn input_from_env() -> Input {
    let var = |name: &str| std::env::var(name).ok();
    let non_empty = |name: &str| var(name).filter(|v| !v.is_empty());
    Input {
        aws_profile: var("AWS_PROFILE"),
        shadowing: crate::awsenv::shadowing(var),
        state: State {
            active: non_empty(hook::ACTIVE.env),
            saved: if var(hook::SAVED_SET.env).as_deref() == Some("1") {
                Some(var(hook::SAVED.env).unwrap_or_default())
            } else {
                None
            },
            root: non_empty(hook::ROOT.env),
            warned: var(hook::WARNED.env)
                .map(|w| {
                    w.split(hook::WARNED_SEPARATOR)
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default(),
        },
    }
}

pub fn run(shell: Shell) -> Result<()> {
    let cwd = std::env::current_dir()
        .or_else(|_| std::env::var("PWD").map(PathBuf::from))
        .unwrap_or_default();
    let env = Env::process();
    let trust = Trust::open(&env)?;
    let target = project::judge(&cwd, &trust);
    let files = AwsFiles::locate(&env)?;
    let input = input_from_env();
    let (aws_profile, shadowing) = (input.aws_profile.clone(), input.shadowing.clone());
    let outcome = decide(input, &target, shell, &|p| {
        crate::profiles::names(&files).contains(p)
    });
    for message in &outcome.messages {
        eprintln!("{message}");
    }
    let leave = leaving(&outcome, aws_profile, shadowing, shell);
    super::print(&emit_with_leave(&outcome, &leave, shell))
}
