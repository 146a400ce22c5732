//! `awscreds-rs allow [DIR]`, `deny [DIR]` and `use PROFILE`: which
//! `.aws-profile` files the shell hook may act on.

use std::path::{Path, PathBuf};

use crate::awsfiles::AwsFiles;
use crate::context::Env;
use crate::error::one_line;
use crate::error::{Error, Result};
use crate::names::validate_profile_name;
use crate::project::{self, FILE_NAME};
use crate::trust::Trust;

fn start_dir(dir: Option<&Path>) -> Result<PathBuf> {
    match dir {
        Some(dir) => Ok(dir.to_path_buf()),
        None => crate::context::current_dir(&crate::context::Env::process())
            .map_err(|e| Error::io("cannot read the current directory", e)),
    }
}

fn nearest(dir: Option<&Path>) -> Result<PathBuf> {
    let start = start_dir(dir)?;
    let start = start
        .canonicalize()
        .map_err(|e| Error::io(format!("cannot open {}", start.display()), e))?;
    project::find(&start).ok_or_else(|| {
        Error::invalid(
            format!(
                "there is no {FILE_NAME} in {} or above it",
                one_line(start.display())
            ),
            format!("create one with: {}", crate::fix::use_profile("PROFILE")),
        )
    })
}

pub fn allow(dir: Option<&Path>) -> Result<()> {
    let found = nearest(dir)?;
    let file = project::read(&found).map_err(|reason| {
        Error::invalid(
            format!("cannot allow {}: {reason}", one_line(found.display())),
            "fix the file first",
        )
    })?;
    Trust::open(&Env::process())?.allow(&file.path, &file.content)?;
    crate::say!(
        "Allowed {} (profile '{}').",
        one_line(file.path.display()),
        file.profile
    );
    tell_or_warn(&Env::process(), &file.profile)?;
    Ok(())
}

pub fn deny(dir: Option<&Path>) -> Result<()> {
    let found = nearest(dir)?;
    let path = found.canonicalize().unwrap_or(found);
    // Recorded as it is, so that the hook stays quiet about it until it
    // changes (a file it cannot read stays loud: it says why).
    let content = project::read(&path).ok().map(|file| file.content);
    let was_allowed = Trust::open(&Env::process())?.deny(&path, content.as_deref())?;
    let what = if was_allowed {
        "Denied"
    } else {
        "Was not allowed; denied"
    };
    crate::say!(
        "{what} {}: the shell hook ignores it, and says nothing of it until it changes.",
        one_line(path.display())
    );
    Ok(())
}

/// Writes `./.aws-profile` with PROFILE and allows it.
pub fn use_profile(profile: &str) -> Result<()> {
    validate_profile_name(profile)?;
    let dir = start_dir(None)?;
    let path = dir.join(FILE_NAME);
    let content = format!("{profile}\n");
    // A project file, meant to be committed: readable by all, like one
    // written by hand.
    let existing = std::fs::metadata(&path).ok();
    crate::atomic::write(&path, content.as_bytes(), existing.as_ref(), 0o644)?;
    let path = path
        .canonicalize()
        .map_err(|e| Error::io(format!("cannot open {}", path.display()), e))?;
    Trust::open(&Env::process())?.allow(&path, content.as_bytes())?;
    crate::say!(
        "Wrote and allowed {} (profile '{profile}').",
        one_line(path.display())
    );
    let env = Env::process();
    let home = crate::paths::home_dir(&env)
        .ok()
        .and_then(|h| h.canonicalize().ok());
    if path.parent() == home.as_deref() {
        crate::say!(
            "Note: that is your home folder, so every folder under it without an {FILE_NAME} \
             of its own now uses profile '{profile}'. To keep it to one project, run `use` in \
             that project's folder, and delete {} to undo this.",
            one_line(path.display())
        );
    }
    tell_or_warn(&env, profile)?;
    Ok(())
}

/// With the hook loaded, its next prompt says what it makes of the file
/// (a profile the AWS files lack included): once is enough. Without it,
/// say that nothing follows the file here, and the undefined profile.
fn tell_or_warn(env: &Env, profile: &str) -> Result<()> {
    if env.var(crate::hook::LOADED_VAR).is_some() {
        return Ok(());
    }
    warn_if_undefined(profile)?;
    tell_if_no_hook(env);
    Ok(())
}

/// Says so when this shell has not loaded the hook (its wrapper tells the
/// program it has: `hook::LOADED_VAR`), for then nothing sets AWS_PROFILE
/// from the file: the line that loads it, for the user's shell.
fn tell_if_no_hook(env: &Env) {
    if env.var(crate::hook::LOADED_VAR).is_some() {
        return;
    }
    let shell = env
        .var("SHELL")
        .and_then(|s| s.rsplit('/').next().map(String::from))
        .filter(|s| ["bash", "zsh", "fish"].contains(&s.as_str()))
        .unwrap_or_else(|| "bash".into());
    let load = if shell == "fish" {
        format!("{} | source", crate::fix::init("fish"))
    } else {
        format!("eval \"$({})\"", crate::fix::init(&shell))
    };
    crate::say!(
        "The shell hook is not loaded in this shell, so AWS_PROFILE does not follow the \
         file here: load it with {load} (and add that line to your shell's startup file)."
    );
}

fn warn_if_undefined(profile: &str) -> Result<()> {
    let files = AwsFiles::locate(&Env::process())?;
    if !crate::profiles::names(&files).contains(profile) {
        crate::say!(
            "Warning: profile '{profile}' is in neither {} nor {}; add it with: {}",
            files.config.display(),
            files.credentials.display(),
            crate::fix::configure(profile, "NAME")
        );
    }
    Ok(())
}
