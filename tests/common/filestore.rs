//! The encrypted file store's test bed, for the tests that use it
//! (`filestore.rs`, `filestore_moves.rs`, `filestore_tampering.rs`): where
//! its files are, adding a key with the passphrase command, running
//! without a terminal or on a pty, and checking that nothing is left in
//! plaintext.

use std::path::PathBuf;

use super::*;

pub const PASS: &str = "correct horse battery staple";

pub const PASS_COMMAND: &str = "echo 'correct horse battery staple'";

pub fn store_dir(t: &TestEnv) -> PathBuf {
    t.home.join(".local/share/awscreds-rs/store")
}

pub fn entry(t: &TestEnv, name: &str) -> PathBuf {
    store_dir(t).join("entries").join(format!("{name}.age"))
}

/// A document for NAME whose key id says which NAME it is.
pub fn doc_for(i: usize) -> (String, String) {
    let id = format!("AKIAFILESTORE{i:07}");
    let doc = format!(r#"{{"AccessKeyId":"{id}","SecretAccessKey":"{SECRET}"}}"#);
    (id, doc)
}

/// Adds NAME with the passphrase command (which creates the store).
pub fn add(t: &TestEnv, name: &str, doc: &str) -> Out {
    t.run(&["add", "--username", name])
        .env("AWSCREDS_PASSPHRASE_COMMAND", PASS_COMMAND)
        .stdin(doc)
        .ok()
}

/// Runs without a controlling terminal (a new session), as an SDK on a
/// server runs credential_process.
pub fn detached(t: &TestEnv, args: &[&str]) -> Run {
    let mut cmd = t.command("setsid");
    cmd.arg("-w").arg(bin()).args(args);
    Run::new(cmd)
}

/// Runs on a fresh pty, typing each answer once its prompt shows.
pub fn on_pty(t: &TestEnv, answers: &[&str], program: &str, args: &[&str]) -> Out {
    let mut cmd = t.command(client(".venv/bin/python"));
    cmd.arg(project_dir().join("tests/py/pty_run.py"))
        .args(answers)
        .arg("--")
        .arg(program)
        .args(args);
    Run::new(cmd).output()
}

/// No file under the test's root (HOME and TMPDIR) holds a secret or the
/// passphrase.
pub fn nothing_in_plaintext(t: &TestEnv) {
    for needle in [SECRET, PASS, "AGE-SECRET-KEY-1"] {
        assert_eq!(
            t.files_containing(needle),
            Vec::<PathBuf>::new(),
            "{needle}"
        );
    }
}

pub fn snapshot(t: &TestEnv) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![store_dir(t)];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                files.push((e.path(), std::fs::read(e.path()).unwrap()));
            }
        }
    }
    files.sort();
    files
}

/// The serial of the kernel key this test's store is kept under.
pub fn kept_serial(t: &TestEnv) -> u32 {
    t.kept_key()
        .expect("the identity is kept in the kernel keyring")
}

/// The time-out column of /proc/keys ("perm", "11h", "1m") for that key.
pub fn kept_timeout(t: &TestEnv) -> String {
    let serial = kept_serial(t);
    let keys = std::fs::read_to_string("/proc/keys").unwrap();
    let line = keys
        .lines()
        .find(|l| l.starts_with(&format!("{serial:08x} ")))
        .unwrap_or_else(|| panic!("{serial:08x} is not in /proc/keys"));
    line.split_whitespace().nth(3).unwrap().to_string()
}
