//! The command line against the real Secret Service and the real kernel
//! keyring: storing, printing, listing, removing, and every refusal.

mod common;

use common::*;

fn expected_long_term() -> String {
    format!("{}\n", long_term_doc())
}

#[test]
fn temporary_credentials_from_the_environment() {
    let t = TestEnv::secret_service();
    let expiration = in_two_hours();
    t.run(&["add", "--username", "ci", "--from-env"])
        .env("AWS_ACCESS_KEY_ID", TEMP_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env("AWS_SESSION_TOKEN", TOKEN)
        .env(
            "AWS_CREDENTIAL_EXPIRATION",
            &expiration.replace('Z', "+00:00"),
        )
        .ok();
    let out = t.run(&["--username", "ci"]).ok();
    assert_eq!(out.stdout, format!("{}\n", temporary_doc(&expiration)));
}

#[test]
fn add_refuses_to_overwrite_without_force() {
    let t = TestEnv::with_key("helen");
    let other = long_term_doc().replace("EXAMPLEKEY", "OTHERKEYXX");
    t.run(&["add", "--username", "helen"])
        .stdin(&other)
        .fails(1)
        .stderr_has(&["already stored", "--force"]);
    assert_eq!(
        t.run(&["--username", "helen"]).ok().stdout,
        expected_long_term()
    );

    t.run(&["add", "--username", "helen", "--force"])
        .stdin(&other)
        .ok();
    assert!(t
        .run(&["--username", "helen"])
        .ok()
        .stdout
        .contains("OTHERKEYXX"));
}

/// Two adds of one new NAME at once: exactly one stores its key, the other
/// is refused as for an existing NAME, and the stored key is the winner's.
/// Both stores, twenty rounds each (unlocked, about one in five rounds
/// stored both and kept the second).
#[test]
fn two_adds_of_a_new_name_at_once_store_one_key() {
    for t in [TestEnv::secret_service(), TestEnv::keyutils()] {
        let name = format!("race-{}", std::process::id());
        let mut round = 0;
        while round < 20 {
            let mut children = Vec::new();
            for i in 0..2 {
                let secret = format!("{}{i}", &SECRET[..39]);
                let doc = format!(
                    r#"{{"Version":1,"AccessKeyId":"{KEY_ID}","SecretAccessKey":"{secret}"}}"#
                );
                let mut cmd = t.command(bin());
                cmd.args(["add", "--username", &name])
                    .stdin(std::process::Stdio::piped())
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped());
                let mut child = cmd.spawn().unwrap();
                use std::io::Write;
                child
                    .stdin
                    .take()
                    .unwrap()
                    .write_all(doc.as_bytes())
                    // Refused before it reads its input: the NAME is there.
                    .or_else(|e| {
                        (e.kind() == std::io::ErrorKind::BrokenPipe)
                            .then_some(())
                            .ok_or(e)
                    })
                    .unwrap();
                children.push((secret, child));
            }
            let results: Vec<(String, std::process::Output)> = children
                .into_iter()
                .map(|(secret, child)| (secret, child.wait_with_output().unwrap()))
                .collect();
            let won: Vec<&String> = results
                .iter()
                .filter(|(_, out)| out.status.success())
                .map(|(secret, _)| secret)
                .collect();
            // gnome-keyring's own crash (tests/common/bus.rs): the round
            // again, on the keyring started anew.
            if won.len() != 1 && t.revive_keyring() {
                let _ = t.run(&["remove", "--username", &name]).output();
                continue;
            }
            assert_eq!(won.len(), 1, "round {round}: {results:?}");
            for (_, out) in results.iter().filter(|(_, out)| !out.status.success()) {
                let said = String::from_utf8_lossy(&out.stderr);
                assert!(said.contains("already"), "round {round}: {said}");
            }
            let stored = t.run(&["--username", &name]).ok();
            assert!(
                stored.stdout.contains(won[0].as_str()),
                "round {round}: {stored:?}"
            );
            t.run(&["remove", "--username", &name]).ok();
            round += 1;
        }
    }
}

#[test]
fn bad_input_is_refused_and_loses_nothing() {
    let t = TestEnv::with_key("helen");
    let past = r#"{"Version":1,"AccessKeyId":"ASIAIOSFODNN7EXAMPLE","SecretAccessKey":"s3cr3tvalue","SessionToken":"tok","Expiration":"2020-01-01T00:00:00Z"}"#;
    let cases: &[(&str, &str)] = &[
        ("{not json", "not a JSON document"),
        (
            r#"{"Version":2,"AccessKeyId":"AKIAIOSFODNN7EXAMPLE","SecretAccessKey":"s3cr3tvalue"}"#,
            "Version is not 1",
        ),
        (
            r#"{"AccessKeyId":"AKIA123","SecretAccessKey":"s3cr3tvalue"}"#,
            "the access key id is not valid",
        ),
        (
            r#"{"AccessKeyId":"ASIAIOSFODNN7EXAMPLE","SecretAccessKey":"s3cr3tvalue"}"#,
            "no session token",
        ),
        (past, "not in the future"),
        (
            r#"{"AccessKeyId":"AKIAIOSFODNN7EXAMPLE"}"#,
            "no SecretAccessKey",
        ),
        // An empty stdin (`add </dev/null`) is said to be empty, with the
        // ways to give the key.
        ("", "stdin is empty"),
    ];
    for (input, message) in cases {
        for name in ["helen", "newcomer"] {
            let out = t
                .run(&["add", "--username", name, "--force"])
                .stdin(input)
                .fails(1);
            out.stderr_has(&[message]);
            if input.is_empty() {
                out.stderr_has(&["--from-env", "on a terminal"]);
            }
            assert!(!out.stderr.contains("s3cr3tvalue"), "{out:?}");
            assert_eq!(out.stderr.lines().count(), 1, "{out:?}");
        }
    }
    assert_eq!(
        t.run(&["--username", "helen"]).ok().stdout,
        expected_long_term()
    );
    t.run(&["--username", "newcomer"]).fails(1);
}

#[test]
fn expired_entries_are_never_printed() {
    let t = TestEnv::secret_service();
    t.store_raw("old",
        &format!(
            r#"{{"FormatVersion":1,"AccessKeyId":"{TEMP_KEY_ID}","SecretAccessKey":"{SECRET}","SessionToken":"{TOKEN}","Expiration":"2021-06-01T00:00:00Z"}}"#
        ),
    );
    let out = t.run(&["--username", "old"]).fails(1);
    out.stderr_has(&["'old'", "expired at 2021-06-01T00:00:00Z", "--force"]);
    assert!(!out.stderr.contains(SECRET));
    let list = t.run(&["list"]).ok();
    assert!(
        list.stdout.contains("2021-06-01T00:00:00Z (expired)"),
        "{list:?}"
    );
}

#[test]
fn a_locked_keyring_fails_at_once_with_the_fix() {
    let t = TestEnv::with_key("helen");
    t.ss().lock();
    let out = t.run(&["--username", "helen"]).fails(1);
    out.stderr_has(&["'helen'", "locked", "unlock"]);
    assert_eq!(out.stderr.lines().count(), 1);
    // Writing is refused too, and nothing is lost.
    t.run(&["add", "--username", "helen", "--force"])
        .stdin(&long_term_doc())
        .fails(1)
        .stderr_has(&["locked"]);
}

#[test]
fn a_missing_secret_service() {
    let t = TestEnv::bus_without_keyring();
    t.run(&["--username", "helen", "--store", "secret-service"])
        .fails(1)
        .stderr_has(&["'helen'", "not reachable", "--store keyutils"]);
    // auto falls back to the kernel keyring and says why.
    t.run(&["--username", "nobody-anywhere-xyz"])
        .fails(1)
        .stderr_has(&[
            "kernel keyring",
            "auto picked keyutils",
            "no Secret Service",
        ]);
}

#[test]
fn a_secret_service_that_goes_away() {
    let mut t = TestEnv::with_key("helen");
    t.ss.as_mut().unwrap().stop_keyring();
    t.run(&["--username", "helen"])
        .fails(1)
        .stderr_has(&["'helen'", "Secret Service"]);
}

/// The test bed's own guard against gnome-keyring's upstream crash (see
/// common::bus::revive): a keyring that died is started again on the same
/// files, and the command that failed runs once more and finds the key.
#[test]
fn a_keyring_that_died_is_started_again_with_its_keys() {
    let t = TestEnv::with_key("helen");
    let pid = t.ss().keyring_pid().unwrap();
    std::process::Command::new("kill")
        .args(["-TRAP", &pid.to_string()])
        .status()
        .unwrap();
    // Dead (a zombie of the test's) before the command runs.
    let stat = format!("/proc/{pid}/stat");
    wait_until(
        "the killed keyring is a zombie",
        std::time::Duration::from_secs(10),
        || std::fs::read_to_string(&stat).unwrap().contains(") Z "),
    );
    let out = t.run(&["--username", "helen"]).ok();
    assert!(out.stdout.contains(KEY_ID), "{out:?}");
    assert!(out.stderr.is_empty(), "{out:?}");
    assert_ne!(t.ss().keyring_pid(), Some(pid));
}

/// Run with stdout closed (`>&-`), the credential_process mode prints
/// nothing anywhere and fails (was: wrote the document into the /dev/null
/// Rust's runtime opens in its place, exit 0).
#[test]
fn a_closed_stdout_fails_instead_of_printing_into_nothing() {
    let t = TestEnv::with_key("helen");
    let mut cmd = t.command("sh");
    cmd.args(["-c", "exec \"$0\" --username helen >&-", bin()]);
    let out = Run::new(cmd).fails(1);
    out.stderr_has(&["stdout is closed"]);
    assert!(!out.stderr.contains(SECRET));
    // Redirected to /dev/null on purpose, it still works.
    let mut cmd = t.command("sh");
    cmd.args(["-c", "exec \"$0\" --username helen >/dev/null", bin()]);
    Run::new(cmd).ok();
}

/// A gnome-keyring without a login keyring offers only its in-memory
/// `session` collection: add and import refuse it, rather than keep a key
/// (and delete the plaintext) where the next daemon restart loses it.
/// Was: "Stored ... in the Secret Service", exit 0. The bus and the daemon
/// are this test's own (dbus-run-session), stopped at its end.
#[test]
fn a_secret_service_that_keeps_nothing_is_refused() {
    let t = TestEnv::keyutils();
    let creds = t.home.join(".aws/credentials");
    let text = format!("[d]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n");
    std::fs::write(&creds, &text).unwrap();
    let script = r#"
        gnome-keyring-daemon --foreground --components=secrets </dev/null >/dev/null 2>&1 &
        daemon=$!
        for _ in $(seq 100); do
          dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
            org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets | grep -q true && break
          sleep 0.1
        done
        printf '%s' "$1" | "$0" add --username x --store secret-service
        echo "add=$?"
        "$0" import --all --store secret-service
        echo "import=$?"
        "$0" doctor --store secret-service --json > doctor-before.json
        kill -0 "$daemon" && echo "first daemon up"
        # The README's unlock line (in the foreground here, so that the
        # test can stop it), followed after the daemon that D-Bus (here:
        # the script) started: it takes that daemon's place.
        printf '%s' pw | gnome-keyring-daemon --replace --foreground --unlock \
          --components=secrets >/dev/null 2>&1 &
        unlocked=$!
        for _ in $(seq 100); do kill -0 "$daemon" 2>/dev/null || break; sleep 0.1; done
        for _ in $(seq 100); do
          dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
            org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets | grep -q true && break
          sleep 0.1
        done
        printf '%s' "$1" | "$0" add --username x --store secret-service
        echo "add-after-unlock=$?"
        "$0" doctor --store secret-service --json > doctor-after.json
        kill "$unlocked"
    "#;
    let mut cmd = t.command("dbus-run-session");
    cmd.args(["--", "bash", "-c", script, bin(), &long_term_doc()]);
    let out = Run::new(cmd).output();
    assert!(
        out.stdout
            .contains("add=1\nimport=1\nfirst daemon up\nadd-after-unlock=0\n"),
        "{out:?}"
    );
    // doctor saw what add saw: an error before, ok once unlocked.
    let store_finding = |file: &str| -> serde_json::Value {
        let text = std::fs::read_to_string(t.home.join(file)).unwrap();
        let all: serde_json::Value = serde_json::from_str(&text).unwrap();
        all.as_array()
            .unwrap()
            .iter()
            .find(|f| f["check"] == "store")
            .cloned()
            .unwrap()
    };
    let before = store_finding("doctor-before.json");
    assert_eq!(before["status"], "error", "{before}");
    // A step to take, not "follow the message".
    assert!(
        before["fix"]
            .as_str()
            .unwrap()
            .contains("gnome-keyring-daemon --replace --unlock"),
        "{before}"
    );
    assert!(
        before["message"]
            .as_str()
            .unwrap()
            .contains("in-memory session collection"),
        "{before}"
    );
    assert_eq!(store_finding("doctor-after.json")["status"], "ok");
    let refusals = out
        .stderr
        .lines()
        .filter(|l| l.contains("only its in-memory session collection"))
        .count();
    assert_eq!(refusals, 2, "{out:?}");
    assert!(out.stderr.contains("--store file"), "{out:?}");
    assert!(!out.stderr.contains(SECRET), "{out:?}");
    assert_eq!(std::fs::read_to_string(&creds).unwrap(), text);
}

/// Help that fits: `--store` is one line in every subcommand's help (the
/// stores named in it, no block of possible values), the credential_process
/// flags have a heading of their own, and the example path is where
/// `cargo install` puts the binary.
#[test]
fn help_is_short_where_a_flag_means_little_and_groups_the_process_flags() {
    let t = TestEnv::native();
    for command in ["init", "allow", "deny", "use", "prompt"] {
        let help = t.run(&[command, "--help"]).ok().stdout;
        assert!(!help.contains("Possible values"), "{command}: {help}");
        let store_lines = help
            .lines()
            .skip_while(|l| !l.contains("--store"))
            .take_while(|l| !l.trim_start().starts_with("-h"))
            .filter(|l| !l.trim().is_empty())
            .count();
        assert!(
            store_lines <= 4,
            "{command}: --store takes {store_lines} lines:\n{help}"
        );
    }
    let help = t.run(&["--help"]).ok().stdout;
    assert!(
        help.contains("credential_process mode (no command):"),
        "{help}"
    );
    let heading = help.find("credential_process mode (no command):").unwrap();
    assert!(help.find("--role-arn").unwrap() > heading, "{help}");
    assert!(help.find("--store").unwrap() < heading, "{help}");
    assert!(
        help.contains(".cargo/bin/awscreds-rs --username helen"),
        "{help}"
    );
    // The commands come in groups: the keys, then the profiles, then the shell.
    let at = |name: &str| {
        help.find(&format!("\n  {name} "))
            .unwrap_or_else(|| panic!("{name}: {help}"))
    };
    assert!(at("add") < at("list") && at("list") < at("configure"));
    assert!(at("configure") < at("doctor") && at("doctor") < at("exec"));
    assert!(at("exec") < at("init") && at("init") < at("unlock"));
}

#[test]
fn unknown_store_names_are_usage_errors() {
    let t = TestEnv::secret_service();
    // clap's own usage errors: the error, the usage line, the help hint.
    t.run(&["--store", "vault", "--username", "helen"])
        .fails_saying_more(2)
        .stderr_has(&[
            "vault",
            "secret-service",
            "keyutils",
            "keychain",
            "windows",
            "file",
        ]);
    t.run(&["list"])
        .env("AWSCREDS_STORE", "bogus")
        .fails(2)
        .stderr_has(&["invalid AWSCREDS_STORE 'bogus'", "secret-service"]);
    // AWSCREDS_STORE set: usage errors do not show --store as if typed.
    let out = t
        .run(&["configure", "--profile", "x"])
        .env("AWSCREDS_STORE", "keyutils")
        .fails_saying_more(2);
    out.stderr_has(&["Usage: awscreds-rs configure"]);
    assert!(!out.stderr.contains("--store <STORE>"), "{out:?}");
    t.run(&["--store", "keychain", "list"])
        .fails(1)
        .stderr_has(&[
            "does not exist on this platform",
            "secret-service, file, keyutils",
        ]);
}

#[test]
fn usage_errors() {
    let t = TestEnv::secret_service();
    // Nothing to do: the line and the help.
    t.run(&[])
        .fails_saying_more(2)
        .stderr_has(&["--username NAME"]);
    t.run(&["--username", "bad name"]).fails(2).stderr_is(
        "awscreds-rs: invalid --username 'bad name': use 1 to 128 letters, digits or + = , . @ _ -",
    );
    t.run(&[
        "add",
        "--username",
        "x",
        "--from-env",
        "--access-key-id",
        KEY_ID,
    ])
    .fails_saying_more(2);
    t.run(&["--username", "x", "list"])
        .fails(2)
        .stderr_has(&["after the command"]);
    // --store goes before or after the command.
    t.run(&["list", "--store", "secret-service"]).ok();
    t.run(&["--store", "secret-service", "list"]).ok();
}

#[test]
fn the_kernel_keyring_round_trip() {
    let t = TestEnv::keyutils();
    let name = t.name("kernel");
    let out = t
        .run(&["add", "--username", &name])
        .stdin(&long_term_doc())
        .ok();
    out.stderr_has(&["kernel keyring", "reboot"]);
    assert_eq!(
        t.run(&["--username", &name]).ok().stdout,
        expected_long_term()
    );

    let list = t.run(&["list", "--json"]).ok().stdout;
    assert!(
        list.contains(&format!("\"username\": \"{name}\"")),
        "{list}"
    );
    assert!(!list.contains(SECRET));
    assert_eq!(t.files_containing(SECRET), Vec::<std::path::PathBuf>::new());

    t.run(&["add", "--username", &name])
        .stdin(&long_term_doc())
        .fails(1);
    t.run(&["remove", "--username", &name]).ok();
    t.run(&["--username", &name])
        .fails(1)
        .stderr_has(&["kernel keyring"]);
}

#[test]
fn the_kernel_keyring_keeps_temporary_credentials() {
    let t = TestEnv::keyutils();
    let name = t.name("kernel-temp");
    let expiration = in_two_hours();
    t.run(&["add", "--username", &name])
        .stdin(&temporary_doc(&expiration))
        .ok();
    assert_eq!(
        t.run(&["--username", &name]).ok().stdout,
        format!("{}\n", temporary_doc(&expiration))
    );
}

/// Runs `add` on a real pseudo-terminal and answers its prompts.
fn add_on_a_terminal(t: &TestEnv, name: &str, answers: &[&str]) -> Out {
    let mut cmd = t.command(client(".venv/bin/python"));
    cmd.arg(project_dir().join("tests/py/pty_run.py"))
        .args(answers)
        .args(["--", bin(), "add", "--username", name]);
    Run::new(cmd).output()
}

#[test]
fn terminal_prompts_never_echo_the_secret() {
    let t = TestEnv::secret_service();
    let out = add_on_a_terminal(
        &t,
        "helen",
        &["Access key id: ", KEY_ID, "*Secret access key: ", SECRET],
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains(KEY_ID), "the key id is echoed: {out:?}");
    assert!(
        !out.stdout.contains(SECRET),
        "the secret was echoed: {out:?}"
    );
    assert!(out.stdout.contains("Stored the long-term key"), "{out:?}");
    assert_eq!(
        t.run(&["--username", "helen"]).ok().stdout,
        expected_long_term()
    );

    let expiration = in_two_hours();
    let out = add_on_a_terminal(
        &t,
        "ci",
        &[
            "Access key id: ",
            TEMP_KEY_ID,
            "*Secret access key: ",
            SECRET,
            "*Session token: ",
            TOKEN,
            "Expiration (RFC 3339, empty if unknown): ",
            &expiration,
        ],
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        !out.stdout.contains(SECRET) && !out.stdout.contains(TOKEN),
        "{out:?}"
    );
    assert_eq!(
        t.run(&["--username", "ci"]).ok().stdout,
        format!("{}\n", temporary_doc(&expiration))
    );
}

/// No stretch of eight characters of `secret` appears in `text`.
fn shows_none_of(text: &str, secret: &str) -> bool {
    let chars: Vec<char> = secret.chars().collect();
    chars
        .windows(8)
        .all(|w| !text.contains(&w.iter().collect::<String>()))
}

#[test]
fn a_secret_in_the_wrong_field_is_never_echoed() {
    let t = TestEnv::secret_service();
    // The secret where the key id belongs, in every way a key comes in.
    let swapped = format!(r#"{{"AccessKeyId":"{SECRET}","SecretAccessKey":"{KEY_ID}"}}"#);
    let out = t
        .run(&["add", "--username", "helen"])
        .stdin(&swapped)
        .fails(1);
    out.stderr_has(&["the access key id is not valid"]);
    assert!(shows_none_of(&out.stderr, SECRET), "{out:?}");

    let out = t
        .run(&["add", "--username", "helen", "--from-env"])
        .env("AWS_ACCESS_KEY_ID", SECRET)
        .env("AWS_SECRET_ACCESS_KEY", KEY_ID)
        .fails(1);
    assert!(shows_none_of(&out.stderr, SECRET), "{out:?}");

    let account = format!(
        r#"{{"AccessKeyId":"{KEY_ID}","SecretAccessKey":"{SECRET}","AccountId":"{SECRET}"}}"#
    );
    let out = t
        .run(&["add", "--username", "helen"])
        .stdin(&account)
        .fails(1);
    out.stderr_has(&["the account id is not valid"]);
    assert!(shows_none_of(&out.stderr, SECRET), "{out:?}");

    std::fs::write(
        t.home.join(".aws/credentials"),
        format!("[swapped]\naws_access_key_id = {SECRET}\naws_secret_access_key = {KEY_ID}\n"),
    )
    .unwrap();
    let out = t.run(&["import", "--profile", "swapped"]).fails(1);
    out.stderr_has(&["profile 'swapped'", "the access key id is not valid"]);
    assert!(shows_none_of(&out.stderr, SECRET), "{out:?}");
    t.run(&["--username", "swapped"]).fails(1);
}

#[test]
fn a_long_term_key_with_a_leftover_token_is_refused() {
    let t = TestEnv::secret_service();
    let out = t
        .run(&["add", "--username", "helen", "--from-env"])
        .env("AWS_ACCESS_KEY_ID", KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .env("AWS_SESSION_TOKEN", TOKEN)
        .fails(1);
    out.stderr_has(&[
        "long-term key (AKIA...) came with a session token",
        "unset AWS_SESSION_TOKEN",
    ]);
    let control = format!(r#"{{"AccessKeyId":"{KEY_ID}","SecretAccessKey":"abc\u0007def"}}"#);
    t.run(&["add", "--username", "helen"])
        .stdin(&control)
        .fails(1)
        .stderr_has(&["control characters"]);
    t.run(&["--username", "helen"]).fails(1);
}

/// What is read back is checked as strictly as what `add` takes: a damaged
/// entry is reported, never printed.
#[test]
fn damaged_stored_entries_are_refused_on_read() {
    let t = TestEnv::secret_service();
    let entry = |id: &str, secret: &str, token: Option<&str>| {
        let token = token
            .map(|t| format!(r#","SessionToken":"{t}""#))
            .unwrap_or_default();
        format!(r#"{{"FormatVersion":1,"AccessKeyId":"{id}","SecretAccessKey":"{secret}"{token}}}"#)
    };
    let cases = [
        ("bad-id", entry("bad", SECRET, None), "access key id"),
        ("empty-secret", entry(KEY_ID, "", None), "secret access key"),
        (
            "control",
            entry(KEY_ID, "abc\\u001bdef", None),
            "control characters",
        ),
        (
            "asia-alone",
            entry(TEMP_KEY_ID, SECRET, None),
            "no session token",
        ),
    ];
    for (name, value, says) in &cases {
        t.store_raw(name, value);
        let out = t.run(&["--username", name]).fails(1);
        out.stderr_has(&[&format!("'{name}'"), "not a valid awscreds-rs entry", says]);
        assert!(shows_none_of(&out.stderr, SECRET), "{out:?}");
    }
    // Every other entry still reads.
    t.run(&["add", "--username", "good"])
        .stdin(&long_term_doc())
        .ok();
    assert_eq!(
        t.run(&["--username", "good"]).ok().stdout,
        expected_long_term()
    );
}

/// A key that is removed or replaced takes its cached sessions with it:
/// nothing made from it is served any more.
#[test]
fn remove_and_replace_drop_the_names_sessions() {
    let t = TestEnv::secret_service();
    let session = format!(
        r#"{{"FormatVersion":1,"AccessKeyId":"{TEMP_KEY_ID}","SecretAccessKey":"{SECRET}","SessionToken":"{TOKEN}","Expiration":"{}"}}"#,
        in_two_hours()
    );
    for name in ["helen", "hugo"] {
        t.run(&[
            "add",
            "--username",
            name,
            "--mfa-serial",
            "arn:aws:iam::123456789012:mfa/x",
        ])
        .stdin(&long_term_doc())
        .ok();
        t.store_raw(&mfa_entry(name), &session);
    }
    // The cached session is what a call serves.
    assert!(t.run(&["--username", "helen"]).ok().stdout.contains(TOKEN));

    // A profile that reads the NAME is named, with the way to repoint it.
    t.write_config(&format!(
        "[profile app]\ncredential_process = {} --username helen\n[profile other]\ncredential_process = {} --username hugo\n",
        bin(),
        bin()
    ));
    let out = t.run(&["remove", "--username", "helen"]).ok();
    out.stderr_has(&[
        "and 1 cached session(s)",
        "Profile 'app' still runs awscreds-rs for 'helen' and now fails",
        "awscreds-rs configure --profile app --username NAME",
    ]);
    assert!(!out.stderr.contains("'other'"), "{out:?}");
    assert_eq!(t.stored_names(), ["hugo".to_string(), mfa_entry("hugo")]);
    t.run(&["--username", "helen"]).fails(1);

    t.run(&["add", "--username", "hugo", "--force"])
        .stdin(&long_term_doc())
        .ok();
    assert_eq!(t.stored_names(), ["hugo"]);
}

#[test]
fn add_refuses_an_existing_name_before_asking_anything() {
    let t = TestEnv::with_key("helen");
    let out = add_on_a_terminal(&t, "helen", &["Access key id: ", KEY_ID]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.contains("already stored"), "{out:?}");
    assert!(!out.stdout.contains("Access key id"), "{out:?}");

    // --mfa-serial alone on a NAME that is not stored, with nothing on stdin.
    t.run(&[
        "add",
        "--username",
        "ghost",
        "--mfa-serial",
        "arn:aws:iam::123456789012:mfa/x",
    ])
    .fails(1)
    .stderr_has(&[
        "no credentials stored for 'ghost'",
        "awscreds-rs add --username ghost",
    ]);
}

/// The tests that run on every platform: on Linux against the Secret
/// Service, under Wine (scripts/wine.sh) against the Windows Credential
/// Manager.

#[test]
fn other_secret_service_clients_find_the_entry() {
    let t = TestEnv::with_key("helen");
    let lookup = t
        .command("secret-tool")
        .args(["lookup", "service", "awscreds-rs", "username", "helen"])
        .output()
        .unwrap();
    let value = String::from_utf8(lookup.stdout).unwrap();
    assert!(
        value.contains(SECRET) && value.contains("\"FormatVersion\":1"),
        "{value}"
    );
}

mod everywhere {
    use super::*;

    #[test]
    fn add_then_credential_process_prints_the_document() {
        let t = TestEnv::native();
        let out = t
            .run(&["add", "--username", "helen"])
            .stdin(&long_term_doc())
            .ok();
        assert!(out.stderr.contains("AKIA************MPLE"), "{out:?}");
        assert!(!out.stderr.contains(SECRET));

        let out = t.run(&["--username", "helen"]).ok();
        assert_eq!(out.stdout, expected_long_term());
        assert_eq!(out.stderr, "");

        // The entry is where the store's own tool sees it.
        assert_eq!(t.stored_names(), ["helen"]);

        // And in no file: gnome-keyring encrypts its own file, Wine its
        // registry's credentials.
        assert_eq!(t.files_containing(SECRET), Vec::<std::path::PathBuf>::new());
    }

    #[test]
    fn access_key_id_flag_reads_the_secret_from_stdins_first_line() {
        let t = TestEnv::native();
        t.run(&["add", "--username", "helen", "--access-key-id", KEY_ID])
            .stdin(&format!("{SECRET}\nignored second line\n"))
            .ok();
        assert_eq!(
            t.run(&["--username", "helen"]).ok().stdout,
            expected_long_term()
        );
    }

    #[test]
    fn unknown_name_fails_with_one_line_naming_it() {
        let t = TestEnv::native();
        let out = t.run(&["--username", "nobody"]).fails(1);
        out.stderr_has(&["'nobody'", t.label(), "awscreds-rs add --username nobody"]);
        assert_eq!(out.stderr.lines().count(), 1);
    }

    #[test]
    fn a_corrupt_entry_is_reported_listed_and_replaceable() {
        let t = TestEnv::native();
        t.store_raw("broken", "garbage with s3cr3tvalue inside");
        let out = t.run(&["--username", "broken"]).fails(1);
        out.stderr_has(&["'broken'", "not a valid awscreds-rs entry", "--force"]);
        assert!(!out.stderr.contains("s3cr3tvalue"));

        let list = t.run(&["list", "--json"]).ok();
        let rows: serde_json::Value = serde_json::from_str(&list.stdout).unwrap();
        assert_eq!(rows[0]["username"], "broken");
        assert!(
            rows[0]["error"].as_str().unwrap().contains("error"),
            "{rows}"
        );

        t.run(&["add", "--username", "broken"])
            .stdin(&long_term_doc())
            .fails(1);
        t.run(&["add", "--username", "broken", "--force"])
            .stdin(&long_term_doc())
            .ok();
        assert_eq!(
            t.run(&["--username", "broken"]).ok().stdout,
            expected_long_term()
        );
    }

    #[test]
    fn list_masks_keys_and_remove_deletes() {
        let t = TestEnv::native();
        t.run(&["list"]).ok().stderr_has(&["No credentials stored"]);
        t.run(&["add", "--username", "helen"])
            .stdin(&long_term_doc())
            .ok();
        t.run(&["add", "--username", "ci"])
            .stdin(&temporary_doc(&in_two_hours()))
            .ok();
        let table = t.run(&["list"]).ok().stdout;
        assert!(!table.contains(SECRET) && !table.contains(TOKEN) && !table.contains(KEY_ID));
        let lines: Vec<&str> = table.lines().collect();
        assert!(
            lines[0].starts_with("NAME") && lines[0].contains("STORE"),
            "{table}"
        );
        assert!(lines[1].contains(&format!("  {}", t.store)), "{table}");
        assert!(
            lines[1].starts_with("ci ") && lines[1].contains("ASIA************MPLE  temporary"),
            "{table}"
        );
        assert!(
            lines[2].starts_with("helen") && lines[2].contains("long-term"),
            "{table}"
        );

        let json: serde_json::Value =
            serde_json::from_str(&t.run(&["list", "--json"]).ok().stdout).unwrap();
        assert_eq!(json.as_array().unwrap().len(), 2);
        assert_eq!(json[1]["access_key_id"], "AKIA************MPLE");
        assert_eq!(json[0]["type"], "temporary");
        assert_eq!(json[0]["expired"], false);
        assert_eq!(json[0]["store"], t.store, "each row names its store");

        t.run(&["remove", "--username", "helen"]).ok();
        t.run(&["--username", "helen"]).fails(1);
        // Nothing stored under it: said so, with where to look.
        t.run(&["remove", "--username", "helen"])
            .fails(1)
            .stderr_has(&[
                "nothing is stored under 'helen'",
                "awscreds-rs list --store",
            ]);
        assert_eq!(t.run(&["--username", "ci"]).ok().stdout.lines().count(), 1);
    }
}

/// `add` on a terminal checks the access key id where it is typed and asks
/// again, and a pasted secret loses the white space a paste adds.
#[test]
fn interactive_add_asks_again_for_a_bad_key_id_and_trims_the_secret() {
    let t = TestEnv::secret_service();
    let mut cmd = t.command(client(".venv/bin/python"));
    cmd.arg(project_dir().join("tests/py/pty_run.py"))
        .args([
            "Access key id",
            "not-a-key",
            "Try again",
            KEY_ID,
            "*Secret access key",
            &format!("  {SECRET}  "),
            "--",
        ])
        .arg(bin())
        .args(["add", "--username", "helen"]);
    let out = Run::new(cmd).output();
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains("That is not an access key id"),
        "{out:?}"
    );
    assert_eq!(
        t.run(&["--username", "helen"]).ok().stdout,
        expected_long_term()
    );
}

/// A session bus that starts gnome-keyring on demand, from Debian's own
/// service file, its stdout (where the daemon's words land) kept in a file.
/// No XDG_RUNTIME_DIR, as in a container or WSL without systemd: there
/// gnome-keyring keeps its control socket under ~/.cache and prints
/// where, GNOME_KEYRING_CONTROL=…, for its starter to export.
struct ActivatingBus {
    root: std::path::PathBuf,
    bus: std::process::Child,
    address: String,
    stdout: std::path::PathBuf,
}

impl ActivatingBus {
    fn start(root: &std::path::Path) -> ActivatingBus {
        let daemon = which_program("gnome-keyring-daemon");
        let services = root.join("share/dbus-1/services");
        std::fs::create_dir_all(&services).unwrap();
        std::fs::write(
            services.join("org.freedesktop.secrets.service"),
            format!(
                "[D-BUS Service]\nName=org.freedesktop.secrets\n\
                 Exec={daemon} --start --foreground --components=secrets\n"
            ),
        )
        .unwrap();
        let socket = root.join("activating-bus");
        let config = root.join("activating-bus.conf");
        std::fs::write(&config, bus_config(&socket, Some(&services))).unwrap();
        std::fs::create_dir_all(root.join("home")).unwrap();
        let stdout = root.join("activating-bus.out");
        let bus = std::process::Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .arg("--nofork")
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap())
            .env("HOME", root.join("home"))
            .stdin(std::process::Stdio::null())
            .stdout(std::fs::File::create(&stdout).unwrap())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        wait_until(
            "the bus listens",
            std::time::Duration::from_secs(20),
            || socket.exists(),
        );
        ActivatingBus {
            root: root.to_path_buf(),
            bus,
            address: format!("unix:path={}", socket.display()),
            stdout,
        }
    }

    fn command(&self, program: &str) -> std::process::Command {
        let mut cmd = std::process::Command::new(program);
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap())
            .env("HOME", self.root.join("home"))
            .env("XDG_DATA_DIRS", self.root.join("share"))
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .env("AWSCREDS_STORE", "secret-service");
        cmd
    }

    fn printed(&self) -> String {
        std::fs::read_to_string(&self.stdout).unwrap()
    }
}

impl Drop for ActivatingBus {
    fn drop(&mut self) {
        // The daemon detached from us: found through the bus.
        let mut ask = self.command("dbus-send");
        ask.args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.GetConnectionUnixProcessID",
            "string:org.freedesktop.secrets",
        ]);
        if let Ok(out) = ask.output() {
            let text = String::from_utf8_lossy(&out.stdout);
            if let Some(pid) = text
                .split_whitespace()
                .last()
                .filter(|p| p.parse::<u32>().is_ok())
            {
                let _ = std::process::Command::new("kill").arg(pid).status();
            }
        }
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

fn which_program(name: &str) -> String {
    std::env::split_paths(&std::env::var_os("PATH").unwrap())
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{name} must be installed"))
        .display()
        .to_string()
}

/// gnome-keyring started by the bus prints GNOME_KEYRING_CONTROL=… on the
/// bus's stdout (the terminal of whoever started the bus); started by
/// awscreds-rs, nothing reaches a terminal, and the store answers.
#[test]
fn an_activated_gnome_keyring_prints_nothing_on_a_terminal() {
    let t = TestEnv::keyutils();
    // What the bus alone does, so that this test can fail.
    let plain = ActivatingBus::start(&t.root().join("plain"));
    let mut ping = plain.command("dbus-send");
    ping.args([
        "--session",
        "--print-reply",
        "--dest=org.freedesktop.secrets",
        "/org/freedesktop/secrets",
        "org.freedesktop.DBus.Peer.Ping",
    ]);
    Run::new(ping).ok();
    wait_until(
        "the daemon the bus started prints its variables",
        std::time::Duration::from_secs(10),
        || plain.printed().contains("GNOME_KEYRING_CONTROL="),
    );

    let bus = ActivatingBus::start(&t.root().join("ours"));
    let mut list = bus.command(bin());
    list.arg("list");
    let out = Run::new(list).ok();
    assert!(!out.stdout.contains("GNOME_KEYRING"), "{out:?}");
    assert!(!out.stderr.contains("GNOME_KEYRING"), "{out:?}");
    // The daemon answered: it owns the name on this bus now.
    let mut owner = bus.command("dbus-send");
    owner.args([
        "--session",
        "--print-reply",
        "--dest=org.freedesktop.DBus",
        "/org/freedesktop/DBus",
        "org.freedesktop.DBus.NameHasOwner",
        "string:org.freedesktop.secrets",
    ]);
    assert!(Run::new(owner).ok().stdout.contains("boolean true"));
    assert_eq!(bus.printed(), "", "the bus's stdout");
    // The daemon it started stays for the next call, as the bus's would.
    let mut again = bus.command(bin());
    again.arg("list");
    Run::new(again).ok();
    assert_eq!(bus.printed(), "");
}
