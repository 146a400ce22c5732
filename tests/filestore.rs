//! The encrypted file store, for real: the installed binary, the age
//! files on disk, the kernel keyring that keeps it unlocked, a real pty
//! for the passphrase prompts, the `age` tool for the emergency read, and
//! boto3 reading through a profile.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::*;

const PASS: &str = "correct horse battery staple";
const PASS_COMMAND: &str = "echo 'correct horse battery staple'";

fn store_dir(t: &TestEnv) -> PathBuf {
    t.home.join(".local/share/awscreds-rs/store")
}

fn entry(t: &TestEnv, name: &str) -> PathBuf {
    store_dir(t).join("entries").join(format!("{name}.age"))
}

/// A document for NAME whose key id says which NAME it is.
fn doc_for(i: usize) -> (String, String) {
    let id = format!("AKIAFILESTORE{i:07}");
    let doc = format!(r#"{{"AccessKeyId":"{id}","SecretAccessKey":"{SECRET}"}}"#);
    (id, doc)
}

/// Adds NAME with the passphrase command (which creates the store).
fn add(t: &TestEnv, name: &str, doc: &str) -> Out {
    t.run(&["add", "--username", name])
        .env("AWSCREDS_PASSPHRASE_COMMAND", PASS_COMMAND)
        .stdin(doc)
        .ok()
}

/// Runs without a controlling terminal (a new session), as an SDK on a
/// server runs credential_process.
fn detached(t: &TestEnv, args: &[&str]) -> Run {
    let mut cmd = t.command("setsid");
    cmd.arg("-w").arg(bin()).args(args);
    Run::new(cmd)
}

/// Runs on a fresh pty, typing each answer once its prompt shows.
fn on_pty(t: &TestEnv, answers: &[&str], program: &str, args: &[&str]) -> Out {
    let mut cmd = t.command(client(".venv/bin/python"));
    cmd.arg(project_dir().join("tests/py/pty_run.py"))
        .args(answers)
        .arg("--")
        .arg(program)
        .args(args);
    Run::new(cmd).output()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// No file under the test's root (HOME and TMPDIR) holds a secret or the
/// passphrase.
fn nothing_in_plaintext(t: &TestEnv) {
    for needle in [SECRET, PASS, "AGE-SECRET-KEY-1"] {
        assert_eq!(
            t.files_containing(needle),
            Vec::<PathBuf>::new(),
            "{needle}"
        );
    }
}

#[test]
fn the_first_add_creates_the_store_and_reads_need_it_unlocked() {
    let t = TestEnv::file_store();
    let out = add(&t, "helen", &long_term_doc());
    out.stderr_has(&[
        "Created the encrypted file store",
        "in the encrypted file store",
    ]);
    nothing_in_plaintext(&t);
    let dir = store_dir(&t);
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("entries")), 0o700);
    for file in ["identity.age", "recipient", "entries/helen.age"] {
        assert_eq!(mode(&dir.join(file)), 0o600, "{file}");
    }

    // Kept unlocked by the add that typed the passphrase.
    let out = detached(&t, &["--username", "helen"]).output();
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains(SECRET));
    nothing_in_plaintext(&t);

    t.run(&["lock"]).ok().stderr_has(&["Locked"]);
    nothing_in_plaintext(&t);
    // doctor asks nothing: a locked store is a finding with its fix.
    t.run(&["configure", "--profile", "app", "--username", "helen"])
        .ok();
    let out = detached(&t, &["doctor", "--profile", "app", "--json"]).output();
    nothing_in_plaintext(&t);
    let store = out.finding("store");
    assert_eq!(store["status"], "warning", "{out:?}");
    assert!(
        store["message"].as_str().unwrap().contains("locked"),
        "{out:?}"
    );
    assert_eq!(store["fix"], "awscreds-rs unlock (once per boot)");
    let line = out.finding("credential_process.entry");
    assert!(
        line["message"]
            .as_str()
            .unwrap()
            .contains("which is locked"),
        "{out:?}"
    );
    let started = Instant::now();
    detached(&t, &["--username", "helen"])
        .fails(1)
        .stderr_has(&[
            "encrypted file store is locked",
            "awscreds-rs unlock",
            "AWSCREDS_PASSPHRASE_COMMAND",
        ]);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "it never waits"
    );
    nothing_in_plaintext(&t);

    // A passphrase command unlocks a read, as it unlocks `unlock`.
    let out = detached(&t, &["--username", "helen"])
        .env("AWSCREDS_PASSPHRASE_COMMAND", PASS_COMMAND)
        .output();
    assert_eq!(out.code, 0, "{out:?}");
    nothing_in_plaintext(&t);
    t.run(&["lock"]).ok();
    t.run(&["unlock", "--for", "10m"])
        .env("AWSCREDS_PASSPHRASE_COMMAND", PASS_COMMAND)
        .ok()
        .stderr_has(&["Unlocked the encrypted file store for 10m"]);
    nothing_in_plaintext(&t);
    let out = t.run(&["list"]).ok();
    assert!(
        out.stdout.contains("helen") && out.stdout.contains("AKIA************MPLE"),
        "{out:?}"
    );
    nothing_in_plaintext(&t);
    t.run(&["remove", "--username", "helen"]).ok();
    assert!(!entry(&t, "helen").exists());
    nothing_in_plaintext(&t);
}

#[test]
fn add_works_while_the_store_is_locked() {
    let t = TestEnv::file_store();
    add(&t, "first", &doc_for(1).1);
    t.run(&["lock"]).ok();
    // No terminal, no passphrase command: a new NAME needs neither.
    detached(&t, &["add", "--username", "second"])
        .stdin(&doc_for(2).1)
        .ok()
        .stderr_has(&["Stored the long-term key"]);
    // An existing NAME is refused before anything is asked.
    detached(&t, &["add", "--username", "second"])
        .stdin(&doc_for(3).1)
        .fails(1)
        .stderr_has(&["already stored", "--force"]);
    let out = detached(&t, &["--username", "second"])
        .env("AWSCREDS_PASSPHRASE_COMMAND", PASS_COMMAND)
        .ok();
    assert!(out.stdout.contains(&doc_for(2).0), "{out:?}");
    nothing_in_plaintext(&t);
}

fn snapshot(t: &TestEnv) -> Vec<(PathBuf, Vec<u8>)> {
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

#[test]
fn a_wrong_passphrase_changes_nothing_and_keeps_nothing() {
    let t = TestEnv::file_store();
    add(&t, "helen", &long_term_doc());
    t.run(&["lock"]).ok();
    let before = snapshot(&t);
    for args in [&["unlock"][..], &["--username", "helen"], &["list"]] {
        detached(&t, args)
            .env("AWSCREDS_PASSPHRASE_COMMAND", "echo wrong")
            .fails(1)
            .stderr_has(&["wrong passphrase"]);
    }
    assert_eq!(snapshot(&t), before);
    // Nothing was kept: without a passphrase the store is still locked.
    detached(&t, &["--username", "helen"])
        .fails(1)
        .stderr_has(&["is locked"]);
    nothing_in_plaintext(&t);
}

#[test]
fn damaged_or_swapped_entries_are_refused_by_name_and_the_rest_still_read() {
    let t = TestEnv::file_store();
    for (i, name) in ["a", "b", "c", "d"].iter().enumerate() {
        add(&t, name, &doc_for(i).1);
    }
    // a: one byte flipped in the ciphertext.
    let mut bytes = std::fs::read(entry(&t, "a")).unwrap();
    let last = bytes.len() - 5;
    bytes[last] ^= 1;
    std::fs::write(entry(&t, "a"), bytes).unwrap();
    // b: cut short.
    let bytes = std::fs::read(entry(&t, "b")).unwrap();
    std::fs::write(entry(&t, "b"), &bytes[..bytes.len() / 2]).unwrap();
    // c: d's file copied over it.
    std::fs::copy(entry(&t, "d"), entry(&t, "c")).unwrap();

    for name in ["a", "b"] {
        t.run(&["--username", name]).fails(1).stderr_has(&[
            &format!("entry for '{name}'"),
            "cannot be decrypted",
            "add --username",
        ]);
    }
    t.run(&["--username", "c"])
        .fails(1)
        .stderr_has(&["entry for 'c'", "holds the entry of 'd'"]);
    let out = t.run(&["--username", "d"]).ok();
    assert!(out.stdout.contains(&doc_for(3).0), "{out:?}");
    // list shows every row, the damaged ones with what is wrong.
    let out = t.run(&["list"]).output();
    for name in ["a", "b", "c", "d"] {
        assert!(out.stdout.contains(name), "{out:?}");
    }
    // A damaged entry is replaced with --force.
    t.run(&["add", "--username", "a", "--force"])
        .stdin(&doc_for(0).1)
        .ok();
    t.run(&["--username", "a"]).ok();
}

#[test]
fn readers_never_see_a_torn_or_mixed_document_while_a_writer_replaces_it() {
    let t = TestEnv::file_store();
    let (id_a, doc_a) = doc_for(10);
    let (id_b, doc_b) = doc_for(11);
    add(&t, "shared", &doc_a);
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        let writer = s.spawn(|| {
            for round in 0..20 {
                let doc = if round % 2 == 0 { &doc_b } else { &doc_a };
                t.run(&["add", "--username", "shared", "--force"])
                    .stdin(doc)
                    .ok();
            }
            stop.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        let readers: Vec<_> = (0..64)
            .map(|_| {
                s.spawn(|| {
                    let mut reads = 0;
                    while reads < 3 || !stop.load(std::sync::atomic::Ordering::SeqCst) {
                        let out = t.run(&["--username", "shared"]).output();
                        assert_eq!(out.code, 0, "{out:?}");
                        let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
                        let id = v["AccessKeyId"].as_str().unwrap();
                        assert!(id == id_a || id == id_b, "{id}");
                        assert_eq!(v["SecretAccessKey"], SECRET);
                        reads += 1;
                    }
                })
            })
            .collect();
        writer.join().unwrap();
        for r in readers {
            r.join().unwrap();
        }
    });
    // No temporary file of a write was left behind.
    let names: Vec<_> = std::fs::read_dir(store_dir(&t).join("entries"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("shared.age")]);
}

#[test]
fn the_terminal_is_asked_on_a_pty_and_the_answer_kept() {
    let t = TestEnv::file_store();
    // The first add asks the new passphrase twice; two that differ are refused.
    let env_key = |run: Run| {
        run.env("AWS_ACCESS_KEY_ID", KEY_ID)
            .env("AWS_SECRET_ACCESS_KEY", SECRET)
    };
    let mut cmd = t.command(client(".venv/bin/python"));
    cmd.arg(project_dir().join("tests/py/pty_run.py"))
        .args([
            "*New passphrase",
            "one",
            "*same passphrase again",
            "two",
            "--",
        ])
        .arg(bin())
        .args(["add", "--username", "helen", "--from-env"]);
    let out = env_key(Run::new(cmd)).output();
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.contains("the two passphrases differ"), "{out:?}");
    assert!(!store_dir(&t).join("identity.age").exists());

    let mut cmd = t.command(client(".venv/bin/python"));
    cmd.arg(project_dir().join("tests/py/pty_run.py"))
        .args([
            "*New passphrase",
            PASS,
            "*same passphrase again",
            PASS,
            "--",
        ])
        .arg(bin())
        .args(["add", "--username", "helen", "--from-env"]);
    let out = env_key(Run::new(cmd)).output();
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        !out.stdout.contains(PASS),
        "the passphrase is not echoed: {out:?}"
    );

    t.run(&["lock"]).ok();
    let out = on_pty(
        &t,
        &["*Passphrase of the awscreds-rs file store", PASS],
        bin(),
        &["--username", "helen"],
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains(SECRET), "{out:?}");
    assert!(!out.stdout.contains(PASS), "{out:?}");
    // Kept as unlock keeps it: the next call has no terminal and needs none.
    detached(&t, &["--username", "helen"]).ok();

    // passwd: the old passphrase, then the new one twice.
    let out = on_pty(
        &t,
        &[
            "*Passphrase of the awscreds-rs file store",
            PASS,
            "*New passphrase",
            "new one",
            "*same passphrase again",
            "new one",
        ],
        bin(),
        &["passwd"],
    );
    assert_eq!(out.code, 0, "{out:?}");
    t.run(&["lock"]).ok();
    detached(&t, &["unlock"])
        .env("AWSCREDS_PASSPHRASE_COMMAND", PASS_COMMAND)
        .fails(1)
        .stderr_has(&["wrong passphrase"]);
    detached(&t, &["unlock"])
        .env("AWSCREDS_PASSPHRASE_COMMAND", "echo 'new one'")
        .ok();
    detached(&t, &["--username", "helen"]).ok();
    nothing_in_plaintext(&t);
}

#[test]
fn the_readme_emergency_read_works_with_the_age_tool() {
    let t = TestEnv::file_store();
    add(&t, "helen", &long_term_doc());
    let dir = store_dir(&t);
    // The README's line, as written there.
    let out = on_pty(
        &t,
        &["identity file", PASS],
        "age",
        &[
            "-d",
            "-i",
            dir.join("identity.age").to_str().unwrap(),
            dir.join("entries/helen.age").to_str().unwrap(),
        ],
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("awscreds-rs entry helen"), "{out:?}");
    assert!(out.stdout.contains(SECRET), "{out:?}");
    let readme = std::fs::read_to_string(project_dir().join("README.md")).unwrap();
    assert!(
        readme.contains("age -d -i ~/.local/share/awscreds-rs/store/identity.age ~/.local/share/awscreds-rs/store/entries/NAME.age"),
        "the README shows the same command"
    );
}

#[test]
fn boto3_reads_a_key_from_the_file_store_through_its_profile() {
    let t = TestEnv::file_store();
    add(&t, "helen", &long_term_doc());
    t.run(&["configure", "--profile", "app", "--username", "helen"])
        .ok();
    let config = std::fs::read_to_string(t.config_path()).unwrap();
    assert!(config.contains("--username helen --store file"), "{config}");
    let mut cmd = t.command(client(".venv/bin/python"));
    cmd.arg(project_dir().join("tests/py/probe.py")).arg("app");
    // The SDK's process has no store variable: the line alone finds the key.
    cmd.env_remove("AWSCREDS_STORE");
    let out = Run::new(cmd).output();
    assert_eq!(out.code, 0, "{out:?}");
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["AccessKeyId"], KEY_ID);
    assert_eq!(v["SecretAccessKey"], SECRET);
}

#[test]
fn auto_uses_the_file_store_once_it_exists_and_says_how_to_make_one() {
    let t = TestEnv::keyutils();
    let name = t.name("auto");
    // Neither a Secret Service nor a file store: the kernel keyring, and the
    // note says how to get a store that lasts.
    t.run(&["add", "--store", "auto", "--username", &name])
        .stdin(&long_term_doc())
        .ok()
        .stderr_has(&["kernel keyring", "loses", "--to file"]);
    // The same world with a file store: auto picks it.
    let moved = t
        .run(&[
            "move",
            "--username",
            &name,
            "--from",
            "keyutils",
            "--to",
            "file",
        ])
        .env("AWSCREDS_PASSPHRASE_COMMAND", PASS_COMMAND)
        .ok();
    moved.stderr_has(&["Moved"]);
    let out = t.run(&["--store", "auto", "--username", &name]).ok();
    assert!(out.stdout.contains(SECRET));
    t.run(&["--store", "keyutils", "--username", &name])
        .fails(1);
}

#[test]
fn list_names_each_rows_store_and_the_other_store_that_holds_names() {
    let t = TestEnv::file_store();
    add(&t, "helen", &long_term_doc());
    // The kernel keyring is shared by every test: a NAME of this run's own.
    let elsewhere = format!("other-{}", std::process::id());
    t.run(&["add", "--store", "keyutils", "--username", &elsewhere])
        .stdin(&long_term_doc())
        .ok();
    let out = t.run(&["--store", "auto", "list"]).ok();
    t.run(&["remove", "--store", "keyutils", "--username", &elsewhere])
        .ok();
    let row = out.stdout.lines().nth(1).unwrap();
    assert!(
        row.starts_with("helen") && row.contains("  file "),
        "{out:?}"
    );
    out.stderr_has(&[
        "Also in the kernel keyring (keyutils)",
        "awscreds-rs list --store keyutils",
    ]);
}

#[test]
fn move_points_the_profiles_that_read_the_name_at_the_new_store() {
    let t = TestEnv::keyutils();
    let name = t.name("mvp");
    let stays = t.name("mvq");
    for n in [&name, &stays] {
        t.run(&["add", "--username", n])
            .stdin(&long_term_doc())
            .ok();
    }
    let config = format!(
        "# my profiles\n[profile shop]\ncredential_process = {bin} --username {name} --store keyutils\n\
         region = eu-west-1 ; kept\n\n[profile shop-mfa]\n\
         credential_process = {bin} --username {name} --store keyutils --mfa-command 'echo 123456'\n\n\
         [profile other]\ncredential_process = {bin} --username {stays} --store keyutils\n",
        bin = bin()
    );
    t.write_config(&config);
    t.run(&[
        "move",
        "--username",
        &name,
        "--from",
        "keyutils",
        "--to",
        "file",
    ])
    .env("AWSCREDS_PASSPHRASE_COMMAND", PASS_COMMAND)
    .ok()
    .stderr_has(&[
        "'shop', 'shop-mfa'",
        "now read the encrypted file store",
        "backup",
    ]);
    let text = std::fs::read_to_string(t.config_path()).unwrap();
    let want = config
        .replace(
            &format!("{name} --store keyutils\n"),
            &format!("{name} --store file\n"),
        )
        .replace(
            &format!("{name} --store keyutils --mfa-command"),
            &format!("{name} --store file --mfa-command"),
        );
    assert_eq!(
        text, want,
        "only the moved NAME's lines changed, byte for byte"
    );
    // boto3 reads the moved key through the rewritten line.
    let mut cmd = t.command(client(".venv/bin/python"));
    cmd.arg(project_dir().join("tests/py/probe.py"))
        .arg("shop")
        .env("AWSCREDS_PASSPHRASE_COMMAND", PASS_COMMAND);
    let v: serde_json::Value = serde_json::from_str(&Run::new(cmd).ok().stdout).unwrap();
    assert_eq!(v["AccessKeyId"], KEY_ID);
}

#[test]
fn move_keeps_every_key_in_a_store_when_it_is_killed_at_any_step() {
    let t = TestEnv::keyutils();
    let names: Vec<String> = (0..3).map(|i| t.name(&format!("mv{i}"))).collect();
    for name in &names {
        t.run(&["add", "--username", name])
            .stdin(&long_term_doc())
            .ok();
    }
    let reads = |store: &str, name: &str| {
        t.run(&["--store", store, "--username", name])
            .env("AWSCREDS_PASSPHRASE_COMMAND", PASS_COMMAND)
            .output()
            .code
            == 0
    };
    // Killed after writing, then after deleting: the key is always somewhere.
    for step in ["written", "deleted"] {
        let out = t
            .run_stopped_after(
                step,
                &[
                    "move",
                    "--username",
                    &names[0],
                    "--from",
                    "keyutils",
                    "--to",
                    "file",
                ],
            )
            .env("AWSCREDS_PASSPHRASE_COMMAND", PASS_COMMAND)
            .output();
        assert_eq!(out.code, 99, "{out:?}");
        assert!(
            reads("keyutils", &names[0]) || reads("file", &names[0]),
            "{step}"
        );
        // Put it back where it was for the next round.
        if !reads("keyutils", &names[0]) {
            t.run(&[
                "move",
                "--username",
                &names[0],
                "--from",
                "file",
                "--to",
                "keyutils",
            ])
            .env("AWSCREDS_PASSPHRASE_COMMAND", PASS_COMMAND)
            .ok();
        } else {
            t.run(&["remove", "--store", "file", "--username", &names[0]])
                .output();
        }
    }
    // A NAME already in the target is refused before anything moves.
    t.run(&["add", "--store", "file", "--username", &names[1]])
        .env("AWSCREDS_PASSPHRASE_COMMAND", PASS_COMMAND)
        .stdin(&doc_for(5).1)
        .ok();
    let out = t
        .run(&[
            "move",
            "--username",
            &names[1],
            "--from",
            "keyutils",
            "--to",
            "file",
        ])
        .fails(1);
    out.stderr_has(&["already holds", &names[1], "nothing was moved"]);
    assert!(reads("keyutils", &names[1]));
    t.run(&["remove", "--store", "file", "--username", &names[1]])
        .ok();

    // The whole move, and back.
    for name in &names {
        t.run(&[
            "move",
            "--username",
            name,
            "--from",
            "keyutils",
            "--to",
            "file",
        ])
        .env("AWSCREDS_PASSPHRASE_COMMAND", PASS_COMMAND)
        .ok();
        assert!(reads("file", name) && !reads("keyutils", name), "{name}");
    }
    let out = t
        .run(&["move", "--all", "--from", "file", "--to", "keyutils"])
        .env("AWSCREDS_PASSPHRASE_COMMAND", PASS_COMMAND)
        .ok();
    for name in &names {
        assert!(out.stderr.contains(&format!("Moved '{name}'")), "{out:?}");
        assert!(reads("keyutils", name) && !reads("file", name), "{name}");
    }
    nothing_in_plaintext(&t);
}

#[test]
fn unlock_for_a_while_locks_again_by_itself() {
    let t = TestEnv::file_store();
    add(&t, "helen", &long_term_doc());
    t.run(&["lock"]).ok();
    t.run(&["unlock", "--for", "2s"])
        .env("AWSCREDS_PASSPHRASE_COMMAND", PASS_COMMAND)
        .ok()
        .stderr_has(&["for 2s"]);
    detached(&t, &["--username", "helen"]).ok();
    std::thread::sleep(Duration::from_secs(3));
    detached(&t, &["--username", "helen"])
        .fails(1)
        .stderr_has(&["is locked"]);
    t.run(&["unlock", "--for", "soon"])
        .fails(2)
        .stderr_has(&["invalid --for", "8h"]);
}

#[test]
fn sessions_are_cached_in_the_file_store_and_move_drops_them() {
    let sts = LocalSts::start();
    let t = TestEnv::file_store();
    // The NAME goes to the shared kernel keyring at the end: unique.
    let name = format!("fs-session-{}", std::process::id());
    add(&t, &name, &long_term_doc());
    let role = "arn:aws:iam::123456789012:role/deploy";
    for _ in 0..2 {
        let out = t
            .run(&["--username", &name, "--role-arn", role])
            .env("AWS_ENDPOINT_URL_STS", &sts.endpoint)
            .env("AWS_REGION", "us-east-1")
            .ok();
        assert!(out.stdout.contains("SessionToken"), "{out:?}");
    }
    assert_eq!(sts.count("AssumeRole"), 1, "the second call used the cache");
    let entries = || -> Vec<String> {
        std::fs::read_dir(store_dir(&t).join("entries"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    };
    let cached: Vec<String> = entries()
        .into_iter()
        .filter(|f| f.starts_with(&format!("{name}#")))
        .collect();
    assert_eq!(cached.len(), 1, "{:?}", entries());
    nothing_in_plaintext(&t);
    // A file renamed to another NAME is refused: the NAME inside says whose it is.
    std::fs::rename(entry(&t, &name), entry(&t, "other")).unwrap();
    t.run(&["--username", "other"])
        .fails(1)
        .stderr_has(&[&format!("holds the entry of '{name}'")]);
    std::fs::rename(entry(&t, "other"), entry(&t, &name)).unwrap();
    // Moving the key takes it alone; its session is dropped.
    t.run(&["move", "--username", &name, "--to", "keyutils"])
        .ok();
    assert_eq!(entries(), Vec::<String>::new());
    t.run(&["--store", "keyutils", "remove", "--username", &name])
        .ok();
}

/// The tests that run on every platform: on Linux against the Secret
/// Service, under Wine (scripts/wine.sh) against the Windows Credential
/// Manager, each beside the file store.
mod everywhere {
    use super::*;

    /// `move` from the platform's own store into the file store and back:
    /// the key reads where it went and no longer where it was. (Windows has
    /// no kernel keyring to keep the store unlocked: every read there asks
    /// the passphrase command.)
    #[test]
    fn move_into_the_file_store_and_back() {
        let t = TestEnv::with_key("helen");
        t.write_config(&format!(
            "[profile app]\ncredential_process = {} --username helen\n",
            bin()
        ));
        let pass = "echo correct horse battery staple";
        let reads = |store: &str| {
            t.run(&["--store", store, "--username", "helen"])
                .env("AWSCREDS_PASSPHRASE_COMMAND", pass)
                .output()
                .code
                == 0
        };
        t.run(&[
            "move",
            "--username",
            "helen",
            "--from",
            t.store,
            "--to",
            "file",
        ])
        .env("AWSCREDS_PASSPHRASE_COMMAND", pass)
        .ok()
        .stderr_has(&["Moved", "'app'", "now read the encrypted file store"]);
        assert!(reads("file") && !reads(t.store));
        let config = || std::fs::read_to_string(t.config_path()).unwrap();
        assert!(
            config().contains("--username helen --store file"),
            "{}",
            config()
        );
        t.run(&["move", "--all", "--from", "file", "--to", t.store])
            .env("AWSCREDS_PASSPHRASE_COMMAND", pass)
            .ok()
            .stderr_has(&["Moved 'helen'", "'app'"]);
        assert!(reads(t.store) && !reads("file"));
        // Back in the platform's default store, the line needs no --store.
        assert!(!config().contains("--store"), "{}", config());
        assert_eq!(t.files_containing(SECRET), Vec::<PathBuf>::new());
    }
}

/// A NAME may start with a dot (names.rs allows `.ci`): the store lists it
/// like any other, so `list`, `move --all` and `clear` reach it.
#[test]
fn a_name_that_starts_with_a_dot_is_listed() {
    let t = TestEnv::file_store();
    let (id, doc) = doc_for(7);
    add(&t, ".ci", &doc);
    add(&t, "plain", &doc_for(8).1);
    let out = t
        .run(&["list", "--json"])
        .env("AWSCREDS_PASSPHRASE_COMMAND", PASS_COMMAND)
        .ok();
    let rows: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let names: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["username"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&".ci") && names.contains(&"plain"),
        "{out:?}"
    );
    let out = t
        .run(&["--username", ".ci"])
        .env("AWSCREDS_PASSPHRASE_COMMAND", PASS_COMMAND)
        .ok();
    assert!(out.stdout.contains(&id), "{out:?}");
}

/// keyctl keeps a time-out in 32 bits: a longer `--for` is refused before
/// anything is asked or kept, never cut to a short one.
#[test]
fn unlock_for_longer_than_the_kernel_keeps_is_refused() {
    let t = TestEnv::file_store();
    add(&t, "helen", &doc_for(1).1);
    t.run(&["lock"]).ok();
    for long in ["4294967296s", "1193047h", "99999999999h"] {
        let out = t
            .run(&["unlock", "--for", long])
            .env("AWSCREDS_PASSPHRASE_COMMAND", PASS_COMMAND)
            .fails(2);
        out.stderr_has(&["longer than the kernel keyring keeps a key"]);
    }
    // Still locked: nothing was kept.
    detached(&t, &["--username", "helen"]).fails(1);
    t.run(&["unlock", "--for", "4294967295s"])
        .env("AWSCREDS_PASSPHRASE_COMMAND", PASS_COMMAND)
        .ok();
    detached(&t, &["--username", "helen"]).ok();
}

/// An entry file that is a FIFO, or a link to a device, is refused at once
/// and never read: the read, and `list`, end (under `timeout`, so that a
/// hang fails the test instead of stopping the run).
#[test]
fn an_entry_that_is_not_a_regular_file_is_refused_not_read() {
    let t = TestEnv::file_store();
    add(&t, "helen", &doc_for(1).1);
    assert!(std::process::Command::new("mkfifo")
        .arg(entry(&t, "fifo"))
        .status()
        .unwrap()
        .success());
    std::os::unix::fs::symlink("/dev/zero", entry(&t, "zero")).unwrap();
    let within = |args: &[&str]| {
        let mut cmd = t.command("timeout");
        cmd.arg("20").arg(bin()).args(args);
        Run::new(cmd).env("AWSCREDS_PASSPHRASE_COMMAND", PASS_COMMAND)
    };
    for name in ["fifo", "zero"] {
        let out = within(&["--username", name]).fails(1);
        out.stderr_has(&["is not a valid awscreds-rs entry", name]);
    }
    let list = within(&["list", "--json"]).ok();
    let rows: serde_json::Value = serde_json::from_str(&list.stdout).unwrap();
    let errors: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["error"].as_str())
        .collect();
    assert_eq!(errors.len(), 2, "{list:?}");
    assert!(
        errors.iter().any(|e| e.contains("not a regular file"))
            && errors.iter().any(|e| e.contains("symbolic link")),
        "{errors:?}"
    );
    // The good entry still reads.
    within(&["--username", "helen"]).ok();
}

#[test]
fn a_passphrase_command_that_prints_nothing_or_without_end_is_stopped_and_named() {
    let t = TestEnv::file_store();
    add(&t, "helen", &long_term_doc());
    t.run(&["lock"]).ok();
    let before = snapshot(&t);
    detached(&t, &["--username", "helen"])
        .env("AWSCREDS_PASSPHRASE_COMMAND", "true")
        .fails(1)
        .stderr_has(&["AWSCREDS_PASSPHRASE_COMMAND printed nothing on its first line"]);
    let marker = format!("33{}", std::process::id());
    let start = Instant::now();
    let out = detached(&t, &["--username", "helen"])
        .env("AWSCREDS_PASSPHRASE_COMMAND", &format!("yes {marker}"))
        .fails(1);
    out.stderr_has(&["AWSCREDS_PASSPHRASE_COMMAND printed more than 64 KiB, so it was stopped"]);
    assert!(!out.stderr.contains("wrong passphrase"), "{out:?}");
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(
        processes_left(&marker, Duration::from_secs(5)),
        Vec::<u32>::new()
    );
    assert_eq!(snapshot(&t), before);
}

#[test]
fn a_passphrase_command_that_leaves_a_child_or_outlives_us_leaves_nothing_running() {
    let t = TestEnv::file_store();
    add(&t, "helen", &long_term_doc());
    t.run(&["lock"]).ok();
    // Its answer, and a background child that keeps stdout open.
    let marker = format!("31{}", std::process::id());
    let start = Instant::now();
    detached(&t, &["--username", "helen"])
        .env(
            "AWSCREDS_PASSPHRASE_COMMAND",
            &format!("{PASS_COMMAND}; sleep {marker} &"),
        )
        .ok();
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(
        processes_left(&marker, Duration::from_secs(5)),
        Vec::<u32>::new()
    );
    // A command still running when awscreds-rs is stopped ends with it:
    // its whole group on SIGTERM, and the command itself on SIGKILL.
    for (signal, script) in [("TERM", "sleep 9 & sleep"), ("KILL", "exec sleep")] {
        t.run(&["lock"]).ok();
        let marker = format!("32{}", std::process::id());
        let mut cmd = t.command("setsid");
        cmd.arg(bin())
            .args(["--username", "helen"])
            .env("AWSCREDS_PASSPHRASE_COMMAND", format!("{script} {marker}"))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null());
        let mut ours = cmd.spawn().unwrap();
        wait_until(
            "the passphrase command runs",
            Duration::from_secs(20),
            || !processes_with(&marker).is_empty(),
        );
        let killed = std::process::Command::new("kill")
            .args([format!("-{signal}"), ours.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        ours.wait().unwrap();
        assert_eq!(
            processes_left(&marker, Duration::from_secs(5)),
            Vec::<u32>::new(),
            "SIG{signal}"
        );
    }
}

#[test]
fn ctrl_c_at_the_passphrase_prompt_gives_the_echo_back() {
    let t = TestEnv::file_store();
    add(&t, "helen", &long_term_doc());
    t.run(&["lock"]).ok();
    let out = on_pty(
        &t,
        &["*Passphrase of the awscreds-rs file store", "^C"],
        bin(),
        &["--username", "helen"],
    );
    assert_ne!(out.code, 0, "{out:?}");
    assert!(out.stdout.ends_with("pty_run: echo on\n"), "{out:?}");
    assert!(!out.stdout.contains(SECRET), "{out:?}");
}

#[test]
fn parallel_reads_on_one_terminal_ask_once_and_all_finish() {
    let t = TestEnv::file_store();
    add(&t, "helen", &long_term_doc());
    t.run(&["lock"]).ok();
    let script = format!(
        "for i in 1 2 3 4; do '{}' --username helen & done; wait",
        bin()
    );
    let out = on_pty(
        &t,
        &["*Passphrase of the awscreds-rs file store", PASS],
        "sh",
        &["-c", &script],
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout.matches(SECRET).count(), 4, "{out:?}");
    assert_eq!(out.stdout.matches("Passphrase of").count(), 1, "{out:?}");
    assert!(out.stdout.ends_with("pty_run: echo on\n"), "{out:?}");
}

#[test]
fn fix_lines_for_a_file_store_entry_name_the_file_store() {
    let t = TestEnv::file_store();
    add(&t, "helen", &long_term_doc());
    // Typed as printed, without --store file, each would go to the
    // platform's keychain and leave the file store as it was.
    t.run(&["add", "--username", "helen"])
        .env("AWSCREDS_PASSPHRASE_COMMAND", PASS_COMMAND)
        .stdin(&long_term_doc())
        .fails(1)
        .stderr_has(&["awscreds-rs remove --username helen --store file"]);
    detached(&t, &["--username", "ghost"])
        .env("AWSCREDS_PASSPHRASE_COMMAND", PASS_COMMAND)
        .fails(1)
        .stderr_has(&["awscreds-rs add --username ghost --store file"]);
}

#[test]
fn a_store_folder_that_others_could_change_is_refused() {
    let t = TestEnv::file_store();
    add(&t, "helen", &long_term_doc());
    let dir = store_dir(&t);
    let before = snapshot(&t);
    let refused = |fix: &str| {
        detached(&t, &["--username", "helen"])
            .fails(1)
            .stderr_has(&["the encrypted file store will not use", fix]);
        t.run(&["add", "--username", "bob"])
            .env("AWSCREDS_PASSPHRASE_COMMAND", PASS_COMMAND)
            .stdin(&long_term_doc())
            .fails(1);
    };
    // Open to others.
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    refused("chmod 700");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    assert_eq!(snapshot(&t), before);
    // A symbolic link to a folder elsewhere.
    let elsewhere = t.root().join("elsewhere");
    std::fs::rename(&dir, &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &dir).unwrap();
    refused("mv ");
    std::fs::remove_file(&dir).unwrap();
    std::fs::rename(&elsewhere, &dir).unwrap();
    // Another user's (root can hand it to the tests' ordinary user).
    if std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout == b"0\n")
    {
        let status = std::process::Command::new("chown")
            .args(["awscreds-test", dir.to_str().unwrap()])
            .status()
            .unwrap();
        assert!(status.success());
        refused("not by you");
        std::os::unix::fs::chown(&dir, Some(0), None).unwrap();
    }
    assert!(!entry(&t, "bob").exists());
    assert_eq!(snapshot(&t), before);
}

#[test]
fn a_replaced_recipient_takes_no_key() {
    let t = TestEnv::file_store();
    add(&t, "helen", &long_term_doc());
    let keygen = std::process::Command::new("age-keygen").output().unwrap();
    let theirs = String::from_utf8(keygen.stderr).unwrap();
    let theirs = theirs.trim().trim_start_matches("Public key: ").to_string();
    assert!(theirs.starts_with("age1"), "{theirs}");
    std::fs::write(store_dir(&t).join("recipient"), format!("{theirs}\n")).unwrap();
    // Unlocked, add checks the recipient against the kept identity before
    // it seals a key for it (locked, add needs no passphrase, by design:
    // the folder check above keeps other users from the file).
    t.run(&["add", "--username", "bob"])
        .stdin(&long_term_doc())
        .fails(1)
        .stderr_has(&["recipient is damaged: it does not match identity.age"]);
    assert!(!entry(&t, "bob").exists());
    // Locked, the passphrase's identity shows it too.
    t.run(&["lock"]).ok();
    detached(&t, &["--username", "helen"])
        .env("AWSCREDS_PASSPHRASE_COMMAND", PASS_COMMAND)
        .fails(1)
        .stderr_has(&["recipient is damaged: it does not match identity.age"]);
}

/// The serial of the kernel key this test's store is kept under.
fn kept_serial(t: &TestEnv) -> u32 {
    let dir = std::fs::canonicalize(store_dir(t)).unwrap();
    let hex = awscreds_rs::digest::sha256_hex(&[dir.to_str().unwrap().as_bytes()], 8);
    let out = std::process::Command::new("keyctl")
        .args([
            "search",
            "@u",
            "user",
            &format!("awscreds-rs-unlocked:{hex}"),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "not kept: {out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// The time-out column of /proc/keys ("perm", "11h", "1m") for that key.
fn kept_timeout(t: &TestEnv) -> String {
    let serial = kept_serial(t);
    let keys = std::fs::read_to_string("/proc/keys").unwrap();
    let line = keys
        .lines()
        .find(|l| l.starts_with(&format!("{serial:08x} ")))
        .unwrap_or_else(|| panic!("{serial:08x} is not in /proc/keys"));
    line.split_whitespace().nth(3).unwrap().to_string()
}

#[test]
fn an_unlocked_store_lasts_twelve_hours_unused_and_each_read_renews_it() {
    let t = TestEnv::file_store();
    add(&t, "helen", &long_term_doc());
    t.run(&["lock"]).ok();
    detached(&t, &["unlock"])
        .env("AWSCREDS_PASSPHRASE_COMMAND", PASS_COMMAND)
        .ok()
        .stderr_has(&["until it goes unused for 12h"]);
    let renewed = ["11h", "12h"];
    assert!(
        renewed.contains(&kept_timeout(&t).as_str()),
        "{}",
        kept_timeout(&t)
    );
    // Shortened by hand, then read: back to twelve hours.
    let status = std::process::Command::new("keyctl")
        .args(["timeout", &kept_serial(&t).to_string(), "100"])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(kept_timeout(&t), "1m");
    detached(&t, &["--username", "helen"]).ok();
    assert!(
        renewed.contains(&kept_timeout(&t).as_str()),
        "{}",
        kept_timeout(&t)
    );
    // --for keeps its own length, unrenewed.
    t.run(&["lock"]).ok();
    detached(&t, &["unlock", "--for", "30m"])
        .env("AWSCREDS_PASSPHRASE_COMMAND", PASS_COMMAND)
        .ok();
    detached(&t, &["--username", "helen"]).ok();
    assert!(
        ["29m", "30m"].contains(&kept_timeout(&t).as_str()),
        "{}",
        kept_timeout(&t)
    );
}
