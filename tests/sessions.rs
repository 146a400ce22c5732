//! Short-lived sessions against a local STS (moto's server on 127.0.0.1,
//! behind a proxy that counts calls): GetSessionToken with an MFA code from
//! a command and from a terminal, AssumeRole with and without MFA, reuse of
//! the cache, refresh below 15 minutes, 32 processes making one call, STS
//! errors, the recursion guard, and boto3 reading the result.

mod common;

use std::fs;

use common::*;
use serde_json::Value;

const MFA: &str = "arn:aws:iam::123456789012:mfa/helen";
const ROLE: &str = "arn:aws:iam::123456789012:role/deploy";

struct World {
    t: TestEnv,
    sts: LocalSts,
}

fn world(mfa: bool) -> World {
    let t = TestEnv::native();
    let mut add = vec!["add", "--username", "helen"];
    if mfa {
        add.extend(["--mfa-serial", MFA]);
    }
    t.run(&add).stdin(&long_term_doc()).ok();
    World {
        t,
        sts: LocalSts::start(),
    }
}

impl World {
    fn run(&self, args: &[&str]) -> Run {
        self.t
            .run(args)
            .env("AWS_ENDPOINT_URL_STS", &self.sts.endpoint)
            .env("AWS_REGION", "us-east-1")
    }

    fn cached_names(&self) -> Vec<String> {
        let mut names = self.t.stored_names();
        names.retain(|n| !awscreds_rs::entry::is_key(n));
        names
    }
}

fn doc(out: &Out) -> Value {
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"))
}

#[test]
fn boto3_reads_the_cached_mfa_session() {
    let w = world(true);
    let first = doc(&w
        .run(&["--username", "helen", "--mfa-command", "echo 123456"])
        .ok());
    // Through a profile, the same session with the same expiry.
    w.t.write_config(&format!(
        "[profile app]\ncredential_process = {bin} --username helen --mfa-command 'echo 123456'\n",
        bin = bin()
    ));
    let mut cmd = w.t.command(client(".venv/bin/python"));
    cmd.arg(project_dir().join("tests/py/probe.py"))
        .arg("app")
        .env("AWS_ENDPOINT_URL_STS", &w.sts.endpoint)
        .env("AWS_REGION", "us-east-1");
    let seen = doc(&Run::new(cmd).ok());
    assert_eq!(seen["SessionToken"], first["SessionToken"]);
    assert_eq!(seen["Expiration"], first["Expiration"]);
    assert_eq!(w.sts.count("GetSessionToken"), 1);

    // doctor counts what the store holds as `list` does: one NAME, and
    // the cached session apart.
    let out = w.run(&["doctor", "--profile", "app", "--json"]).output();
    let store = out.finding("store");
    assert_eq!(
        store["message"],
        "the Secret Service is reachable and unlocked, with 1 NAME (and 1 cached session or login)",
        "{out:?}"
    );
}

#[test]
fn a_session_with_less_than_15_minutes_left_is_refreshed() {
    let w = world(true);
    let first = doc(&w
        .run(&["--username", "helen", "--mfa-command", "echo 123456"])
        .ok());
    // Age the cached session: 10 minutes left.
    let soon = std::process::Command::new("date")
        .args(["-u", "-d", "+10 minutes", "+%Y-%m-%dT%H:%M:%SZ"])
        .output()
        .unwrap();
    let soon = String::from_utf8(soon.stdout).unwrap().trim().to_string();
    let aged = format!(
        r#"{{"FormatVersion":1,"AccessKeyId":"{}","SecretAccessKey":"x","SessionToken":"old","Expiration":"{soon}"}}"#,
        first["AccessKeyId"].as_str().unwrap()
    );
    let mut child =
        w.t.command("secret-tool")
            .args([
                "store",
                "--label=aged",
                "service",
                "awscreds-rs",
                "username",
                &mfa_entry("helen"),
            ])
            .stdin(std::process::Stdio::piped())
            .spawn()
            .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), aged.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());

    let fresh = doc(&w
        .run(&["--username", "helen", "--mfa-command", "echo 123456"])
        .ok());
    assert_eq!(w.sts.count("GetSessionToken"), 2);
    assert_ne!(fresh["SessionToken"], "old");
}

#[test]
fn thirty_two_processes_at_once_make_one_sts_call() {
    let w = world(false);
    let children: Vec<_> = (0..32)
        .map(|_| {
            let mut run = w.run(&["--username", "helen", "--role-arn", ROLE]);
            run.cmd
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            run.cmd.spawn().unwrap()
        })
        .collect();
    let outputs: Vec<String> = children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).unwrap()
        })
        .collect();
    assert_eq!(w.sts.count("AssumeRole"), 1, "{:?}", w.sts.calls());
    assert!(outputs.iter().all(|o| o == &outputs[0]));
}

/// A listener on 127.0.0.1 that answers every request with `status` and
/// `body`; returns its endpoint.
fn fake_sts(status: &'static str, body: &'static str) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = std::io::BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                if std::io::BufRead::read_line(&mut reader, &mut line).unwrap_or(0) == 0
                    || line == "\r\n"
                {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut request = vec![0; length];
            let _ = std::io::Read::read_exact(&mut reader, &mut request);
            let answer = format!(
                "HTTP/1.1 {status}\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let mut stream = stream;
            let _ = std::io::Write::write_all(&mut stream, answer.as_bytes());
        }
    });
    endpoint
}

/// An endpoint on 127.0.0.1 where nothing listens.
fn closed_endpoint() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// Asks for a role session from `endpoint`: exit 1, one line on stderr
/// that names the NAME and the call, no secret, no Debug dump of the SDK's
/// error, and nothing cached.
fn role_session_fails(endpoint: &str, says: &[&str]) {
    let t = TestEnv::with_key("helen");
    let out = t
        .run(&["--username", "helen", "--role-arn", ROLE])
        .env("AWS_ENDPOINT_URL_STS", endpoint)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_MAX_ATTEMPTS", "1")
        .fails(1);
    out.stderr_has(&["'helen'", "AssumeRole", "nothing was cached"])
        .stderr_has(says);
    // Permission advice only where STS answered.
    let reached = !says.iter().any(|s| s.contains("AWS_ENDPOINT_URL_STS"));
    assert_eq!(out.stderr.contains("trust policy"), reached, "{out:?}");
    assert_eq!(out.stderr.lines().count(), 1, "{out:?}");
    for debug in ["{", "Some(", "Error {", "source:"] {
        assert!(!out.stderr.contains(debug), "{debug:?} in {out:?}");
    }
    assert!(!out.stderr.contains(SECRET));
    t.run(&["clear"])
        .ok()
        .stderr_has(&["Dropped 0 cached credential(s)"]);
}

#[test]
fn an_sts_refusal_is_its_code_and_message() {
    let endpoint = fake_sts(
        "403 Forbidden",
        "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code>\
         <Message>The security token included in the request is invalid.</Message></Error>\
         <RequestId>1</RequestId></ErrorResponse>",
    );
    role_session_fails(
        &endpoint,
        &["AssumeRole failed: InvalidClientTokenId: The security token included in the request is invalid."],
    );
}

#[test]
fn an_unreachable_sts_is_its_endpoint_and_the_cause() {
    let endpoint = closed_endpoint();
    role_session_fails(
        &endpoint,
        &[
            &format!("cannot reach STS at {endpoint}"),
            "onnection refused",
            "or AWS_ENDPOINT_URL_STS",
            "check the network",
        ],
    );
}

/// The STS client speaks TLS to an https endpoint (AWS's own are all
/// https): what reaches the server first is a TLS ClientHello. The server
/// here answers nothing and hangs up, so the call fails in one line.
#[test]
fn an_https_endpoint_gets_a_tls_client_hello() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!(
        "https://127.0.0.1:{}",
        listener.local_addr().unwrap().port()
    );
    let first = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut head = [0u8; 6];
        std::io::Read::read_exact(&mut stream, &mut head).unwrap();
        head
    });
    role_session_fails(
        &endpoint,
        &[&format!("STS at {endpoint}"), "AWS_ENDPOINT_URL_STS"],
    );
    let head = first.join().unwrap();
    // A handshake record (22), TLS 1.x (3, _), whose message is a
    // ClientHello (1).
    assert_eq!((head[0], head[1], head[5]), (22, 3, 1), "{head:?}");
}

#[test]
fn a_malformed_sts_answer_says_so() {
    let endpoint = fake_sts("200 OK", "this is not what STS says");
    role_session_fails(
        &endpoint,
        &["answered with something that is not an STS response"],
    );
}

#[test]
fn doctor_online_reports_an_unreachable_sts_in_one_line() {
    let t = TestEnv::with_key("helen");
    t.write_config(&format!(
        "[default]\nregion = us-east-1\ncredential_process = {} --username helen\n",
        bin()
    ));
    let endpoint = closed_endpoint();
    let out = t
        .run(&["doctor", "--online", "--json"])
        .env("AWS_ENDPOINT_URL_STS", &endpoint)
        .env("AWS_MAX_ATTEMPTS", "1")
        .output();
    assert_eq!(out.code, 1, "{out:?}");
    let online = out.finding("online.identity");
    let message = online["message"].as_str().unwrap();
    assert_eq!(online["status"], "error", "{online}");
    assert!(
        message.contains(&format!("cannot reach STS at {endpoint}")),
        "{message}"
    );
    assert!(
        !message.contains('\n') && !message.contains("Some("),
        "{message}"
    );
}

#[test]
fn a_helper_that_calls_itself_stops() {
    let w = world(true);
    let script = w.t.root().join("loop.sh");
    fs::write(
        &script,
        format!(
            "exec {bin} --username helen --mfa-command 'sh {}'\n",
            script.display(),
            bin = bin()
        ),
    )
    .unwrap();
    let out = w
        .run(&[
            "--username",
            "helen",
            "--mfa-command",
            &format!("sh {}", script.display()),
        ])
        // The inner run's line, then the outer one's.
        .fails_saying_more(1);
    out.stderr_has(&["inside itself"]);
    assert!(w.sts.calls().is_empty());
}

#[test]
fn bad_session_flags_are_usage_errors() {
    let w = world(false);
    w.run(&["--username", "helen", "--role-arn", "deploy"])
        .fails(2)
        .stderr_has(&["invalid --role-arn"]);
    w.run(&[
        "--username",
        "helen",
        "--role-arn",
        ROLE,
        "--duration",
        "10m",
    ])
    .fails(2)
    .stderr_has(&["invalid --duration"]);
    w.run(&["--username", "helen", "--duration", "1x"]).fails(2);
    // clap's usage errors: the error, the usage line, the help hint.
    w.run(&["--external-id", "abc", "--username", "helen"])
        .fails_saying_more(2);
    w.run(&["--role-arn", ROLE, "list"]).fails_saying_more(2);
    // A NAME without a device or role is served as before.
    assert_eq!(
        w.run(&["--username", "helen"]).ok().stdout,
        format!("{}\n", long_term_doc())
    );
    // An MFA session needs a device.
    w.run(&["--username", "helen", "--mfa-command", "echo 123456"])
        .fails(1)
        .stderr_has(&["no MFA device"]);
}

#[test]
fn doctor_online_names_the_identity() {
    let w = world(false);
    w.t.write_config(&format!(
        "[default]\nregion = us-east-1\ncredential_process = {bin} --username helen\n",
        bin = bin()
    ));
    let out = w.run(&["doctor", "--online", "--json"]).ok();
    let online = out.finding("online.identity");
    assert_eq!(online["status"], "ok", "{online}");
    assert!(
        online["message"].as_str().unwrap().contains("123456789012"),
        "{online}"
    );
    assert!(w.sts.count("GetCallerIdentity") == 1);
}

/// Linux only: under Wine the prompt on a pseudo-terminal was never answered
/// (the run hung until its deadline); Wine's console was not examined further.
#[test]
fn mfa_code_typed_on_the_terminal() {
    let w = world(true);
    let mut cmd = w.t.command(client(".venv/bin/python"));
    cmd.arg(project_dir().join("tests/py/pty_run.py"))
        .args([
            &format!("MFA code for {MFA}: "),
            "654321",
            "--",
            bin(),
            "--username",
            "helen",
        ])
        .env("AWS_ENDPOINT_URL_STS", &w.sts.endpoint)
        .env("AWS_REGION", "us-east-1");
    let out = Run::new(cmd).output();
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("\"SessionToken\""), "{out:?}");
    assert!(w.sts.calls()[0].contains("TokenCode=654321"));
}

/// The tests that run on every platform: on Linux against the Secret
/// Service, under Wine (scripts/wine.sh) against the Windows Credential
/// Manager.
mod everywhere {
    use super::*;

    /// An MFA command with double quotes goes into the line and comes back
    /// out as written, under this platform's rules (cmd.exe and the C
    /// runtime's splitter on Windows, sh and shlex elsewhere): `refresh`
    /// reads the line and runs the command, which gives the code only when
    /// its quotes survived both trips.
    #[test]
    fn an_mfa_command_with_quotes_reads_back_from_the_line_and_runs() {
        let w = world(true);
        let command = if wine().is_some() {
            r#"if "a b"=="a b" echo 123456"#
        } else {
            r#"[ "a b" = "a b" ] && echo 123456"#
        };
        w.run(&[
            "configure",
            "--profile",
            "app",
            "--username",
            "helen",
            "--mfa-command",
            command,
        ])
        .ok();
        let out = w.run(&["refresh", "--profile", "app"]).ok();
        assert!(
            out.stdout.contains("Opened a session for profile 'app'"),
            "{out:?}"
        );
        let calls = w.sts.calls();
        assert_eq!(calls.len(), 1, "{calls:?}");
        assert!(calls[0].contains("TokenCode=123456"), "{}", calls[0]);
    }

    #[test]
    fn mfa_code_from_a_command_and_the_cache() {
        let w = world(true);
        let out = w
            .run(&["--username", "helen", "--mfa-command", "echo 123456"])
            .ok();
        let first = doc(&out);
        assert!(
            first["SessionToken"].is_string() && first["Expiration"].is_string(),
            "{first}"
        );
        assert_eq!(w.sts.count("GetSessionToken"), 1);
        let call = &w.sts.calls()[0];
        assert!(
            call.contains("TokenCode=123456")
                && call.contains("SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Fhelen"),
            "{call}"
        );
        assert!(call.contains("DurationSeconds=3600"), "{call}");

        // Reused: no second call, the same session.
        let again = doc(&w
            .run(&["--username", "helen", "--mfa-command", "echo 123456"])
            .ok());
        assert_eq!(again, first);
        assert_eq!(w.sts.count("GetSessionToken"), 1);

        // `clear` drops it; the next call makes a new one. The key stays.
        w.run(&["clear", "--username", "helen"])
            .ok()
            .stderr_has(&["Dropped 1 cached credential(s)"]);
        assert!(w.cached_names().is_empty());
        w.run(&["--username", "helen", "--mfa-command", "echo 123456"])
            .ok();
        assert_eq!(w.sts.count("GetSessionToken"), 2);
        let list = w.run(&["list"]).ok().stdout;
        assert!(list.contains("helen") && !list.contains('#'), "{list}");
    }

    #[test]
    fn without_a_terminal_or_command_it_fails_at_once_and_caches_nothing() {
        let w = world(true);
        let mut cmd = w.t.command("setsid");
        cmd.args(["-w", bin(), "--username", "helen"])
            .env("AWS_ENDPOINT_URL_STS", &w.sts.endpoint);
        // "At once" is: not waiting for a code nobody can type, which would
        // never end. The bound is far from a speed claim: under Wine a
        // fresh prefix's first process alone can take several seconds
        // (it took over 5 once in CI).
        let started = std::time::Instant::now();
        let out = Run::new(cmd).fails(1);
        assert!(started.elapsed() < std::time::Duration::from_secs(60));
        out.stderr_has(&["no terminal to ask for the MFA code", "--mfa-command"]);
        assert!(w.sts.calls().is_empty());
        assert!(w.cached_names().is_empty());
        // A code that is not 6 digits never reaches STS either.
        w.run(&["--username", "helen", "--mfa-command", "echo 12ab"])
            .fails(1)
            .stderr_has(&["not 6 digits"]);
        assert!(w.sts.calls().is_empty());
    }

    #[test]
    fn assume_role_without_and_with_mfa() {
        let w = world(false);
        let out = w
            .run(&[
                "--username",
                "helen",
                "--role-arn",
                ROLE,
                "--external-id",
                "ext-123",
                "--duration",
                "2h",
            ])
            .ok();
        let role = doc(&out);
        assert_eq!(role["AccountId"], "123456789012");
        assert!(role["AccessKeyId"].as_str().unwrap().starts_with("ASIA"));
        let call = &w.sts.calls()[0];
        for part in [
            "Action=AssumeRole",
            "RoleSessionName=awscreds-rs-helen",
            "ExternalId=ext-123",
            "DurationSeconds=7200",
        ] {
            assert!(call.contains(part), "{part} in {call}");
        }
        // Reused.
        w.run(&[
            "--username",
            "helen",
            "--role-arn",
            ROLE,
            "--external-id",
            "ext-123",
        ])
        .ok();
        assert_eq!(w.sts.count("AssumeRole"), 1);

        // With an MFA device the role is assumed from the MFA session.
        w.run(&["add", "--username", "helen", "--mfa-serial", MFA])
            .ok()
            .stderr_has(&["Recorded the MFA device"]);
        w.run(&[
            "--username",
            "helen",
            "--role-arn",
            ROLE,
            "--role-session-name",
            "ci-run",
            "--mfa-command",
            "echo 111111",
        ])
        .ok();
        assert_eq!(w.sts.count("GetSessionToken"), 1);
        assert_eq!(w.sts.count("AssumeRole"), 2);
        assert!(w.sts.calls()[2].contains("RoleSessionName=ci-run"));
        // The MFA session serves another role without a new code.
        w.run(&[
            "--username",
            "helen",
            "--role-arn",
            "arn:aws:iam::123456789012:role/other",
        ])
        .ok();
        assert_eq!(w.sts.count("GetSessionToken"), 1);
        assert_eq!(w.sts.count("AssumeRole"), 3);
        // The stored key is still the long-term one.
        assert_eq!(
            w.run(&["list", "--json"])
                .ok()
                .stdout
                .matches("\"username\"")
                .count(),
            1
        );
    }
}

#[test]
fn doctor_runs_a_line_that_calls_sts_only_when_online() {
    for (mfa, extra, call) in [
        (false, format!(" --role-arn {ROLE}"), "AssumeRole"),
        (true, String::new(), "GetSessionToken"),
    ] {
        let w = world(mfa);
        w.t.write_config(&format!(
            "[default]\nregion = us-east-1\ncredential_process = {bin} --username helen{extra}\n",
            bin = bin()
        ));
        let out = w.run(&["doctor", "--json"]).output();
        let run = out.finding("credential_process.run");
        assert_eq!(run["status"], "ok", "{call}: {run}");
        assert!(
            run["message"].as_str().unwrap().starts_with("not run"),
            "{call}: {run}"
        );
        assert_eq!(w.sts.count(call), 0, "{call}");
        if !mfa {
            // --online runs it, and so calls STS.
            w.run(&["doctor", "--online", "--json"]).output();
            assert_eq!(w.sts.count(call), 1, "{call}");
        }
    }
}

/// `configure --role-arn` (what `copilot env init` needs for an
/// environment in another account) writes a line that carries every
/// session flag, quoted so that boto3 runs it: boto3 through the profile
/// gets the role's session, made with those flags. Bad flags are usage
/// errors that leave the file as it was.
#[test]
fn configure_writes_a_role_line_that_boto3_runs() {
    let w = world(true);
    let before = "# mine\n[profile other]\nregion = eu-west-1\n";
    w.t.write_config(before);
    for (bad, says) in [
        (vec!["--role-arn", "deploy"], "invalid --role-arn"),
        (vec!["--external-id", "ext-123"], "--role-arn"),
        (
            vec!["--role-arn", ROLE, "--duration", "5m"],
            "invalid --duration",
        ),
        (
            vec!["--role-arn", ROLE, "--external-id", "x"],
            "invalid --external-id",
        ),
        (
            vec!["--role-arn", ROLE, "--mfa-command", "a\nb"],
            "invalid --mfa-command",
        ),
    ] {
        let mut args = vec!["configure", "--profile", "prod", "--username", "helen"];
        args.extend(bad);
        w.run(&args).fails_saying_more(2).stderr_has(&[says]);
        assert_eq!(fs::read_to_string(w.t.config_path()).unwrap(), before);
    }
    w.run(&[
        "configure",
        "--profile",
        "prod",
        "--username",
        "helen",
        "--role-arn",
        ROLE,
        "--external-id",
        "ext-123",
        "--role-session-name",
        "copilot-env",
        "--duration",
        "2h",
        "--mfa-command",
        "echo 123456 | cat",
    ])
    .ok();
    let config = fs::read_to_string(w.t.config_path()).unwrap();
    assert!(config.starts_with(before), "{config}");
    let line = config
        .lines()
        .find(|l| l.starts_with("credential_process = "))
        .unwrap();
    for part in [
        &format!("--role-arn {ROLE}") as &str,
        "--external-id ext-123",
        "--role-session-name copilot-env",
        "--duration 7200",
        "--mfa-command 'echo 123456 | cat'",
    ] {
        assert!(line.contains(part), "{part} in {line}");
    }

    let mut cmd = w.t.command(client(".venv/bin/python"));
    cmd.arg(project_dir().join("tests/py/probe.py"))
        .arg("prod")
        .env("AWS_ENDPOINT_URL_STS", &w.sts.endpoint)
        .env("AWS_REGION", "us-east-1");
    let seen = doc(&Run::new(cmd).ok());
    assert!(seen["AccessKeyId"].as_str().unwrap().starts_with("ASIA"));
    assert!(seen["Expiration"].is_string());
    assert_eq!(w.sts.count("GetSessionToken"), 1);
    assert_eq!(w.sts.count("AssumeRole"), 1);
    let calls = w.sts.calls();
    assert!(calls[0].contains("TokenCode=123456"), "{}", calls[0]);
    for part in [
        "RoleSessionName=copilot-env",
        "ExternalId=ext-123",
        "DurationSeconds=7200",
    ] {
        assert!(calls[1].contains(part), "{part} in {}", calls[1]);
    }

    let profiles: Value =
        serde_json::from_str(&w.run(&["profiles", "--json"]).ok().stdout).unwrap();
    let prod = profiles
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["profile"] == "prod")
        .unwrap();
    assert_eq!(prod["detail"], format!("awscreds-rs helen as role {ROLE}"));
}
