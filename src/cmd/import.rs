//! `awscreds-rs import`: move static keys out of the shared credentials file
//! into the keychain, without a moment in which a key exists nowhere.
//!
//! The order is what makes it safe: (1) check every profile and both files;
//! (2) store each key and read it back; (3) point the profiles at
//! awscreds-rs in the config file; (4) only then delete the plaintext. Until
//! step 4 the plaintext keys are still in the credentials file, and SDKs
//! prefer them over credential_process, so a stop at any point leaves every
//! profile resolving to the same keys, and a second run finishes the move.

use std::path::Path;

use time::OffsetDateTime;

use crate::awsfiles::set_profile;
use crate::awsfiles::{self, AwsFiles};
use crate::cli::ImportArgs;
use crate::context::Env;
use crate::credentials::{mask_access_key_id, Credentials};
use crate::error::{Error, Result};
use crate::ini::{is_config_header, Ini};
use crate::names::{validate_name, validate_profile_name};
use crate::secret::Secret;
use crate::store::{Store, StoreChoice};
use crate::wiring::{self, Line, Target};

use crate::awsfiles::key::{
    ACCESS_KEY_ID as KEY_ID, SECRET_ACCESS_KEY as SECRET_KEY, SESSION_TOKEN as TOKEN,
};

/// One profile's move.
struct Move {
    profile: String,
    name: String,
    credentials: Credentials,
}

pub fn run(choice: StoreChoice, args: &ImportArgs) -> Result<()> {
    let env = Env::process();
    let files = AwsFiles::locate(&env)?;
    let lock = awsfiles::lock(&env, &[&files.config, &files.credentials])?;
    let creds_old = awsfiles::read_text(&files.credentials)?;
    let config_old = awsfiles::read_text(&files.config)?;
    let mut creds_ini = Ini::parse(creds_old.as_deref().unwrap_or(""));
    let mut config_ini = Ini::parse(config_old.as_deref().unwrap_or(""));
    let store = Store::open(choice, &env)?;

    // (1) Check everything before changing anything. A section or a key
    // written twice holds two keys for one profile: moving one and deleting
    // the file's keys would lose the other.
    awsfiles::check_editable(&files.credentials)?;
    awsfiles::check_editable(&files.config)?;
    let doubled = creds_ini.doubled();
    if !doubled.is_empty() {
        return Err(Error::invalid(
            format!(
                "{} defines {} more than once",
                files.credentials.display(),
                doubled.join(", ")
            ),
            "keep one copy of each (boto3 and the AWS CLI refuse such a file too); \
             nothing was changed",
        ));
    }
    awsfiles::check_readable(
        &files.credentials,
        creds_old.as_deref().unwrap_or(""),
        &creds_ini,
    )?;
    awsfiles::check_readable(
        &files.config,
        config_old.as_deref().unwrap_or(""),
        &config_ini,
    )?;
    let wanted: Vec<(String, String)> = match &args.profile {
        Some(profile) => {
            let name = args.username.clone().unwrap_or_else(|| profile.clone());
            vec![(profile.clone(), name)]
        }
        None => creds_ini
            .section_names()
            .into_iter()
            .filter(|p| has_keys(&creds_ini, p))
            .map(|p| (p.clone(), p))
            .collect(),
    };
    let mut moves = Vec::new();
    for (profile, name) in wanted {
        validate_profile_name(&profile)?;
        validate_name(&name)?;
        match read_keys(&creds_ini, &profile, &files.credentials)? {
            Some(credentials) => moves.push(Move {
                profile,
                name,
                credentials,
            }),
            None if already_moved(&store, &config_ini, &profile, &name)? => {
                crate::say!(
                    "Profile '{profile}' has no keys left in {}: nothing to move.",
                    files.credentials.display()
                );
            }
            None => {
                return Err(Error::invalid(
                    format!(
                        "profile '{profile}' has no keys in {}",
                        files.credentials.display()
                    ),
                    format!(
                        "name a profile listed there ({} moves every one)",
                        crate::fix::import_all()
                    ),
                ))
            }
        }
    }
    if moves.is_empty() {
        crate::say!(
            "Nothing to import: no keys are left in {}.",
            files.credentials.display()
        );
        return Ok(());
    }
    if !store.kind().survives_reboot() {
        return Err(Error::invalid(
            format!(
                "import would delete the plaintext keys in favour of {}, which loses them \
                 at reboot{}",
                store.label(),
                crate::store::keyutils_expiry_note()
            ),
            "import into a store that lasts: the same command with --store file (the \
             encrypted file store, one passphrase per boot), or with --store secret-service \
             where a Secret Service runs; nothing was changed",
        ));
    }
    let mut to_store = Vec::new();
    for m in &moves {
        match store.load(&m.name)? {
            Some(stored) if same_key(&stored, &m.credentials) => {}
            Some(_) => {
                return Err(Error::invalid(
                    format!(
                        "'{}' in {} already holds a different key than profile '{}'",
                        m.name,
                        store.label(),
                        m.profile
                    ),
                    format!(
                    "import it under another name (--username), or remove the stored one first: {}",
                    crate::fix::remove(&m.name, store.kind())
                ),
                ))
            }
            None => to_store.push(m),
        }
    }

    // (2) Into the keychain, each read back and compared by `save`.
    for m in to_store {
        store.save(&m.name, &m.credentials)?;
    }
    super::tell_created(&store);
    crate::faults::stop_here_in_tests("stored");

    // (3) The profiles run awscreds-rs.
    for m in &moves {
        let command = Line::new(Target::plain(&m.name), store.kind()).command()?;
        set_profile(&mut config_ini, &m.profile, &command, None)?;
    }
    let config_new = config_ini.render();
    let config_backup =
        awsfiles::replace(&files.config, config_old.as_deref(), &config_new, &lock)?;
    crate::faults::stop_here_in_tests("configured");

    // (4) Only now the plaintext goes.
    for m in &moves {
        creds_ini.remove_keys(&|h: &str| h == m.profile, &[KEY_ID, SECRET_KEY, TOKEN]);
    }
    let creds_backup = awsfiles::replace(
        &files.credentials,
        creds_old.as_deref(),
        &creds_ini.render(),
        &lock,
    )?;

    for m in &moves {
        crate::say!(
            "Moved the key {} of profile '{}' into {} as '{}'.",
            mask_access_key_id(&m.credentials.access_key_id),
            m.profile,
            store.label(),
            m.name
        );
    }
    crate::say!(
        "{} now runs awscreds-rs for {} profile(s){}",
        files.config.display(),
        moves.len(),
        backup_note(config_backup.as_deref())
    );
    crate::say!(
        "Removed the plaintext keys from {}{}",
        files.credentials.display(),
        backup_note(creds_backup.as_deref())
    );
    if let Some(backup) = creds_backup {
        crate::say!(
            "The backup {} still holds the plaintext keys: delete it once the profiles work.",
            backup.display()
        );
    }
    Ok(())
}

fn backup_note(backup: Option<&Path>) -> String {
    match backup {
        Some(path) => format!(" (backup: {}).", path.display()),
        None => ".".into(),
    }
}

fn has_keys(ini: &Ini, profile: &str) -> bool {
    ini.properties(&|h: &str| h == profile)
        .is_some_and(|props| props.iter().any(|(k, _)| k == KEY_ID || k == SECRET_KEY))
}

/// The profile's keys, `None` when it has none; half a key is an error.
fn read_keys(ini: &Ini, profile: &str, path: &Path) -> Result<Option<Credentials>> {
    let Some(props) = ini.properties(&|h: &str| h == profile) else {
        return Ok(None);
    };
    let get = |key: &str| {
        props
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let (id, secret) = match (get(KEY_ID), get(SECRET_KEY)) {
        (None, None) => return Ok(None),
        (Some(id), Some(secret)) => (id, secret),
        _ => {
            return Err(Error::invalid(
                format!(
                    "profile '{profile}' in {} has only half a key ({KEY_ID} and {SECRET_KEY} go together)",
                    path.display()
                ),
                "complete or delete the profile's keys first; nothing was changed",
            ))
        }
    };
    let credentials = Credentials {
        session_token: get(TOKEN).map(Secret::new),
        ..Credentials::new(id, Secret::new(secret))
    };
    credentials
        .validate(OffsetDateTime::now_utc())
        .map_err(|e| e.context(format!("profile '{profile}' in {}", path.display())))?;
    Ok(Some(credentials))
}

fn same_key(a: &Credentials, b: &Credentials) -> bool {
    a.access_key_id == b.access_key_id && a.secret_access_key == b.secret_access_key
}

/// A profile with no keys left was moved already when its NAME is stored
/// and its config section runs awscreds-rs for that NAME.
fn already_moved(store: &Store, config: &Ini, profile: &str, name: &str) -> Result<bool> {
    let runs_us = config
        .properties(&|h: &str| is_config_header(h, profile))
        .unwrap_or_default()
        .iter()
        .any(|(k, v)| {
            k == "credential_process"
                && wiring::parse(v).is_some_and(|line| line.name() == Some(name))
        });
    Ok(runs_us && store.contains(name)?)
}
