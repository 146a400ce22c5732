//! STS: the sessions of a line (GetSessionToken, AssumeRole) and whose
//! credentials a profile gives (GetCallerIdentity).

use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use time::OffsetDateTime;

use super::sdk::{self, code, failure_detail, key, unreachable, BoundedAnswers};
use super::{Client, Identity};
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::session::Sts;

/// STS, signed with `creds`, or with the profile's own credentials.
pub(super) struct Reached {
    pub client: aws_sdk_sts::Client,
    /// Where the SDK sends the calls.
    pub endpoint: String,
}

impl Client {
    pub(super) fn sts(&self, creds: Option<&Credentials>) -> Result<Reached> {
        let config = self.config()?;
        let mut conf = aws_sdk_sts::config::Builder::from(config).interceptor(BoundedAnswers);
        if let Some(creds) = creds {
            conf = conf.credentials_provider(key(creds));
        }
        let region = config.region().map_or("us-east-1", |r| r.as_ref());
        Ok(Reached {
            client: aws_sdk_sts::Client::from_conf(conf.build()),
            endpoint: sdk::endpoint(config, "STS", format!("https://sts.{region}.amazonaws.com")),
        })
    }

    /// GetCallerIdentity through the client's profile, as an AWS tool
    /// would resolve its credentials.
    pub fn caller_identity(&self) -> Result<Identity> {
        self.identity_of(None)
    }

    /// GetCallerIdentity signed with `creds` (or the profile's own).
    pub(super) fn identity_of(&self, creds: Option<&Credentials>) -> Result<Identity> {
        let sts = self.sts(creds)?;
        self.block_on(async {
            let out = sts
                .client
                .get_caller_identity()
                .send()
                .await
                .map_err(|e| failure("GetCallerIdentity", &sts.endpoint, &e))?;
            Ok(Identity {
                account: out.account().unwrap_or_default().to_string(),
                arn: out.arn().unwrap_or_default().to_string(),
            })
        })?
    }
}

/// One readable line for a failed call: the service's own code and
/// message when it answered, else where it was sought and why it could
/// not be reached or understood. Never the SDK's Debug output.
pub(super) fn failure<E, R>(action: &str, endpoint: &str, e: &SdkError<E, R>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let fix = match unreachable("AWS_ENDPOINT_URL_STS", e) {
    Some(fix) => fix + "; nothing was cached",
    None => "check the key's permissions, the MFA code, the role's trust policy and the endpoint; nothing was cached".into(),
};
    Error::aws(action, code(e), failure_detail("STS", endpoint, e), fix)
}

/// STS's credentials as ours, checked against this machine's clock.
pub(super) fn session(
    out: Option<&aws_sdk_sts::types::Credentials>,
    action: &str,
) -> Result<Credentials> {
    let c = out.ok_or_else(|| Error::bad_answer(action, "no credentials"))?;
    let expiration = OffsetDateTime::from_unix_timestamp(c.expiration().secs())
        .map_err(|_| Error::bad_answer(action, "a bad expiration"))?;
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
        let sts = self.sts(Some(key))?;
        self.block_on(async {
            let out = sts
                .client
                .get_session_token()
                .duration_seconds(duration as i32)
                .set_serial_number(mfa.map(|(serial, _)| serial.to_string()))
                .set_token_code(mfa.map(|(_, code)| code.to_string()))
                .send()
                .await
                .map_err(|e| failure("GetSessionToken", &sts.endpoint, &e))?;
            session(out.credentials(), "GetSessionToken")
        })?
    }

    fn assume_role(
        &self,
        key: &Credentials,
        role_arn: &str,
        session_name: &str,
        external_id: Option<&str>,
        duration: u32,
    ) -> Result<Credentials> {
        let sts = self.sts(Some(key))?;
        self.block_on(async {
            let out = sts
                .client
                .assume_role()
                .role_arn(role_arn)
                .role_session_name(session_name)
                .set_external_id(external_id.map(String::from))
                .duration_seconds(duration as i32)
                .send()
                .await
                .map_err(|e| failure("AssumeRole", &sts.endpoint, &e))?;
            let mut creds = session(out.credentials(), "AssumeRole")?;
            // arn:aws:sts::ACCOUNT:assumed-role/...
            creds.account_id = out
                .assumed_role_user()
                .and_then(|u| u.arn().split(':').nth(4).map(String::from))
                .filter(|a| a.len() == 12);
            Ok(creds)
        })?
    }
}
