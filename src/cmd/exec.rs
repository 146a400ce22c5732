//! `awscreds-rs exec [--profile P] [--server] -- CMD [ARGS...]`: runs CMD
//! with the profile in effect and no raw key variable that could shadow
//! it; with `--server`, with a container credentials endpoint instead.

use std::ffi::OsString;
use std::process::Command;

use super::line;
use crate::context::Env;
use crate::error::{Error, Result};
use crate::store::StoreChoice;

pub fn run(choice: StoreChoice, args: &crate::cli::ExecArgs) -> Result<()> {
    let env = Env::process();
    let given = given_profile(args)?;
    let profile = line::chosen_profile(&env, given.as_deref());
    // No command: the user's shell, as aws-vault starts it.
    let shell = [user_shell(&env)];
    let (program, rest) = match args.command.split_first() {
        Some(split) => split,
        None => (&shell[0], &[][..]),
    };
    let mut cmd = Command::new(program);
    cmd.args(rest);
    for var in crate::awsenv::removed_by_exec() {
        cmd.env_remove(var);
    }
    // Said by the hook's wrapper to this process alone: the command's
    // shell has no hook until it loads one.
    cmd.env_remove(crate::hook::LOADED_VAR);
    // A shell started here keeps the profile exec gives it (none under
    // --server): its hook changes nothing, and says so.
    cmd.env(
        crate::hook::EXEC_VAR,
        if args.server { "" } else { profile.as_str() },
    );
    if args.server {
        let endpoint = super::serve::prepare(choice, &env, &profile, 0)?;
        cmd.envs(endpoint.variables());
        warn_if_default_shadows(&env);
        if let Some(region) = profile_region(&env, &profile) {
            cmd.env("AWS_REGION", &region)
                .env("AWS_DEFAULT_REGION", &region);
        }
        std::thread::Builder::new()
            .name("endpoint".into())
            .spawn(move || endpoint.serve())
            .map_err(|e| Error::io("cannot start the endpoint's thread", e))?;
        return wait(cmd, program);
    }
    let files = crate::awsfiles::AwsFiles::locate(&env)?;
    if !crate::profiles::read_all(&files)?.contains_key(&profile) {
        return Err(crate::profiles::missing_profile(&files, &profile));
    }
    cmd.env("AWS_PROFILE", &profile);
    replace_with(cmd, program)
}

/// The profile named on the command line: `--profile P`, or the one word
/// before `--` (`exec my-app -- CMD`). More words before `--` are a command
/// typed without it: refused with the line that works.
fn given_profile(args: &crate::cli::ExecArgs) -> Result<Option<String>> {
    let words: Vec<String> = args
        .positional
        .iter()
        .map(|w| w.to_string_lossy().into_owned())
        .collect();
    let (profile, stray): (Option<String>, &[String]) = match (&args.profile, words.split_first()) {
        (Some(p), _) => (Some(p.clone()), &words[..]),
        (None, Some((p, rest))) => (Some(p.clone()), rest),
        (None, None) => (None, &[]),
    };
    if stray.is_empty() {
        return Ok(profile);
    }
    let shown = profile.as_deref().unwrap_or("PROFILE");
    let command: Vec<&str> = stray.iter().map(String::as_str).collect();
    Err(Error::Usage(format!(
        "'{}' is read as the command, but the command goes after --: {}",
        crate::error::one_line(stray.join(" ")),
        crate::error::one_line(crate::fix::exec_with(shown, &command))
    )))
}

/// The shell `exec` starts without a command: `$SHELL`, else the
/// platform's (`sh`, or `cmd.exe` on Windows).
fn user_shell(env: &Env) -> OsString {
    if cfg!(windows) {
        return env.var_os("COMSPEC").unwrap_or_else(|| "cmd.exe".into());
    }
    env.var_os("SHELL")
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "/bin/sh".into())
}

/// The SDKs read a `[default]` profile's credentials before a container
/// endpoint: say so when there is one.
fn warn_if_default_shadows(env: &Env) {
    let Ok(files) = crate::awsfiles::AwsFiles::locate(env) else {
        return;
    };
    let all = crate::profiles::read_all(&files).unwrap_or_default();
    if let Some(default) = all.get("default") {
        let source = default.source();
        if source != crate::profiles::Source::None {
            crate::say!(
                "awscreds-rs: warning: profile 'default' gets credentials from {}, which the SDKs \
                 use before the endpoint; the command may use those instead",
                source.describe()
            );
        }
    }
}

/// The profile's region, for a command that no longer names the profile,
/// unless the environment names one already.
fn profile_region(env: &Env, profile: &str) -> Option<String> {
    if env.var_set("AWS_REGION").is_some() || env.var_set("AWS_DEFAULT_REGION").is_some() {
        return None;
    }
    let files = crate::awsfiles::AwsFiles::locate(env).ok()?;
    let all = crate::profiles::read_all(&files).ok()?;
    all.get(profile)?.region().map(String::from)
}

fn cannot_run(program: &OsString, e: std::io::Error) -> Error {
    Error::io(
        format!(
            "cannot run '{}' (check its name, and that it is on PATH)",
            crate::error::one_line(program.to_string_lossy())
        ),
        e,
    )
}

/// Unix: becomes CMD (`exec`), holding nothing that needs cleaning up, so
/// its status and signals are ours without a word. Elsewhere: runs it and
/// exits with its status.
#[cfg_attr(not(unix), allow(unused_mut))]
fn replace_with(mut cmd: Command, program: &OsString) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        crate::hardening::give_back_core_limit().map_err(|e| {
            Error::io(
                "cannot give the command the core-file limit we started with",
                e,
            )
        })?;
        let e = cmd.exec();
        Err(cannot_run(program, e))
    }
    #[cfg(not(unix))]
    {
        wait(cmd, program)
    }
}

/// Runs CMD as a child, passes on the signals sent to us, and ends with its
/// status: its exit code, or 128+N for a signal N.
fn wait(mut cmd: Command, program: &OsString) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: setrlimit is async-signal-safe, and the closure touches
        // nothing else between fork and exec.
        unsafe {
            cmd.pre_exec(crate::hardening::give_back_core_limit);
        }
    }
    let mut child = cmd.spawn().map_err(|e| cannot_run(program, e))?;
    let _forward = crate::interrupt::Forward::to(child.id());
    let status = child
        .wait()
        .map_err(|e| Error::io("cannot wait for the command", e))?;
    match status.code() {
        Some(0) => Ok(()),
        Some(code) => Err(Error::Exited(code)),
        None => {
            #[cfg(unix)]
            {
                use std::os::unix::process::ExitStatusExt;
                Err(Error::Exited(128 + status.signal().unwrap_or(0)))
            }
            #[cfg(not(unix))]
            {
                Err(Error::Exited(1))
            }
        }
    }
}
