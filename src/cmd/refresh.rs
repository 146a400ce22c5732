//! `awscreds-rs refresh [--profile P]`: opens the session that P's
//! credential_process line would open (the MFA code asked on this
//! terminal), caches it where the line finds it, and says when it expires.
//! Tools with a short limit on credential_process (AWS Copilot 10 s, the Go
//! SDK 60 s) then get a cache hit instead of waiting on a prompt.

use time::OffsetDateTime;

use super::line;
use crate::context::Env;
use crate::error::Result;
use crate::session;
use crate::store::StoreChoice;

pub fn run(choice: StoreChoice, profile: Option<&str>) -> Result<()> {
    let env = Env::process();
    let profile = line::chosen_profile(&env, profile);
    let opened = match line::open(choice, &env, &profile)? {
        line::Opened::Name(opened) => opened,
        line::Opened::Login(login) => {
            let creds = login.credentials(&env)?;
            return super::print(&format!(
                "Profile '{profile}' runs the AWS sign-in of {}: its credentials are in {} {}.\n",
                login.session,
                crate::store::Store::open(login.store, &env)?.label(),
                until(creds.expiration)
            ));
        }
        line::Opened::Sso(sso) => {
            let creds = sso.credentials(&env)?;
            return super::print(&format!(
            "Profile '{profile}' runs the Identity Center role {} in account {} of session '{}': \
             its credentials are cached in {} {}.\n",
            sso.role,
            sso.account,
            sso.session,
            crate::store::Store::open(sso.store, &env)?.label(),
            until(creds.expiration)
        ));
        }
    };
    let name = &opened.name;
    let now = OffsetDateTime::now_utc();
    let key = opened.store.load_current(name, now)?;
    if key.mfa_serial.is_none() && opened.options.is_empty() {
        return super::print(&format!(
            "Profile '{profile}' hands out the key stored for '{name}' in {} as it is: there is no session to open.\n",
            opened.store.label()
        ));
    }
    session::enter_guard(&env)?;
    let creds = session::renew(
        &env,
        &opened.store,
        name,
        key,
        &opened.options,
        &crate::aws::Client::new(Some(&profile)),
        &crate::renew::SystemClock,
    )?;
    let what = match &opened.options.role_arn {
        Some(role) => format!("'{name}' as role {role}"),
        None => format!("'{name}' with MFA"),
    };
    let until = until(creds.expiration);
    super::print(&format!(
        "Opened a session for profile '{profile}' ({what}), cached in {} {until}. \
         Until 15 minutes before then, every call of the profile's credential_process is a cache hit.\n",
        opened.store.label()
    ))
}

/// "until T (N minutes from now)".
fn until(expiration: Option<OffsetDateTime>) -> String {
    match expiration {
        Some(at) => format!(
            "until {} ({} minutes from now)",
            crate::credentials::format_expiration(at),
            (at - OffsetDateTime::now_utc()).whole_minutes()
        ),
        None => "with no expiry".into(),
    }
}
