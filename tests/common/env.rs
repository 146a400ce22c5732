//! One test's world: a temporary HOME, AWS files inside it, and a store.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// One test's world: a temporary HOME, AWS files inside it, and a store.
pub struct TestEnv {
    root: tempfile::TempDir,
    pub home: PathBuf,
    pub store: &'static str,
    pub ss: Option<SecretService>,
    /// Names handed out on the shared kernel keyring, removed on drop.
    names: std::sync::Mutex<Vec<String>>,
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
        std::fs::create_dir_all(root.path().join("tmp")).unwrap();
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

    /// A real Secret Service with AWS's example long-term key stored for
    /// `name`.
    pub fn with_key(name: &str) -> Self {
        let t = Self::secret_service();
        t.run(&["add", "--username", name])
            .stdin(&long_term_doc())
            .ok();
        t
    }

    /// A session bus with no Secret Service on it, and `auto`.
    pub fn bus_without_keyring() -> Self {
        Self::new("auto", Some(false))
    }

    /// The encrypted file store, without a session bus. Its unlocked
    /// identity lives in the shared kernel keyring under a description of
    /// its own; dropping the world locks the store.
    pub fn file_store() -> Self {
        Self::new("file", None)
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
        self.names.lock().unwrap().push(name.clone());
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
            .env("TMPDIR", self.root().join("tmp"))
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

    /// The names of the entries awscreds-rs keeps in this test's Secret
    /// Service, sorted, as secret-tool sees them (it prints attributes on
    /// stderr).
    pub fn stored_names(&self) -> Vec<String> {
        let out = self
            .command("secret-tool")
            .args(["search", "--all", "service", "awscreds-rs"])
            .output()
            .unwrap();
        let mut names: Vec<String> = String::from_utf8_lossy(&out.stderr)
            .lines()
            .filter_map(|l| l.strip_prefix("attribute.username = "))
            .map(String::from)
            .collect();
        names.sort();
        names
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
        if self
            .home
            .join(".local/share/awscreds-rs/store/recipient")
            .exists()
        {
            let _ = self.run(&["lock"]).output();
        }
        if self.store == "keyutils" {
            for name in self.names.lock().unwrap().iter() {
                let _ = self.run(&["remove", "--username", name]).output();
            }
        }
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
