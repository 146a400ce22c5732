//! The keychain: choosing a store and reading, writing and listing the one
//! entry per NAME that awscreds-rs keeps there.
//!
//! Every store keeps the entry under the service `awscreds-rs` and the
//! account NAME; the value is the versioned JSON document of
//! [`crate::credentials`]. Platform code stays behind `cfg` in the modules
//! below.

use std::cell::RefCell;

use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::context::Env;
use crate::credentials::Credentials;
use crate::error::{Error, Result};
pub use crate::store_kind::{StoreChoice, StoreKind};

pub mod file;
#[cfg(target_os = "linux")]
mod keyutils;
#[cfg(any(target_os = "macos", windows))]
mod native;
#[cfg(target_os = "linux")]
mod secret_service;

/// The service name every entry is filed under.
pub const SERVICE: &str = "awscreds-rs";

/// What else than a reboot loses a kernel keyring entry, as the end of a
/// sentence (see keyutils::expiry_note); empty where there is no keyutils.
pub fn keyutils_expiry_note() -> String {
    #[cfg(target_os = "linux")]
    return keyutils::expiry_note();
    #[cfg(not(target_os = "linux"))]
    String::new()
}

/// Another store of this platform that holds NAME, for messages that say
/// where a key went.
pub fn find_elsewhere(env: &Env, name: &str, except: StoreKind) -> Option<StoreKind> {
    StoreKind::on_this_platform()
        .iter()
        .copied()
        .filter(|&kind| kind != except)
        .find(|&kind| open_kind(env, kind).is_ok_and(|store| store.contains(name).unwrap_or(false)))
}

/// The other stores of this platform that hold NAMEs (cached sessions not
/// counted), with how many: for `list`, which shows one store. Only the
/// stores that open without starting anything are looked at: the kernel
/// keyring and a file store that exists (opening the Secret Service can
/// start a keyring daemon through D-Bus activation).
pub fn held_elsewhere(env: &Env, except: StoreKind) -> Vec<(StoreKind, usize)> {
    StoreKind::on_this_platform()
        .iter()
        .copied()
        .filter(|&kind| kind != except)
        .filter(|&kind| match kind {
            StoreKind::Keyutils => true,
            StoreKind::File => file::exists(env),
            _ => false,
        })
        .filter_map(|kind| {
            let names = open_kind(env, kind).and_then(|store| store.names()).ok()?;
            let count = names
                .iter()
                .filter(|name| crate::entry::is_key(name))
                .count();
            (count > 0).then_some((kind, count))
        })
        .collect()
}

/// The operations a platform store provides on raw values.
trait Backend {
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>>;
    /// Several entries at once, in the order asked.
    fn get_many(&self, names: &[&str]) -> Result<Vec<Option<Vec<u8>>>> {
        names.iter().map(|name| self.get(name)).collect()
    }
    /// Whether `get_many` costs about what one `get` does (one round trip
    /// to a daemon), so that reading an entry that may be needed pays.
    fn reads_together(&self) -> bool {
        false
    }
    fn set(&self, name: &str, value: &[u8]) -> Result<()>;
    /// Returns whether there was an entry to delete.
    fn delete(&self, name: &str) -> Result<bool>;
    fn names(&self) -> Result<Vec<String>>;
    /// Whether NAME has an entry, without reading (or decrypting) it.
    fn exists(&self, name: &str) -> Result<bool> {
        Ok(self.get(name)?.is_some())
    }
    /// Whether a read would be answered without asking the user anything
    /// (a locked file store asks for its passphrase).
    fn reads_without_asking(&self) -> bool {
        true
    }
    /// The folder of a store this process has just created, which the
    /// user should hear of (the file store's first `add`).
    fn created(&self) -> Option<std::path::PathBuf> {
        None
    }
    /// Whether a write would land somewhere lasting, checked as `set`
    /// checks it but writing nothing (doctor says what `add` would meet).
    fn check_writable(&self) -> Result<()> {
        Ok(())
    }
}

/// An entry's stored bytes, if it has one.
type Value = Option<Zeroizing<Vec<u8>>>;

/// An open store.
pub struct Store {
    kind: StoreKind,
    backend: Box<dyn Backend>,
    /// Which store `auto` picked and why, when it was not its first choice.
    auto: Option<String>,
    /// The entry read along with another ([`Store::load_current_along`]),
    /// used by the next load of it and then dropped.
    ahead: RefCell<Option<(String, Value)>>,
}

/// One row of [`Store::entries`].
pub struct Listed {
    pub name: String,
    /// The credentials, or why they could not be read.
    pub credentials: std::result::Result<Credentials, String>,
}

impl Store {
    fn new(kind: StoreKind, backend: Box<dyn Backend>) -> Store {
        Store {
            kind,
            backend,
            auto: None,
            ahead: RefCell::new(None),
        }
    }

    /// Opens the chosen store; `auto` picks the platform's default.
    pub fn open(choice: StoreChoice, env: &Env) -> Result<Store> {
        match choice.kind() {
            None => open_auto(env),
            Some(kind) => open_kind(env, kind),
        }
    }

    pub fn kind(&self) -> StoreKind {
        self.kind
    }

    pub fn label(&self) -> &'static str {
        self.kind.label()
    }

    /// The credentials stored for NAME, refusing expired ones.
    pub fn load_current(&self, name: &str, now: OffsetDateTime) -> Result<Credentials> {
        self.current(name, self.load(name)?, now)
    }

    /// [`Store::load_current`], reading ALSO in the same round trip where
    /// the store can (the Secret Service): the next load of ALSO uses it.
    pub fn load_current_along(
        &self,
        name: &str,
        also: &str,
        now: OffsetDateTime,
    ) -> Result<Credentials> {
        if !self.backend.reads_together() {
            return self.load_current(name, now);
        }
        let mut values = self.backend.get_many(&[name, also])?.into_iter();
        let value = values.next().flatten().map(Zeroizing::new);
        let along = values.next().flatten().map(Zeroizing::new);
        *self.ahead.borrow_mut() = Some((also.to_string(), along));
        self.current(name, self.parse(name, value)?, now)
    }

    fn current(
        &self,
        name: &str,
        creds: Option<Credentials>,
        now: OffsetDateTime,
    ) -> Result<Credentials> {
        let creds = creds.ok_or_else(|| Error::NotFound {
            name: name.to_string(),
            store: self.kind,
            auto: self.auto.clone(),
        })?;
        if creds.is_expired(now) {
            return Err(Error::Expired {
                name: name.to_string(),
                store: self.kind,
                expiration: creds
                    .expiration
                    .map(crate::credentials::format_expiration)
                    .unwrap_or_default(),
            });
        }
        Ok(creds)
    }

    /// The credentials stored for NAME, if any.
    pub fn load(&self, name: &str) -> Result<Option<Credentials>> {
        let ahead = self.ahead.borrow_mut().take_if(|(entry, _)| entry == name);
        let value = match ahead {
            Some((_, value)) => value,
            None => self.backend.get(name)?.map(Zeroizing::new),
        };
        self.parse(name, value)
    }

    fn parse(&self, name: &str, value: Value) -> Result<Option<Credentials>> {
        let Some(bytes) = value else {
            return Ok(None);
        };
        Credentials::from_stored(&bytes)
            .map(Some)
            .map_err(|detail| Error::Corrupt {
                name: name.to_string(),
                store: self.kind,
                cause: detail.into(),
            })
    }

    /// Whether NAME has an entry, readable or not; asks the user nothing.
    pub fn contains(&self, name: &str) -> Result<bool> {
        self.backend.exists(name)
    }

    /// Whether reading an entry would ask the user for nothing (a locked
    /// file store asks for its passphrase).
    pub fn reads_without_asking(&self) -> bool {
        self.backend.reads_without_asking()
    }

    /// What `add` would meet, without writing: an error where a write
    /// would be refused or lost (the Secret Service's in-memory session
    /// collection, a default collection that is not there).
    pub fn check_writable(&self) -> Result<()> {
        self.backend.check_writable()
    }

    /// The folder of a store this process has just created by writing to
    /// it (the file store's first entry), for the command to tell.
    pub fn created(&self) -> Option<std::path::PathBuf> {
        self.backend.created()
    }

    /// Writes NAME's entry (replacing any), then reads it back to make sure
    /// the store holds exactly what was meant. A locked file store checks
    /// the bytes it wrote instead: `add` works without its passphrase.
    pub fn save(&self, name: &str, creds: &Credentials) -> Result<()> {
        self.backend.set(name, &creds.to_stored())?;
        if !self.backend.reads_without_asking() {
            return Ok(());
        }
        match self.load(name)? {
            Some(stored) if &stored == creds => Ok(()),
            _ => Err(Error::Store {
                store: self.kind,
                action: "keep the entry",
                cause: format!("reading '{name}' back gave something else").into(),
            }),
        }
    }

    /// Stores a document of another kind under NAME (an Identity Center
    /// session's tokens), read back and compared where that asks nothing.
    pub fn save_document(&self, name: &str, bytes: &[u8]) -> Result<()> {
        self.backend.set(name, bytes)?;
        if !self.backend.reads_without_asking() {
            return Ok(());
        }
        match self.load_document(name)? {
            Some(stored) if stored.as_slice() == bytes => Ok(()),
            _ => Err(Error::Store {
                store: self.kind,
                action: "keep the entry",
                cause: format!("reading '{name}' back gave something else").into(),
            }),
        }
    }

    /// The document stored under NAME, as it was given to `save_document`.
    pub fn load_document(&self, name: &str) -> Result<Option<Zeroizing<Vec<u8>>>> {
        Ok(self.backend.get(name)?.map(Zeroizing::new))
    }

    /// Deletes NAME's entry; an error when there is none.
    pub fn remove(&self, name: &str) -> Result<()> {
        if self.backend.delete(name)? {
            Ok(())
        } else {
            Err(Error::NotFound {
                name: name.to_string(),
                store: self.kind,
                auto: self.auto.clone(),
            })
        }
    }

    /// Every entry's name, sorted, without reading any value.
    pub fn names(&self) -> Result<Vec<String>> {
        let mut names = self.backend.names()?;
        names.sort();
        names.dedup();
        Ok(names)
    }

    /// Every NAME in the store with its credentials, sorted by NAME.
    pub fn entries(&self) -> Result<Vec<Listed>> {
        let names = self.names()?;
        let mut rows = Vec::with_capacity(names.len());
        for name in names {
            let credentials = match self.load(&name) {
                Ok(Some(creds)) => Ok(creds),
                // Deleted between listing and reading.
                Ok(None) => continue,
                Err(Error::Corrupt { cause, .. }) => Err(cause.to_string()),
                Err(e) => return Err(e),
            };
            rows.push(Listed { name, credentials });
        }
        Ok(rows)
    }
}

fn open_kind(env: &Env, kind: StoreKind) -> Result<Store> {
    let backend: Box<dyn Backend> = match kind {
        #[cfg(target_os = "linux")]
        StoreKind::SecretService => Box::new(secret_service::SecretServiceBackend::connect(env)?),
        #[cfg(target_os = "linux")]
        StoreKind::Keyutils => Box::new(keyutils::KeyutilsBackend::open()?),
        #[cfg(target_os = "macos")]
        StoreKind::Keychain => Box::new(native::NativeBackend::open(kind)?),
        #[cfg(windows)]
        StoreKind::Windows => Box::new(native::NativeBackend::open(kind)?),
        StoreKind::File => Box::new(file::FileBackend::open(env)?),
        #[allow(unreachable_patterns)]
        _ => return Err(Error::StoreNotHere { store: kind }),
    };
    Ok(Store::new(kind, backend))
}

#[cfg(target_os = "linux")]
fn open_auto(env: &Env) -> Result<Store> {
    // The Secret Service when the session bus offers it, else the file
    // store once it has been created, else the kernel keyring.
    let why = match secret_service::SecretServiceBackend::connect_if_offered(env) {
        Ok(backend) => return Ok(Store::new(StoreKind::SecretService, Box::new(backend))),
        Err(why) => why,
    };
    let fallback = if file::exists(env) {
        StoreKind::File
    } else {
        StoreKind::Keyutils
    };
    let mut store = open_kind(env, fallback)?;
    store.auto = Some(format!("{} because {why}", fallback.id()));
    Ok(store)
}

#[cfg(target_os = "macos")]
fn open_auto(env: &Env) -> Result<Store> {
    open_kind(env, StoreKind::Keychain)
}

#[cfg(windows)]
fn open_auto(env: &Env) -> Result<Store> {
    open_kind(env, StoreKind::Windows)
}

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
fn open_auto(env: &Env) -> Result<Store> {
    open_kind(env, StoreKind::File)
}
