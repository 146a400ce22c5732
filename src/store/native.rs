//! The macOS Keychain and the Windows Credential Manager, through the
//! keyring ecosystem's native stores (keyring-core).

use std::collections::HashMap;
use std::sync::Arc;

use keyring_core::{CredentialStore, Error as KError};

use super::{Backend, Kind, SERVICE};
use crate::error::{Error, Result};

pub struct NativeBackend {
    kind: Kind,
    store: Arc<CredentialStore>,
}

impl NativeBackend {
    pub fn open(kind: Kind) -> Result<Self> {
        #[cfg(target_os = "macos")]
        let store = apple_native_keyring_store::keychain::Store::new();
        #[cfg(windows)]
        let store = windows_native_keyring_store::Store::new();
        let store: Arc<CredentialStore> = store.map_err(|e| Error::StoreUnavailable {
            store: kind,
            detail: e.to_string(),
        })?;
        Ok(NativeBackend { kind, store })
    }

    fn failure(&self, e: KError, action: &'static str) -> Error {
        match e {
            KError::NoStorageAccess(_) => Error::StoreLocked { store: self.kind },
            other => Error::Store {
                store: self.kind.label(),
                action,
                detail: other.to_string(),
            },
        }
    }

    fn entry(&self, name: &str) -> Result<keyring_core::Entry> {
        self.store
            .build(SERVICE, name, None)
            .map_err(|e| self.failure(e, "open the entry"))
    }
}

impl Backend for NativeBackend {
    fn get(&self, name: &str) -> Result<Option<Vec<u8>>> {
        match self.entry(name)?.get_secret() {
            Ok(bytes) => Ok(Some(bytes)),
            Err(KError::NoEntry) => Ok(None),
            Err(e) => Err(self.failure(e, "read the entry")),
        }
    }

    fn set(&self, name: &str, value: &[u8]) -> Result<()> {
        self.entry(name)?
            .set_secret(value)
            .map_err(|e| self.failure(e, "store the entry"))
    }

    fn delete(&self, name: &str) -> Result<bool> {
        match self.entry(name)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(KError::NoEntry) => Ok(false),
            Err(e) => Err(self.failure(e, "delete the entry")),
        }
    }

    fn names(&self) -> Result<Vec<String>> {
        // The Keychain searches by service; the Credential Manager by a
        // pattern over target names, which are `NAME.awscreds-rs`.
        let spec = if cfg!(windows) {
            HashMap::from([("pattern", r"\.awscreds-rs$")])
        } else {
            HashMap::from([("service", SERVICE)])
        };
        let found = self
            .store
            .search(&spec)
            .map_err(|e| self.failure(e, "search"))?;
        Ok(found
            .iter()
            .filter_map(|entry| entry.get_specifiers())
            .filter(|(service, _)| service == SERVICE)
            .map(|(_, name)| name)
            .collect())
    }
}
