//! IAM Identity Center: the harness's own local Identity Center
//! (tests/py/identity_center.py), checked against boto3's sso-oidc and sso
//! clients so that it speaks what AWS speaks; then `sso login` (with a test
//! browser, tests/py/browser.py, that signs in on the authorize page and
//! comes back, or approves a device code), the role's credential_process
//! line read by boto3, the JS SDK and the Go SDKs, one renewal for 20
//! callers, and no token in any file.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;
use serde_json::Value;

/// The local Identity Center.
struct IdentityCenter;

impl IdentityCenter {
    fn start(dir: &std::path::Path) -> LocalService {
        LocalService::start("identity_center.py", dir)
    }
}

#[test]
fn the_local_identity_center_speaks_what_boto3_speaks() {
    let t = TestEnv::keyutils();
    let center = IdentityCenter::start(t.root());
    let mut cmd = t.command(client(".venv/bin/python"));
    cmd.arg(project_dir().join("tests/py/sso_boto3.py"))
        .arg(&center.endpoint);
    let out = Run::new(cmd).ok();
    let seen: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"));
    assert_eq!(seen["pending"], "authorization_pending", "{seen}");
    assert_eq!(seen["slow_down"], "slow_down", "{seen}");
    assert_eq!(
        seen["refresh_token"], true,
        "a client with scopes gets a refresh token"
    );
    assert_eq!(
        seen["accounts"],
        serde_json::json!(["111111111100", "111111111101", "111111111102"]),
        "every page"
    );
    assert_eq!(seen["roles"], serde_json::json!(["ReadOnly", "Admin"]));
    assert_eq!(seen["role_key"], "ASIA");
    assert_eq!(seen["expiration_ms"], true);
    assert_eq!(seen["unauthorized"], "UnauthorizedException");
    // The authorization code with PKCE, in botocore's own shapes.
    assert_eq!(seen["state_back"], "st");
    assert_eq!(seen["wrong_verifier"], "invalid_grant");
    assert_eq!(seen["code_refresh_token"], true);
    assert_eq!(seen["code_reused"], "invalid_grant");
}

const SESSION_CONFIG: &str =
    "[sso-session corp]\nsso_start_url = https://example.awsapps.com/start\n\
    sso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n";

/// A world with the local Identity Center, the session `corp` in the
/// config file, and the test browser (tests/py/browser.py) on PATH as
/// xdg-open, with a display: it records each URL it is given, follows an
/// authorize page back to the callback, and approves a device code once
/// login has polled.
struct World {
    t: TestEnv,
    center: LocalService,
    browser: TestBrowser,
}

fn world() -> World {
    let t = TestEnv::native();
    let center = IdentityCenter::start(t.root());
    t.write_config(SESSION_CONFIG);
    World {
        browser: TestBrowser::install(t.root()),
        t,
        center,
    }
}

impl World {
    fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = self.t.command(program);
        self.browser.reachable_from(&mut cmd);
        cmd.env("TEST_IDENTITY_CENTER", &self.center.endpoint);
        reach_identity_center(&mut cmd, &self.center.endpoint);
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

    /// Nothing the Identity Center issued is in a file under the test's
    /// root (HOME, the temp dir, the runtime dir), and there is no AWS CLI
    /// cache.
    fn no_secret_in_any_file(&self) {
        for secret in self.center.get("/test/secrets").as_array().unwrap() {
            let secret = secret.as_str().unwrap();
            assert_eq!(
                self.t.files_containing(secret),
                Vec::<std::path::PathBuf>::new(),
                "{secret}"
            );
        }
        let cache = self.t.home.join(".aws/sso/cache");
        let left = std::fs::read_dir(&cache).map_or(0, |d| d.count());
        assert_eq!(left, 0, "a file in {}", cache.display());
    }
}

#[test]
fn login_keeps_the_tokens_in_the_store_and_the_role_line_serves_every_sdk() {
    let w = world();
    let out = w.run(&["sso", "login", "--session", "corp"]).ok();
    out.stderr_has(&[
        "The browser was asked to open the sign-in page",
        "Logged in to 'corp'",
        "refresh token",
    ]);
    assert!(!out.stderr.contains("device code"), "{}", out.stderr);
    let opened = w.browser.calls();
    assert_eq!(opened.len(), 1, "{opened:?}");
    assert!(
        out.stderr.contains(&opened[0]),
        "the URL shown is the one opened"
    );
    // The authorization code with PKCE, as the AWS CLI asks for it.
    let authorize = opened[0]
        .strip_prefix(&format!("{}/authorize?", w.center.endpoint))
        .unwrap_or_else(|| panic!("{}", opened[0]));
    let query: std::collections::HashMap<String, String> = authorize
        .split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap();
            let mut decode = Command::new(client(".venv/bin/python"));
            decode.args([
                "-c",
                "import sys, urllib.parse; print(urllib.parse.unquote_plus(sys.argv[1]))",
                v,
            ]);
            (
                k.to_string(),
                Run::new(decode).ok().stdout.trim().to_string(),
            )
        })
        .collect();
    assert_eq!(query["response_type"], "code");
    assert_eq!(query["code_challenge_method"], "S256");
    assert_eq!(query["code_challenge"].len(), 43, "{query:?}");
    assert!(query["state"].len() >= 32, "{query:?}");
    assert_eq!(query["scopes"], "sso:account:access");
    let redirect = &query["redirect_uri"];
    assert!(
        redirect.starts_with("http://127.0.0.1:") && redirect.ends_with("/oauth/callback"),
        "{redirect}"
    );
    let registrations = w.center.get("/test/registrations");
    assert_eq!(
        registrations,
        serde_json::json!([{
            "clientName": "awscreds-rs",
            "clientType": "public",
            "scopes": ["sso:account:access"],
            "grantTypes": ["authorization_code", "refresh_token"],
            "redirectUris": ["http://127.0.0.1/oauth/callback"],
            "issuerUrl": "https://example.awsapps.com/start",
        }])
    );
    assert_eq!(w.center.calls("Authorize"), 1);
    assert_eq!(w.center.calls("CreateToken:authorization_code"), 1);
    assert_eq!(w.center.calls("CreateToken:device_code"), 0);

    // One profile per account and role, through the byte-preserving editor.
    w.run(&[
        "sso",
        "configure",
        "--session",
        "corp",
        "--prefix",
        "corp-",
        "--region",
        "eu-west-1",
    ])
    .ok();
    let config = std::fs::read_to_string(w.t.config_path()).unwrap();
    assert!(config.starts_with(SESSION_CONFIG), "{config}");
    assert_eq!(
        config.matches("--sso-session corp --account-id").count(),
        6,
        "{config}"
    );
    assert!(
        config.contains("[profile corp-account-2-Admin]"),
        "{config}"
    );
    assert!(
        !config.contains("sso_account_id"),
        "no sso_* key: the SDKs would take SSO first"
    );
    let accounts: Value = serde_json::from_str(
        &w.run(&["sso", "accounts", "--session", "corp", "--json"])
            .ok()
            .stdout,
    )
    .unwrap();
    assert_eq!(
        accounts.as_array().unwrap().len(),
        6,
        "every page: {accounts}"
    );
    let profiles = w.run(&["profiles"]).ok().stdout;
    assert!(
        profiles.contains("awscreds-rs Identity Center role Admin in 111111111102 (session corp)"),
        "{profiles}"
    );

    // The SDKs read the role through the line; one GetRoleCredentials.
    every_sdk_reads("corp-account-1-Admin", &|program, args| {
        w.probe(program, args)
    });
    assert_eq!(
        w.center.calls("GetRoleCredentials"),
        1,
        "the others were cache hits"
    );

    // configure writes one such line; the AWS CLI resolves it.
    w.run(&[
        "configure",
        "--profile",
        "solo",
        "--sso-session",
        "corp",
        "--account-id",
        "111111111102",
        "--role-name",
        "ReadOnly",
    ])
    .ok()
    .stderr_has(&["[profile solo] now runs"]);
    let mut aws = w.command(client(".venv/bin/aws"));
    aws.args(["configure", "list", "--profile", "solo"]);
    let listed = Run::new(aws).ok();
    assert!(listed.stdout.contains("custom-process"), "{listed:?}");
    assert_eq!(w.center.calls("GetRoleCredentials"), 2);
    // Reached through AWS_ENDPOINT_URL alone, as the SDKs reach a service.
    let line = [
        "--sso-session",
        "corp",
        "--account-id",
        "111111111101",
        "--role-name",
        "ReadOnly",
    ];
    let mut generic = w.t.command(bin());
    generic
        .args(line)
        .env("AWS_ENDPOINT_URL", &w.center.endpoint);
    assert!(Run::new(generic).ok().stdout.contains("\"SessionToken\""));
    assert_eq!(w.center.calls("GetRoleCredentials"), 3);
    w.no_secret_in_any_file();

    // clear drops the cached role credentials and keeps the login: the
    // line asks for the role again, with no new sign-in.
    w.run(&["clear"]).ok().stderr_is(
        "Dropped 3 cached credential(s) from the Secret Service; logins stay (sso logout and logout end them).",
    );
    assert!(w.run(&line).ok().stdout.contains("\"SessionToken\""));
    assert_eq!(w.center.calls("GetRoleCredentials"), 4);
    assert_eq!(w.center.calls("RegisterClient"), 1);

    // Logged out: the line fails at once, names the fix, opens nothing.
    w.run(&["sso", "logout", "--session", "corp"])
        .ok()
        .stderr_has(&["Logged out"]);
    assert_eq!(w.center.calls("Logout"), 1);
    let before = w.browser.calls().len();
    let started = std::time::Instant::now();
    w.run(&[
        "--sso-session",
        "corp",
        "--account-id",
        "111111111101",
        "--role-name",
        "Admin",
    ])
    .fails(1)
    .stderr_has(&["awscreds-rs sso login --session corp"]);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(
        w.browser.calls().len(),
        before,
        "no browser from credential_process"
    );
    w.no_secret_in_any_file();
}

/// The loopback callback listens on 127.0.0.1 only (`ss`), `--no-browser`
/// opens nothing and prints the URL, and a second `sso login` for the
/// same session waits for the first and finds the session signed in,
/// with one browser flow between them.
#[test]
fn the_callback_is_loopback_only_and_two_logins_make_one_sign_in() {
    let w = world();
    let mut first = {
        let mut cmd = w.command(bin());
        cmd.args(["sso", "login", "--session", "corp", "--no-browser"]);
        Running::start(cmd)
    };
    let url = first.until("/authorize?").trim().to_string();
    first.until("Waiting for the browser");
    let port = url
        .split("redirect_uri=http%3A%2F%2F127.0.0.1%3A")
        .nth(1)
        .and_then(|rest| rest.split('%').next())
        .unwrap_or_else(|| panic!("{url}"))
        .to_string();
    let mut ss = Command::new("ss");
    ss.args(["-Hltn", &format!("sport = :{port}")]);
    let listening = Run::new(ss).ok().stdout;
    let addresses: Vec<&str> = listening
        .lines()
        .filter_map(|l| l.split_whitespace().nth(3))
        .collect();
    assert_eq!(addresses, [format!("127.0.0.1:{port}")], "{listening}");

    let mut second = {
        let mut cmd = w.command(bin());
        cmd.args(["sso", "login", "--session", "corp"]);
        Running::start(cmd)
    };
    second.until("Another sso login for 'corp' is under way");
    // The user opens the first one's URL by hand.
    let mut browser = w.command(client(".venv/bin/python"));
    browser
        .arg(project_dir().join("tests/py/browser.py"))
        .arg(&url);
    Run::new(browser).ok();
    let (ok, said) = first.end();
    assert!(ok, "{said}");
    let (ok, said) = second.end();
    assert!(ok, "{said}");
    assert!(
        said.contains("Logged in to 'corp' by the other sso login"),
        "{said}"
    );
    assert_eq!(
        w.browser.calls(),
        [url],
        "only the first flow's URL, by hand"
    );
    assert_eq!(w.center.calls("Authorize"), 1);
    assert_eq!(w.center.calls("RegisterClient"), 1);
    w.no_secret_in_any_file();
}

/// A browser that comes back with another state, or with the service's
/// refusal: exit 1 with one line, and nothing stored (the role line then
/// names `sso login`).
#[test]
fn a_wrong_state_or_a_refusal_stores_nothing() {
    let w = world();
    let line = [
        "--sso-session",
        "corp",
        "--account-id",
        "111111111101",
        "--role-name",
        "ReadOnly",
    ];
    let mut forged = w.command(bin());
    forged
        .args(["sso", "login", "--session", "corp"])
        .env("TEST_BROWSER_STATE", "forged-by-another-page");
    Run::new(forged)
        .fails_saying_more(1)
        .stderr_has(&["a state that is not this sign-in's", "nothing was stored"]);
    assert_eq!(w.center.calls("CreateToken:authorization_code"), 0);
    w.run(&line)
        .fails(1)
        .stderr_has(&["no login is stored", "awscreds-rs sso login --session corp"]);

    w.center.post("/test/deny-next");
    w.run(&["sso", "login", "--session", "corp"])
        .fails_saying_more(1)
        .stderr_has(&[
            "the sign-in was refused (access_denied: The user said no); nothing was stored",
        ]);
    assert_eq!(w.center.calls("CreateToken:authorization_code"), 0);
    w.run(&line).fails(1).stderr_has(&["no login is stored"]);
    w.no_secret_in_any_file();
}

/// A session without sso_registration_scopes: the browser sign-in asks
/// for sso:account:access, as the AWS CLI does, so a refresh token comes.
#[test]
fn the_browser_sign_in_asks_for_the_default_scope() {
    let w = world();
    w.t.write_config(
        "[sso-session corp]\nsso_start_url = https://example.awsapps.com/start\nsso_region = eu-west-1\n",
    );
    w.run(&["sso", "login", "--session", "corp"])
        .ok()
        .stderr_has(&["Logged in to 'corp'", "renew it with the refresh token"]);
    let registrations = w.center.get("/test/registrations");
    assert_eq!(
        registrations[0]["scopes"],
        serde_json::json!(["sso:account:access"]),
        "{registrations}"
    );
    let opened = w.browser.calls();
    assert!(
        opened[0].contains("&scopes=sso%3Aaccount%3Aaccess&"),
        "{opened:?}"
    );
    w.no_secret_in_any_file();
}

/// The device code: chosen over SSH (and said why), and with
/// `--use-device-code`; the role line then serves boto3.
#[test]
fn the_device_code_is_used_over_ssh_and_when_asked() {
    let w = world();
    let mut ssh = w.command(bin());
    ssh.args(["sso", "login", "--session", "corp"])
        .env("SSH_CONNECTION", "192.0.2.1 50000 192.0.2.2 22");
    let out = Run::new(ssh).ok();
    out.stderr_has(&[
        "signing in with a device code, because this is an SSH session",
        "/start/#/device?user_code=",
        "Logged in to 'corp'",
    ]);
    assert!(
        w.center.calls("CreateToken:device_code") >= 2,
        "polled while pending"
    );
    assert_eq!(w.center.calls("Authorize"), 0);

    w.run(&["sso", "login", "--session", "corp", "--use-device-code"])
        .ok()
        .stderr_has(&["/start/#/device?user_code=", "Logged in to 'corp'"]);
    assert_eq!(w.center.calls("Authorize"), 0);
    w.t.write_config(&format!(
        "{SESSION_CONFIG}\n[profile corp-ro]\ncredential_process = {} --sso-session corp --account-id 111111111101 --role-name ReadOnly\n",
        bin()
    ));
    let python = client(".venv/bin/python");
    let boto3 = w.probe(
        &python,
        &[
            project_dir().join("tests/py/probe.py").to_str().unwrap(),
            "corp-ro",
        ],
    );
    assert!(
        boto3["AccessKeyId"].as_str().unwrap().starts_with("ASIA"),
        "{boto3}"
    );

    // The device code's registration is not one the authorization code
    // may use: the browser sign-in registers anew, with its grants.
    assert_eq!(w.center.calls("RegisterClient"), 1);
    w.run(&["sso", "login", "--session", "corp"]).ok();
    assert_eq!(w.center.calls("RegisterClient"), 2);
    let registrations = w.center.get("/test/registrations");
    assert_eq!(registrations[0].get("grantTypes"), None, "{registrations}");
    assert_eq!(
        registrations[1]["grantTypes"],
        serde_json::json!(["authorization_code", "refresh_token"])
    );
    assert_eq!(w.center.calls("CreateToken:authorization_code"), 1);
    w.no_secret_in_any_file();
}

#[test]
fn twenty_callers_on_an_expired_access_token_make_one_renewal() {
    let w = world();
    // --no-browser: nobody approves, so approve as the user would.
    let out = {
        let mut cmd = w.command(bin());
        cmd.args([
            "sso",
            "login",
            "--session",
            "corp",
            "--use-device-code",
            "--no-browser",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
        let mut code = String::new();
        let mut seen = String::new();
        while code.is_empty() {
            let mut line = String::new();
            assert!(
                std::io::BufRead::read_line(&mut stderr, &mut line).unwrap() > 0,
                "{seen}"
            );
            seen.push_str(&line);
            if let Some(rest) = line.trim().split("user_code=").nth(1) {
                code = rest.to_string();
            }
        }
        let mut approve = Command::new(client(".venv/bin/python"));
        approve.args([
            "-c",
            "import sys, json, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=json.dumps({'userCode': sys.argv[2]}).encode()))",
            &format!("{}/test/approve", w.center.endpoint),
            &code,
        ]);
        Run::new(approve).ok();
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
        (child.wait().unwrap(), seen + &rest)
    };
    assert!(out.0.success(), "{}", out.1);
    assert!(w.browser.calls().is_empty(), "--no-browser opened one");
    // A second login reuses the stored client registration.
    w.run(&["sso", "login", "--session", "corp", "--use-device-code"])
        .ok();
    assert_eq!(
        w.center.calls("RegisterClient"),
        1,
        "the registration is kept until it expires"
    );

    // The access token expires at Identity Center (as a revoked one
    // does): the line learns it from the portal's refusal.
    w.center.post("/test/expire-access-tokens");
    let line = [
        "--sso-session",
        "corp",
        "--account-id",
        "111111111100",
        "--role-name",
        "ReadOnly",
    ];
    let children: Vec<_> = (0..20)
        .map(|_| {
            let mut cmd = w.command(bin());
            cmd.args(line).stdout(Stdio::piped()).stderr(Stdio::piped());
            cmd.spawn().unwrap()
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
    assert!(outputs.iter().all(|o| o == &outputs[0]));
    assert_eq!(
        w.center.calls("CreateToken:refresh_token"),
        1,
        "{}",
        w.center.get("/test/calls")
    );
    // The first caller's GetRoleCredentials was refused (the token had
    // expired at Identity Center), the second answered; the other 19 read
    // the cache.
    assert_eq!(w.center.calls("GetRoleCredentials"), 2);
    w.no_secret_in_any_file();
}

#[test]
fn import_moves_the_aws_clis_plaintext_cache_and_doctor_sees_each_step() {
    let w = world();
    w.t.write_config(&format!(
        "{SESSION_CONFIG}\n# my team's role\n[profile legacy]\nsso_session = corp\n\
         sso_account_id = 111111111101\nsso_role_name = Admin\nregion = eu-west-1\n\n\
         [profile lost]\nsso_session = ghost\nsso_account_id = 111111111101\nsso_role_name = Admin\n"
    ));
    // A token as the AWS CLI caches it, from boto3's own sso-oidc client.
    let cache = w.t.home.join(".aws/sso/cache");
    std::fs::create_dir_all(&cache).unwrap();
    let file = cache.join("0123456789abcdef0123456789abcdef01234567.json");
    let mut cmd = w.command(client(".venv/bin/python"));
    cmd.arg(project_dir().join("tests/py/sso_boto3.py"))
        .args([&w.center.endpoint, "--cache"])
        .arg(&file)
        .arg("https://example.awsapps.com/start");
    Run::new(cmd).ok();
    let token = serde_json::from_str::<Value>(&std::fs::read_to_string(&file).unwrap()).unwrap()
        ["accessToken"]
        .as_str()
        .unwrap()
        .to_string();

    let doctor = |profile: &str| w.run(&["doctor", "--profile", profile, "--json"]).output();
    let before = doctor("legacy");
    assert_eq!(before.finding("sso.plaintext-cache")["status"], "warning");
    assert_eq!(
        before.finding("sso.plaintext-cache")["fix"],
        "move them into the store: awscreds-rs import --sso"
    );
    let lost = before.finding("sso.session-defined");
    assert_eq!(lost["status"], "error", "{lost}");
    assert!(
        lost["message"]
            .as_str()
            .unwrap()
            .contains("'lost' names sso_session ghost"),
        "{lost}"
    );

    // Killed after the store has the token: the plaintext and the profile
    // are as they were, and a second run finishes.
    let config_before = std::fs::read_to_string(w.t.config_path()).unwrap();
    let mut stopped = w.command(faults_bin());
    stopped
        .args(["import", "--sso", "--session", "corp"])
        .env("AWSCREDS_TEST_STOP_AFTER", "sso-stored");
    assert_eq!(Run::new(stopped).output().code, 99);
    assert!(file.exists());
    assert_eq!(
        std::fs::read_to_string(w.t.config_path()).unwrap(),
        config_before
    );

    w.run(&["import", "--sso", "--session", "corp"])
        .ok()
        .stderr_has(&[
            "Stored the login of session 'corp'",
            "'legacy'",
            "Removed the plaintext cache",
        ]);
    assert!(!file.exists(), "the plaintext cache is gone");
    let config = std::fs::read_to_string(w.t.config_path()).unwrap();
    let legacy = config
        .split("[profile legacy]")
        .nth(1)
        .unwrap()
        .split("[profile lost]")
        .next()
        .unwrap();
    assert!(
        legacy.contains("--sso-session corp --account-id 111111111101 --role-name Admin"),
        "{config}"
    );
    assert!(
        !legacy.contains("sso_session") && legacy.contains("region = eu-west-1"),
        "{config}"
    );
    assert!(
        config.contains("# my team's role"),
        "every other byte kept: {config}"
    );
    assert!(
        config.contains("[profile lost]\nsso_session = ghost"),
        "{config}"
    );

    // boto3 reads the role through the line with the imported token.
    let python = client(".venv/bin/python");
    let seen = w.probe(
        &python,
        &[
            project_dir().join("tests/py/probe.py").to_str().unwrap(),
            "legacy",
        ],
    );
    assert!(
        seen["AccessKeyId"].as_str().unwrap().starts_with("ASIA"),
        "{seen}"
    );
    assert_eq!(seen["Method"], "custom-process");
    assert_eq!(w.center.calls("GetRoleCredentials"), 1);
    assert_eq!(
        w.t.files_containing(&token),
        Vec::<std::path::PathBuf>::new()
    );

    let after = doctor("legacy");
    assert_eq!(
        w.center.calls("GetRoleCredentials"),
        1,
        "doctor ran no line offline"
    );
    assert!(after.finding("credential_process.run")["message"]
        .as_str()
        .unwrap()
        .contains("not run"));
    let login = after.finding("sso.login");
    assert_eq!(login["status"], "ok", "{login}");
    assert!(
        login["message"]
            .as_str()
            .unwrap()
            .contains("used by legacy"),
        "{login}"
    );
    assert!(
        login["message"].as_str().unwrap().contains("refresh token"),
        "{login}"
    );
    assert!(!after.stdout.contains("sso.plaintext-cache"), "{after:?}");
    w.run(&["sso", "logout", "--session", "corp"]).ok();
    assert_eq!(doctor("legacy").finding("sso.login")["status"], "warning");
    w.no_secret_in_any_file();
}

/// aws-config's own profile provider runs the role's line (through `sh -c`)
/// and reads the role credentials. The line carries the test's variables
/// itself (`env ...`): aws-config starts the process with this process's
/// environment, which the other tests share.
#[tokio::test(flavor = "current_thread")]
async fn aws_config_reads_the_role_line() {
    let w = world();
    w.run(&["sso", "login", "--session", "corp"]).ok();
    let creds = rust_sdk_reads_line(
        &w.command("true"),
        "--sso-session corp --account-id 111111111100 --role-name Admin",
        w.t.root(),
    )
    .await;
    assert!(creds.access_key_id().starts_with("ASIA"));
    assert!(creds.session_token().is_some() && creds.expiry().is_some());
    assert_eq!(w.center.calls("GetRoleCredentials"), 1);
}
