//! One error type for the whole tool: each variant knows its exit code and
//! tells the user what to do next. No variant ever holds a secret.

use std::fmt;

use crate::store_kind::StoreKind;

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
        store: StoreKind,
        /// Which store `auto` picked and why ("keyutils because …"), when
        /// it was not its first choice.
        auto: Option<String>,
    },
    /// The stored credentials are past their expiration.
    Expired {
        name: String,
        store: StoreKind,
        expiration: String,
    },
    /// `add` without `--force` on a NAME that is stored already.
    Exists { name: String, store: StoreKind },
    /// The store cannot be reached at all.
    StoreUnavailable { store: StoreKind, detail: String },
    /// The store does not exist on this platform.
    StoreNotHere { store: StoreKind },
    /// The store is there but locked, and unlocking was refused.
    StoreLocked { store: StoreKind },
    /// The store answered with an error.
    Store {
        store: StoreKind,
        action: &'static str,
        detail: String,
    },
    /// The stored value is not a document this tool wrote.
    Corrupt {
        name: String,
        store: StoreKind,
        detail: String,
    },
    /// Input (stdin, flags, environment) that fails validation.
    Invalid { what: String, fix: String },
    /// AWS refused a call, or could not be reached: `code` is the
    /// service's own error code when it answered (`Throttling`,
    /// `AccessDenied`), `None` for a network or protocol failure.
    Aws {
        what: String,
        code: Option<String>,
        fix: String,
    },
    /// The passphrase typed for the encrypted file store does not open it.
    WrongPassphrase {
        /// The store's folder.
        dir: std::path::PathBuf,
        /// The variable of the command that gave it, if a command did.
        from_command: Option<&'static str>,
    },
    /// Another error, with what was being done when it happened.
    Context { context: String, source: Box<Error> },
    /// The command's own output already says what failed (doctor's
    /// findings): exit 1 without another line.
    Reported,
    /// A command that `exec` ran ended with this status (128+N for signal
    /// N): exit with it, without a line of our own.
    Exited(i32),
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
            Error::Exited(code) => *code,
            _ => EXIT_FAILURE,
        }
    }

    pub fn invalid(what: impl Into<String>, fix: impl Into<String>) -> Self {
        Error::Invalid {
            what: what.into(),
            fix: fix.into(),
        }
    }

    /// AWS's answer to a failed call (see [`Error::Aws`]).
    pub fn aws(what: impl Into<String>, code: Option<&str>, fix: impl Into<String>) -> Self {
        Error::Aws {
            what: what.into(),
            code: code.map(String::from),
            fix: fix.into(),
        }
    }

    /// The AWS error code at the bottom of this error, if AWS answered.
    pub fn aws_code(&self) -> Option<&str> {
        match self {
            Error::Aws { code, .. } => code.as_deref(),
            Error::Context { source, .. } => source.aws_code(),
            _ => None,
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
                        StoreKind::platform_default().id()
                    )?;
                }
                write!(f, "; store them with: {}", crate::fix::add(name, *store))
            }
            Error::Expired {
                name,
                store,
                expiration,
            } => write!(
                f,
                "the credentials stored for '{name}' in {store} expired at {expiration}; \
                 store fresh ones with: {}",
                crate::fix::add_again(name, *store)
            ),
            Error::Exists { name, store } => write!(
                f,
                "credentials for '{name}' are already stored in {store}; \
                 add --force to replace them, or remove them first with: \
                 {}",
                crate::fix::remove(name, *store)
            ),
            Error::StoreUnavailable { store, detail } => write!(
                f,
                "{} is not reachable ({detail}); {}",
                store.label(),
                store.unavailable_fix()
            ),
            Error::StoreNotHere { store } => {
                let here: Vec<&str> = StoreKind::on_this_platform()
                    .iter()
                    .map(|k| k.id())
                    .collect();
                write!(
                    f,
                    "the {} store does not exist on this platform; pick another with --store \
                     (this platform has: {})",
                    store.id(),
                    here.join(", ")
                )
            }
            Error::StoreLocked { store } => {
                write!(f, "{} is locked; {}", store.label(), store.unlock_fix())
            }
            Error::Store {
                store,
                action,
                detail,
            } => write!(
                f,
                "{store} refused to {action} ({detail}); check it with: {}",
                crate::fix::doctor()
            ),
            Error::Corrupt {
                name,
                store,
                detail,
            } => write!(
                f,
                "the entry for '{name}' in {store} is not a valid awscreds-rs entry ({detail}); \
                 replace it with: {}",
                crate::fix::add_again(name, *store)
            ),
            Error::Invalid { what, fix } | Error::Aws { what, fix, .. } => {
                write!(f, "{what}; {fix}")
            }
            Error::WrongPassphrase { dir, from_command } => {
                write!(
                    f,
                    "wrong passphrase for the encrypted file store in {} (nothing was changed or kept); ",
                    dir.display()
                )?;
                match from_command {
                    Some(var) => write!(
                        f,
                        "{var} printed another: fix the command (its first line is the passphrase)"
                    )?,
                    None => f.write_str("type it again")?,
                }
                write!(
                    f,
                    "; if it is lost, the entries are too: remove {} and add the keys again",
                    dir.display()
                )
            }
            // The cause is `source()`'s: `report()` says it, once.
            Error::Context { context, .. } => f.write_str(context),
            Error::Reported => write!(f, "see the output above"),
            Error::Exited(code) => write!(f, "the command exited with status {code}"),
            Error::Io { context, .. } => f.write_str(context),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Context { source, .. } => Some(source.as_ref()),
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error as the user reads it: its own words, then each cause's, once
/// each (`Display` of an `Error` says its own level only, and `source()`
/// holds the cause, as std's errors do).
pub struct Report<'a>(&'a Error);

impl Error {
    /// The error and every cause below it, on one line.
    pub fn report(&self) -> Report<'_> {
        Report(self)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut next = std::error::Error::source(self.0);
        while let Some(cause) = next {
            write!(f, ": {cause}")?;
            next = cause.source();
        }
        Ok(())
    }
}

/// Text from outside (a path, a value, a server's message) made fit for a
/// one-line message: line breaks and every character that
/// `stdio::unfit_for_terminal` names become `?`, so nothing it holds can
/// break the line or drive the terminal.
pub fn one_line(text: impl fmt::Display) -> String {
    text.to_string()
        .chars()
        .map(|c| {
            if crate::stdio::unfit_for_terminal(c) {
                '?'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn the_cause_stays_reachable_through_context() {
        let e = Error::io("cannot read x", std::io::Error::other("disk")).context("import");
        let cause = e.source().and_then(|s| s.source()).expect("the io error");
        assert_eq!(cause.to_string(), "disk");
        assert_eq!(e.report().to_string(), "import: cannot read x: disk");
        // Each level says its own words; the causes are source()'s.
        assert_eq!(e.to_string(), "import");
        assert_eq!(e.source().unwrap().to_string(), "cannot read x");
    }

    #[test]
    fn an_aws_code_is_found_below_any_context() {
        let e = Error::aws(
            "IAM CreateAccessKey failed: slow down",
            Some("Throttling"),
            "wait",
        )
        .context("rotate");
        assert_eq!(e.aws_code(), Some("Throttling"));
        assert_eq!(Error::aws("offline", None, "check").aws_code(), None);
        assert_eq!(Error::invalid("a", "b").aws_code(), None);
    }
}
