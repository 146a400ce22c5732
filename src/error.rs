//! One error type for the whole tool: each variant knows its exit code and
//! tells the user what to do next. No variant ever holds a secret.
//!
//! A variant says what went wrong at its own level (`Display`), keeps
//! what lies below it as `source()` (a store's or a library's error, a
//! server's words), and may know the fix. [`Error::report`] puts them
//! together for the user, each once: what went wrong, its causes, then
//! the fix.

use std::fmt;
use std::path::PathBuf;

use crate::store_kind::StoreKind;

/// Exit status for a failure the message explains.
pub const EXIT_FAILURE: i32 = 1;
/// Exit status for a usage error.
pub const EXIT_USAGE: i32 = 2;

/// What lies below an error: another library's error, or the words of
/// something outside (a store, a server), kept as an error of its own.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

#[derive(Debug)]
pub enum Error {
    /// The command line is wrong in a way clap could not see.
    Usage(String),
    /// A flag's value (or a name given another way) breaks its rule:
    /// `of` names it (`--region`, `profile name`), `value` is what was
    /// given (left out where it is not to be echoed), `rule` says what is
    /// allowed. A usage error.
    BadValue {
        of: &'static str,
        value: Option<String>,
        rule: String,
    },
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
    StoreUnavailable { store: StoreKind, cause: Cause },
    /// The store does not exist on this platform.
    StoreNotHere { store: StoreKind },
    /// The store is there but locked, and unlocking was refused.
    StoreLocked { store: StoreKind },
    /// The store answered with an error.
    Store {
        store: StoreKind,
        action: &'static str,
        cause: Cause,
    },
    /// The stored value is not a document this tool wrote.
    Corrupt {
        name: String,
        store: StoreKind,
        cause: Cause,
    },
    /// Something must be asked (`to`: "ask for the MFA code of …") and
    /// there is no terminal to ask it on.
    NoTerminal { to: String, fix: String },
    /// A helper command (`--mfa-command`, the passphrase command) did not
    /// give an answer.
    Helper {
        /// How the user knows the command (`--mfa-command`).
        what: String,
        failure: HelperFailure,
    },
    /// Another awscreds-rs has held `lock` for as long as we wait.
    Busy {
        doing: String,
        minutes: u64,
        lock: PathBuf,
    },
    /// AWS answered a call with something that is not the answer its
    /// model promises (no credentials, a bad date).
    BadAnswer { call: String, what: String },
    /// A sign-in in the browser (or with a device code) ended without
    /// tokens; nothing was stored. `again` starts it anew.
    SignIn {
        failure: SignInFailure,
        again: String,
    },
    /// A line needs a login that is not there or can no longer be renewed
    /// (`why`); only a new sign-in, `again`, helps. It never waits.
    SignedOut { why: String, again: String },
    /// Input (stdin, a file, the environment) that fails validation.
    Invalid { what: String, fix: String },
    /// AWS refused a call, or could not be reached: `code` is the
    /// service's own error code when it answered (`Throttling`,
    /// `AccessDenied`), `None` for a network or protocol failure; `cause`
    /// says what happened, in one line.
    Aws {
        call: String,
        code: Option<String>,
        cause: Cause,
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

/// Why a sign-in gave no tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInFailure {
    /// The browser did not come back within this many minutes.
    TimedOut(u64),
    /// It came back with another sign-in's `state`.
    WrongState,
    /// It came back with neither a code nor an error.
    NoCode,
    /// The service said no (its `error` and description, on one line).
    Refused(String),
    /// The token endpoint did not take the code (expired, or used).
    CodeNotTaken,
    /// The device code expired before it was approved.
    DeviceCodeExpired,
}

/// How a helper command failed to answer.
#[derive(Debug, Clone, Copy)]
pub enum HelperFailure {
    /// It ran past its time limit, in seconds.
    TimedOut(u64),
    /// It printed more than its limit, in KiB.
    TooLong(usize),
    /// It exited with this status.
    Failed(std::process::ExitStatus),
    /// Its first line was empty.
    Silent,
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) | Error::BadValue { .. } => EXIT_USAGE,
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

    /// `value` of `of` breaks `rule` (see [`Error::BadValue`]).
    pub fn bad_value(of: &'static str, value: &str, rule: impl Into<String>) -> Self {
        Error::BadValue {
            of,
            value: Some(value.to_string()),
            rule: rule.into(),
        }
    }

    /// AWS's answer to a failed call (see [`Error::Aws`]).
    pub fn aws(
        call: impl Into<String>,
        code: Option<&str>,
        cause: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Error::Aws {
            call: call.into(),
            code: code.map(String::from),
            cause: cause.into().into(),
            fix: fix.into(),
        }
    }

    /// `call` answered without what its model promises (`what`: "no
    /// credentials").
    pub fn bad_answer(call: impl Into<String>, what: impl Into<String>) -> Self {
        Error::BadAnswer {
            call: call.into(),
            what: what.into(),
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

    /// What went wrong, in this level's own words: neither its cause
    /// (`source()`) nor its fix.
    fn what(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(msg) => f.write_str(msg),
            Error::BadValue { of, value, rule } => match value {
                Some(value) => write!(f, "invalid {of} '{}': {rule}", value.escape_default()),
                None => write!(f, "invalid {of}: {rule}"),
            },
            Error::NotFound { name, store, auto } => {
                write!(f, "no credentials stored for '{name}' in {store}")?;
                match auto {
                    Some(pick) => write!(f, " (auto picked {pick})"),
                    None => Ok(()),
                }
            }
            Error::Expired {
                name,
                store,
                expiration,
            } => write!(
                f,
                "the credentials stored for '{name}' in {store} expired at {expiration}"
            ),
            Error::Exists { name, store } => {
                write!(f, "credentials for '{name}' are already stored in {store}")
            }
            Error::StoreUnavailable { store, .. } => {
                write!(f, "{} is not reachable", store.label())
            }
            Error::StoreNotHere { store } => write!(
                f,
                "the {} store does not exist on this platform",
                store.id()
            ),
            Error::StoreLocked { store } => write!(f, "{} is locked", store.label()),
            Error::Store { store, action, .. } => write!(f, "{store} refused to {action}"),
            Error::Corrupt { name, store, .. } => write!(
                f,
                "the entry for '{name}' in {store} is not a valid awscreds-rs entry"
            ),
            Error::NoTerminal { to, .. } => write!(f, "there is no terminal to {to}"),
            Error::Helper { what, failure } => match failure {
                HelperFailure::TimedOut(secs) => write!(
                    f,
                    "{what} did not finish within {secs} seconds, so it was stopped"
                ),
                HelperFailure::TooLong(kib) => {
                    write!(f, "{what} printed more than {kib} KiB, so it was stopped")
                }
                HelperFailure::Failed(status) => write!(f, "{what} failed ({status})"),
                HelperFailure::Silent => write!(f, "{what} printed nothing on its first line"),
            },
            Error::Busy { doing, minutes, .. } => {
                write!(
                    f,
                    "another awscreds-rs has been {doing} for {minutes} minutes"
                )
            }
            Error::BadAnswer { call, what } => write!(f, "{call} returned {what}"),
            Error::SignIn { failure, .. } => match failure {
                SignInFailure::TimedOut(minutes) => write!(
                    f,
                    "the browser did not come back within {minutes} minutes (nothing was stored)"
                ),
                SignInFailure::WrongState => f.write_str(
                    "the browser came back with a state that is not this sign-in's \
                     (a page other than the sign-in sent it); nothing was stored",
                ),
                SignInFailure::NoCode => {
                    f.write_str("the browser came back without a code; nothing was stored")
                }
                SignInFailure::Refused(why) => {
                    write!(f, "the sign-in was refused ({why}); nothing was stored")
                }
                SignInFailure::CodeNotTaken => f.write_str(
                    "the service did not take the code the browser brought back \
                     (it expired, or was used); nothing was stored",
                ),
                SignInFailure::DeviceCodeExpired => {
                    f.write_str("the code expired before it was approved in the browser")
                }
            },
            Error::SignedOut { why, .. } => f.write_str(why),
            Error::Invalid { what, .. } => f.write_str(what),
            Error::Aws { call, .. } => write!(f, "{call} failed"),
            Error::WrongPassphrase { dir, .. } => write!(
                f,
                "wrong passphrase for the encrypted file store in {} (nothing was changed or kept)",
                dir.display()
            ),
            Error::Context { context, .. } | Error::Io { context, .. } => f.write_str(context),
            Error::Reported => write!(f, "see the output above"),
            Error::Exited(code) => write!(f, "the command exited with status {code}"),
        }
    }

    /// What the user can do about it, when this level knows.
    fn fix(&self) -> Option<String> {
        Some(match self {
            Error::NotFound { name, store, auto } => {
                let insist = match auto {
                    Some(_) => format!(
                        "use --store {} to insist, or ",
                        StoreKind::platform_default().id()
                    ),
                    None => String::new(),
                };
                format!("{insist}store them with: {}", crate::fix::add(name, *store))
            }
            Error::Expired { name, store, .. } => format!(
                "store fresh ones with: {}",
                crate::fix::add_again(name, *store)
            ),
            Error::Exists { name, store } => format!(
                "add --force to replace them, or remove them first with: {}",
                crate::fix::remove(name, *store)
            ),
            Error::StoreUnavailable { store, .. } => store.unavailable_fix(),
            Error::StoreNotHere { .. } => {
                let here: Vec<&str> = StoreKind::on_this_platform()
                    .iter()
                    .map(|k| k.id())
                    .collect();
                format!(
                    "pick another with --store (this platform has: {})",
                    here.join(", ")
                )
            }
            Error::StoreLocked { store } => store.unlock_fix(),
            Error::Store { .. } => format!("check it with: {}", crate::fix::doctor()),
            Error::Corrupt { name, store, .. } => {
                format!("replace it with: {}", crate::fix::add_again(name, *store))
            }
            Error::Helper { .. } => {
                "run it by hand: it must print the answer on its first line and exit".into()
            }
            Error::Busy { lock, .. } => {
                format!("let it finish, or stop it; its lock is {}", lock.display())
            }
            Error::BadAnswer { .. } => "try again".into(),
            Error::SignIn { again, .. } => format!("start again with: {again}"),
            Error::SignedOut { again, .. } => format!("log in on a terminal with: {again}"),
            Error::NoTerminal { fix, .. } | Error::Invalid { fix, .. } | Error::Aws { fix, .. } => {
                fix.clone()
            }
            Error::WrongPassphrase { dir, from_command } => {
                let again = match from_command {
                    Some(var) => format!(
                        "{var} printed another: fix the command (its first line is the passphrase)"
                    ),
                    None => "type it again".into(),
                };
                format!(
                    "{again}; if it is lost, the entries are too: remove {} and add the keys again",
                    dir.display()
                )
            }
            Error::Usage(_)
            | Error::BadValue { .. }
            | Error::Context { .. }
            | Error::Io { .. }
            | Error::Reported
            | Error::Exited(_) => return None,
        })
    }
}

/// `what; fix`: this level alone. The causes are `source()`'s, and
/// [`Error::report`] says them.
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.what(f)?;
        match self.fix() {
            Some(fix) => write!(f, "; {fix}"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Context { source, .. } => Some(source.as_ref()),
            Error::Io { source, .. } => Some(source),
            Error::StoreUnavailable { cause, .. }
            | Error::Store { cause, .. }
            | Error::Corrupt { cause, .. }
            | Error::Aws { cause, .. } => Some(cause.as_ref()),
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error as the user reads it, on one line: what went wrong at each
/// level, outermost first, each cause once, then the first fix a level
/// knows. Causes from outside pass through [`one_line`].
pub struct Report<'a> {
    error: &'a Error,
    fix: bool,
}

impl Error {
    /// The error and every cause below it, on one line, and the fix.
    pub fn report(&self) -> Report<'_> {
        Report {
            error: self,
            fix: true,
        }
    }

    /// The fix a report gives: the outermost level's that knows one.
    pub fn fix_text(&self) -> Option<String> {
        let mut level = Some(self);
        while let Some(e) = level {
            if let Some(fix) = e.fix() {
                return Some(fix);
            }
            level = match e {
                Error::Context { source, .. } => Some(source),
                _ => None,
            };
        }
        None
    }

    /// The report without the fix, for a caller that gives the fix on
    /// its own line (doctor's findings).
    pub fn report_without_fix(&self) -> Report<'_> {
        Report {
            error: self,
            fix: false,
        }
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct What<'e>(&'e Error);
        impl fmt::Display for What<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.what(f)
            }
        }
        let top = self.error;
        write!(f, "{}", What(top))?;
        let mut fix = top.fix();
        let mut next = std::error::Error::source(top);
        while let Some(cause) = next {
            match cause.downcast_ref::<Error>() {
                Some(ours) => {
                    write!(f, ": {}", What(ours))?;
                    fix = fix.or_else(|| ours.fix());
                }
                None => write!(f, ": {}", one_line(cause))?,
            }
            next = cause.source();
        }
        match fix.filter(|_| self.fix) {
            Some(fix) => write!(f, "; {fix}"),
            None => Ok(()),
        }
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
            "IAM CreateAccessKey",
            Some("Throttling"),
            "Throttling: slow down",
            "wait",
        )
        .context("rotate");
        assert_eq!(e.aws_code(), Some("Throttling"));
        assert_eq!(Error::aws("STS", None, "offline", "check").aws_code(), None);
        assert_eq!(Error::invalid("a", "b").aws_code(), None);
    }

    #[test]
    fn a_report_says_what_then_each_cause_once_then_the_fix() {
        let e = Error::aws(
            "IAM CreateAccessKey",
            Some("Throttling"),
            "Throttling: slow down",
            "wait a minute",
        )
        .context("rotate");
        assert_eq!(
            e.report().to_string(),
            "rotate: IAM CreateAccessKey failed: Throttling: slow down; wait a minute"
        );
        // Display says one level; the cause is source()'s alone.
        let aws = e.source().unwrap();
        assert_eq!(aws.to_string(), "IAM CreateAccessKey failed; wait a minute");
        assert_eq!(aws.source().unwrap().to_string(), "Throttling: slow down");
    }

    #[test]
    fn a_stores_cause_is_its_source_and_foreign_words_stay_on_one_line() {
        let e = Error::Store {
            store: StoreKind::Keyutils,
            action: "load",
            cause: "denied\n\x1b[2Jforged".into(),
        };
        let report = e.report().to_string();
        assert!(
            report.starts_with(
                "the kernel keyring (keyutils) refused to load: denied??[2Jforged; check it with: "
            ),
            "{report}"
        );
        assert!(!e.to_string().contains("denied"));
        assert_eq!(e.source().unwrap().to_string(), "denied\n\x1b[2Jforged");
    }

    #[test]
    fn typed_errors_keep_their_exit_codes() {
        assert_eq!(
            Error::bad_value("--region", "x y", "like us-west-2").exit_code(),
            EXIT_USAGE
        );
        assert_eq!(
            Error::bad_value("--region", "a\nb", "like us-west-2").to_string(),
            "invalid --region 'a\\nb': like us-west-2"
        );
        let busy = Error::Busy {
            doing: "renewing".into(),
            minutes: 2,
            lock: PathBuf::from("/l"),
        };
        assert_eq!(busy.exit_code(), EXIT_FAILURE);
        let refused = Error::SignIn {
            failure: SignInFailure::Refused("access_denied".into()),
            again: "awscreds-rs sso login --session corp".into(),
        };
        assert_eq!(
            refused.to_string(),
            "the sign-in was refused (access_denied); nothing was stored; \
             start again with: awscreds-rs sso login --session corp"
        );
        assert!(matches!(
            refused,
            Error::SignIn {
                failure: SignInFailure::Refused(_),
                ..
            }
        ));
        assert_eq!(
            Error::NoTerminal {
                to: "ask".into(),
                fix: "use a terminal".into()
            }
            .to_string(),
            "there is no terminal to ask; use a terminal"
        );
    }
}
