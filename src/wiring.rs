//! The credential_process line that runs awscreds-rs: what it asks for
//! ([`Line`]), written by `configure`, `import` and `sso configure`, and
//! read back by `profiles`, `doctor`, `refresh`, `exec` and `serve`. This
//! is the only writer and the only reader of the line's flags; the command
//! line defines them once (`cli::LineArgs`).

use crate::error::{Error, Result};
use crate::store_kind::StoreKind;

/// The default session length of the line's STS calls: one hour.
pub const DEFAULT_DURATION: u32 = 3600;

/// What an awscreds-rs credential_process line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub target: Target,
    /// The `--store` the line names, as written (`None`: the default).
    pub store: Option<String>,
}

/// Whose credentials the line prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A stored NAME (`--username`), with the session flags.
    Name { name: String, options: Options },
    /// An IAM Identity Center role (`--sso-session`, `--account-id`,
    /// `--role-name`).
    Sso {
        session: String,
        account: String,
        role: String,
    },
    /// An AWS sign-in (`--login-session`), by its login session's ARN.
    Login { session: String },
}

/// The session flags of a NAME's line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// `--role-arn`: the role the line assumes.
    pub role_arn: Option<String>,
    pub external_id: Option<String>,
    pub role_session_name: Option<String>,
    /// `--duration`, as given (`3600`, `60m`, `1h`); [`Options::seconds`]
    /// reads it.
    pub duration: Option<String>,
    pub mfa_command: Option<String>,
}

/// A session's length (`3600`, `60m`, `1h`) as seconds, within what STS
/// grants and long enough to outlast the refresh margin.
pub fn parse_duration(text: &str) -> std::result::Result<u32, String> {
    use crate::credentials::REFRESH_MARGIN;
    let secs = crate::duration::parse(text)?;
    if !(1200..=43200).contains(&secs) {
        return Err(format!(
            "{secs} seconds is outside 20 minutes to 12 hours (a shorter session would be stale at once: it is refreshed with {} minutes left)",
            REFRESH_MARGIN.whole_minutes()
        ));
    }
    u32::try_from(secs).map_err(|_| format!("'{text}' is too long"))
}

impl Options {
    /// Whether the plain stored key is all that is asked for.
    pub fn is_empty(&self) -> bool {
        self == &Options::default()
    }

    /// The sessions' length in seconds: `--duration`, else one hour.
    pub fn seconds(&self) -> Result<u32> {
        match &self.duration {
            None => Ok(DEFAULT_DURATION),
            Some(text) => parse_duration(text).map_err(|rule| Error::BadValue {
                of: "--duration",
                value: None,
                rule,
            }),
        }
    }

    /// Every flag checked as credential_process mode checks it.
    pub fn validate(&self) -> Result<()> {
        // The external id and the session name are not echoed: they
        // may be what a role's owner handed over in confidence.
        let bad = |of, rule: &str| {
            Err(Error::BadValue {
                of,
                value: None,
                rule: rule.into(),
            })
        };
        if let Some(arn) = &self.role_arn {
            if !crate::names::is_role_arn(arn) {
                return Err(Error::bad_value(
                    "--role-arn",
                    arn,
                    "a role ARN looks like arn:aws:iam::123456789012:role/NAME",
                ));
            }
        }
        if let Some(id) = &self.external_id {
            if !crate::names::is_external_id(id) {
                return bad("--external-id", "2 to 1224 letters, digits or _+=,.@:/-");
            }
        }
        if let Some(name) = &self.role_session_name {
            if !crate::names::is_role_session_name(name) {
                return bad("--role-session-name", "2 to 64 letters, digits or _+=,.@-");
            }
        }
        if self.role_arn.is_none()
            && (self.external_id.is_some() || self.role_session_name.is_some())
        {
            return Err(Error::Usage(
                "--external-id and --role-session-name go with --role-arn".into(),
            ));
        }
        self.seconds()?;
        if let Some(command) = &self.mfa_command {
            // One quoted word in the line: one line of printable text,
            // which the SDKs' splitters and `sh -c` all read back.
            if command.trim().is_empty() || command.chars().any(char::is_control) {
                return bad(
                    "--mfa-command",
                    "give one line of text, a command whose output's first line is the code",
                );
            }
        }
        Ok(())
    }

    /// The flags as the line carries them; the duration in seconds.
    fn flags(&self) -> Result<Vec<(&'static str, String)>> {
        let given = [
            ("--role-arn", self.role_arn.clone()),
            ("--external-id", self.external_id.clone()),
            ("--role-session-name", self.role_session_name.clone()),
            (
                "--duration",
                self.duration
                    .as_ref()
                    .map(|_| self.seconds().map(|s| s.to_string()))
                    .transpose()?,
            ),
            ("--mfa-command", self.mfa_command.clone()),
        ];
        Ok(given
            .into_iter()
            .filter_map(|(flag, value)| Some((flag, value?)))
            .collect())
    }
}

impl Target {
    /// A NAME with no session flags.
    pub fn plain(name: &str) -> Target {
        Target::Name {
            name: name.to_string(),
            options: Options::default(),
        }
    }

    pub fn sso(session: &str, account: &str, role: &str) -> Target {
        Target::Sso {
            session: session.to_string(),
            account: account.to_string(),
            role: role.to_string(),
        }
    }
}

impl Line {
    /// The line for `target` in `store`: `--store` is written when the
    /// store is not the platform's default, so that the line finds the key
    /// whatever `auto` would pick where it runs.
    pub fn new(target: Target, store: StoreKind) -> Line {
        Line {
            target,
            store: (store != StoreKind::platform_default()).then(|| store.id().to_string()),
        }
    }

    /// The NAME the line reads, if it reads one.
    pub fn name(&self) -> Option<&str> {
        match &self.target {
            Target::Name { name, .. } => Some(name),
            Target::Sso { .. } | Target::Login { .. } => None,
        }
    }

    /// The flags after the binary, each value quoted for this platform's
    /// splitter (botocore's shlex on Unix, the C runtime's on Windows).
    pub fn flags(&self) -> Result<String> {
        self.flags_for(cfg!(windows))
    }

    fn flags_for(&self, windows: bool) -> Result<String> {
        let mut words: Vec<(&str, String)> = Vec::new();
        match &self.target {
            Target::Name { name, options } => {
                words.push(("--username", name.clone()));
                if let Some(store) = &self.store {
                    words.push(("--store", store.clone()));
                }
                words.extend(options.flags()?);
            }
            Target::Sso {
                session,
                account,
                role,
            } => {
                words.push(("--sso-session", session.clone()));
                words.push(("--account-id", account.clone()));
                words.push(("--role-name", role.clone()));
                if let Some(store) = &self.store {
                    words.push(("--store", store.clone()));
                }
            }
            Target::Login { session } => {
                words.push(("--login-session", session.clone()));
                if let Some(store) = &self.store {
                    words.push(("--store", store.clone()));
                }
            }
        }
        Ok(words
            .iter()
            .map(|(flag, value)| format!("{flag} {}", quote_for(value, windows)))
            .collect::<Vec<_>>()
            .join(" "))
    }

    /// The whole line: this binary's absolute path, quoted, and the flags.
    pub fn command(&self) -> Result<String> {
        Ok(format!("{} {}", quoted_exe()?, self.flags()?))
    }
}

/// The words of a credential_process line that runs awscreds-rs, and
/// the value of a flag among them (`--flag VALUE` or `--flag=VALUE`).
struct Words(Vec<String>);

impl Words {
    fn of_awscreds(command: &str) -> Option<Words> {
        let words = crate::shellwords::split(command).ok()?;
        let file = words.first()?.rsplit(['/', '\\']).next()?;
        (file == "awscreds-rs" || file == "awscreds-rs.exe").then_some(Words(words))
    }

    fn value(&self, flag: &str) -> Option<String> {
        let joined = format!("{flag}=");
        self.0.iter().enumerate().find_map(|(i, w)| {
            if w == flag {
                self.0.get(i + 1).cloned()
            } else {
                w.strip_prefix(&joined).map(String::from)
            }
        })
    }
}

/// The absolute path of this binary, quoted for the line.
fn quoted_exe() -> Result<String> {
    let exe = crate::paths::this_exe()?;
    let text = exe.to_str().ok_or_else(|| {
        Error::invalid(
            format!("the path of this program ({}) is not UTF-8", exe.display()),
            "install awscreds-rs under a UTF-8 path",
        )
    })?;
    Ok(quote(text))
}

/// Reads a credential_process line back: `Some` when it runs awscreds-rs
/// for a NAME or an Identity Center role. The flags are taken as written;
/// [`Options::validate`] says whether the line would run.
pub fn parse(command: &str) -> Option<Line> {
    let words = Words::of_awscreds(command)?;
    let value = |flag: &str| words.value(flag);
    let target = match value("--username") {
        Some(name) => Target::Name {
            name,
            options: Options {
                role_arn: value("--role-arn"),
                external_id: value("--external-id"),
                role_session_name: value("--role-session-name"),
                duration: value("--duration"),
                mfa_command: value("--mfa-command"),
            },
        },
        None if value("--login-session").is_some() => Target::Login {
            session: value("--login-session")?,
        },
        None => Target::Sso {
            session: value("--sso-session")?,
            account: value("--account-id")?,
            role: value("--role-name")?,
        },
    };
    Some(Line {
        target,
        store: value("--store"),
    })
}

fn quote(word: &str) -> String {
    quote_for(word, cfg!(windows))
}

/// A word as the line's splitter reads it back: as it is when plain, else
/// quoted for the C runtime's rules (`windows`) or for shlex and `sh -c`.
fn quote_for(word: &str, windows: bool) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+,:@%=".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        return word.to_string();
    }
    if windows {
        crate::shellwords::quote_windows(word)
    } else {
        crate::shellwords::quote_sh(word)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name_line(name: &str, store: Option<&str>, options: Options) -> Line {
        Line {
            target: Target::Name {
                name: name.into(),
                options,
            },
            store: store.map(String::from),
        }
    }

    #[test]
    fn quoting() {
        assert_eq!(
            quote("/usr/local/bin/awscreds-rs"),
            "/usr/local/bin/awscreds-rs"
        );
        assert_eq!(
            quote_for("/opt/my tools/awscreds-rs", false),
            "'/opt/my tools/awscreds-rs'"
        );
        assert_eq!(quote_for("/o'brien/bin", false), r"'/o'\''brien/bin'");
        assert_eq!(quote_for("/a$b", false), "'/a$b'");
        assert_eq!(quote_for(r#"say "hi""#, true), r#""say \"hi\"""#);
    }

    /// Every line written reads back the same, under the splitter of
    /// either platform (botocore's shlex and the C runtime's).
    #[test]
    fn lines_read_back_on_both_platforms_rules() {
        let full = Options {
            role_arn: Some("arn:aws:iam::123456789012:role/deploy".into()),
            external_id: Some("e-1".into()),
            role_session_name: Some("s".into()),
            duration: Some("7200".into()),
            mfa_command: Some(r#"ykman oath accounts code --single "AWS: it's me" C:\x\"#.into()),
        };
        let lines = [
            name_line("helen", None, Options::default()),
            name_line("x", Some("keyutils"), full),
            Line {
                target: Target::Sso {
                    session: "corp".into(),
                    account: "111111111111".into(),
                    role: "Admin".into(),
                },
                store: Some("file".into()),
            },
            Line {
                target: Target::Login {
                    session: "arn:aws:iam::123456789012:user/team/helen+x=y,z@a.b".into(),
                },
                store: None,
            },
        ];
        for windows in [false, true] {
            for line in &lines {
                let flags = line.flags_for(windows).unwrap();
                let exe = quote_for(r"/opt/my tools/awscreds-rs", windows);
                let command = format!("{exe} {flags}");
                // Re-quoted for the platform under test.
                let words = if windows {
                    crate::shellwords::split_windows(&command)
                } else {
                    crate::shellwords::split_posix(&command)
                }
                .unwrap();
                let requoted = words
                    .iter()
                    .map(|w| quote_for(w, cfg!(windows)))
                    .collect::<Vec<_>>()
                    .join(" ");
                assert_eq!(
                    words[0], "/opt/my tools/awscreds-rs",
                    "{command} (windows: {windows})"
                );
                assert_eq!(parse(&requoted).as_ref(), Some(line), "{command}");
            }
        }
    }

    #[test]
    fn lines_as_people_write_them() {
        assert_eq!(
            parse("/usr/bin/awscreds-rs --username helen"),
            Some(name_line("helen", None, Options::default()))
        );
        assert_eq!(
            parse("awscreds-rs --store=keyutils --username=x"),
            Some(name_line("x", Some("keyutils"), Options::default()))
        );
        assert_eq!(parse("/opt/other --username x"), None);
        assert_eq!(parse("/usr/bin/awscreds-rs list"), None);
        assert_eq!(
            parse("awscreds-rs --sso-session corp --account-id 1").map(|l| l.target),
            None,
            "no role"
        );
    }

    #[test]
    fn options_are_checked_as_the_line_runs_them() {
        let role = |arn: &str| Options {
            role_arn: Some(arn.into()),
            ..Options::default()
        };
        assert!(role("arn:aws:iam::123456789012:role/deploy")
            .validate()
            .is_ok());
        assert!(role("arn:aws-cn:iam::123456789012:role/path/deploy")
            .validate()
            .is_ok());
        assert!(role("deploy").validate().is_err());
        let mut o = role("arn:aws:iam::123456789012:role/deploy");
        o.role_session_name = Some("a b".into());
        assert!(o.validate().is_err());
        let lone = Options {
            external_id: Some("xyz".into()),
            ..Options::default()
        };
        assert!(lone.validate().is_err());
        let timed = |d: &str| Options {
            duration: Some(d.into()),
            ..Options::default()
        };
        assert_eq!(timed("2h").seconds().unwrap(), 7200);
        assert!(timed("15m").validate().is_err());
        assert_eq!(Options::default().seconds().unwrap(), DEFAULT_DURATION);
        let asked = |c: &str| Options {
            mfa_command: Some(c.into()),
            ..Options::default()
        };
        assert!(asked("ykman oath code").validate().is_ok());
        assert!(asked("a\nb").validate().is_err());
        assert!(asked(" ").validate().is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("3600"), Ok(3600));
        assert_eq!(parse_duration("3600s"), Ok(3600));
        assert_eq!(parse_duration("90m"), Ok(5400));
        assert_eq!(parse_duration("1h"), Ok(3600));
        assert_eq!(parse_duration("12h"), Ok(43200));
        assert!(parse_duration("15m").is_err(), "stale at once");
        assert!(parse_duration("13h").is_err());
        assert!(parse_duration("1d").is_err());
        assert!(parse_duration("h").is_err());
        assert!(parse_duration("").is_err());
    }
}
