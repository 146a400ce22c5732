//! `awscreds-rs hook SHELL` (hidden): what the shell hook runs when the
//! directory or an AWS variable changed. It reads what the hook sees, asks
//! [`crate::hook::decide`], prints the shell code on stdout and the warnings
//! on stderr.
//!
//! The shell keeps the hook's state in its own variables and hands it over
//! in `AWSCREDS_HOOK_*` for this one command.

use crate::awsfiles::AwsFiles;
use crate::cli::Shell;
use crate::context::Env;
use crate::error::Result;
use crate::hook::{decide, emit_with_leave, leaving, Input};
use crate::project;
use crate::trust::Trust;

pub fn run(shell: Shell) -> Result<()> {
    let env = Env::process();
    let cwd = crate::context::current_dir(&env).unwrap_or_default();
    let trust = Trust::open(&env)?;
    let target = project::judge(&cwd, &trust);
    let files = AwsFiles::locate(&env)?;
    let input = Input::from_env(&env);
    let seen = input.clone();
    let outcome = decide(input, &target, shell, &|p| {
        crate::profiles::names(&files).contains(p)
    });
    for message in &outcome.messages {
        crate::say!("{message}");
    }
    let leave = leaving(&outcome, seen, shell);
    super::print(&emit_with_leave(&outcome, &leave, shell))
}
