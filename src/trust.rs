//! The allow list of `.aws-profile` files, in direnv's manner: an allow
//! records the SHA-256 of the file's canonical path and content, so an
//! edited or moved file needs allowing again. A deny records the same for
//! the file as it was denied, so that the hook stays quiet about it until
//! it changes.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

pub struct Trust {
    /// `allow/`: the files allowed.
    dir: PathBuf,
    /// `deny/`: the files denied, as they were.
    denied: PathBuf,
}

fn digest(path: &Path, content: &[u8]) -> String {
    crate::digest::sha256_hex(&[path.as_os_str().as_encoded_bytes(), &[0], content], 32)
}

impl Trust {
    /// `$XDG_DATA_HOME/awscreds-rs/allow/` and `.../deny/`.
    pub fn open(env: &crate::context::Env) -> Result<Trust> {
        let data = crate::paths::data_dir(env)?;
        Ok(Trust {
            dir: data.join("allow"),
            denied: data.join("deny"),
        })
    }

    pub fn is_allowed(&self, path: &Path, content: &[u8]) -> bool {
        self.dir.join(digest(path, content)).is_file()
    }

    /// Whether the user denied this file as it is now.
    pub fn is_denied(&self, path: &Path, content: &[u8]) -> bool {
        self.denied.join(digest(path, content)).is_file()
    }

    pub fn allow(&self, path: &Path, content: &[u8]) -> Result<()> {
        forget(&self.dir, path)?;
        forget(&self.denied, path)?;
        record(&self.dir, path, content)
    }

    /// Takes back the allow of `path` (whether there was one), and records
    /// the deny of its `content` when it could be read.
    pub fn deny(&self, path: &Path, content: Option<&[u8]>) -> Result<bool> {
        let was_allowed = forget(&self.dir, path)?;
        forget(&self.denied, path)?;
        if let Some(content) = content {
            record(&self.denied, path, content)?;
        }
        Ok(was_allowed)
    }
}

/// Records `path` as it is (`content`) in the list `dir`.
fn record(dir: &Path, path: &Path, content: &[u8]) -> Result<()> {
    crate::atomic::create_private_dir(dir)?;
    let entry = dir.join(digest(path, content));
    crate::atomic::write(&entry, path.as_os_str().as_encoded_bytes(), None, 0o600)
}

/// Drops every record of `path` from the list `dir`; whether there was one.
fn forget(dir: &Path, path: &Path) -> Result<bool> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(false);
    };
    let mut found = false;
    for entry in entries.flatten() {
        let recorded = fs::read(entry.path()).unwrap_or_default();
        if recorded == path.as_os_str().as_encoded_bytes() {
            fs::remove_file(entry.path())
                .map_err(|e| Error::io(format!("cannot remove {}", entry.path().display()), e))?;
            found = true;
        }
    }
    Ok(found)
}
