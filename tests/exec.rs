//! Other tools and containers: `exec`, `refresh`, and the container
//! credentials endpoint (`serve`, `exec --server`), against a local STS
//! (moto behind a counting proxy) and read by the real clients: boto3, the
//! AWS CLI, the JS SDK's default chain, and probes on the Go SDKs (v1 as
//! AWS Copilot loads a session, with its 10 s deadline; v2 as Terraform
//! does). aws-config reads the endpoint in tests/rust_sdk.rs.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;
use serde_json::Value;

const MFA: &str = "arn:aws:iam::123456789012:mfa/helen";
const ROLE: &str = "arn:aws:iam::123456789012:role/deploy";
const PASSPHRASE: &str = "echo 'correct horse battery staple'";

struct World {
    t: TestEnv,
    sts: LocalSts,
}

/// helen's key in `t` (with an MFA device when `mfa`), and profiles in
/// region eu-west-1 that run her line: `app` with `flags`, `deploy` as
/// the role ROLE.
fn world(t: TestEnv, mfa: bool, flags: &str) -> World {
    let mut add = vec!["add", "--username", "helen"];
    if mfa {
        add.extend(["--mfa-serial", MFA]);
    }
    t.run(&add)
        .env("AWSCREDS_PASSPHRASE_COMMAND", PASSPHRASE)
        .stdin(&long_term_doc())
        .ok();
    t.write_config(&format!(
        "[profile app]\ncredential_process = {bin} --username helen {flags}\nregion = eu-west-1\n\n\
         [profile deploy]\ncredential_process = {bin} --username helen --role-arn {ROLE} {flags}\n\
         region = eu-west-1\n",
        bin = bin()
    ));
    World {
        t,
        sts: LocalSts::start(),
    }
}

impl World {
    /// A command in this world, with STS at the local one (and no
    /// AWS_REGION: the profile's region is what it is reached with).
    fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = self.t.command(program);
        cmd.env("AWS_ENDPOINT_URL_STS", &self.sts.endpoint);
        cmd
    }

    fn run(&self, args: &[&str]) -> Run {
        let mut cmd = self.command(bin());
        cmd.args(args);
        Run::new(cmd)
    }

    /// A client program run with `env`; its JSON answer.
    fn client(&self, program: &str, args: &[&str], env: &[(&str, String)]) -> Value {
        let mut cmd = self.command(program);
        cmd.args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        parse(&Run::new(cmd).ok())
    }

    fn boto3(&self, profile: &str, env: &[(&str, String)]) -> Value {
        let probe = project_dir().join("tests/py/probe.py");
        let python = client(".venv/bin/python");
        self.client(
            python.to_str().unwrap(),
            &[probe.to_str().unwrap(), profile],
            env,
        )
    }

    fn node_chain(&self, profile: &str, env: &[(&str, String)]) -> Value {
        client("tests/js/node_modules/@aws-sdk/credential-providers");
        let probe = project_dir().join("tests/js/probe.mjs");
        self.client("node", &[probe.to_str().unwrap(), "chain", profile], env)
    }

    /// A Go probe (`v1probe`, `v2probe`, built by scripts/test.sh).
    fn go(&self, probe: &str, profile: &str, env: &[(&str, String)]) -> Value {
        let path = client(&format!("target/go/{probe}"));
        self.client(path.to_str().unwrap(), &[profile], env)
    }
}

fn parse(out: &Out) -> Value {
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"))
}

/// A running `serve`, stopped on drop.
struct Served {
    child: Child,
    port: u16,
    url: String,
    token: String,
}

impl Served {
    /// Starts `awscreds-rs serve ARGS` without a terminal (a new session)
    /// and reads the two lines it prints.
    fn start(w: &World, args: &[&str], env: &[(&str, &str)]) -> Served {
        let mut cmd = w.command("setsid");
        cmd.arg(bin()).arg("serve").args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut value = |name: &str| {
            let line = lines
                .next()
                .unwrap_or_else(|| panic!("serve printed no {name} line"))
                .unwrap();
            line.strip_prefix(&format!("export {name}="))
                .unwrap_or_else(|| panic!("not the {name} line: {line}"))
                .to_string()
        };
        let url = value("AWS_CONTAINER_CREDENTIALS_FULL_URI");
        let token = value("AWS_CONTAINER_AUTHORIZATION_TOKEN");
        let port = url
            .strip_prefix("http://127.0.0.1:")
            .and_then(|rest| rest.strip_suffix("/credentials"))
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("not a loopback URL: {url}"));
        Served {
            child,
            port,
            url,
            token,
        }
    }

    /// What a client needs.
    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", self.url.clone()),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", self.token.clone()),
            ("AWS_REGION", "eu-west-1".into()),
            ("AWS_DEFAULT_REGION", "eu-west-1".into()),
        ]
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// GET /credentials with the right token and Host: status and body.
    fn get(&self) -> (u16, String) {
        request(
            self.port,
            "GET",
            "/credentials",
            &self.host(),
            Some(&self.token),
        )
    }

    /// SIGTERM, and its exit.
    fn stop(mut self) -> std::process::ExitStatus {
        unsafe_kill(self.child.id(), "TERM");
        let status = self.child.wait().unwrap();
        std::mem::forget(self);
        status
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

fn unsafe_kill(pid: u32, signal: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{signal} {pid}");
}

/// One raw HTTP/1.1 request: the status and the body.
fn request(port: u16, method: &str, path: &str, host: &str, token: Option<&str>) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let auth = token
        .map(|t| format!("Authorization: {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\n{auth}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {answer:?}"));
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// The token with its last digit changed (never the token itself).
fn wrong_token(token: &str) -> String {
    let last = if token.ends_with('0') { '1' } else { '0' };
    format!("{}{last}", &token[..token.len() - 1])
}

fn closed(port: u16) -> bool {
    TcpStream::connect(("127.0.0.1", port)).is_err()
}

#[test]
fn exec_runs_the_command_on_the_profile_without_raw_keys_and_ends_as_it_does() {
    let w = world(TestEnv::native(), false, "");
    // Wrong raw keys in the environment would shadow the profile: boto3
    // under exec reads the profile's stored key.
    let mut cmd = w.command(bin());
    cmd.args(["exec", "--profile", "app", "--"])
        .arg(client(".venv/bin/python"))
        .arg(project_dir().join("tests/py/probe.py"))
        .arg("")
        .env("AWS_ACCESS_KEY_ID", "AKIAWRONGWRONGWRONG1")
        .env("AWS_SECRET_ACCESS_KEY", "wrong")
        .env("AWS_SESSION_TOKEN", "wrong")
        .env("AWS_SECURITY_TOKEN", "wrong")
        .env("AWS_CREDENTIAL_EXPIRATION", "2030-01-01T00:00:00Z");
    let v = parse(&Run::new(cmd).ok());
    assert_eq!(v["AccessKeyId"], KEY_ID);
    assert_eq!(v["Method"], "custom-process");

    // The environment CMD gets; its exit status is exec's.
    let out = w
        .run(&["exec", "--profile", "app", "--", "sh", "-c", "env; exit 7"])
        .env("AWS_PROFILE", "other")
        .env("AWS_SESSION_TOKEN", "wrong")
        .output();
    assert_eq!(out.code, 7, "{out:?}");
    assert!(out.stdout.contains("\nAWS_PROFILE=app\n"), "{out:?}");
    for var in ["AWS_SESSION_TOKEN=", "AWS_ACCESS_KEY_ID="] {
        assert!(!out.stdout.contains(var), "{var} left: {out:?}");
    }

    // Nothing that sends an SDK elsewhere before the profile survives
    // (#38 items 3 and 4): boto3 and the AWS CLI read AWS_DEFAULT_PROFILE
    // first, and botocore's web identity comes before any profile.
    let chain_vars = [
        ("AWS_DEFAULT_PROFILE", "other"),
        ("AWS_WEB_IDENTITY_TOKEN_FILE", "/tmp/token"),
        ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/web"),
        ("AWS_ROLE_SESSION_NAME", "web"),
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/x"),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/tmp/t"),
    ];
    let mut run = w.run(&["exec", "--profile", "app", "--", "env"]);
    for (k, v) in chain_vars {
        run = run.env(k, v);
    }
    // What the hook's wrapper says to awscreds-rs alone: not to the
    // command, whose shell has no hook (doctor would say it has one).
    let out = run.env("AWSCREDS_SHELL_HOOK", "bash").ok();
    for k in chain_vars
        .iter()
        .map(|(k, _)| *k)
        .chain(["AWSCREDS_SHELL_HOOK"])
    {
        assert!(
            !out.stdout.contains(&format!("\n{k}=")),
            "{k} left: {out:?}"
        );
    }
    let mut cmd = w.command(bin());
    cmd.args(["exec", "--profile", "app", "--"])
        .arg(client(".venv/bin/python"))
        .args(["-c", "import boto3; print(boto3.Session().profile_name)"]);
    for (k, v) in chain_vars {
        cmd.env(k, v);
    }
    assert_eq!(Run::new(cmd).ok().stdout, "app\n");

    // As aws-vault users type it: the profile as a word, no command (the
    // user's shell), and a command without its `--` refused with the line
    // that works.
    let out = w
        .run(&["exec", "app", "--", "sh", "-c", "echo $AWS_PROFILE"])
        .ok();
    assert_eq!(out.stdout, "app\n");
    let out = w
        .run(&["exec", "app"])
        .env("SHELL", "/bin/sh")
        .stdin("echo \"in $AWS_PROFILE\"\n")
        .ok();
    assert_eq!(out.stdout, "in app\n");
    w.run(&["exec", "--profile", "app", "env"])
        .fails(2)
        .stderr_is(
            "awscreds-rs: 'env' is read as the command, but the command goes after --: \
             awscreds-rs exec --profile app -- env",
        );

    // Without --profile: the AWS_PROFILE in effect, else default.
    let out = w
        .run(&["exec", "--", "sh", "-c", "echo $AWS_PROFILE"])
        .env("AWS_PROFILE", "deploy")
        .ok();
    assert_eq!(out.stdout, "deploy\n");
    w.run(&["exec", "--", "true"]).fails(1).stderr_has(&[
        "there is no profile 'default'",
        "awscreds-rs configure --profile default",
    ]);
    w.run(&["exec", "--profile", "nope", "--", "true"])
        .fails(1)
        .stderr_has(&["there is no profile 'nope'"]);
    w.run(&["exec", "--profile", "app", "--", "no-such-command-here"])
        .fails(1)
        .stderr_has(&["cannot run 'no-such-command-here'", "PATH"]);

    // As a shell sees it: a command killed by SIGTERM is 128+15, and the
    // core-file limit the caller had is the command's again.
    let script = format!(
        "ulimit -S -c 4096; {bin} exec --profile app -- sh -c 'ulimit -S -c; kill -TERM $$'; echo status=$?",
        bin = bin()
    );
    let out = Run::new({
        let mut cmd = w.command("sh");
        cmd.args(["-c", &script]);
        cmd
    })
    .ok();
    assert_eq!(out.stdout, "4096\nstatus=143\n", "{out:?}");
}

#[test]
fn exec_server_gives_the_command_an_endpoint_that_ends_with_it() {
    let w = world(TestEnv::native(), false, "");
    let out = w
        .run(&[
            "exec",
            "--server",
            "--profile",
            "app",
            "--",
            "sh",
            "-c",
            "env",
        ])
        .env("AWS_PROFILE", "app")
        .env("AWS_ACCESS_KEY_ID", "AKIAWRONGWRONGWRONG1")
        .env("AWS_WEB_IDENTITY_TOKEN_FILE", "/tmp/token")
        .env("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/web")
        .env("AWS_ROLE_SESSION_NAME", "web")
        .ok();
    for var in [
        "AWS_WEB_IDENTITY_TOKEN_FILE=",
        "AWS_ROLE_ARN=",
        "AWS_ROLE_SESSION_NAME=",
    ] {
        assert!(!out.stdout.contains(var), "{var} left: {out:?}");
    }
    let env: std::collections::BTreeMap<&str, &str> = out
        .stdout
        .lines()
        .filter_map(|l| l.split_once('='))
        .collect();
    let url = env["AWS_CONTAINER_CREDENTIALS_FULL_URI"];
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert_eq!(env["AWS_CONTAINER_AUTHORIZATION_TOKEN"].len(), 64);
    assert_eq!(env.get("AWS_PROFILE"), None, "the profile would come first");
    assert_eq!(env.get("AWS_ACCESS_KEY_ID"), None);
    assert_eq!(env["AWS_REGION"], "eu-west-1", "the profile's region");
    assert!(!out.stdout.contains(SECRET));
    let port: u16 = url[17..].split('/').next().unwrap().parse().unwrap();
    assert!(closed(port), "the endpoint ended with the command");

    // boto3's default chain reads it: a GetSessionToken session of the
    // long-term key, never the key itself; a second exec reuses the cache.
    let python = client(".venv/bin/python");
    let probe = project_dir().join("tests/py/probe.py");
    let args = [
        "exec",
        "--server",
        "--profile",
        "app",
        "--",
        python.to_str().unwrap(),
        probe.to_str().unwrap(),
        "",
    ];
    let first = parse(&w.run(&args).ok());
    // (moto's sessions have key ids of their own kind: the secret and
    // the token tell them from the stored key.)
    assert_eq!(first["Method"], "container-role");
    assert!(first["SessionToken"].is_string(), "{first}");
    assert_ne!(first["SecretAccessKey"], SECRET);
    let again = parse(&w.run(&args).ok());
    assert_eq!(again["AccessKeyId"], first["AccessKeyId"]);
    assert_eq!(w.sts.count("GetSessionToken"), 1, "{:?}", w.sts.calls());
    assert_eq!(w.sts.regions("GetSessionToken"), ["eu-west-1"]);
    assert_eq!(w.sts.signers("GetSessionToken")[0].0, KEY_ID);

    // A signal sent to exec reaches the command; exec ends as it does.
    let mut cmd = w.command(bin());
    cmd.args([
        "exec",
        "--server",
        "--profile",
        "app",
        "--",
        "sh",
        "-c",
        "trap 'exit 9' TERM; echo ready; while :; do sleep 0.1; done",
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::null());
    let mut child = cmd.spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line, "ready\n");
    unsafe_kill(child.id(), "TERM");
    assert_eq!(child.wait().unwrap().code(), Some(9));
}

#[test]
fn the_endpoint_serves_every_sdk_and_refuses_the_rest() {
    let w = world(TestEnv::native(), false, "");
    let s = Served::start(&w, &["--profile", "app"], &[]);
    let (status, body) = s.get();
    assert_eq!(status, 200, "{body}");
    let served: Value = serde_json::from_str(&body).unwrap();
    let key_id = served["AccessKeyId"].as_str().unwrap().to_string();
    assert!(served["Token"].is_string() && served["Expiration"].as_str().unwrap().ends_with('Z'));
    assert!(!body.contains(SECRET), "a long-term secret served");

    // The refusals, none with a credential in it.
    let host = s.host();
    let wrong = wrong_token(&s.token);
    let foreign = format!("evil.example:{}", s.port);
    let other_port = format!("127.0.0.1:{}", s.port + 1);
    let cases: [(&str, &str, &str, Option<&str>, u16); 8] = [
        ("GET", "/credentials", &host, None, 401),
        ("GET", "/credentials", &host, Some(&s.token[..32]), 403),
        ("GET", "/credentials", &host, Some(&wrong), 403),
        ("GET", "/credentials", &host, Some(""), 403),
        ("GET", "/credentials", &foreign, Some(&s.token), 403),
        ("GET", "/credentials", &other_port, Some(&s.token), 403),
        ("GET", "/", &host, Some(&s.token), 404),
        ("POST", "/credentials", &host, Some(&s.token), 405),
    ];
    for (method, path, host, token, expected) in cases {
        let (status, body) = request(s.port, method, path, host, token);
        assert_eq!(status, expected, "{method} {path} Host {host}: {body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert!(v["Code"].is_string() && v["Message"].is_string(), "{body}");
        assert!(
            !body.contains(&key_id) && !body.contains("Secret"),
            "{body}"
        );
    }
    // The endpoint still answers after them.
    assert_eq!(s.get().0, 200);

    // 50 requests at once share the one session.
    let answers: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..50).map(|_| scope.spawn(|| s.get())).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(answers
        .iter()
        .all(|(status, body)| *status == 200 && body.contains(&key_id)));

    // The real clients, through their default chains (no profile).
    let env = s.env();
    let seen = w.boto3("", &env);
    assert_eq!(
        (seen["AccessKeyId"].as_str(), seen["Method"].as_str()),
        (Some(key_id.as_str()), Some("container-role"))
    );
    assert_eq!(w.node_chain("", &env)["AccessKeyId"], key_id.as_str());
    for probe in ["v1probe", "v2probe"] {
        let seen = w.go(probe, "", &env);
        assert_eq!(seen["AccessKeyId"], key_id.as_str(), "{probe}: {seen}");
        assert_eq!(seen["SessionToken"], served["Token"], "{probe}");
    }
    // The AWS CLI signs its call with the served session.
    let mut cli = w.command(client(".venv/bin/aws"));
    cli.args(["sts", "get-caller-identity", "--output", "json"]);
    for (k, v) in &env {
        cli.env(k, v);
    }
    Run::new(cli).ok();
    let signers = w.sts.signers("GetCallerIdentity");
    assert_eq!(signers, [(key_id.clone(), true)]);

    assert_eq!(w.sts.count("GetSessionToken"), 1, "{:?}", w.sts.calls());
    assert!(
        w.t.files_containing(SECRET).is_empty(),
        "a long-term secret in a file"
    );

    // Gone on SIGTERM, and its port with it.
    let port = s.port;
    s.stop();
    assert!(closed(port));
}

#[test]
fn the_endpoint_serves_a_role_and_an_mfa_session_made_on_its_own_terminal() {
    let w = world(TestEnv::native(), true, "--mfa-command 'echo 123456'");
    let s = Served::start(&w, &["--profile", "deploy"], &[]);
    let (status, body) = s.get();
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["AccountId"], "123456789012");
    assert_eq!(w.sts.count("GetSessionToken"), 1, "the MFA session first");
    assert_eq!(w.sts.count("AssumeRole"), 1);
    assert_eq!(
        w.go("v1probe", "", &s.env())["AccessKeyId"],
        v["AccessKeyId"]
    );
    drop(s);

    // The MFA code is asked on serve's terminal before it serves, and
    // never again while the session lasts.
    w.t.write_config(&format!(
        "[profile app]\ncredential_process = {} --username helen\nregion = eu-west-1\n",
        bin()
    ));
    w.run(&["clear"]).ok();
    let mut cmd = w.command(client(".venv/bin/python"));
    cmd.arg(project_dir().join("tests/py/pty_run.py"))
        .args([&format!("MFA code for {MFA}: "), "654321", "--"])
        .args(["sh", "-c"])
        .arg(format!(
            "umask 022; {} serve --profile app --env-file endpoint.env & \
             for i in $(seq 300); do [ \"$(wc -l < endpoint.env)\" -ge 2 ] && break; sleep 0.1; done; kill $!",
            bin()
        ));
    let out = Run::new(cmd).ok();
    assert!(
        out.stdout
            .contains("Serving the temporary credentials of profile 'app'"),
        "{out:?}"
    );
    let lines = std::fs::read_to_string(w.t.home.join("endpoint.env")).unwrap();
    // The token reaches the credentials: the file is the user's alone,
    // whatever the umask (#38 item 14).
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(w.t.home.join("endpoint.env"))
            .unwrap()
            .permissions(),
    );
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    assert!(
        lines.starts_with("AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:"),
        "{lines}"
    );
    assert!(
        lines.contains("\nAWS_CONTAINER_AUTHORIZATION_TOKEN="),
        "{lines}"
    );
    assert!(w.sts.calls().iter().any(|c| c.contains("TokenCode=654321")));
}

#[test]
fn a_locked_store_is_a_500_that_names_unlock_and_the_endpoint_goes_on() {
    let w = world(TestEnv::file_store(), false, "");
    w.run(&["lock"]).ok();
    let s = Served::start(&w, &["--profile", "app"], &[]);
    let (status, body) = s.get();
    assert_eq!(status, 500, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["Code"], "CredentialsUnavailable");
    assert!(
        v["Message"]
            .as_str()
            .unwrap()
            .contains("awscreds-rs unlock"),
        "{body}"
    );
    w.run(&["unlock"])
        .env("AWSCREDS_PASSPHRASE_COMMAND", PASSPHRASE)
        .ok();
    let (status, body) = s.get();
    assert_eq!(status, 200, "{body}");
    assert!(!body.contains(SECRET));
    assert_eq!(w.sts.count("GetSessionToken"), 1);
}

#[test]
fn refresh_opens_the_mfa_session_ahead_so_copilots_deadline_is_met() {
    let w = world(TestEnv::native(), true, "");
    let prompt = |out: &Out| out.finding("credential_process.mfa-prompt");
    let out = w.run(&["doctor", "--profile", "app", "--json"]).output();
    let finding = prompt(&out);
    assert_eq!(finding["status"], "warning", "{finding}");
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("AWS Copilot 10 s"),
        "{finding}"
    );
    assert_eq!(
        finding["fix"],
        "open the session ahead: awscreds-rs refresh --profile app"
    );

    // Without a session, the Go SDK as Copilot uses it cannot get one: the
    // line has no terminal to ask on, and says what to do.
    let mut cmd = w.command(client("target/go/v1probe"));
    cmd.arg("app");
    let out = Run::new(cmd).output();
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr.contains("no terminal to ask for the MFA code"),
        "{out:?}"
    );

    // refresh asks the code on this terminal and says until when.
    let mut cmd = w.command(client(".venv/bin/python"));
    cmd.arg(project_dir().join("tests/py/pty_run.py"))
        .args([&format!("MFA code for {MFA}: "), "123456", "--"])
        .args([bin(), "refresh", "--profile", "app"]);
    let out = Run::new(cmd).ok();
    assert!(
        out.stdout
            .contains("Opened a session for profile 'app' ('helen' with MFA)"),
        "{out:?}"
    );
    assert!(out.stdout.contains("until 20"), "{out:?}");
    assert_eq!(w.sts.regions("GetSessionToken"), ["eu-west-1"]);

    // Then both Go SDKs, the role line too, are cache hits within 10 s.
    let v1 = w.go("v1probe", "app", &[]);
    assert!(v1["SessionToken"].is_string(), "{v1}");
    assert_eq!(
        w.go("v2probe", "app", &[])["AccessKeyId"],
        v1["AccessKeyId"]
    );
    assert_eq!(w.sts.count("GetSessionToken"), 1);
    assert_eq!(
        prompt(&w.run(&["doctor", "--profile", "app", "--json"]).output())["status"],
        "ok"
    );

    // A profile whose line needs no session says so and opens none.
    w.t.write_config(&format!(
        "[profile plain]\ncredential_process = {} --username ci\n",
        bin()
    ));
    w.t.run(&["add", "--username", "ci"])
        .stdin(&long_term_doc())
        .ok();
    let out = w.run(&["refresh", "--profile", "plain"]).ok();
    assert!(
        out.stdout.contains("there is no session to open"),
        "{out:?}"
    );
    w.run(&["refresh", "--profile", "gone"])
        .fails(1)
        .stderr_has(&["there is no profile 'gone'"]);
}

#[test]
fn the_go_sdks_read_the_plain_line_and_the_role_line() {
    let w = world(TestEnv::native(), false, "");
    for probe in ["v1probe", "v2probe"] {
        let v = w.go(probe, "app", &[]);
        assert_eq!(
            (v["AccessKeyId"].as_str(), v["SecretAccessKey"].as_str()),
            (Some(KEY_ID), Some(SECRET)),
            "{probe}"
        );
        let v = w.go(probe, "deploy", &[]);
        assert!(
            v["AccessKeyId"].as_str().unwrap().starts_with("ASIA"),
            "{probe}: {v}"
        );
        assert!(v["Expiration"].is_string(), "{probe}: {v}");
    }
    assert_eq!(
        w.sts.count("AssumeRole"),
        1,
        "the second probe read the cache"
    );
}

/// The tests that run on every platform: on Linux against the Secret
/// Service, under Wine (scripts/wine.sh) against the Windows Credential
/// Manager and Windows sockets.
mod everywhere {
    use super::*;

    /// Stored temporary credentials are served as they are (no STS): the
    /// endpoint's listener, token and Host checks on the platform's own
    /// sockets, read by boto3.
    #[test]
    fn the_endpoint_serves_stored_temporary_credentials_behind_its_token() {
        let t = TestEnv::native();
        let expiration = in_two_hours();
        t.run(&["add", "--username", "ci"])
            .stdin(&temporary_doc(&expiration))
            .ok();
        t.write_config(&format!(
            "[profile ci]\ncredential_process = {} --username ci\n",
            bin()
        ));
        let w = World {
            t,
            sts: LocalSts::start(),
        };
        let s = Served::start(&w, &["--profile", "ci"], &[]);
        let (status, body) = s.get();
        assert_eq!(status, 200, "{body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["AccessKeyId"], TEMP_KEY_ID);
        assert_eq!(v["Token"], TOKEN);
        assert_eq!(v["Expiration"], expiration.as_str());
        let host = s.host();
        assert_eq!(request(s.port, "GET", "/credentials", &host, None).0, 401);
        let wrong = wrong_token(&s.token);
        assert_eq!(
            request(s.port, "GET", "/credentials", &host, Some(&wrong)).0,
            403
        );
        let foreign = format!("evil.example:{}", s.port);
        assert_eq!(
            request(s.port, "GET", "/credentials", &foreign, Some(&s.token)).0,
            403
        );
        let seen = w.boto3("", &s.env());
        assert_eq!(seen["AccessKeyId"], TEMP_KEY_ID);
        assert_eq!(seen["Method"], "container-role");
        assert_eq!(
            w.sts.calls().len(),
            0,
            "no STS call for stored temporary credentials"
        );
        let port = s.port;
        drop(s);
        wait_until("the port closes", Duration::from_secs(10), || closed(port));
    }
}

/// #38 item 5: slow clients (a byte every 3 s) lose their connection
/// after the head's 2 s (408), while a client with the token gets its
/// credentials within the JS SDK's 1 s. (The 503 past the connection
/// limit is endpoint.rs's unit test.)
#[test]
fn slow_clients_do_not_keep_the_credentials_from_the_others() {
    let w = world(TestEnv::native(), false, "");
    let s = Served::start(&w, &["--profile", "app"], &[]);
    assert_eq!(s.get().0, 200);
    let mut slow = Vec::new();
    for _ in 0..300 {
        let mut c = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
        c.write_all(b"G").unwrap();
        slow.push(c);
    }
    let keep_dripping = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let drip = {
        let keep = keep_dripping.clone();
        // The first is left alone: it is read below, and a byte it sent
        // after the endpoint closed would reset it.
        let mut streams: Vec<TcpStream> =
            slow[1..].iter().map(|c| c.try_clone().unwrap()).collect();
        std::thread::spawn(move || {
            while keep.load(std::sync::atomic::Ordering::SeqCst) {
                for c in &mut streams {
                    let _ = c.write_all(b"E");
                }
                std::thread::sleep(Duration::from_secs(3));
            }
        })
    };
    // While the 300 are held: an SDK's request in time.
    let started = std::time::Instant::now();
    let node = w.node_chain("", &s.env());
    assert!(node["SessionToken"].is_string(), "{node}");
    let (status, _) = s.get();
    assert_eq!(status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    // The slow ones were cut off after the head's deadline: 408.
    let mut first = slow.remove(0);
    first
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut answer = String::new();
    let _ = first.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer:?}");
    keep_dripping.store(false, std::sync::atomic::Ordering::SeqCst);
    drop(slow);
    drip.join().unwrap();

    assert_eq!(s.get().0, 200, "it serves again");
}

/// #38 items 6 and 15: a renewal that waits (here for an MFA code from a
/// --mfa-command that does not answer, as a prompt on serve's terminal
/// would) holds no request past 2 s: 500 with what to do.
#[test]
fn a_renewal_that_waits_answers_500_in_seconds() {
    let t = TestEnv::native();
    let marker = t.root().join("block");
    let w = world(
        t,
        true,
        &format!(
            "--mfa-command 'test -e {} && sleep 60; exit 1'",
            marker.display()
        ),
    );
    // No code at the start (the command fails): no session yet.
    let s = Served::start(&w, &["--profile", "app"], &[]);
    std::fs::write(&marker, "").unwrap();
    for _ in 0..3 {
        let started = std::time::Instant::now();
        let (status, body) = s.get();
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(status, 500, "{body}");
        assert!(
            body.contains("type the MFA code in serve's terminal"),
            "{body}"
        );
    }
}
