//! Identity Center's OIDC service: registering this program as a client
//! (for the device code or the authorization code), the device
//! authorization, the authorize page, and the tokens.

use super::sdk::{secret, BoundedAnswers, IdentityCenter};
use super::Client;
use crate::error::Result;
use crate::secret::Secret;

const OIDC: IdentityCenter = IdentityCenter::Oidc;

/// The OIDC service in one region.
struct Reached {
    client: aws_sdk_ssooidc::Client,
    endpoint: String,
}

impl Client {
    fn oidc(&self, region: &str) -> Result<Reached> {
        let config = self.unsigned(region)?;
        let conf = aws_sdk_ssooidc::config::Builder::from(&config)
            .interceptor(BoundedAnswers)
            .build();
        Ok(Reached {
            client: aws_sdk_ssooidc::Client::from_conf(conf),
            endpoint: OIDC.endpoint(&config, region),
        })
    }
}

impl crate::sso::Oidc for Client {
    fn register_client(
        &self,
        region: &str,
        scopes: &[String],
        registration: crate::sso::Registration<'_>,
    ) -> Result<crate::sso::Client> {
        use crate::sso::{Registration, CODE_GRANTS, REGISTERED_REDIRECT};
        let oidc = self.oidc(region)?;
        self.block_on(async {
            let call = oidc
                .client
                .register_client()
                .client_name(crate::sso::CLIENT_NAME)
                .client_type("public")
                .set_scopes((!scopes.is_empty()).then(|| scopes.to_vec()));
            let (call, grant_types) = match registration {
                Registration::Device => (call, Vec::new()),
                Registration::Code { issuer } => (
                    call.set_grant_types(Some(CODE_GRANTS.map(String::from).to_vec()))
                        .redirect_uris(REGISTERED_REDIRECT)
                        .issuer_url(issuer),
                    CODE_GRANTS.map(String::from).to_vec(),
                ),
            };
            let out = call
                .send()
                .await
                .map_err(|e| OIDC.failure("RegisterClient", &oidc.endpoint, &e))?;
            Ok(crate::sso::Client {
                id: out.client_id().unwrap_or_default().to_string(),
                secret: secret(out.client_secret(), "client secret")?,
                expires_at: out.client_secret_expires_at(),
                grant_types,
            })
        })?
    }

    fn authorize_url(&self, region: &str) -> Result<String> {
        let config = self.unsigned(region)?;
        let base = OIDC.endpoint(&config, region);
        Ok(format!("{}/authorize", base.trim_end_matches('/')))
    }

    fn start_device_authorization(
        &self,
        region: &str,
        registered: &crate::sso::Client,
        start_url: &str,
    ) -> Result<crate::sso::Device> {
        let oidc = self.oidc(region)?;
        self.block_on(async {
            let client = &oidc.client;
            let out = client
                .start_device_authorization()
                .client_id(&registered.id)
                .client_secret(registered.secret.expose())
                .start_url(start_url)
                .send()
                .await
                .map_err(|e| OIDC.failure("StartDeviceAuthorization", &oidc.endpoint, &e))?;
            Ok(crate::sso::Device {
                device_code: secret(out.device_code(), "device code")?,
                user_code: out.user_code().unwrap_or_default().to_string(),
                verification_uri: out.verification_uri().unwrap_or_default().to_string(),
                verification_uri_complete: out.verification_uri_complete().map(String::from),
                expires_in: i64::from(out.expires_in()),
                interval: i64::from(out.interval()),
            })
        })?
    }

    fn create_token(
        &self,
        region: &str,
        registered: &crate::sso::Client,
        grant: crate::sso::Grant<'_>,
    ) -> std::result::Result<crate::sso::Issued, crate::sso::TokenError> {
        use crate::sso::{Grant, TokenError};
        let oidc = self.oidc(region).map_err(TokenError::Failed)?;
        let answer = self.block_on(async {
            let client = &oidc.client;
            let call = client
                .create_token()
                .client_id(&registered.id)
                .client_secret(registered.secret.expose());
            let call = match grant {
                Grant::Device(code) => call.grant_type(crate::sso::DEVICE_GRANT).device_code(code),
                Grant::Refresh(token) => call.grant_type("refresh_token").refresh_token(token),
                Grant::Code {
                    code,
                    verifier,
                    redirect_uri,
                } => call
                    .grant_type("authorization_code")
                    .code(code)
                    .code_verifier(verifier)
                    .redirect_uri(redirect_uri),
            };
            match call.send().await {
                Ok(out) => Ok(crate::sso::Issued {
                    access_token: secret(out.access_token(), "access token")
                        .map_err(TokenError::Failed)?,
                    expires_in: i64::from(out.expires_in()),
                    refresh_token: out.refresh_token().map(|t| Secret::new(t.to_string())),
                }),
                Err(e) => match e.as_service_error() {
                    Some(s) if s.is_authorization_pending_exception() => Err(TokenError::Pending),
                    Some(s) if s.is_slow_down_exception() => Err(TokenError::SlowDown),
                    Some(s) if s.is_expired_token_exception() || s.is_invalid_grant_exception() => {
                        Err(TokenError::Expired)
                    }
                    _ => Err(TokenError::Failed(OIDC.failure(
                        "CreateToken",
                        &oidc.endpoint,
                        &e,
                    ))),
                },
            }
        });
        answer.unwrap_or_else(|e| Err(TokenError::Failed(e)))
    }
}
