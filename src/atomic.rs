//! Writing a file so that a reader sees the old content or the new, never
//! half of it, and a crash leaves one of the two: a temporary file in the
//! same directory, fsync, rename over the file, fsync the directory. Every
//! file awscreds-rs writes goes through here.
//!
//! A process killed between the two steps leaves its temporary file
//! (`.NAME.awscreds-rs.PID.tmp`, which may hold a key); the next write of
//! NAME removes the ones older than `STALE`, which no live writer can own.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// A write takes milliseconds: a temporary file this old was left by a
/// process that died.
const STALE: std::time::Duration = std::time::Duration::from_secs(60);

/// Replaces `path` with `bytes`. The file keeps the mode and owner of
/// `like` (the file it replaces); without one it gets `new_mode`.
pub fn write(path: &Path, bytes: &[u8], like: Option<&fs::Metadata>, new_mode: u32) -> Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(path.file_name().unwrap_or_default());
    tmp_name.push(format!(".awscreds-rs.{}.tmp", std::process::id()));
    let tmp = dir.join(tmp_name);
    remove_stale(dir, path.file_name().unwrap_or_default());
    let fail = |e: std::io::Error| Error::io(format!("cannot write {}", path.display()), e);

    let result = (|| {
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&tmp)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::{MetadataExt, PermissionsExt};
            let mode = like.map_or(new_mode, |meta| meta.mode() & 0o7777);
            file.set_permissions(fs::Permissions::from_mode(mode))?;
            if let Some(meta) = like {
                // The owner is kept or nothing changes (awsfiles::check_editable
                // refuses that case up front); the group where we may.
                std::os::unix::fs::fchown(&file, Some(meta.uid()), None)?;
                let _ = std::os::unix::fs::fchown(&file, None, Some(meta.gid()));
            }
        }
        #[cfg(not(unix))]
        let _ = (like, new_mode);
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)?;
        #[cfg(unix)]
        fs::File::open(dir)?.sync_all()?;
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(fail)
}

/// Removes what earlier writes of `name` in `dir` left behind: its
/// temporary files older than `STALE`. Best effort: a write goes on
/// whatever this finds.
fn remove_stale(dir: &Path, name: &std::ffi::OsStr) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let prefix = format!(".{}.awscreds-rs.", name.to_string_lossy());
    for entry in entries.flatten() {
        let file = entry.file_name();
        let file = file.to_string_lossy();
        let Some(pid) = file
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(".tmp"))
        else {
            continue;
        };
        if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let old = entry
            .metadata()
            .ok()
            .filter(|meta| meta.is_file())
            .and_then(|meta| meta.modified().ok())
            .and_then(|at| at.elapsed().ok())
            .is_some_and(|age| age > STALE);
        if old {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Creates a directory and its parents, readable by this user only.
pub fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))
}
