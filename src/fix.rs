//! The awscreds-rs commands that messages tell the user to type, built in
//! one place so that each one parses: a unit test in `cli.rs` runs every
//! function here through the real command line, and the tidy test finds no
//! such command written by hand elsewhere.
//!
//! A value the user must choose is a placeholder in capitals (`NAME`,
//! `PROFILE`); a value the program knows (a NAME that is valid, a profile
//! name) goes in as it is, quoted for sh when it needs quotes.

use std::fmt;

/// A store as a command line names it (`store_kind::StoreKind`, which
/// sits above this module and implements this).
pub trait Store: Copy {
    /// The `--store` value.
    fn id(self) -> &'static str;
    /// Whether a line without `--store` reads it on this platform.
    fn is_platform_default(self) -> bool;
}

/// One command line to suggest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// The words after `awscreds-rs`, each with whether it is shown
    /// quoted whatever it holds (a path the user typed).
    words: Vec<(String, bool)>,
}

impl Fix {
    /// `awscreds-rs` and a subcommand (`&["sso", "login"]`), or none.
    pub fn new(command: &[&str]) -> Fix {
        Fix {
            words: command.iter().map(|w| (w.to_string(), false)).collect(),
        }
    }

    /// `--flag VALUE`.
    pub fn arg(mut self, flag: &str, value: &str) -> Fix {
        self.words.push((flag.to_string(), false));
        self.words.push((value.to_string(), false));
        self
    }

    /// A flag without a value (`--force`), or a word (`--`, a command).
    pub fn word(mut self, word: &str) -> Fix {
        self.words.push((word.to_string(), false));
        self
    }

    /// A path, shown quoted whatever it holds, as the user may have typed
    /// it.
    pub fn path(mut self, path: &str) -> Fix {
        self.words.push((path.to_string(), true));
        self
    }

    /// `--store ID` when `store` is not the platform's default, as the
    /// line needs it (`StoreKind::flag`).
    pub fn store(self, store: impl Store) -> Fix {
        if store.is_platform_default() {
            self
        } else {
            self.arg("--store", store.id())
        }
    }

    /// `--store ID`, whatever the default.
    pub fn store_always(self, store: impl Store) -> Fix {
        self.arg("--store", store.id())
    }

    /// The words after the program's name, as `Cli::try_parse_from` takes
    /// them (after `awscreds-rs`).
    pub fn args(&self) -> Vec<&str> {
        self.words.iter().map(|(w, _)| w.as_str()).collect()
    }
}

impl fmt::Display for Fix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("awscreds-rs")?;
        for (word, quoted) in &self.words {
            let plain = !quoted
                && !word.is_empty()
                && word
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+%".contains(c));
            if plain {
                write!(f, " {word}")?;
            } else {
                write!(f, " {}", crate::shellwords::quote_sh(word))?;
            }
        }
        Ok(())
    }
}

/// `awscreds-rs add --username NAME` in `store` (named when not the
/// default).
pub fn add(name: &str, store: impl Store) -> Fix {
    Fix::new(&["add"]).arg("--username", name).store(store)
}

/// `add --force`: fresh credentials over the stored ones.
pub fn add_again(name: &str, store: impl Store) -> Fix {
    add(name, store).word("--force")
}

/// `configure --profile P --username NAME`.
pub fn configure(profile: &str, name: &str) -> Fix {
    Fix::new(&["configure"])
        .arg("--profile", profile)
        .arg("--username", name)
}

/// `configure` for a line that reads `store`.
pub fn configure_in(profile: &str, name: &str, store: impl Store) -> Fix {
    configure(profile, name).store_always(store)
}

/// `configure` for an Identity Center role.
pub fn configure_sso(profile: &str, session: &str, account: &str, role: &str) -> Fix {
    Fix::new(&["configure"])
        .arg("--profile", profile)
        .arg("--sso-session", session)
        .arg("--account-id", account)
        .arg("--role-name", role)
}

pub fn sso_login(session: &str) -> Fix {
    Fix::new(&["sso", "login"]).arg("--session", session)
}

/// `login --profile P`: AWS's own sign-in, into P's line.
pub fn login(profile: &str) -> Fix {
    Fix::new(&["login"]).arg("--profile", profile)
}

/// `login --profile P --remote`: signed in with a code from another machine's browser.
pub fn login_remote(profile: &str) -> Fix {
    login(profile).word("--remote")
}

/// `import --login --profile P`: what `aws login` cached, into the store.
pub fn import_login(profile: &str) -> Fix {
    Fix::new(&["import"])
        .word("--login")
        .arg("--profile", profile)
}

/// `configure` with a role for NAME's line (the role's ARN to fill in).
pub fn configure_role(profile: &str, name: &str) -> Fix {
    configure(profile, name).arg("--role-arn", "ROLE_ARN")
}

pub fn remove(name: &str, store: impl Store) -> Fix {
    Fix::new(&["remove"]).arg("--username", name).store(store)
}

pub fn rotate(name: &str, store: impl Store) -> Fix {
    Fix::new(&["rotate"]).arg("--username", name).store(store)
}

pub fn refresh(profile: &str) -> Fix {
    Fix::new(&["refresh"]).arg("--profile", profile)
}

pub fn doctor_profile(profile: &str) -> Fix {
    Fix::new(&["doctor"]).arg("--profile", profile)
}

pub fn import_profile(profile: &str) -> Fix {
    Fix::new(&["import"]).arg("--profile", profile)
}

pub fn import_all() -> Fix {
    Fix::new(&["import", "--all"])
}

pub fn import_sso() -> Fix {
    Fix::new(&["import", "--sso"])
}

pub fn move_name(name: &str, to: impl Store) -> Fix {
    Fix::new(&["move"])
        .arg("--username", name)
        .arg("--to", to.id())
}

pub fn move_all(from: impl Store, to: impl Store) -> Fix {
    Fix::new(&["move", "--all"])
        .arg("--from", from.id())
        .arg("--to", to.id())
}

pub fn exec(profile: &str) -> Fix {
    Fix::new(&["exec"])
        .arg("--profile", profile)
        .word("--")
        .word("CMD")
}

pub fn allow(dir: &str) -> Fix {
    Fix::new(&["allow"]).path(dir)
}

pub fn unlock() -> Fix {
    Fix::new(&["unlock"])
}

pub fn lock() -> Fix {
    Fix::new(&["lock"])
}

pub fn passwd() -> Fix {
    Fix::new(&["passwd"])
}

/// `add --from-env`: the key variables of this shell, stored.
pub fn add_from_env(name: &str) -> Fix {
    Fix::new(&["add"])
        .arg("--username", name)
        .word("--from-env")
}

/// `add --mfa-serial ARN`: a device recorded for a stored key.
pub fn add_mfa(name: &str) -> Fix {
    Fix::new(&["add"])
        .arg("--username", name)
        .arg("--mfa-serial", "ARN")
}

/// `configure` with the profile's region too.
pub fn configure_with_region(profile: &str, name: &str, region: &str) -> Fix {
    configure(profile, name).arg("--region", region)
}

/// `remove` in a store named whatever the default.
pub fn remove_in(name: &str, store: impl Store) -> Fix {
    Fix::new(&["remove"])
        .store_always(store)
        .arg("--username", name)
}

/// `rotate` with the command that prints the MFA code.
pub fn rotate_with_code(name: &str) -> Fix {
    Fix::new(&["rotate"])
        .arg("--username", name)
        .arg("--mfa-command", "CMD")
}

pub fn init(shell: &str) -> Fix {
    Fix::new(&["init", shell])
}

pub fn use_profile(profile: &str) -> Fix {
    Fix::new(&["use", profile])
}

pub fn list_in(store: impl Store) -> Fix {
    Fix::new(&["list"]).store_always(store)
}

pub fn profiles() -> Fix {
    Fix::new(&["profiles"])
}

pub fn doctor() -> Fix {
    Fix::new(&["doctor"])
}

pub fn doctor_store(store: impl Store) -> Fix {
    doctor().store_always(store)
}

/// `exec --profile P -- COMMAND...`: a command line typed without its `--`.
pub fn exec_with(profile: &str, command: &[&str]) -> Fix {
    command.iter().fold(
        Fix::new(&["exec"]).arg("--profile", profile).word("--"),
        |fix, w| fix.word(w),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy)]
    struct Other;

    impl Store for Other {
        fn id(self) -> &'static str {
            "file"
        }
        fn is_platform_default(self) -> bool {
            false
        }
    }

    #[test]
    fn commands_read_as_typed() {
        assert_eq!(
            add("helen", Other).to_string(),
            "awscreds-rs add --username helen --store file"
        );
        assert_eq!(
            sso_login("corp").to_string(),
            "awscreds-rs sso login --session corp"
        );
        assert_eq!(
            allow("/home/helen/my app").to_string(),
            "awscreds-rs allow '/home/helen/my app'"
        );
    }
}
