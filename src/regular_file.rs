//! Reading a file that anything running as the user could have put in
//! its place: only a regular file, never followed through a symbolic link,
//! never waited on (a FIFO would hang the read), and never past a size
//! (a link to `/dev/zero` would never end it). The file store's entries
//! and the AWS tools' caches are read through here.

use std::fs;
use std::io::Read;
use std::path::Path;

/// Why a file was not read.
#[derive(Debug)]
pub enum Unread {
    /// There is no file there.
    Missing,
    /// A symbolic link: refused, its target neither read nor opened.
    Link,
    /// A FIFO, socket, device or directory: refused before it is read.
    NotRegular,
    /// Larger than the limit.
    TooLarge,
    /// The file could not be opened or read.
    Io(std::io::Error),
}

/// The bytes of the regular file at `path`, at most `limit` of them.
pub fn read(path: &Path, limit: u64) -> Result<Vec<u8>, Unread> {
    // Looked at first, so that no device is ever opened.
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => return Err(Unread::Link),
        Ok(meta) if !meta.is_file() => return Err(Unread::NotRegular),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Unread::Missing),
        Err(e) => return Err(Unread::Io(e)),
    }
    let mut options = fs::OpenOptions::new();
    options.read(true);
    // Nor after the look above: a link or a FIFO that took the file's
    // place meanwhile is refused by the open itself.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(
        &mut options,
        libc::O_NOFOLLOW | libc::O_NONBLOCK,
    );
    let file = match options.open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Unread::Missing),
        #[cfg(unix)]
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Err(Unread::Link),
        Err(e) => return Err(Unread::Io(e)),
    };
    let meta = file.metadata().map_err(Unread::Io)?;
    if !meta.is_file() {
        return Err(Unread::NotRegular);
    }
    if meta.len() > limit {
        return Err(Unread::TooLarge);
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(Unread::Io)?;
    // A file that grew while it was read.
    if bytes.len() as u64 > limit {
        return Err(Unread::TooLarge);
    }
    Ok(bytes)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn only_small_regular_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, "12345").unwrap();
        assert_eq!(read(&file, 5).unwrap(), b"12345");
        assert!(matches!(read(&file, 4), Err(Unread::TooLarge)));
        assert!(matches!(
            read(&dir.path().join("none"), 5),
            Err(Unread::Missing)
        ));
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert!(matches!(read(&link, 5), Err(Unread::Link)));
        let zero = dir.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        assert!(matches!(read(&zero, 5), Err(Unread::Link)));
        assert!(matches!(read(dir.path(), 5), Err(Unread::NotRegular)));
        assert!(matches!(
            read(Path::new("/dev/null"), 5),
            Err(Unread::NotRegular)
        ));
    }
}
