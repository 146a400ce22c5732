//! Running the binary a user installs, and checking what it said.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use super::project_dir;

/// Where scripts/test.sh installs the binary, as a user would:
/// `cargo install --locked --path . --root target/installed`.
pub const INSTALL_ROOT: &str = "target/installed";

/// Where scripts/wine.sh put the Windows build, its Wine prefix and the
/// wrappers that run them, when the tests run under Wine
/// (`AWSCREDS_TEST_WINE`).
pub fn wine() -> Option<PathBuf> {
    std::env::var_os("AWSCREDS_TEST_WINE").map(PathBuf::from)
}

/// The binary every test runs: the one `cargo install` builds, never the
/// test build (which has the dev-dependencies' features unified in).
/// `AWSCREDS_TEST_BIN` names another; under Wine it is the Windows build,
/// run through its wrapper. A missing binary, or one older than the
/// sources, fails the test with the command that installs it.
pub fn bin() -> &'static str {
    static BIN: OnceLock<String> = OnceLock::new();
    BIN.get_or_init(|| match (wine(), std::env::var_os("AWSCREDS_TEST_BIN")) {
        (Some(dir), _) => fresh(&dir.join("bin/awscreds-rs.exe"), dir.join("awscreds-rs")),
        (None, Some(path)) => fresh(Path::new(&path), PathBuf::from(&path)),
        (None, None) => {
            let path = project_dir().join(INSTALL_ROOT).join("bin/awscreds-rs");
            fresh(&path, path.clone())
        }
    })
}

/// The same program built with the `fault-injection` feature, which stops
/// after the step `AWSCREDS_TEST_STOP_AFTER` names (src/faults.rs):
/// scripts/test.sh installs it into `target/faults`, scripts/wine.sh into
/// `target/wine/faults`.
pub fn faults_bin() -> &'static str {
    static BIN: OnceLock<String> = OnceLock::new();
    BIN.get_or_init(|| match wine() {
        Some(dir) => fresh(
            &dir.join("faults/bin/awscreds-rs.exe"),
            dir.join("awscreds-rs-faults"),
        ),
        None => {
            let path = project_dir().join("target/faults/bin/awscreds-rs");
            fresh(&path, path.clone())
        }
    })
}

/// `run`, the command that runs the built file `path`, once `path` is
/// known to exist and to be newer than every source.
fn fresh(path: &Path, run: PathBuf) -> String {
    let install = if wine().is_some() {
        "run scripts/wine.sh".to_string()
    } else {
        "run scripts/test.sh, or: cargo install --locked --path . --root target/installed \
         (and --features fault-injection --root target/faults)"
            .to_string()
    };
    let built = std::fs::metadata(path)
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
    run.to_str().expect("a UTF-8 path").to_string()
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
        let out = self.once();
        let bus = self
            .cmd
            .get_envs()
            .find(|(key, _)| *key == "DBUS_SESSION_BUS_ADDRESS")
            .and_then(|(_, value)| value?.to_str());
        match bus {
            Some(address) if out.code != 0 && super::bus::revive(address) => self.once(),
            _ => out,
        }
    }

    fn once(&mut self) -> Out {
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
            // A command may rightly stop before it reads its input.
            match stdin.write_all(text.as_bytes()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                other => other.unwrap(),
            }
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
    #[track_caller]
    pub fn ok(self) -> Out {
        let out = self.output();
        assert_eq!(out.code, 0, "expected success, got {out:?}");
        out
    }

    /// Runs and asserts the exit code, an empty stdout, and a one-line
    /// stderr: a failure is said in one line that names the fix.
    #[track_caller]
    pub fn fails(self, code: i32) -> Out {
        let out = self.fails_saying_more(code);
        assert_eq!(
            out.stderr.lines().count(),
            1,
            "a failure is one line on stderr: {out:?}"
        );
        out
    }

    /// Like [`Run::fails`], for a failure that rightly says more than one
    /// line (a usage error with the help, a warning before the error).
    #[track_caller]
    pub fn fails_saying_more(self, code: i32) -> Out {
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
    /// The finding of `check` in `doctor --json`'s output.
    #[track_caller]
    pub fn finding(&self, check: &str) -> serde_json::Value {
        let findings: serde_json::Value = serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("doctor --json printed no JSON ({e}): {self:?}"));
        findings
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["check"] == check)
            .cloned()
            .unwrap_or_else(|| panic!("no {check} finding: {self:?}"))
    }

    /// Every part must be in stderr; an empty part, which any stderr
    /// contains, is a mistake in the test.
    #[track_caller]
    pub fn stderr_has(&self, parts: &[&str]) -> &Self {
        for part in parts {
            assert!(!part.is_empty(), "stderr_has was given an empty part");
            assert!(
                self.stderr.contains(part),
                "stderr lacks {part:?}: {}",
                self.stderr
            );
        }
        self
    }

    /// Stderr is exactly `line` and a line break: where a message is the
    /// contract (what the user reads, word for word).
    #[track_caller]
    pub fn stderr_is(&self, line: &str) -> &Self {
        assert_eq!(self.stderr, format!("{line}\n"), "{self:?}");
        self
    }
}
