//! The Linux kernel keyring: no daemon needed, but lost at reboot.
//!
//! Entries are `user` keys described as `awscreds-rs:NAME`. They go to the
//! user's persistent keyring where the kernel allows it (it outlives logouts)
//! and to the user keyring (`@u`) where it does not, as in containers and
//! sandboxes that refuse the persistent keyring.

use linux_keyutils::{KeyError, KeyRing, KeyRingIdentifier};

use super::{Backend, StoreKind, SERVICE};
use crate::error::{Error, Result};

/// How many links of a keyring `names` reads at most.
const MAX_LINKS: usize = 8192;

pub struct KeyutilsBackend {
    /// Where new entries go first; every ring is searched on reads.
    rings: Vec<KeyRing>,
}

impl KeyutilsBackend {
    pub fn open() -> Result<Self> {
        let user = KeyRing::from_special_id(KeyRingIdentifier::User, true).map_err(|e| {
            Error::StoreUnavailable {
                store: StoreKind::Keyutils,
                cause: format!("the user keyring cannot be opened: {e:?}").into(),
            }
        })?;
        let mut rings = Vec::with_capacity(2);
        if let Ok(persistent) = KeyRing::get_persistent(KeyRingIdentifier::User) {
            rings.push(persistent);
        }
        rings.push(user);
        Ok(KeyutilsBackend { rings })
    }
}

fn description(name: &str) -> String {
    format!("{SERVICE}:{name}")
}

fn failure(e: KeyError, action: &'static str) -> Error {
    Error::Store {
        store: StoreKind::Keyutils,
        action,
        cause: format!("{e:?}").into(),
    }
}

fn is_absent(e: &KeyError) -> bool {
    matches!(
        e,
        KeyError::KeyDoesNotExist | KeyError::KeyExpired | KeyError::KeyRevoked
    )
}

impl Backend for KeyutilsBackend {
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>> {
        let description = description(name);
        for ring in &self.rings {
            match ring.search(&description) {
                Ok(key) => {
                    return key
                        .read_to_vec()
                        .map(Some)
                        .map_err(|e| failure(e, "read the entry"))
                }
                Err(e) if is_absent(&e) || e == KeyError::AccessDenied => continue,
                Err(e) => return Err(failure(e, "search")),
            }
        }
        Ok(None)
    }

    fn set(&self, name: &str, value: &[u8]) -> Result<()> {
        // add_key replaces the payload of a key with the same description in place.
        let mut last = None;
        for ring in &self.rings {
            match ring.add_key(&description(name), value) {
                Ok(_) => return Ok(()),
                Err(e) => last = Some(e),
            }
        }
        Err(failure(
            last.unwrap_or(KeyError::KeyringDoesNotExist),
            "store the entry",
        ))
    }

    fn delete(&self, name: &str) -> Result<bool> {
        let description = description(name);
        let mut deleted = false;
        for ring in &self.rings {
            // Loop: an entry could be linked in more than one ring.
            loop {
                match ring.search(&description) {
                    Ok(key) => {
                        key.invalidate()
                            .or_else(|_| ring.unlink_key(key))
                            .map_err(|e| failure(e, "delete the entry"))?;
                        deleted = true;
                    }
                    Err(e) if is_absent(&e) || e == KeyError::AccessDenied => break,
                    Err(e) => return Err(failure(e, "search")),
                }
            }
        }
        Ok(deleted)
    }

    fn names(&self) -> Result<Vec<String>> {
        let prefix = description("");
        let mut names = Vec::new();
        for ring in &self.rings {
            let links = ring
                .get_links(MAX_LINKS)
                .map_err(|e| failure(e, "list the keyring"))?;
            for key in links.iter().filter_map(|node| node.as_key()) {
                if let Ok(meta) = key.metadata() {
                    if let Some(name) = meta.get_description().strip_prefix(&prefix) {
                        names.push(name.to_string());
                    }
                }
            }
        }
        Ok(names)
    }
}

/// What, besides a reboot, loses a kernel keyring entry: the persistent
/// keyring expires after `persistent_keyring_expiry` seconds unused
/// (three days by default); empty when the kernel does not say.
pub fn expiry_note() -> String {
    let Ok(text) = std::fs::read_to_string("/proc/sys/kernel/keys/persistent_keyring_expiry")
    else {
        return String::new();
    };
    match text.trim().parse::<u64>() {
        Ok(seconds) if seconds >= 86_400 => format!(
            ", and after {} days unused (the kernel's persistent_keyring_expiry)",
            seconds / 86_400
        ),
        Ok(seconds) => {
            format!(", and after {seconds} seconds unused (the kernel's persistent_keyring_expiry)")
        }
        Err(_) => String::new(),
    }
}
