//! The integration-test harness: a temporary HOME per test, a real Secret
//! Service (a private D-Bus daemon and an unlocked gnome-keyring that this
//! harness starts and stops itself), the kernel keyring, and the paths of
//! the real AWS clients that scripts/test.sh installs.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub const KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
pub const TEMP_KEY_ID: &str = "ASIAIOSFODNN7EXAMPLE";
pub const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
pub const TOKEN: &str = "FwoGZXIvYXdzEXAMPLEsessionTOKEN+with/slashes==";

/// Where scripts/test.sh installs the binary, as a user would:
/// `cargo install --locked --path . --root target/installed`.
pub const INSTALL_ROOT: &str = "target/installed";

/// The binary every test runs: the one `cargo install` builds, never the
/// test build (which has the dev-dependencies' features unified in).
/// `AWSCREDS_TEST_BIN` names another. A missing binary, or one older than
/// the sources, fails the test with the command that installs it.
pub fn bin() -> &'static str {
    static BIN: OnceLock<String> = OnceLock::new();
    BIN.get_or_init(|| {
        let path = match std::env::var_os("AWSCREDS_TEST_BIN") {
            Some(path) => PathBuf::from(path),
            None => project_dir().join(INSTALL_ROOT).join("bin/awscreds-rs"),
        };
        let install = format!(
            "run scripts/test.sh, or: cargo install --locked --path . --root {INSTALL_ROOT}"
        );
        let built = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .unwrap_or_else(|_| panic!("{} is missing: {install}", path.display()));
        let sources = ["src", "shell", "man", "Cargo.toml", "Cargo.lock"];
        for source in sources {
            if let Some(newer) = newer_than(&project_dir().join(source), built) {
                panic!(
                    "{} is older than {}: {install}",
                    path.display(),
                    newer.display()
                );
            }
        }
        path.to_str().expect("a UTF-8 path").to_string()
    })
}

/// A source file at or below `path` modified after `time` (the man page,
/// which the binary generates, is not a source).
fn newer_than(path: &Path, time: std::time::SystemTime) -> Option<PathBuf> {
    let meta = std::fs::metadata(path).ok()?;
    if path.extension().is_some_and(|e| e == "1") {
        None
    } else if meta.is_dir() {
        std::fs::read_dir(path)
            .ok()?
            .flatten()
            .find_map(|entry| newer_than(&entry.path(), time))
    } else {
        (meta.modified().ok()? > time).then(|| path.to_path_buf())
    }
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

/// A D-Bus session daemon and, optionally, gnome-keyring on it.
pub struct SecretService {
    bus: Child,
    keyring: Option<Child>,
    pub address: String,
}

impl SecretService {
    /// Starts a bus with no service activation (so nothing but what we start
    /// can own a name) and, when `with_keyring`, an unlocked gnome-keyring.
    fn start(root: &Path, home: &Path, runtime: &Path, with_keyring: bool) -> Self {
        let config = root.join("bus.conf");
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                root.join("bus").display()
            ),
        )
        .unwrap();
        let mut bus = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--print-address=1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon (Debian package dbus) must be installed");
        let mut address = String::new();
        let mut stdout = bus.stdout.take().unwrap();
        let mut byte = [0u8; 1];
        while stdout.read(&mut byte).unwrap() == 1 && byte[0] != b'\n' {
            address.push(byte[0] as char);
        }
        let mut service = SecretService {
            bus,
            keyring: None,
            address,
        };
        if with_keyring {
            let mut keyring = Command::new("gnome-keyring-daemon")
                .args(["--foreground", "--unlock", "--components=secrets"])
                .env_clear()
                .env("HOME", home)
                .env("XDG_RUNTIME_DIR", runtime)
                .env("DBUS_SESSION_BUS_ADDRESS", &service.address)
                .env("PATH", std::env::var_os("PATH").unwrap())
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("gnome-keyring-daemon (Debian package gnome-keyring) must be installed");
            // The unlock password on stdin, then EOF.
            keyring
                .stdin
                .take()
                .unwrap()
                .write_all(b"test-password")
                .unwrap();
            service.keyring = Some(keyring);
            service.wait_for_name("org.freedesktop.secrets");
        }
        service
    }

    fn wait_for_name(&self, name: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            let out = self.dbus_send(
                "org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                &[&format!("string:{name}")],
            );
            if out.contains("boolean true") {
                return;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!("{name} did not appear on the test bus");
    }

    /// Calls a D-Bus method on this bus and returns the printed reply.
    pub fn dbus_send(&self, dest: &str, path: &str, method: &str, args: &[&str]) -> String {
        let out = Command::new("dbus-send")
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .args([
                "--session",
                "--print-reply",
                &format!("--dest={dest}"),
                path,
                method,
            ])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Locks the default collection, as a screen lock or a timeout would.
    pub fn lock(&self) {
        let reply = self.dbus_send(
            "org.freedesktop.secrets",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.Lock",
            &["array:objpath:/org/freedesktop/secrets/collection/login"],
        );
        assert!(reply.contains("collection/login"), "lock failed: {reply}");
    }

    pub fn stop_keyring(&mut self) {
        if let Some(mut child) = self.keyring.take() {
            child.kill().ok();
            child.wait().ok();
        }
    }
}

impl Drop for SecretService {
    fn drop(&mut self) {
        self.stop_keyring();
        self.bus.kill().ok();
        self.bus.wait().ok();
    }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// One test's world: a temporary HOME, AWS files inside it, and a store.
pub struct TestEnv {
    root: tempfile::TempDir,
    pub home: PathBuf,
    pub store: &'static str,
    pub ss: Option<SecretService>,
    /// Names handed out on the shared kernel keyring, removed on drop.
    names: std::cell::RefCell<Vec<String>>,
}

impl TestEnv {
    fn new(store: &'static str, bus: Option<bool>) -> Self {
        let root = tempfile::Builder::new()
            .prefix("awscreds-test-")
            .tempdir()
            .unwrap();
        let home = root.path().join("home");
        let runtime = root.path().join("run");
        std::fs::create_dir_all(home.join(".aws")).unwrap();
        std::fs::create_dir_all(&runtime).unwrap();
        std::fs::set_permissions(
            &runtime,
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )
        .unwrap();
        let ss = bus.map(|keyring| SecretService::start(root.path(), &home, &runtime, keyring));
        TestEnv {
            root,
            home,
            store,
            ss,
            names: Default::default(),
        }
    }

    /// A real Secret Service, used through `--store secret-service`.
    pub fn secret_service() -> Self {
        Self::new("secret-service", Some(true))
    }

    /// A session bus with no Secret Service on it, and `auto`.
    pub fn bus_without_keyring() -> Self {
        Self::new("auto", Some(false))
    }

    /// The real kernel keyring, shared by every test: use [`TestEnv::name`].
    pub fn keyutils() -> Self {
        Self::new("keyutils", None)
    }

    pub fn root(&self) -> &Path {
        self.root.path()
    }

    pub fn ss(&self) -> &SecretService {
        self.ss.as_ref().expect("this test has a Secret Service")
    }

    /// A NAME unique to this test (the kernel keyring is shared by all).
    pub fn name(&self, base: &str) -> String {
        let name = if self.store == "keyutils" {
            format!(
                "{base}-{}-{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::Relaxed)
            )
        } else {
            base.to_string()
        };
        self.names.borrow_mut().push(name.clone());
        name
    }

    pub fn config_path(&self) -> PathBuf {
        self.home.join(".aws/config")
    }

    pub fn write_config(&self, text: &str) {
        std::fs::write(self.config_path(), text).unwrap();
    }

    /// A command with this world's environment and nothing of the caller's.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap())
            .env("HOME", &self.home)
            .env("XDG_RUNTIME_DIR", self.root().join("run"))
            .env("AWS_CONFIG_FILE", self.config_path())
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.home.join(".aws/credentials"),
            )
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWSCREDS_STORE", self.store)
            .current_dir(&self.home);
        if let Some(ss) = &self.ss {
            cmd.env("DBUS_SESSION_BUS_ADDRESS", &ss.address);
        }
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let mut cmd = self.command(bin());
        cmd.args(args);
        Run::new(cmd)
    }

    /// Every file under the test's root that contains `needle`.
    pub fn files_containing(&self, needle: &str) -> Vec<PathBuf> {
        let mut found = Vec::new();
        let mut stack = vec![self.root().to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                let kind = entry.file_type().unwrap();
                if kind.is_dir() {
                    stack.push(path);
                } else if kind.is_file() {
                    let bytes = std::fs::read(&path).unwrap_or_default();
                    if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                        found.push(path);
                    }
                }
            }
        }
        found
    }
}

impl Drop for TestEnv {
    fn drop(&mut self) {
        if self.store == "keyutils" {
            for name in self.names.borrow().iter() {
                let _ = self.run(&["remove", "--username", name]).output();
            }
        }
    }
}

/// A command being set up.
pub struct Run {
    pub cmd: Command,
    stdin: Option<String>,
}

impl Run {
    pub fn new(cmd: Command) -> Self {
        Run { cmd, stdin: None }
    }

    pub fn stdin(mut self, text: &str) -> Self {
        self.stdin = Some(text.to_string());
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.cmd.env(key, value);
        self
    }

    pub fn output(mut self) -> Out {
        self.cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // A binary a test has just copied can be briefly busy (ETXTBSY): a
        // sibling test's fork may hold the copy's write descriptor until it
        // execs. Try again for a moment.
        let mut tries = 0;
        let mut child = loop {
            match self.cmd.spawn() {
                Err(e) if e.raw_os_error() == Some(26) && tries < 100 => {
                    tries += 1;
                    std::thread::sleep(Duration::from_millis(10));
                }
                other => break other.expect("command starts"),
            }
        };
        let mut stdin = child.stdin.take().unwrap();
        if let Some(text) = &self.stdin {
            stdin.write_all(text.as_bytes()).unwrap();
        }
        drop(stdin);
        let out = child.wait_with_output().unwrap();
        Out {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs and asserts exit 0.
    pub fn ok(self) -> Out {
        let out = self.output();
        assert_eq!(out.code, 0, "expected success, got {out:?}");
        out
    }

    /// Runs and asserts the exit code, an empty stdout, and a one-line stderr.
    pub fn fails(self, code: i32) -> Out {
        let out = self.output();
        assert_eq!(out.code, code, "expected exit {code}, got {out:?}");
        assert_eq!(out.stdout, "", "a failure prints nothing on stdout");
        out
    }
}

#[derive(Debug)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    pub fn stderr_has(&self, parts: &[&str]) -> &Self {
        for part in parts {
            assert!(
                self.stderr.contains(part),
                "stderr lacks {part:?}: {}",
                self.stderr
            );
        }
        self
    }
}

/// Stores a long-term key for `helen` and temporary credentials for `ci`,
/// copies the binary into a directory whose name has a space, and writes
/// profiles `app`, `tmp` and `missing` that run it.
pub fn profiles_env() -> (TestEnv, String) {
    let t = TestEnv::secret_service();
    let expiration = in_two_hours();
    t.run(&["add", "--username", "helen"])
        .stdin(&long_term_doc())
        .ok();
    t.run(&["add", "--username", "ci"])
        .stdin(&temporary_doc(&expiration))
        .ok();
    let dir = t.root().join("bin dir");
    std::fs::create_dir_all(&dir).unwrap();
    let bin = dir.join("awscreds-rs");
    std::fs::copy(self::bin(), &bin).unwrap();
    let line = |name: &str| {
        format!(
            "credential_process = \"{}\" --username {name}",
            bin.display()
        )
    };
    t.write_config(&format!(
        "[profile app]\n{}\nregion = us-west-2\n\n[profile tmp]\n{}\nregion = us-east-1\n\n\
         [profile missing]\n{}\nregion = us-east-1\n",
        line("helen"),
        line("ci"),
        line("nobody"),
    ));
    (t, expiration)
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

/// moto's server (PyPI) as a local STS, behind a proxy of ours that counts
/// and records the calls it sees. Both stop on drop.
pub struct LocalSts {
    moto: Child,
    /// The endpoint to give as AWS_ENDPOINT_URL_STS.
    pub endpoint: String,
    calls: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl LocalSts {
    pub fn start() -> LocalSts {
        let port = free_port();
        let moto = Command::new(client(".venv/bin/moto_server"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "moto_server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        let calls = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let seen = calls.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let seen = seen.clone();
                std::thread::spawn(move || forward(client, port, &seen));
            }
        });
        LocalSts {
            moto,
            endpoint,
            calls,
        }
    }

    /// The bodies of the requests STS saw (form-encoded: `Action=...&...`).
    pub fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }

    pub fn count(&self, action: &str) -> usize {
        self.calls()
            .iter()
            .filter(|c| c.contains(&format!("Action={action}")))
            .count()
    }
}

/// Passes one request to moto with `Connection: close` and its answer back.
fn forward(client: std::net::TcpStream, port: u16, seen: &std::sync::Mutex<Vec<String>>) {
    use std::io::BufRead;
    let mut reader = std::io::BufReader::new(client.try_clone().unwrap());
    let mut head = Vec::new();
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        if line == "\r\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        if !lower.starts_with("connection:") {
            head.push(line);
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    seen.lock()
        .unwrap()
        .push(String::from_utf8_lossy(&body).into_owned());
    let mut upstream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    for line in &head {
        upstream.write_all(line.as_bytes()).unwrap();
    }
    upstream.write_all(b"Connection: close\r\n\r\n").unwrap();
    upstream.write_all(&body).unwrap();
    let mut answer = Vec::new();
    upstream.read_to_end(&mut answer).unwrap();
    let mut client = client;
    let _ = client.write_all(&answer);
}

impl Drop for LocalSts {
    fn drop(&mut self) {
        self.moto.kill().ok();
        self.moto.wait().ok();
    }
}
