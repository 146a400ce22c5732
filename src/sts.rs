//! AWS STS and IAM through the AWS SDK, reached the way the SDKs reach
//! them: `AWS_REGION` (or the profile's region), `AWS_ENDPOINT_URL_STS`,
//! `AWS_ENDPOINT_URL_IAM` and `AWS_ENDPOINT_URL`. The async runtime starts
//! only when a call is made, so the credential_process fast path never
//! pays for it.

use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::session::Sts;

/// Who a set of credentials belongs to.
pub struct Identity {
    pub account: String,
    pub arn: String,
}

/// Whether an ARN from GetCallerIdentity is an account's root user.
pub fn is_root(arn: &str) -> bool {
    arn.starts_with("arn:") && arn.ends_with(":root")
}

/// The profile whose settings (region, endpoint) STS is reached with,
/// for a command that acts on a named profile (`refresh`, `serve`).
static PROFILE: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Reaches STS with `profile`'s settings from now on, as the line would when
/// an SDK runs it for that profile. Set once, before the first call.
pub fn use_profile(profile: &str) {
    let _ = PROFILE.set(profile.to_string());
}

#[cfg(feature = "sts")]
mod client {
    use super::*;
    use crate::error::one_line;
    use crate::secret::Secret;
    use aws_config::meta::region::RegionProviderChain;
    use aws_config::timeout::TimeoutConfig;
    use aws_config::BehaviorVersion;
    use aws_sdk_sts::config::Region;
    use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
    use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
    use aws_smithy_runtime_api::box_error::BoxError;
    use aws_smithy_runtime_api::client::interceptors::context::BeforeDeserializationInterceptorContextMut;
    use aws_smithy_runtime_api::client::interceptors::Intercept;
    use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::config_bag::ConfigBag;
    use std::time::Duration;
    use time::OffsetDateTime;

    pub struct Client;

    fn runtime() -> Result<tokio::runtime::Runtime> {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::io("cannot start the runtime for STS", e))
    }

    /// `AWS_REGION`, else the profile's region (the named profile, else
    /// the one AWS_PROFILE names), else us-east-1.
    fn region(profile: Option<&str>) -> RegionProviderChain {
        let mut from_file = aws_config::profile::ProfileFileRegionProvider::builder();
        if let Some(profile) = profile {
            from_file = from_file.profile_name(profile);
        }
        RegionProviderChain::first_try(
            aws_config::environment::EnvironmentVariableRegionProvider::new(),
        )
        .or_else(from_file.build())
        .or_else(Region::new("us-east-1"))
    }

    /// One readable line for a failed call: the service's own code and
    /// message when it answered, else where it was sought and why it could
    /// not be reached or understood. Never the SDK's Debug output.
    fn failure<E, R>(action: &str, endpoint: &str, e: &SdkError<E, R>) -> Error
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug + 'static,
    {
        let fix = match unreachable("AWS_ENDPOINT_URL_STS", e) {
            Some(fix) => fix + "; nothing was cached",
            None => "check the key's permissions, the MFA code, the role's trust policy and the endpoint; nothing was cached".into(),
        };
        Error::aws(
            format!("{action} failed: {}", failure_detail("STS", endpoint, e)),
            code(e),
            fix,
        )
    }

    /// For a call that never reached the service (no network, DNS, a
    /// time-out): the fix to give instead of permission advice.
    /// `variable` is the service's own endpoint variable, as the SDKs
    /// name it (`AWS_ENDPOINT_URL_SSO_OIDC`).
    fn unreachable<E, R>(variable: &str, e: &SdkError<E, R>) -> Option<String> {
        matches!(e, SdkError::DispatchFailure(_) | SdkError::TimeoutError(_)).then(|| {
            format!(
                "check the network, DNS and any proxy (HTTPS_PROXY), or {variable} \
                 (and AWS_ENDPOINT_URL) if set"
            )
        })
    }

    /// What went wrong with a call to `service`, in one line.
    fn failure_detail<E, R>(service: &str, endpoint: &str, e: &SdkError<E, R>) -> String
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug + 'static,
    {
        match e {
            SdkError::ServiceError(answer) => {
                let err = answer.err();
                // The service's own words, from outside: one line, no
                // control characters.
                match (err.code().map(one_line), err.message().map(one_line)) {
                    (Some(code), Some(message)) => format!("{code}: {message}"),
                    (Some(code), None) => code,
                    // AWS's refusals carry a code: this is not AWS speaking.
                    _ => format!(
                        "{service} at {endpoint} answered with something that is not an {service} response: {}",
                        chain(err)
                    ),
                }
            }
            SdkError::DispatchFailure(d) if d.is_io() || d.is_timeout() => {
                format!("cannot reach {service} at {endpoint}: {}", chain(e))
            }
            SdkError::TimeoutError(_) => {
                format!("{service} at {endpoint} did not answer in time: {}", chain(e))
            }
            SdkError::ResponseError(_) => format!(
                "{service} at {endpoint} answered with something that is not an {service} response: {}",
                chain(e)
            ),
            _ => chain(e),
        }
    }

    /// The code of an AWS refusal (`LimitExceeded`), if the service answered.
    fn code<E, R>(e: &SdkError<E, R>) -> Option<&str>
    where
        E: ProvideErrorMetadata,
    {
        match e {
            SdkError::ServiceError(answer) => answer.err().code(),
            _ => None,
        }
    }

    /// An error and its sources on one line, each said once.
    fn chain(e: &(dyn std::error::Error + 'static)) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut next = Some(e);
        while let Some(err) = next {
            let text = err
                .to_string()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
                parts.push(text);
            }
            next = err.source();
        }
        parts.join(": ")
    }

    fn var(name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }

    /// Where IAM is sought, as the SDK picks it: `AWS_ENDPOINT_URL_IAM`,
    /// `AWS_ENDPOINT_URL`, else IAM's one global endpoint.
    fn iam_endpoint() -> String {
        var("AWS_ENDPOINT_URL_IAM")
            .or_else(|| var("AWS_ENDPOINT_URL"))
            .unwrap_or_else(|| "https://iam.amazonaws.com".to_string())
    }

    /// Where STS is sought, as the SDK picks it: `AWS_ENDPOINT_URL_STS`,
    /// `AWS_ENDPOINT_URL`, else the regional endpoint.
    fn endpoint(client: &aws_sdk_sts::Client) -> String {
        var("AWS_ENDPOINT_URL_STS")
            .or_else(|| var("AWS_ENDPOINT_URL"))
            .unwrap_or_else(|| {
                let region = client.config().region().map(|r| r.as_ref().to_string());
                format!(
                    "https://sts.{}.amazonaws.com",
                    region.as_deref().unwrap_or("us-east-1")
                )
            })
    }

    fn key(creds: &Credentials) -> aws_sdk_sts::config::Credentials {
        aws_sdk_sts::config::Credentials::new(
            creds.access_key_id.clone(),
            creds.secret_access_key.expose().to_string(),
            creds.session_token.as_ref().map(|t| t.expose().to_string()),
            None,
            "awscreds-rs",
        )
    }

    /// How long a call to AWS may take: to connect, for one attempt, and
    /// in all with the SDK's retries. Well under the 10 s AWS Copilot and
    /// the 60 s the Go SDK give a credential_process, so that a server
    /// that does not answer is an error, not a hang.
    const CONNECT_LIMIT: Duration = Duration::from_secs(3);
    const ATTEMPT_LIMIT: Duration = Duration::from_secs(5);
    const CALL_LIMIT: Duration = Duration::from_secs(12);
    /// The largest answer read from AWS: its documents are a few KiB.
    const MAX_ANSWER: usize = 1024 * 1024;

    /// Refuses an answer larger than [`MAX_ANSWER`] before it is read
    /// into memory (by its Content-Length), or while it is (without one).
    #[derive(Debug)]
    struct BoundedAnswers;

    impl Intercept for BoundedAnswers {
        fn name(&self) -> &'static str {
            "BoundedAnswers"
        }

        fn modify_before_deserialization(
            &self,
            context: &mut BeforeDeserializationInterceptorContextMut<'_>,
            _: &RuntimeComponents,
            _: &mut ConfigBag,
        ) -> std::result::Result<(), BoxError> {
            let response = context.response_mut();
            let length = response
                .headers()
                .get("content-length")
                .and_then(|v| v.trim().parse::<u64>().ok());
            if let Some(length) = length.filter(|&n| n > MAX_ANSWER as u64) {
                return Err(format!(
                    "the answer is {length} bytes, more than the {MAX_ANSWER} awscreds-rs reads"
                )
                .into());
            }
            let body = std::mem::replace(response.body_mut(), SdkBody::taken());
            *response.body_mut() =
                SdkBody::from_body_1_x(http_body_util::Limited::new(body, MAX_ANSWER));
            Ok(())
        }
    }

    /// The SDK's loader as every client here starts from it: rustls, and
    /// the time limits above.
    fn loader() -> aws_config::ConfigLoader {
        let https = aws_smithy_http_client::Builder::new()
            .tls_provider(Provider::Rustls(CryptoMode::Ring))
            .build_https();
        aws_config::defaults(BehaviorVersion::latest())
            .http_client(https)
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(CONNECT_LIMIT)
                    .operation_attempt_timeout(ATTEMPT_LIMIT)
                    .operation_timeout(CALL_LIMIT)
                    .build(),
            )
    }

    async fn config(creds: Option<&Credentials>, profile: Option<&str>) -> aws_config::SdkConfig {
        let profile = profile.or(super::PROFILE.get().map(String::as_str));
        let mut loader = loader().region(region(profile));
        if let Some(creds) = creds {
            loader = loader.credentials_provider(key(creds));
        }
        if let Some(profile) = profile {
            loader = loader.profile_name(profile);
        }
        loader.load().await
    }

    async fn sts(creds: Option<&Credentials>, profile: Option<&str>) -> aws_sdk_sts::Client {
        let conf = aws_sdk_sts::config::Builder::from(&config(creds, profile).await)
            .interceptor(BoundedAnswers)
            .build();
        aws_sdk_sts::Client::from_conf(conf)
    }

    async fn iam(creds: &Credentials) -> aws_sdk_iam::Client {
        let conf = aws_sdk_iam::config::Builder::from(&config(Some(creds), None).await)
            .interceptor(BoundedAnswers)
            .build();
        aws_sdk_iam::Client::from_conf(conf)
    }

    fn date(at: Option<&aws_sdk_iam::primitives::DateTime>) -> Option<OffsetDateTime> {
        at.and_then(|d| OffsetDateTime::from_unix_timestamp(d.secs()).ok())
    }

    impl crate::rotate::Iam for Client {
        fn user_name(&self, key: &Credentials) -> Result<Option<String>> {
            runtime()?.block_on(async {
                let client = sts(Some(key), None).await;
                let out = client
                    .get_caller_identity()
                    .send()
                    .await
                    .map_err(|e| failure("GetCallerIdentity", &endpoint(&client), &e))?;
                Ok(out.arn().and_then(crate::rotate::user_of_arn))
            })
        }

        fn create_access_key(
            &self,
            signer: &Credentials,
            user: Option<&str>,
        ) -> Result<Option<Credentials>> {
            runtime()?.block_on(async {
                let call = iam(signer)
                    .await
                    .create_access_key()
                    .set_user_name(user.map(String::from));
                let out = match call.send().await {
                    Ok(out) => out,
                    Err(e) if code(&e) == Some("LimitExceeded") => return Ok(None),
                    Err(e) => return Err(iam_failure("CreateAccessKey", &e)),
                };
                let key = out.access_key().ok_or_else(|| {
                    Error::invalid("CreateAccessKey returned no key", "try again")
                })?;
                Ok(Some(Credentials {
                    created: date(key.create_date()),
                    ..Credentials::new(
                        key.access_key_id().to_string(),
                        Secret::new(key.secret_access_key().to_string()),
                    )
                }))
            })
        }

        fn access_keys(
            &self,
            signer: &Credentials,
            user: Option<&str>,
        ) -> Result<Vec<(String, Option<OffsetDateTime>)>> {
            runtime()?.block_on(async {
                let out = iam(signer)
                    .await
                    .list_access_keys()
                    .set_user_name(user.map(String::from))
                    .send()
                    .await
                    .map_err(|e| iam_failure("ListAccessKeys", &e))?;
                Ok(out
                    .access_key_metadata()
                    .iter()
                    .filter_map(|k| Some((k.access_key_id()?.to_string(), date(k.create_date()))))
                    .collect())
            })
        }

        fn delete_access_key(
            &self,
            signer: &Credentials,
            user: Option<&str>,
            id: &str,
        ) -> Result<()> {
            runtime()?.block_on(async {
                iam(signer)
                    .await
                    .delete_access_key()
                    .set_user_name(user.map(String::from))
                    .access_key_id(id)
                    .send()
                    .await
                    .map_err(|e| iam_failure("DeleteAccessKey", &e))?;
                Ok(())
            })
        }

        fn accepts(&self, key: &Credentials) -> Result<bool> {
            runtime()?.block_on(async {
                let client = sts(Some(key), None).await;
                match client.get_caller_identity().send().await {
                    Ok(_) => Ok(true),
                    // What AWS says of a key it does not know (yet).
                    Err(e)
                        if matches!(
                            code(&e),
                            Some("InvalidClientTokenId" | "SignatureDoesNotMatch" | "AuthFailure")
                        ) =>
                    {
                        Ok(false)
                    }
                    Err(e) => Err(Error::aws(
                        format!(
                            "GetCallerIdentity failed: {}",
                            failure_detail("STS", &endpoint(&client), &e)
                        ),
                        code(&e),
                        "check the endpoint and the network",
                    )),
                }
            })
        }
    }

    fn iam_failure<E, R>(action: &str, e: &SdkError<E, R>) -> Error
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug + 'static,
    {
        let fix = unreachable("AWS_ENDPOINT_URL_IAM", e).map(|fix| fix + "; nothing was changed").unwrap_or_else(|| {
            "check that the key may manage its own access keys (iam:CreateAccessKey, iam:DeleteAccessKey, iam:ListAccessKeys)".into()
        });
        Error::aws(
            format!(
                "IAM {action} failed: {}",
                failure_detail("IAM", &iam_endpoint(), e)
            ),
            code(e),
            fix,
        )
    }

    fn session(out: Option<&aws_sdk_sts::types::Credentials>, action: &str) -> Result<Credentials> {
        let c = out.ok_or_else(|| {
            Error::invalid(format!("{action} returned no credentials"), "try again")
        })?;
        let expiration =
            OffsetDateTime::from_unix_timestamp(c.expiration().secs()).map_err(|_| {
                Error::invalid(format!("{action} returned a bad expiration"), "try again")
            })?;
        Credentials {
            session_token: Some(Secret::new(c.session_token().to_string())),
            expiration: Some(expiration),
            ..Credentials::new(
                c.access_key_id().to_string(),
                Secret::new(c.secret_access_key().to_string()),
            )
        }
        .issued_by(action, OffsetDateTime::now_utc())
    }

    impl Sts for Client {
        fn get_session_token(
            &self,
            key: &Credentials,
            duration: u32,
            mfa: Option<(&str, &str)>,
        ) -> Result<Credentials> {
            runtime()?.block_on(async {
                let client = sts(Some(key), None).await;
                let out = client
                    .get_session_token()
                    .duration_seconds(duration as i32)
                    .set_serial_number(mfa.map(|(serial, _)| serial.to_string()))
                    .set_token_code(mfa.map(|(_, code)| code.to_string()))
                    .send()
                    .await
                    .map_err(|e| failure("GetSessionToken", &endpoint(&client), &e))?;
                session(out.credentials(), "GetSessionToken")
            })
        }

        fn assume_role(
            &self,
            key: &Credentials,
            role_arn: &str,
            session_name: &str,
            external_id: Option<&str>,
            duration: u32,
        ) -> Result<Credentials> {
            runtime()?.block_on(async {
                let client = sts(Some(key), None).await;
                let out = client
                    .assume_role()
                    .role_arn(role_arn)
                    .role_session_name(session_name)
                    .set_external_id(external_id.map(String::from))
                    .duration_seconds(duration as i32)
                    .send()
                    .await
                    .map_err(|e| failure("AssumeRole", &endpoint(&client), &e))?;
                let mut creds = session(out.credentials(), "AssumeRole")?;
                // arn:aws:sts::ACCOUNT:assumed-role/...
                creds.account_id = out
                    .assumed_role_user()
                    .and_then(|u| u.arn().split(':').nth(4).map(String::from))
                    .filter(|a| a.len() == 12);
                Ok(creds)
            })
        }
    }

    /// The profile's settings as the Rust SDK (aws-config) parses the AWS
    /// files: `Ok(None)` when it does not see the profile at all.
    pub fn rust_sdk_profile(profile: &str) -> Result<Option<Vec<(String, String)>>, String> {
        use aws_types::os_shim_internal::{Env, Fs};
        let rt = runtime().map_err(|e| e.to_string())?;
        let set = rt
            .block_on(aws_config::profile::load(
                &Fs::real(),
                &Env::real(),
                &aws_runtime::env_config::file::EnvConfigFiles::default(),
                None,
            ))
            .map_err(|e| chain(&e))?;
        Ok(set.get_profile(profile).map(|p| {
            {
                use crate::awsfiles::key::*;
                [
                    CREDENTIAL_PROCESS,
                    ROLE_ARN,
                    SOURCE_PROFILE,
                    SSO_SESSION,
                    ACCESS_KEY_ID,
                    REGION,
                ]
            }
            .iter()
            .filter_map(|k| p.get(k).map(|v| (k.to_string(), v.to_string())))
            .collect()
        }))
    }

    /// GetCallerIdentity through a profile, as an AWS tool would resolve it.
    pub fn caller_identity(profile: &str) -> Result<Identity> {
        runtime()?.block_on(async {
            let client = sts(None, Some(profile)).await;
            let out = client
                .get_caller_identity()
                .send()
                .await
                .map_err(|e| failure("GetCallerIdentity", &endpoint(&client), &e))?;
            Ok(Identity {
                account: out.account().unwrap_or_default().to_string(),
                arn: out.arn().unwrap_or_default().to_string(),
            })
        })
    }
    /// The SDK's configuration for Identity Center in `region`: no
    /// credentials (its calls are unsigned or carry the access token), the
    /// endpoints the SDKs take (AWS_ENDPOINT_URL_SSO_OIDC, _SSO, AWS_ENDPOINT_URL).
    async fn sso_config(region: &str) -> aws_config::SdkConfig {
        loader()
            .region(Region::new(region.to_string()))
            .no_credentials()
            .load()
            .await
    }

    async fn oidc_client(region: &str) -> aws_sdk_ssooidc::Client {
        let conf = aws_sdk_ssooidc::config::Builder::from(&sso_config(region).await)
            .interceptor(BoundedAnswers)
            .build();
        aws_sdk_ssooidc::Client::from_conf(conf)
    }

    async fn portal_client(region: &str) -> aws_sdk_sso::Client {
        let conf = aws_sdk_sso::config::Builder::from(&sso_config(region).await)
            .interceptor(BoundedAnswers)
            .build();
        aws_sdk_sso::Client::from_conf(conf)
    }

    /// The endpoint variable of Identity Center's OIDC service or portal,
    /// as the SDKs name it.
    fn sso_variable(service: &str) -> &'static str {
        if service == "OIDC" {
            "AWS_ENDPOINT_URL_SSO_OIDC"
        } else {
            "AWS_ENDPOINT_URL_SSO"
        }
    }

    fn sso_endpoint(service: &str, region: &str) -> String {
        var(sso_variable(service))
            .or_else(|| var("AWS_ENDPOINT_URL"))
            .unwrap_or_else(|| match service {
                "OIDC" => format!("https://oidc.{region}.amazonaws.com"),
                _ => format!("https://portal.sso.{region}.amazonaws.com"),
            })
    }

    fn sso_failure<E, R>(service: &str, action: &str, region: &str, e: &SdkError<E, R>) -> Error
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug + 'static,
    {
        let endpoint = sso_endpoint(service, region);
        let label = if service == "OIDC" {
            "IAM Identity Center (OIDC)"
        } else {
            "the IAM Identity Center portal"
        };
        let fix = unreachable(sso_variable(service), e).unwrap_or_else(|| {
            "check the session's sso_start_url and sso_region, and that your user may use the account and role".into()
        });
        Error::aws(
            format!("{action} failed: {}", failure_detail(label, &endpoint, e)),
            code(e),
            fix,
        )
    }

    fn secret(text: Option<&str>, what: &str) -> Result<Secret> {
        text.map(|t| Secret::new(t.to_string())).ok_or_else(|| {
            Error::invalid(
                format!("IAM Identity Center returned no {what}"),
                "try again",
            )
        })
    }

    /// The most pages of one listing read, and the longest it may take in
    /// all: the SDK's paginator stops only on a repeated token, so a portal
    /// that sends a new one with every page would be listed for ever.
    const MAX_PAGES: usize = 1000;
    const LISTING_LIMIT: Duration = Duration::from_secs(120);

    /// Counts the pages of one listing against [`MAX_PAGES`] and
    /// [`LISTING_LIMIT`].
    struct Pages {
        action: &'static str,
        read: usize,
        started: std::time::Instant,
    }

    impl Pages {
        fn new(action: &'static str) -> Pages {
            Pages {
                action,
                read: 0,
                started: std::time::Instant::now(),
            }
        }

        fn one_more(&mut self) -> Result<()> {
            self.read += 1;
            if self.read > MAX_PAGES || self.started.elapsed() > LISTING_LIMIT {
                return Err(Error::invalid(
                    format!(
                        "{} went on past {} pages or {} s: not a listing Identity Center sends",
                        self.action,
                        MAX_PAGES,
                        LISTING_LIMIT.as_secs()
                    ),
                    "check the portal's endpoint (AWS_ENDPOINT_URL_SSO, AWS_ENDPOINT_URL); nothing was written",
                ));
            }
            Ok(())
        }
    }

    impl crate::sso::Oidc for Client {
        fn register_client(&self, region: &str, scopes: &[String]) -> Result<crate::sso::Client> {
            runtime()?.block_on(async {
                let client = oidc_client(region).await;
                let out = client
                    .register_client()
                    .client_name(crate::sso::CLIENT_NAME)
                    .client_type("public")
                    .set_scopes((!scopes.is_empty()).then(|| scopes.to_vec()))
                    .send()
                    .await
                    .map_err(|e| sso_failure("OIDC", "RegisterClient", region, &e))?;
                Ok(crate::sso::Client {
                    id: out.client_id().unwrap_or_default().to_string(),
                    secret: secret(out.client_secret(), "client secret")?,
                    expires_at: out.client_secret_expires_at(),
                })
            })
        }

        fn start_device_authorization(
            &self,
            region: &str,
            registered: &crate::sso::Client,
            start_url: &str,
        ) -> Result<crate::sso::Device> {
            runtime()?.block_on(async {
                let client = oidc_client(region).await;
                let out = client
                    .start_device_authorization()
                    .client_id(&registered.id)
                    .client_secret(registered.secret.expose())
                    .start_url(start_url)
                    .send()
                    .await
                    .map_err(|e| sso_failure("OIDC", "StartDeviceAuthorization", region, &e))?;
                Ok(crate::sso::Device {
                    device_code: secret(out.device_code(), "device code")?,
                    user_code: out.user_code().unwrap_or_default().to_string(),
                    verification_uri: out.verification_uri().unwrap_or_default().to_string(),
                    verification_uri_complete: out.verification_uri_complete().map(String::from),
                    expires_in: i64::from(out.expires_in()),
                    interval: i64::from(out.interval()),
                })
            })
        }

        fn create_token(
            &self,
            region: &str,
            registered: &crate::sso::Client,
            grant: crate::sso::Grant<'_>,
        ) -> std::result::Result<crate::sso::Issued, crate::sso::TokenError> {
            use crate::sso::{Grant, TokenError};
            let runtime = runtime().map_err(TokenError::Failed)?;
            runtime.block_on(async {
                let client = oidc_client(region).await;
                let call = client
                    .create_token()
                    .client_id(&registered.id)
                    .client_secret(registered.secret.expose());
                let call = match grant {
                    Grant::Device(code) => {
                        call.grant_type(crate::sso::DEVICE_GRANT).device_code(code)
                    }
                    Grant::Refresh(token) => call.grant_type("refresh_token").refresh_token(token),
                };
                match call.send().await {
                    Ok(out) => Ok(crate::sso::Issued {
                        access_token: secret(out.access_token(), "access token")
                            .map_err(TokenError::Failed)?,
                        expires_in: i64::from(out.expires_in()),
                        refresh_token: out.refresh_token().map(|t| Secret::new(t.to_string())),
                    }),
                    Err(e) => match e.as_service_error() {
                        Some(s) if s.is_authorization_pending_exception() => {
                            Err(TokenError::Pending)
                        }
                        Some(s) if s.is_slow_down_exception() => Err(TokenError::SlowDown),
                        Some(s)
                            if s.is_expired_token_exception() || s.is_invalid_grant_exception() =>
                        {
                            Err(TokenError::Expired)
                        }
                        _ => Err(TokenError::Failed(sso_failure(
                            "OIDC",
                            "CreateToken",
                            region,
                            &e,
                        ))),
                    },
                }
            })
        }
    }

    impl crate::sso::Portal for Client {
        fn role_credentials(
            &self,
            region: &str,
            access_token: &str,
            account: &str,
            role: &str,
        ) -> Result<Option<Credentials>> {
            runtime()?.block_on(async {
                let client = portal_client(region).await;
                let out = match client
                    .get_role_credentials()
                    .access_token(access_token)
                    .account_id(account)
                    .role_name(role)
                    .send()
                    .await
                {
                    Ok(out) => out,
                    Err(e)
                        if e.as_service_error()
                            .is_some_and(|s| s.is_unauthorized_exception()) =>
                    {
                        return Ok(None)
                    }
                    Err(e) => return Err(sso_failure("SSO", "GetRoleCredentials", region, &e)),
                };
                let c = out.role_credentials().ok_or_else(|| {
                    Error::invalid("GetRoleCredentials returned no credentials", "try again")
                })?;
                let expiration = OffsetDateTime::from_unix_timestamp(c.expiration() / 1000)
                    .map_err(|_| {
                        Error::invalid("GetRoleCredentials returned a bad expiration", "try again")
                    })?;
                Credentials {
                    session_token: Some(secret(c.session_token(), "session token")?),
                    expiration: Some(expiration),
                    account_id: Some(account.to_string()),
                    ..Credentials::new(
                        c.access_key_id().unwrap_or_default().to_string(),
                        secret(c.secret_access_key(), "secret access key")?,
                    )
                }
                .issued_by("GetRoleCredentials", OffsetDateTime::now_utc())
                .map(Some)
            })
        }

        fn accounts(&self, region: &str, access_token: &str) -> Result<Vec<(String, String)>> {
            runtime()?.block_on(async {
                let client = portal_client(region).await;
                let mut pages = client
                    .list_accounts()
                    .access_token(access_token)
                    .into_paginator()
                    .send();
                let mut all = Vec::new();
                let mut bound = Pages::new("ListAccounts");
                while let Some(page) = pages.next().await {
                    let page = page.map_err(|e| sso_failure("SSO", "ListAccounts", region, &e))?;
                    bound.one_more()?;
                    all.extend(page.account_list().iter().map(|a| {
                        (
                            a.account_id().unwrap_or_default().to_string(),
                            a.account_name().unwrap_or_default().to_string(),
                        )
                    }));
                }
                Ok(all)
            })
        }

        fn roles(&self, region: &str, access_token: &str, account: &str) -> Result<Vec<String>> {
            runtime()?.block_on(async {
                let client = portal_client(region).await;
                let mut pages = client
                    .list_account_roles()
                    .access_token(access_token)
                    .account_id(account)
                    .into_paginator()
                    .send();
                let mut all = Vec::new();
                let mut bound = Pages::new("ListAccountRoles");
                while let Some(page) = pages.next().await {
                    let page =
                        page.map_err(|e| sso_failure("SSO", "ListAccountRoles", region, &e))?;
                    bound.one_more()?;
                    all.extend(
                        page.role_list()
                            .iter()
                            .filter_map(|r| r.role_name().map(String::from)),
                    );
                }
                Ok(all)
            })
        }

        fn logout(&self, region: &str, access_token: &str) -> Result<()> {
            runtime()?.block_on(async {
                let client = portal_client(region).await;
                client
                    .logout()
                    .access_token(access_token)
                    .send()
                    .await
                    .map_err(|e| sso_failure("SSO", "Logout", region, &e))?;
                Ok(())
            })
        }
    }
}

#[cfg(not(feature = "sts"))]
mod client {
    use super::*;

    pub struct Client;

    fn missing() -> Error {
        Error::invalid(
            "this awscreds-rs was built without STS (the `sts` cargo feature)",
            "install a build with the default features for MFA, roles, rotate and doctor --online",
        )
    }

    impl Sts for Client {
        fn get_session_token(
            &self,
            _: &Credentials,
            _: u32,
            _: Option<(&str, &str)>,
        ) -> Result<Credentials> {
            Err(missing())
        }
        fn assume_role(
            &self,
            _: &Credentials,
            _: &str,
            _: &str,
            _: Option<&str>,
            _: u32,
        ) -> Result<Credentials> {
            Err(missing())
        }
    }

    pub fn caller_identity(_: &str) -> Result<Identity> {
        Err(missing())
    }

    impl crate::sso::Oidc for Client {
        fn register_client(&self, _: &str, _: &[String]) -> Result<crate::sso::Client> {
            Err(missing())
        }
        fn start_device_authorization(
            &self,
            _: &str,
            _: &crate::sso::Client,
            _: &str,
        ) -> Result<crate::sso::Device> {
            Err(missing())
        }
        fn create_token(
            &self,
            _: &str,
            _: &crate::sso::Client,
            _: crate::sso::Grant<'_>,
        ) -> std::result::Result<crate::sso::Issued, crate::sso::TokenError> {
            Err(crate::sso::TokenError::Failed(missing()))
        }
    }

    impl crate::sso::Portal for Client {
        fn role_credentials(
            &self,
            _: &str,
            _: &str,
            _: &str,
            _: &str,
        ) -> Result<Option<Credentials>> {
            Err(missing())
        }
        fn accounts(&self, _: &str, _: &str) -> Result<Vec<(String, String)>> {
            Err(missing())
        }
        fn roles(&self, _: &str, _: &str, _: &str) -> Result<Vec<String>> {
            Err(missing())
        }
        fn logout(&self, _: &str, _: &str) -> Result<()> {
            Err(missing())
        }
    }

    impl crate::rotate::Iam for Client {
        fn user_name(&self, _: &Credentials) -> Result<Option<String>> {
            Err(missing())
        }
        fn create_access_key(
            &self,
            _: &Credentials,
            _: Option<&str>,
        ) -> Result<Option<Credentials>> {
            Err(missing())
        }
        fn access_keys(
            &self,
            _: &Credentials,
            _: Option<&str>,
        ) -> Result<Vec<(String, Option<time::OffsetDateTime>)>> {
            Err(missing())
        }
        fn delete_access_key(&self, _: &Credentials, _: Option<&str>, _: &str) -> Result<()> {
            Err(missing())
        }
        fn accepts(&self, _: &Credentials) -> Result<bool> {
            Err(missing())
        }
    }

    pub fn rust_sdk_profile(_: &str) -> Result<Option<Vec<(String, String)>>, String> {
        Err("built without the sts feature".into())
    }
}

pub use client::{caller_identity, rust_sdk_profile, Client};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_arns() {
        assert!(is_root("arn:aws:iam::123456789012:root"));
        assert!(is_root("arn:aws-cn:iam::123456789012:root"));
        assert!(!is_root("arn:aws:iam::123456789012:user/root"));
        assert!(!is_root("arn:aws:sts::123456789012:assumed-role/root/x"));
        assert!(!is_root("root"));
    }
}
