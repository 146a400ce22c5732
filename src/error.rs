//! One error type for the whole tool: each variant knows its exit code and
//! tells the user what to do next. No variant ever holds a secret.

use std::fmt;

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
        note: Option<String>,
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
    StoreUnavailable {
        store: &'static str,
        detail: String,
        fix: String,
    },
    /// The store is there but locked, and unlocking was refused.
    StoreLocked { store: &'static str, fix: String },
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
            Error::NotFound { name, store, note } => {
                write!(f, "no credentials stored for '{name}' in {store}")?;
                if let Some(note) = note {
                    write!(f, " ({note})")?;
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
            Error::StoreUnavailable { store, detail, fix } => {
                write!(f, "{store} is not reachable ({detail}); {fix}")
            }
            Error::StoreLocked { store, fix } => write!(f, "{store} is locked; {fix}"),
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
            Error::Io { context, source } => write!(f, "{context}: {source}"),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;
