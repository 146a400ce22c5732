//! The names of the store's entries, and which commands touch which.
//!
//! A store holds a user's keys under their NAME and, beside them, what
//! awscreds-rs made from them or signed in to. Every entry name is made and
//! read here, and only here:
//!
//! | entry                    | kind     | what it holds                          |
//! |--------------------------|----------|----------------------------------------|
//! | `NAME`                   | key      | the user's key (`add`)                 |
//! | `NAME#mfa`               | cached   | the MFA session (GetSessionToken)      |
//! | `NAME#role-HEX`          | cached   | a role session (AssumeRole)            |
//! | `NAME#session`           | cached   | the endpoint's session without MFA     |
//! | `#sso-S`                 | login    | Identity Center session S's tokens     |
//! | `#sso-S#ACCOUNT-ROLE`    | cached   | a role's credentials from session S    |
//! | `#login-HEX`             | login    | an AWS sign-in (`login`): its keys     |
//!
//! `#` never appears in a NAME (`names::validate_name`), so a NAME cannot be
//! mistaken for anything else. `list`, `move` and the completions see keys;
//! `clear` drops cached credentials and keeps logins, which leave with
//! `sso logout` or `logout`; `remove` and `move` take a NAME's own cached sessions
//! with it. An entry this version does not know (written by a newer one)
//! is left alone by all of them.

use std::fmt;

/// One entry's name, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A user's key: `NAME`.
    Key(String),
    /// NAME's MFA session: `NAME#mfa`.
    Mfa(String),
    /// A role session opened from NAME: `NAME#role-HEX`, where HEX sums up
    /// the role, its external id and session name, and the MFA device.
    Role { name: String, hash: String },
    /// NAME's session without MFA, for the container endpoint: `NAME#session`.
    Plain(String),
    /// An Identity Center session's registration and tokens: `#sso-S`.
    SsoLogin(String),
    /// A role's credentials from Identity Center: `#sso-S#ACCOUNT-ROLE`.
    SsoRole {
        session: String,
        account: String,
        role: String,
    },
    /// An AWS sign-in's refresh token, DPoP key and credentials:
    /// `#login-HEX`, where HEX sums up the login session's ARN.
    Login(String),
    /// A name this version does not know.
    Other(String),
}

/// What an entry is to the commands that manage the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A user's key: listed, moved, removed by name.
    Key,
    /// Credentials made from something else and renewed at will: `clear`
    /// drops them.
    Cached,
    /// A sign-in that took the user's browser or device: kept by `clear`,
    /// dropped by its own logout.
    Login,
    /// Unknown: nothing touches it.
    Other,
}

const SSO: &str = "#sso-";
const LOGIN: &str = "#login-";

impl Entry {
    /// Reads a name as the store lists it.
    pub fn parse(text: &str) -> Entry {
        if let Some(hash) = text.strip_prefix(LOGIN) {
            return if !hash.is_empty() && hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                Entry::Login(hash.to_string())
            } else {
                Entry::Other(text.to_string())
            };
        }
        if let Some(rest) = text.strip_prefix(SSO) {
            return match rest.split_once('#') {
                None if !rest.is_empty() => Entry::SsoLogin(rest.to_string()),
                Some((session, role_part)) if !session.is_empty() => {
                    match role_part.split_once('-') {
                        Some((account, role)) if !account.is_empty() && !role.is_empty() => {
                            Entry::SsoRole {
                                session: session.to_string(),
                                account: account.to_string(),
                                role: role.to_string(),
                            }
                        }
                        _ => Entry::Other(text.to_string()),
                    }
                }
                _ => Entry::Other(text.to_string()),
            };
        }
        let Some((name, tag)) = text.split_once('#') else {
            return Entry::Key(text.to_string());
        };
        if name.is_empty() {
            return Entry::Other(text.to_string());
        }
        let name = name.to_string();
        match tag {
            "mfa" => Entry::Mfa(name),
            "session" => Entry::Plain(name),
            _ => match tag.strip_prefix("role-") {
                Some(hash) if !hash.is_empty() && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
                    Entry::Role {
                        name,
                        hash: hash.to_string(),
                    }
                }
                _ => Entry::Other(text.to_string()),
            },
        }
    }

    /// The role session entry for these parts (the role's ARN, its
    /// external id and session name, the MFA device's serial).
    pub fn role(name: &str, parts: [&str; 4]) -> Entry {
        let mut bytes: Vec<&[u8]> = Vec::new();
        for part in parts {
            bytes.extend([part.as_bytes(), &[0]]);
        }
        Entry::Role {
            name: name.to_string(),
            hash: crate::digest::sha256_hex(&bytes, 8),
        }
    }

    /// The entry of the AWS sign-in whose session has this ARN.
    pub fn login(session: &str) -> Entry {
        Entry::Login(crate::digest::sha256_hex(&[session.as_bytes()], 8))
    }

    pub fn kind(&self) -> Kind {
        match self {
            Entry::Key(_) => Kind::Key,
            Entry::Mfa(_) | Entry::Role { .. } | Entry::Plain(_) | Entry::SsoRole { .. } => {
                Kind::Cached
            }
            Entry::SsoLogin(_) | Entry::Login(_) => Kind::Login,
            Entry::Other(_) => Kind::Other,
        }
    }

    /// The NAME whose key this entry is or was made from.
    pub fn owner(&self) -> Option<&str> {
        match self {
            Entry::Key(name) | Entry::Mfa(name) | Entry::Role { name, .. } | Entry::Plain(name) => {
                Some(name)
            }
            _ => None,
        }
    }

    /// Whether this is one of NAME's cached sessions (not NAME itself).
    pub fn is_cache_of(&self, name: &str) -> bool {
        self.kind() == Kind::Cached && self.owner() == Some(name)
    }

    /// The Identity Center session this entry belongs to.
    pub fn sso_session(&self) -> Option<&str> {
        match self {
            Entry::SsoLogin(session) | Entry::SsoRole { session, .. } => Some(session),
            _ => None,
        }
    }
}

impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Entry::Key(name) | Entry::Other(name) => f.write_str(name),
            Entry::Mfa(name) => write!(f, "{name}#mfa"),
            Entry::Role { name, hash } => write!(f, "{name}#role-{hash}"),
            Entry::Plain(name) => write!(f, "{name}#session"),
            Entry::SsoLogin(session) => write!(f, "{SSO}{session}"),
            Entry::Login(hash) => write!(f, "{LOGIN}{hash}"),
            Entry::SsoRole {
                session,
                account,
                role,
            } => write!(f, "{SSO}{session}#{account}-{role}"),
        }
    }
}

/// Whether the entry named `text` is a user's key.
pub fn is_key(text: &str) -> bool {
    Entry::parse(text).kind() == Kind::Key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_as_written() {
        let all = [
            Entry::Key("helen".into()),
            Entry::Mfa("helen".into()),
            Entry::role("helen", ["arn:aws:iam::111111111111:role/a", "", "", ""]),
            Entry::Plain("helen".into()),
            Entry::SsoLogin("corp".into()),
            Entry::login("arn:aws:iam::123456789012:user/helen"),
            Entry::SsoRole {
                session: "corp".into(),
                account: "111111111111".into(),
                role: "Admin-Team".into(),
            },
        ];
        for entry in all {
            assert_eq!(Entry::parse(&entry.to_string()), entry, "{entry}");
        }
    }

    #[test]
    fn names_as_the_stores_hold_them() {
        assert_eq!(Entry::Mfa("helen".into()).to_string(), "helen#mfa");
        assert_eq!(Entry::Plain("helen".into()).to_string(), "helen#session");
        assert_eq!(Entry::SsoLogin("corp".into()).to_string(), "#sso-corp");
        assert_eq!(
            Entry::parse("#sso-corp#111111111111-Admin").to_string(),
            "#sso-corp#111111111111-Admin"
        );
        let role = Entry::role("helen", ["a", "", "", ""]).to_string();
        assert!(role.starts_with("helen#role-") && role.len() == "helen#role-".len() + 16);
    }

    #[test]
    fn kinds_decide_what_each_command_touches() {
        assert_eq!(Entry::parse("helen").kind(), Kind::Key);
        assert_eq!(Entry::parse("helen#mfa").kind(), Kind::Cached);
        assert_eq!(Entry::parse("helen#role-0123abcd").kind(), Kind::Cached);
        assert_eq!(Entry::parse("helen#session").kind(), Kind::Cached);
        assert_eq!(Entry::parse("#sso-corp").kind(), Kind::Login);
        assert_eq!(Entry::parse("#login-0123abcd").kind(), Kind::Login);
        assert_eq!(
            Entry::parse("#sso-corp#111111111111-A").kind(),
            Kind::Cached
        );
        for unknown in [
            "helen#login-x",
            "#sso-",
            "#other",
            "helen#role-xyz",
            "#sso-c#1",
            "#login-",
            "#login-xyz",
        ] {
            assert_eq!(Entry::parse(unknown).kind(), Kind::Other, "{unknown}");
        }
    }

    #[test]
    fn a_names_caches_are_its_own() {
        assert!(Entry::parse("helen#mfa").is_cache_of("helen"));
        assert!(!Entry::parse("helen2#mfa").is_cache_of("helen"));
        assert!(!Entry::parse("helen").is_cache_of("helen"));
        assert!(!Entry::parse("#sso-helen").is_cache_of("helen"));
        assert_eq!(
            Entry::parse("#sso-corp#111111111111-A").sso_session(),
            Some("corp")
        );
        assert_eq!(Entry::parse("#sso-corp2").sso_session(), Some("corp2"));
    }
}
