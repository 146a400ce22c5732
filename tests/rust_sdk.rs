//! The Rust SDK's own profile provider (aws-config) runs the binary through
//! `sh -c` and reads its answer; its default chain reads the container
//! endpoint of `serve`. One test in its own file: it has to set the
//! process environment that aws-config and the child read.

mod common;

use std::io::BufRead;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

use aws_config::profile::ProfileFileCredentialsProvider;
use aws_credential_types::provider::ProvideCredentials;
use common::*;

#[tokio::test(flavor = "current_thread")]
async fn aws_config_reads_stored_keys() {
    let (t, expiration) = profiles_env();
    let cmd = t.command("true");
    for (key, value) in cmd.get_envs() {
        std::env::set_var(key, value.unwrap());
    }
    let provider = |profile: &str| {
        ProfileFileCredentialsProvider::builder()
            .profile_name(profile)
            .build()
    };

    let creds = provider("app").provide_credentials().await.unwrap();
    assert_eq!(creds.access_key_id(), KEY_ID);
    assert_eq!(creds.secret_access_key(), SECRET);
    assert_eq!(creds.session_token(), None);
    assert_eq!(creds.expiry(), None);

    let creds = provider("tmp").provide_credentials().await.unwrap();
    assert_eq!(creds.access_key_id(), TEMP_KEY_ID);
    assert_eq!(creds.session_token(), Some(TOKEN));
    let expected = Command::new("date")
        .args(["-u", "-d", &expiration, "+%s"])
        .output()
        .unwrap();
    let secs: u64 = String::from_utf8(expected.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(
        creds.expiry(),
        Some(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
    );

    let error = provider("missing").provide_credentials().await.unwrap_err();
    let message = format!(
        "{}",
        aws_smithy_types::error::display::DisplayErrorContext(&error)
    );
    assert!(
        message.contains("no credentials stored for 'nobody'"),
        "{message}"
    );

    // The default chain, with no profile of that name, reads the endpoint
    // that serves `tmp` (stored temporary credentials, served as they are).
    let mut serve = t.command(bin());
    serve
        .args(["serve", "--profile", "tmp"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut serve = serve.spawn().unwrap();
    let mut lines = std::io::BufReader::new(serve.stdout.take().unwrap()).lines();
    for _ in 0..2 {
        let line = lines.next().expect("serve prints two lines").unwrap();
        let (name, value) = line
            .strip_prefix("export ")
            .and_then(|l| l.split_once('='))
            .unwrap_or_else(|| panic!("not an export line: {line}"));
        std::env::set_var(name, value);
    }
    std::env::set_var("AWS_PROFILE", "no-such-profile");
    let chain = aws_config::default_provider::credentials::DefaultCredentialsChain::builder()
        .build()
        .await;
    let creds = chain.provide_credentials().await;
    serve.kill().unwrap();
    serve.wait().unwrap();
    let creds = creds.unwrap();
    assert_eq!(creds.access_key_id(), TEMP_KEY_ID);
    assert_eq!(creds.session_token(), Some(TOKEN));
}
