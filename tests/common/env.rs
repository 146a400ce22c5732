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
        if let Some(wine) = wine() {
            new_wine_prefix(&wine.join("prefix"), &root.path().join("prefix"));
        }
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

    /// The platform's own store: the Secret Service on Linux; under Wine
    /// the Windows Credential Manager of a Wine prefix of this test's own.
    pub fn native() -> Self {
        if wine().is_some() {
            Self::new("windows", None)
        } else {
            Self::secret_service()
        }
    }

    /// The platform's own store with AWS's example long-term key stored
    /// for `name`.
    pub fn with_key(name: &str) -> Self {
        let t = Self::native();
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

    /// How awscreds-rs names this test's store in its messages.
    pub fn label(&self) -> &'static str {
        awscreds_rs::store::StoreChoice::from_id(self.store)
            .and_then(|choice| choice.kind())
            .unwrap_or_else(|| panic!("no store is called {}", self.store))
            .label()
    }

    pub fn root(&self) -> &Path {
        self.root.path()
    }

    pub fn ss(&self) -> &SecretService {
        self.ss.as_ref().expect("this test has a Secret Service")
    }

    /// Whether this test's gnome-keyring had died and was started again
    /// (see `bus::revive`): for a test that runs its commands itself
    /// rather than through `Run`, which does this on its own.
    pub fn revive_keyring(&self) -> bool {
        self.ss
            .as_ref()
            .is_some_and(|ss| super::bus::revive(&ss.address))
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
        if wine().is_some() {
            cmd.env("WINEPREFIX", self.root().join("prefix"));
        }
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let mut cmd = self.command(bin());
        cmd.args(args);
        Run::new(cmd)
    }

    /// `run` with the fault-injection build, stopped after `step` as if it
    /// were killed there (exit 99).
    pub fn run_stopped_after(&self, step: &str, args: &[&str]) -> Run {
        let mut cmd = self.command(faults_bin());
        cmd.args(args).env("AWSCREDS_TEST_STOP_AFTER", step);
        Run::new(cmd)
    }

    /// The names of the entries awscreds-rs keeps in this test's store,
    /// sorted, as the store's own tool sees them: secret-tool (it prints
    /// attributes on stderr), or under Wine tests/wine/wincred.c.
    pub fn stored_names(&self) -> Vec<String> {
        if let Some(wine) = wine() {
            let out = self
                .command(wine.join("wincred"))
                .arg("list")
                .output()
                .unwrap();
            assert!(out.status.success(), "wincred list: {out:?}");
            let mut names: Vec<String> = String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter_map(|l| l.strip_suffix(".awscreds-rs"))
                .map(String::from)
                .collect();
            names.sort();
            return names;
        }
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

    /// Stores `value` for `name` as it is, beside awscreds-rs: through
    /// secret-tool, or under Wine through tests/wine/wincred.c.
    pub fn store_raw(&self, name: &str, value: &str) {
        let cmd = match wine() {
            Some(wine) => {
                let mut cmd = self.command(wine.join("wincred"));
                cmd.args(["write", &format!("{name}.awscreds-rs"), value]);
                cmd
            }
            None => {
                let mut cmd = self.command("secret-tool");
                cmd.args(["store", "--label=raw", "service", "awscreds-rs"])
                    .args(["username", name]);
                cmd
            }
        };
        let out = Run::new(cmd).stdin(value).output();
        assert_eq!(out.code, 0, "storing a raw entry: {out:?}");
    }

    /// Every file under the test's root that contains `needle` (under
    /// Wine, the prefix's registry included, its Windows folder of
    /// libraries not).
    pub fn files_containing(&self, needle: &str) -> Vec<PathBuf> {
        let mut found = Vec::new();
        let mut stack = vec![self.root().to_path_buf()];
        let libraries = self.root().join("prefix/drive_c/windows");
        while let Some(dir) = stack.pop() {
            if dir == libraries {
                continue;
            }
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

impl TestEnv {
    /// The kernel keyring's serial of the identity `unlock` kept for this
    /// test's file store, if one is kept (`keyctl search`, by the
    /// description the program gives it).
    pub fn kept_key(&self) -> Option<u32> {
        let dir = self.home.join(".local/share/awscreds-rs/store");
        let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
        let hex = awscreds_rs::digest::sha256_hex(&[dir.to_str()?.as_bytes()], 8);
        let out = Command::new("keyctl")
            .args([
                "search",
                "@u",
                "user",
                &format!("awscreds-rs-unlocked:{hex}"),
            ])
            .output()
            .ok()?;
        if !out.status.success() {
            return None;
        }
        String::from_utf8(out.stdout).ok()?.trim().parse().ok()
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
            // The kernel keyring is the user's, not the test's: what `lock`
            // could not take back (a folder a test made unreadable, say)
            // goes here, so that a run leaves no key behind.
            if let Some(serial) = self.kept_key() {
                let _ = Command::new("keyctl")
                    .args(["invalidate", &serial.to_string()])
                    .output();
            }
        }
        if self.store == "keyutils" {
            for name in self.names.lock().unwrap().iter() {
                let _ = self.run(&["remove", "--username", name]).output();
            }
        }
        if wine().is_some() {
            let _ = self.command("/usr/lib/wine/wineserver").arg("-k").output();
        }
    }
}

/// A copy of scripts/wine.sh's prefix for one test: its libraries shared
/// through hard links (Wine only reads them), its registry (where the
/// Credential Manager keeps credentials) and other top-level files copied.
fn new_wine_prefix(template: &Path, prefix: &Path) {
    let status = Command::new("cp")
        .arg("-al")
        .arg(template)
        .arg(prefix)
        .status()
        .unwrap();
    assert!(
        status.success(),
        "cannot copy the Wine prefix {}",
        template.display()
    );
    for entry in std::fs::read_dir(template).unwrap().flatten() {
        if entry.file_type().unwrap().is_file() {
            let copy = prefix.join(entry.file_name());
            std::fs::remove_file(&copy).unwrap();
            std::fs::copy(entry.path(), &copy).unwrap();
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
