//! Locating, reading and safely rewriting `~/.aws/config` and
//! `~/.aws/credentials`: check first, keep a backup, write a temporary file
//! in the same directory, fsync, rename; follow a symlinked file and write
//! its target; keep its mode and owner; one edit at a time.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use crate::atomic;
use crate::context::Env;
use crate::error::{Error, Result};
use crate::ini::Ini;
use crate::paths::home_dir;

/// The settings of the AWS files that awscreds-rs reads or writes, named
/// once (botocore's spelling; keys are matched lower-cased).
pub mod key {
    pub const ACCESS_KEY_ID: &str = "aws_access_key_id";
    pub const SECRET_ACCESS_KEY: &str = "aws_secret_access_key";
    pub const SESSION_TOKEN: &str = "aws_session_token";
    pub const CREDENTIAL_PROCESS: &str = "credential_process";
    pub const REGION: &str = "region";
    pub const ROLE_ARN: &str = "role_arn";
    pub const SOURCE_PROFILE: &str = "source_profile";
    pub const CREDENTIAL_SOURCE: &str = "credential_source";
    pub const SSO_SESSION: &str = "sso_session";
    pub const SSO_START_URL: &str = "sso_start_url";
    pub const SSO_REGION: &str = "sso_region";
    pub const SSO_REGISTRATION_SCOPES: &str = "sso_registration_scopes";
    pub const SSO_ACCOUNT_ID: &str = "sso_account_id";
    pub const SSO_ROLE_NAME: &str = "sso_role_name";
    pub const WEB_IDENTITY_TOKEN_FILE: &str = "web_identity_token_file";
    /// An AWS sign-in's session (`aws login`), cached in plaintext.
    pub const LOGIN_SESSION: &str = "login_session";
    /// The section header word of a shared Identity Center session.
    pub const SSO_SESSION_SECTION: &str = "sso-session";
}

/// The two shared files, as the SDKs find them.
pub struct AwsFiles {
    pub config: PathBuf,
    pub credentials: PathBuf,
}

fn expand(value: &str, home: &Path) -> PathBuf {
    match value.strip_prefix("~/") {
        Some(rest) => home.join(rest),
        None if value == "~" => home.to_path_buf(),
        None => PathBuf::from(value),
    }
}

impl AwsFiles {
    /// `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/…`.
    pub fn locate(env: &Env) -> Result<AwsFiles> {
        let home = home_dir(env)?;
        let pick = |var: &str, default: &str| match env.var(var) {
            Some(v) => expand(&v, &home),
            None => home.join(".aws").join(default),
        };
        Ok(AwsFiles {
            config: pick("AWS_CONFIG_FILE", "config"),
            credentials: pick("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
        })
    }
}

/// The file's text, `None` when it does not exist. A directory, a FIFO or
/// device (which would block or never end), an unreadable file or one that
/// is not UTF-8 is an error that names it; anything but a regular file is
/// refused before it is opened.
pub fn read_text(path: &Path) -> Result<Option<String>> {
    match fs::metadata(path) {
        Ok(meta) if !meta.is_file() && !meta.is_dir() => {
            return Err(Error::invalid(
                format!(
                    "{} is not a regular file (a FIFO, socket or device)",
                    path.display()
                ),
                "put a plain file there; nothing was read or changed",
            ))
        }
        _ => {}
    }
    match fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).map(Some).map_err(|_| {
            Error::invalid(
                format!("{} is not UTF-8 text", path.display()),
                "fix or re-encode the file first; nothing was changed",
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) if path.is_dir() => Err(Error::io(
            format!("{} is a directory, not a file", path.display()),
            e,
        )),
        Err(e) => Err(Error::io(format!("cannot read {}", path.display()), e)),
    }
}

/// The largest cache file read (the AWS CLI's token caches are under 4 KiB).
pub const MAX_CACHE_FILE: u64 = 64 * 1024;

/// Reads a file of an AWS tool's cache (`~/.aws/sso/cache/*.json`), which
/// anything running as the user could have put there, through
/// `regular_file`: only a regular file of at most [`MAX_CACHE_FILE`]
/// bytes of UTF-8. `Err` says in a few words why the file was passed over.
pub fn read_cache_file(path: &Path) -> std::result::Result<String, &'static str> {
    use crate::regular_file::Unread;
    let bytes = crate::regular_file::read(path, MAX_CACHE_FILE).map_err(|why| match why {
        Unread::Link => "it is a symbolic link, not a file of the cache's own",
        Unread::NotRegular => "it is not a regular file",
        Unread::TooLarge => "it is larger than 64 KiB, which no token cache is",
        Unread::Missing | Unread::Io(_) => "it cannot be read",
    })?;
    String::from_utf8(bytes).map_err(|_| "it is not UTF-8 text")
}

/// The file to write: a symlink's target (dotfile managers link these
/// files), or the path itself.
fn write_target(path: &Path) -> Result<PathBuf> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => fs::canonicalize(path)
            .map_err(|e| Error::io(format!("cannot follow the link {}", path.display()), e)),
        _ => Ok(path.to_path_buf()),
    }
}

/// The folder a file is replaced in: its parent, `.` for a bare name.
fn folder_of(target: &Path) -> &Path {
    target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Refuses, before anything changes, a file that awscreds-rs must not
/// replace: a read-only one (its owner said so), and on Unix one that
/// belongs to another user when this process cannot give the new file
/// that owner (it is not root): replacing it would make it ours. A missing
/// file is fine.
pub fn check_editable(path: &Path) -> Result<()> {
    let target = write_target(path)?;
    let Ok(meta) = fs::metadata(&target) else {
        return Ok(());
    };
    let shown = target.display();
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        if meta.permissions().mode() & 0o200 == 0 {
            return Err(Error::invalid(
                format!("{shown} is read-only"),
                format!("if awscreds-rs may edit it: chmod u+w {shown}; nothing was changed"),
            ));
        }
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        if me != 0 && meta.uid() != me {
            return Err(Error::invalid(
                format!(
                    "{shown} belongs to user id {}, not to you (user id {me}); \
                     replacing it would make it yours",
                    meta.uid()
                ),
                format!(
                    "edit it as its owner, or take it over first: \
                     sudo chown {me} {shown}; nothing was changed"
                ),
            ));
        }
    }
    #[cfg(not(unix))]
    if meta.permissions().readonly() {
        return Err(Error::invalid(
            format!("{shown} is read-only"),
            format!("if awscreds-rs may edit it: attrib -r \"{shown}\"; nothing was changed"),
        ));
    }
    Ok(())
}

/// Refuses a file that botocore (the AWS CLI, boto3) cannot read at all:
/// a line it cannot parse, a section or a key defined twice. Listing or
/// editing such a file would describe profiles that no AWS tool sees.
/// `ini` is `text` parsed.
pub fn check_readable(path: &Path, text: &str, ini: &Ini) -> Result<()> {
    let mut problems = crate::ini::syntax_problems(text);
    problems.extend(
        ini.doubled()
            .into_iter()
            .map(|what| format!("{what} is defined more than once")),
    );
    if problems.is_empty() {
        return Ok(());
    }
    let more = match problems.len() {
        n if n > 3 => format!(" (and {} more)", n - 3),
        _ => String::new(),
    };
    problems.truncate(3);
    Err(Error::invalid(
        format!(
            "the AWS CLI and boto3 cannot read {}: {}{more}",
            path.display(),
            problems.join("; ")
        ),
        format!(
            "fix those lines first ({} lists every problem); nothing was changed",
            crate::fix::doctor()
        ),
    ))
}

/// Holds the lock that keeps two awscreds-rs edits from interleaving.
pub struct EditLock {
    _files: Vec<File>,
}

/// Takes the edit lock for the files in `paths`, waiting for another
/// awscreds-rs that holds it: ours under the data directory, and on Unix
/// the folder each file is replaced in, so that two awscreds-rs with
/// different data directories (another `HOME` or `XDG_DATA_HOME`) still
/// edit one file in turn. A folder's lock survives the rename that
/// replaces the file, and leaves nothing behind in `~/.aws`.
pub fn lock(env: &Env, paths: &[&Path]) -> Result<EditLock> {
    let (file, path) = crate::paths::lock_file(env, Path::new("edit.lock"))?;
    file.lock()
        .map_err(|e| Error::io(format!("cannot lock {}", path.display()), e))?;
    #[allow(unused_mut)]
    let mut files = vec![file];
    #[cfg(unix)]
    {
        // One order for every process, so that no two wait on each other.
        let mut dirs = Vec::new();
        for path in paths {
            let target = write_target(path)?;
            let dir = folder_of(&target).to_path_buf();
            // A folder that does not exist yet has no file to lose.
            if dir.is_dir() {
                dirs.push(dir);
            }
        }
        dirs.sort();
        dirs.dedup();
        for dir in dirs {
            let locked = File::open(&dir).and_then(|f| f.lock().map(|()| f));
            files.push(locked.map_err(|e| Error::io(format!("cannot lock {}", dir.display()), e))?);
        }
    }
    #[cfg(not(unix))]
    let _ = paths;
    Ok(EditLock { _files: files })
}

/// Replaces the file's content with `new`, keeping the `old` content (what
/// the caller read under the lock) in `<file>.bak`. Returns the backup's
/// path, or `None` for a file that did not exist. Writes nothing when the
/// content is unchanged.
pub fn replace(
    path: &Path,
    old: Option<&str>,
    new: &str,
    _lock: &EditLock,
) -> Result<Option<PathBuf>> {
    if old == Some(new) {
        return Ok(None);
    }
    check_editable(path)?;
    let target = write_target(path)?;
    let dir = folder_of(&target);
    if !dir.exists() {
        atomic::create_private_dir(dir)?;
    }
    let existing = fs::metadata(&target).ok();
    let backup = match old {
        Some(old) => {
            let mut name = target.file_name().unwrap_or_default().to_os_string();
            name.push(".bak");
            let backup = target.with_file_name(name);
            // A backup of the credentials file holds plaintext keys:
            // readable by this user only, whatever the file's own mode.
            atomic::write(&backup, old.as_bytes(), None, 0o600)?;
            Some(backup)
        }
        None => None,
    };
    atomic::write(&target, new.as_bytes(), existing.as_ref(), 0o600)?;
    Ok(backup)
}

/// One AWS file in an [`Edit`]: what it held when the edit began (`None`:
/// no such file) and its parsed text, which the edit changes.
pub struct Opened {
    pub path: PathBuf,
    pub old: Option<String>,
    pub ini: Ini,
}

impl Opened {
    /// Whether the file holds no line that botocore cannot read
    /// ([`check_readable`]).
    pub fn check_readable(&self) -> Result<()> {
        check_readable(&self.path, self.old.as_deref().unwrap_or(""), &self.ini)
    }

    /// How many sections the file has for `profile` (the config file's
    /// `[profile P]` or `[default]`).
    pub fn sections_of(&self, profile: &str) -> usize {
        self.ini
            .count(&|h: &str| crate::ini::is_config_header(h, profile))
    }

    /// Whether the edit has changed the file so far (a missing file is
    /// changed once it has something to hold).
    pub fn changed(&self) -> bool {
        self.old.as_deref().unwrap_or("") != self.ini.render()
    }
}

/// What writing a file of an [`Edit`] did.
pub struct Written {
    /// Where the old content went (`None`: there was no file, or nothing
    /// changed).
    pub backup: Option<PathBuf>,
    /// Whether the content changed (else nothing was written).
    pub changed: bool,
    /// Whether the file existed before.
    pub existed: bool,
}

/// One edit of the AWS files, the only way awscreds-rs changes them: under
/// the edit lock, each file read and parsed once, checked, changed in
/// memory, then written with a backup of what it held. Dropped before a
/// write, it changes nothing.
pub struct Edit {
    lock: EditLock,
    pub files: Vec<Opened>,
}

impl Edit {
    /// Takes the lock for `paths` and reads each of them; nothing is
    /// written yet. (Whether a file may be written is checked when it is,
    /// or up front with [`Edit::check_editable`].)
    pub fn begin(env: &Env, paths: &[&Path]) -> Result<Edit> {
        let lock = lock(env, paths)?;
        let mut files = Vec::new();
        for path in paths {
            let old = read_text(path)?;
            let ini = Ini::parse(old.as_deref().unwrap_or(""));
            files.push(Opened {
                path: path.to_path_buf(),
                old,
                ini,
            });
        }
        Ok(Edit { lock, files })
    }

    /// Refuses, before anything changes, a file that could not be written
    /// ([`check_editable`]).
    pub fn check_editable(&self) -> Result<()> {
        self.files.iter().try_for_each(|f| check_editable(&f.path))
    }

    /// The edit's one file (an edit of the config file alone).
    pub fn file(&mut self) -> &mut Opened {
        &mut self.files[0]
    }

    /// Writes file `index` now, backup first; nothing when it did not
    /// change. The lock stays held for the rest of the edit.
    pub fn write(&mut self, index: usize) -> Result<Written> {
        let file = &mut self.files[index];
        let new = file.ini.render();
        let changed = file.old.as_deref() != Some(new.as_str());
        let backup = replace(&file.path, file.old.as_deref(), &new, &self.lock)?;
        let existed = file.old.is_some();
        // What a later write of the same file would back up.
        file.old = Some(new);
        Ok(Written {
            backup,
            changed,
            existed,
        })
    }
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
/// Returns whether anything changed; a value with a line break is refused
/// (by [`Ini::set`]) before anything changes.
pub fn set_profile(
    ini: &mut Ini,
    profile: &str,
    command: &str,
    region: Option<&str>,
) -> Result<bool> {
    let matches = |header: &str| crate::ini::is_config_header(header, profile);
    let header = config_header(profile);
    let refused = |r: crate::ini::Refused| {
        Error::invalid(
            format!(
                "the {} for '{}' in profile '{}' holds a line break or another control character",
                r.what,
                r.key,
                profile.escape_default()
            ),
            "give the value on one line, without control characters; nothing was written",
        )
    };
    let mut changed = ini
        .set(&matches, &header, key::CREDENTIAL_PROCESS, command)
        .map_err(refused)?;
    if let Some(region) = region {
        changed |= ini
            .set(&matches, &header, key::REGION, region)
            .map_err(refused)?;
    }

    Ok(changed)
}
