//! The Rust SDK's own profile provider (aws-config) runs the binary through
//! `sh -c` and reads its answer. One test in its own file: it has to set the
//! process environment that aws-config and the child read.

mod common;

use std::process::Command;
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
}
