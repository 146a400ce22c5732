//! The Secret Service (GNOME Keyring, KWallet, KeePassXC) over libdbus.
//!
//! Why a `plain` transfer session: opening an encrypted (DH) session costs a
//! Diffie-Hellman key exchange on every call, which tripled the time of one
//! credential_process lookup (2.8 ms plain against 9.1 ms with DH, measured
//! on the same daemon). The encryption only protects the secret on the
//! user's own session bus, and any process that can read that bus as this
//! user can just as well ask the Secret Service for the secret itself, so it
//! buys nothing against an attacker running as the user. aws-vault's keyring
//! makes the same choice. The README's security section says so too.
//!
//! libdbus is synchronous: no async runtime starts on this path. It is
//! built into the binary (the dbus crate's `vendored` feature) rather than
//! loaded from the system: the system's libdbus brings libsystemd, libgcrypt,
//! liblzma, libzstd, liblz4, libcap and libgpg-error, and loading those was
//! a third of every call's start-up.

mod reader;

use std::cell::OnceCell;
use std::collections::HashMap;

use dbus_secret_service::{EncryptionType, Error as SsError, Item, SecretService};

use super::{Backend, StoreKind, SERVICE};
use crate::context::Env;
use crate::error::{Error, Result};
use reader::{Found, Reader};

/// How long an unlock prompt of the desktop may wait for the user.
const PROMPT_SECONDS: u64 = 60;

/// The D-Bus error of a name nobody owns (no Secret Service running).
const SERVICE_UNKNOWN: &str = "org.freedesktop.DBus.Error.ServiceUnknown";

pub struct SecretServiceBackend {
    /// Reads, in few round trips (reader.rs).
    reader: Reader,
    /// The dbus-secret-service client, connected on first need: writes,
    /// deletes, listing, and unlocking a locked item. The credential_process
    /// path never opens it.
    client: OnceCell<SecretService>,
}

impl SecretServiceBackend {
    /// Connects, or says why the Secret Service is not available.
    pub fn connect(env: &Env) -> Result<Self> {
        Self::connect_if_offered(env).map_err(|detail| Error::StoreUnavailable {
            store: StoreKind::SecretService,
            detail,
        })
    }

    /// Connects when the session bus offers the Secret Service; otherwise a
    /// short reason, for `auto` to pass on.
    /// libdbus reads `DBUS_SESSION_BUS_ADDRESS` from the process itself;
    /// `env` is asked first so that a missing bus is said without trying.
    pub fn connect_if_offered(env: &Env) -> std::result::Result<Self, String> {
        if env.var_os("DBUS_SESSION_BUS_ADDRESS").is_none() && !runtime_bus_exists(env) {
            return Err("there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset)".into());
        }
        match Reader::open() {
            Ok(reader) => Ok(SecretServiceBackend {
                reader,
                client: OnceCell::new(),
            }),
            Err(reader::OpenError::Bus(e)) => Err(format!(
                "the session bus did not answer: {}",
                e.message().unwrap_or("no reason given")
            )),
            Err(reader::OpenError::Session(e)) if e.name() == Some(SERVICE_UNKNOWN) => {
                Err("no Secret Service answers on the session bus".into())
            }
            Err(reader::OpenError::Session(e)) => Err(format!(
                "the Secret Service did not open a session: {}",
                e.message().unwrap_or("no reason given")
            )),
        }
    }

    /// The full client, connected the first time it is needed.
    fn client(&self) -> Result<&SecretService> {
        if let Some(client) = self.client.get() {
            return Ok(client);
        }
        let client =
            SecretService::connect_with_max_prompt_timeout(EncryptionType::Plain, PROMPT_SECONDS)
                .map_err(|e| failure(e, "connect"))?;
        Ok(self.client.get_or_init(|| client))
    }

    fn find(&self, name: &str) -> Result<Vec<Item<'_>>> {
        let attributes = HashMap::from([("service", SERVICE), ("username", name)]);
        let found = self
            .client()?
            .search_items(attributes)
            .map_err(|e| failure(e, "search"))?;
        Ok(found.unlocked.into_iter().chain(found.locked).collect())
    }

    /// Reads NAME's locked item, which shows the desktop's unlock prompt.
    fn read_locked(&self, name: &str) -> Result<Option<Vec<u8>>> {
        let Some(item) = self.find(name)?.into_iter().next() else {
            return Ok(None);
        };
        item.ensure_unlocked().map_err(|e| failure(e, "unlock"))?;
        item.get_secret()
            .map(Some)
            .map_err(|e| failure(e, "read the entry"))
    }
}

impl Backend for SecretServiceBackend {
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>> {
        Ok(self.get_many(&[name])?.pop().flatten())
    }

    fn get_many(&self, names: &[&str]) -> Result<Vec<Option<Vec<u8>>>> {
        let found = self
            .reader
            .read(names)
            .map_err(|e| failure(SsError::Dbus(e), "read the entry"))?;
        // Only a locked item costs more calls (and the desktop's prompt).
        names
            .iter()
            .zip(found)
            .map(|(name, found)| match found {
                Found::Secret(value) => Ok(Some(value)),
                Found::Missing => Ok(None),
                Found::Locked => self.read_locked(name),
            })
            .collect()
    }

    fn reads_together(&self) -> bool {
        true
    }

    fn set(&self, name: &str, value: &[u8]) -> Result<()> {
        let client = self.client()?;
        let collection = client
            .get_default_collection()
            .or_else(|_| client.get_any_collection())
            .map_err(|e| failure(e, "open a collection"))?;
        // gnome-keyring without a login keyring offers only this one, kept
        // in memory: an entry there is gone when the daemon stops.
        if collection.path.ends_with("/collection/session") {
            return Err(Error::invalid(
                format!(
                    "the Secret Service has no keyring that lasts, only its in-memory \
                     session collection, which would forget '{name}' when it stops"
                ),
                "create a login keyring (gnome-keyring-daemon --unlock, see \"Without a \
                 desktop\" in the README), or use the encrypted file store: --store file; \
                 nothing was stored",
            ));
        }
        collection
            .ensure_unlocked()
            .map_err(|e| failure(e, "unlock"))?;
        let attributes = HashMap::from([("service", SERVICE), ("username", name)]);
        // `replace` swaps an existing item with the same attributes in one step.
        collection
            .create_item(
                &format!("AWS credentials for {name} (awscreds-rs)"),
                attributes,
                value,
                true,
                "text/plain",
            )
            .map_err(|e| failure(e, "store the entry"))?;
        Ok(())
    }

    fn delete(&self, name: &str) -> Result<bool> {
        let items = self.find(name)?;
        for item in &items {
            item.delete().map_err(|e| failure(e, "delete the entry"))?;
        }
        Ok(!items.is_empty())
    }

    fn names(&self) -> Result<Vec<String>> {
        let attributes = HashMap::from([("service", SERVICE)]);
        let found = self
            .client()?
            .search_items(attributes)
            .map_err(|e| failure(e, "search"))?;
        let mut names = Vec::new();
        for item in found.unlocked.iter().chain(&found.locked) {
            let attributes = item.get_attributes().map_err(|e| failure(e, "search"))?;
            if let Some(name) = attributes.get("username") {
                names.push(name.clone());
            }
        }
        Ok(names)
    }
}

fn runtime_bus_exists(env: &Env) -> bool {
    env.var_os("XDG_RUNTIME_DIR")
        .map(|dir| std::path::Path::new(&dir).join("bus").exists())
        .unwrap_or(false)
}

fn failure(e: SsError, action: &'static str) -> Error {
    let store = StoreKind::SecretService;
    match e {
        SsError::Locked | SsError::Prompt => Error::StoreLocked { store },
        SsError::Unavailable => Error::StoreUnavailable {
            store,
            detail: "it went away".into(),
        },
        SsError::Dbus(e) if e.name() == Some("org.freedesktop.Secret.Error.IsLocked") => {
            Error::StoreLocked { store }
        }
        other => Error::Store {
            store,
            action,
            detail: other.to_string(),
        },
    }
}
