//! What `refresh`, `exec` and `serve` start from: the profile they act on,
//! and what its awscreds-rs line opens (its store, NAME and session flags).

use crate::awsfiles::AwsFiles;
use crate::context::Env;
use crate::error::{Error, Result};
use crate::session::Options;
use crate::store::{Store, StoreChoice};
use crate::wiring::Line;

/// The profile to act on: `--profile`, else `AWS_PROFILE`, else `default`.
pub fn chosen_profile(env: &Env, given: Option<&str>) -> String {
    given
        .map(String::from)
        .or_else(|| env.var("AWS_PROFILE").filter(|p| !p.is_empty()))
        .unwrap_or_else(|| "default".into())
}

/// A profile's awscreds-rs line, opened as the SDK would run it.
pub struct Opened {
    pub line: Line,
    pub store: Store,
    pub options: Options,
}

/// Reads `profile`'s line and opens its store: the `--store` the line
/// names, else `choice` (the default the line itself would get).
pub fn open(choice: StoreChoice, env: &Env, profile: &str) -> Result<Opened> {
    let files = AwsFiles::locate(env)?;
    let line = crate::profiles::awscreds_line(&files, profile)?;
    let options = super::line_options(&line)
    .and_then(|options| options.validate().map(|()| options))
    .map_err(|e| {
        Error::invalid(
            format!("the credential_process line of profile '{profile}' is not one awscreds-rs runs ({e})"),
            format!("write it again with: awscreds-rs configure --profile {profile} --username {}", line.name),
        )
    })?;
    let choice = match &line.store {
        Some(id) => StoreChoice::from_id(id).ok_or_else(|| {
            Error::invalid(
                format!("the credential_process line of profile '{profile}' names an unknown store '{}'", crate::error::one_line(id)),
                format!("write it again with: awscreds-rs configure --profile {profile} --username {}", line.name),
            )
        })?,
        None => choice,
    };
    crate::names::validate_name(&line.name)?;
    let store = Store::open(choice, env)?;
    Ok(Opened {
        line,
        store,
        options,
    })
}
