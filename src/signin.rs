//! AWS's own sign-in (`aws login`), with the refresh token, the DPoP key
//! and the current credentials in the store instead of the AWS CLI's
//! plaintext `~/.aws/login/cache`.
//!
//! An IAM user (or root, or a federated role) signs in to the console's
//! sign-in page in a browser; the sign-in service then gives 15-minute
//! credentials, renewed with a refresh token for up to 12 hours. The
//! refresh token is bound to a P-256 key made here: every token request
//! carries a DPoP proof signed with it (`aws/dpop.rs`). One store entry
//! ([`Entry::Login`]) holds it all as one JSON document ([`Stored`]).
//!
//! The line `awscreds-rs --login-session ARN` ([`credentials`]) hands out
//! the stored credentials while more than [`MARGIN`] is left (the SDKs'
//! own login providers' margin: 15 minutes would renew on every call),
//! else renews them once for all parallel callers (`renew.rs`), the new
//! refresh token stored before anything is printed. A login that ended
//! (`TOKEN_EXPIRED`, `USER_CREDENTIALS_CHANGED`) fails at once and names
//! `awscreds-rs login`: never a browser, never a wait.

use std::time::Duration as StdDuration;

use base64::Engine;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use zeroize::Zeroizing;

use crate::browser::{with_query, Callback, Pkce, Returned};
use crate::context::Env;
use crate::credentials::Credentials;
use crate::entry::Entry;
use crate::error::{one_line, Error, Result, SignInFailure};
use crate::renew::{Clock, Renewable};
use crate::secret::Secret;
use crate::store::Store;

/// The client of the same-device flow: the browser comes back to this
/// machine's loopback.
pub const SAME_DEVICE: &str = "arn:aws:signin:::devtools/same-device";
/// The client of the cross-device flow: the browser shows a code that the
/// user pastes here.
pub const CROSS_DEVICE: &str = "arn:aws:signin:::devtools/cross-device";
/// Credentials are renewed when less than this is left.
pub const MARGIN: Duration = Duration::minutes(5);
/// How long AWS renews a login: 12 hours from the sign-in.
pub const LIFETIME: Duration = Duration::hours(12);
/// The path of the cross-device flow's confirmation page.
const CONFIRMATION_PATH: &str = "/v1/sessions/confirmation";
const FORMAT: u32 = 1;
/// The longest pasted code read, and the longest document a login is.
const PASTED_BYTES: usize = 8 * 1024;

/// What the token endpoint is asked for.
pub enum Grant<'a> {
    /// The code the browser brought back, with the PKCE verifier and the
    /// redirect it came to.
    Code {
        code: &'a str,
        verifier: &'a str,
        redirect_uri: &'a str,
    },
    /// A refresh token, which the answer replaces.
    Refresh(&'a str),
}

/// The token endpoint's answer.
pub struct Tokens {
    /// The credentials, with their expiration (at most 15 minutes on).
    pub credentials: Credentials,
    /// The refresh token to use next; the one given is spent.
    pub refresh_token: Secret,
    /// For the code grant: the ID token, whose `sub` is the login
    /// session's ARN.
    pub id_token: Option<String>,
}

/// AWS's sign-in service (`aws/signin.rs`), and the DPoP keys its token
/// requests are proved with, kept as PKCS#8 DER.
pub trait SignInService {
    /// The service's base URL in `region` (`AWS_ENDPOINT_URL_SIGNIN`, then
    /// `AWS_ENDPOINT_URL`, else the partition's host).
    fn endpoint(&self, region: &str) -> Result<String>;
    /// A new P-256 key, as PKCS#8 DER.
    fn new_key(&self) -> Result<Zeroizing<Vec<u8>>>;
    /// Whether `key` is a P-256 key in PKCS#8 that proofs can be signed with.
    fn usable_key(&self, key: &[u8]) -> bool;
    /// CreateOAuth2Token for `client_id`, proved with `key`. A refusal
    /// keeps the OAuth2 code as its [`Error::aws_code`].
    fn token(&self, region: &str, client_id: &str, key: &[u8], grant: Grant<'_>) -> Result<Tokens>;
}

/// What the store keeps for a login.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stored {
    format_version: u32,
    /// The login session's ARN (the principal: `arn:aws:iam::ID:user/N`).
    pub session: String,
    pub region: String,
    pub client_id: String,
    /// The profile `login` or `import --login` wrote the line into, for
    /// the message that says how to sign in again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    pub refresh_token: Secret,
    /// The DPoP key: PKCS#8 DER, in standard base64.
    pub dpop_key: Secret,
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Secret,
    /// Unix seconds.
    pub expires_at: i64,
    /// When the user signed in (Unix seconds): the 12 hours run from here.
    pub signed_in_at: i64,
}

impl Stored {
    pub fn expires(&self) -> OffsetDateTime {
        at(self.expires_at)
    }

    /// When AWS stops renewing the login.
    pub fn ends(&self) -> OffsetDateTime {
        at(self.signed_in_at) + LIFETIME
    }

    pub fn account(&self) -> &str {
        account_of(&self.session)
    }

    /// The credentials as the line prints them.
    pub fn credentials(&self) -> Credentials {
        Credentials {
            access_key_id: self.access_key_id.clone(),
            secret_access_key: self.secret_access_key.clone(),
            session_token: Some(self.session_token.clone()),
            expiration: Some(self.expires()),
            account_id: Some(self.account().to_string()),
            mfa_serial: None,
            created: None,
        }
    }

    fn key(&self) -> Option<Zeroizing<Vec<u8>>> {
        base64::engine::general_purpose::STANDARD
            .decode(self.dpop_key.expose())
            .ok()
            .map(Zeroizing::new)
    }

    fn take(&mut self, tokens: Tokens) {
        let creds = tokens.credentials;
        self.access_key_id = creds.access_key_id;
        self.secret_access_key = creds.secret_access_key;
        self.session_token = creds
            .session_token
            .unwrap_or_else(|| Secret::new(String::new()));
        self.expires_at = creds.expiration.map_or(0, OffsetDateTime::unix_timestamp);
        self.refresh_token = tokens.refresh_token;
    }
}

fn at(secs: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The account of a login session's ARN (`arn:aws:iam::ID:user/N`).
pub fn account_of(session: &str) -> &str {
    session.split(':').nth(4).unwrap_or("")
}

/// The store entry of the login `session`.
pub fn entry(session: &str) -> String {
    Entry::login(session).to_string()
}

/// Refuses what is not a login session's ARN, before it reaches the store
/// or a line.
pub fn validate(session: &str) -> Result<()> {
    if crate::names::is_login_session(session) {
        return Ok(());
    }
    Err(Error::BadValue {
        of: "--login-session",
        value: Some(one_line(session.escape_debug()).chars().take(200).collect()),
        rule: "the ARN of a login session, as `aws login` names it \
               (arn:aws:iam::123456789012:user/NAME, ...:root, or an assumed role)"
            .into(),
    })
}

/// Reads a login from the store.
pub fn load(store: &Store, session: &str) -> Result<Option<Stored>> {
    let name = entry(session);
    let Some(bytes) = store.load_document(&name)? else {
        return Ok(None);
    };
    let corrupt = |cause: String| Error::Corrupt {
        name: name.clone(),
        store: store.kind(),
        cause: cause.into(),
    };
    let stored: Stored = serde_json::from_slice(&bytes)
        .map_err(|_| corrupt("not a login that awscreds-rs wrote".into()))?;
    if stored.format_version != FORMAT {
        return Err(corrupt(format!(
            "format {} is not one this version reads",
            stored.format_version
        )));
    }
    if stored.session != session {
        return Err(corrupt("it holds another login session".into()));
    }
    Ok(Some(stored))
}

/// Stores a login (read back and compared where that asks nothing).
pub fn save(store: &Store, stored: &Stored) -> Result<()> {
    let bytes = Zeroizing::new(serde_json::to_vec(stored).expect("plain data serializes"));
    store.save_document(&entry(&stored.session), &bytes)
}

/// The command that signs in again, for the profile the login was made
/// for (else the one the caller names).
fn again(profile: Option<&str>) -> String {
    crate::fix::login(profile.unwrap_or("PROFILE")).to_string()
}

/// A login as a cached entry: fresh while more than [`MARGIN`] is left,
/// renewed with the refresh token.
struct Login<'a> {
    store: &'a Store,
    session: &'a str,
    entry: String,
    service: &'a dyn SignInService,
    /// The profile to name when no login is stored.
    profile: Option<&'a str>,
}

impl Renewable for Login<'_> {
    type Value = Stored;

    fn entry(&self) -> &str {
        &self.entry
    }

    fn read(&self) -> Result<Option<Stored>> {
        match load(self.store, self.session)? {
            Some(stored) => Ok(Some(stored)),
            None => Err(Error::SignedOut {
                why: format!(
                    "no login of {} is stored in {}",
                    self.session,
                    self.store.label()
                ),
                again: again(self.profile),
            }),
        }
    }

    fn fresh(&self, stored: &Stored, now: OffsetDateTime) -> bool {
        stored.expires() - now > MARGIN
    }

    fn renew(&mut self, stale: Option<Stored>, _: OffsetDateTime) -> Result<Stored> {
        let mut stored = stale.expect("read fails without a login");
        let again = again(stored.profile.as_deref().or(self.profile));
        let key = stored.key().ok_or_else(|| Error::SignedOut {
            why: format!("the stored login of {} holds no usable key", stored.session),
            again: again.clone(),
        })?;
        let refresh = stored.refresh_token.clone();
        let tokens = self
            .service
            .token(
                &stored.region,
                &stored.client_id,
                &key,
                Grant::Refresh(refresh.expose()),
            )
            .map_err(|e| match e.aws_code() {
                Some("TOKEN_EXPIRED") => Error::SignedOut {
                    why: format!(
                        "the login of {} has ended (AWS renews one for 12 hours)",
                        stored.session
                    ),
                    again: again.clone(),
                },
                Some("USER_CREDENTIALS_CHANGED") => Error::SignedOut {
                    why: format!(
                        "the login of {} has ended: the user's password or keys changed",
                        stored.session
                    ),
                    again: again.clone(),
                },
                _ => e.context(format!("renewing the login of {}", stored.session)),
            })?;
        stored.take(tokens);
        Ok(stored)
    }

    fn write(&self, stored: &Stored) -> Result<()> {
        save(self.store, stored)
    }
}

/// The line's answer: the stored credentials while fresh, else renewed
/// (one renewal for all parallel callers) and stored first. `profile` is
/// named in the error when no login is stored (`AWS_PROFILE`, if set).
pub fn credentials(
    env: &Env,
    store: &Store,
    session: &str,
    service: &dyn SignInService,
    clock: &dyn Clock,
    profile: Option<&str>,
) -> Result<Credentials> {
    let login = Login {
        store,
        session,
        entry: entry(session),
        service,
        profile,
    };
    crate::renew::cached_or_renewed(env, clock, login, false).map(|s| s.credentials())
}

/// Where a sign-in starts: the region, the profile the line goes into,
/// and the command that starts it again.
pub struct Start<'a> {
    pub region: &'a str,
    pub profile: &'a str,
    pub again: String,
}

/// The authorize URL of `client_id` that sends the browser to
/// `redirect_uri`, for `pkce`.
fn authorize_url(base: &str, client_id: &str, redirect_uri: &str, pkce: &Pkce) -> String {
    with_query(
        &format!("{base}/v1/authorize"),
        &[
            ("response_type", "code"),
            ("client_id", client_id),
            ("state", &pkce.state),
            // The sign-in service's own word for S256.
            ("code_challenge_method", "SHA-256"),
            ("scope", "openid"),
            ("redirect_uri", redirect_uri),
            ("code_challenge", &pkce.challenge),
        ],
    )
}

fn base_url(service: &dyn SignInService, region: &str) -> Result<String> {
    Ok(service.endpoint(region)?.trim_end_matches('/').to_string())
}

/// The same-device flow: the authorize page handed to `open`, the code
/// the browser brings back to the loopback callback within `limit`, and
/// the exchange. The login goes into the store.
pub fn login_in_browser(
    store: &Store,
    service: &dyn SignInService,
    start: &Start<'_>,
    open: &mut dyn FnMut(&str) -> Result<()>,
    clock: &dyn Clock,
    limit: StdDuration,
) -> Result<Stored> {
    let base = base_url(service, start.region)?;
    let pkce = Pkce::new()?;
    let callback = Callback::bind()?;
    let redirect_uri = callback.redirect_uri();
    open(&authorize_url(&base, SAME_DEVICE, &redirect_uri, &pkce))?;
    let code = match callback.wait(&pkce.state, limit, &start.again)? {
        Returned::Code(code) => code,
        Returned::Refused(why) => {
            return Err(Error::SignIn {
                failure: SignInFailure::Refused(why),
                again: start.again.clone(),
            })
        }
    };
    exchange(
        store,
        service,
        start,
        SAME_DEVICE,
        &code,
        &pkce,
        &redirect_uri,
        clock,
    )
}

/// The cross-device flow: the authorize page shown by `show` (to open in
/// any browser), the code its confirmation page shows read by `paste`
/// (the standard base64 of `state=…&code=…`), its `state` checked, and
/// the exchange.
pub fn login_elsewhere(
    store: &Store,
    service: &dyn SignInService,
    start: &Start<'_>,
    show: &mut dyn FnMut(&str) -> Result<()>,
    paste: &mut dyn FnMut() -> Result<Secret>,
    clock: &dyn Clock,
) -> Result<Stored> {
    let base = base_url(service, start.region)?;
    let pkce = Pkce::new()?;
    let redirect_uri = format!("{base}{CONFIRMATION_PATH}");
    show(&authorize_url(&base, CROSS_DEVICE, &redirect_uri, &pkce))?;
    let pasted = paste()?;
    let code = pasted_code(pasted.expose(), &pkce.state, &start.again)?;
    exchange(
        store,
        service,
        start,
        CROSS_DEVICE,
        &code,
        &pkce,
        &redirect_uri,
        clock,
    )
}

/// The code in what the user pasted, once its `state` is this sign-in's.
fn pasted_code(pasted: &str, state: &str, again: &str) -> Result<Secret> {
    let not_it = || Error::BadValue {
        of: "the pasted code",
        value: None,
        rule: "the code the sign-in page shows after you approve (base64 of state=...&code=...)"
            .into(),
    };
    let text = pasted.trim();
    if text.is_empty() || text.len() > PASTED_BYTES {
        return Err(not_it());
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| not_it())?;
    let (mut code, mut came_state) = (None, None);
    for (key, value) in form_urlencoded::parse(&decoded) {
        match &*key {
            "code" => code = Some(value.into_owned()),
            "state" => came_state = Some(value.into_owned()),
            _ => {}
        }
    }
    if came_state.as_deref() != Some(state) {
        return Err(Error::SignIn {
            failure: SignInFailure::WrongState,
            again: again.to_string(),
        });
    }
    code.filter(|c| !c.is_empty() && c.len() <= 4096)
        .map(Secret::new)
        .ok_or_else(not_it)
}

/// The code for tokens, with a key made for this login; stored.
#[allow(clippy::too_many_arguments)]
fn exchange(
    store: &Store,
    service: &dyn SignInService,
    start: &Start<'_>,
    client_id: &str,
    code: &Secret,
    pkce: &Pkce,
    redirect_uri: &str,
    clock: &dyn Clock,
) -> Result<Stored> {
    let key = service.new_key()?;
    let grant = Grant::Code {
        code: code.expose(),
        verifier: pkce.verifier.expose(),
        redirect_uri,
    };
    let tokens = service
        .token(start.region, client_id, &key, grant)
        .map_err(|e| match e.aws_code() {
            Some("AUTHCODE_EXPIRED") => Error::SignIn {
                failure: SignInFailure::CodeNotTaken,
                again: start.again.clone(),
            },
            _ => e,
        })?;
    let session = tokens
        .id_token
        .as_deref()
        .and_then(id_token_claims)
        .and_then(|claims| claims["sub"].as_str().map(String::from))
        .filter(|sub| crate::names::is_login_session(sub))
        .ok_or_else(|| {
            Error::bad_answer(
                "CreateOAuth2Token",
                "no ID token naming the login session's ARN",
            )
        })?;
    let mut stored = Stored {
        format_version: FORMAT,
        session,
        region: start.region.to_string(),
        client_id: client_id.to_string(),
        profile: Some(start.profile.to_string()),
        refresh_token: Secret::new(String::new()),
        dpop_key: Secret::new(base64::engine::general_purpose::STANDARD.encode(&*key)),
        access_key_id: String::new(),
        secret_access_key: Secret::new(String::new()),
        session_token: Secret::new(String::new()),
        expires_at: 0,
        signed_in_at: clock.now().unix_timestamp(),
    };
    stored.take(tokens);
    save(store, &stored)?;
    Ok(stored)
}

/// The claims of an ID token, read for what they name (the session's
/// ARN, the time of the sign-in), not trusted for more: the token came
/// straight from the sign-in service over TLS.
fn id_token_claims(token: &str) -> Option<serde_json::Value> {
    let payload = token.split('.').nth(1)?;
    if payload.len() > PASTED_BYTES {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// A login as the AWS CLI caches it (`~/.aws/login/cache/HEX.json`), as
/// one to store: `None` when it is not one (a field missing, a key that
/// is not P-256). `region` and `profile` come from the profile.
pub fn from_cli_cache(
    doc: &serde_json::Value,
    session: &str,
    region: &str,
    profile: &str,
    service: &dyn SignInService,
    now: OffsetDateTime,
) -> Option<Stored> {
    let access = &doc["accessToken"];
    let text = |v: &serde_json::Value| v.as_str().map(String::from);
    let key = pkcs8_of_sec1_pem(doc["dpopKey"].as_str()?)?;
    if !service.usable_key(&key) {
        return None;
    }
    let expires_at = crate::credentials::parse_expiration(access["expiresAt"].as_str()?)?;
    let signed_in_at = doc["idToken"]
        .as_str()
        .and_then(id_token_claims)
        .and_then(|claims| claims["iat"].as_i64())
        .unwrap_or_else(|| now.unix_timestamp());
    Some(Stored {
        format_version: FORMAT,
        session: session.to_string(),
        region: region.to_string(),
        client_id: text(&doc["clientId"]).unwrap_or_else(|| SAME_DEVICE.into()),
        profile: Some(profile.to_string()),
        refresh_token: Secret::new(text(&doc["refreshToken"])?),
        dpop_key: Secret::new(base64::engine::general_purpose::STANDARD.encode(&*key)),
        access_key_id: text(&access["accessKeyId"])?,
        secret_access_key: Secret::new(text(&access["secretAccessKey"])?),
        session_token: Secret::new(text(&access["sessionToken"])?),
        expires_at: expires_at.unix_timestamp(),
        signed_in_at,
    })
}

/// The file the AWS CLI caches `session` in: its SHA-256 in hex, under
/// `AWS_LOGIN_CACHE_DIRECTORY` or `~/.aws/login/cache`.
pub fn cli_cache_file(env: &Env, session: &str) -> Result<std::path::PathBuf> {
    let dir = match env
        .var("AWS_LOGIN_CACHE_DIRECTORY")
        .filter(|d| !d.is_empty())
    {
        Some(dir) => std::path::PathBuf::from(dir),
        None => crate::paths::home_dir(env)?.join(".aws/login/cache"),
    };
    let name = crate::digest::sha256_hex(&[session.as_bytes()], 32);
    Ok(dir.join(format!("{name}.json")))
}

/// A SEC1 `EC PRIVATE KEY` PEM (what the AWS CLI caches) as PKCS#8 DER
/// (what the store keeps): the SEC1 structure wrapped, as RFC 5915 and
/// 5208 say, with the algorithm id of a P-256 key.
pub fn pkcs8_of_sec1_pem(pem: &str) -> Option<Zeroizing<Vec<u8>>> {
    let body: Zeroizing<String> = Zeroizing::new(
        pem.trim()
            .strip_prefix("-----BEGIN EC PRIVATE KEY-----")?
            .strip_suffix("-----END EC PRIVATE KEY-----")?
            .split_whitespace()
            .collect(),
    );
    let sec1 = Zeroizing::new(
        base64::engine::general_purpose::STANDARD
            .decode(body.as_bytes())
            .ok()?,
    );
    if sec1.len() > 1024 {
        return None;
    }
    // version 0, AlgorithmIdentifier { id-ecPublicKey, prime256v1 }
    const HEAD: [u8; 24] = [
        0x02, 0x01, 0x00, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
        0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,
    ];
    let mut inner = Zeroizing::new(HEAD.to_vec());
    inner.push(0x04);
    der_length(&mut inner, sec1.len());
    inner.extend_from_slice(&sec1);
    let mut out = Zeroizing::new(vec![0x30]);
    der_length(&mut out, inner.len());
    out.extend_from_slice(&inner);
    Some(out)
}

/// A DER length (short form below 128, else one or two bytes).
fn der_length(out: &mut Vec<u8>, len: usize) {
    match len {
        0..=127 => out.push(len as u8),
        128..=255 => out.extend([0x81, len as u8]),
        _ => out.extend([0x82, (len >> 8) as u8, len as u8]),
    }
}

/// `logout`: the login's entry dropped. Whether there was one.
pub fn logout(store: &Store, session: &str) -> Result<bool> {
    let name = entry(session);
    if !store.contains(&name)? {
        return Ok(false);
    }
    store.remove(&name)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pasted_code_counts_only_with_this_sign_ins_state() {
        let encode = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let code = pasted_code(&encode("state=abc&code=xyz"), "abc", "again").unwrap();
        assert_eq!(code.expose(), "xyz");
        let code = pasted_code(
            &format!(" {}\n", encode("code=x%2By&state=abc")),
            "abc",
            "a",
        );
        assert_eq!(code.unwrap().expose(), "x+y");
        assert!(matches!(
            pasted_code(&encode("state=other&code=xyz"), "abc", "again"),
            Err(Error::SignIn {
                failure: SignInFailure::WrongState,
                ..
            })
        ));
        for bad in [
            "",
            "not base64!",
            &encode("state=abc"),
            &encode("state=abc&code="),
        ] {
            assert!(
                matches!(
                    pasted_code(bad, "abc", "again"),
                    Err(Error::BadValue { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn der_lengths_take_the_short_and_the_long_form() {
        for (len, want) in [
            (5, vec![5]),
            (127, vec![127]),
            (128, vec![0x81, 128]),
            (300, vec![0x82, 1, 44]),
        ] {
            let mut out = Vec::new();
            der_length(&mut out, len);
            assert_eq!(out, want, "{len}");
        }
    }

    #[test]
    fn the_accounts_and_entries_of_sessions() {
        let helen = "arn:aws:iam::123456789012:user/helen";
        assert_eq!(account_of(helen), "123456789012");
        assert_eq!(entry(helen), entry(helen));
        assert_ne!(entry(helen), entry("arn:aws:iam::123456789012:root"));
        assert!(entry(helen).starts_with("#login-"));
        assert!(validate(helen).is_ok());
        assert!(validate("arn:aws:iam::123456789012:user/a\nb").is_err());
    }

    #[test]
    fn id_tokens_are_read_for_their_claims() {
        let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(r#"{"sub":"arn:aws:iam::123456789012:user/helen","iat":5}"#);
        let token = format!("e30.{claims}.");
        let read = id_token_claims(&token).unwrap();
        assert_eq!(read["iat"], 5);
        assert!(id_token_claims("no-dots").is_none());
    }
}
