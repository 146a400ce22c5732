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

use crate::awsfiles::{set_profile, AwsFiles, Edit};
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

/// Which file of the edit is which.
const CONFIG: usize = 0;
const CREDENTIALS: usize = 1;

pub fn run(choice: StoreChoice, args: &ImportArgs) -> Result<()> {
    let env = Env::process();
    let files = AwsFiles::locate(&env)?;
    let mut edit = Edit::begin(&env, &[&files.config, &files.credentials])?;
    let store = Store::open(choice, &env)?;

    // (1) Check everything before changing anything.
    let Some(moves) = planned(&edit, &store, args)? else {
        return Ok(());
    };
    let to_store = not_stored_yet(&store, &moves)?;

    // (2) Into the keychain, each read back and compared by `save`.
    for m in to_store {
        store.save(&m.name, &m.credentials)?;
    }
    super::tell_created(&store);
    crate::faults::stop_here_in_tests("stored");

    // (3) The profiles run awscreds-rs.
    for m in &moves {
        let command = Line::new(Target::plain(&m.name), store.kind()).command()?;
        set_profile(&mut edit.files[CONFIG].ini, &m.profile, &command, None)?;
    }
    let config_backup = edit.write(CONFIG)?.backup;
    crate::faults::stop_here_in_tests("configured");

    // (4) Only now the plaintext goes.
    for m in &moves {
        edit.files[CREDENTIALS]
            .ini
            .remove_keys(&|h: &str| h == m.profile, &[KEY_ID, SECRET_KEY, TOKEN]);
    }
    let creds_backup = edit.write(CREDENTIALS)?.backup;
    report(&files, &store, &moves, config_backup, creds_backup);
    Ok(())
}

/// The moves `args` ask for, every one checked against both files and the
/// store: `None` when nothing is left to move (said on stderr).
fn planned(edit: &Edit, store: &Store, args: &ImportArgs) -> Result<Option<Vec<Move>>> {
    let (config, creds) = (&edit.files[CONFIG], &edit.files[CREDENTIALS]);
    edit.check_editable()?;
    // A section or a key written twice holds two keys for one profile:
    // moving one and deleting the file's keys would lose the other.
    let doubled = creds.ini.doubled();
    if !doubled.is_empty() {
        return Err(Error::invalid(
            format!(
                "{} defines {} more than once",
                creds.path.display(),
                doubled.join(", ")
            ),
            "keep one copy of each (boto3 and the AWS CLI refuse such a file too); \
             nothing was changed",
        ));
    }
    if creds.old.is_none() {
        let missing = format!("there is no credentials file at {}", creds.path.display());
        if args.profile.is_some() {
            return Err(Error::invalid(
                missing,
                format!(
                    "nothing to import (AWS_SHARED_CREDENTIALS_FILE names another file); \
                     store a key with: {}",
                    crate::fix::add("NAME", store.kind())
                ),
            ));
        }
        crate::say!("Nothing to import: {missing}.");
        return Ok(None);
    }
    creds.check_readable()?;
    config.check_readable()?;
    let wanted: Vec<(String, String)> = match &args.profile {
        Some(profile) => {
            let name = args.username.clone().unwrap_or_else(|| profile.clone());
            vec![(profile.clone(), name)]
        }
        None => creds
            .ini
            .section_names()
            .into_iter()
            .filter(|p| has_keys(&creds.ini, p))
            .map(|p| (p.clone(), p))
            .collect(),
    };
    let mut moves = Vec::new();
    for (profile, name) in wanted {
        validate_profile_name(&profile)?;
        validate_name(&name)?;
        match read_keys(&creds.ini, &profile, &creds.path)? {
            Some(credentials) => moves.push(Move {
                profile,
                name,
                credentials,
            }),
            None if already_moved(store, &config.ini, &profile, &name)? => {
                crate::say!(
                    "Profile '{profile}' has no keys left in {}: nothing to move.",
                    creds.path.display()
                );
            }
            None => {
                return Err(Error::invalid(
                    format!(
                        "profile '{profile}' has no keys in {}",
                        creds.path.display()
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
            creds.path.display()
        );
        return Ok(None);
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
    Ok(Some(moves))
}

/// The moves whose key the store does not hold yet; a NAME that holds
/// another key is refused.
fn not_stored_yet<'a>(store: &Store, moves: &'a [Move]) -> Result<Vec<&'a Move>> {
    let mut to_store = Vec::new();
    for m in moves {
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
    Ok(to_store)
}

/// Says what moved, and where the backups are.
fn report(
    files: &AwsFiles,
    store: &Store,
    moves: &[Move],
    config_backup: Option<std::path::PathBuf>,
    creds_backup: Option<std::path::PathBuf>,
) {
    for m in moves {
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
