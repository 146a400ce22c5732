//! Without the `sts` feature: every call fails with a message that says
//! which build has them.

use super::{Client, Identity};
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::session::Sts;

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

impl Client {
    pub fn caller_identity(&self) -> Result<Identity> {
        Err(missing())
    }
}

impl crate::sso::Oidc for Client {
    fn register_client(
        &self,
        _: &str,
        _: &[String],
        _: crate::sso::Registration<'_>,
    ) -> Result<crate::sso::Client> {
        Err(missing())
    }
    fn authorize_url(&self, _: &str) -> Result<String> {
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
    fn role_credentials(&self, _: &str, _: &str, _: &str, _: &str) -> Result<Option<Credentials>> {
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

impl crate::signin::SignInService for Client {
    fn endpoint(&self, _: &str) -> Result<String> {
        Err(missing())
    }
    fn new_key(&self) -> Result<zeroize::Zeroizing<Vec<u8>>> {
        Err(missing())
    }
    fn usable_key(&self, _: &[u8]) -> bool {
        false
    }
    fn token(
        &self,
        _: &str,
        _: &str,
        _: &[u8],
        _: crate::signin::Grant<'_>,
    ) -> Result<crate::signin::Tokens> {
        Err(missing())
    }
}

impl crate::console::Federation for Client {
    fn federation_token(&self, _: &Credentials, _: &str, _: u32) -> Result<Credentials> {
        Err(missing())
    }
    fn signin_token(&self, _: &crate::secret::Secret, _: &str) -> Result<crate::secret::Secret> {
        Err(missing())
    }
}

impl crate::rotate::Iam for Client {
    fn user_name(&self, _: &Credentials) -> Result<Option<String>> {
        Err(missing())
    }
    fn create_access_key(&self, _: &Credentials, _: Option<&str>) -> Result<Option<Credentials>> {
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
