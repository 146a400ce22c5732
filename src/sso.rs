//! IAM Identity Center (SSO) with its tokens in the store, not in the AWS
//! CLI's plaintext `~/.aws/sso/cache`: the sign-in of `sso login` (the
//! authorization code with PKCE through the browser and `browser.rs`'s
//! loopback callback, or the device code where the browser cannot come
//! back), and the credential_process line for a role, which answers from its
//! cached role credentials, renews the access token with the refresh token
//! (one renewal for any number of concurrent callers), and otherwise fails
//! at once: it never opens a browser, never waits, never prompts.
//!
//! A session `S` keeps one login entry (`entry::Entry::SsoLogin`): the
//! client registration, the access token and the refresh token. Role
//! credentials are cached entries of their own (`Entry::SsoRole`), like
//! every session, with the 15-minute margin.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::awsfiles::key;
use crate::context::Env;
use crate::credentials::Credentials;
use crate::entry::Entry;
use crate::error::{Error, Result, SignInFailure};
use crate::renew::{CachedCredentials, Clock, Renewable};
use crate::secret::Secret;
use crate::store::Store;

/// The version of the stored session document.
const FORMAT: u32 = 1;
/// An access token with less than this left is renewed before use.
const ACCESS_MARGIN: time::Duration = time::Duration::minutes(5);
/// How a client registration names itself.
pub const CLIENT_NAME: &str = "awscreds-rs";
/// The OAuth grant of the device flow.
pub const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// The grants a client registers for the authorization code, as the AWS
/// CLI registers them.
pub const CODE_GRANTS: [&str; 2] = ["authorization_code", "refresh_token"];
/// The redirect a client registers: the loopback, any port.
pub const REGISTERED_REDIRECT: &str = "http://127.0.0.1/oauth/callback";
/// The scope the authorization code asks for when the session names none
/// (`sso_registration_scopes`), so that a refresh token is issued.
pub const DEFAULT_SCOPE: &str = "sso:account:access";
/// A stored registration is used again while it has more than this left.
const REGISTRATION_MARGIN: i64 = 15 * 60;

/// An `[sso-session S]` section of the config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoSession {
    pub name: String,
    pub start_url: String,
    pub region: String,
    pub scopes: Vec<String>,
}

/// A registered OIDC client.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Client {
    pub id: String,
    pub secret: Secret,
    /// Unix seconds.
    pub expires_at: i64,
    /// The grants it was registered for; none for the device code (the
    /// registrations stored before the authorization code came).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grant_types: Vec<String>,
}

impl Client {
    /// Whether it was registered for the authorization code.
    pub fn takes_code(&self) -> bool {
        self.grant_types.iter().any(|g| g == "authorization_code")
    }
}

/// What a client registers for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registration<'a> {
    /// The device code.
    Device,
    /// The authorization code: [`CODE_GRANTS`], [`REGISTERED_REDIRECT`],
    /// and the session's start URL as the issuer.
    Code { issuer: &'a str },
}

/// What StartDeviceAuthorization hands out.
#[derive(Debug, Clone)]
pub struct Device {
    pub device_code: Secret,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: Option<String>,
    pub expires_in: i64,
    pub interval: i64,
}

/// CreateToken's answer.
#[derive(Debug, Clone)]
pub struct Issued {
    pub access_token: Secret,
    pub expires_in: i64,
    pub refresh_token: Option<Secret>,
}

/// Why CreateToken gave no token.
#[derive(Debug)]
pub enum TokenError {
    /// `authorization_pending`: ask again after the interval.
    Pending,
    /// `slow_down`: ask again, 5 seconds further apart.
    SlowDown,
    /// `expired_token`: the device code (or the refresh token) is spent.
    Expired,
    /// Anything else, said in a line.
    Failed(Error),
}

/// The grant CreateToken is asked for.
pub enum Grant<'a> {
    Device(&'a str),
    Refresh(&'a str),
    /// The code the browser brought back, with the PKCE verifier and the
    /// redirect it came to (with its port).
    Code {
        code: &'a str,
        verifier: &'a str,
        redirect_uri: &'a str,
    },
}

/// The OIDC service (sso-oidc).
pub trait Oidc {
    fn register_client(
        &self,
        region: &str,
        scopes: &[String],
        registration: Registration<'_>,
    ) -> Result<Client>;
    /// The service's authorize page, `https://oidc.REGION.amazonaws.com/authorize`
    /// (or where the endpoint variables send it).
    fn authorize_url(&self, region: &str) -> Result<String>;
    fn start_device_authorization(
        &self,
        region: &str,
        client: &Client,
        start_url: &str,
    ) -> Result<Device>;
    fn create_token(
        &self,
        region: &str,
        client: &Client,
        grant: Grant<'_>,
    ) -> std::result::Result<Issued, TokenError>;
}

/// The portal (sso).
pub trait Portal {
    /// `Ok(None)`: the access token was refused (UnauthorizedException).
    fn role_credentials(
        &self,
        region: &str,
        access_token: &str,
        account: &str,
        role: &str,
    ) -> Result<Option<Credentials>>;
    /// Every account, every page: (id, name).
    fn accounts(&self, region: &str, access_token: &str) -> Result<Vec<(String, String)>>;
    /// Every role of one account, every page.
    fn roles(&self, region: &str, access_token: &str, account: &str) -> Result<Vec<String>>;
    fn logout(&self, region: &str, access_token: &str) -> Result<()>;
}

/// What the store keeps for a session.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stored {
    format_version: u32,
    pub start_url: String,
    pub region: String,
    pub client: Client,
    pub access_token: Secret,
    /// Unix seconds.
    pub expires_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Secret>,
}

impl Stored {
    /// A session's tokens from elsewhere (the AWS CLI's cache).
    pub fn new(
        start_url: String,
        region: String,
        client: Client,
        access_token: Secret,
        expires_at: i64,
        refresh_token: Option<Secret>,
    ) -> Stored {
        Stored {
            format_version: FORMAT,
            start_url,
            region,
            client,
            access_token,
            expires_at,
            refresh_token,
        }
    }

    pub fn expires(&self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(self.expires_at).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

/// The names of the `[sso-session S]` sections of the config file.
pub fn session_names(ini: &crate::ini::Ini) -> Vec<String> {
    ini.section_names()
        .iter()
        .filter_map(|h| h.strip_prefix(key::SSO_SESSION_SECTION))
        .map(|rest| rest.trim().to_string())
        .collect()
}

/// The `[sso-session S]` section of the config file, with what a login
/// needs; an error that names the missing setting otherwise.
pub fn session_from(
    ini: &crate::ini::Ini,
    path: &std::path::Path,
    name: &str,
) -> Result<SsoSession> {
    let header = format!("{} {name}", key::SSO_SESSION_SECTION);
    let section = ini
        .sections()
        .into_iter()
        .rev()
        .find(|(h, _)| h.split_whitespace().collect::<Vec<_>>().join(" ") == header)
        .map(|(_, props)| props)
        .ok_or_else(|| {
            Error::invalid(
                format!("there is no [sso-session {name}] in {}", path.display()),
                format!(
                    "add it: [sso-session {name}] with sso_start_url = https://YOUR.awsapps.com/start, \
                     sso_region = REGION and sso_registration_scopes = sso:account:access"
                ),
            )
        })?;
    let get = |key: &str| {
        section
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let need = |key: &str| {
        get(key).ok_or_else(|| {
            Error::invalid(
                format!("[sso-session {name}] in {} has no {key}", path.display()),
                format!("add {key} to it, as `aws configure sso-session` writes it"),
            )
        })
    };
    Ok(SsoSession {
        name: name.to_string(),
        start_url: need(key::SSO_START_URL)?,
        region: need(key::SSO_REGION)?,
        scopes: get(key::SSO_REGISTRATION_SCOPES)
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// The store entry of session `name`.
pub fn entry(name: &str) -> String {
    Entry::SsoLogin(name.to_string()).to_string()
}

/// The store entry that caches a role's credentials.
pub fn role_entry(name: &str, account: &str, role: &str) -> String {
    Entry::SsoRole {
        session: name.to_string(),
        account: account.to_string(),
        role: role.to_string(),
    }
    .to_string()
}

/// A session name, account id and role name as the line and the store
/// names take them.
pub fn validate(name: &str, account: Option<&str>, role: Option<&str>) -> Result<()> {
    if !crate::names::is_sso_session_name(name) {
        return Err(Error::bad_value(
            "--sso-session",
            name,
            "letters, digits, '-', '_' and '.'",
        ));
    }
    if let Some(account) = account {
        if !crate::names::is_account_id(account) {
            return Err(Error::bad_value(
                "--account-id",
                account,
                "an AWS account id is 12 digits",
            ));
        }
    }
    if let Some(role) = role {
        if !crate::names::is_role_name(role) {
            return Err(Error::bad_value(
                "--role-name",
                role,
                "letters, digits and +=,.@_-",
            ));
        }
    }
    Ok(())
}

fn login_error(name: &str, what: &str) -> Error {
    Error::SignedOut {
        why: format!("{what} for IAM Identity Center session '{name}'"),
        again: crate::fix::sso_login(name).to_string(),
    }
}

/// Reads the session's stored tokens.
pub fn load(store: &Store, name: &str) -> Result<Option<Stored>> {
    let Some(bytes) = store.load_document(&entry(name))? else {
        return Ok(None);
    };
    let stored: Stored = serde_json::from_slice(&bytes).map_err(|_| Error::Corrupt {
        name: entry(name),
        store: store.kind(),
        cause: "not an Identity Center session that awscreds-rs wrote".into(),
    })?;
    if stored.format_version != FORMAT {
        return Err(Error::Corrupt {
            name: entry(name),
            store: store.kind(),
            cause: format!(
                "format {} is not one this version reads",
                stored.format_version
            )
            .into(),
        });
    }
    Ok(Some(stored))
}

/// Stores a session's tokens (read back and compared where that asks nothing).
pub fn save(store: &Store, name: &str, stored: &Stored) -> Result<()> {
    let bytes = Zeroizing::new(serde_json::to_vec(stored).expect("plain data serializes"));
    store.save_document(&entry(name), &bytes)
}

/// The stored registration of the session, while it has more than
/// [`REGISTRATION_MARGIN`] left and was made for this kind of sign-in,
/// this region and start URL; else a new one. With whether it was stored.
fn registration(
    store: &Store,
    session: &SsoSession,
    oidc: &dyn Oidc,
    now: OffsetDateTime,
    registration: Registration<'_>,
    scopes: &[String],
) -> Result<(Client, bool)> {
    let code = matches!(registration, Registration::Code { .. });
    let reusable = load(store, &session.name).ok().flatten().filter(|s| {
        s.client.expires_at > now.unix_timestamp() + REGISTRATION_MARGIN
            && s.client.takes_code() == code
            && s.region == session.region
            && s.start_url == session.start_url
    });
    match reusable {
        Some(stored) => Ok((stored.client, true)),
        None => Ok((
            oidc.register_client(&session.region, scopes, registration)?,
            false,
        )),
    }
}

/// The device flow of `sso login`: a client registration (see
/// [`registration`]; with the session's scopes, so that a refresh token
/// is issued), the device code shown by `show`, CreateToken polled as
/// the protocol says (waiting on `clock`), and the tokens stored.
pub fn login(
    store: &Store,
    session: &SsoSession,
    oidc: &dyn Oidc,
    show: &mut dyn FnMut(&Device) -> Result<()>,
    clock: &dyn Clock,
) -> Result<Stored> {
    let (mut client, reused) = registration(
        store,
        session,
        oidc,
        clock.now(),
        Registration::Device,
        &session.scopes,
    )?;
    let device = match oidc.start_device_authorization(&session.region, &client, &session.start_url)
    {
        // A registration the service no longer knows (deleted, or the
        // instance was recreated): a new one, once.
        Err(e) if reused && e.aws_code() == Some("InvalidClientException") => {
            client =
                oidc.register_client(&session.region, &session.scopes, Registration::Device)?;
            oidc.start_device_authorization(&session.region, &client, &session.start_url)?
        }
        result => result?,
    };
    show(&device)?;
    let issued = poll(oidc, session, &client, &device, clock)?;
    keep(store, session, client, issued, clock)
}

/// The tokens CreateToken issued, stored as the session's login.
fn keep(
    store: &Store,
    session: &SsoSession,
    client: Client,
    issued: Issued,
    clock: &dyn Clock,
) -> Result<Stored> {
    let stored = Stored {
        format_version: FORMAT,
        start_url: session.start_url.clone(),
        region: session.region.clone(),
        client,
        access_token: issued.access_token,
        expires_at: clock.now().unix_timestamp() + issued.expires_in,
        refresh_token: issued.refresh_token,
    };
    save(store, &session.name, &stored)?;
    Ok(stored)
}

/// The authorization-code flow of `sso login`, as the AWS CLI signs in
/// since 2.22: a client registered for the code (see [`registration`];
/// the session's scopes, else [`DEFAULT_SCOPE`]), the authorize page
/// handed to `open` with a PKCE challenge and a random `state`, the code
/// the browser brings back to the loopback callback, and CreateToken
/// with the verifier. The tokens go into the store.
pub fn login_in_browser(
    store: &Store,
    session: &SsoSession,
    oidc: &dyn Oidc,
    open: &mut dyn FnMut(&str) -> Result<()>,
    clock: &dyn Clock,
    limit: std::time::Duration,
) -> Result<Stored> {
    use crate::browser::{with_query, Callback, Pkce, Returned};
    let scopes = if session.scopes.is_empty() {
        vec![DEFAULT_SCOPE.to_string()]
    } else {
        session.scopes.clone()
    };
    let (client, _) = registration(
        store,
        session,
        oidc,
        clock.now(),
        Registration::Code {
            issuer: &session.start_url,
        },
        &scopes,
    )?;
    let pkce = Pkce::new()?;
    let callback = Callback::bind()?;
    let redirect_uri = callback.redirect_uri();
    let url = with_query(
        &oidc.authorize_url(&session.region)?,
        &[
            ("response_type", "code"),
            ("client_id", &client.id),
            ("redirect_uri", &redirect_uri),
            ("state", &pkce.state),
            ("code_challenge_method", "S256"),
            ("scopes", &scopes.join(" ")),
            ("code_challenge", &pkce.challenge),
        ],
    );
    open(&url)?;
    let again = crate::fix::sso_login(&session.name).to_string();
    let code = match callback.wait(&pkce.state, limit, &again)? {
        Returned::Code(code) => code,
        Returned::Refused(why) => {
            return Err(Error::SignIn {
                failure: SignInFailure::Refused(why),
                again,
            })
        }
    };
    let grant = Grant::Code {
        code: code.expose(),
        verifier: pkce.verifier.expose(),
        redirect_uri: &redirect_uri,
    };
    let issued = match oidc.create_token(&session.region, &client, grant) {
        Ok(issued) => issued,
        Err(TokenError::Failed(e)) => return Err(e),
        Err(_) => {
            return Err(Error::SignIn {
                failure: SignInFailure::CodeNotTaken,
                again,
            })
        }
    };
    keep(store, session, client, issued, clock)
}

/// The longest a device code is waited for, whatever the server says:
/// Identity Center's own codes last 10 minutes.
const MAX_DEVICE_WAIT: i64 = 30 * 60;
/// The longest wait between two polls.
const MAX_POLL_INTERVAL: i64 = 30;

/// CreateToken, asked every `interval` seconds while `authorization_pending`,
/// 5 seconds further apart after each `slow_down`, until a token, an
/// `expired_token`, or the device code's own time is up.
fn poll(
    oidc: &dyn Oidc,
    session: &SsoSession,
    client: &Client,
    device: &Device,
    clock: &dyn Clock,
) -> Result<Issued> {
    // The server's numbers, bounded: a device code lasts minutes, and a
    // poll interval of days (or a code that never expires) is a broken
    // or hostile server, not a reason to wait for ever.
    let expires_in = device.expires_in.clamp(1, MAX_DEVICE_WAIT);
    let mut interval = device.interval.clamp(1, MAX_POLL_INTERVAL);
    let mut waited = 0;
    loop {
        if waited >= expires_in {
            return Err(expired(&session.name));
        }
        let step = interval.min(expires_in - waited);
        clock.sleep(std::time::Duration::from_secs(step as u64));
        waited += step;
        match oidc.create_token(
            &session.region,
            client,
            Grant::Device(device.device_code.expose()),
        ) {
            Ok(issued) => return Ok(issued),
            Err(TokenError::Pending) => {}
            Err(TokenError::SlowDown) => interval = (interval + 5).min(MAX_POLL_INTERVAL),
            Err(TokenError::Expired) => return Err(expired(&session.name)),
            Err(TokenError::Failed(e)) => return Err(e),
        }
    }
}

fn expired(name: &str) -> Error {
    Error::SignIn {
        failure: SignInFailure::DeviceCodeExpired,
        again: crate::fix::sso_login(name).to_string(),
    }
}

/// The session's access token, renewed with the refresh token when it has
/// less than 5 minutes left: the one mechanism (`renew.rs`), so that
/// concurrent callers make one renewal. Without a usable token: the error
/// that names `sso login`.
pub fn access_token(
    env: &Env,
    store: &Store,
    name: &str,
    oidc: &dyn Oidc,
    clock: &dyn Clock,
) -> Result<Stored> {
    renewed(env, store, name, oidc, clock, None)
}

/// A session's login as a cached entry: its access token is fresh while
/// more than [`ACCESS_MARGIN`] is left and the portal has not refused it
/// (`refused`); it is renewed with the refresh token.
struct Login<'a> {
    store: &'a Store,
    name: &'a str,
    entry: String,
    oidc: &'a dyn Oidc,
    refused: Option<&'a str>,
}

impl Renewable for Login<'_> {
    type Value = Stored;

    fn entry(&self) -> &str {
        &self.entry
    }

    fn read(&self) -> Result<Option<Stored>> {
        match load(self.store, self.name)? {
            Some(stored) => Ok(Some(stored)),
            None => Err(login_error(self.name, "no login is stored")),
        }
    }

    fn fresh(&self, stored: &Stored, now: OffsetDateTime) -> bool {
        stored.expires() - now > ACCESS_MARGIN && Some(stored.access_token.expose()) != self.refused
    }

    fn renew(&mut self, stale: Option<Stored>, now: OffsetDateTime) -> Result<Stored> {
        let name = self.name;
        let mut stored = stale.ok_or_else(|| login_error(name, "no login is stored"))?;
        let Some(refresh) = stored.refresh_token.clone() else {
            return Err(login_error(
                name,
                "the login has expired and holds no refresh token (is sso_registration_scopes set?)",
            ));
        };
        if stored.client.expires_at <= now.unix_timestamp() {
            return Err(login_error(name, "the client registration has expired"));
        }
        match self.oidc.create_token(
            &stored.region,
            &stored.client,
            Grant::Refresh(refresh.expose()),
        ) {
            Ok(issued) => {
                stored.access_token = issued.access_token;
                stored.expires_at = now.unix_timestamp() + issued.expires_in;
                if issued.refresh_token.is_some() {
                    stored.refresh_token = issued.refresh_token;
                }
                Ok(stored)
            }
            Err(TokenError::Failed(e)) => Err(e.context(format!(
                "renewing the login of Identity Center session '{name}' ({} starts a new one)",
                crate::fix::sso_login(name)
            ))),
            Err(_) => Err(login_error(name, "the refresh token was refused")),
        }
    }

    fn write(&self, stored: &Stored) -> Result<()> {
        save(self.store, self.name, stored)
    }
}

/// [`access_token`], or with `refused` (an access token the portal
/// refused before its time, revoked or expired there) a new one unless
/// another process has replaced it meanwhile.
fn renewed(
    env: &Env,
    store: &Store,
    name: &str,
    oidc: &dyn Oidc,
    clock: &dyn Clock,
    refused: Option<&str>,
) -> Result<Stored> {
    let login = Login {
        store,
        name,
        entry: entry(name),
        oidc,
        refused,
    };
    crate::renew::cached_or_renewed(env, clock, login, false)
}

/// The credential_process line for a role: its cached credentials while
/// fresh, else GetRoleCredentials with the session's access token, cached.
#[allow(clippy::too_many_arguments)]
pub fn role_credentials(
    env: &Env,
    store: &Store,
    name: &str,
    account: &str,
    role: &str,
    oidc: &dyn Oidc,
    portal: &dyn Portal,
    clock: &dyn Clock,
) -> Result<Credentials> {
    let cache = role_entry(name, account, role);
    let fetch = || {
        let stored = access_token(env, store, name, oidc, clock)?;
        let token = stored.access_token.expose();
        match portal.role_credentials(&stored.region, token, account, role)? {
            Some(creds) => Ok(creds),
            // Refused before its time (revoked, or expired at Identity
            // Center): renewed once with the refresh token, then asked again.
            None => {
                let stored = renewed(env, store, name, oidc, clock, Some(token))?;
                portal
                    .role_credentials(&stored.region, stored.access_token.expose(), account, role)?
                    .ok_or_else(|| {
                        login_error(name, "Identity Center refused the renewed access token")
                    })
            }
        }
    };
    let cached = CachedCredentials {
        store,
        entry: &cache,
        guard: &crate::renew::no_guard,
        fetch: Some(fetch),
    };
    crate::renew::cached_or_renewed(env, clock, cached, false)
}

/// What `sso logout` did: how many entries went from the store, and what
/// Identity Center's Logout answered (`None`: no token to call it with).
pub struct LoggedOut {
    pub dropped: usize,
    pub server: Option<Result<()>>,
}

/// `sso logout`: Logout with the access token when there is one, and every
/// entry of the session dropped.
pub fn logout(store: &Store, name: &str, portal: &dyn Portal) -> Result<LoggedOut> {
    let mut server = None;
    if let Ok(Some(stored)) = load(store, name) {
        // The tokens go from the store whatever AWS answers; a failure is
        // told, since the token stays valid there until it expires.
        server = Some(portal.logout(&stored.region, stored.access_token.expose()));
    }
    let mut dropped = 0;
    for entry in store.names()? {
        if Entry::parse(&entry).sso_session() == Some(name) {
            store.remove(&entry)?;
            dropped += 1;
        }
    }
    Ok(LoggedOut { dropped, server })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::renew::tests::TestClock;

    #[test]
    fn entries_keep_sessions_apart() {
        let of = |e: &str| Entry::parse(e).sso_session().map(String::from);
        assert_eq!(of(&entry("corp")).as_deref(), Some("corp"));
        assert_eq!(
            of(&role_entry("corp", "111111111111", "Admin")).as_deref(),
            Some("corp")
        );
        assert_eq!(of(&entry("corp2")).as_deref(), Some("corp2"));
    }

    /// CreateToken answers pending, slow_down, pending, then a token: the
    /// waits are the interval, then 5 seconds more from slow_down on.
    #[test]
    fn the_device_flow_polls_as_the_protocol_says() {
        use std::cell::RefCell;
        struct Fake(RefCell<Vec<std::result::Result<Issued, TokenError>>>);
        impl Oidc for Fake {
            fn register_client(
                &self,
                _: &str,
                scopes: &[String],
                how: Registration<'_>,
            ) -> Result<Client> {
                assert_eq!(scopes, ["sso:account:access"]);
                assert_eq!(how, Registration::Device);
                Ok(Client {
                    id: "c".into(),
                    secret: Secret::new("s".into()),
                    expires_at: i64::MAX / 2,
                    grant_types: Vec::new(),
                })
            }
            fn authorize_url(&self, _: &str) -> Result<String> {
                unreachable!("the device flow opens no authorize page")
            }
            fn start_device_authorization(&self, _: &str, _: &Client, _: &str) -> Result<Device> {
                Ok(Device {
                    device_code: Secret::new("d".into()),
                    user_code: "AB-CD".into(),
                    verification_uri: "https://x".into(),
                    verification_uri_complete: None,
                    expires_in: 600,
                    interval: 2,
                })
            }
            fn create_token(
                &self,
                _: &str,
                _: &Client,
                _: Grant<'_>,
            ) -> std::result::Result<Issued, TokenError> {
                self.0.borrow_mut().remove(0)
            }
        }
        let issued = Issued {
            access_token: Secret::new("a".into()),
            expires_in: 3600,
            refresh_token: Some(Secret::new("r".into())),
        };
        let fake = Fake(RefCell::new(vec![
            Err(TokenError::Pending),
            Err(TokenError::SlowDown),
            Err(TokenError::Pending),
            Ok(issued),
        ]));
        let session = SsoSession {
            name: "corp".into(),
            start_url: "https://example.awsapps.com/start".into(),
            region: "eu-west-1".into(),
            scopes: vec!["sso:account:access".into()],
        };
        let client = fake
            .register_client("eu-west-1", &session.scopes, Registration::Device)
            .unwrap();
        let device = fake
            .start_device_authorization("eu-west-1", &client, &session.start_url)
            .unwrap();
        let clock = TestClock::at(OffsetDateTime::UNIX_EPOCH);
        let got = poll(&fake, &session, &client, &device, &clock);
        assert_eq!(got.unwrap().access_token.expose(), "a");
        assert_eq!(clock.waited(), [2, 2, 7, 7]);

        let expired = Fake(RefCell::new(vec![
            Err(TokenError::Pending),
            Err(TokenError::Expired),
        ]));
        let e = poll(&expired, &session, &client, &device, &clock).unwrap_err();
        assert!(
            e.to_string().contains("sso login --session corp"),
            "{}",
            e.report()
        );
    }

    #[test]
    fn names_are_checked() {
        assert!(validate("corp", Some("111111111111"), Some("Admin")).is_ok());
        assert!(validate("corp", Some("11111111111"), None).is_err());
        assert!(validate("co rp", None, None).is_err());
        assert!(validate("corp", None, Some("a/b")).is_err());
    }
}
