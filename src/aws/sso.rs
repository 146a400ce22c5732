//! Identity Center's portal: the accounts and roles a user may use, a
//! role's credentials, and logging out.

use std::time::Duration;

use time::OffsetDateTime;

use super::sdk::{secret, BoundedAnswers, IdentityCenter};
use super::Client;
use crate::credentials::Credentials;
use crate::error::{Error, Result};

const PORTAL: IdentityCenter = IdentityCenter::Portal;

/// The portal in one region.
struct Reached {
    client: aws_sdk_sso::Client,
    endpoint: String,
}

impl Client {
    fn portal(&self, region: &str) -> Result<Reached> {
        let config = self.unsigned(region)?;
        let conf = aws_sdk_sso::config::Builder::from(&config)
            .interceptor(BoundedAnswers)
            .build();
        Ok(Reached {
            client: aws_sdk_sso::Client::from_conf(conf),
            endpoint: PORTAL.endpoint(&config, region),
        })
    }
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

impl crate::sso::Portal for Client {
    fn role_credentials(
        &self,
        region: &str,
        access_token: &str,
        account: &str,
        role: &str,
    ) -> Result<Option<Credentials>> {
        let portal = self.portal(region)?;
        self.block_on(async {
            let client = &portal.client;
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
                Err(e) => return Err(PORTAL.failure("GetRoleCredentials", &portal.endpoint, &e)),
            };
            let c = out
                .role_credentials()
                .ok_or_else(|| Error::bad_answer("GetRoleCredentials", "no credentials"))?;
            let expiration = OffsetDateTime::from_unix_timestamp(c.expiration() / 1000)
                .map_err(|_| Error::bad_answer("GetRoleCredentials", "a bad expiration"))?;
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
        })?
    }

    fn accounts(&self, region: &str, access_token: &str) -> Result<Vec<(String, String)>> {
        let portal = self.portal(region)?;
        self.block_on(async {
            let client = &portal.client;
            let mut pages = client
                .list_accounts()
                .access_token(access_token)
                .into_paginator()
                .send();
            let mut all = Vec::new();
            let mut bound = Pages::new("ListAccounts");
            while let Some(page) = pages.next().await {
                let page =
                    page.map_err(|e| PORTAL.failure("ListAccounts", &portal.endpoint, &e))?;
                bound.one_more()?;
                all.extend(page.account_list().iter().map(|a| {
                    (
                        a.account_id().unwrap_or_default().to_string(),
                        a.account_name().unwrap_or_default().to_string(),
                    )
                }));
            }
            Ok(all)
        })?
    }

    fn roles(&self, region: &str, access_token: &str, account: &str) -> Result<Vec<String>> {
        let portal = self.portal(region)?;
        self.block_on(async {
            let client = &portal.client;
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
                    page.map_err(|e| PORTAL.failure("ListAccountRoles", &portal.endpoint, &e))?;
                bound.one_more()?;
                all.extend(
                    page.role_list()
                        .iter()
                        .filter_map(|r| r.role_name().map(String::from)),
                );
            }
            Ok(all)
        })?
    }

    fn logout(&self, region: &str, access_token: &str) -> Result<()> {
        let portal = self.portal(region)?;
        self.block_on(async {
            let client = &portal.client;
            client
                .logout()
                .access_token(access_token)
                .send()
                .await
                .map_err(|e| PORTAL.failure("Logout", &portal.endpoint, &e))?;
            Ok(())
        })?
    }
}
