//! The harness's own AWS sign-in service (tests/py/signin.py), checked
//! before anything is built on it: boto3 (botocore's login provider, with
//! awscrt's DPoP signing) and aws-config's login provider each refresh a
//! login from the AWS CLI's cache against it, and its DPoP checks, its
//! rotation of refresh tokens and its session lifetime refuse what AWS
//! refuses; its DPoP check takes awscreds-rs's own proofs (`aws::dpop`).
//! One test sets the process environment aws-config reads.

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

/// What the fake checks of a DPoP proof (`check_dpop`): one made by
/// awscreds-rs's own key passes; the same proof for another URL, or with
/// one signature byte changed, does not.
#[test]
fn the_fakes_dpop_check_takes_our_proofs_and_nothing_else() {
    let t = TestEnv::keyutils();
    let check = |proof: &str, url: &str| {
        let mut cmd = t.command(client(".venv/bin/python"));
        cmd.args([
            "-c",
            "import sys; sys.path.insert(0, sys.argv[3]); import signin\n\
             try:\n    print('ok', signin.check_dpop(sys.argv[1], sys.argv[2]))\n\
             except ValueError as e:\n    print('refused', e)",
            proof,
            url,
        ])
        .arg(project_dir().join("tests/py"));
        Run::new(cmd).ok().stdout
    };
    let key = awscreds_rs::aws::dpop::DpopKey::generate().unwrap();
    let url = "http://127.0.0.1:9/v1/token";
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let proof = key.proof("POST", url, now).unwrap();
    assert!(
        check(&proof, url).starts_with("ok "),
        "{}",
        check(&proof, url)
    );
    let elsewhere = check(&proof, "http://127.0.0.1:9/v1/other");
    assert!(elsewhere.starts_with("refused htu"), "{elsewhere}");
    let mut forged = proof.into_bytes();
    let last = forged.len() - 2;
    forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    let refused = check(&forged, url);
    assert!(refused.starts_with("refused"), "{refused}");
    let stale = key.proof("POST", url, now - 3600).unwrap();
    assert!(check(&stale, url).starts_with("refused iat"));
}
