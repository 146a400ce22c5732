//! `awscreds-rs configure`: add or update a profile in the AWS config file
//! so that it runs this binary for a stored NAME.

use std::path::Path;

use crate::awsfiles::{self, validate_profile_name, AwsFiles};
use crate::error::{Error, Result};
use crate::ini::{is_config_header, Ini};
use crate::store::{validate_name, Store, StoreChoice};

pub fn run(choice: StoreChoice, profile: &str, name: &str, region: Option<&str>) -> Result<()> {
    validate_profile_name(profile)?;
    validate_name(name)?;
    if let Some(region) = region {
        validate_region(region)?;
    }
    let files = AwsFiles::locate()?;
    let lock = awsfiles::lock()?;
    let command = process_command(name)?;
    let old = awsfiles::read_text(&files.config)?;
    let mut ini = Ini::parse(old.as_deref().unwrap_or(""));
    set_profile(&mut ini, profile, &command, region);
    let new = ini.render();
    let backup = awsfiles::replace(&files.config, old.as_deref(), &new, &lock)?;
    let unchanged = old.as_deref() == Some(new.as_str());
    report(
        &files.config,
        profile,
        &command,
        old.is_some(),
        backup.as_deref(),
        unchanged,
    );

    match Store::open(choice).and_then(|store| Ok((store.contains(name)?, store.label()))) {
        Ok((true, _)) => {}
        Ok((false, label)) => eprintln!(
            "Warning: nothing is stored for '{name}' in {label} yet; \
             store it with: awscreds-rs add --username {name}"
        ),
        Err(e) => eprintln!("Warning: could not check that '{name}' is stored: {e}"),
    }
    Ok(())
}

/// The section header for a profile in the config file.
pub fn config_header(profile: &str) -> String {
    if profile == "default" {
        "default".into()
    } else {
        format!("profile {profile}")
    }
}

/// Sets `credential_process` (and `region`) of the profile in memory.
/// Returns whether anything changed.
pub fn set_profile(ini: &mut Ini, profile: &str, command: &str, region: Option<&str>) -> bool {
    let matches = |header: &str| is_config_header(header, profile);
    let header = config_header(profile);
    let mut changed = ini.set(&matches, &header, "credential_process", command);
    if let Some(region) = region {
        changed |= ini.set(&matches, &header, "region", region);
    }
    changed
}

/// Says what happened to the config file.
pub fn report(
    path: &Path,
    profile: &str,
    command: &str,
    existed: bool,
    backup: Option<&Path>,
    unchanged: bool,
) {
    let header = config_header(profile);
    if unchanged {
        eprintln!(
            "[{header}] in {} already runs {command}; nothing changed.",
            path.display()
        );
        return;
    }
    eprintln!("[{header}] in {} now runs {command}", path.display());
    match backup {
        Some(backup) => eprintln!("  backup of the old file: {}", backup.display()),
        None if !existed => eprintln!("  (a new file)"),
        None => {}
    }
}

/// `<absolute path of this binary> --username NAME`, quoted so that both
/// botocore's shlex split and `sh -c` read the path as one word.
pub fn process_command(name: &str) -> Result<String> {
    let exe = crate::paths::this_exe()?;
    let exe = exe.to_str().ok_or_else(|| {
        Error::invalid(
            format!("the path of this program ({}) is not UTF-8", exe.display()),
            "install awscreds-rs under a UTF-8 path",
        )
    })?;
    Ok(format!("{} --username {name}", quote(exe)))
}

fn quote(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+,:@%=".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        return word.to_string();
    }
    if cfg!(windows) {
        // cmd.exe and the Windows SDK splitters read double quotes.
        format!("\"{word}\"")
    } else {
        crate::shellwords::quote_sh(word)
    }
}

fn validate_region(region: &str) -> Result<()> {
    let ok = !region.is_empty()
        && region.len() <= 32
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "invalid --region '{}': a region looks like us-west-2",
            region.escape_default()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(
            quote("/usr/local/bin/awscreds-rs"),
            "/usr/local/bin/awscreds-rs"
        );
        if cfg!(unix) {
            assert_eq!(
                quote("/opt/my tools/awscreds-rs"),
                "'/opt/my tools/awscreds-rs'"
            );
            assert_eq!(quote("/o'brien/bin"), r"'/o'\''brien/bin'");
            assert_eq!(quote("/a$b"), "'/a$b'");
        }
    }

    #[test]
    fn regions() {
        assert!(validate_region("us-west-2").is_ok());
        assert!(validate_region("us west").is_err());
        assert!(validate_region("").is_err());
    }
}
