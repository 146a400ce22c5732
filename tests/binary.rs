//! The installed binary as a packager and an attacker see it: a standard
//! PIE that loads what the README says and shadows no library's symbol,
//! linked by every linker cargo may use, non-dumpable while it holds a key,
//! and a panic that ends in one line and exit 101. Linux only.
#![cfg(target_os = "linux")]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::*;

/// What a command printed on stdout; it must succeed.
fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(out.status.success(), "{cmd:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// The binaries to check: the installed one, and the same program linked
/// by each other linker (scripts/linkers.sh).
fn every_build() -> Vec<(String, PathBuf)> {
    let mut builds = vec![("installed".to_string(), PathBuf::from(bin()))];
    for linker in ["bfd", "lld", "mold"] {
        let path = project_dir()
            .join("target/linkers")
            .join(linker)
            .join("awscreds-rs");
        assert!(
            path.exists(),
            "{} is missing: run scripts/linkers.sh (scripts/test.sh does)",
            path.display()
        );
        builds.push((linker.to_string(), path));
    }
    builds
}

/// The shared libraries a binary names (readelf -d), in order.
fn needed(path: &Path) -> Vec<String> {
    stdout_of(Command::new("readelf").arg("-d").arg(path))
        .lines()
        .filter(|l| l.contains("(NEEDED)"))
        .filter_map(|l| Some(l.split_once('[')?.1.trim_end_matches(']').to_string()))
        .collect()
}

#[test]
fn every_build_is_a_pie_that_loads_what_the_readme_says() {
    let readme = std::fs::read_to_string(project_dir().join("README.md")).unwrap();
    for (build, path) in every_build() {
        let header = stdout_of(Command::new("readelf").arg("-h").arg(&path));
        assert!(
            header.contains("DYN (Position-Independent Executable file)"),
            "{build}: not a PIE:\n{header}"
        );
        let programs = stdout_of(Command::new("readelf").arg("-lW").arg(&path));
        assert!(programs.contains("INTERP"), "{build}: no interpreter");
        let dynamic = stdout_of(Command::new("readelf").arg("-d").arg(&path));
        assert!(
            !dynamic.contains("TEXTREL"),
            "{build}: relocations in the code"
        );
        let line = needed(&path)
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        assert!(
            readme.contains(&format!("NEEDED: {line}.")),
            "{build}: the README does not say that the binary loads {line}"
        );
    }
}

#[test]
fn every_build_exports_no_symbol_a_library_defines() {
    for (build, path) in every_build() {
        let ours = defined_symbols(&path);
        // Each library the binary loads, where the loader finds it.
        let ldd = stdout_of(Command::new("ldd").arg(&path));
        let libraries: Vec<&str> = ldd
            .lines()
            .filter_map(|l| l.split_once("=> ")?.1.split_whitespace().next())
            .collect();
        assert!(
            libraries.iter().any(|l| l.ends_with("/libc.so.6")),
            "{build}: ldd found no libc:\n{ldd}"
        );
        for library in libraries {
            let theirs = defined_symbols(Path::new(library));
            let shadowed: Vec<_> = ours.iter().filter(|s| theirs.contains(*s)).collect();
            assert!(
                shadowed.is_empty(),
                "{build} defines {shadowed:?}, which {library} defines too: every library \
                 loaded after it would bind to ours"
            );
        }
    }
}

/// The dynamic symbols a file defines, without their versions.
fn defined_symbols(path: &Path) -> std::collections::BTreeSet<String> {
    stdout_of(Command::new("nm").args(["-D", "--defined-only"]).arg(path))
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2))
        .map(|s| s.split('@').next().unwrap().to_string())
        .collect()
}

/// The kernel keyring with AWS's example long-term key under a NAME of
/// this test's own.
fn keyutils_with_key(base: &str) -> (TestEnv, String) {
    let t = TestEnv::keyutils();
    let name = t.name(base);
    t.run(&["add", "--username", &name])
        .stdin(&long_term_doc())
        .ok();
    (t, name)
}

#[test]
fn every_build_answers_credential_process() {
    let (t, name) = keyutils_with_key("linkers");
    for (build, path) in every_build() {
        let mut cmd = t.command(&path);
        cmd.arg("--version");
        let version = Run::new(cmd).ok();
        assert!(
            version.stdout.starts_with("awscreds-rs "),
            "{build}: {version:?}"
        );
        let mut cmd = t.command(&path);
        cmd.args(["--username", &name]);
        let out = Run::new(cmd).ok();
        let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(doc["AccessKeyId"], KEY_ID, "{build}");
        assert_eq!(doc["SecretAccessKey"], SECRET, "{build}");
        let comment = stdout_of(Command::new("readelf").args(["-p", ".comment"]).arg(&path));
        let linker = if comment.contains("mold") {
            "mold"
        } else if comment.contains("LLD") {
            "lld"
        } else {
            "bfd"
        };
        if build != "installed" {
            assert_eq!(linker, build, "{path:?} was linked by another linker");
        }
    }
    t.run(&["remove", "--username", &name]).ok();
}

#[test]
fn a_panic_is_one_line_and_exit_101_with_no_core() {
    let (t, name) = keyutils_with_key("panics");
    let shim = t.root().join("clock_fails.so");
    let status = Command::new("cc")
        .args(["-shared", "-fPIC", "-O2", "-o"])
        .arg(&shim)
        .arg(project_dir().join("tests/preload/clock_fails.c"))
        .status()
        .unwrap();
    assert!(status.success(), "cc could not build the test's shim");
    let work = t.root().join("cwd");
    std::fs::create_dir(&work).unwrap();
    // A core file would land in the working directory (core_pattern
    // `core`): the shell raises the limit as far as it may, so that only
    // the program itself can stop one.
    let mut cmd = t.command("sh");
    cmd.args([
        "-c",
        r#"ulimit -c "$(ulimit -H -c)"; LD_PRELOAD=$1 exec "$0" --username "$2""#,
        bin(),
    ])
    .arg(&shim)
    .arg(&name)
    .env("RUST_BACKTRACE", "1")
    .current_dir(&work);
    let out = Run::new(cmd).output();
    assert_eq!(out.code, 101, "{out:?}");
    assert_eq!(out.stdout, "");
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line on stderr: {out:?}");
    assert!(
        lines[0].starts_with("awscreds-rs: internal error at "),
        "{out:?}"
    );
    assert!(!out.stderr.contains(SECRET) && !out.stderr.contains(KEY_ID));
    let left: Vec<_> = std::fs::read_dir(&work).unwrap().flatten().collect();
    assert!(left.is_empty(), "the panic left {left:?}");
    t.run(&["remove", "--username", &name]).ok();
}

/// The ordinary user the tests run the binary as where permissions
/// matter (scripts/test.sh creates it), and their uid and gid.
fn ordinary_user() -> (String, String) {
    if !is_root() {
        let me = |flag: &str| stdout_of(Command::new("id").arg(flag)).trim().to_string();
        return (me("-u"), me("-g"));
    }
    let user = std::env::var("AWSCREDS_TEST_USER").unwrap_or_else(|_| "awscreds-test".into());
    let id = |flag: &str| {
        let out = Command::new("id").args([flag, &user]).output().unwrap();
        assert!(
            out.status.success(),
            "no user {user}: scripts/test.sh creates it (useradd --system {user})"
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    (id("-u"), id("-g"))
}

fn is_root() -> bool {
    stdout_of(Command::new("id").arg("-u")).trim() == "0"
}

#[test]
fn while_it_waits_at_an_mfa_prompt_its_own_user_cannot_read_or_trace_it() {
    let (uid, gid) = ordinary_user();
    assert_ne!(uid, "0", "the ordinary user must not be root");
    // A folder the ordinary user can read: the binary and the probe.
    let dir = tempfile::Builder::new()
        .prefix("awscreds-dump-")
        .tempdir()
        .unwrap();
    let share = |path: &Path, mode| {
        std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(mode)).unwrap()
    };
    share(dir.path(), 0o755);
    let binary = dir.path().join("awscreds-rs");
    std::fs::copy(bin(), &binary).unwrap();
    share(&binary, 0o755);
    let probe = dir.path().join("dump_probe.py");
    std::fs::copy(project_dir().join("tests/py/dump_probe.py"), &probe).unwrap();
    share(&probe, 0o644);
    // As root, become that user; as anyone else, the test already is one.
    let mut cmd = if is_root() {
        let mut cmd = Command::new("setpriv");
        cmd.args(["--reuid", &uid, "--regid", &gid, "--clear-groups", "--"]);
        cmd.arg("/usr/bin/python3");
        cmd
    } else {
        Command::new("/usr/bin/python3")
    };
    let out = cmd
        .arg(&probe)
        .arg(&binary)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    let found: serde_json::Value = serde_json::from_str(&text).unwrap();
    // The control, the same probe on an ordinary process of that user,
    // shows that the refusals come from awscreds-rs itself.
    for (what, expected) in [("environ", true), ("mem", true), ("ptrace", true)] {
        assert_eq!(found["control"][what], expected, "control {what}: {found}");
        assert_eq!(
            found["awscreds"][what], !expected,
            "awscreds-rs {what}: {found}"
        );
    }
    assert_eq!(found["awscreds"]["prompted"], true, "{found}");
    assert!(!text.contains(SECRET));
}

#[test]
fn the_readme_names_every_file_with_unsafe_code() {
    let readme = std::fs::read_to_string(project_dir().join("README.md")).unwrap();
    let start = readme
        .find("**`unsafe` of our own**")
        .expect("the README's Security section lists our `unsafe`");
    let list = &readme[start..start + readme[start..].find("\n- ").unwrap_or(readme.len() - start)];
    let mut files = Vec::new();
    let mut dirs = vec![project_dir().join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if std::fs::read_to_string(&path).unwrap().contains("unsafe ") {
                let relative = path.strip_prefix(project_dir().join("src")).unwrap();
                files.push(relative.to_str().unwrap().to_string());
            }
        }
    }
    assert!(!files.is_empty());
    for file in &files {
        assert!(
            list.contains(&format!("(`{file}`)")),
            "src/{file} has `unsafe` that the README's list does not name"
        );
    }
    let named = list.matches("(`").count();
    assert_eq!(
        named,
        files.len(),
        "the README names a file without `unsafe`: {list}"
    );
}

/// The tests' fault injection (src/faults.rs) is in the build they stop
/// and in no build a user gets: its variable's name is not even in the
/// file (tests/import.rs runs an import told to stop).
#[test]
fn only_the_fault_injection_build_stops_half_way() {
    let name = b"AWSCREDS_TEST_STOP_AFTER";
    let holds = |path: &Path| {
        std::fs::read(path)
            .unwrap()
            .windows(name.len())
            .any(|w| w == name)
    };
    for (build, path) in every_build() {
        assert!(!holds(&path), "the {build} build can be stopped half-way");
    }
    assert!(holds(Path::new(faults_bin())), "the fault-injection build");
}
