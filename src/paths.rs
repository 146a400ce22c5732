//! Where awscreds-rs keeps its own small files (the edit lock; later, the
//! shell hook's allow list): `$XDG_DATA_HOME/awscreds-rs`, by default
//! `~/.local/share/awscreds-rs`.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use crate::awsfiles::home_dir;
use crate::error::{Error, Result};

pub fn data_dir() -> Result<PathBuf> {
    match std::env::var_os("XDG_DATA_HOME") {
        Some(dir) if !dir.is_empty() => Ok(PathBuf::from(dir).join("awscreds-rs")),
        _ => Ok(home_dir()?.join(".local/share/awscreds-rs")),
    }
}

/// Opens (creating it and its folder) a lock file under the data directory;
/// the caller takes the lock.
pub fn lock_file(relative: &Path) -> Result<(File, PathBuf)> {
    let path = data_dir()?.join(relative);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
    }
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io(format!("cannot open {}", path.display()), e))?;
    Ok((file, path))
}

/// This program's canonical path, for the lines that run it again
/// (credential_process, the shell hook).
pub fn this_exe() -> Result<PathBuf> {
    std::env::current_exe()
        .and_then(|p| p.canonicalize())
        .map_err(|e| Error::io("cannot find the path of this program", e))
}
