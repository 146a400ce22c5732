//! The integration-test harness, by part: `bus` starts a private D-Bus
//! daemon and an unlocked gnome-keyring, `env` gives each test a temporary
//! HOME with a store, `run` runs the installed binary and checks what it
//! said, `sts` puts moto's server behind a counting proxy, `scripted` plays a
//! hostile server, `service` runs a local fake of an AWS service. Here: the
//! example keys, and where the project and its AWS clients are.
#![allow(dead_code, unused_imports)]

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;

mod bus;
mod env;
pub mod filestore;
mod run;
mod running;
mod scripted;
mod service;
mod sts;

pub use bus::{bus_config, SecretService};
pub use env::{profiles_env, TestEnv};
pub use run::{bin, faults_bin, wine, Out, Run, INSTALL_ROOT};
pub use running::Running;
pub use scripted::{Reply, Scripted};
pub use service::LocalService;
pub use sts::LocalSts;

pub const KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
pub const TEMP_KEY_ID: &str = "ASIAIOSFODNN7EXAMPLE";
pub const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
pub const TOKEN: &str = "FwoGZXIvYXdzEXAMPLEsessionTOKEN+with/slashes==";

/// The store entry that caches NAME's MFA session, named as the program
/// names it (`entry.rs`), not copied here.
pub fn mfa_entry(name: &str) -> String {
    awscreds_rs::entry::Entry::Mfa(name.to_string()).to_string()
}

/// A JSON document for a long-term key.
pub fn long_term_doc() -> String {
    format!(r#"{{"Version":1,"AccessKeyId":"{KEY_ID}","SecretAccessKey":"{SECRET}"}}"#)
}

/// A JSON document for temporary credentials that expire at `expiration`.
pub fn temporary_doc(expiration: &str) -> String {
    format!(
        r#"{{"Version":1,"AccessKeyId":"{TEMP_KEY_ID}","SecretAccessKey":"{SECRET}","SessionToken":"{TOKEN}","Expiration":"{expiration}"}}"#
    )
}

/// An expiration two hours from now, as the tool prints it.
pub fn in_two_hours() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 7200;
    let out = Command::new("date")
        .args(["-u", "-d", &format!("@{secs}"), "+%Y-%m-%dT%H:%M:%SZ"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// The test browser (tests/py/browser.py) as xdg-open and the usual
/// browser names in `root/browsers`: it records each URL it is given in
/// its log and does what a person would (see its doc).
pub struct TestBrowser {
    /// The PATH that finds it first.
    path: String,
    log: PathBuf,
    /// Its own path, for `BROWSER` or `--browser`.
    pub program: PathBuf,
}

impl TestBrowser {
    pub fn install(root: &std::path::Path) -> TestBrowser {
        let bin_dir = root.join("browsers");
        std::fs::create_dir_all(&bin_dir).unwrap();
        let browser = format!(
            "#!/bin/sh\nexec '{python}' '{script}' \"$1\"\n",
            python = client(".venv/bin/python").display(),
            script = project_dir().join("tests/py/browser.py").display(),
        );
        for name in ["xdg-open", "firefox", "sensible-browser", "www-browser"] {
            let path = bin_dir.join(name);
            std::fs::write(&path, &browser).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        TestBrowser {
            path: format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap()),
            log: root.join("browser.log"),
            program: bin_dir.join("firefox"),
        }
    }

    /// `cmd` finds the browser on PATH, with a display to show it on.
    pub fn reachable_from(&self, cmd: &mut Command) {
        cmd.env("PATH", &self.path)
            .env("DISPLAY", ":99")
            .env("TEST_BROWSER_LOG", &self.log);
    }

    /// What it was given and did, a line each.
    pub fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(String::from)
            .collect()
    }
}

/// What a probe (`cmd`, run to success) printed: one JSON document.
pub fn probed(cmd: Command) -> serde_json::Value {
    let out = Run::new(cmd).ok();
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"))
}

/// What aws-config's own profile provider gets from the awscreds-rs line
/// with `flags`, run (through `sh -c`) with `world`'s environment. The
/// line carries the variables itself (`env -i ...`): aws-config starts the
/// process with this process's environment, which other tests share.
pub async fn rust_sdk_reads_line(
    world: &Command,
    flags: &str,
    dir: &std::path::Path,
) -> aws_credential_types::Credentials {
    use aws_config::profile::ProfileFileCredentialsProvider;
    use aws_credential_types::provider::ProvideCredentials;
    use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};
    let mut vars = String::new();
    for (key, value) in world.get_envs() {
        if let (Some(key), Some(value)) = (key.to_str(), value.and_then(|v| v.to_str())) {
            vars.push_str(&format!(
                "{key}={} ",
                awscreds_rs::shellwords::quote_sh(value)
            ));
        }
    }
    let config = dir.join("rust-sdk-config");
    std::fs::write(
        &config,
        format!(
            "[profile rust]\ncredential_process = env -i {vars}{} {flags}\n",
            bin()
        ),
    )
    .unwrap();
    let files = EnvConfigFiles::builder()
        .with_file(EnvConfigFileKind::Config, &config)
        .build();
    let provider = ProfileFileCredentialsProvider::builder()
        .profile_files(files)
        .profile_name("rust")
        .build();
    provider.provide_credentials().await.unwrap()
}

/// boto3, the JS SDK (its ini provider) and both Go probes resolve
/// `profile`, each run by `probe` (a world's command with its
/// environment): they must agree on one key id, which is returned.
pub fn every_sdk_reads(
    profile: &str,
    probe: &dyn Fn(&std::path::Path, &[&str]) -> serde_json::Value,
) -> String {
    let boto3 = probe(
        &client(".venv/bin/python"),
        &[
            project_dir().join("tests/py/probe.py").to_str().unwrap(),
            profile,
        ],
    );
    let key = boto3["AccessKeyId"].as_str().unwrap().to_string();
    assert!(key.starts_with("ASIA"), "{boto3}");
    client("tests/js/node_modules/@aws-sdk/credential-providers");
    let node = probe(
        std::path::Path::new("node"),
        &[
            project_dir().join("tests/js/probe.mjs").to_str().unwrap(),
            "ini",
            profile,
        ],
    );
    assert_eq!(node["AccessKeyId"], key.as_str());
    for go in ["v1probe", "v2probe"] {
        let seen = probe(&client(&format!("target/go/{go}")), &[profile]);
        assert_eq!(seen["AccessKeyId"], key.as_str(), "{go}");
    }
    key
}

/// Sends `cmd`'s Identity Center calls (OIDC and portal) to `endpoint`,
/// in the session's region eu-west-1, as the SDKs read it.
pub fn reach_identity_center(cmd: &mut Command, endpoint: &str) {
    cmd.env("AWS_ENDPOINT_URL_SSO_OIDC", endpoint)
        .env("AWS_ENDPOINT_URL_SSO", endpoint)
        .env("AWS_REGION", "eu-west-1");
}

/// The project's checkout, where scripts/test.sh installs the clients.
pub fn project_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A client installed by scripts/test.sh; a missing one fails the test.
pub fn client(relative: &str) -> PathBuf {
    let path = project_dir().join(relative);
    assert!(
        path.exists(),
        "{} is missing: run scripts/test.sh, which installs the AWS clients the tests use",
        path.display()
    );
    path
}

/// The pids of running processes whose command line holds `marker`
/// (read from /proc, so a test can see what a command left behind).
pub fn processes_with(marker: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        if String::from_utf8_lossy(&cmdline).contains(marker) {
            found.push(pid);
        }
    }
    found
}

/// Polls `ready` every 10 ms until it holds, and fails the test, naming
/// `what`, once `limit` has passed: no poll in the tests waits for ever.
pub fn wait_until(what: &str, limit: std::time::Duration, mut ready: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !ready() {
        assert!(start.elapsed() < limit, "{what} within {limit:?}");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// Waits up to `limit` for no process to hold `marker`; the ones left.
pub fn processes_left(marker: &str, limit: std::time::Duration) -> Vec<u32> {
    let start = std::time::Instant::now();
    loop {
        let left = processes_with(marker);
        if left.is_empty() || start.elapsed() > limit {
            return left;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// boto3 (tests/py/probe.py) resolving `profile`: its output, whatever
/// the exit status.
pub fn python(t: &TestEnv, profile: &str) -> Out {
    let mut cmd = t.command(client(".venv/bin/python"));
    cmd.arg(project_dir().join("tests/py/probe.py"))
        .arg(profile);
    Run::new(cmd).output()
}

/// boto3 resolves `profile` to the test's long-term key, by `method`.
#[track_caller]
pub fn resolves_to_the_key(t: &TestEnv, profile: &str, method: &str) {
    let out = python(t, profile);
    assert_eq!(out.code, 0, "{out:?}");
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["AccessKeyId"], KEY_ID, "{out:?}");
    assert_eq!(v["SecretAccessKey"], SECRET, "{out:?}");
    assert_eq!(v["Method"], method, "{out:?}");
}

/// The mode of a path, as `ls -l` shows it in octal.
pub fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// A credentials file with plaintext keys for [default].
pub const CREDENTIALS: &str = "# work keys\n[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\n[other]\nregion = eu-west-1\n";

/// A Secret Service test HOME whose credentials file (mode 0600) holds
/// [`CREDENTIALS`], and a config file with a region.
pub fn import_env() -> TestEnv {
    let t = TestEnv::secret_service();
    std::fs::write(t.home.join(".aws/credentials"), CREDENTIALS).unwrap();
    std::fs::set_permissions(
        t.home.join(".aws/credentials"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    t.write_config("[default]\nregion = us-east-1\n");
    t
}
