//! `awscreds-rs sso login|logout|accounts|configure`: IAM Identity Center
//! with its tokens in the store (src/sso.rs), never in ~/.aws/sso/cache.

use serde::Serialize;

use crate::cli::SsoCommand;
use crate::context::Env;
use crate::error::{Error, Result};
use crate::ini::Ini;
use crate::sso::{self, SsoSession};
use crate::store::{Store, StoreChoice};

pub fn run(choice: StoreChoice, command: SsoCommand) -> Result<()> {
    let env = Env::process();
    match command {
        SsoCommand::Login {
            session,
            profile,
            no_browser,
            use_device_code,
        } => {
            let session = session_of(&env, session, profile)?;
            login(choice, &env, &session, no_browser, use_device_code)
        }
        SsoCommand::Logout { session } => {
            sso::validate(&session, None, None)?;
            let store = Store::open(choice, &env)?;
            let out = sso::logout(&store, &session, &crate::aws::Client::new(None))?;
            crate::say!(
                "Dropped {} entr{} of Identity Center session '{session}' from {}.",
                out.dropped,
                if out.dropped == 1 { "y" } else { "ies" },
                store.label()
            );
            match out.server {
                None => {}
                Some(Ok(())) => crate::say!("Logged out of '{session}' at Identity Center too."),
                Some(Err(e)) => crate::say!(
                    "awscreds-rs: warning: Identity Center's Logout failed, so the access token \
                     stays valid there until it expires: {}",
                    e.report()
                ),
            }
            Ok(())
        }
        SsoCommand::Accounts { session, json } => accounts(choice, &env, &session, json),
        SsoCommand::Configure {
            session,
            prefix,
            region,
        } => configure(choice, &env, &session, &prefix, region.as_deref()),
    }
}

fn session_of(env: &Env, session: Option<String>, profile: Option<String>) -> Result<SsoSession> {
    let (files, ini) = super::line::config(env)?;
    let name = match (session, profile) {
        (Some(session), _) => session,
        (None, Some(profile)) => {
            let all = crate::profiles::collect(&ini, &Ini::parse(""));
            let found = all
                .get(&profile)
                .ok_or_else(|| crate::profiles::missing_profile(&files, &profile))?;
            found
                .get(crate::awsfiles::key::SSO_SESSION)
                .map(String::from)
                .ok_or_else(|| {
                    Error::invalid(
                        format!("profile '{profile}' names no sso_session"),
                        format!("give the session: {}", crate::fix::sso_login("S")),
                    )
                })?
        }
        (None, None) => return Err(Error::Usage("give --session S or --profile P".into())),
    };
    sso::validate(&name, None, None)?;
    sso::session_from(&ini, &files.config, &name)
}

fn login(
    choice: StoreChoice,
    env: &Env,
    session: &sso::SsoSession,
    no_browser: bool,
    use_device_code: bool,
) -> Result<()> {
    let store = Store::open(choice, env)?;
    let device = use_device_code
        || match crate::browser::cannot_come_back(env, no_browser) {
            Some(why) => {
                crate::say!(
                    "awscreds-rs: signing in with a device code, because {why}. \
                     Approve it only on the page this command shows."
                );
                true
            }
            None => false,
        };
    // One sign-in per session at a time: a second `sso login` waits for
    // the first and then finds the session signed in.
    let (_lock, waited) = crate::paths::lock_entry_within(
        env,
        &sso::entry(&session.name),
        "signing in to",
        crate::browser::SIGN_IN_LIMIT + std::time::Duration::from_secs(120),
        &mut || {
            crate::say!(
                "Another sso login for '{}' is under way; waiting for it to finish…",
                session.name
            )
        },
    )?;
    if waited && signed_in_meanwhile(&store, &session.name)? {
        return Ok(());
    }
    let oidc = crate::aws::Client::new(None);
    let clock = crate::renew::SystemClock;
    let stored = if device {
        let mut show = |device: &sso::Device| show_device_code(env, session, device, no_browser);
        sso::login(&store, session, &oidc, &mut show, &clock)?
    } else {
        let mut open = |url: &str| open_sign_in_page(env, session, url, no_browser);
        let limit = crate::browser::SIGN_IN_LIMIT;
        sso::login_in_browser(&store, session, &oidc, &mut open, &clock, limit)?
    };
    super::tell_created(&store);
    let renewal = if stored.refresh_token.is_some() {
        "the profiles' lines renew it with the refresh token on their own"
    } else {
        "no refresh token was issued (add sso_registration_scopes = sso:account:access to the session), so log in again then"
    };
    crate::say!(
        "Logged in to '{}'. The tokens are in {}; the access token lasts until {}, and {renewal}.",
        session.name,
        store.label(),
        crate::credentials::format_expiration(stored.expires())
    );
    Ok(())
}

/// After waiting for another `sso login`: whether it left the session
/// signed in (more than 5 minutes left), said so.
fn signed_in_meanwhile(store: &Store, name: &str) -> Result<bool> {
    let now = time::OffsetDateTime::now_utc();
    let Some(stored) =
        sso::load(store, name)?.filter(|s| s.expires() > now + time::Duration::minutes(5))
    else {
        return Ok(false);
    };
    crate::say!(
        "Logged in to '{name}' by the other sso login; the access token lasts until {}.",
        crate::credentials::format_expiration(stored.expires())
    );
    Ok(true)
}

/// The device flow's URL and code, on the terminal and in the browser.
fn show_device_code(
    env: &Env,
    session: &sso::SsoSession,
    device: &sso::Device,
    no_browser: bool,
) -> Result<()> {
    let url = crate::browser::checked_url(
        device
            .verification_uri_complete
            .as_deref()
            .unwrap_or(&device.verification_uri),
        "the verification URI Identity Center sent",
    )?;
    crate::say!(
        "To log in to IAM Identity Center session '{}', open\n\n  {url}\n\nand check that it shows the code\n\n  {}\n",
        session.name,
        crate::error::one_line(&device.user_code)
    );
    if !no_browser && crate::browser::open(env, url) {
        crate::say!("(The browser was asked to open it.)");
    }
    crate::say!("Waiting for the approval…");
    Ok(())
}

/// The authorize page, in the browser or printed to open by hand.
fn open_sign_in_page(
    env: &Env,
    session: &sso::SsoSession,
    url: &str,
    no_browser: bool,
) -> Result<()> {
    let url = crate::browser::checked_url(url, "the authorize URL")?;
    if !no_browser && crate::browser::open(env, url) {
        crate::say!(
            "The browser was asked to open the sign-in page of IAM Identity Center \
             session '{}'. If it did not, open this URL in a browser on this machine:\n\n  {url}\n",
            session.name
        );
    } else {
        crate::say!(
            "To log in to IAM Identity Center session '{}', open this URL in a browser \
             on this machine:\n\n  {url}\n",
            session.name
        );
    }
    crate::say!(
        "Waiting for the browser to come back (up to {} minutes)…",
        crate::browser::SIGN_IN_LIMIT.as_secs() / 60
    );
    Ok(())
}

#[derive(Serialize)]
struct Row {
    account_id: String,
    account_name: String,
    role_name: String,
}

/// Every account and role the session's token may use.
fn rows(choice: StoreChoice, env: &Env, session: &str) -> Result<Vec<Row>> {
    sso::validate(session, None, None)?;
    let store = Store::open(choice, env)?;
    let client = crate::aws::Client::new(None);
    let stored = sso::access_token(env, &store, session, &client, &crate::renew::SystemClock)?;
    let portal: &dyn sso::Portal = &client;
    let token = stored.access_token.expose();
    let mut rows = Vec::new();
    for (account_id, account_name) in portal.accounts(&stored.region, token)? {
        // What the portal sends goes into profile names and lines: an
        // account id or role name that is not AWS's shape is passed over,
        // and named only in its escaped form.
        if !crate::names::is_account_id(&account_id) {
            crate::say!(
                "awscreds-rs: skipped an account the portal listed with the id '{}': \
                 an AWS account id is 12 digits",
                account_id.escape_default()
            );
            continue;
        }
        for role_name in portal.roles(&stored.region, token, &account_id)? {
            if !crate::names::is_role_name(&role_name) {
                crate::say!(
                    "awscreds-rs: skipped a role of account {account_id} the portal listed as '{}': \
                     a role name is 1 to 64 letters, digits and +=,.@_-",
                    role_name.escape_default()
                );
                continue;
            }
            rows.push(Row {
                account_id: account_id.clone(),
                account_name: crate::error::one_line(&account_name),
                role_name,
            });
        }
    }
    Ok(rows)
}

fn accounts(choice: StoreChoice, env: &Env, session: &str, json: bool) -> Result<()> {
    let rows = rows(choice, env, session)?;
    if json {
        return super::print_json(&rows);
    }
    let width = rows
        .iter()
        .map(|r| r.account_name.len())
        .max()
        .unwrap_or(0)
        .max(4);
    let mut text = format!("{:12}  {:width$}  ROLE\n", "ACCOUNT", "NAME");
    for r in &rows {
        text.push_str(&format!(
            "{:12}  {:width$}  {}\n",
            r.account_id, r.account_name, r.role_name
        ));
    }
    super::print(&text)
}

/// A profile name from an account's name and a role: letters, digits and
/// `-_.` kept, anything else a `-`.
fn profile_name(prefix: &str, account: &str, role: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                    c
                } else {
                    '-'
                }
            })
            .collect()
    };
    format!("{}{}-{}", clean(prefix), clean(account), clean(role))
}

fn configure(
    choice: StoreChoice,
    env: &Env,
    session: &str,
    prefix: &str,
    region: Option<&str>,
) -> Result<()> {
    if let Some(region) = region {
        crate::names::validate_region(region)?;
    }
    let rows = rows(choice, env, session)?;
    let kind = Store::open(choice, env)?.kind();
    let mut lines = Vec::new();
    for r in &rows {
        let name = if r.account_name.is_empty() {
            &r.account_id
        } else {
            &r.account_name
        };
        lines.push((
            profile_name(prefix, name, &r.role_name),
            crate::wiring::Line::new(
                crate::wiring::Target::sso(session, &r.account_id, &r.role_name),
                kind,
            )
            .command()?,
        ));
    }
    let written = super::configure::write_lines(env, &lines, region)?;
    for profile in &written {
        crate::say!("[profile {profile}] now runs the Identity Center role of session '{session}'");
    }
    if written.is_empty() {
        crate::say!("Session '{session}' has no account and role to write a profile for.");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_names_are_plain() {
        assert_eq!(
            profile_name("corp-", "My Account", "Admin"),
            "corp-My-Account-Admin"
        );
        assert_eq!(profile_name("", "prod", "Read/Only"), "prod-Read-Only");
    }
}
