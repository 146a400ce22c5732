//! `awscreds-rs import --sso [--session S]`: the AWS CLI's plaintext
//! Identity Center tokens (`~/.aws/sso/cache/*.json`) into the store. For
//! each session: the cached token is stored and read back, then the
//! session's profiles are pointed at awscreds-rs (their `sso_*` keys
//! removed, as the SDKs would take those first), and only then is the
//! cache file removed. A kill at any step leaves the token in at least one
//! place and every profile working.

use std::path::PathBuf;

use time::OffsetDateTime;

use crate::awsfiles::{self, key, AwsFiles, Edit};
use crate::context::Env;
use crate::credentials::parse_expiration;
use crate::error::{Error, Result};
use crate::ini::{is_config_header, Ini};
use crate::secret::Secret;
use crate::sso::{self, Stored};
use crate::store::{Store, StoreChoice};

/// The sso_* keys a profile loses once its line runs awscreds-rs.
const SSO_KEYS: [&str; 5] = [
    key::SSO_SESSION,
    key::SSO_ACCOUNT_ID,
    key::SSO_ROLE_NAME,
    key::SSO_START_URL,
    key::SSO_REGION,
];

pub fn run(choice: StoreChoice, session: Option<&str>) -> Result<()> {
    let env = Env::process();
    let files = AwsFiles::locate(&env)?;
    let mut edit = Edit::begin(&env, &[&files.config])?;
    edit.check_editable()?;
    let config = edit.file();
    config.check_readable()?;
    let names: Vec<String> = match session {
        Some(name) => vec![name.to_string()],
        None => sso::session_names(&config.ini),
    };
    if names.is_empty() {
        return Err(Error::invalid(
            format!("{} defines no [sso-session]", files.config.display()),
            format!(
                "nothing to import; log in with {} once one is defined",
                crate::fix::sso_login("S")
            ),
        ));
    }
    let store = Store::open(choice, &env)?;
    let cache_dir = crate::paths::home_dir(&env)?.join(".aws/sso/cache");
    let profiles = crate::profiles::collect(&config.ini, &Ini::parse(""));
    let mut to_remove: Vec<PathBuf> = Vec::new();
    let mut pointed = Vec::new();
    for name in &names {
        sso::validate(name, None, None)?;
        let session = sso::session_from(&config.ini, &files.config, name)?;
        let Some((stored, found)) = cached(&cache_dir, &session.start_url)? else {
            crate::say!(
                "No AWS CLI token cache for session '{name}' in {}.",
                cache_dir.display()
            );
            continue;
        };
        // (1) Stored and read back (save_document compares) before
        // anything else changes.
        sso::save(&store, name, &stored)?;
        crate::faults::stop_here_in_tests("sso-stored");
        crate::say!("Stored the login of session '{name}' in {}.", store.label());
        // (2) Its profiles run awscreds-rs for their role.
        for (profile, settings) in &profiles {
            let (Some(account), Some(role)) = (
                settings.get(key::SSO_ACCOUNT_ID),
                settings.get(key::SSO_ROLE_NAME),
            ) else {
                continue;
            };
            if settings.get(key::SSO_SESSION) != Some(name.as_str()) {
                continue;
            }
            sso::validate(name, Some(account), Some(role))?;
            let target = crate::wiring::Target::sso(name, account, role);
            let command = crate::wiring::Line::new(target, store.kind()).command()?;
            crate::awsfiles::set_profile(&mut config.ini, profile, &command, None)?;
            config
                .ini
                .remove_keys(&|h: &str| is_config_header(h, profile), &SSO_KEYS);
            pointed.push(profile.clone());
        }
        to_remove.extend(found);
    }
    if config.changed() {
        let backup = edit.write(0)?.backup;
        crate::say!(
            "Profiles {} in {} now run awscreds-rs for their role.",
            pointed
                .iter()
                .map(|p| format!("'{p}'"))
                .collect::<Vec<_>>()
                .join(", "),
            files.config.display()
        );
        if let Some(backup) = backup {
            crate::say!("  backup of the old file: {}", backup.display());
        }
    }
    crate::faults::stop_here_in_tests("sso-configured");
    // (3) Only now the plaintext goes.
    for path in &to_remove {
        std::fs::remove_file(path)
            .map_err(|e| Error::io(format!("cannot remove {}", path.display()), e))?;
        crate::say!("Removed the plaintext cache {}.", path.display());
    }
    Ok(())
}

/// The AWS CLI's cached token for `start_url`, as a stored session, and
/// every cache file that holds one for it (the newest is kept).
fn cached(dir: &std::path::Path, start_url: &str) -> Result<Option<(Stored, Vec<PathBuf>)>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(None);
    };
    let mut best: Option<Stored> = None;
    let mut files = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let text = match awsfiles::read_cache_file(&path) {
            Ok(text) => text,
            Err(why) => {
                crate::say!(
                    "awscreds-rs: passed over {}: {why}; nothing in it was read, and it \
                     stays as it is (look at it, and remove it by hand if it holds a token)",
                    path.display()
                );
                continue;
            }
        };
        let Ok(doc) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        if doc["startUrl"].as_str() != Some(start_url) || !doc["accessToken"].is_string() {
            continue;
        }
        files.push(path.clone());
        let Some(stored) = from_cache(&doc) else {
            return Err(Error::invalid(
                format!(
                    "{} holds a token without the client registration awscreds-rs renews it with",
                    path.display()
                ),
                format!(
                    "log in with {} instead; the file was left as it is",
                    crate::fix::sso_login("S")
                ),
            ));
        };
        if best
            .as_ref()
            .is_none_or(|b| stored.expires_at > b.expires_at)
        {
            best = Some(stored);
        }
    }
    Ok(best.map(|b| (b, files)))
}

/// botocore's cache keys: startUrl, region, accessToken, expiresAt,
/// clientId, clientSecret, registrationExpiresAt, refreshToken.
fn from_cache(doc: &serde_json::Value) -> Option<Stored> {
    let text = |k: &str| doc[k].as_str().map(String::from);
    // Older AWS CLIs wrote "2019-12-04T21:00:00UTC".
    let time = |k: &str| -> Option<i64> {
        let raw = text(k)?;
        let raw = raw
            .strip_suffix("UTC")
            .map_or(raw.clone(), |t| format!("{t}Z"));
        parse_expiration(&raw).map(OffsetDateTime::unix_timestamp)
    };
    Some(Stored::new(
        text("startUrl")?,
        text("region")?,
        sso::Client {
            id: text("clientId")?,
            secret: Secret::new(text("clientSecret")?),
            expires_at: time("registrationExpiresAt")?,
            // Not in the token's file: taken as the device code's, so
            // that `sso login` registers anew for the authorization code.
            grant_types: Vec::new(),
        },
        Secret::new(text("accessToken")?),
        time("expiresAt")?,
        text("refreshToken").map(Secret::new),
    ))
}
