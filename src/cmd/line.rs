//! What `refresh`, `exec` and `serve` start from: the profile they act on,
//! and what its awscreds-rs line opens (its store, NAME and session flags).

use crate::awsfiles::AwsFiles;
use crate::context::Env;
use crate::error::{Error, Result};
use crate::store::{Store, StoreChoice};
use crate::wiring::{Options, Target};

/// The config file, read and checked as botocore would read it.
pub fn config(env: &Env) -> Result<(AwsFiles, crate::ini::Ini)> {
    let files = AwsFiles::locate(env)?;
    let text = crate::awsfiles::read_text(&files.config)?.unwrap_or_default();
    let ini = crate::ini::Ini::parse(&text);
    crate::awsfiles::check_readable(&files.config, &text, &ini)?;
    Ok((files, ini))
}

/// The profile to act on: `--profile`, else `AWS_PROFILE`, else `default`.
pub fn chosen_profile(env: &Env, given: Option<&str>) -> String {
    given
        .map(String::from)
        .or_else(|| env.var("AWS_PROFILE").filter(|p| !p.is_empty()))
        .unwrap_or_else(|| "default".into())
}

/// A profile's awscreds-rs line, opened as the SDK would run it.
pub enum Opened {
    /// A stored NAME, with the session flags.
    Name(NameLine),
    /// An Identity Center role.
    Sso(SsoLine),
    /// An AWS sign-in.
    Login(LoginLine),
}

/// A line that reads a stored NAME.
pub struct NameLine {
    pub name: String,
    pub store: Store,
    pub options: Options,
}

/// Reads `profile`'s line (the AWS files once) and opens it: a NAME's
/// store is opened now, an Identity Center role's store chosen. The store
/// is the `--store` the line names, else `choice` (the default the line
/// itself would get).
pub fn open(choice: StoreChoice, env: &Env, profile: &str) -> Result<Opened> {
    let files = AwsFiles::locate(env)?;
    let line = crate::profiles::awscreds_line(&files, profile)?;
    let (name, options) = match line.target {
        Target::Sso {
            session,
            account,
            role,
        } => {
            crate::sso::validate(&session, Some(&account), Some(&role))?;
            let again = crate::fix::configure_sso(profile, &session, &account, &role);
            let store = line_store(choice, profile, line.store.as_deref(), again)?;
            return Ok(Opened::Sso(SsoLine {
                session,
                account,
                role,
                store,
            }));
        }
        Target::Login { session } => {
            crate::signin::validate(&session)?;
            let again = crate::fix::login(profile);
            let store = line_store(choice, profile, line.store.as_deref(), again)?;
            return Ok(Opened::Login(LoginLine {
                session,
                profile: profile.to_string(),
                store,
            }));
        }
        Target::Name { name, options } => (name, options),
    };
    options.validate().map_err(|e| {
        Error::invalid(
            format!(
                "the credential_process line of profile '{profile}' is not one awscreds-rs runs ({})",
                e.report()
            ),
            format!("write it again with: {}", crate::fix::configure(profile, &name)),
        )
    })?;
    let choice = line_store(
        choice,
        profile,
        line.store.as_deref(),
        crate::fix::configure(profile, &name),
    )?;
    crate::names::validate_name(&name)?;
    let store = Store::open(choice, env)?;
    Ok(Opened::Name(NameLine {
        name,
        store,
        options,
    }))
}

/// A profile whose awscreds-rs line hands out an Identity Center role.
pub struct SsoLine {
    pub session: String,
    pub account: String,
    pub role: String,
    /// The line's store: opened anew for each renewal, as a NAME's is
    /// (a keyring restarted or unlocked meanwhile is found).
    pub store: StoreChoice,
}

impl SsoLine {
    /// The role's credentials as the line would print them: cached while
    /// fresh, else from the portal (the access token renewed if need be).
    pub fn credentials(&self, env: &Env) -> Result<crate::credentials::Credentials> {
        let client = crate::aws::Client::new(None);
        crate::sso::role_credentials(
            env,
            &Store::open(self.store, env)?,
            &self.session,
            &self.account,
            &self.role,
            &client,
            &client,
            &crate::renew::SystemClock,
        )
    }
}

/// A profile whose awscreds-rs line hands out an AWS sign-in's credentials.
pub struct LoginLine {
    pub session: String,
    pub profile: String,
    /// The line's store, opened anew for each renewal.
    pub store: StoreChoice,
}

impl LoginLine {
    /// The credentials as the line would print them: stored while fresh,
    /// else renewed with the refresh token.
    pub fn credentials(&self, env: &Env) -> Result<crate::credentials::Credentials> {
        crate::signin::credentials(
            env,
            &Store::open(self.store, env)?,
            &self.session,
            &crate::aws::Client::new(None),
            &crate::renew::SystemClock,
            Some(&self.profile),
        )
    }
}

/// The store a line reads: the `--store` it names, else `choice` (the
/// default the line itself would get). An unknown one is an error whose
/// fix writes the line again with `again`.
fn line_store(
    choice: StoreChoice,
    profile: &str,
    named: Option<&str>,
    again: crate::fix::Fix,
) -> Result<StoreChoice> {
    let Some(id) = named else {
        return Ok(choice);
    };
    StoreChoice::from_id(id).ok_or_else(|| {
        Error::invalid(
            format!(
                "the credential_process line of profile '{profile}' names an unknown store '{}'",
                crate::error::one_line(id)
            ),
            format!("write it again with: {again}"),
        )
    })
}
