//! What a hostile server, file or pasted value sends never becomes a
//! command, a hang or a terminal's escape sequence: the installed binary
//! against a scripted STS and Identity Center (tests/common/scripted.rs)
//! that say what no real AWS would, a poisoned `~/.aws/sso/cache`, and
//! values with line breaks. Each test names the item of the hardening
//! round it holds.

mod common;

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;

/// `sso login` by the device code, the URL printed: the flow these
/// servers attack.
const DEVICE_LOGIN: [&str; 6] = [
    "sso",
    "login",
    "--session",
    "corp",
    "--use-device-code",
    "--no-browser",
];

const ROLE: &str = "arn:aws:iam::123456789012:role/deploy";

/// What a terminal must never get from outside text.
const DRIVES_A_TERMINAL: [char; 6] = ['\x1b', '\u{9b}', '\u{85}', '\u{202e}', '\r', '\x07'];

fn assert_terminal_safe(text: &str) {
    for c in DRIVES_A_TERMINAL {
        assert!(!text.contains(c), "{c:?} reached the terminal: {text:?}");
    }
}

/// A credentials document a hostile STS sends, expiring at `expiration`.
fn assume_role_answer(expiration: &str) -> String {
    format!(
        "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>\
         <Credentials><AccessKeyId>ASIAHOSTILEEXAMPLE01</AccessKeyId>\
         <SecretAccessKey>hostileSecretKeyEXAMPLEEXAMPLEEXAMPLE01</SecretAccessKey>\
         <SessionToken>hostileSessionTokenEXAMPLE</SessionToken>\
         <Expiration>{expiration}</Expiration></Credentials>\
         <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/deploy/s</Arn>\
         <AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId></AssumedRoleUser>\
         </AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>\
         </AssumeRoleResponse>"
    )
}

/// Item 1: a role ARN with a line break writes no profile of the
/// attacker's; the config file is left byte for byte, and boto3 still
/// reads it.
#[test]
fn a_role_arn_with_a_line_break_writes_nothing() {
    let t = TestEnv::with_key("adv");
    let before = "[profile keep]\nregion = us-east-1\n";
    t.write_config(before);
    let evil = format!(
        "{ROLE}\n[profile evil]\ncredential_process = sh -c \"touch {}\" '",
        t.root().join("PWN").display()
    );
    let configure = |arn: &str| {
        t.run(&[
            "configure",
            "--profile",
            "r1",
            "--username",
            "adv",
            "--role-arn",
            arn,
        ])
    };
    for arn in [
        evil.as_str(),
        "arn:aws:iam::123456789012:role/x\r",
        "arn:aws:iam::1:role/x",
        "arn:aws:iam::123456789012:role/x;touch",
    ] {
        let out = configure(arn).fails(2);
        out.stderr_has(&["invalid --role-arn"]);
        assert_terminal_safe(&out.stderr);
        assert_eq!(out.stderr.lines().count(), 1, "{out:?}");
        assert_eq!(std::fs::read_to_string(t.config_path()).unwrap(), before);
    }
    // A good one still goes in, once.
    configure(ROLE).ok();
    let text = std::fs::read_to_string(t.config_path()).unwrap();
    assert!(!text.contains("evil"), "{text}");
    assert!(!t.root().join("PWN").exists());
}

/// A scripted Identity Center: RegisterClient, the device flow (approved
/// at the first poll), the portal's lists and role credentials, with the
/// parts a test makes hostile.
struct Center {
    server: Scripted,
}

struct Portal {
    /// StartDeviceAuthorization's answer (JSON), or None for a sane one.
    device: Option<Arc<dyn Fn() -> Reply + Send + Sync>>,
    accounts: String,
    roles: String,
    role_expiration_ms: i64,
    logout_status: u16,
    /// ListAccounts answers every page with an empty list and a token it
    /// never sent before.
    endless_accounts: bool,
    /// Once set, the first client id RegisterClient handed out is refused
    /// as unknown (the registration was deleted).
    forget_first_client: Arc<std::sync::atomic::AtomicBool>,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

impl Default for Portal {
    fn default() -> Self {
        Portal {
            device: None,
            accounts: r#"{"accountList":[{"accountId":"111111111100","accountName":"prod","emailAddress":"a@example.com"}]}"#.into(),
            roles: r#"{"roleList":[{"roleName":"Admin","accountId":"111111111100"}]}"#.into(),
            role_expiration_ms: now_ms() + 3_600_000,
            logout_status: 200,
            endless_accounts: false,
            forget_first_client: Default::default(),
        }
    }
}

impl Center {
    fn start(portal: Portal) -> Center {
        let registered = Arc::new(AtomicUsize::new(0));
        let pages = AtomicUsize::new(0);
        let server = Scripted::start(move |_method, path, body| {
            let path = path.split('?').next().unwrap_or(path);
            match path {
                "/client/register" => {
                    let n = registered.fetch_add(1, Ordering::SeqCst);
                    let now = now_ms() / 1000;
                    Reply::json(
                        200,
                        &format!(
                            r#"{{"clientId":"client-{n}","clientSecret":"secret-{n}","clientIdIssuedAt":{now},"clientSecretExpiresAt":{}}}"#,
                            now + 90 * 86400
                        ),
                    )
                }
                "/device_authorization" => {
                    if portal.forget_first_client.load(Ordering::SeqCst)
                        && body.contains("\"client-0\"")
                    {
                        return Reply::aws_error(
                            400,
                            "InvalidClientException",
                            r#"{"error":"invalid_client","error_description":"unknown client"}"#,
                        );
                    }
                    match &portal.device {
                        Some(device) => device(),
                        None => Reply::json(
                            200,
                            r#"{"deviceCode":"device-1","userCode":"ABCD-EFGH","verificationUri":"https://device.sso.eu-west-1.amazonaws.com/","verificationUriComplete":"https://device.sso.eu-west-1.amazonaws.com/?user_code=ABCD-EFGH","expiresIn":600,"interval":1}"#,
                        ),
                    }
                }
                "/token" => Reply::json(
                    200,
                    r#"{"accessToken":"access-1","tokenType":"Bearer","expiresIn":3600,"refreshToken":"refresh-1"}"#,
                ),
                "/assignment/accounts" if portal.endless_accounts => Reply::json(
                    200,
                    &format!(
                        r#"{{"accountList":[],"nextToken":"page-{}"}}"#,
                        pages.fetch_add(1, Ordering::SeqCst)
                    ),
                ),
                "/assignment/accounts" => Reply::json(200, &portal.accounts),
                "/assignment/roles" => Reply::json(200, &portal.roles),
                "/federation/credentials" => Reply::json(
                    200,
                    &format!(
                        r#"{{"roleCredentials":{{"accessKeyId":"ASIAPORTALEXAMPLE001","secretAccessKey":"portalSecretEXAMPLE","sessionToken":"portalTokenEXAMPLE","expiration":{}}}}}"#,
                        portal.role_expiration_ms
                    ),
                ),
                "/logout" => Reply::json(portal.logout_status, "{}"),
                _ => Reply::json(404, "{}"),
            }
        });
        Center { server }
    }
}

/// The credential_process line's flags for the portal's one role.
const ROLE_LINE: [&str; 6] = [
    "--sso-session",
    "corp",
    "--account-id",
    "111111111100",
    "--role-name",
    "Admin",
];

const SESSION: &str = "[sso-session corp]\nsso_start_url = https://example.awsapps.com/start\n\
    sso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n";

/// A world for Identity Center: the session `corp` in the config file, a
/// Secret Service, and the scripted center.
struct World {
    t: TestEnv,
    center: Center,
}

impl World {
    fn new(portal: Portal) -> World {
        let t = TestEnv::native();
        t.write_config(SESSION);
        World {
            t,
            center: Center::start(portal),
        }
    }

    fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = self.t.command(program);
        reach_identity_center(&mut cmd, &self.center.server.endpoint);
        cmd
    }

    fn run(&self, args: &[&str]) -> Run {
        let mut cmd = self.command(bin());
        cmd.args(args);
        Run::new(cmd)
    }

    fn login(&self) -> Out {
        self.run(&DEVICE_LOGIN).ok()
    }
}

/// Item 2: account ids and role names from the portal that are not AWS's
/// shape are skipped and named escaped; no second credential_process, no
/// section of the portal's making.
#[test]
fn sso_configure_skips_portal_rows_that_are_not_aws_shaped() {
    let w = World::new(Portal {
        accounts: r#"{"accountList":[
            {"accountId":"222222222222 --role-name Admin\ncredential_process = sh -c \"touch /tmp/PWN\" #","accountName":"evil","emailAddress":"e@example.com"},
            {"accountId":"111111111100","accountName":"prod\n[profile x]\u001b[2J","emailAddress":"a@example.com"}]}"#
            .into(),
        roles: r#"{"roleList":[{"roleName":"Admin","accountId":"111111111100"},{"roleName":"R\n[profile evil2]\ncredential_process = sh","accountId":"111111111100"}]}"#
            .into(),
        ..Portal::default()
    });
    w.login();
    let out = w
        .run(&["sso", "configure", "--session", "corp", "--prefix", "x-"])
        .ok();
    out.stderr_has(&[
        "skipped an account the portal listed with the id '222222222222 --role-name Admin\\ncredential_process",
        "skipped a role of account 111111111100 the portal listed as 'R\\n[profile evil2]",
    ]);
    assert_terminal_safe(&out.stderr);
    let text = std::fs::read_to_string(w.t.config_path()).unwrap();
    assert!(!text.contains("evil"), "{text}");
    assert!(!text.contains("touch"), "{text}");
    assert_eq!(text.matches("credential_process").count(), 1, "{text}");
    assert!(
        text.contains("[profile x-prod--profile-x---2J-Admin]"),
        "{text}"
    );
    // The table of `sso accounts` keeps each row on its line.
    let out = w.run(&["sso", "accounts", "--session", "corp"]).ok();
    assert_eq!(out.stdout.lines().count(), 2, "{:?}", out.stdout);
    assert_terminal_safe(&out.stdout);
}

/// Items 8 and 9: a verification URI that is an option, a file, a script
/// or an escape sequence is never handed to the browser, nor printed raw.
#[test]
fn a_hostile_verification_uri_opens_nothing() {
    let browser_log_dir = tempfile::tempdir().unwrap();
    let log = browser_log_dir.path().join("browser.log");
    let browser = browser_log_dir.path().join("browser");
    std::fs::write(
        &browser,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do echo \"ARG:$a\" >> '{}'; done\n",
            log.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(
        &browser,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    for uri in [
        "--renderer-cmd-prefix=touch /tmp/PWN",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "https://x.example/\u{1b}]8;;https://evil.example\u{1b}\\link\u{1b}]8;;\u{1b}\\\u{1b}[2J",
        "http://evil.example/device",
    ] {
        let body = serde_json::json!({
            "deviceCode": "device-1", "userCode": "ABCD-EFGH",
            "verificationUri": uri, "verificationUriComplete": uri,
            "expiresIn": 600, "interval": 1,
        })
        .to_string();
        let w = World::new(Portal {
            device: Some(Arc::new(move || Reply::json(200, &body))),
            ..Portal::default()
        });
        let out = w
            .run(&["sso", "login", "--session", "corp", "--use-device-code"])
            .env("BROWSER", browser.to_str().unwrap())
            .env("DISPLAY", ":99")
            .fails(1);
        out.stderr_has(&["is not a URL awscreds-rs opens", "nothing was opened"]);
        assert_terminal_safe(&out.stderr);
        assert!(!log.exists(), "the browser was started for {uri:?}");
        assert_eq!(w.center.server.count("/token"), 0);
    }
    // A good URI reaches the browser as its one argument.
    let w = World::new(Portal::default());
    w.run(&["sso", "login", "--session", "corp", "--use-device-code"])
        .env("BROWSER", browser.to_str().unwrap())
        .env("DISPLAY", ":99")
        .ok();
    wait_until("the browser runs", Duration::from_secs(10), || log.exists());
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        "ARG:https://device.sso.eu-west-1.amazonaws.com/?user_code=ABCD-EFGH\n"
    );
}

/// Item 11: a 2 MiB StartDeviceAuthorization answer is refused before it
/// is read; an interval of a million seconds is bounded by the code's
/// own expiry.
#[test]
fn unbounded_device_flow_answers_are_bounded() {
    let w = World::new(Portal {
        device: Some(Arc::new(|| {
            let mut reply = Reply::json(200, "");
            reply.body = vec![b' '; 2 * 1024 * 1024];
            reply
        })),
        ..Portal::default()
    });
    let out = w.run(&DEVICE_LOGIN).fails(1);
    out.stderr_has(&["StartDeviceAuthorization failed", "more than the 1048576"]);

    let w = World::new(Portal {
        device: Some(Arc::new(|| {
            Reply::json(
                200,
                r#"{"deviceCode":"device-1","userCode":"ABCD-EFGH","verificationUri":"https://device.example/","expiresIn":3,"interval":1000000}"#,
            )
        })),
        ..Portal::default()
    });
    let mut cmd = w.command(bin());
    cmd.args(DEVICE_LOGIN);
    let status = run_within(cmd, Duration::from_secs(30));
    assert!(
        status.is_some(),
        "an interval of a million seconds was slept"
    );
}

/// Runs `cmd` (its output discarded); its status, or `None` when it had
/// not ended within `limit` (it is killed then).
fn run_within(mut cmd: Command, limit: Duration) -> Option<std::process::ExitStatus> {
    let mut child = cmd
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().ok();
    child.wait().ok();
    None
}

/// Item 13: a stored client registration that Identity Center no longer
/// knows is replaced, and the login goes on.
#[test]
fn a_forgotten_client_registration_is_registered_again() {
    let forget = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let w = World::new(Portal {
        forget_first_client: forget.clone(),
        ..Portal::default()
    });
    w.login();
    assert_eq!(w.center.server.count("/client/register"), 1);
    forget.store(true, Ordering::SeqCst);
    w.login().stderr_has(&["Logged in to 'corp'"]);
    assert_eq!(w.center.server.count("/client/register"), 2);
    w.run(&ROLE_LINE).ok();
}

/// Item 16: with Identity Center's Logout failing, `sso logout` still
/// drops the tokens and says that the server-side logout failed.
#[test]
fn sso_logout_says_when_the_server_side_logout_failed() {
    let w = World::new(Portal {
        logout_status: 500,
        ..Portal::default()
    });
    w.login();
    let out = w.run(&["sso", "logout", "--session", "corp"]).ok();
    out.stderr_has(&[
        "Dropped 1 entry of Identity Center session 'corp'",
        "Identity Center's Logout failed",
        "stays valid there until it expires",
    ]);
    assert!(!out
        .stderr
        .contains("Logged out of 'corp' at Identity Center too"));
    let w = World::new(Portal::default());
    w.login();
    w.run(&["sso", "logout", "--session", "corp"])
        .ok()
        .stderr_has(&["Logged out of 'corp' at Identity Center too"]);
}

/// Item 7: role credentials that expired before they were issued are
/// refused with a word about the clock, printed never, cached never.
#[test]
fn expired_credentials_from_a_server_are_never_printed() {
    let w = World::new(Portal {
        role_expiration_ms: now_ms() - 3_600_000,
        ..Portal::default()
    });
    w.login();
    let out = w.run(&ROLE_LINE).fails(1);
    out.stderr_has(&[
        "GetRoleCredentials issued credentials that expired",
        "clock",
    ]);
    w.run(&ROLE_LINE).fails(1);
    assert_eq!(w.center.server.count("/federation/credentials"), 2);

    // The same from STS for a role line.
    let t = TestEnv::with_key("helen");
    let answer = assume_role_answer("2001-01-01T00:00:00Z");
    let sts = Scripted::start(move |_, _, _| Reply::xml(200, &answer));
    let out = t
        .run(&["--username", "helen", "--role-arn", ROLE])
        .env("AWS_ENDPOINT_URL_STS", &sts.endpoint)
        .env("AWS_REGION", "us-east-1")
        .fails(1);
    out.stderr_has(&["AssumeRole issued credentials that expired", "clock"]);
}

/// Item 6: an STS that answers after 100 s is an error well within the
/// Go SDK's 60 s, and so is an Identity Center that never answers.
#[test]
fn a_server_that_does_not_answer_is_an_error_in_seconds() {
    let t = TestEnv::with_key("helen");
    let answer = assume_role_answer("2099-01-01T00:00:00Z");
    let sts =
        Scripted::start(move |_, _, _| Reply::xml(200, &answer).after(Duration::from_secs(100)));
    let started = Instant::now();
    let out = t
        .run(&["--username", "helen", "--role-arn", ROLE])
        .env("AWS_ENDPOINT_URL_STS", &sts.endpoint)
        .env("AWS_REGION", "us-east-1")
        .fails(1);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(20), "{took:?}: {out:?}");
    out.stderr_has(&["AssumeRole failed", "did not answer in time"]);

    let w = World::new(Portal {
        device: Some(Arc::new(|| {
            Reply::json(200, "{}").after(Duration::from_secs(100))
        })),
        ..Portal::default()
    });
    let started = Instant::now();
    w.run(&DEVICE_LOGIN)
        .fails(1)
        .stderr_has(&["StartDeviceAuthorization failed"]);
    assert!(started.elapsed() < Duration::from_secs(20));
}

/// Item 9: an STS error message with escape sequences, C1 controls and a
/// right-to-left override reaches the terminal without them; so does a
/// profile name pasted with an escape sequence.
#[test]
fn server_text_and_pasted_names_reach_the_terminal_clean() {
    let t = TestEnv::with_key("helen");
    let sts = Scripted::start(|_, _, _| {
        Reply::xml(
            403,
            "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>\
             <Message>denied \u{9b}31m \u{85} \u{202e}gnp.exe\nnext</Message>\
             </Error><RequestId>r</RequestId></ErrorResponse>",
        )
    });
    let out = t
        .run(&["--username", "helen", "--role-arn", ROLE])
        .env("AWS_ENDPOINT_URL_STS", &sts.endpoint)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_MAX_ATTEMPTS", "1")
        .fails(1);
    out.stderr_has(&["AccessDenied: denied ?31m ? ?gnp.exe?next"]);
    assert_terminal_safe(&out.stderr);
    assert_eq!(out.stderr.lines().count(), 1, "{out:?}");

    let out = t
        .run(&["exec", "--profile", "\u{1b}[31mred\u{9b}", "--", "true"])
        .output();
    assert_ne!(out.code, 0);
    assert_terminal_safe(&out.stderr);
}

/// Item 10: a FIFO, a link to /dev/zero, a file of 300 MB (sparse) and a
/// link to a token elsewhere in `~/.aws/sso/cache` neither hang nor bloat
/// `import --sso` and `doctor`; the link's target is not claimed removed.
#[test]
fn a_poisoned_sso_cache_is_passed_over_in_seconds() {
    let t = TestEnv::native();
    t.write_config(SESSION);
    let cache = t.home.join(".aws/sso/cache");
    std::fs::create_dir_all(&cache).unwrap();
    let fifo = cache.join("fifo.json");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    std::os::unix::fs::symlink("/dev/zero", cache.join("zero.json")).unwrap();
    let big = std::fs::File::create(cache.join("big.json")).unwrap();
    big.set_len(300 * 1024 * 1024).unwrap();
    let elsewhere = t.root().join("elsewhere.json");
    let token = serde_json::json!({
        "startUrl": "https://example.awsapps.com/start", "region": "eu-west-1",
        "accessToken": "plaintext-elsewhere", "expiresAt": "2099-01-01T00:00:00Z",
        "clientId": "c", "clientSecret": "s", "registrationExpiresAt": "2099-01-01T00:00:00Z",
    });
    std::fs::write(&elsewhere, token.to_string()).unwrap();
    std::os::unix::fs::symlink(&elsewhere, cache.join("link.json")).unwrap();

    // A FIFO would hang a plain read: the command must end by itself.
    let mut import = t.command(bin());
    import.args(["import", "--sso"]);
    assert!(
        run_within(import, Duration::from_secs(20)).is_some(),
        "import --sso hung on the cache"
    );
    let out = t.run(&["import", "--sso"]).output();
    out.stderr_has(&[
        "fifo.json: it is not a regular file",
        "zero.json: it is a symbolic link",
        "link.json: it is a symbolic link",
        "big.json: it is larger than 64 KiB",
        "No AWS CLI token cache for session 'corp'",
    ]);
    assert!(
        !out.stderr.contains("Removed the plaintext cache"),
        "{out:?}"
    );
    assert!(elsewhere.exists() && cache.join("link.json").exists());

    let mut doctor = t.command(bin());
    doctor.args(["doctor", "--json"]);
    assert!(
        run_within(doctor, Duration::from_secs(20)).is_some(),
        "doctor hung on the cache"
    );
}

/// Item 17: an error written to a stderr that cannot take it is no
/// abort: the ordinary status, no SIGABRT.
#[test]
fn a_full_or_closed_stderr_is_no_abort() {
    let t = TestEnv::native();
    let status_with_stderr = |stderr: std::process::Stdio| {
        t.command(bin())
            .args(["--username", "missing"])
            .stdout(std::process::Stdio::null())
            .stderr(stderr)
            .status()
            .unwrap()
    };
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let status = status_with_stderr(full.into());
    assert_eq!(status.code(), Some(1), "{status:?}");
    // A pipe whose reader has gone: EPIPE on every write.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let status = status_with_stderr(writer.into());
    assert_eq!(status.code(), Some(1), "{status:?}");
}

/// Item 12: a profile that runs an Identity Center role through
/// awscreds-rs is served to containers and refreshed like any other.
#[test]
fn serve_and_refresh_take_an_identity_center_role() {
    let w = World::new(Portal::default());
    w.login();
    w.run(
        &[
            ["configure", "--profile", "sso-admin"].as_slice(),
            &ROLE_LINE,
        ]
        .concat(),
    )
    .ok();
    let out = w.run(&["refresh", "--profile", "sso-admin"]).ok();
    assert!(
        out.stdout
            .contains("runs the Identity Center role Admin in account 111111111100"),
        "{out:?}"
    );
    let fetch = "import json, os, urllib.request; \
        r = urllib.request.Request(os.environ['AWS_CONTAINER_CREDENTIALS_FULL_URI'], \
        headers={'Authorization': os.environ['AWS_CONTAINER_AUTHORIZATION_TOKEN']}); \
        print(json.loads(urllib.request.urlopen(r).read())['AccessKeyId'])";
    let mut cmd = w.command(bin());
    cmd.args(["exec", "--server", "--profile", "sso-admin", "--"])
        .arg(client(".venv/bin/python"))
        .args(["-c", fetch]);
    let out = Run::new(cmd).ok();
    assert_eq!(out.stdout, "ASIAPORTALEXAMPLE001\n", "{out:?}");
}

/// Beyond the items (found in the attack): a portal that sends a new page
/// token with every page ends the listing after 1,000 pages, with an
/// error and nothing written.
#[test]
fn an_endless_listing_ends() {
    let w = World::new(Portal {
        endless_accounts: true,
        ..Portal::default()
    });
    w.login();
    let before = std::fs::read_to_string(w.t.config_path()).unwrap();
    let mut cmd = w.command(bin());
    cmd.args(["sso", "configure", "--session", "corp"]);
    let status = run_within(cmd, Duration::from_secs(120));
    assert_eq!(status.and_then(|s| s.code()), Some(1), "{status:?}");
    w.run(&["sso", "accounts", "--session", "corp"])
        .fails(1)
        .stderr_has(&["ListAccounts went on past 1000 pages"]);
    assert_eq!(std::fs::read_to_string(w.t.config_path()).unwrap(), before);
    assert!(w.center.server.count("/assignment/accounts") <= 2 * 1001);
}
