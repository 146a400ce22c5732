//! Where things are: the user's home, the folder where awscreds-rs keeps
//! its own small files (`$XDG_DATA_HOME/awscreds-rs`, by default
//! `~/.local/share/awscreds-rs`: the edit lock, the shell hook's allow list,
//! the session locks), and this program itself.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use crate::context::Env;
use crate::error::{Error, Result};

/// Where a user's home is, for `~` and the defaults.
pub fn home_dir(env: &Env) -> Result<PathBuf> {
    env.var_os("HOME")
        .filter(|h| !h.is_empty())
        .or_else(|| env.var_os("USERPROFILE"))
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .ok_or_else(|| Error::invalid("HOME is not set", "set HOME to your home directory"))
}

pub fn data_dir(env: &Env) -> Result<PathBuf> {
    match env.var_os("XDG_DATA_HOME") {
        Some(dir) if !dir.is_empty() => Ok(PathBuf::from(dir).join("awscreds-rs")),
        _ => Ok(home_dir(env)?.join(".local/share/awscreds-rs")),
    }
}

/// Opens (creating it and its folder) a lock file under the data directory;
/// the caller takes the lock. The folders are this user's only (0700) and
/// the file 0600: lock names say which NAMEs and sessions exist.
pub fn lock_file(env: &Env, relative: &Path) -> Result<(File, PathBuf)> {
    let path = data_dir(env)?.join(relative);
    if let Some(dir) = path.parent() {
        crate::atomic::create_private_dir(dir)?;
    }
    let mut options = OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options
        .open(&path)
        .map_err(|e| Error::io(format!("cannot open {}", path.display()), e))?;
    Ok((file, path))
}

/// How long to wait for another process that holds an entry's lock (it
/// may be waiting for its user to type an MFA code).
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(120);

/// Takes the lock of one store entry (a NAME, or a NAME's cached session)
/// among awscreds-rs processes, waiting up to two minutes; `doing` says
/// what the holder does, for the message when it takes too long.
pub fn lock_entry(env: &Env, entry: &str, doing: &str) -> Result<File> {
    lock_entry_within(env, entry, doing, LOCK_WAIT, &mut || {}).map(|(file, _)| file)
}

/// [`lock_entry`], waiting up to `wait`, and calling `waiting` once if
/// the lock is held: with whether it had to wait (`sso login` then finds
/// the session that the other login signed in).
pub fn lock_entry_within(
    env: &Env,
    entry: &str,
    doing: &str,
    wait: std::time::Duration,
    waiting: &mut dyn FnMut(),
) -> Result<(File, bool)> {
    let file_name: String = entry
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let (file, path) = lock_file(env, &Path::new("locks").join(format!("{file_name}.lock")))?;
    let waited = match file.try_lock() {
        Ok(()) => return Ok((file, false)),
        Err(std::fs::TryLockError::WouldBlock) => {
            waiting();
            true
        }
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(Error::io(format!("cannot lock {}", path.display()), e))
        }
    };
    wait_within(file, &path, &format!("{doing} '{entry}'"), wait).map(|f| (f, waited))
}

/// Takes the lock that lets one process at a time ask for the file
/// store's passphrase (`make -j` runs several reads on one terminal), as
/// `lock_entry` waits.
pub fn lock_passphrase_prompt(env: &Env) -> Result<File> {
    let (file, path) = lock_file(env, Path::new("locks/file-store.prompt"))?;
    wait_for(file, &path, "asking for the file store's passphrase")
}

fn wait_for(file: File, path: &Path, doing: &str) -> Result<File> {
    wait_within(file, path, doing, LOCK_WAIT)
}

fn wait_within(file: File, path: &Path, doing: &str, wait: std::time::Duration) -> Result<File> {
    let started = std::time::Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(std::fs::TryLockError::WouldBlock) if started.elapsed() < wait => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Error::Busy {
                    doing: doing.to_string(),
                    minutes: wait.as_secs().div_ceil(60),
                    lock: path.to_path_buf(),
                })
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(Error::io(format!("cannot lock {}", path.display()), e))
            }
        }
    }
}

/// This program's canonical path, for the lines that run it again
/// (credential_process, the shell hook), as a user would type it.
pub fn this_exe() -> Result<PathBuf> {
    crate::context::current_exe()
        .and_then(|p| p.canonicalize())
        .map(|p| PathBuf::from(plain_path(&p.to_string_lossy())))
        .map_err(|e| Error::io("cannot find the path of this program", e))
}

/// Windows' `canonicalize` gives verbatim paths (`\\?\C:\...`,
/// `\\?\UNC\server\share\...`), which cmd.exe and botocore do not read as
/// a program: the plain form of the same path. Other paths are kept.
pub fn plain_path(path: &str) -> String {
    if let Some(unc) = path.strip_prefix(r"\\?\UNC\") {
        return format!(r"\\{unc}");
    }
    match path.strip_prefix(r"\\?\") {
        Some(rest) if rest.as_bytes().get(1) == Some(&b':') => rest.to_string(),
        _ => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbatim_windows_paths_become_plain() {
        assert_eq!(
            plain_path(r"\\?\Z:\opt\awscreds-rs.exe"),
            r"Z:\opt\awscreds-rs.exe"
        );
        assert_eq!(plain_path(r"\\?\UNC\srv\share\a.exe"), r"\\srv\share\a.exe");
        assert_eq!(plain_path(r"\\?\Volume{x}\a.exe"), r"\\?\Volume{x}\a.exe");
        assert_eq!(
            plain_path("/usr/local/bin/awscreds-rs"),
            "/usr/local/bin/awscreds-rs"
        );
    }
}
