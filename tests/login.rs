//! AWS's own sign-in (`login`, `logout`, `import --login` and the
//! `--login-session` line) against the harness's local sign-in service
//! (tests/py/signin.py, checked with boto3 and aws-config in
//! tests/signin.rs), with the test browser (tests/py/browser.py) on PATH:
//! the keys stay in the store, every SDK reads the line, parallel callers
//! make one refresh, an ended login fails at once, and the AWS CLI's
//! plaintext cache moves in.

mod common;

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

const HELEN: &str = "arn:aws:iam::123456789012:user/helen";

/// A world with the local sign-in service and the test browser.
struct World {
    t: TestEnv,
    signin: LocalService,
    browser: TestBrowser,
}

fn world() -> World {
    let t = TestEnv::native();
    let signin = LocalService::start("signin.py", t.root());
    t.write_config("# my settings\n[profile dev]\noutput = json # kept\n");
    World {
        browser: TestBrowser::install(t.root()),
        t,
        signin,
    }
}

impl World {
    fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = self.t.command(program);
        self.browser.reachable_from(&mut cmd);
        cmd.env("AWS_ENDPOINT_URL_SIGNIN", &self.signin.endpoint)
            .env("AWS_REGION", "us-east-1");
        cmd
    }

    fn run(&self, args: &[&str]) -> Run {
        let mut cmd = self.command(bin());
        cmd.args(args);
        Run::new(cmd)
    }

    fn probe(&self, program: &std::path::Path, args: &[&str]) -> Value {
        let mut cmd = self.command(program);
        cmd.args(args);
        probed(cmd)
    }

    fn config(&self) -> String {
        std::fs::read_to_string(self.t.config_path()).unwrap()
    }

    /// Nothing the sign-in service issued (codes, refresh tokens, secret
    /// keys, session tokens) is in a file under the test's root, and
    /// there is no AWS CLI login cache.
    fn no_secret_in_any_file(&self) {
        for secret in self.signin.get("/test/secrets").as_array().unwrap() {
            let secret = secret.as_str().unwrap();
            assert_eq!(
                self.t.files_containing(secret),
                Vec::<std::path::PathBuf>::new(),
                "{secret}"
            );
        }
        assert!(!self.t.home.join(".aws/login").exists());
    }

    fn set(&self, control: &str, seconds: u64) {
        self.signin
            .post_json(control, &format!(r#"{{"seconds": {seconds}}}"#));
    }
}

/// The query of a URL, decoded.
fn query_of(url: &str) -> HashMap<String, String> {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

#[test]
fn login_keeps_the_keys_in_the_store_and_the_line_serves_every_sdk() {
    let w = world();
    let out = w
        .run(&["login", "--profile", "dev", "--region", "us-east-1"])
        .ok();
    out.stderr_has(&[
        "The browser was asked to open AWS's sign-in page",
        &format!("Signed in as {HELEN} (account 123456789012)"),
        "[profile dev] in",
    ]);
    let opened = w.browser.calls();
    assert_eq!(opened.len(), 1, "{opened:?}");
    assert!(
        opened[0].starts_with(&format!("{}/v1/authorize?", w.signin.endpoint)),
        "{opened:?}"
    );
    let query = query_of(&opened[0]);
    assert_eq!(query["client_id"], "arn:aws:signin:::devtools/same-device");
    assert_eq!(query["code_challenge_method"], "SHA-256");
    assert_eq!(query["scope"], "openid");
    assert_eq!(query["response_type"], "code");
    assert_eq!(query["code_challenge"].len(), 43);
    assert!(query["state"].len() >= 32, "{query:?}");
    let redirect = &query["redirect_uri"];
    assert!(
        redirect.starts_with("http://127.0.0.1:") && redirect.ends_with("/oauth/callback"),
        "{redirect}"
    );
    assert_eq!(w.signin.calls("Token:authorization_code"), 1);

    // The profile's line, every other byte kept.
    let config = w.config();
    assert!(
        config.starts_with("# my settings\n[profile dev]\noutput = json # kept\n"),
        "{config}"
    );
    assert!(
        config.contains(&format!("--login-session {HELEN}")),
        "{config}"
    );
    assert!(config.contains("region = us-east-1"), "{config}");
    let profiles = w.run(&["profiles"]).ok().stdout;
    assert!(
        profiles.contains(&format!("awscreds-rs AWS sign-in of {HELEN}")),
        "{profiles}"
    );

    // Every SDK reads the line: the stored credentials, no refresh.
    let key = every_sdk_reads("dev", &|program, args| w.probe(program, args));
    let python = client(".venv/bin/python");
    let mut aws = w.command(client(".venv/bin/aws"));
    aws.args(["configure", "list", "--profile", "dev"]);
    let listed = Run::new(aws).ok();
    assert!(
        listed.stdout.contains("custom-process") && listed.stdout.contains(&key[16..]),
        "{listed:?}"
    );
    assert_eq!(
        w.signin.calls("Token:refresh_token"),
        0,
        "all from the store"
    );
    // refresh and the container endpoint hand out the same login.
    let refreshed = w.run(&["refresh", "--profile", "dev"]).ok();
    assert!(
        refreshed
            .stdout
            .contains(&format!("Profile 'dev' runs the AWS sign-in of {HELEN}")),
        "{refreshed:?}"
    );
    let served = w.probe(
        std::path::Path::new(bin()),
        &[
            "exec",
            "--server",
            "--profile",
            "dev",
            "--",
            python.to_str().unwrap(),
            project_dir().join("tests/py/probe.py").to_str().unwrap(),
            "",
        ],
    );
    assert_eq!(served["Method"], "container-role");
    assert_eq!(served["AccessKeyId"], key.as_str());
    w.no_secret_in_any_file();

    // clear keeps the login; logout drops it, and the line then fails at
    // once, names the fix, and opens nothing.
    w.run(&["clear"]).ok();
    let line = ["--login-session", HELEN];
    assert!(w.run(&line).ok().stdout.contains(&key));
    w.run(&["logout", "--profile", "dev"])
        .ok()
        .stderr_has(&[&format!("Dropped the login of {HELEN}")]);
    let started = Instant::now();
    let mut gone = w.command(bin());
    gone.args(line).env("AWS_PROFILE", "dev");
    Run::new(gone)
        .fails(1)
        .stderr_has(&["no login of", "awscreds-rs login --profile dev"]);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(w.browser.calls().len(), 1, "no browser from the line");
    w.run(&["logout", "--profile", "dev"])
        .ok()
        .stderr_has(&["nothing changed"]);
}

/// Credentials at the refresh point (less than 5 minutes left): twenty
/// callers at once make one refresh, and all print what it gave. A login
/// past its 12 hours, or whose user changed their password, fails at
/// once with exit 1 and names `login --profile P`.
#[test]
fn parallel_callers_make_one_refresh_and_an_ended_login_fails_at_once() {
    let w = world();
    w.set("/test/expires-in", 200);
    w.run(&["login", "--profile", "dev"]).ok();
    w.set("/test/expires-in", 900);
    let children: Vec<_> = (0..20)
        .map(|_| {
            let mut cmd = w.command(bin());
            cmd.args(["--login-session", HELEN])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            cmd.spawn().unwrap()
        })
        .collect();
    let keys: std::collections::BTreeSet<String> = children
        .into_iter()
        .map(|child| {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
            doc["AccessKeyId"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert_eq!(w.signin.calls("Token:refresh_token"), 1);
    w.no_secret_in_any_file();

    // Past its lifetime: TOKEN_EXPIRED, at once.
    w.set("/test/lifetime", 0);
    w.set("/test/expires-in", 200);
    w.run(&["login", "--profile", "short"]).ok();
    let started = Instant::now();
    w.run(&["--login-session", HELEN])
        .fails(1)
        .stderr_has(&["has ended", "awscreds-rs login --profile short"]);
    assert!(started.elapsed() < Duration::from_secs(5));

    // The user's credentials changed: USER_CREDENTIALS_CHANGED, at once.
    w.set("/test/lifetime", 3600);
    w.run(&["login", "--profile", "changed"]).ok();
    w.signin.post("/test/credentials-changed");
    w.run(&["--login-session", HELEN]).fails(1).stderr_has(&[
        "password or keys changed",
        "awscreds-rs login --profile changed",
    ]);
    assert_eq!(
        w.browser.calls().len(),
        3,
        "one browser per login, none more"
    );
}

/// `--remote`, and chosen by itself over SSH: the page is opened
/// anywhere, shows a code, and the code pasted here signs in.
#[test]
fn a_remote_sign_in_takes_the_pasted_code() {
    let w = world();
    let mut cmd = w.command(bin());
    cmd.args(["login", "--profile", "far"])
        .env("SSH_CONNECTION", "10.0.0.1 22 10.0.0.2 22");
    let mut login = Running::start(cmd);
    login.until("signing in on another device's browser");
    login.until("open this URL in a browser on any device");
    let url = loop {
        let line = login.until("");
        if line.trim().starts_with("http") {
            break line.trim().to_string();
        }
    };
    let query = query_of(&url);
    assert_eq!(query["client_id"], "arn:aws:signin:::devtools/cross-device");
    assert_eq!(
        query["redirect_uri"],
        format!("{}/v1/sessions/confirmation", w.signin.endpoint)
    );
    // The other device: its browser follows the page to the code.
    let mut browse = Command::new(client(".venv/bin/python"));
    browse.args([
        "-c",
        "import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())",
        &url,
    ]);
    let page = Run::new(browse).ok().stdout;
    let code = page
        .split("<code>")
        .nth(1)
        .and_then(|rest| rest.split("</code>").next())
        .unwrap_or_else(|| panic!("{page}"));
    login.type_in(&format!("{code}\n"));
    let (ok, said) = login.end();
    assert!(ok, "{said}");
    assert!(said.contains(&format!("Signed in as {HELEN}")), "{said}");
    assert!(w.browser.calls().is_empty(), "no local browser over SSH");
    assert!(w
        .run(&["--login-session", HELEN])
        .ok()
        .stdout
        .contains("ASIA"));

    // A code from another sign-in (its state is not this one's) is refused.
    let mut cmd = w.command(bin());
    cmd.args(["login", "--profile", "far", "--remote"]);
    let mut again = Running::start(cmd);
    again.until("paste it here");
    again.type_in(&format!("{code}\n"));
    let (ok, said) = again.end();
    assert!(!ok && said.contains("state"), "{said}");
    w.no_secret_in_any_file();
}

/// `import --login` moves what `aws login` cached (written by boto3's
/// side of the fake, its credentials expired) into the store: the line
/// refreshes with the imported DPoP key, the file is gone, the profile's
/// `login_session` became the line, and a second import changes nothing.
#[test]
fn import_moves_the_aws_clis_login_cache_and_twice_changes_nothing() {
    let w = world();
    let mut cmd = w.command(client(".venv/bin/python"));
    cmd.arg(project_dir().join("tests/py/signin_boto3.py"))
        .arg(&w.signin.endpoint)
        .arg(w.t.root())
        .arg("--cache-only");
    let cached: Value = serde_json::from_str(&Run::new(cmd).ok().stdout).unwrap();
    let cache = std::path::PathBuf::from(cached["cache"].as_str().unwrap());
    let aws_cli_config = std::fs::read_to_string(w.t.root().join("config")).unwrap();
    w.t.write_config(&format!(
        "# mine\n{aws_cli_config}[profile other]\nregion = eu-west-1\n"
    ));
    let cache_dir = w.t.root().join("login-cache");
    let import = || {
        let mut cmd = w.command(bin());
        cmd.args(["import", "--login", "--profile", "signed-in"])
            .env("AWS_LOGIN_CACHE_DIRECTORY", &cache_dir);
        Run::new(cmd)
    };
    let doctor = |check: &str| {
        let mut cmd = w.command(bin());
        cmd.args(["doctor", "--profile", "signed-in", "--json"])
            .env("AWS_LOGIN_CACHE_DIRECTORY", &cache_dir);
        Run::new(cmd).output().finding(check)
    };
    let before = doctor("login.cache");
    assert_eq!(before["status"], "warning", "{before}");
    assert!(
        before["fix"]
            .as_str()
            .unwrap()
            .contains("awscreds-rs import --login --profile signed-in"),
        "{before}"
    );

    // A cache file that is a symbolic link is not read: refused, and
    // nothing changes.
    let config_before = w.config();
    let elsewhere = w.t.root().join("elsewhere.json");
    std::fs::rename(&cache, &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &cache).unwrap();
    import()
        .fails(1)
        .stderr_has(&["cannot be imported: it is a symbolic link"]);
    assert_eq!(w.config(), config_before);
    std::fs::remove_file(&cache).unwrap();
    std::fs::rename(&elsewhere, &cache).unwrap();

    // Stopped as if killed after each step: the plaintext file stays until
    // the profile reads the stored login.
    for step in ["login-stored", "login-configured"] {
        let mut cmd = w.command(faults_bin());
        cmd.args(["import", "--login", "--profile", "signed-in"])
            .env("AWS_LOGIN_CACHE_DIRECTORY", &cache_dir)
            .env("AWSCREDS_TEST_STOP_AFTER", step);
        assert_eq!(Run::new(cmd).output().code, 99, "{step}");
        assert!(cache.exists(), "{step}");
        if step == "login-stored" {
            assert_eq!(w.config(), config_before, "{step}");
        } else {
            // The profile reads the store, and the file is imported again.
            w.t.write_config(&config_before);
        }
    }
    import().ok().stderr_has(&[
        &format!("Stored the login of {HELEN}"),
        "Removed the plaintext cache",
    ]);
    assert!(!cache.exists());
    let config = w.config();
    assert!(
        config.starts_with("# mine\n[profile signed-in]\n"),
        "{config}"
    );
    assert!(!config.contains("login_session"), "{config}");
    assert!(
        config.ends_with("[profile other]\nregion = eu-west-1\n"),
        "{config}"
    );

    // The cached credentials were expired: the line refreshes with the
    // imported key, which the fake checks against the token's.
    let python = client(".venv/bin/python");
    let boto3 = w.probe(
        &python,
        &[
            project_dir().join("tests/py/probe.py").to_str().unwrap(),
            "signed-in",
        ],
    );
    assert_ne!(boto3["AccessKeyId"], cached["key"], "{boto3}");
    assert_eq!(w.signin.calls("Token:refresh_token"), 1);
    let session = doctor("login.session");
    assert_eq!(session["status"], "ok", "{session}");
    assert!(
        session["message"]
            .as_str()
            .unwrap()
            .contains("of its 12 hours"),
        "{session}"
    );

    import().ok().stderr_has(&["nothing to import"]);
    assert_eq!(w.config(), config, "a second import changes nothing");
    w.no_secret_in_any_file();
    // The DPoP key is kept as PKCS#8 in the store, nowhere on disk.
    let pkcs8 = cached["pkcs8"].as_str().unwrap();
    assert_eq!(
        w.t.files_containing(pkcs8),
        Vec::<std::path::PathBuf>::new()
    );

    w.run(&["logout", "--profile", "signed-in"]).ok();
    let missing = doctor("login.session");
    assert_eq!(missing["status"], "error", "{missing}");
    assert!(
        missing["fix"]
            .as_str()
            .unwrap()
            .contains("awscreds-rs login --profile signed-in"),
        "{missing}"
    );
}

/// aws-config's own profile provider runs the line (through `sh -c`) and
/// reads the login's credentials. The line carries the test's variables
/// itself (`env ...`): aws-config starts the process with this process's
/// environment, which the other tests share.
#[tokio::test(flavor = "current_thread")]
async fn aws_config_reads_the_login_line() {
    let w = world();
    w.run(&["login", "--profile", "dev"]).ok();
    let creds = rust_sdk_reads_line(
        &w.command("true"),
        &format!("--login-session {HELEN}"),
        w.t.root(),
    )
    .await;
    assert!(creds.access_key_id().starts_with("ASIA"));
    assert!(creds.session_token().is_some() && creds.expiry().is_some());
    assert_eq!(creds.account_id().map(|a| a.as_str()), Some("123456789012"));
    assert_eq!(w.signin.calls("Token:refresh_token"), 0);
}

/// The cache as botocore itself rewrites it after a refresh (its own
/// writer, not the test's) is imported too, and the line hands out what
/// botocore got.
#[test]
fn import_takes_the_cache_as_botocore_rewrote_it() {
    let w = world();
    let mut cmd = w.command(client(".venv/bin/python"));
    cmd.arg(project_dir().join("tests/py/signin_boto3.py"))
        .arg(&w.signin.endpoint)
        .arg(w.t.root())
        .arg("--refreshed-cache");
    let cached: Value = serde_json::from_str(&Run::new(cmd).ok().stdout).unwrap();
    let cache = std::path::PathBuf::from(cached["cache"].as_str().unwrap());
    w.t.write_config(&std::fs::read_to_string(w.t.root().join("config")).unwrap());
    let mut import = w.command(bin());
    import
        .args(["import", "--login", "--profile", "signed-in"])
        .env("AWS_LOGIN_CACHE_DIRECTORY", w.t.root().join("login-cache"));
    Run::new(import).ok();
    assert!(!cache.exists());
    let printed = w.run(&["--login-session", HELEN]).ok().stdout;
    let doc: Value = serde_json::from_str(&printed).unwrap();
    assert_eq!(doc["AccessKeyId"], cached["key"], "{printed}");
    assert_eq!(doc["AccountId"], "123456789012");
}
