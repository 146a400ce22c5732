//! IAM: a user's access keys, for `rotate`.

use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use time::OffsetDateTime;

use super::sdk::{self, code, failure_detail, key, unreachable, BoundedAnswers};
use super::Client;
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::secret::Secret;

/// IAM, signed with `creds`.
struct Reached {
    client: aws_sdk_iam::Client,
    /// Where the SDK sends the calls.
    endpoint: String,
}

impl Client {
    fn iam(&self, creds: &Credentials) -> Result<Reached> {
        let config = self.config()?;
        let conf = aws_sdk_iam::config::Builder::from(config)
            .interceptor(BoundedAnswers)
            .credentials_provider(key(creds))
            .build();
        Ok(Reached {
            client: aws_sdk_iam::Client::from_conf(conf),
            endpoint: sdk::endpoint(config, "IAM", "https://iam.amazonaws.com".into()),
        })
    }
}

fn date(at: Option<&aws_sdk_iam::primitives::DateTime>) -> Option<OffsetDateTime> {
    at.and_then(|d| OffsetDateTime::from_unix_timestamp(d.secs()).ok())
}

impl crate::rotate::Iam for Client {
    fn user_name(&self, key: &Credentials) -> Result<Option<String>> {
        let arn = self.identity_of(Some(key))?.arn;
        Ok(crate::rotate::user_of_arn(&arn))
    }

    fn create_access_key(
        &self,
        signer: &Credentials,
        user: Option<&str>,
    ) -> Result<Option<Credentials>> {
        let iam = self.iam(signer)?;
        self.block_on(async {
            let call = iam
                .client
                .create_access_key()
                .set_user_name(user.map(String::from));
            let out = match call.send().await {
                Ok(out) => out,
                Err(e) if code(&e) == Some("LimitExceeded") => return Ok(None),
                Err(e) => return Err(failure("CreateAccessKey", &iam.endpoint, &e)),
            };
            let key = out
                .access_key()
                .ok_or_else(|| Error::bad_answer("CreateAccessKey", "no key"))?;
            Ok(Some(Credentials {
                created: date(key.create_date()),
                ..Credentials::new(
                    key.access_key_id().to_string(),
                    Secret::new(key.secret_access_key().to_string()),
                )
            }))
        })?
    }

    fn access_keys(
        &self,
        signer: &Credentials,
        user: Option<&str>,
    ) -> Result<Vec<(String, Option<OffsetDateTime>)>> {
        let iam = self.iam(signer)?;
        self.block_on(async {
            let out = iam
                .client
                .list_access_keys()
                .set_user_name(user.map(String::from))
                .send()
                .await
                .map_err(|e| failure("ListAccessKeys", &iam.endpoint, &e))?;
            Ok(out
                .access_key_metadata()
                .iter()
                .filter_map(|k| Some((k.access_key_id()?.to_string(), date(k.create_date()))))
                .collect())
        })?
    }

    fn delete_access_key(&self, signer: &Credentials, user: Option<&str>, id: &str) -> Result<()> {
        let iam = self.iam(signer)?;
        self.block_on(async {
            iam.client
                .delete_access_key()
                .set_user_name(user.map(String::from))
                .access_key_id(id)
                .send()
                .await
                .map_err(|e| failure("DeleteAccessKey", &iam.endpoint, &e))?;
            Ok(())
        })?
    }

    fn accepts(&self, key: &Credentials) -> Result<bool> {
        let sts = self.sts(Some(key))?;
        self.block_on(async {
            match sts.client.get_caller_identity().send().await {
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
                    "GetCallerIdentity",
                    code(&e),
                    failure_detail("STS", &sts.endpoint, &e),
                    "check the endpoint and the network",
                )),
            }
        })?
    }
}

fn failure<E, R>(action: &str, endpoint: &str, e: &SdkError<E, R>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let fix = unreachable("AWS_ENDPOINT_URL_IAM", e).map(|fix| fix + "; nothing was changed").unwrap_or_else(|| {
        "check that the key may manage its own access keys (iam:CreateAccessKey, iam:DeleteAccessKey, iam:ListAccessKeys)".into()
    });
    Error::aws(
        format!("IAM {action}"),
        code(e),
        failure_detail("IAM", endpoint, e),
        fix,
    )
}
