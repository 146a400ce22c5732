//! Wiring a profile to awscreds-rs: the credential_process line that runs
//! this binary for a stored NAME (written by `configure` and `import`, read
//! back by `profiles` and `doctor`), and setting it in a profile of the
//! config file.

use crate::error::{Error, Result};
use crate::ini::{is_config_header, Ini};
use crate::store::StoreKind;

/// What an awscreds-rs credential_process line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub name: String,
    /// The `--store` the line names, as written (`None`: the default).
    pub store: Option<String>,
    /// The `--role-arn` the line assumes, if any.
    pub role_arn: Option<String>,
    /// The other session flags, as written.
    pub external_id: Option<String>,
    pub role_session_name: Option<String>,
    pub duration: Option<String>,
    pub mfa_command: Option<String>,
}

/// The section header for a profile in the config file.
pub fn config_header(profile: &str) -> String {
    if profile == "default" {
        "default".into()
    } else {
        format!("profile {profile}")
    }
}

/// Sets `credential_process` (and `region`) of the profile in memory.
/// Returns whether anything changed; a value with a line break is refused
/// (by [`Ini::set`]) before anything changes.
pub fn set_profile(
    ini: &mut Ini,
    profile: &str,
    command: &str,
    region: Option<&str>,
) -> Result<bool> {
    let matches = |header: &str| is_config_header(header, profile);
    let header = config_header(profile);
    let refused = |r: crate::ini::Refused| {
        Error::invalid(
            format!(
                "the {} for '{}' in profile '{}' holds a line break or another control character",
                r.what,
                r.key,
                profile.escape_default()
            ),
            "give the value on one line, without control characters; nothing was written",
        )
    };
    let mut changed = ini
        .set(
            &matches,
            &header,
            crate::awsfiles::key::CREDENTIAL_PROCESS,
            command,
        )
        .map_err(refused)?;
    if let Some(region) = region {
        changed |= ini
            .set(&matches, &header, crate::awsfiles::key::REGION, region)
            .map_err(refused)?;
    }
    Ok(changed)
}

/// `<absolute path of this binary> --username NAME`, plus `--store STORE`
/// when NAME lives in a store other than the platform's default, so that
/// the line finds the key whatever `auto` would pick where it runs. The
/// path is quoted so that botocore's shlex split and `sh -c` read it as one
/// word.
/// `flags` (the session flags, `--role-arn` and the rest) follow, each
/// value quoted as the path is.
pub fn process_command(name: &str, store: StoreKind, flags: &[(&str, String)]) -> Result<String> {
    let exe = quoted_exe()?;
    let mut line = format!("{exe} --username {name}{}", store.flag());
    for (flag, value) in flags {
        line.push_str(&format!(" {flag} {}", quote(value)));
    }
    Ok(line)
}

/// The line for an IAM Identity Center role: `<this binary>
/// --sso-session S --account-id ID --role-name R`, plus `--store` as for a
/// NAME.
pub fn sso_process_command(
    session: &str,
    account: &str,
    role: &str,
    store: StoreKind,
) -> Result<String> {
    let exe = quoted_exe()?;
    Ok(format!(
        "{exe} --sso-session {} --account-id {account} --role-name {}{}",
        quote(session),
        quote(role),
        store.flag()
    ))
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
/// for a NAME.
pub fn parse(command: &str) -> Option<Line> {
    let words = Words::of_awscreds(command)?;
    let value = |flag: &str| words.value(flag);
    Some(Line {
        name: value("--username")?,
        store: value("--store"),
        role_arn: value("--role-arn"),
        external_id: value("--external-id"),
        role_session_name: value("--role-session-name"),
        duration: value("--duration"),
        mfa_command: value("--mfa-command"),
    })
}

/// An awscreds-rs line for an IAM Identity Center role, read back:
/// (session, account, role, the `--store` as written).
pub fn parse_sso(command: &str) -> Option<(String, String, String, Option<String>)> {
    let words = Words::of_awscreds(command)?;
    Some((
        words.value("--sso-session")?,
        words.value("--account-id")?,
        words.value("--role-name")?,
        words.value("--store"),
    ))
}

fn quote(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+,:@%=".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        return word.to_string();
    }
    if cfg!(windows) {
        // cmd.exe and the Windows SDK splitters read double quotes.
        format!("\"{word}\"")
    } else {
        crate::shellwords::quote_sh(word)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(
            quote("/usr/local/bin/awscreds-rs"),
            "/usr/local/bin/awscreds-rs"
        );
        if cfg!(unix) {
            assert_eq!(
                quote("/opt/my tools/awscreds-rs"),
                "'/opt/my tools/awscreds-rs'"
            );
            assert_eq!(quote("/o'brien/bin"), r"'/o'\''brien/bin'");
            assert_eq!(quote("/a$b"), "'/a$b'");
        }
    }

    #[test]
    fn lines_read_back() {
        let line = |name: &str, store: Option<&str>| {
            Some(Line {
                name: name.into(),
                store: store.map(String::from),
                role_arn: None,
                external_id: None,
                role_session_name: None,
                duration: None,
                mfa_command: None,
            })
        };
        assert_eq!(
            parse("/usr/bin/awscreds-rs --username helen"),
            line("helen", None)
        );
        assert_eq!(
            parse("'/my tools/awscreds-rs' --username x --store keyutils"),
            line("x", Some("keyutils"))
        );
        assert_eq!(
            parse("awscreds-rs --store=keyutils --username=x"),
            line("x", Some("keyutils"))
        );
        assert_eq!(
            parse("awscreds-rs --username x --role-arn arn:aws:iam::1:role/r")
                .and_then(|l| l.role_arn),
            Some("arn:aws:iam::1:role/r".into())
        );
        let full = parse("awscreds-rs --username x --role-arn r --external-id e --role-session-name s --duration 2h --mfa-command 'ykman oath code'").unwrap();
        assert_eq!(
            (
                full.external_id.as_deref(),
                full.role_session_name.as_deref()
            ),
            (Some("e"), Some("s"))
        );
        assert_eq!(
            (full.duration.as_deref(), full.mfa_command.as_deref()),
            (Some("2h"), Some("ykman oath code"))
        );
        assert_eq!(parse("/opt/other --username x"), None);
        assert_eq!(parse("/usr/bin/awscreds-rs list"), None);
    }
}
