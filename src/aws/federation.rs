//! The console's calls: STS GetFederationToken for an IAM user's key, and
//! the federation endpoint's getSigninToken. The endpoint has no SDK: its
//! GET goes through the orchestrator's one-off `Operation` with the SDK's
//! own HTTP client (rustls), time limits and answer bound, as aws-config
//! reaches IMDS. Neither call's answer is ever shown: it is a credential.

use aws_smithy_runtime::client::orchestrator::operation::Operation;
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, OrchestratorError};
use aws_smithy_types::body::SdkBody;

use super::sdk::BoundedAnswers;
use super::sts::{failure, session};
use super::Client;
use crate::console::{Federation, ALLOW_ALL};
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::secret::Secret;

/// What the federation endpoint answered, before it is read.
#[derive(Debug)]
struct Answer {
    status: u16,
    body: Vec<u8>,
}

impl Federation for Client {
    fn federation_token(&self, key: &Credentials, name: &str, seconds: u32) -> Result<Credentials> {
        let sts = self.sts(Some(key))?;
        self.block_on(async {
            let out = sts
                .client
                .get_federation_token()
                .name(name)
                .policy(ALLOW_ALL)
                .duration_seconds(seconds as i32)
                .send()
                .await
                .map_err(|e| failure("GetFederationToken", &sts.endpoint, &e))?;
            session(out.credentials(), "GetFederationToken")
        })?
    }

    fn signin_token(&self, url: &Secret, region: &str) -> Result<Secret> {
        let config = self.unsigned(region)?;
        let (base, path) = split_url(url.expose());
        let where_to = || format!("the federation endpoint {base}/federation");
        let http = config
            .http_client()
            .ok_or_else(|| Error::bad_answer("getSigninToken", "no HTTP client"))?;
        let mut operation = Operation::builder()
            .service_name("signin")
            .operation_name("getSigninToken")
            .http_client(http)
            .endpoint_url(base)
            .no_auth()
            .no_retry()
            .interceptor(BoundedAnswers);
        if let Some(timeouts) = config.timeout_config() {
            operation = operation.timeout_config(timeouts.clone());
        }
        if let Some(sleep) = config.sleep_impl() {
            operation = operation.sleep_impl(sleep);
        }
        let path = path.to_string();
        let operation = operation
            .serializer(move |(): ()| {
                let mut request = HttpRequest::new(SdkBody::empty());
                request.set_uri(path.as_str())?;
                Ok(request)
            })
            .deserializer::<Answer, std::convert::Infallible>(|response| {
                Ok(Answer {
                    status: response.status().as_u16(),
                    body: response
                        .body()
                        .bytes()
                        .map(<[u8]>::to_vec)
                        .ok_or_else(|| OrchestratorError::other("a streamed answer"))?,
                })
            })
            .build();
        let answer = self.block_on(operation.invoke(()))?.map_err(|e| {
            Error::aws(
                "getSigninToken",
                None,
                format!(
                    "{} could not be reached: {}",
                    where_to(),
                    crate::error::one_line(aws_smithy_types::error::display::DisplayErrorContext(
                        &e
                    ))
                ),
                "check the network and AWS_ENDPOINT_URL_SIGNIN (or AWS_ENDPOINT_URL)",
            )
        })?;
        if answer.status != 200 {
            // AWS says why in a short text: kept to one line and bounded,
            // it holds no secret (the token is only in a 200's body).
            let said: String = String::from_utf8_lossy(&answer.body)
                .chars()
                .take(200)
                .collect();
            return Err(Error::aws(
                "getSigninToken",
                Some(&answer.status.to_string()),
                format!(
                    "{} answered {}: {}",
                    where_to(),
                    answer.status,
                    crate::error::one_line(said.trim())
                ),
                "the federation endpoint takes a role's credentials (AssumeRole, an Identity \
                 Center role) or an IAM user's GetFederationToken, not a GetSessionToken session",
            ));
        }
        let token = serde_json::from_slice::<serde_json::Value>(&answer.body)
            .ok()
            .and_then(|v| v["SigninToken"].as_str().map(String::from))
            .filter(|t| !t.is_empty() && t.len() <= 8192 && t.bytes().all(|b| b.is_ascii_graphic()))
            .ok_or_else(|| Error::bad_answer("getSigninToken", "no SigninToken"))?;
        Ok(Secret::new(token))
    }
}

/// `https://host[:port]` and the rest (`/federation?...`).
fn split_url(url: &str) -> (&str, &str) {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(i) => url.split_at(after_scheme + i),
        None => (url, "/"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn urls_split_at_their_path() {
        assert_eq!(
            super::split_url("https://signin.aws.amazon.com/federation?Action=x"),
            ("https://signin.aws.amazon.com", "/federation?Action=x")
        );
        assert_eq!(
            super::split_url("http://127.0.0.1:9/federation"),
            ("http://127.0.0.1:9", "/federation")
        );
    }
}
