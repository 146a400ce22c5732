//! The allow list of `.aws-profile` files, in direnv's manner: an allow
//! records the SHA-256 of the file's canonical path and content, so an
//! edited or moved file needs allowing again.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

pub struct Trust {
    dir: PathBuf,
}

fn digest(path: &Path, content: &[u8]) -> String {
    crate::digest::sha256_hex(&[path.as_os_str().as_encoded_bytes(), &[0], content], 32)
}

impl Trust {
    /// `$XDG_DATA_HOME/awscreds-rs/allow/`.
    pub fn open(env: &crate::context::Env) -> Result<Trust> {
        Ok(Trust {
            dir: crate::paths::data_dir(env)?.join("allow"),
        })
    }

    pub fn is_allowed(&self, path: &Path, content: &[u8]) -> bool {
        self.dir.join(digest(path, content)).is_file()
    }

    /// Allows this content at this path, replacing older allows of the path.
    pub fn allow(&self, path: &Path, content: &[u8]) -> Result<()> {
        self.deny(path)?;
        crate::atomic::create_private_dir(&self.dir)?;
        let entry = self.dir.join(digest(path, content));
        crate::atomic::write(&entry, path.as_os_str().as_encoded_bytes(), None, 0o600)
    }

    /// Revokes every allow of this path; returns whether there was one.
    pub fn deny(&self, path: &Path) -> Result<bool> {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return Ok(false);
        };
        let mut found = false;
        for entry in entries.flatten() {
            let recorded = fs::read(entry.path()).unwrap_or_default();
            if recorded == path.as_os_str().as_encoded_bytes() {
                fs::remove_file(entry.path()).map_err(|e| {
                    Error::io(format!("cannot remove {}", entry.path().display()), e)
                })?;
                found = true;
            }
        }
        Ok(found)
    }
}
