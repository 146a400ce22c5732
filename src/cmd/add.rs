//! `awscreds-rs add`: check a key pair, then store it for NAME.

use std::io::{BufRead, IsTerminal, Read, Write};

use time::OffsetDateTime;

use crate::cli::AddArgs;
use crate::context::Env;
use crate::credentials::{mask_access_key_id, parse_expiration, Credentials};
use crate::error::{Error, Result};
use crate::names::{validate_mfa_serial, validate_name};
use crate::secret::Secret;
use crate::store::{Store, StoreChoice};

/// More than any credential_process document needs; a bound on stdin.
const MAX_STDIN: u64 = 64 * 1024;

pub fn run(choice: StoreChoice, args: &AddArgs) -> Result<()> {
    let name = &args.username;
    validate_name(name)?;
    if let Some(serial) = &args.mfa_serial {
        validate_mfa_serial(serial)?;
    }
    let env = Env::process();
    let store = Store::open(choice, &env)?;
    // What is stored is read only when it is needed: a corrupt entry still
    // counts as stored (only --force replaces it) but cannot take a new MFA
    // device, and a locked file store takes a new NAME without its
    // passphrase.
    let mfa_only = args.mfa_serial.is_some() && args.access_key_id.is_none() && !args.from_env;
    let exists = store.contains(name)?;
    let existing = if exists && (mfa_only || args.force) {
        match store.load(name) {
            Ok(found) => found,
            Err(Error::Corrupt { .. }) if !mfa_only => None,
            Err(e) => return Err(e),
        }
    } else {
        None
    };
    let existing = match (&args.mfa_serial, existing) {
        // `--mfa-serial` alone on a stored NAME only records the device.
        (Some(serial), Some(mut stored)) if mfa_only => {
            stored.mfa_serial = Some(serial.clone());
            store.save(name, &stored)?;
            // A session made with another device is no longer wanted.
            let _ = store.remove(&crate::session::mfa_cache_name(name));
            crate::say!(
                "Recorded the MFA device {serial} for '{name}' in {}.",
                store.label()
            );
            return Ok(());
        }
        (_, existing) => existing,
    };
    // Refused before anything is read: a terminal asks for no secret that
    // would only be thrown away.
    if exists && !args.force {
        return Err(Error::Exists {
            name: name.clone(),
            store: store.kind(),
        });
    }
    let mut creds = read_credentials(args, mfa_only.then_some(store.kind()))?;
    let now = OffsetDateTime::now_utc();
    creds.validate(now)?;
    // A key's age counts from IAM's CreateDate when the input carries it
    // (`aws iam create-access-key`), else from now.
    if !creds.is_temporary() && creds.created.is_none() {
        creds.created = Some(crate::credentials::whole_seconds(now));
    }
    // A rotated key keeps its MFA device unless another is given.
    creds.mfa_serial = args
        .mfa_serial
        .clone()
        .or(existing.and_then(|e| e.mfa_serial));
    // Checked again under the NAME's lock, which every add takes to write:
    // of two adds of a new NAME at once, the second is refused rather than
    // replacing the first's key, and each reads back its own document.
    let _lock = crate::paths::lock_entry(&env, name, "writing")?;
    let exists = exists || store.contains(name)?;
    if exists && !args.force {
        return Err(Error::Exists {
            name: name.clone(),
            store: store.kind(),
        });
    }
    store.save(name, &creds)?;
    super::tell_created(&store);
    // Sessions made from the key this one replaces are not served again.
    if exists {
        crate::session::drop_sessions(&store, Some(name))?;
    }

    let kind = if creds.is_temporary() {
        "temporary credentials"
    } else {
        "long-term key"
    };
    crate::say!(
        "Stored the {kind} {} for '{}' in {}.",
        mask_access_key_id(&creds.access_key_id),
        args.username,
        store.label()
    );
    if !store.kind().survives_reboot() {
        crate::say!(
            "Note: the kernel keyring loses this entry at reboot{}. For a store that lasts, \
             create the encrypted file store (one passphrase per boot): \
             {}; or run a Secret Service \
             (see \"Without a desktop\" in the README) and use --store secret-service.",
            crate::store::keyutils_expiry_note(),
            crate::fix::move_name(name, crate::store_kind::StoreKind::File)
        );
    }
    Ok(())
}

/// `mfa_only`: the store when `--mfa-serial` was the only thing
/// given, for a NAME that is not stored there; nothing on stdin then means
/// the NAME was expected to exist.
fn read_credentials(
    args: &AddArgs,
    mfa_only: Option<crate::store::StoreKind>,
) -> Result<Credentials> {
    if args.from_env {
        return from_env();
    }
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    match &args.access_key_id {
        Some(id) => {
            let secret = if interactive {
                prompt_hidden("Secret access key: ")?
            } else {
                first_line(&mut stdin.lock())?
            };
            Ok(Credentials::new(id.clone(), secret))
        }
        None if interactive => prompt_all(),
        None => {
            let mut text = zeroize::Zeroizing::new(String::new());
            stdin
                .lock()
                .take(MAX_STDIN)
                .read_to_string(&mut text)
                .map_err(|e| Error::io("cannot read stdin", e))?;
            if let Some(store) = mfa_only.filter(|_| text.trim().is_empty()) {
                return Err(Error::NotFound {
                    name: args.username.clone(),
                    store,
                    auto: None,
                });
            }
            Credentials::from_process_json(&text)
        }
    }
}

fn from_env() -> Result<Credentials> {
    let env = crate::context::Env::process();
    let var = |name: &str| env.var(name);
    let missing = |name: &str| {
        Error::invalid(
            format!("--from-env needs {name}, which is not set"),
            "export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary keys)",
        )
    };
    let id = var("AWS_ACCESS_KEY_ID").ok_or_else(|| missing("AWS_ACCESS_KEY_ID"))?;
    let secret = var("AWS_SECRET_ACCESS_KEY").ok_or_else(|| missing("AWS_SECRET_ACCESS_KEY"))?;
    let mut creds = Credentials::new(id, Secret::new(secret.trim().to_string()));
    creds.session_token = var("AWS_SESSION_TOKEN").map(Secret::new);
    if let Some(text) = var("AWS_CREDENTIAL_EXPIRATION") {
        creds.expiration = Some(parse_expiration(&text).ok_or_else(|| {
            Error::invalid(
                "AWS_CREDENTIAL_EXPIRATION is not an RFC 3339 timestamp",
                "set it like 2026-11-22T10:00:00Z",
            )
        })?);
    }
    Ok(creds)
}

/// The secret alone on the first line of stdin.
fn first_line(input: &mut impl BufRead) -> Result<Secret> {
    let mut line = zeroize::Zeroizing::new(String::new());
    input
        .take(MAX_STDIN)
        .read_line(&mut line)
        .map_err(|e| Error::io("cannot read the secret from stdin", e))?;
    // AWS secrets hold no white space: what a paste adds around one goes.
    Ok(Secret::new(line.trim().to_string()))
}

/// How many times a malformed access key id is asked again.
const KEY_ID_TRIES: usize = 3;

fn prompt_all() -> Result<Credentials> {
    let mut id = prompt_visible("Access key id: ")?;
    // Checked where it is typed, not after the secret.
    for _ in 1..KEY_ID_TRIES {
        if crate::credentials::is_valid_access_key_id(&id) {
            break;
        }
        crate::say!(
            "That is not an access key id: AKIA or ASIA, then 16 upper-case letters or digits. \
             Try again."
        );
        id = prompt_visible("Access key id: ")?;
    }
    let secret = prompt_hidden("Secret access key: ")?;
    let mut creds = Credentials::new(id, secret);
    if crate::credentials::is_temporary_key_id(&creds.access_key_id) {
        creds.session_token = Some(prompt_hidden("Session token: ")?);
        let expiration = prompt_visible("Expiration (RFC 3339, empty if unknown): ")?;
        if !expiration.is_empty() {
            creds.expiration = Some(parse_expiration(&expiration).ok_or_else(|| {
                Error::invalid(
                    "the expiration is not an RFC 3339 timestamp",
                    "write it like 2026-11-22T10:00:00Z",
                )
            })?);
        }
    }
    Ok(creds)
}

fn prompt_visible(prompt: &str) -> Result<String> {
    eprint!("{prompt}");
    std::io::stderr().flush().ok();
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| Error::io("cannot read from the terminal", e))?;
    Ok(line.trim().to_string())
}

fn prompt_hidden(prompt: &str) -> Result<Secret> {
    rpassword::prompt_password(prompt)
        .map(zeroize::Zeroizing::new)
        .map(|s| Secret::new(s.trim().to_string()))
        .map_err(|e| Error::io("cannot read from the terminal", e))
}
