//! `awscreds-rs console` against the harness's local STS and federation
//! endpoint (tests/py/federation.py, checked with boto3 below), with the
//! test browser (tests/py/browser.py) as `BROWSER`: it follows the address
//! it is given on this machine and records the console it reaches. While
//! the command runs, a watcher reads every process's command line and
//! environment; afterwards every sign-in token the endpoint issued is
//! looked for there and in the files of the test's root (HOME, its
//! TMPDIR) and of /tmp.

mod common;

use std::collections::BTreeSet;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use common::*;
use serde_json::Value;

const ROLE: &str = "arn:aws:iam::123456789012:role/deploy";

struct World {
    t: TestEnv,
    fed: LocalService,
    browser: TestBrowser,
}

fn world() -> World {
    let t = TestEnv::native();
    let fed = LocalService::start("federation.py", t.root());
    fed.post_json(
        "/test/key",
        &format!(r#"{{"id": "{KEY_ID}", "secret": "{SECRET}"}}"#),
    );
    World {
        browser: TestBrowser::install(t.root()),
        t,
        fed,
    }
}

impl World {
    fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = self.t.command(program);
        self.browser.reachable_from(&mut cmd);
        cmd.env("AWS_ENDPOINT_URL_STS", &self.fed.endpoint)
            .env("AWS_ENDPOINT_URL_SIGNIN", &self.fed.endpoint)
            .env("BROWSER", &self.browser.program)
            .env("TEST_BROWSER_CONSOLE", "1");
        cmd
    }

    fn run(&self, args: &[&str]) -> Run {
        let mut cmd = self.command(bin());
        cmd.args(args);
        Run::new(cmd)
    }

    /// Adds the key as `name` (with an MFA device when `mfa`).
    fn add(&self, name: &str, mfa: bool) {
        let mut args = vec!["add", "--username", name];
        if mfa {
            args.extend(["--mfa-serial", "arn:aws:iam::123456789012:mfa/helen"]);
        }
        self.run(&args).stdin(&long_term_doc()).ok();
    }

    /// Profile `profile` assumes [`ROLE`] with helen's key.
    fn role_profile(&self, profile: &str) {
        self.run(&[
            "configure",
            "--profile",
            profile,
            "--username",
            "helen",
            "--role-arn",
            ROLE,
        ])
        .ok();
    }

    /// Runs `console ARGS` while the watcher reads every process's command
    /// line and environment; checks it ended as `code`, then that no
    /// sign-in token was in any of them or in a file.
    fn console(&self, args: &[&str], code: i32) -> Out {
        let seen = Arc::new(Mutex::new(BTreeSet::<String>::new()));
        let done = Arc::new(AtomicBool::new(false));
        let watcher = {
            let (seen, done) = (seen.clone(), done.clone());
            std::thread::spawn(move || {
                while !done.load(Ordering::Relaxed) {
                    let mut now = seen.lock().unwrap();
                    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
                        for part in ["cmdline", "environ"] {
                            if let Ok(bytes) = std::fs::read(entry.path().join(part)) {
                                now.insert(String::from_utf8_lossy(&bytes).into_owned());
                            }
                        }
                    }
                    drop(now);
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
            })
        };
        let mut all = vec!["console"];
        all.extend(args);
        let out = self.run(&all).output();
        done.store(true, Ordering::Relaxed);
        watcher.join().unwrap();
        assert_eq!(out.code, code, "{out:?}");
        let seen = seen.lock().unwrap();
        assert!(
            seen.iter().any(|s| s.contains("console")),
            "the watcher saw it run"
        );
        for token in self.fed.get("/test/secrets").as_array().unwrap() {
            let token = token.as_str().unwrap();
            assert!(
                !seen.iter().any(|s| s.contains(token)),
                "a sign-in token in a command line or environment"
            );
            assert_eq!(
                self.t.files_containing(token),
                Vec::<std::path::PathBuf>::new()
            );
            for entry in std::fs::read_dir("/tmp").unwrap().flatten() {
                if entry.file_type().is_ok_and(|k| k.is_file()) {
                    let bytes = std::fs::read(entry.path()).unwrap_or_default();
                    assert!(
                        !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
                        "{}",
                        entry.path().display()
                    );
                }
            }
        }
        out
    }

    fn logins(&self) -> Vec<String> {
        self.fed
            .get("/test/logins")
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["destination"].as_str().unwrap().to_string())
            .collect()
    }
}

#[test]
fn the_local_federation_endpoint_takes_what_aws_takes() {
    let t = TestEnv::keyutils();
    let fed = LocalService::start("federation.py", t.root());
    let mut cmd = t.command(client(".venv/bin/python"));
    cmd.arg(project_dir().join("tests/py/federation_boto3.py"))
        .arg(&fed.endpoint);
    let out = Run::new(cmd).ok();
    let seen: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_ne!(seen["role"], "refused", "{seen}");
    assert_ne!(seen["federated"], "refused", "{seen}");
    assert_eq!(seen["session"], "refused", "a GetSessionToken session");
    assert_eq!(seen["key"], "refused", "a long-term key");
    assert_ne!(seen["role_12h"], "refused");
    assert_eq!(seen["role_13h"], "refused 400");
    assert_eq!(
        seen["federated_duration"], "refused 400",
        "no SessionDuration with GetFederationToken's"
    );
    assert_eq!(seen["login"][0], 302);
    assert_eq!(seen["login"][1], "https://console.aws.amazon.com/");
    assert_eq!(seen["login_again"], 400, "a token is used once");
}

#[test]
fn a_role_line_opens_the_console_without_the_link_in_sight() {
    let w = world();
    w.add("helen", false);
    w.role_profile("prod");
    let out = w.console(&["--profile", "prod"], 0);
    out.stderr_has(&["The AWS console opened in the browser as 'prod'"]);
    assert_eq!(
        w.logins(),
        ["https://console.aws.amazon.com/console/home?region=us-east-1"]
    );
    let log = w.browser.calls();
    assert!(log[0].starts_with("http://127.0.0.1:"), "{log:?}");
    assert!(!log[0].contains("SigninToken"), "{log:?}");
    assert_eq!(
        log.last().unwrap(),
        "reached https://console.aws.amazon.com/console/home?region=us-east-1"
    );
    // A service's console in another region, for longer than AWS allows:
    // capped, and said.
    let out = w.console(
        &[
            "--profile",
            "prod",
            "--destination",
            "s3",
            "--region",
            "eu-west-1",
            "--duration",
            "13h",
        ],
        0,
    );
    out.stderr_has(&["capped at 12 hours"]);
    assert_eq!(
        w.logins()[1],
        "https://console.aws.amazon.com/s3/home?region=eu-west-1"
    );
}

#[test]
fn an_mfa_and_role_line_asks_its_code_once() {
    let w = world();
    w.add("helen", true);
    w.run(&[
        "configure",
        "--profile",
        "prod",
        "--username",
        "helen",
        "--role-arn",
        ROLE,
        "--mfa-command",
        "echo 123456",
    ])
    .ok();
    w.console(&["--profile", "prod"], 0);
    assert_eq!(w.logins().len(), 1);
    assert_eq!(w.fed.calls("AssumeRole"), 1);
}

#[test]
fn a_long_term_key_gets_a_federation_token_with_the_allow_all_policy() {
    let w = world();
    w.add("helen", false);
    w.run(&["configure", "--profile", "dev", "--username", "helen"])
        .ok();
    w.console(&["--profile", "dev", "--duration", "2h"], 0);
    let tokens = w.fed.get("/test/federation-tokens");
    assert_eq!(tokens[0]["name"], "helen");
    assert_eq!(tokens[0]["duration"], 7200);
    assert_eq!(
        tokens[0]["policy"],
        serde_json::json!({"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    );
    assert_eq!(w.logins().len(), 1, "no SessionDuration was sent with it");

    // The partitions: the console's host follows the region.
    for (region, host) in [
        ("cn-north-1", "console.amazonaws.cn"),
        ("us-gov-west-1", "console.amazonaws-us-gov.com"),
    ] {
        w.console(&["--profile", "dev", "--region", region], 0);
        assert_eq!(
            w.logins().last().unwrap(),
            &format!("https://{host}/console/home?region={region}")
        );
    }
}

#[test]
fn a_get_session_token_setup_is_refused_with_the_way_that_works() {
    let w = world();
    w.add("helen", true);
    w.run(&["configure", "--profile", "mfa", "--username", "helen"])
        .ok();
    let out = w.console(&["--profile", "mfa"], 1);
    assert_eq!(out.stderr.lines().count(), 1, "{out:?}");
    out.stderr_has(&[
        "GetSessionToken",
        "awscreds-rs configure --profile mfa --username helen --role-arn ROLE_ARN",
    ]);
    assert_eq!(w.fed.calls("federation:getSigninToken"), 0);
}

#[test]
fn print_and_a_container_hand_out_the_link_only_where_asked() {
    let w = world();
    w.add("helen", false);
    w.role_profile("prod");
    // On a terminal, one --print is refused before anything is asked of
    // AWS (the link would stay in the scrollback); twice, it is printed.
    let on_a_terminal = |prints: &[&str]| {
        let mut cmd = w.command(client(".venv/bin/python"));
        cmd.arg(project_dir().join("tests/py/pty_run.py"))
            .args(["--", bin(), "console", "--profile", "prod"])
            .args(prints);
        Run::new(cmd).output()
    };
    let once = on_a_terminal(&["--print"]);
    assert!(once.stdout.contains("stdout is a terminal"), "{once:?}");
    assert!(!once.stdout.contains("SigninToken"), "{once:?}");
    assert_eq!(w.fed.calls("federation:getSigninToken"), 0);
    let twice = on_a_terminal(&["--print", "--print"]);
    assert!(twice.stdout.contains("SigninToken="), "{twice:?}");

    // Not a terminal: --print writes the link, which signs a browser in.
    let out = w.run(&["console", "--profile", "prod", "--print"]).ok();
    out.stderr_has(&["for 15 minutes"]);
    let link = out.stdout.trim();
    assert!(
        link.contains("Action=login") && link.contains("SigninToken="),
        "{link}"
    );
    let mut follow = Command::new(client(".venv/bin/python"));
    follow.args([
        "-c",
        "import sys, urllib.request\n\
         class Stay(urllib.request.HTTPRedirectHandler):\n    def redirect_request(self, *a): return None\n\
         try: urllib.request.build_opener(Stay).open(sys.argv[1])\n\
         except urllib.error.HTTPError as e: print(e.code, e.headers['Location'])",
        link,
    ]);
    let followed = Run::new(follow).ok().stdout;
    assert!(
        followed.starts_with("302 https://console.aws.amazon.com/"),
        "{followed}"
    );
    assert!(w.browser.calls().is_empty(), "no browser with --print");

    // A Firefox container, through the extension's link: the address in
    // it, never the credential.
    let browser_cmd = w.browser.program.display().to_string();
    w.console(
        &[
            "--profile",
            "prod",
            "--container",
            "work",
            "--browser",
            &browser_cmd,
        ],
        0,
    );
    let log = w.browser.calls();
    assert!(
        log[0].starts_with("ext+container:name=work&url=http%3A%2F%2F127.0.0.1%3A"),
        "{log:?}"
    );
    assert!(log.contains(&"container work".to_string()), "{log:?}");
    assert_eq!(w.logins().len(), 2, "the piped link and the container's");
}

/// An Identity Center role's credentials (GetRoleCredentials: a role
/// session, which the federation endpoint takes as AWS does) open the
/// console as they are, with `SessionDuration` where asked.
#[test]
fn an_identity_center_role_opens_the_console_as_it_is() {
    let w = world();
    let center = LocalService::start("identity_center.py", w.t.root());
    w.t.write_config(
        "[sso-session corp]\nsso_start_url = https://example.awsapps.com/start\n\
         sso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n",
    );
    let sso = |args: &[&str]| {
        let mut cmd = w.command(bin());
        cmd.args(args)
            .env_remove("TEST_BROWSER_CONSOLE")
            .env("DISPLAY", ":99");
        reach_identity_center(&mut cmd, &center.endpoint);
        Run::new(cmd).ok()
    };
    sso(&["sso", "login", "--session", "corp"]);
    let line = [
        "--sso-session",
        "corp",
        "--account-id",
        "111111111101",
        "--role-name",
        "Admin",
    ];
    let mut configure = vec!["configure", "--profile", "corp-admin"];
    configure.extend(line);
    sso(&configure);
    // The portal's credentials, told to the local federation endpoint as
    // AWS knows them: a role's.
    let creds: Value = serde_json::from_str(&sso(&line).stdout).unwrap();
    w.fed.post_json(
        "/test/issued",
        &serde_json::json!({
            "id": creds["AccessKeyId"], "secret": creds["SecretAccessKey"],
            "token": creds["SessionToken"], "via": "AssumeRole",
        })
        .to_string(),
    );
    w.console(
        &[
            "--profile",
            "corp-admin",
            "--duration",
            "4h",
            "--destination",
            "ec2",
        ],
        0,
    );
    assert_eq!(
        w.logins(),
        ["https://console.aws.amazon.com/ec2/home?region=us-east-1"]
    );
    assert_eq!(center.calls("GetRoleCredentials"), 1, "the cached role");
}

/// An AWS sign-in's credentials (`awscreds-rs login`) go to the federation
/// endpoint as they are, without `SessionDuration`. (Here the local
/// endpoint is told they are a role's, as it knows no sign-in.)
#[test]
fn an_aws_sign_in_opens_the_console_as_it_is() {
    let w = world();
    let signin = LocalService::start("signin.py", w.t.root());
    let with_signin = |args: &[&str]| {
        let mut cmd = w.command(bin());
        cmd.args(args)
            .env_remove("TEST_BROWSER_CONSOLE")
            .env("DISPLAY", ":99")
            .env("AWS_ENDPOINT_URL_SIGNIN", &signin.endpoint);
        Run::new(cmd).ok()
    };
    with_signin(&["login", "--profile", "me", "--region", "us-east-1"]);
    let creds: Value = serde_json::from_str(
        &with_signin(&["--login-session", "arn:aws:iam::123456789012:user/helen"]).stdout,
    )
    .unwrap();
    w.fed.post_json(
        "/test/issued",
        &serde_json::json!({
            "id": creds["AccessKeyId"], "secret": creds["SecretAccessKey"],
            "token": creds["SessionToken"], "via": "AssumeRole",
        })
        .to_string(),
    );
    w.console(&["--profile", "me", "--duration", "2h"], 0);
    assert_eq!(
        w.logins(),
        ["https://console.aws.amazon.com/console/home?region=us-east-1"]
    );
    assert_eq!(
        signin.calls("Token:refresh_token"),
        0,
        "the stored credentials"
    );
}
