//! `awscreds-rs --username NAME`: the credential_process fast path. One
//! store lookup, one line of JSON; no config files, no network, no runtime.

use time::OffsetDateTime;

use crate::context::Env;
use crate::error::{Error, Result};
use crate::names::validate_name;
use crate::session;
use crate::store::{Store, StoreChoice};
use crate::wiring::Options;

pub fn run(choice: StoreChoice, name: &str, options: &Options) -> Result<()> {
    validate_name(name)?;
    options.validate()?;
    if crate::stdio::stdout_was_closed() {
        return Err(Error::invalid(
            "stdout is closed, so the credentials would go nowhere",
            "run it with its output open: AWS tools read the credentials from it",
        ));
    }
    let now = OffsetDateTime::now_utc();
    let env = Env::process();
    let store = Store::open(choice, &env).map_err(|e| name_it(e, name))?;
    // A key with an MFA device needs its cached session too: where the
    // store reads both in one round trip, it does.
    let key = store
        .load_current_along(name, &session::mfa_cache_name(name), now)
        .map_err(|e| name_it(e, name))?;
    // The plain key, unless the line asks for a session or the key has an
    // MFA device: then a cached session, or a new one from STS.
    let creds = if key.mfa_serial.is_none() && options.is_empty() {
        key
    } else {
        session::enter_guard(&env)?;
        session::credentials(
            &env,
            &store,
            name,
            key,
            options,
            &crate::aws::Client::new(None),
            &crate::renew::SystemClock,
        )
        .map_err(|e| name_it(e, name))?
    };
    let mut json = creds.to_process_json();
    json.push('\n');
    super::print(json.as_str())
}

/// `awscreds-rs --sso-session S --account-id ID --role-name R`: an IAM
/// Identity Center role's credentials, from the cache while fresh (one
/// store read, like a stored key), else from the portal with the session's
/// access token, renewed with the refresh token when needed. Never a
/// browser, never a wait, never a prompt: without a usable login it fails
/// at once and names `sso login`.
pub fn run_sso(choice: StoreChoice, session: &str, account: &str, role: &str) -> Result<()> {
    crate::sso::validate(session, Some(account), Some(role))?;
    let env = Env::process();
    let what = format!("the Identity Center role {role} in {account}");
    let store = Store::open(choice, &env).map_err(|e| e.context(format!("cannot read {what}")))?;
    let client = crate::aws::Client::new(None);
    let creds = crate::sso::role_credentials(
        &env,
        &store,
        session,
        account,
        role,
        &client,
        &client,
        &crate::renew::SystemClock,
    )?;
    let mut json = creds.to_process_json();
    json.push('\n');
    super::print(json.as_str())
}

/// `awscreds-rs --login-session ARN`: an AWS sign-in's credentials, from
/// the store while more than 5 minutes are left (one store read, like a
/// stored key), else renewed with the refresh token and its DPoP key.
/// Never a browser, never a wait: a login that ended fails at once and
/// names `login`.
pub fn run_login(choice: StoreChoice, session: &str) -> Result<()> {
    crate::signin::validate(session)?;
    let env = Env::process();
    let store = Store::open(choice, &env)
        .map_err(|e| e.context(format!("cannot read the login of {session}")))?;
    let profile = env.var("AWS_PROFILE").filter(|p| !p.is_empty());
    let creds = crate::signin::credentials(
        &env,
        &store,
        session,
        &crate::aws::Client::new(None),
        &crate::renew::SystemClock,
        profile.as_deref(),
    )?;
    let mut json = creds.to_process_json();
    json.push('\n');
    super::print(json.as_str())
}

/// Store failures do not know which NAME was asked for; the SDKs show only
/// our stderr line, so it has to say.
fn name_it(e: Error, name: &str) -> Error {
    match e {
        Error::StoreUnavailable { .. } | Error::StoreLocked { .. } | Error::Store { .. } => {
            e.context(format!("cannot read the credentials for '{name}'"))
        }
        e => e,
    }
}
