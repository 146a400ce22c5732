//! The AWS console, signed in with a profile's credentials, as the IAM
//! User Guide's custom identity broker does it: the federation endpoint
//! trades temporary credentials (AssumeRole's, or GetFederationToken's for
//! an IAM user's long-term key) for a sign-in token, and the login link
//! with that token signs a browser in for 15 minutes.
//!
//! What AWS allows decides what is sent: `SessionDuration` (900 to 43,200
//! seconds) only with a role's credentials, never with GetFederationToken's
//! (whose own duration sets the console session) nor anything else's; a
//! GetSessionToken session is refused by the endpoint, so it is refused
//! here first with the way that works. The partition follows the region.
//! The link is a credential: `cmd/console.rs` hands the browser a
//! single-use loopback address instead (`browser::Handoff`).

use crate::context::Env;
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::secret::Secret;

/// The longest console session AWS gives a role's credentials.
pub const MAX_SESSION: u32 = 43_200;
/// The shortest console session.
pub const MIN_SESSION: u32 = 900;
/// GetFederationToken's longest session (36 hours).
pub const MAX_FEDERATION: u32 = 129_600;
/// A console session's length when none is asked for, for a key's
/// GetFederationToken: one hour, as aws-vault and granted do.
pub const DEFAULT_FEDERATION: u32 = 3_600;
/// The session policy a GetFederationToken session gets: without one it
/// may do nothing; with this one, what the user's own policies allow.
pub const ALLOW_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
/// Who signs the browser in, as the login link names it.
pub const ISSUER: &str = "awscreds-rs";

/// Where a region's console and sign-in service are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partition {
    Aws,
    China,
    GovCloud,
}

impl Partition {
    pub fn of(region: &str) -> Partition {
        if region.starts_with("cn-") {
            Partition::China
        } else if region.starts_with("us-gov-") {
            Partition::GovCloud
        } else {
            Partition::Aws
        }
    }

    pub fn signin_host(self) -> &'static str {
        match self {
            Partition::Aws => "signin.aws.amazon.com",
            Partition::China => "signin.amazonaws.cn",
            Partition::GovCloud => "signin.amazonaws-us-gov.com",
        }
    }

    pub fn console_host(self) -> &'static str {
        match self {
            Partition::Aws => "console.aws.amazon.com",
            Partition::China => "console.amazonaws.cn",
            Partition::GovCloud => "console.amazonaws-us-gov.com",
        }
    }
}

/// Where the console sends the browser: a service's console home in
/// `region` (`s3`, `ec2`), a `https://` console URL as it is, or the
/// console's home.
pub fn destination(given: Option<&str>, region: &str) -> Result<String> {
    let host = Partition::of(region).console_host();
    match given {
        None => Ok(format!("https://{host}/console/home?region={region}")),
        Some(url) if url.starts_with("https://") => {
            crate::browser::checked_url(url, "--destination")?;
            Ok(url.to_string())
        }
        Some(service)
            if service.starts_with(|c: char| c.is_ascii_lowercase())
                && service.len() <= 40
                && service
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') =>
        {
            Ok(format!("https://{host}/{service}/home?region={region}"))
        }
        Some(other) => Err(Error::BadValue {
            of: "--destination",
            value: Some(
                crate::error::one_line(other.escape_debug())
                    .chars()
                    .take(100)
                    .collect(),
            ),
            rule:
                "a service's name in lower case (s3, ec2, cloudformation) or a https:// console URL"
                    .into(),
        }),
    }
}

/// The federation endpoint: on the sign-in service's host, so that
/// `AWS_ENDPOINT_URL_SIGNIN` (then `AWS_ENDPOINT_URL`) replaces it as the
/// SDKs replace that service's.
pub fn federation_url(env: &Env, region: &str) -> String {
    let base = ["AWS_ENDPOINT_URL_SIGNIN", "AWS_ENDPOINT_URL"]
        .iter()
        .find_map(|name| env.var(name).filter(|v| !v.is_empty()))
        .unwrap_or_else(|| format!("https://{}", Partition::of(region).signin_host()));
    format!("{}/federation", base.trim_end_matches('/'))
}

/// Where a profile's credentials came from, which decides what AWS lets
/// the console do with them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A role session (AssumeRole, or an Identity Center role's): takes
    /// `SessionDuration`.
    Role,
    /// GetFederationToken's, made here from an IAM user's key: its own
    /// duration is the console session's.
    Federation,
    /// Temporary credentials from elsewhere (an AWS sign-in): sent as they
    /// are, without `SessionDuration`.
    Other,
}

/// The `SessionDuration` to send for credentials of `origin`, from the
/// `--duration` asked (seconds): only for a role, at most [`MAX_SESSION`]
/// (a longer one is capped, and `capped` says so).
pub fn session_duration(
    origin: Origin,
    asked: Option<u32>,
    capped: &mut dyn FnMut(u32),
) -> Result<Option<u32>> {
    let Some(asked) = asked else {
        return Ok(None);
    };
    if asked < MIN_SESSION {
        return Err(Error::BadValue {
            of: "--duration",
            value: Some(asked.to_string()),
            rule: "at least 15 minutes (900 seconds), AWS's shortest console session".into(),
        });
    }
    match origin {
        Origin::Role if asked > MAX_SESSION => {
            capped(MAX_SESSION);
            Ok(Some(MAX_SESSION))
        }
        Origin::Role => Ok(Some(asked)),
        Origin::Federation | Origin::Other => Ok(None),
    }
}

/// The getSigninToken request for `creds`.
pub fn signin_token_url(federation: &str, creds: &Credentials, duration: Option<u32>) -> Secret {
    let session = serde_json::json!({
        "sessionId": creds.access_key_id,
        "sessionKey": creds.secret_access_key.expose(),
        "sessionToken": creds.session_token.as_ref().map(Secret::expose).unwrap_or(""),
    })
    .to_string();
    let mut pairs = vec![("Action", "getSigninToken"), ("Session", session.as_str())];
    let duration = duration.map(|d| d.to_string());
    if let Some(d) = &duration {
        pairs.push(("SessionDuration", d));
    }
    Secret::new(crate::browser::with_query(federation, &pairs))
}

/// The login link: a credential for the whole console for 15 minutes.
pub fn login_link(federation: &str, destination: &str, token: &Secret) -> Secret {
    Secret::new(crate::browser::with_query(
        federation,
        &[
            ("Action", "login"),
            ("Issuer", ISSUER),
            ("Destination", destination),
            ("SigninToken", token.expose()),
        ],
    ))
}

/// The calls the console needs: GetFederationToken (STS) and the
/// federation endpoint's getSigninToken.
pub trait Federation {
    /// GetFederationToken with `key` (an IAM user's long-term key): `name`
    /// names the federated user, [`ALLOW_ALL`] is its session policy.
    fn federation_token(&self, key: &Credentials, name: &str, seconds: u32) -> Result<Credentials>;
    /// The sign-in token that `url` (from [`signin_token_url`]) answers.
    fn signin_token(&self, url: &Secret, region: &str) -> Result<Secret>;
}

/// The name a GetFederationToken session gets: the stored NAME, cut to
/// STS's 2 to 32 characters of `\w+=,.@-`.
pub fn federated_name(name: &str) -> String {
    let mut cut: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(*c))
        .take(32)
        .collect();
    while cut.len() < 2 {
        cut.push('_');
    }
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_partition_follows_the_region() {
        assert_eq!(
            destination(Some("s3"), "eu-west-1").unwrap(),
            "https://console.aws.amazon.com/s3/home?region=eu-west-1"
        );
        assert_eq!(
            destination(None, "cn-north-1").unwrap(),
            "https://console.amazonaws.cn/console/home?region=cn-north-1"
        );
        assert_eq!(
            destination(Some("ec2"), "us-gov-west-1").unwrap(),
            "https://console.amazonaws-us-gov.com/ec2/home?region=us-gov-west-1"
        );
        let env = Env::given([("HOME", "/h")]);
        assert_eq!(
            federation_url(&env, "cn-northwest-1"),
            "https://signin.amazonaws.cn/federation"
        );
        assert_eq!(
            federation_url(&env, "us-gov-east-1"),
            "https://signin.amazonaws-us-gov.com/federation"
        );
        assert_eq!(
            federation_url(&env, "eu-west-1"),
            "https://signin.aws.amazon.com/federation"
        );
        let env = Env::given([("AWS_ENDPOINT_URL", "http://127.0.0.1:9/")]);
        assert_eq!(
            federation_url(&env, "eu-west-1"),
            "http://127.0.0.1:9/federation"
        );
        let env = Env::given([
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
            ("AWS_ENDPOINT_URL_SIGNIN", "http://127.0.0.1:8"),
        ]);
        assert_eq!(
            federation_url(&env, "eu-west-1"),
            "http://127.0.0.1:8/federation"
        );
    }

    #[test]
    fn destinations_are_services_or_console_urls() {
        let url = "https://console.aws.amazon.com/iam/home#/roles";
        assert_eq!(destination(Some(url), "us-east-1").unwrap(), url);
        for bad in ["S3", "s3 x", "javascript:alert(1)", "http://x", "--x", ""] {
            assert!(destination(Some(bad), "us-east-1").is_err(), "{bad}");
        }
    }

    #[test]
    fn session_duration_is_sent_only_where_aws_takes_it() {
        let mut said = Vec::new();
        let mut note = |s| said.push(s);
        assert_eq!(
            session_duration(Origin::Role, Some(3600), &mut note).unwrap(),
            Some(3600)
        );
        assert_eq!(
            session_duration(Origin::Role, Some(50_000), &mut note).unwrap(),
            Some(MAX_SESSION)
        );
        assert_eq!(
            session_duration(Origin::Federation, Some(7200), &mut note).unwrap(),
            None
        );
        assert_eq!(
            session_duration(Origin::Other, Some(7200), &mut note).unwrap(),
            None
        );
        assert_eq!(
            session_duration(Origin::Role, None, &mut note).unwrap(),
            None
        );
        assert!(session_duration(Origin::Role, Some(60), &mut note).is_err());
        assert_eq!(said, [MAX_SESSION]);
    }

    #[test]
    fn federated_names_fit_sts() {
        assert_eq!(federated_name("helen"), "helen");
        assert_eq!(federated_name("h"), "h_");
        assert_eq!(federated_name(&"x".repeat(40)).len(), 32);
    }
}
