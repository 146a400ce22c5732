//! The encrypted file store (`--store file`), for machines without a
//! keychain: servers over SSH, WSL, containers, CI runners. It is built on
//! the age format, so that an entry can be read with the `age` tool and the
//! passphrase in an emergency.
//!
//! Under `$XDG_DATA_HOME/awscreds-rs/store/` (0700, files 0600):
//! - `identity.age`: an X25519 identity, encrypted with the passphrase;
//! - `recipient`: its public half, so that `add` writes while locked;
//! - `entries/NAME.age`: one entry each, encrypted to the recipient. The
//!   plaintext opens with a line naming NAME, so a file copied over
//!   another's is refused instead of served.
//!
//! Reading needs the identity: where `unlock` kept it (see [`unlocked`]),
//! else decrypted with the passphrase from `AWSCREDS_PASSPHRASE_COMMAND` or
//! the terminal (and then kept), else the store is locked and the read
//! fails at once.

use std::cell::OnceCell;
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use age::secrecy::{ExposeSecret, SecretString};
use age::x25519::{Identity, Recipient};
use zeroize::Zeroizing;

use super::{Backend, StoreKind};
use crate::context::Env;
use crate::error::{Error, Result};
use crate::regular_file::Unread;

pub mod unlocked;

/// The variable naming a command that prints the passphrase.
pub const PASSPHRASE_COMMAND: &str = "AWSCREDS_PASSPHRASE_COMMAND";
const IDENTITY_FILE: &str = "identity.age";
const RECIPIENT_FILE: &str = "recipient";
const ENTRIES: &str = "entries";
const SUFFIX: &str = ".age";
/// The first line of every entry's plaintext, before NAME.
const HEADER: &str = "awscreds-rs entry ";

/// What `unlock` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unlocked {
    /// The identity is kept now (the passphrase was asked, or a kept one
    /// got the time asked for).
    Kept,
    /// It was kept already, and stays as it was: nothing was asked.
    Already,
}

/// The store's folder.
pub fn dir(env: &Env) -> Result<PathBuf> {
    Ok(crate::paths::data_dir(env)?.join("store"))
}

/// Whether the file store has been created (its first `add`): Linux's
/// `auto` then prefers it to the kernel keyring.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub fn exists(env: &Env) -> bool {
    dir(env).is_ok_and(|dir| dir.join(IDENTITY_FILE).is_file())
}

pub struct FileBackend {
    dir: PathBuf,
    env: Env,
    /// Whether this process created the store (its first `add`).
    created: std::cell::Cell<bool>,
    /// The identity once it has been read, so that `list` asks once.
    identity: OnceCell<Identity>,
}

impl FileBackend {
    /// Refuses a store whose folders another user could change (see
    /// `check_private`) before anything is read or written.
    pub fn open(env: &Env) -> Result<Self> {
        let data = crate::paths::data_dir(env)?;
        let dir = dir(env)?;
        for folder in [&data, &dir, &dir.join(ENTRIES)] {
            check_private(folder)?;
        }
        Ok(FileBackend {
            dir,
            env: env.clone(),
            created: std::cell::Cell::new(false),
            identity: OnceCell::new(),
        })
    }

    fn entry_path(&self, name: &str) -> PathBuf {
        self.dir.join(ENTRIES).join(format!("{name}{SUFFIX}"))
    }

    fn recipient(&self) -> Result<String> {
        let path = self.dir.join(RECIPIENT_FILE);
        let text = fs::read_to_string(&path).map_err(|e| match e.kind() {
            ErrorKind::NotFound => missing_store(),
            _ => Error::io(format!("cannot read {}", path.display()), e),
        })?;
        let recipient = text.trim().to_string();
        Recipient::from_str(&recipient).map_err(|_| damaged(&path, "it holds no age recipient"))?;
        Ok(recipient)
    }

    /// The identity: already read, kept by `unlock`, or decrypted with the
    /// passphrase (and then kept). Locked when nobody can be asked.
    fn identity(&self) -> Result<&Identity> {
        if let Some(identity) = self.identity.get() {
            return Ok(identity);
        }
        let recipient = self.recipient()?;
        let identity = match self.kept(&recipient)? {
            Some(identity) => identity,
            None => {
                // One prompt at a time: the others wait here, then find
                // the identity kept by the one that asked.
                let _prompt = crate::paths::lock_passphrase_prompt(&self.env)?;
                match self.kept(&recipient)? {
                    Some(identity) => identity,
                    None => {
                        let identity = self.ask_and_open(&recipient, || Error::StoreLocked {
                            store: StoreKind::File,
                        })?;
                        // Kept as `unlock` keeps it; where it cannot be
                        // kept, every read asks again, which is all that
                        // is lost.
                        let _ = unlocked::keep(&self.kept_as(), &identity, None);
                        identity
                    }
                }
            }
        };
        Ok(self.identity.get_or_init(|| identity))
    }

    /// How the kernel keyring knows this store: its folder.
    fn kept_as(&self) -> String {
        fs::canonicalize(&self.dir)
            .unwrap_or_else(|_| self.dir.clone())
            .to_string_lossy()
            .into_owned()
    }

    /// The identity `unlock` kept, checked against `recipient`: one that
    /// does not match means `recipient` was replaced.
    fn kept(&self, recipient: &str) -> Result<Option<Identity>> {
        match unlocked::get(&self.kept_as()) {
            Some(identity) if unlocked::belongs(&identity, recipient) => Ok(Some(identity)),
            Some(_) => Err(damaged(
                &self.dir.join(RECIPIENT_FILE),
                "it does not match identity.age",
            )),
            None => Ok(None),
        }
    }

    /// The passphrase (the command's, or asked on the terminal) and the
    /// identity it opens. Deriving the key takes seconds: a terminal is
    /// told so. A wrong passphrase typed at the terminal gets one more try;
    /// one from the command does not (it would print the same again).
    /// `nobody` is the error when there is no one to ask.
    fn ask_and_open(&self, recipient: &str, nobody: impl Fn() -> Error) -> Result<Identity> {
        let typed = self
            .env
            .var_os(PASSPHRASE_COMMAND)
            .is_none_or(|c| c.is_empty());
        let tries = if typed { 2 } else { 1 };
        for attempt in 1..=tries {
            let passphrase = passphrase(&self.env)?.ok_or_else(&nobody)?;
            if typed {
                crate::ask::tell("Unlocking the encrypted file store…");
            }
            match self.decrypt_identity(&passphrase, recipient) {
                Err(Error::WrongPassphrase { .. }) if attempt < tries => {
                    crate::ask::tell("Wrong passphrase; try again.");
                }
                result => return result,
            }
        }
        unreachable!("the last try returns")
    }

    /// Decrypts `identity.age`; a wrong passphrase changes nothing.
    fn decrypt_identity(&self, passphrase: &SecretString, recipient: &str) -> Result<Identity> {
        let path = self.dir.join(IDENTITY_FILE);
        let sealed = fs::read(&path).map_err(|e| match e.kind() {
            ErrorKind::NotFound => missing_store(),
            _ => Error::io(format!("cannot read {}", path.display()), e),
        })?;
        let key = age::scrypt::Identity::new(passphrase.clone());
        let plain = Zeroizing::new(age::decrypt(&key, &sealed).map_err(|e| match e {
            age::DecryptError::DecryptionFailed | age::DecryptError::KeyDecryptionFailed => {
                Error::WrongPassphrase {
                    dir: self.dir.clone(),
                    // `passphrase` takes the command's whenever one is set.
                    from_command: self
                        .env
                        .var_os(PASSPHRASE_COMMAND)
                        .is_some_and(|c| !c.is_empty())
                        .then_some(PASSPHRASE_COMMAND),
                }
            }
            _ => damaged(&path, "it is not a passphrase-encrypted age file"),
        })?);
        let identity = std::str::from_utf8(&plain)
            .ok()
            .and_then(|text| text.lines().find(|l| l.starts_with("AGE-SECRET-KEY-1")))
            .and_then(|line| Identity::from_str(line.trim()).ok())
            .ok_or_else(|| damaged(&path, "it holds no age identity"))?;
        if !unlocked::belongs(&identity, recipient) {
            return Err(damaged(
                &self.dir.join(RECIPIENT_FILE),
                "it does not match identity.age",
            ));
        }
        Ok(identity)
    }

    /// Creates the store: a new identity under a new passphrase, asked
    /// twice. Another process creating it at the same moment wins cleanly:
    /// the lock makes the second one find the store made.
    fn create(&self) -> Result<()> {
        let (lock, lock_path) = crate::paths::lock_file(&self.env, Path::new("store.lock"))?;
        lock.lock()
            .map_err(|e| Error::io(format!("cannot lock {}", lock_path.display()), e))?;
        if self.dir.join(IDENTITY_FILE).is_file() {
            return Ok(());
        }
        let passphrase = new_passphrase(
            &self.env,
            "The encrypted file store does not exist yet",
            true,
        )?;
        // Sealing the identity derives a key from the passphrase: seconds,
        // which a user who typed it is told.
        if self
            .env
            .var_os(PASSPHRASE_COMMAND)
            .is_none_or(|c| c.is_empty())
        {
            crate::ask::tell("Creating the encrypted file store…");
        }
        crate::atomic::create_private_dir(&self.dir.join(ENTRIES))?;
        let identity = Identity::generate();
        let recipient = identity.to_public().to_string();
        crate::atomic::write(
            &self.dir.join(RECIPIENT_FILE),
            format!("{recipient}\n").as_bytes(),
            None,
            0o600,
        )?;
        // The store exists once identity.age does: written last.
        self.seal_identity(&identity, &recipient, passphrase)?;
        let _ = unlocked::keep(&self.kept_as(), &identity, None);
        let _ = self.identity.set(identity);
        self.created.set(true);
        Ok(())
    }

    fn seal_identity(
        &self,
        identity: &Identity,
        recipient: &str,
        passphrase: SecretString,
    ) -> Result<()> {
        let secret = identity.to_string();
        // The layout of age-keygen's files, so that `age -d -i` reads it.
        let plain = Zeroizing::new(format!(
            "# awscreds-rs file store\n# public key: {recipient}\n{}\n",
            secret.expose_secret()
        ));
        let sealed = age::encrypt(&age::scrypt::Recipient::new(passphrase), plain.as_bytes())
            .map_err(|e| Error::Store {
                store: StoreKind::File,
                action: "encrypt its identity",
                cause: Box::new(e),
            })?;
        crate::atomic::write(&self.dir.join(IDENTITY_FILE), &sealed, None, 0o600)
    }

    /// Decrypts the identity with the passphrase and keeps it, for `seconds`
    /// or until reboot. Fails when it cannot be kept: `unlock` would
    /// otherwise promise what the next read does not keep. A store that is
    /// unlocked already asks nothing: with `seconds` it is kept for that
    /// long from now, without them it stays as it is.
    pub fn unlock(&self, seconds: Option<u64>) -> Result<Unlocked> {
        let recipient = self.recipient()?;
        if let Some(identity) = self.kept(&recipient)? {
            if seconds.is_none() {
                return Ok(Unlocked::Already);
            }
            self.keep(&identity, seconds)?;
            return Ok(Unlocked::Kept);
        }
        let identity = self.ask_and_open(&recipient, || Error::NoTerminal {
            to: "ask the passphrase of the encrypted file store".into(),
            fix: format!(
                "run {} on a terminal, or set {PASSPHRASE_COMMAND}",
                crate::fix::unlock()
            ),
        })?;
        self.keep(&identity, seconds)?;
        Ok(Unlocked::Kept)
    }

    fn keep(&self, identity: &Identity, seconds: Option<u64>) -> Result<()> {
        unlocked::keep(&self.kept_as(), identity, seconds).map_err(|detail| Error::invalid(
            format!("cannot keep the encrypted file store unlocked: {detail}"),
            format!("here every read asks the passphrase, on the terminal or from {PASSPHRASE_COMMAND}"),
        ))
    }

    /// Forgets the kept identity; whether it was kept.
    pub fn lock(&self) -> Result<bool> {
        unlocked::forget(&self.kept_as()).map_err(|detail| Error::Store {
            store: StoreKind::File,
            action: "lock",
            cause: detail.into(),
        })
    }

    /// Re-encrypts the identity under a new passphrase; the entries stay
    /// as they are.
    pub fn passwd(&self) -> Result<()> {
        let recipient = self.recipient()?;
        let (lock, lock_path) = crate::paths::lock_file(&self.env, Path::new("store.lock"))?;
        lock.lock()
            .map_err(|e| Error::io(format!("cannot lock {}", lock_path.display()), e))?;
        let no_terminal = || Error::NoTerminal {
            to: "ask the passphrases of the encrypted file store".into(),
            fix: format!("run {} on a terminal", crate::fix::passwd()),
        };
        if !crate::ask::has_terminal() {
            return Err(no_terminal());
        }
        let old = passphrase(&self.env)?.ok_or_else(no_terminal)?;
        let identity = self.decrypt_identity(&old, &recipient)?;
        let new = new_passphrase(
            &self.env,
            "Changing the passphrase of the encrypted file store",
            false,
        )?;
        self.seal_identity(&identity, &recipient, new)
    }
}

impl Backend for FileBackend {
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>> {
        let path = self.entry_path(name);
        let corrupt = |detail: &str| Error::Corrupt {
            name: name.to_string(),
            store: StoreKind::File,
            cause: format!("{}: {detail}", path.display()).into(),
        };
        // An entry file is a regular file of at most MAX_ENTRY bytes: a
        // FIFO would hang the read, and a link to /dev/zero never end it.
        let sealed = match crate::regular_file::read(&path, MAX_ENTRY) {
            Ok(bytes) => bytes,
            Err(Unread::Missing) => return Ok(None),
            Err(Unread::Link) => return Err(corrupt("it is a symbolic link, not an entry")),
            Err(Unread::NotRegular) => {
                return Err(corrupt("it is not a regular file (a FIFO or a device?)"))
            }
            Err(Unread::TooLarge) => return Err(corrupt("it is far larger than an entry")),
            Err(Unread::Io(e)) => {
                return Err(Error::io(format!("cannot read {}", path.display()), e))
            }
        };
        let identity = self.identity()?;
        let plain = Zeroizing::new(age::decrypt(identity, &sealed).map_err(|_| {
            corrupt("it cannot be decrypted: damaged, cut short, or not written by this store")
        })?);
        let newline = plain
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(|| corrupt("it has no header"))?;
        let header = &plain[..newline];
        if header != format!("{HEADER}{name}").as_bytes() {
            let holds =
                String::from_utf8_lossy(header.strip_prefix(HEADER.as_bytes()).unwrap_or(b"?"));
            return Err(corrupt(&format!(
                "it holds the entry of '{}', copied over this one",
                crate::error::one_line(&holds)
            )));
        }
        Ok(Some(plain[newline + 1..].to_vec()))
    }

    fn set(&self, name: &str, value: &[u8]) -> Result<()> {
        if !self.dir.join(IDENTITY_FILE).is_file() {
            self.create()?;
        }
        // `add` works while the store is locked (it needs the recipient
        // only); unlocked, the kept identity first shows that `recipient`
        // is its own, so that a replaced one takes no key.
        let recipient = self.recipient()?;
        self.kept(&recipient)?;
        let recipient = Recipient::from_str(&recipient)
            .map_err(|_| damaged(&self.dir.join(RECIPIENT_FILE), "it holds no age recipient"))?;
        let mut plain = Zeroizing::new(format!("{HEADER}{name}\n").into_bytes());
        plain.extend_from_slice(value);
        let sealed = age::encrypt(&recipient, &plain).map_err(|e| Error::Store {
            store: StoreKind::File,
            action: "encrypt the entry",
            cause: Box::new(e),
        })?;
        let path = self.entry_path(name);
        crate::atomic::create_private_dir(&self.dir.join(ENTRIES))?;
        crate::atomic::write(&path, &sealed, None, 0o600)?;
        // Read back what can be read without the passphrase: the bytes.
        match fs::read(&path) {
            Ok(back) if back == sealed => Ok(()),
            _ => Err(Error::Store {
                store: StoreKind::File,
                action: "keep the entry",
                cause: format!("reading {} back gave something else", path.display()).into(),
            }),
        }
    }

    fn delete(&self, name: &str) -> Result<bool> {
        let path = self.entry_path(name);
        match fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
            Err(e) => Err(Error::io(format!("cannot delete {}", path.display()), e)),
        }
    }

    fn exists(&self, name: &str) -> Result<bool> {
        Ok(self.entry_path(name).is_file())
    }

    fn names(&self) -> Result<Vec<String>> {
        let dir = self.dir.join(ENTRIES);
        let listing = match fs::read_dir(&dir) {
            Ok(listing) => listing,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io(format!("cannot list {}", dir.display()), e)),
        };
        let mut names = Vec::new();
        for entry in listing {
            let entry =
                entry.map_err(|e| Error::io(format!("cannot list {}", dir.display()), e))?;
            let file = entry.file_name();
            // A NAME may start with a dot (`.ci`), and so may the entries
            // of its sessions; the temporary file of a write in progress
            // ends in `.tmp`, not SUFFIX.
            if let Some(name) = file
                .to_str()
                .and_then(|f| f.strip_suffix(SUFFIX))
                .filter(|name| !name.is_empty())
            {
                names.push(name.to_string());
            }
        }
        Ok(names)
    }

    fn created(&self) -> Option<PathBuf> {
        self.created.get().then(|| self.dir.clone())
    }

    fn reads_without_asking(&self) -> bool {
        !self.dir.join(IDENTITY_FILE).is_file()
            || self.identity.get().is_some()
            || self
                .recipient()
                .is_ok_and(|recipient| self.kept(&recipient).is_ok_and(|k| k.is_some()))
    }
}

/// The most an entry file may hold: an entry is a few hundred bytes.
const MAX_ENTRY: u64 = 1 << 20;

/// The passphrase of an existing store: from the command, else the
/// terminal; `None` when there is neither.
fn passphrase(env: &Env) -> Result<Option<SecretString>> {
    if let Some(command) = env.var_os(PASSPHRASE_COMMAND).filter(|c| !c.is_empty()) {
        let line = crate::ask::command_line(&command.to_string_lossy(), PASSPHRASE_COMMAND, &[])?;
        return Ok(Some(SecretString::from(line.to_string())));
    }
    Ok(
        crate::ask::terminal("Passphrase of the awscreds-rs file store: ", true)?
            .map(|line| SecretString::from(line.to_string())),
    )
}

/// A new passphrase: the command's (when `from_command`), or typed twice
/// on the terminal.
fn new_passphrase(env: &Env, why: &str, from_command: bool) -> Result<SecretString> {
    let command = env
        .var_os(PASSPHRASE_COMMAND)
        .filter(|c| from_command && !c.is_empty());
    let passphrase = if let Some(command) = command {
        crate::ask::command_line(&command.to_string_lossy(), PASSPHRASE_COMMAND, &[])?
    } else {
        let no_terminal = || {
            Error::invalid(
            format!("{why}, and there is no terminal to ask its new passphrase"),
            format!("run the command on a terminal, or set {PASSPHRASE_COMMAND} to a command that prints it"),
        )
        };
        let first = crate::ask::terminal("New passphrase for the awscreds-rs file store: ", true)?
            .ok_or_else(no_terminal)?;
        // Refused at once: typing nothing twice would only be refused after.
        if first.is_empty() {
            return Err(empty_passphrase());
        }
        let again =
            crate::ask::terminal("The same passphrase again: ", true)?.ok_or_else(no_terminal)?;
        if first != again {
            return Err(Error::invalid(
                "the two passphrases differ (nothing was changed)",
                "run the command again and type the same passphrase twice",
            ));
        }
        first
    };
    if passphrase.is_empty() {
        return Err(empty_passphrase());
    }
    Ok(SecretString::from(passphrase.to_string()))
}

fn empty_passphrase() -> Error {
    Error::invalid(
        "the passphrase is empty (nothing was changed)",
        "choose a passphrase: it is all that protects the keys in the file store",
    )
}

/// A folder of the store that exists must be a real folder (not a
/// symbolic link), this user's, and closed to others: one that another
/// user can write lets them swap `recipient` for theirs, so that every
/// key added after is theirs to read. A folder not made yet is fine: it
/// is made 0700.
fn check_private(folder: &Path) -> Result<()> {
    let meta = match fs::symlink_metadata(folder) {
        Ok(meta) => meta,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(format!("cannot read {}", folder.display()), e)),
    };
    let refuse = |what: String, fix: String| {
        Err(Error::invalid(
            format!(
                "the encrypted file store will not use {}: it is {what}",
                folder.display()
            ),
            fix,
        ))
    };
    if meta.file_type().is_symlink() || !meta.is_dir() {
        return refuse(
            "not a folder of its own (a symbolic link or a file)".into(),
            format!(
                "move it away and let awscreds-rs make the folder: mv {0} {0}.moved",
                folder.display()
            ),
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        if meta.uid() != me {
            return refuse(
                format!("owned by uid {}, not by you (uid {me})", meta.uid()),
                format!(
                    "move it away and let awscreds-rs make the folder: mv {0} {0}.moved",
                    folder.display()
                ),
            );
        }
        let mode = meta.mode() & 0o777;
        if mode & 0o077 != 0 {
            return refuse(
                format!("open to other users (mode {mode:o})"),
                format!("chmod 700 {}", folder.display()),
            );
        }
    }
    Ok(())
}

fn missing_store() -> Error {
    Error::invalid(
        "the encrypted file store has not been created",
        format!(
            "create it by adding a key: {}",
            crate::fix::add("NAME", StoreKind::File)
        ),
    )
}

fn damaged(path: &Path, detail: &str) -> Error {
    Error::invalid(
        format!("{} is damaged: {detail}", path.display()),
        "restore it from a backup; without it the file store cannot be read",
    )
}
