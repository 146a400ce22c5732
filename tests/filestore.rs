//! The encrypted file store, for real: the installed binary, the age
//! files on disk, the kernel keyring that keeps it unlocked, a real pty
//! for the passphrase prompts, the `age` tool for the emergency read, and
//! boto3 reading through a profile.

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::filestore::*;
use common::*;

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

#[test]
fn a_wrong_passphrase_changes_nothing_and_keeps_nothing() {
    let t = TestEnv::file_store();
    add(&t, "helen", &long_term_doc());
    t.run(&["lock"]).ok();
    let before = snapshot(&t);
    let folder = store_dir(&t).display().to_string();
    for args in [&["unlock"][..], &["--username", "helen"], &["list"]] {
        // The folder named; the command's variable, not "type it again".
        let out = detached(&t, args)
            .env("AWSCREDS_PASSPHRASE_COMMAND", "echo wrong")
            .fails(1);
        out.stderr_has(&[
            "wrong passphrase",
            &format!("file store in {folder}"),
            "AWSCREDS_PASSPHRASE_COMMAND printed another",
            &format!("remove {folder} and add"),
        ]);
        assert!(!out.stderr.contains("type it again"), "{out:?}");
    }
    assert_eq!(snapshot(&t), before);
    // Nothing was kept: without a passphrase the store is still locked.
    detached(&t, &["--username", "helen"])
        .fails(1)
        .stderr_has(&["is locked"]);
    nothing_in_plaintext(&t);
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

    // An empty one is refused at the first prompt, not after a second.
    let mut cmd = t.command(client(".venv/bin/python"));
    cmd.arg(project_dir().join("tests/py/pty_run.py"))
        .args(["*New passphrase", "", "--"])
        .arg(bin())
        .args(["add", "--username", "helen", "--from-env"]);
    let out = env_key(Run::new(cmd)).output();
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.contains("the passphrase is empty"), "{out:?}");
    assert!(!out.stdout.contains("same passphrase again"), "{out:?}");
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
    // A wrong passphrase typed at the terminal gets a second try, and the
    // wait while the key is derived is said.
    let out = on_pty(
        &t,
        &[
            "*Passphrase of the awscreds-rs file store",
            "not it",
            // The same prompt again, after the line that says why.
            "*try again.",
            PASS,
        ],
        bin(),
        &["--username", "helen"],
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains(SECRET), "{out:?}");
    assert!(!out.stdout.contains(PASS), "{out:?}");
    // (pty_run marks the prompts it answered with <...>.)
    assert!(
        out.stdout.contains("Wrong passphrase; <try again.>"),
        "{out:?}"
    );
    assert!(
        out.stdout.contains("Unlocking the encrypted file store…"),
        "{out:?}"
    );
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
fn unlock_for_a_while_locks_again_by_itself() {
    let t = TestEnv::file_store();
    add(&t, "helen", &long_term_doc());
    t.run(&["lock"]).ok();
    t.run(&["unlock"])
        .env("AWSCREDS_PASSPHRASE_COMMAND", PASS_COMMAND)
        .ok();
    // Unlocked already: nothing is asked (there is nobody to ask here),
    // and it says so; --for keeps it for that long from now.
    detached(&t, &["unlock"])
        .ok()
        .stderr_has(&["unlocked already", "--for DURATION"]);
    detached(&t, &["unlock", "--for", "2s"])
        .ok()
        .stderr_has(&["for 2s"]);
    detached(&t, &["--username", "helen"]).ok();
    // Locked again once the 2 s are over: waited for, not slept through.
    wait_until(
        "the store to lock itself again",
        Duration::from_secs(30),
        || detached(&t, &["--username", "helen"]).output().code != 0,
    );
    detached(&t, &["--username", "helen"])
        .fails(1)
        .stderr_has(&["is locked"]);
    t.run(&["unlock", "--for", "soon"])
        .fails(2)
        .stderr_has(&["invalid --for", "8h"]);
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
