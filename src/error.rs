//! One error type for the whole tool: each variant knows its exit code and
//! tells the user what to do next. No variant ever holds a secret.

use std::fmt;

use crate::store::Kind;

/// Exit status for a failure the message explains.
pub const EXIT_FAILURE: i32 = 1;
/// Exit status for a usage error.
pub const EXIT_USAGE: i32 = 2;

#[derive(Debug)]
pub enum Error {
    /// The command line is wrong in a way clap could not see.
    Usage(String),
    /// No entry for NAME in the store.
    NotFound {
        name: String,
        store: &'static str,
        /// Which store `auto` picked and why ("keyutils because …"), when
        /// it was not its first choice.
        auto: Option<String>,
    },
    /// The stored credentials are past their expiration.
    Expired {
        name: String,
        store: &'static str,
        expiration: String,
    },
    /// `add` without `--force` on a NAME that is stored already.
    Exists { name: String, store: &'static str },
    /// The store cannot be reached at all.
    StoreUnavailable { store: Kind, detail: String },
    /// The store does not exist on this platform.
    StoreNotHere { store: Kind },
    /// The store is there but locked, and unlocking was refused.
    StoreLocked { store: Kind },
    /// The store answered with an error.
    Store {
        store: &'static str,
        action: &'static str,
        detail: String,
    },
    /// The stored value is not a document this tool wrote.
    Corrupt {
        name: String,
        store: &'static str,
        detail: String,
    },
    /// Input (stdin, flags, environment) that fails validation.
    Invalid { what: String, fix: String },
    /// Another error, with what was being done when it happened.
    Context { context: String, source: Box<Error> },
    /// The command's own output already says what failed (doctor's
    /// findings): exit 1 without another line.
    Reported,
    /// A file or terminal could not be read or written.
    Io {
        context: String,
        source: std::io::Error,
    },
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) => EXIT_USAGE,
            Error::Context { source, .. } => source.exit_code(),
            _ => EXIT_FAILURE,
        }
    }

    pub fn invalid(what: impl Into<String>, fix: impl Into<String>) -> Self {
        Error::Invalid {
            what: what.into(),
            fix: fix.into(),
        }
    }

    pub fn context(self, context: impl Into<String>) -> Self {
        Error::Context {
            context: context.into(),
            source: Box::new(self),
        }
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(msg) => write!(f, "{msg}"),
            Error::NotFound { name, store, auto } => {
                write!(f, "no credentials stored for '{name}' in {store}")?;
                if let Some(pick) = auto {
                    write!(
                        f,
                        " (auto picked {pick}; use --store {} to insist)",
                        Kind::platform_default().id()
                    )?;
                }
                write!(f, "; store them with: awscreds-rs add --username {name}")
            }
            Error::Expired {
                name,
                store,
                expiration,
            } => write!(
                f,
                "the credentials stored for '{name}' in {store} expired at {expiration}; \
                 store fresh ones with: awscreds-rs add --username {name} --force"
            ),
            Error::Exists { name, store } => write!(
                f,
                "credentials for '{name}' are already stored in {store}; \
                 add --force to replace them, or remove them first with: \
                 awscreds-rs remove --username {name}"
            ),
            Error::StoreUnavailable { store, detail } => write!(
                f,
                "{} is not reachable ({detail}); {}",
                store.label(),
                unavailable_fix(*store)
            ),
            Error::StoreNotHere { store } => {
                let here: Vec<&str> = Kind::on_this_platform().iter().map(|k| k.id()).collect();
                write!(
                    f,
                    "the {} store does not exist on this platform; pick another with --store \
                     (this platform has: {})",
                    store.id(),
                    here.join(", ")
                )
            }
            Error::StoreLocked { store } => {
                write!(f, "{} is locked; {}", store.label(), unlock_fix(*store))
            }
            Error::Store {
                store,
                action,
                detail,
            } => write!(
                f,
                "{store} refused to {action} ({detail}); check it with: awscreds-rs doctor"
            ),
            Error::Corrupt {
                name,
                store,
                detail,
            } => write!(
                f,
                "the entry for '{name}' in {store} is not a valid awscreds-rs entry ({detail}); \
                 replace it with: awscreds-rs add --username {name} --force"
            ),
            Error::Invalid { what, fix } => write!(f, "{what}; {fix}"),
            Error::Context { context, source } => write!(f, "{context}: {source}"),
            Error::Reported => write!(f, "see the output above"),
            Error::Io { context, source } => write!(f, "{context}: {source}"),
        }
    }
}

impl std::error::Error for Error {}

/// What to do when a store cannot be reached.
fn unavailable_fix(store: Kind) -> &'static str {
    match store {
        Kind::SecretService => {
            "start a Secret Service (gnome-keyring-daemon, KeePassXC) in this session \
             (see \"Without a desktop\" in the README), or use --store keyutils"
        }
        Kind::Keyutils => "use --store secret-service, or check that keyctl works here",
        Kind::Keychain | Kind::Windows => "check that the user's keychain is available",
        Kind::File => "check that the store's folder can be read: awscreds-rs doctor",
    }
}

/// What to do when a store is locked.
fn unlock_fix(store: Kind) -> &'static str {
    match store {
        Kind::SecretService => {
            "unlock the keyring (log in to the desktop session, or run \
             `gnome-keyring-daemon --unlock` and type its password) and try again"
        }
        Kind::File if cfg!(target_os = "linux") => {
            "unlock it once per boot on a terminal with: awscreds-rs unlock \
             (or set AWSCREDS_PASSPHRASE_COMMAND to a command that prints the passphrase)"
        }
        Kind::File => {
            "run the command on a terminal to type its passphrase, or set \
             AWSCREDS_PASSPHRASE_COMMAND to a command that prints it"
        }
        _ => "unlock it (log in again, or allow access when asked) and try again",
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Text from outside (a path, a value) made fit for a one-line message:
/// control characters become `?`, so nothing it holds can break the line
/// or drive the terminal.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}
