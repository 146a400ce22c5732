//! The harness's own AWS sign-in service (tests/py/signin.py), checked
//! before anything is built on it: boto3 (botocore's login provider, with
//! awscrt's DPoP signing) and aws-config's login provider each refresh a
//! login from the AWS CLI's cache against it, and its DPoP checks, its
//! rotation of refresh tokens and its session lifetime refuse what AWS
//! refuses. One test sets the process environment aws-config reads.

mod common;

use aws_credential_types::provider::ProvideCredentials;
use common::*;
use serde_json::Value;

/// The local sign-in service.
struct Signin(LocalService);

impl Signin {
    fn start(dir: &std::path::Path) -> Signin {
        Signin(LocalService::start("signin.py", dir))
    }

    /// boto3's script against it; what it printed.
    fn boto3(&self, t: &TestEnv, extra: &[&str]) -> Value {
        let mut cmd = t.command(client(".venv/bin/python"));
        cmd.arg(project_dir().join("tests/py/signin_boto3.py"))
            .arg(&self.0.endpoint)
            .arg(t.root())
            .args(extra);
        let out = Run::new(cmd).ok();
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"))
    }
}

#[test]
fn the_local_signin_service_speaks_what_boto3_speaks() {
    let t = TestEnv::keyutils();
    let signin = Signin::start(t.root());
    let seen = signin.boto3(&t, &[]);
    assert_eq!(seen["session"], "arn:aws:iam::123456789012:user/helen");
    assert_eq!(seen["refreshed"], true, "{seen}");
    assert_eq!(seen["rotated"], true, "{seen}");
    assert_eq!(seen["reused"], "TOKEN_EXPIRED", "a spent refresh token");
    assert_eq!(
        seen["other_key"], "invalid_dpop_proof",
        "another key's proof"
    );
    assert_eq!(
        seen["expired"], "LoginRefreshRequired",
        "a session past its lifetime"
    );
    assert!(
        signin.0.calls("Token:refresh_token") >= 1,
        "botocore refreshed through the fake"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn aws_config_refreshes_a_login_against_the_local_signin_service() {
    let t = TestEnv::keyutils();
    let signin = Signin::start(t.root());
    let cached = signin.boto3(&t, &["--cache-only"]);
    let cache = std::path::PathBuf::from(cached["cache"].as_str().unwrap());
    let before: Value = serde_json::from_str(&std::fs::read_to_string(&cache).unwrap()).unwrap();
    for (key, value) in [
        ("HOME", t.home.clone()),
        ("AWS_CONFIG_FILE", t.root().join("config")),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            t.root().join("no-credentials"),
        ),
        ("AWS_LOGIN_CACHE_DIRECTORY", t.root().join("login-cache")),
    ] {
        std::env::set_var(key, value);
    }
    std::env::set_var("AWS_ENDPOINT_URL_SIGNIN", &signin.0.endpoint);
    std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    std::env::set_var("AWS_REGION", "us-east-1");
    let provider = aws_config::profile::ProfileFileCredentialsProvider::builder()
        .profile_name("signed-in")
        .build();
    let creds = provider.provide_credentials().await.unwrap_or_else(|e| {
        panic!(
            "{}",
            aws_smithy_types::error::display::DisplayErrorContext(&e)
        )
    });
    assert!(creds.access_key_id().starts_with("ASIA"));
    assert_ne!(
        creds.access_key_id(),
        cached["key"].as_str().unwrap(),
        "refreshed"
    );
    let after: Value = serde_json::from_str(&std::fs::read_to_string(&cache).unwrap()).unwrap();
    assert_ne!(after["refreshToken"], before["refreshToken"], "rotated");
    assert_eq!(signin.0.calls("Token:refresh_token"), 1);
}
