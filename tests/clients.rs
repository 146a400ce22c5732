//! Real AWS clients read a temporary ~/.aws/config whose profiles run the
//! built binary: boto3 and the AWS CLI (botocore splits the command with
//! shlex and runs it without a shell) and the JavaScript SDK (which runs it
//! through `sh -c`, as the Rust and Go SDKs do).

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use common::*;
use serde_json::Value;

fn parse(out: &Out) -> Value {
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"))
}

fn assert_long_term(v: &Value) {
    assert_eq!(v["AccessKeyId"], KEY_ID);
    assert_eq!(v["SecretAccessKey"], SECRET);
    assert_eq!(v["SessionToken"], Value::Null);
    assert_eq!(v["Expiration"], Value::Null);
}

fn assert_temporary(v: &Value, expiration: &str) {
    assert_eq!(v["AccessKeyId"], TEMP_KEY_ID);
    assert_eq!(v["SecretAccessKey"], SECRET);
    assert_eq!(v["SessionToken"], TOKEN);
    assert_eq!(v["Expiration"], expiration);
}

/// boto3 through `profile`, which must succeed.
#[track_caller]
fn python_ok(t: &TestEnv, profile: &str) -> Out {
    let out = python(t, profile);
    assert_eq!(out.code, 0, "boto3 failed: {out:?}");
    out
}

#[test]
fn boto3_reads_stored_keys() {
    let (t, expiration) = profiles_env();
    let v = parse(&python_ok(&t, "app"));
    assert_long_term(&v);
    assert_eq!(v["Method"], "custom-process");

    let v = parse(&python_ok(&t, "tmp"));
    assert_temporary(&v, &expiration);

    let out = python(&t, "missing");
    assert_eq!(out.code, 1, "{out:?}");
    out.stderr_has(&["no credentials stored for 'nobody'", "awscreds-rs add"]);
}

fn node(t: &TestEnv, kind: &str, profile: &str) -> Out {
    client("tests/js/node_modules/@aws-sdk/credential-providers");
    let mut cmd = t.command("node");
    cmd.arg(project_dir().join("tests/js/probe.mjs"))
        .args([kind, profile]);
    Run::new(cmd).output()
}

#[test]
fn the_javascript_sdk_reads_stored_keys() {
    let (t, expiration) = profiles_env();
    for kind in ["ini", "process"] {
        let out = node(&t, kind, "app");
        assert_eq!(out.code, 0, "{kind}: {out:?}");
        assert_long_term(&parse(&out));

        assert_temporary(&parse(&node(&t, kind, "tmp")), &expiration);

        let out = node(&t, kind, "missing");
        assert_eq!(out.code, 1, "{kind}: {out:?}");
        out.stderr_has(&["no credentials stored for 'nobody'"]);
    }
}

/// Accepts one HTTP request on 127.0.0.1, answers it with an AWS error and
/// hands its header lines to the test.
fn capture_one_request() -> (u16, mpsc::Receiver<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                break;
            }
            headers.push(line.trim_end().to_string());
        }
        let body = "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>\
                    <Message>captured by the test</Message></Error></ErrorResponse>";
        let mut stream = stream;
        let _ = write!(
            stream,
            "HTTP/1.1 403 Forbidden\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        tx.send(headers).unwrap();
    });
    (port, rx)
}

fn aws(t: &TestEnv, args: &[&str]) -> Out {
    let mut cmd = t.command(client(".venv/bin/aws"));
    cmd.args(args).env("AWS_MAX_ATTEMPTS", "1");
    Run::new(cmd).output()
}

#[test]
fn the_aws_cli_signs_requests_with_stored_keys() {
    let (t, _) = profiles_env();
    let out = aws(&t, &["configure", "list", "--profile", "app"]);
    assert_eq!(out.code, 0, "{out:?}");
    let key_line = out
        .stdout
        .lines()
        .find(|l| l.contains("access_key"))
        .unwrap();
    assert!(
        key_line.contains("MPLE") && key_line.contains("custom-process"),
        "{out:?}"
    );

    let (port, headers) = capture_one_request();
    let endpoint = format!("http://127.0.0.1:{port}");
    let out = aws(
        &t,
        &[
            "sts",
            "get-caller-identity",
            "--profile",
            "tmp",
            "--endpoint-url",
            &endpoint,
        ],
    );
    assert_ne!(out.code, 0, "the listener refuses every request: {out:?}");
    out.stderr_has(&["captured by the test"]);
    let headers = headers.recv_timeout(Duration::from_secs(30)).unwrap();
    let find = |name: &str| {
        headers
            .iter()
            .find(|h| h.to_ascii_lowercase().starts_with(&format!("{name}:")))
            .cloned()
            .unwrap_or_else(|| panic!("no {name} header in {headers:?}"))
    };
    assert!(
        find("authorization").contains(&format!("Credential={TEMP_KEY_ID}/")),
        "{headers:?}"
    );
    assert!(find("x-amz-security-token").ends_with(TOKEN), "{headers:?}");

    let out = aws(
        &t,
        &[
            "sts",
            "get-caller-identity",
            "--profile",
            "missing",
            "--endpoint-url",
            &endpoint,
        ],
    );
    assert_ne!(out.code, 0);
    out.stderr_has(&["no credentials stored for 'nobody'"]);
}

#[test]
fn nothing_but_the_keychain_holds_the_secret() {
    let (t, _) = profiles_env();
    python_ok(&t, "app");
    let found: Vec<PathBuf> = t.files_containing(SECRET);
    assert!(found.is_empty(), "the secret is on disk in {found:?}");
}
