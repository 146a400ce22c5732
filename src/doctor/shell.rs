//! The shell hook and the `.aws-profile` that governs this directory.

use super::{var, Context, Report};
use crate::project::{self, Target};
use crate::trust::Trust;

pub(super) fn check_shell(r: &mut Report, ctx: &Context) {
    let hook = var(ctx, crate::hook::LOADED_VAR);
    // The same judgment as the hook's, so doctor says what the hook does.
    let target = match Trust::open(&ctx.os) {
        Ok(trust) => project::judge(&ctx.cwd, &trust),
        Err(_) => Target::None,
    };
    match (hook, &target) {
        (Some(shell), _) => r.ok(
            "shell.hook",
            format!("the {shell} hook is loaded in this shell"),
        ),
        (None, Target::None) => r.ok(
            "shell.hook",
            "the shell hook is not loaded (optional: it sets AWS_PROFILE per project directory)",
        ),
        (None, _) => r.warn(
            "shell.hook",
            "there is a .aws-profile here, but the shell hook is not loaded in this shell, \
             so it has no effect",
            format!(
                "eval \"$({})\" (or zsh; fish: {} | source)",
                crate::fix::init("bash"),
                crate::fix::init("fish")
            ),
        ),
    }
    match target {
        Target::None => {}
        Target::Refused { path, reason } => r.warn(
            "shell.aws-profile",
            format!("{path} is ignored: {reason}"),
            "put a profile name alone on its first line",
        ),
        Target::Allowed { path, profile } => r.ok(
            "shell.aws-profile",
            format!("{path} (profile '{profile}') is allowed"),
        ),
        Target::Blocked {
            path, dir, profile, ..
        } => r.warn(
            "shell.aws-profile",
            format!("{path} (profile '{profile}') is not allowed, so the hook ignores it"),
            format!(
                "read it, then: {}",
                crate::error::one_line(crate::fix::allow(&dir))
            ),
        ),
    }
}
