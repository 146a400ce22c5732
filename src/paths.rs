//! Where awscreds-rs keeps its own small files (the edit lock; later, the
//! shell hook's allow list): `$XDG_DATA_HOME/awscreds-rs`, by default
//! `~/.local/share/awscreds-rs`.

use std::path::PathBuf;

use crate::awsfiles::home_dir;
use crate::error::Result;

pub fn data_dir() -> Result<PathBuf> {
    match std::env::var_os("XDG_DATA_HOME") {
        Some(dir) if !dir.is_empty() => Ok(PathBuf::from(dir).join("awscreds-rs")),
        _ => Ok(home_dir()?.join(".local/share/awscreds-rs")),
    }
}
