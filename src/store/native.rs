//! The macOS Keychain and the Windows Credential Manager, through the
//! keyring ecosystem's native stores (keyring-core).

#[cfg(not(windows))]
use std::collections::HashMap;
use std::sync::Arc;

use keyring_core::{CredentialStore, Error as KError};

use super::{Backend, StoreKind, SERVICE};
use crate::error::{Error, Result};

pub struct NativeBackend {
    kind: StoreKind,
    store: Arc<CredentialStore>,
}

impl NativeBackend {
    pub fn open(kind: StoreKind) -> Result<Self> {
        #[cfg(target_os = "macos")]
        let store = apple_native_keyring_store::keychain::Store::new();
        #[cfg(windows)]
        let store = windows_native_keyring_store::Store::new();
        let store: Arc<CredentialStore> = store.map_err(|e| Error::StoreUnavailable {
            store: kind,
            cause: Box::new(e),
        })?;
        Ok(NativeBackend { kind, store })
    }

    fn failure(&self, e: KError, action: &'static str) -> Error {
        match e {
            KError::NoStorageAccess(_) => Error::StoreLocked { store: self.kind },
            other => Error::Store {
                store: self.kind,
                action,
                cause: Box::new(other),
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

    #[cfg(windows)]
    fn names(&self) -> Result<Vec<String>> {
        // keyring-core's Windows store cannot search: enumerate the
        // Credential Manager, whose targets are `NAME.awscreds-rs`.
        credential_manager::names().map_err(|detail| Error::Store {
            store: self.kind,
            action: "list its entries",
            cause: detail.into(),
        })
    }

    #[cfg(not(windows))]
    fn names(&self) -> Result<Vec<String>> {
        let spec = HashMap::from([("service", SERVICE)]);
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

/// The Credential Manager's own enumeration (advapi32 `CredEnumerateW`).
#[cfg(windows)]
mod credential_manager {
    use windows_sys::Win32::Foundation::{GetLastError, ERROR_NOT_FOUND};
    use windows_sys::Win32::Security::Credentials::{
        CredEnumerateW, CredFree, CREDENTIALW, CRED_TYPE_GENERIC,
    };

    /// The NAMEs of every generic credential whose target is
    /// `NAME.awscreds-rs`.
    pub fn names() -> Result<Vec<String>, String> {
        let suffix = format!(".{}", super::SERVICE);
        let mut count: u32 = 0;
        let mut list: *mut *mut CREDENTIALW = std::ptr::null_mut();
        // SAFETY: a null filter enumerates every credential of this user;
        // on success `list` holds `count` valid pointers until CredFree.
        let ok = unsafe { CredEnumerateW(std::ptr::null(), 0, &mut count, &mut list) };
        if ok == 0 {
            // SAFETY: reads the calling thread's last error.
            let code = unsafe { GetLastError() };
            return if code == ERROR_NOT_FOUND {
                Ok(Vec::new())
            } else {
                Err(format!("CredEnumerateW failed with error {code}"))
            };
        }
        let mut names = Vec::new();
        for i in 0..count as usize {
            // SAFETY: `i < count`, and each entry points to a CREDENTIALW
            // whose TargetName is a NUL-terminated wide string.
            let (kind, target) = unsafe {
                let cred = &**list.add(i);
                (cred.Type, wide(cred.TargetName))
            };
            if kind != CRED_TYPE_GENERIC {
                continue;
            }
            if let Some(name) = target.strip_suffix(&suffix) {
                names.push(name.to_string());
            }
        }
        // SAFETY: frees the buffer CredEnumerateW allocated, once.
        unsafe { CredFree(list as *const core::ffi::c_void) };
        Ok(names)
    }

    /// A NUL-terminated UTF-16 string.
    unsafe fn wide(p: *const u16) -> String {
        if p.is_null() {
            return String::new();
        }
        let mut len = 0;
        while *p.add(len) != 0 {
            len += 1;
        }
        String::from_utf16_lossy(std::slice::from_raw_parts(p, len))
    }
}
