//! The stores by name: which exist, what `--store` calls them, how
//! messages name them, and what to do when one cannot be used. A leaf:
//! the error type and the command line name stores through it, and the
//! store layer opens them.

/// A concrete store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    SecretService,
    Keyutils,
    Keychain,
    Windows,
    File,
}

/// Which store to use: `auto`, or one store by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreChoice {
    Auto,
    Only(StoreKind),
}

impl crate::fix::Store for StoreKind {
    fn id(self) -> &'static str {
        StoreKind::id(self)
    }

    fn is_platform_default(self) -> bool {
        self == StoreKind::platform_default()
    }
}

impl StoreKind {
    pub const ALL: [StoreKind; 5] = [
        StoreKind::SecretService,
        StoreKind::Keyutils,
        StoreKind::Keychain,
        StoreKind::Windows,
        StoreKind::File,
    ];

    /// The name `--store` takes.
    pub fn id(self) -> &'static str {
        match self {
            StoreKind::SecretService => "secret-service",
            StoreKind::Keyutils => "keyutils",
            StoreKind::Keychain => "keychain",
            StoreKind::Windows => "windows",
            StoreKind::File => "file",
        }
    }

    /// The name used in messages.
    pub fn label(self) -> &'static str {
        match self {
            StoreKind::SecretService => "the Secret Service",
            StoreKind::Keyutils => "the kernel keyring (keyutils)",
            StoreKind::Keychain => "the macOS Keychain",
            StoreKind::Windows => "the Windows Credential Manager",
            StoreKind::File => "the encrypted file store",
        }
    }

    /// Whether entries outlive a reboot.
    pub fn survives_reboot(self) -> bool {
        self != StoreKind::Keyutils
    }

    /// The stores of this platform, the default first, in the order
    /// `auto` tries them.
    pub fn on_this_platform() -> &'static [StoreKind] {
        if cfg!(target_os = "linux") {
            &[
                StoreKind::SecretService,
                StoreKind::File,
                StoreKind::Keyutils,
            ]
        } else if cfg!(target_os = "macos") {
            &[StoreKind::Keychain, StoreKind::File]
        } else if cfg!(windows) {
            &[StoreKind::Windows, StoreKind::File]
        } else {
            // The BSDs and the rest: the Secret Service client is built
            // for Linux only, and the file store works everywhere.
            &[StoreKind::File]
        }
    }

    /// The store a line without `--store` is meant for: the one `auto`
    /// prefers on this platform.
    pub fn platform_default() -> StoreKind {
        StoreKind::on_this_platform()[0]
    }

    /// The flag that picks this store in a command line we print or
    /// write: empty for the platform's default, so that the common line
    /// stays short, else ` --store ID`.
    pub fn flag(self) -> String {
        if self == StoreKind::platform_default() {
            String::new()
        } else {
            format!(" --store {}", self.id())
        }
    }

    /// What to do when the store cannot be reached.
    pub fn unavailable_fix(self) -> String {
        match self {
            StoreKind::SecretService => {
                "start a Secret Service (gnome-keyring-daemon, KeePassXC) in this session \
                 (see \"Without a desktop\" in the README), or use --store keyutils"
            }
            StoreKind::Keyutils => "use --store secret-service, or check that keyctl works here",
            StoreKind::Keychain | StoreKind::Windows => {
                "check that the user's keychain is available"
            }
            StoreKind::File => {
                return format!(
                    "check that the store's folder can be read: {}",
                    crate::fix::doctor()
                )
            }
        }
        .to_string()
    }

    /// What to do when the store is locked.
    pub fn unlock_fix(self) -> String {
        match self {
            StoreKind::SecretService => {
                "unlock the keyring (log in to the desktop session, or run \
                 `gnome-keyring-daemon --unlock` and type its password) and try again"
            }
            StoreKind::File if cfg!(target_os = "linux") => {
                return format!(
                    "unlock it once per boot on a terminal with: {} \
                     (or set AWSCREDS_PASSPHRASE_COMMAND to a command that prints the passphrase)",
                    crate::fix::unlock()
                )
            }
            StoreKind::File => {
                "run the command on a terminal to type its passphrase, or set \
                 AWSCREDS_PASSPHRASE_COMMAND to a command that prints it"
            }
            _ => "unlock it (log in again, or allow access when asked) and try again",
        }
        .to_string()
    }
}

/// A store in a message: its label.
impl std::fmt::Display for StoreKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

impl crate::fix::Store for StoreChoice {
    fn id(self) -> &'static str {
        StoreChoice::id(self)
    }

    fn is_platform_default(self) -> bool {
        self == StoreChoice::Auto
    }
}

impl StoreChoice {
    /// `auto`, then every store, in the order `--store` lists them.
    pub const ALL: [StoreChoice; 6] = [
        StoreChoice::Auto,
        StoreChoice::Only(StoreKind::SecretService),
        StoreChoice::Only(StoreKind::Keyutils),
        StoreChoice::Only(StoreKind::Keychain),
        StoreChoice::Only(StoreKind::Windows),
        StoreChoice::Only(StoreKind::File),
    ];

    /// The choice an id names (`auto`, `keyutils`), as `--store` reads it.
    pub fn from_id(id: &str) -> Option<StoreChoice> {
        StoreChoice::ALL
            .into_iter()
            .find(|choice| choice.id() == id)
    }

    pub fn id(self) -> &'static str {
        self.kind().map_or("auto", StoreKind::id)
    }

    /// The store this choice names, `None` for `auto`.
    pub fn kind(self) -> Option<StoreKind> {
        match self {
            StoreChoice::Auto => None,
            StoreChoice::Only(kind) => Some(kind),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_names_its_choice_and_all_lists_every_store_once() {
        for choice in StoreChoice::ALL {
            assert_eq!(StoreChoice::from_id(choice.id()), Some(choice));
        }
        let kinds: Vec<StoreKind> = StoreChoice::ALL.iter().filter_map(|c| c.kind()).collect();
        assert_eq!(kinds, StoreKind::ALL);
        assert_eq!(StoreChoice::from_id("Keyutils"), None);
    }
}
