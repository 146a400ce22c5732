//! awscreds-rs's own client of AWS's sign-in service (`aws::signin`, with
//! `aws::dpop`'s proofs) against the harness's local sign-in service: a
//! refresh from a login that boto3's side signed in, the spent refresh
//! token refused with its OAuth2 code, a proof from another key refused.
//! In its own file: it sets the process environment the SDK reads.

mod common;

use awscreds_rs::aws::dpop::DpopKey;
use awscreds_rs::signin::{Grant, SignInService};
use base64::Engine;
use common::*;

use awscreds_rs::signin::SAME_DEVICE;

#[test]
fn the_token_endpoint_refreshes_with_our_proof_and_refuses_what_aws_refuses() {
    let t = TestEnv::keyutils();
    let signin = LocalService::start("signin.py", t.root());
    let mut cmd = t.command(client(".venv/bin/python"));
    cmd.arg(project_dir().join("tests/py/signin_boto3.py"))
        .arg(&signin.endpoint)
        .arg(t.root())
        .arg("--cache-only");
    let out = Run::new(cmd).ok();
    let cached: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    for (key, value) in [
        ("HOME", t.home.display().to_string()),
        (
            "AWS_CONFIG_FILE",
            t.root().join("no-config").display().to_string(),
        ),
        ("AWS_ENDPOINT_URL_SIGNIN", signin.endpoint.clone()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
    ] {
        std::env::set_var(key, value);
    }
    let der = base64::engine::general_purpose::STANDARD
        .decode(cached["pkcs8"].as_str().unwrap())
        .unwrap();
    let key = &der[..];
    let client = awscreds_rs::aws::Client::new(None);
    assert_eq!(client.endpoint("us-east-1").unwrap(), signin.endpoint);

    let spent = cached["refreshToken"].as_str().unwrap();
    let tokens = client
        .token("us-east-1", SAME_DEVICE, key, Grant::Refresh(spent))
        .unwrap_or_else(|e| panic!("{}", e.report()));
    assert!(tokens.credentials.access_key_id.starts_with("ASIA"));
    assert_ne!(
        tokens.credentials.access_key_id,
        cached["key"].as_str().unwrap()
    );
    let lasts = tokens.credentials.expiration.unwrap() - time::OffsetDateTime::now_utc();
    assert!(lasts <= time::Duration::seconds(900) && lasts > time::Duration::seconds(800));
    assert_ne!(tokens.refresh_token.expose(), spent, "rotated");
    assert_eq!(signin.calls("Token:refresh_token"), 1);

    let again = client
        .token("us-east-1", SAME_DEVICE, key, Grant::Refresh(spent))
        .err()
        .expect("a spent refresh token");
    assert_eq!(
        again.aws_code(),
        Some("TOKEN_EXPIRED"),
        "{}",
        again.report()
    );
    let said = again.report().to_string();
    assert!(said.contains("CreateOAuth2Token failed"), "{said}");
    assert!(said.contains("sign in again"), "{said}");
    assert!(!said.contains(spent), "no token in a message");

    let other = DpopKey::generate().unwrap();
    let fresh = tokens.refresh_token.expose();
    let refused = client
        .token(
            "us-east-1",
            SAME_DEVICE,
            other.pkcs8(),
            Grant::Refresh(fresh),
        )
        .err()
        .expect("a proof from another key");
    assert_eq!(
        refused.aws_code(),
        Some("invalid_dpop_proof"),
        "{}",
        refused.report()
    );
}
