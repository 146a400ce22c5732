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

mod activation;
mod client;

use super::{Backend, StoreKind, SERVICE};
use crate::context::Env;
use crate::error::{Error, Result};
use client::{entry_attributes, Client, Failure, Found, OpenError};

/// The D-Bus error of a name nobody owns (no Secret Service running).
const SERVICE_UNKNOWN: &str = "org.freedesktop.DBus.Error.ServiceUnknown";

/// The D-Bus errors of a service or bus that went away during the call.
const GONE: [&str; 3] = [
    SERVICE_UNKNOWN,
    "org.freedesktop.DBus.Error.NoReply",
    "org.freedesktop.DBus.Error.Disconnected",
];

pub struct SecretServiceBackend {
    client: Client,
}

impl SecretServiceBackend {
    /// Connects, or says why the Secret Service is not available.
    pub fn connect(env: &Env) -> Result<Self> {
        Self::connect_if_offered(env).map_err(|detail| Error::StoreUnavailable {
            store: StoreKind::SecretService,
            cause: detail.into(),
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
        match Client::open(|| activation::start_quietly(env)) {
            Ok(client) => Ok(SecretServiceBackend { client }),
            Err(OpenError::Bus(e)) => Err(format!(
                "the session bus did not answer: {}",
                e.message().unwrap_or("no reason given")
            )),
            Err(OpenError::Session(e)) if e.name() == Some(SERVICE_UNKNOWN) => {
                Err("no Secret Service answers on the session bus".into())
            }
            Err(OpenError::Session(e)) => Err(format!(
                "the Secret Service did not open a session: {}",
                e.message().unwrap_or("no reason given")
            )),
        }
    }

    /// Reads NAME's locked item, which shows the desktop's unlock prompt.
    fn read_locked(&self, name: &str) -> Result<Option<Vec<u8>>> {
        let found = self
            .client
            .search(&entry_attributes(name))
            .map_err(|e| failure(e, "search"))?;
        let Some(item) = found.all().next().cloned() else {
            return Ok(None);
        };
        self.client
            .unlock(vec![item])
            .map_err(|e| failure(e, "unlock"))?;
        match self
            .client
            .read(&[name])
            .map_err(|e| failure(e, "read the entry"))?
            .pop()
        {
            Some(Found::Secret(value)) => Ok(Some(value)),
            Some(Found::Missing) => Ok(None),
            _ => Err(Error::StoreLocked {
                store: StoreKind::SecretService,
            }),
        }
    }
}

impl SecretServiceBackend {
    /// The collection a new entry goes to, when it is one that lasts and
    /// is there: gnome-keyring without a login keyring offers only its
    /// in-memory `session` collection (an entry there is gone when the
    /// daemon stops), and an alias can name a collection that a second
    /// daemon does not have.
    fn lasting_collection(&self, name: Option<&str>) -> Result<dbus::Path<'static>> {
        let collection = self
            .client
            .collection()
            .map_err(|e| failure(e, "open a collection"))?;
        let entry = name.map_or("a key".to_string(), |n| format!("'{n}'"));
        if collection.ends_with("/collection/session") {
            return Err(Error::invalid(
                format!(
                    "the Secret Service has no keyring that lasts, only its in-memory \
                     session collection, which would forget {entry} when it stops"
                ),
                "create a login keyring (gnome-keyring-daemon --replace --unlock, see \"Without a \
                 desktop\" in the README), or use the encrypted file store: --store file; \
                 nothing was stored",
            ));
        }
        self.client
            .collection_exists(&collection)
            .map_err(|e| failure(e, "open its default collection"))?;
        Ok(collection)
    }
}

impl Backend for SecretServiceBackend {
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>> {
        Ok(self.get_many(&[name])?.pop().flatten())
    }

    fn get_many(&self, names: &[&str]) -> Result<Vec<Option<Vec<u8>>>> {
        let found = self
            .client
            .read(names)
            .map_err(|e| failure(e, "read the entry"))?;
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
        let collection = self.lasting_collection(Some(name))?;
        self.client
            .unlock(vec![collection.clone()])
            .map_err(|e| failure(e, "unlock"))?;
        self.client
            .create_item(
                &collection,
                &format!("AWS credentials for {name} (awscreds-rs)"),
                &entry_attributes(name),
                value,
            )
            .map_err(|e| failure(e, "store the entry"))
    }

    fn check_writable(&self) -> Result<()> {
        self.lasting_collection(None).map(drop)
    }

    fn delete(&self, name: &str) -> Result<bool> {
        let found = self
            .client
            .search(&entry_attributes(name))
            .map_err(|e| failure(e, "search"))?;
        for item in found.all() {
            self.client
                .delete(item)
                .map_err(|e| failure(e, "delete the entry"))?;
        }
        Ok(!found.is_empty())
    }

    fn names(&self) -> Result<Vec<String>> {
        let found = self
            .client
            .search(&[("service", SERVICE)])
            .map_err(|e| failure(e, "search"))?;
        let attributes = self
            .client
            .attributes(found.all())
            .map_err(|e| failure(e, "search"))?;
        Ok(attributes
            .into_iter()
            .filter_map(|mut a| a.remove("username"))
            .collect())
    }
}

fn runtime_bus_exists(env: &Env) -> bool {
    env.var_os("XDG_RUNTIME_DIR")
        .map(|dir| std::path::Path::new(&dir).join("bus").exists())
        .unwrap_or(false)
}

fn failure(e: Failure, action: &'static str) -> Error {
    let store = StoreKind::SecretService;
    match e {
        Failure::NotUnlocked => Error::StoreLocked { store },
        Failure::NoCollection => Error::Store {
            store,
            action,
            cause: "it offers no collection to store into".into(),
        },
        Failure::Dbus(e) if e.name() == Some("org.freedesktop.Secret.Error.IsLocked") => {
            Error::StoreLocked { store }
        }
        Failure::Dbus(e) if e.name().is_some_and(|n| GONE.contains(&n)) => {
            Error::StoreUnavailable {
                store,
                cause: "it went away".into(),
            }
        }
        Failure::Dbus(e) => Error::Store {
            store,
            action,
            cause: e.message().unwrap_or("no reason given").into(),
        },
    }
}
