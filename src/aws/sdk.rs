//! What every service's client shares: the runtime, the SDK's
//! configuration with its time limits and answer bound, and one readable
//! line for a failed call.

use std::sync::{Mutex, OnceLock};
use std::time::Duration;

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
use aws_types::service_config::ServiceConfigKey;
use aws_types::SdkConfig;

use super::Client;
use crate::credentials::Credentials;
use crate::error::{one_line, Error, Result};
use crate::secret::Secret;

/// What a client loads once, when a call first needs it.
#[derive(Default)]
pub(super) struct Loaded {
    runtime: OnceLock<tokio::runtime::Runtime>,
    /// For STS and IAM: the profile's region, else us-east-1.
    config: OnceLock<SdkConfig>,
    /// For Identity Center, per region: no credentials.
    unsigned: Mutex<Vec<(String, SdkConfig)>>,
}

impl Client {
    /// Runs `call` on the client's runtime.
    pub(super) fn block_on<T>(&self, call: impl std::future::Future<Output = T>) -> Result<T> {
        Ok(self.runtime()?.block_on(call))
    }

    fn runtime(&self) -> Result<&tokio::runtime::Runtime> {
        if let Some(runtime) = self.sdk.runtime.get() {
            return Ok(runtime);
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::io("cannot start the runtime for AWS calls", e))?;
        Ok(self.sdk.runtime.get_or_init(|| runtime))
    }

    /// The SDK's configuration for STS and IAM: `AWS_REGION`, else the
    /// profile's region, else us-east-1; the profile's settings.
    pub(super) fn config(&self) -> Result<&SdkConfig> {
        if let Some(config) = self.sdk.config.get() {
            return Ok(config);
        }
        let profile = self.profile.as_deref();
        let mut loader = loader().region(region(profile));
        if let Some(profile) = profile {
            loader = loader.profile_name(profile);
        }
        let config = self.runtime()?.block_on(loader.load());
        Ok(self.sdk.config.get_or_init(|| config))
    }

    /// The SDK's configuration for Identity Center in `region`: no
    /// credentials (its calls are unsigned or carry the access token).
    pub(super) fn unsigned(&self, region: &str) -> Result<SdkConfig> {
        let mut known = self.sdk.unsigned.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, config)) = known.iter().find(|(r, _)| r == region) {
            return Ok(config.clone());
        }
        let load = loader()
            .region(Region::new(region.to_string()))
            .no_credentials()
            .load();
        let config = self.runtime()?.block_on(load);
        known.push((region.to_string(), config.clone()));
        Ok(config)
    }
}

/// `AWS_REGION`, else the profile's region (the named profile, else the
/// one AWS_PROFILE names), else us-east-1.
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

/// Where the SDK sends a service's calls, as it resolved it from `config`:
/// `AWS_ENDPOINT_URL_<SERVICE>` or the profile's `services` section, then
/// `AWS_ENDPOINT_URL` or the profile's `endpoint_url`, else `default`.
pub(super) fn endpoint(config: &SdkConfig, service_id: &str, default: String) -> String {
    let own = ServiceConfigKey::builder()
        .service_id(service_id)
        .env("AWS_ENDPOINT_URL")
        .profile("endpoint_url")
        .build()
        .ok()
        .and_then(|key| config.service_config()?.load_config(key));
    own.or_else(|| config.endpoint_url().map(String::from))
        .unwrap_or(default)
}

/// A long-term key or a session as the SDK's credentials.
pub(super) fn key(creds: &Credentials) -> aws_sdk_sts::config::Credentials {
    aws_sdk_sts::config::Credentials::new(
        creds.access_key_id.clone(),
        creds.secret_access_key.expose().to_string(),
        creds.session_token.as_ref().map(|t| t.expose().to_string()),
        None,
        "awscreds-rs",
    )
}

pub(super) fn secret(text: Option<&str>, what: &str) -> Result<Secret> {
    text.map(|t| Secret::new(t.to_string()))
        .ok_or_else(|| Error::bad_answer("IAM Identity Center", format!("no {what}")))
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
pub(super) struct BoundedAnswers;

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

/// For a call that never reached the service (no network, DNS, a
/// time-out): the fix to give instead of permission advice.
/// `variable` is the service's own endpoint variable, as the SDKs
/// name it (`AWS_ENDPOINT_URL_SSO_OIDC`).
pub(super) fn unreachable<E, R>(variable: &str, e: &SdkError<E, R>) -> Option<String> {
    matches!(e, SdkError::DispatchFailure(_) | SdkError::TimeoutError(_)).then(|| {
        format!(
            "check the network, DNS and any proxy (HTTPS_PROXY), or {variable} \
             (and AWS_ENDPOINT_URL) if set"
        )
    })
}

/// What went wrong with a call to `service`, in one line.
pub(super) fn failure_detail<E, R>(service: &str, endpoint: &str, e: &SdkError<E, R>) -> String
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
            format!(
                "{service} at {endpoint} did not answer in time: {}",
                chain(e)
            )
        }
        SdkError::ResponseError(_) => format!(
            "{service} at {endpoint} answered with something that is not an {service} response: {}",
            chain(e)
        ),
        _ => chain(e),
    }
}

/// The code of an AWS refusal (`LimitExceeded`), if the service answered.
pub(super) fn code<E, R>(e: &SdkError<E, R>) -> Option<&str>
where
    E: ProvideErrorMetadata,
{
    match e {
        SdkError::ServiceError(answer) => answer.err().code(),
        _ => None,
    }
}

/// An error and its sources on one line, each said once.
pub(super) fn chain(e: &(dyn std::error::Error + 'static)) -> String {
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

/// Identity Center's two services, as the SDK and its variables name them.
#[derive(Clone, Copy)]
pub(super) enum IdentityCenter {
    Oidc,
    Portal,
}

impl IdentityCenter {
    fn variable(self) -> &'static str {
        match self {
            IdentityCenter::Oidc => "AWS_ENDPOINT_URL_SSO_OIDC",
            IdentityCenter::Portal => "AWS_ENDPOINT_URL_SSO",
        }
    }

    fn label(self) -> &'static str {
        match self {
            IdentityCenter::Oidc => "IAM Identity Center (OIDC)",
            IdentityCenter::Portal => "the IAM Identity Center portal",
        }
    }

    /// Where the SDK sends this service's calls in `region`.
    pub(super) fn endpoint(self, config: &SdkConfig, region: &str) -> String {
        match self {
            IdentityCenter::Oidc => endpoint(
                config,
                "SSO OIDC",
                format!("https://oidc.{region}.amazonaws.com"),
            ),
            IdentityCenter::Portal => endpoint(
                config,
                "SSO",
                format!("https://portal.sso.{region}.amazonaws.com"),
            ),
        }
    }

    pub(super) fn failure<E, R>(self, action: &str, endpoint: &str, e: &SdkError<E, R>) -> Error
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug + 'static,
    {
        let fix = unreachable(self.variable(), e).unwrap_or_else(|| {
            "check the session's sso_start_url and sso_region, and that your user may use the account and role".into()
        });
        Error::aws(
            action,
            code(e),
            failure_detail(self.label(), endpoint, e),
            fix,
        )
    }
}

/// The profile's settings as the Rust SDK (aws-config) parses the AWS
/// files: `Ok(None)` when it does not see the profile at all.
pub fn rust_sdk_profile(profile: &str) -> Result<Option<Vec<(String, String)>>, String> {
    use aws_types::os_shim_internal::{Env, Fs};
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
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
