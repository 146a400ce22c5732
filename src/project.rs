//! `.aws-profile`: finding the nearest one and reading it without ever
//! trusting it. Its content comes from a repository someone else wrote, so
//! only a valid profile name on its first line is ever used.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::one_line;
use crate::names::validate_profile_name;
use crate::trust::Trust;

pub const FILE_NAME: &str = ".aws-profile";

/// The most of a `.aws-profile` that is read; a larger file is refused.
const MAX_SIZE: u64 = 4096;

/// A `.aws-profile` as read: its profile and the bytes its trust is bound to.
#[derive(Debug)]
pub struct ProjectFile {
    /// The file's canonical path.
    pub path: PathBuf,
    pub profile: String,
    pub content: Vec<u8>,
}

/// The nearest `.aws-profile` from `start` up to `/`, of any file type
/// (a directory or FIFO of that name is found, then refused by [`read`]).
/// Directories that cannot be looked into are passed over.
pub fn find(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|candidate| std::fs::symlink_metadata(candidate).is_ok())
}

/// Reads and checks a `.aws-profile`; the error is a one-line reason.
pub fn read(path: &Path) -> Result<ProjectFile, String> {
    let path = path
        .canonicalize()
        .map_err(|e| format!("cannot resolve it ({})", e.kind()))?;
    let meta = std::fs::metadata(&path).map_err(|e| format!("cannot read it ({})", e.kind()))?;
    if !meta.is_file() {
        return Err("it is not a regular file".into());
    }
    if meta.len() > MAX_SIZE {
        return Err(format!("it is larger than {MAX_SIZE} bytes"));
    }
    let mut content = Vec::new();
    std::fs::File::open(&path)
        .and_then(|f| f.take(MAX_SIZE + 1).read_to_end(&mut content))
        .map_err(|e| format!("cannot read it ({})", e.kind()))?;
    if content.len() as u64 > MAX_SIZE {
        return Err(format!("it is larger than {MAX_SIZE} bytes"));
    }
    let first = content.split(|&b| b == b'\n').next().unwrap_or_default();
    let profile = std::str::from_utf8(first)
        .map(|s| s.trim_end_matches('\r').trim())
        .map_err(|_| "its first line is not text".to_string())?;
    if validate_profile_name(profile).is_err() {
        return Err(
            "its first line is not a profile name (letters, digits and -_.+=,@, at most 128)"
                .into(),
        );
    }
    Ok(ProjectFile {
        profile: profile.to_string(),
        path,
        content,
    })
}

/// The `.aws-profile` that governs the current directory, as judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    None,
    Allowed {
        path: String,
        profile: String,
    },
    Blocked {
        path: String,
        dir: String,
        profile: String,
        /// The user denied it as it is: the hook says nothing of it.
        denied: bool,
    },
    Refused {
        path: String,
        reason: String,
    },
}

/// Judges the `.aws-profile` nearest to `cwd`.
pub fn judge(cwd: &Path, trust: &Trust) -> Target {
    let Some(found) = find(cwd) else {
        return Target::None;
    };
    match read(&found) {
        Err(reason) => Target::Refused {
            path: one_line(found.display()),
            reason,
        },
        Ok(file) => {
            let path = one_line(file.path.display());
            if trust.is_allowed(&file.path, &file.content) {
                Target::Allowed {
                    path,
                    profile: file.profile,
                }
            } else {
                let dir = file
                    .path
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_default();
                Target::Blocked {
                    path,
                    dir: dir.display().to_string(),
                    profile: file.profile,
                    denied: trust.is_denied(&file.path, &file.content),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, content: &[u8]) -> PathBuf {
        let path = dir.join(FILE_NAME);
        std::fs::write(&path, content).unwrap();
        path
    }

    #[test]
    fn reads_the_first_line_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), b"  my-app \r\nsecond line\n");
        let file = read(&path).unwrap();
        assert_eq!(file.profile, "my-app");
        assert_eq!(file.content, b"  my-app \r\nsecond line\n");
    }

    #[test]
    fn hostile_content_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        for content in [
            &b"$(touch pwned)"[..],
            b"`id`",
            b"a;b",
            b"",
            b"\n",
            b"a b",
            b"\xff\xfe",
            b"\x00\x01",
            &[b'x'; 129][..],
            &[b'x'; 5000][..],
        ] {
            let path = write(dir.path(), content);
            assert!(read(&path).is_err(), "{content:?}");
        }
    }

    #[test]
    fn a_directory_is_found_but_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(FILE_NAME)).unwrap();
        let inner = dir.path().join("a/b");
        std::fs::create_dir_all(&inner).unwrap();
        let found = find(&inner).unwrap();
        assert_eq!(found, dir.path().join(FILE_NAME));
        assert_eq!(read(&found).unwrap_err(), "it is not a regular file");
    }
}
