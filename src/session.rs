//! Short-lived sessions: STS GetSessionToken with an MFA code, AssumeRole
//! (from the MFA session when the key has a device), cached in the store
//! and reused until less than 15 minutes are left.
//!
//! A cached session is an entry of NAME's (`entry.rs` names them). A
//! refresh holds a lock per entry and reads the cache again once it has it,
//! so that many processes at once (Terraform starts dozens) make one call.

use crate::context::Env;
use crate::credentials::Credentials;
use crate::entry::{Entry, Kind};
use crate::error::{Error, Result};
use crate::renew::{CachedCredentials, Clock};
use crate::store::Store;
use crate::wiring::{Options, DEFAULT_DURATION};

/// How deep awscreds-rs may find itself running inside itself.
const MAX_DEPTH: u32 = 2;

/// One call to STS.
pub trait Sts {
    /// With `mfa` (the device's serial and a code) or without.
    fn get_session_token(
        &self,
        key: &Credentials,
        duration: u32,
        mfa: Option<(&str, &str)>,
    ) -> Result<Credentials>;
    fn assume_role(
        &self,
        key: &Credentials,
        role_arn: &str,
        session_name: &str,
        external_id: Option<&str>,
        duration: u32,
    ) -> Result<Credentials>;
}

/// The store entry that caches NAME's MFA session (GetSessionToken).
pub fn mfa_cache_name(name: &str) -> String {
    Entry::Mfa(name.to_string()).to_string()
}

/// The store entry that caches the session for these options.
pub fn cache_name(name: &str, options: &Options, mfa_serial: Option<&str>) -> String {
    match &options.role_arn {
        None => mfa_cache_name(name),
        Some(arn) => Entry::role(
            name,
            [
                arn.as_str(),
                options.external_id.as_deref().unwrap_or(""),
                options.role_session_name.as_deref().unwrap_or(""),
                mfa_serial.unwrap_or(""),
            ],
        )
        .to_string(),
    }
}

/// Drops cached credentials: NAME's sessions, or every cached entry
/// (Identity Center's role credentials too, never a login). Returns how
/// many. A key that is removed or replaced takes its sessions with it, so
/// that nothing made from it is served any more.
pub fn drop_sessions(store: &Store, name: Option<&str>) -> Result<usize> {
    let mut dropped = 0;
    for entry in store.names()? {
        let read = Entry::parse(&entry);
        let belongs = match name {
            Some(name) => read.is_cache_of(name),
            None => read.kind() == Kind::Cached,
        };
        if belongs {
            store.remove(&entry)?;
            dropped += 1;
        }
    }
    Ok(dropped)
}

/// The default role session name: `awscreds-rs-NAME`, cut to STS's 64.
pub fn default_session_name(name: &str) -> String {
    format!("awscreds-rs-{name}").chars().take(64).collect()
}

/// How many awscreds-rs refreshes this process runs inside: the
/// --mfa-command of a refresh gets `AWSCREDS_DEPTH` one higher.
fn depth(env: &Env) -> u32 {
    env.var("AWSCREDS_DEPTH")
        .and_then(|d| d.parse().ok())
        .unwrap_or(0)
}

fn loop_error(what: &str) -> Error {
    Error::invalid(
        format!("awscreds-rs is running inside itself ({what})"),
        "the --mfa-command of this credential_process leads back to it: break the loop",
    )
}

/// Fails when awscreds-rs runs inside itself too deep.
pub fn enter_guard(env: &Env) -> Result<()> {
    let depth = depth(env);
    if depth >= MAX_DEPTH {
        return Err(loop_error(&format!("{depth} levels deep")));
    }
    Ok(())
}

/// The entries that the refreshes around this process are refreshing.
fn refreshing(env: &Env) -> Vec<String> {
    env.var("AWSCREDS_REFRESHING")
        .unwrap_or_default()
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// The credentials for NAME with these options: a cached session while it
/// is fresh, else a new one from STS (asking for an MFA code if needed).
pub fn credentials(
    env: &Env,
    store: &Store,
    name: &str,
    key: Credentials,
    options: &Options,
    sts: &dyn Sts,
    clock: &dyn Clock,
) -> Result<Credentials> {
    open(env, store, name, key, options, sts, clock, false)
}

/// Like [`credentials`], but new sessions whatever the cache holds
/// (`refresh`): the MFA session asked for again, then the role's. Each
/// replaces its cached entry only once STS has answered.
pub fn renew(
    env: &Env,
    store: &Store,
    name: &str,
    key: Credentials,
    options: &Options,
    sts: &dyn Sts,
    clock: &dyn Clock,
) -> Result<Credentials> {
    open(env, store, name, key, options, sts, clock, true)
}

#[allow(clippy::too_many_arguments)]
fn open(
    env: &Env,
    store: &Store,
    name: &str,
    key: Credentials,
    options: &Options,
    sts: &dyn Sts,
    clock: &dyn Clock,
    renew: bool,
) -> Result<Credentials> {
    let serial = key.mfa_serial.clone();
    let duration = options.seconds()?;

    // The MFA session first: a role on a NAME with a device is assumed from it.
    let base = match &serial {
        Some(serial) => cached_or(env, store, &mfa_cache_name(name), clock, renew, || {
            let code = mfa_code(
                env,
                serial,
                options.mfa_command.as_deref(),
                &mfa_cache_name(name),
            )?;
            let session_duration = if options.role_arn.is_some() {
                DEFAULT_DURATION
            } else {
                duration
            };
            sts.get_session_token(&key, session_duration, Some((serial, &code)))
                .map_err(|e| {
                    e.context(format!(
                        "STS GetSessionToken for '{name}' with MFA device {serial}"
                    ))
                })
        })?,
        None => key.clone(),
    };
    let Some(role_arn) = &options.role_arn else {
        if serial.is_none() {
            return Err(Error::invalid(
                format!("'{name}' has no MFA device, and no --role-arn was given"),
                format!("record the device with: {}", crate::fix::add_mfa(name)),
            ));
        }
        return Ok(base);
    };
    let cache = cache_name(name, options, serial.as_deref());
    let session_name = options
        .role_session_name
        .clone()
        .unwrap_or_else(|| default_session_name(name));
    cached_or(env, store, &cache, clock, renew, || {
        sts.assume_role(
            &base,
            role_arn,
            &session_name,
            options.external_id.as_deref(),
            duration,
        )
        .map_err(|e| e.context(format!("STS AssumeRole of {role_arn} for '{name}'")))
    })
}

/// Like [`credentials`], but never a long-term key: where the line would
/// serve the stored key itself (no MFA device, no role), a GetSessionToken
/// session of it, cached as `Entry::Plain`; stored temporary credentials
/// as they are.
pub fn temporary_credentials(
    env: &Env,
    store: &Store,
    name: &str,
    key: Credentials,
    options: &Options,
    sts: &dyn Sts,
    clock: &dyn Clock,
) -> Result<Credentials> {
    if key.mfa_serial.is_some() || options.role_arn.is_some() {
        return credentials(env, store, name, key, options, sts, clock);
    }
    if key.is_temporary() {
        return Ok(key);
    }
    let duration = options.seconds()?;
    let entry = Entry::Plain(name.to_string()).to_string();
    cached_or(env, store, &entry, clock, false, || {
        sts.get_session_token(&key, duration, None)
            .map_err(|e| e.context(format!("STS GetSessionToken for '{name}'")))
    })
}

/// The cached entry while fresh, else `refresh`, cached: the one
/// mechanism (`renew.rs`). With `renew`, `refresh` whatever the cache holds.
fn cached_or(
    env: &Env,
    store: &Store,
    entry: &str,
    clock: &dyn Clock,
    renew: bool,
    refresh: impl FnOnce() -> Result<Credentials>,
) -> Result<Credentials> {
    // A refresh of this entry around us is waiting for us: waiting for its
    // lock would never end.
    let guard = || {
        if refreshing(env).iter().any(|e| e == entry) {
            return Err(loop_error(&format!("it is refreshing '{entry}' already")));
        }
        Ok(())
    };
    let cached = CachedCredentials {
        store,
        entry,
        guard: &guard,
        fetch: Some(refresh),
    };
    crate::renew::cached_or_renewed(env, clock, cached, renew)
}

/// The MFA code: the first line of --mfa-command's output, or typed on the
/// terminal (`/dev/tty` works even when the SDK captured stdin and stdout).
fn mfa_code(env: &Env, serial: &str, command: Option<&str>, entry: &str) -> Result<String> {
    let code = match command {
        Some(command) => run_mfa_command(env, command, entry)?,
        None => ask_terminal(serial)?,
    };
    let code = code.trim().to_string();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid(
            format!("the MFA code for {serial} is not 6 digits"),
            "type the current code of the device (or check what --mfa-command prints)",
        ));
    }
    Ok(code)
}

fn run_mfa_command(env: &Env, command: &str, entry: &str) -> Result<String> {
    let mut around = refreshing(env);
    around.push(entry.to_string());
    let env = [
        ("AWSCREDS_DEPTH", (depth(env) + 1).to_string()),
        ("AWSCREDS_REFRESHING", around.join(" ")),
    ];
    Ok(crate::ask::command_line(command, "--mfa-command", &env)?.to_string())
}

fn ask_terminal(serial: &str) -> Result<String> {
    crate::ask::terminal(&format!("MFA code for {serial}: "), false)?
        .map(|line| line.to_string())
        .ok_or_else(|| {
            Error::NoTerminal {
                to: format!("ask for the MFA code of {serial}"),
                fix: "add --mfa-command CMD to the credential_process line (for example --mfa-command \"ykman oath accounts code --single NAME\")".into(),
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::{Duration, OffsetDateTime};

    #[test]
    fn cache_names_keep_names_roles_and_devices_apart() {
        let none = Options::default();
        let role = |arn: &str| Options {
            role_arn: Some(arn.into()),
            ..Options::default()
        };
        let a = role("arn:aws:iam::111111111111:role/a");
        let b = role("arn:aws:iam::111111111111:role/b");
        assert_eq!(cache_name("helen", &none, Some("x")), "helen#mfa");
        assert_ne!(cache_name("helen", &a, None), cache_name("helen", &b, None));
        assert_ne!(
            cache_name("helen", &a, None),
            cache_name("helen", &a, Some("arn:mfa"))
        );
        assert_ne!(cache_name("helen", &a, None), cache_name("hugo", &a, None));
        assert!(Entry::parse(&cache_name("helen", &a, None)).is_cache_of("helen"));
        assert!(
            crate::names::validate_name("helen#mfa").is_err(),
            "no user NAME looks like a cache entry"
        );
    }

    #[test]
    fn session_names_fit_sts() {
        assert_eq!(default_session_name("helen"), "awscreds-rs-helen");
        assert_eq!(default_session_name(&"x".repeat(100)).len(), 64);
    }

    #[test]
    fn freshness_keeps_a_15_minute_margin() {
        let now = OffsetDateTime::now_utc();
        let mut c = Credentials {
            session_token: Some(crate::secret::Secret::new("t".into())),
            expiration: Some(now + Duration::minutes(16)),
            ..Credentials::new(
                "ASIAIOSFODNN7EXAMPLE".into(),
                crate::secret::Secret::new("s".into()),
            )
        };
        assert!(c.is_fresh(now));
        c.expiration = Some(now + Duration::minutes(15));
        assert!(!c.is_fresh(now));
        c.expiration = None;
        assert!(!c.is_fresh(now));
    }
}
