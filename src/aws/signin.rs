//! AWS's sign-in service, the one `aws login` talks to: its token
//! endpoint (CreateOAuth2Token), for the authorization code a browser
//! brought back and for the refresh token, each request carrying the DPoP
//! proof of the key the sign-in is bound to (`dpop.rs`). The call itself
//! is unsigned: the proof is its authentication.

use std::sync::Arc;

use aws_sdk_signin::types::{CreateOAuth2TokenRequestBody, OAuth2ErrorCode};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use time::OffsetDateTime;

use zeroize::Zeroizing;

use super::dpop::DpopKey;
use super::sdk::{code, endpoint, failure_detail, unreachable, BoundedAnswers};
use super::Client;
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::signin::{Grant, SignInService, Tokens};

/// Adds the DPoP proof for the request as it goes out, to its final URL.
#[derive(Debug)]
struct Proof(Arc<DpopKey>);

impl std::fmt::Debug for DpopKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DpopKey(***)")
    }
}

impl Intercept for Proof {
    fn name(&self) -> &'static str {
        "DpopProof"
    }

    fn modify_before_transmit(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> std::result::Result<(), BoxError> {
        let request = context.request_mut();
        let url = request.uri().to_string();
        let proof = self
            .0
            .proof(
                request.method(),
                &url,
                OffsetDateTime::now_utc().unix_timestamp(),
            )
            .map_err(|e| e.report().to_string())?;
        request.headers_mut().insert("DPoP", proof);
        Ok(())
    }
}

/// The sign-in host of `region`'s partition, where the SDK would go
/// without an endpoint variable.
pub fn default_endpoint(region: &str) -> String {
    let domain = if region.starts_with("cn-") {
        "signin.amazonaws.cn"
    } else if region.starts_with("us-gov-") {
        "signin.amazonaws-us-gov.com"
    } else {
        "signin.aws.amazon.com"
    };
    format!("https://{region}.{domain}")
}

impl SignInService for Client {
    /// Where the sign-in service of `region` is reached
    /// (`AWS_ENDPOINT_URL_SIGNIN`, then `AWS_ENDPOINT_URL`, else the
    /// partition's host).
    fn endpoint(&self, region: &str) -> Result<String> {
        let config = self.unsigned(region)?;
        Ok(endpoint(&config, "Signin", default_endpoint(region)))
    }

    fn new_key(&self) -> Result<Zeroizing<Vec<u8>>> {
        Ok(Zeroizing::new(DpopKey::generate()?.pkcs8().to_vec()))
    }

    fn usable_key(&self, key: &[u8]) -> bool {
        DpopKey::from_pkcs8(key).is_ok()
    }

    /// CreateOAuth2Token for `client_id` in `region`, proved with `key`.
    /// A refusal keeps the service's OAuth2 code as its [`Error::aws_code`]
    /// (`TOKEN_EXPIRED`, `USER_CREDENTIALS_CHANGED`, ...).
    fn token(&self, region: &str, client_id: &str, key: &[u8], grant: Grant<'_>) -> Result<Tokens> {
        let key = Arc::new(DpopKey::from_pkcs8(key)?);
        let config = self.unsigned(region)?;
        let at = endpoint(&config, "Signin", default_endpoint(region));
        let conf = aws_sdk_signin::config::Builder::from(&config)
            .interceptor(BoundedAnswers)
            .interceptor(Proof(key))
            .build();
        let signin = aws_sdk_signin::Client::from_conf(conf);
        let body = CreateOAuth2TokenRequestBody::builder().client_id(client_id);
        let body = match grant {
            Grant::Code {
                code,
                verifier,
                redirect_uri,
            } => body
                .grant_type("authorization_code")
                .code(code)
                .code_verifier(verifier)
                .redirect_uri(redirect_uri),
            Grant::Refresh(token) => body.grant_type("refresh_token").refresh_token(token),
        };
        let body = body.build().map_err(|e| {
            Error::invalid(
                format!("a token request could not be built: {e}"),
                "report this",
            )
        })?;
        let asked = OffsetDateTime::now_utc();
        self.block_on(async {
            let out = signin
                .create_o_auth2_token()
                .token_input(body)
                .send()
                .await
                .map_err(|e| failure(&at, &e))?;
            let output = out
                .token_output
                .ok_or_else(|| Error::bad_answer("CreateOAuth2Token", "no token"))?;
            let access = output
                .access_token
                .ok_or_else(|| Error::bad_answer("CreateOAuth2Token", "no credentials"))?;
            // AWS says at most 15 minutes; a longer promise is not taken.
            let lasts = i64::from(output.expires_in).clamp(0, 900);
            Ok(Tokens {
                credentials: Credentials {
                    access_key_id: access.access_key_id,
                    secret_access_key: Secret::new(access.secret_access_key),
                    session_token: Some(Secret::new(access.session_token)),
                    expiration: Some(asked + time::Duration::seconds(lasts)),
                    account_id: None,
                    mfa_serial: None,
                    created: None,
                },
                refresh_token: Secret::new(output.refresh_token),
                id_token: output.id_token,
            })
        })?
    }
}

/// A failed CreateOAuth2Token: the OAuth2 code (`TOKEN_EXPIRED`) when the
/// service refused, with what to do about it.
fn failure<R>(
    at: &str,
    e: &aws_sdk_signin::error::SdkError<
        aws_sdk_signin::operation::create_o_auth2_token::CreateOAuth2TokenError,
        R,
    >,
) -> Error
where
    R: std::fmt::Debug + 'static,
{
    use aws_sdk_signin::operation::create_o_auth2_token::CreateOAuth2TokenError as E;
    let oauth = e.as_service_error().and_then(|s| match s {
        E::AccessDeniedException(d) => Some(&d.error),
        E::ValidationException(v) => Some(&v.error),
        _ => None,
    });
    let fix = match oauth {
        Some(OAuth2ErrorCode::TokenExpired | OAuth2ErrorCode::UserCredentialsChanged) => {
            "the login has ended: sign in again".to_string()
        }
        Some(OAuth2ErrorCode::InsufficientPermissions) => {
            "the user needs signin:CreateOAuth2Token (the SignInLocalDevelopmentAccess managed policy)"
                .to_string()
        }
        _ => unreachable("AWS_ENDPOINT_URL_SIGNIN", e)
            .unwrap_or_else(|| "sign in again; if it persists, check the endpoint".into()),
    };
    let oauth_code = oauth.map(|c| c.as_str().to_string());
    Error::aws(
        "CreateOAuth2Token",
        oauth_code.as_deref().or_else(|| code(e)),
        failure_detail("the AWS sign-in service", at, e),
        fix,
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_partition_follows_the_region() {
        use super::default_endpoint;
        assert_eq!(
            default_endpoint("eu-west-1"),
            "https://eu-west-1.signin.aws.amazon.com"
        );
        assert_eq!(
            default_endpoint("cn-north-1"),
            "https://cn-north-1.signin.amazonaws.cn"
        );
        assert_eq!(
            default_endpoint("us-gov-west-1"),
            "https://us-gov-west-1.signin.amazonaws-us-gov.com"
        );
    }
}
