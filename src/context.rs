//! The process environment as the library sees it. A command takes
//! [`Env::process`] and hands it down; the library reads a variable only
//! through it, so a test can give exactly the variables it means
//! ([`Env::given`]) and nothing below the commands reads `std::env`
//! (tests/tidy.rs holds it to that). The process's variables are read when
//! asked, not copied up front: the hot paths read two or three.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Env {
    /// `None`: the process's own environment.
    given: Option<Vec<(OsString, OsString)>>,
}

impl Env {
    /// The environment this process runs in.
    pub fn process() -> Env {
        Env { given: None }
    }

    /// Exactly these variables, for tests.
    pub fn given<K: Into<OsString>, V: Into<OsString>>(
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Env {
        Env {
            given: Some(
                vars.into_iter()
                    .map(|(k, v)| (k.into(), v.into()))
                    .collect(),
            ),
        }
    }

    /// A variable as the OS holds it, set or not.
    pub fn var_os(&self, name: &str) -> Option<OsString> {
        match &self.given {
            None => std::env::var_os(name),
            Some(vars) => vars
                .iter()
                .find(|(k, _)| k == OsStr::new(name))
                .map(|(_, v)| v.clone()),
        }
    }

    /// A variable that is set, not empty and UTF-8: the form nearly every
    /// variable here is read in (an empty one counts as unset, as the AWS
    /// SDKs count it).
    pub fn var(&self, name: &str) -> Option<String> {
        self.var_os(name)
            .and_then(|v| v.into_string().ok())
            .filter(|v| !v.is_empty())
    }

    /// A variable that is set and UTF-8, empty or not: for the hook's
    /// state, where an empty value differs from an unset one.
    pub fn var_set(&self, name: &str) -> Option<String> {
        self.var_os(name).and_then(|v| v.into_string().ok())
    }

    /// Every variable, names and values as the OS holds them (doctor
    /// lists what it finds; nothing here assumes UTF-8).
    pub fn vars_os(&self) -> Vec<(OsString, OsString)> {
        match &self.given {
            None => std::env::vars_os().collect(),
            Some(vars) => vars.clone(),
        }
    }
}

/// The working directory; where it cannot be read (it was removed), the
/// shell's `PWD`, else the error.
pub fn current_dir(env: &Env) -> std::io::Result<PathBuf> {
    std::env::current_dir().or_else(|e| env.var("PWD").map(PathBuf::from).ok_or(e))
}

/// This program's file, as the OS reports it.
pub fn current_exe() -> std::io::Result<PathBuf> {
    std::env::current_exe()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_given_environment_is_all_there_is() {
        let env = Env::given([("HOME", "/h"), ("EMPTY", "")]);
        assert_eq!(env.var("HOME").as_deref(), Some("/h"));
        assert_eq!(env.var("EMPTY"), None);
        assert_eq!(env.var_os("EMPTY"), Some(OsString::new()));
        assert_eq!(env.var("PATH"), None);
        assert_eq!(env.vars_os().len(), 2);
    }
}
