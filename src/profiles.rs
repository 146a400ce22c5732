//! The profiles of the AWS config and credentials files, and which
//! credential source an SDK picks for each, in botocore's order: a role,
//! web identity, SSO, static keys in the credentials file, a
//! credential_process, static keys in the config file.

use std::collections::{BTreeMap, BTreeSet};

use crate::awsfiles::key;
use crate::awsfiles::AwsFiles;

use crate::ini::Ini;
use crate::wiring::{Line, Target};

/// One profile's settings from both files (the last definition of a key wins).
#[derive(Debug, Default, Clone)]
pub struct Profile {
    pub config: BTreeMap<String, String>,
    pub credentials: BTreeMap<String, String>,
    pub in_config: bool,
    pub in_credentials: bool,
}

/// Where an SDK gets a profile's credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `credential_process` running awscreds-rs for NAME, from the store
    /// the line names (`None`: the default).
    Awscreds {
        name: String,
        store: Option<String>,
        /// The role the line assumes.
        role_arn: Option<String>,
        command: String,
    },
    /// Another `credential_process`.
    Process {
        command: String,
    },
    /// `aws_access_key_id` in the credentials file (`true`) or the config file.
    StaticKeys {
        in_credentials_file: bool,
    },
    Sso,
    Role {
        role_arn: String,
        source: String,
    },
    WebIdentity,
    None,
}

impl Source {
    pub fn kind(&self) -> &'static str {
        match self {
            Source::Awscreds { .. } => "awscreds-rs",
            Source::Process { .. } => "credential_process",
            Source::StaticKeys { .. } => "static keys",
            Source::Sso => "sso",
            Source::Role { .. } => "role",
            Source::WebIdentity => "web identity",
            Source::None => "none",
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Source::Awscreds {
                name,
                role_arn: None,
                ..
            } => format!("awscreds-rs {name}"),
            Source::Awscreds {
                name,
                role_arn: Some(role_arn),
                ..
            } => format!("awscreds-rs {name} as role {role_arn}"),
            Source::Process { command } => match crate::wiring::parse(command).map(|l| l.target) {
                Some(Target::Sso {
                    session,
                    account,
                    role,
                }) => format!(
                    "awscreds-rs Identity Center role {role} in {account} (session {session})"
                ),
                Some(Target::Login { session }) => format!("awscreds-rs AWS sign-in of {session}"),
                _ => format!("credential_process {command}"),
            },
            Source::StaticKeys {
                in_credentials_file: true,
            } => "static keys in the credentials file".into(),
            Source::StaticKeys {
                in_credentials_file: false,
            } => "static keys in the config file".into(),
            Source::Sso => "AWS IAM Identity Center (SSO)".into(),
            Source::Role { role_arn, source } => format!("role {role_arn} from {source}"),
            Source::WebIdentity => "web identity token".into(),
            Source::None => "none".into(),
        }
    }
}

impl Profile {
    /// A setting as the SDKs resolve it: the credentials file's value over
    /// the config file's (botocore and aws-config both merge the two, the
    /// credentials file last). Empty, and nested (`s3 =` then indented
    /// lines), count as unset.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.credentials
            .get(key)
            .or_else(|| self.config.get(key))
            .map(String::as_str)
            .filter(|v| !v.is_empty() && !v.starts_with('\n'))
    }

    pub fn has_static_keys_in_credentials(&self) -> bool {
        self.credentials.contains_key(key::ACCESS_KEY_ID)
            || self.credentials.contains_key(key::SECRET_ACCESS_KEY)
    }

    pub fn region(&self) -> Option<&str> {
        self.get(key::REGION)
    }

    pub fn source(&self) -> Source {
        if let Some(role_arn) = self.get(key::ROLE_ARN) {
            let source = match (
                self.get(key::SOURCE_PROFILE),
                self.get(key::CREDENTIAL_SOURCE),
            ) {
                (Some(p), _) => format!("profile {p}"),
                (None, Some(s)) => s.to_string(),
                (None, None) if self.get(key::WEB_IDENTITY_TOKEN_FILE).is_some() => {
                    "web identity".into()
                }
                (None, None) => "nothing (source_profile is missing)".into(),
            };
            return Source::Role {
                role_arn: role_arn.to_string(),
                source,
            };
        }
        if self.get(key::WEB_IDENTITY_TOKEN_FILE).is_some() {
            return Source::WebIdentity;
        }
        if self.get(key::SSO_SESSION).is_some() || self.get(key::SSO_START_URL).is_some() {
            return Source::Sso;
        }
        if self.has_static_keys_in_credentials() {
            return Source::StaticKeys {
                in_credentials_file: true,
            };
        }
        if let Some(command) = self.get(key::CREDENTIAL_PROCESS) {
            return match crate::wiring::parse(command) {
                Some(Line {
                    target: Target::Name { name, options },
                    store,
                }) => Source::Awscreds {
                    name,
                    store,
                    role_arn: options.role_arn,
                    command: command.to_string(),
                },
                _ => Source::Process {
                    command: command.to_string(),
                },
            };
        }
        if self.config.contains_key(key::ACCESS_KEY_ID) {
            return Source::StaticKeys {
                in_credentials_file: false,
            };
        }
        Source::None
    }
}

/// Every profile of both files, by name. Where a profile's section appears
/// twice in a file, the last one wins, as in the SDKs. One pass per file.
pub fn collect(config: &Ini, credentials: &Ini) -> BTreeMap<String, Profile> {
    let mut profiles: BTreeMap<String, Profile> = BTreeMap::new();
    for (header, props) in config.sections() {
        let Some(name) = crate::ini::config_profile_name(&header).map(String::from) else {
            continue;
        };
        let entry = profiles.entry(name).or_default();
        entry.in_config = true;
        entry.config = props.into_iter().collect();
    }
    for (header, props) in credentials.sections() {
        let entry = profiles.entry(header).or_default();
        entry.in_credentials = true;
        entry.credentials = props.into_iter().collect();
    }
    profiles
}

/// Every profile of both files, read and checked as the SDKs would read
/// them: a file that cannot be read, or reads differently to an SDK, is an
/// error that names it (a missing file is empty).
pub fn read_all(files: &AwsFiles) -> crate::error::Result<BTreeMap<String, Profile>> {
    let read = |path: &std::path::Path| -> crate::error::Result<Ini> {
        let text = crate::awsfiles::read_text(path)?.unwrap_or_default();
        let ini = Ini::parse(&text);
        crate::awsfiles::check_readable(path, &text, &ini)?;
        Ok(ini)
    };
    Ok(collect(&read(&files.config)?, &read(&files.credentials)?))
}

/// The awscreds-rs line behind `profile` (a NAME's or an Identity Center
/// role's): an error that says what to do when the profile is missing or
/// gets its credentials elsewhere.
pub fn awscreds_line(files: &AwsFiles, profile: &str) -> crate::error::Result<crate::wiring::Line> {
    let all = read_all(files)?;
    let Some(found) = all.get(profile) else {
        return Err(missing_profile(files, profile));
    };
    let source = found.source();
    match found
        .get(key::CREDENTIAL_PROCESS)
        .and_then(crate::wiring::parse)
    {
        // What the SDKs run: the line, unless a source before it wins.
        Some(line) if matches!(source, Source::Awscreds { .. } | Source::Process { .. }) => {
            Ok(line)
        }
        _ => Err(crate::error::Error::invalid(
            format!(
                "profile '{profile}' gets its credentials from {}, not from awscreds-rs",
                source.describe()
            ),
            format!(
                "wire it to a stored NAME with: {}",
                crate::fix::configure(profile, "NAME")
            ),
        )),
    }
}

/// A profile that neither file defines: the error names both files and
/// how to make one.
pub fn missing_profile(files: &AwsFiles, profile: &str) -> crate::error::Error {
    crate::error::Error::invalid(
        format!(
            "there is no profile '{profile}' in {} or {}",
            files.config.display(),
            files.credentials.display()
        ),
        format!(
            "list them with: {}; or make it with: {}",
            crate::fix::profiles(),
            crate::fix::configure(profile, "NAME")
        ),
    )
}

/// The names of every profile in both files; a file that cannot be read
/// counts as empty (for warnings and completions, not for diagnosis).
pub fn names(files: &AwsFiles) -> BTreeSet<String> {
    let headers = |path: &std::path::Path| {
        crate::awsfiles::read_text(path)
            .ok()
            .flatten()
            .map(|text| Ini::parse(&text).section_names())
            .unwrap_or_default()
    };
    let config = headers(&files.config);
    let from_config = config
        .iter()
        .filter_map(|h| crate::ini::config_profile_name(h));
    from_config
        .map(String::from)
        .chain(headers(&files.credentials))
        .collect()
}

/// The `source_profile` chain from `start`; `Err` with the loop's path when
/// it comes back to a profile already seen.
pub fn source_chain(
    profiles: &BTreeMap<String, Profile>,
    start: &str,
) -> Result<Vec<String>, Vec<String>> {
    let mut chain = vec![start.to_string()];
    let mut current = start.to_string();
    while let Some(next) = profiles
        .get(&current)
        .filter(|p| p.get(key::ROLE_ARN).is_some())
        .and_then(|p| p.get(key::SOURCE_PROFILE))
    {
        let next = next.to_string();
        let seen = chain.contains(&next);
        chain.push(next.clone());
        // A profile may use its own static keys as its source once.
        if seen
            && !(next == current
                && profiles
                    .get(&next)
                    .is_some_and(Profile::has_static_keys_in_credentials))
        {
            return Err(chain);
        }
        if next == current {
            break;
        }
        current = next;
    }
    Ok(chain)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profiles(config: &str, credentials: &str) -> BTreeMap<String, Profile> {
        collect(&Ini::parse(config), &Ini::parse(credentials))
    }

    #[test]
    fn sources_in_botocores_order() {
        let p = profiles(
            "[profile a]\ncredential_process = /usr/bin/awscreds-rs --username helen\n\
             [profile b]\ncredential_process = /opt/other --x\n\
             [profile c]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = a\n\
             [profile d]\nsso_session = corp\n\
             [profile e]\ncredential_process = '/my tools/awscreds-rs' --username x\n\
             [default]\nregion = us-east-1\n",
            "[a]\naws_access_key_id = AKIA\naws_secret_access_key = s\n",
        );
        assert_eq!(
            p["a"].source(),
            Source::StaticKeys {
                in_credentials_file: true
            }
        );
        assert_eq!(
            p["b"].source(),
            Source::Process {
                command: "/opt/other --x".into()
            }
        );
        assert!(matches!(p["c"].source(), Source::Role { .. }));
        assert_eq!(p["d"].source(), Source::Sso);
        assert!(matches!(p["e"].source(), Source::Awscreds { ref name, .. } if name == "x"));
        assert_eq!(p["default"].source(), Source::None);
        assert_eq!(p["default"].region(), Some("us-east-1"));
    }

    #[test]
    fn source_profile_loops() {
        let p = profiles(
            "[profile a]\nrole_arn = r\nsource_profile = b\n[profile b]\nrole_arn = r\nsource_profile = a\n\
             [profile c]\nrole_arn = r\nsource_profile = c\n[profile ok]\nrole_arn = r\nsource_profile = base\n",
            "[c]\naws_access_key_id = A\naws_secret_access_key = s\n[base]\naws_access_key_id = A\n",
        );
        assert_eq!(
            source_chain(&p, "a"),
            Err(vec!["a".into(), "b".into(), "a".into()])
        );
        assert!(
            source_chain(&p, "c").is_ok(),
            "a role may take its own keys as source"
        );
        assert_eq!(source_chain(&p, "ok"), Ok(vec!["ok".into(), "base".into()]));
    }
}
