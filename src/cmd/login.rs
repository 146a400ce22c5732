//! `awscreds-rs login`, `logout` and `import --login`: AWS's own sign-in
//! (`aws login`) with its refresh token, DPoP key and credentials in the
//! store (src/signin.rs), never in ~/.aws/login/cache; the profile's line
//! reads them.

use std::io::IsTerminal;

use super::line;
use crate::awsfiles::{config_header, key, set_profile, AwsFiles, Edit};
use crate::cli::LoginArgs;
use crate::context::Env;
use crate::error::{Error, Result};
use crate::ini::{is_config_header, Ini};
use crate::names::validate_profile_name;
use crate::profiles::Profile;
use crate::secret::Secret;
use crate::signin::{self, Start, Stored};
use crate::store::{Store, StoreChoice};
use crate::wiring::{Line, Target};

/// The region a sign-in uses: `--region`, else the profile's, else
/// `AWS_REGION` / `AWS_DEFAULT_REGION`.
fn region_of(
    env: &Env,
    given: Option<&str>,
    settings: Option<&Profile>,
    profile: &str,
) -> Result<String> {
    let region = given
        .map(String::from)
        .or_else(|| settings.and_then(|s| s.get(key::REGION)).map(String::from))
        .or_else(|| env.var("AWS_REGION").filter(|r| !r.is_empty()))
        .or_else(|| env.var("AWS_DEFAULT_REGION").filter(|r| !r.is_empty()))
        .ok_or_else(|| {
            Error::invalid(
                format!("no region for the sign-in of profile '{profile}'"),
                "give one with --region R (it becomes the profile's region)",
            )
        })?;
    crate::names::validate_region(&region)?;
    Ok(region)
}

/// The config file's profiles, read and checked.
fn profiles(env: &Env) -> Result<(AwsFiles, std::collections::BTreeMap<String, Profile>)> {
    let (files, ini) = line::config(env)?;
    Ok((files, crate::profiles::collect(&ini, &Ini::parse(""))))
}

pub fn login(choice: StoreChoice, args: &LoginArgs) -> Result<()> {
    let env = Env::process();
    let profile = line::chosen_profile(&env, args.profile.as_deref());
    validate_profile_name(&profile)?;
    let (_, all) = profiles(&env)?;
    let region = region_of(&env, args.region.as_deref(), all.get(&profile), &profile)?;
    let store = Store::open(choice, &env)?;
    let remote = args.remote
        || match crate::browser::cannot_come_back(&env, args.no_browser) {
            Some(why) => {
                crate::say!(
                    "awscreds-rs: signing in on another device's browser (as with --remote), \
                     because {why}."
                );
                true
            }
            None => false,
        };
    let service = crate::aws::Client::new(None);
    let clock = crate::renew::SystemClock;
    let start = Start {
        region: &region,
        profile: &profile,
        again: crate::fix::login(&profile).to_string(),
    };
    let stored = if remote {
        let mut show = |url: &str| show_remote_page(url);
        signin::login_elsewhere(&store, &service, &start, &mut show, &mut paste, &clock)?
    } else {
        let mut open = |url: &str| open_sign_in_page(&env, url, args.no_browser);
        let limit = crate::browser::SIGN_IN_LIMIT;
        signin::login_in_browser(&store, &service, &start, &mut open, &clock, limit)?
    };
    super::tell_created(&store);
    crate::say!(
        "Signed in as {} (account {}). The refresh token, its key and the credentials are in {}; \
         the line renews the credentials until {} (12 hours).",
        stored.session,
        stored.account(),
        store.label(),
        crate::credentials::format_expiration(stored.ends())
    );
    point_profile(&env, &profile, &stored, &store, args.region.as_deref())
}

/// Writes `profile`'s line for the login (and its region), dropping a
/// `login_session` the SDKs would take instead; every other byte kept.
fn point_profile(
    env: &Env,
    profile: &str,
    stored: &Stored,
    store: &Store,
    region: Option<&str>,
) -> Result<()> {
    let target = Target::Login {
        session: stored.session.clone(),
    };
    let command = Line::new(target, store.kind()).command()?;
    let files = AwsFiles::locate(env)?;
    let mut edit = Edit::begin(env, &[&files.config])?;
    let config = edit.file();
    config.check_readable()?;
    if config.sections_of(profile) > 1 {
        return Err(Error::invalid(
            format!(
                "{} has two sections for profile '{profile}', so its line was not written",
                files.config.display()
            ),
            format!(
                "merge them into one, then sign in again: {}",
                crate::fix::login(profile)
            ),
        ));
    }
    set_profile(&mut config.ini, profile, &command, region)?;
    config.ini.remove_keys(
        &|h: &str| is_config_header(h, profile),
        &[key::LOGIN_SESSION],
    );
    let written = edit.write(0)?;
    crate::say!(
        "[{}] in {} now runs {command}",
        config_header(profile),
        files.config.display()
    );
    if let Some(backup) = written.backup {
        crate::say!("  backup of the old file: {}", backup.display());
    }
    Ok(())
}

/// The same-device sign-in page, in the browser or printed to open by hand.
fn open_sign_in_page(env: &Env, url: &str, no_browser: bool) -> Result<()> {
    let url = crate::browser::checked_url(url, "the sign-in URL")?;
    if !no_browser && crate::browser::open(env, url) {
        crate::say!(
            "The browser was asked to open AWS's sign-in page. If it did not, open this URL \
             in a browser on this machine:\n\n  {url}\n"
        );
    } else {
        crate::say!("To sign in, open this URL in a browser on this machine:\n\n  {url}\n");
    }
    crate::say!(
        "Waiting for the browser to come back (up to {} minutes)…",
        crate::browser::SIGN_IN_LIMIT.as_secs() / 60
    );
    Ok(())
}

/// The cross-device sign-in page, to open on any device.
fn show_remote_page(url: &str) -> Result<()> {
    let url = crate::browser::checked_url(url, "the sign-in URL")?;
    crate::say!(
        "To sign in, open this URL in a browser on any device:\n\n  {url}\n\n\
         After you sign in, the page shows a code: paste it here."
    );
    Ok(())
}

/// The code the confirmation page showed: from the terminal (not echoed:
/// it is worth a sign-in), else from stdin's first line.
fn paste() -> Result<Secret> {
    if !std::io::stdin().is_terminal() {
        let mut line = zeroize::Zeroizing::new(String::new());
        std::io::BufRead::read_line(
            &mut std::io::Read::take(std::io::stdin().lock(), 16 * 1024),
            &mut line,
        )
        .map_err(|e| Error::io("cannot read the pasted code from stdin", e))?;
        return Ok(Secret::new(line.trim().to_string()));
    }
    match crate::ask::terminal("Code: ", true)? {
        Some(line) => Ok(Secret::new(line.trim().to_string())),
        None => Err(Error::NoTerminal {
            to: "read the code the sign-in page shows".into(),
            fix: "run it on a terminal, or give the code on stdin".into(),
        }),
    }
}

/// The login session a profile's line reads.
fn session_of_line(settings: &Profile) -> Option<(String, Option<String>)> {
    let line = settings
        .config
        .get(key::CREDENTIAL_PROCESS)
        .and_then(|command| crate::wiring::parse(command))?;
    match line.target {
        Target::Login { session } => Some((session, line.store)),
        _ => None,
    }
}

pub fn logout(choice: StoreChoice, profile: Option<&str>) -> Result<()> {
    let env = Env::process();
    let profile = line::chosen_profile(&env, profile);
    let (files, all) = profiles(&env)?;
    let settings = all
        .get(&profile)
        .ok_or_else(|| crate::profiles::missing_profile(&files, &profile))?;
    let Some((session, named)) = session_of_line(settings) else {
        return Err(Error::invalid(
            format!("profile '{profile}' does not read an AWS sign-in of awscreds-rs"),
            format!(
                "nothing to log out of; sign in with: {}",
                crate::fix::login(&profile)
            ),
        ));
    };
    signin::validate(&session)?;
    let choice = match named {
        Some(id) => StoreChoice::from_id(&id).unwrap_or(choice),
        None => choice,
    };
    let store = Store::open(choice, &env)?;
    if signin::logout(&store, &session)? {
        crate::say!(
            "Dropped the login of {session} from {}. Profile '{profile}' asks for a new one: {}",
            store.label(),
            crate::fix::login(&profile)
        );
    } else {
        crate::say!(
            "No login of {session} is stored in {}; nothing changed.",
            store.label()
        );
    }
    Ok(())
}

/// `import --login [--profile P]`: what `aws login` cached for P's
/// `login_session` into the store, read back, P's line pointed at it,
/// and only then the plaintext file removed. Again, it changes nothing.
pub fn import(choice: StoreChoice, profile: Option<&str>) -> Result<()> {
    let env = Env::process();
    let profile = line::chosen_profile(&env, profile);
    validate_profile_name(&profile)?;
    let files = AwsFiles::locate(&env)?;
    let mut edit = Edit::begin(&env, &[&files.config])?;
    edit.check_editable()?;
    let config = edit.file();
    config.check_readable()?;
    let all = crate::profiles::collect(&config.ini, &Ini::parse(""));
    let settings = all
        .get(&profile)
        .ok_or_else(|| crate::profiles::missing_profile(&files, &profile))?;
    let Some(session) = settings.config.get(key::LOGIN_SESSION).map(String::from) else {
        if let Some((session, _)) = session_of_line(settings) {
            crate::say!(
                "Profile '{profile}' already reads the login of {session} from awscreds-rs; \
                 nothing to import."
            );
            return Ok(());
        }
        return Err(Error::invalid(
            format!(
                "profile '{profile}' has no login_session, so `aws login` cached nothing for it"
            ),
            format!(
                "sign in with awscreds-rs instead: {}",
                crate::fix::login(&profile)
            ),
        ));
    };
    signin::validate(&session)?;
    if config.sections_of(&profile) > 1 {
        return Err(Error::invalid(
            format!(
                "{} has two sections for profile '{profile}'",
                files.config.display()
            ),
            "merge them into one first; nothing was changed",
        ));
    }
    let region = region_of(&env, None, Some(settings), &profile)?;
    let path = signin::cli_cache_file(&env, &session)?;
    let text = crate::awsfiles::read_cache_file(&path).map_err(|why| {
        Error::invalid(
            format!(
                "the AWS CLI's login cache {} cannot be imported: {why}",
                path.display()
            ),
            format!(
                "sign in with awscreds-rs instead: {}; nothing was changed",
                crate::fix::login(&profile)
            ),
        )
    })?;
    let store = Store::open(choice, &env)?;
    let service = crate::aws::Client::new(None);
    let now = time::OffsetDateTime::now_utc();
    let stored = serde_json::from_str(&text)
        .ok()
        .and_then(|doc| signin::from_cli_cache(&doc, &session, &region, &profile, &service, now))
        .ok_or_else(|| {
            Error::invalid(
                format!(
                    "{} is not a login cache awscreds-rs can read (credentials, refresh token and \
                     a P-256 key)",
                    path.display()
                ),
                format!(
                    "sign in with awscreds-rs instead: {}; the file was left as it is",
                    crate::fix::login(&profile)
                ),
            )
        })?;
    // (1) Stored and read back (save_document compares) before anything
    // else changes.
    signin::save(&store, &stored)?;
    crate::faults::stop_here_in_tests("login-stored");
    super::tell_created(&store);
    crate::say!(
        "Stored the login of {session} (account {}) in {}.",
        stored.account(),
        store.label()
    );
    // (2) The profile reads it.
    let target = Target::Login {
        session: session.clone(),
    };
    let command = Line::new(target, store.kind()).command()?;
    set_profile(&mut config.ini, &profile, &command, None)?;
    config.ini.remove_keys(
        &|h: &str| is_config_header(h, &profile),
        &[key::LOGIN_SESSION],
    );
    let written = edit.write(0)?;
    crate::say!(
        "[{}] in {} now runs {command}",
        config_header(&profile),
        files.config.display()
    );
    if let Some(backup) = written.backup {
        crate::say!("  backup of the old file: {}", backup.display());
    }
    crate::faults::stop_here_in_tests("login-configured");
    // (3) Only now the plaintext goes.
    std::fs::remove_file(&path)
        .map_err(|e| Error::io(format!("cannot remove {}", path.display()), e))?;
    crate::say!("Removed the plaintext cache {}.", path.display());
    Ok(())
}
