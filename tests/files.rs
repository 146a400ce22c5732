//! `configure` and `import` edit the user's own files: byte-for-byte
//! preservation on a corpus, backups, symlinks, modes, locking, refusals,
//! and an import that can be stopped after any step without losing a key.

mod common;

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};

use common::*;
use serde_json::Value;

/// The `{BIN}` of the fixtures: how configure writes this binary's path.
fn bin_path() -> String {
    fs::canonicalize(bin())
        .unwrap()
        .to_str()
        .unwrap()
        .to_string()
}

/// One test per directory of tests/fixtures/configure, named after it,
/// so that a case runs by name and one failure hides no other.
macro_rules! configure_cases {
    ($($test:ident => $dir:literal,)*) => {
        $(
            #[test]
            fn $test() {
                configure_case($dir);
            }
        )*
        const CONFIGURE_CASES: &[&str] = &[$($dir),*];
    };
}

configure_cases! {
    configure_appends_after_an_unterminated_comment => "append-after-unterminated-comment",
    configure_keeps_comments_and_crlf => "comments-crlf",
    configure_writes_the_default_profile => "default-profile",
    configure_reads_keys_in_any_case => "keys-in-any-case",
    configure_creates_a_new_file => "new-file",
    configure_keeps_a_missing_final_newline => "no-final-newline",
    configure_keeps_nested_sso_services => "sso-services-nested",
    configure_keeps_unicode_and_tabs => "unicode-tabs",
    configure_updates_an_existing_profile => "update-existing",
}

/// The files a configure case may hold: `config` is left out for a case
/// that starts without one.
const CONFIGURE_CASE_FILES: &[&str] = &["config", "args", "expected"];

#[test]
fn every_configure_fixture_directory_has_its_test() {
    let dir = project_dir().join("tests/fixtures/configure");
    let mut found: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    let mut listed: Vec<String> = CONFIGURE_CASES.iter().map(|c| c.to_string()).collect();
    listed.sort();
    assert_eq!(
        found, listed,
        "each case in tests/fixtures/configure needs its line in configure_cases!"
    );
}

/// `configure` with the case's `args` on its `config` must write exactly
/// `expected`, keep the original as config.bak, and change nothing when
/// run a second time.
fn configure_case(name: &str) {
    let case = project_dir().join("tests/fixtures/configure").join(name);
    for file in fs::read_dir(&case).unwrap() {
        let file = file.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            CONFIGURE_CASE_FILES.contains(&file.as_str()),
            "{name}: unknown fixture file {file} (known: {CONFIGURE_CASE_FILES:?})"
        );
    }
    let t = TestEnv::with_key("helen");
    let input = case.join("config");
    if input.exists() {
        fs::copy(&input, t.config_path()).unwrap();
    } else {
        fs::remove_dir_all(t.home.join(".aws")).unwrap();
    }
    let args = fs::read_to_string(case.join("args")).unwrap();
    let mut argv = vec!["configure"];
    argv.extend(args.split_whitespace());
    let out = t.run(&argv).ok();
    let expected = fs::read_to_string(case.join("expected"))
        .unwrap()
        .replace("{BIN}", &bin_path());
    let actual = fs::read_to_string(t.config_path()).unwrap();
    assert_eq!(actual, expected, "{name}");
    if input.exists() {
        let backup = fs::read(t.home.join(".aws/config.bak")).unwrap();
        assert_eq!(backup, fs::read(&input).unwrap(), "{name}");
        out.stderr_has(&["config.bak"]);
    }
    // Twice changes nothing.
    t.run(&argv).ok().stderr_has(&["nothing changed"]);
    assert_eq!(
        fs::read_to_string(t.config_path()).unwrap(),
        expected,
        "{name}"
    );
}

fn python(t: &TestEnv, profile: &str) -> Out {
    let mut cmd = t.command(client(".venv/bin/python"));
    cmd.arg(project_dir().join("tests/py/probe.py"))
        .arg(profile);
    Run::new(cmd).output()
}

fn resolves_to_the_key(t: &TestEnv, profile: &str, method: &str) {
    let out = python(t, profile);
    assert_eq!(out.code, 0, "{out:?}");
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["AccessKeyId"], KEY_ID, "{out:?}");
    assert_eq!(v["SecretAccessKey"], SECRET, "{out:?}");
    assert_eq!(v["Method"], method, "{out:?}");
}

#[test]
fn configure_through_a_path_with_spaces_works_for_every_client() {
    let t = TestEnv::with_key("helen");
    let dir = t.root().join("my tools");
    fs::create_dir_all(&dir).unwrap();
    let copy = dir.join("awscreds-rs");
    fs::copy(bin(), &copy).unwrap();
    let mut cmd = t.command(&copy);
    cmd.args(["configure", "--profile", "app", "--username", "helen"]);
    Run::new(cmd).ok();
    let config = fs::read_to_string(t.config_path()).unwrap();
    assert!(config.contains("credential_process = '"), "{config}");
    resolves_to_the_key(&t, "app", "custom-process");
    let mut cmd = t.command("node");
    cmd.arg(project_dir().join("tests/js/probe.mjs"))
        .args(["ini", "app"]);
    client("tests/js/node_modules/@aws-sdk/credential-providers");
    let out = Run::new(cmd).output();
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains(KEY_ID));
}

#[test]
fn configure_warns_when_the_name_is_not_stored() {
    let t = TestEnv::secret_service();
    t.run(&["configure", "--profile", "app", "--username", "ghost"])
        .ok()
        .stderr_has(&[
            "Warning: nothing is stored for 'ghost'",
            "awscreds-rs add --username ghost",
        ]);
}

#[test]
fn configure_writes_through_a_symlink_and_keeps_the_mode() {
    let t = TestEnv::secret_service();
    let dotfiles = t.root().join("dotfiles");
    fs::create_dir_all(&dotfiles).unwrap();
    let real = dotfiles.join("aws-config");
    fs::write(&real, "[default]\nregion = us-east-1\n").unwrap();
    fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).unwrap();
    std::os::unix::fs::symlink(&real, t.config_path()).unwrap();

    t.run(&["configure", "--profile", "app", "--username", "helen"])
        .ok();
    assert!(fs::symlink_metadata(t.config_path())
        .unwrap()
        .file_type()
        .is_symlink());
    let text = fs::read_to_string(&real).unwrap();
    assert!(
        text.starts_with("[default]\nregion = us-east-1\n\n[profile app]\n"),
        "{text}"
    );
    assert_eq!(
        fs::metadata(&real).unwrap().permissions().mode() & 0o777,
        0o640
    );
    assert_eq!(
        fs::read_to_string(dotfiles.join("aws-config.bak")).unwrap(),
        "[default]\nregion = us-east-1\n"
    );
}

#[test]
fn configure_refuses_bad_targets_and_names() {
    let t = TestEnv::secret_service();
    fs::create_dir_all(t.config_path()).unwrap();
    t.run(&["configure", "--profile", "app", "--username", "helen"])
        .fails(1)
        .stderr_has(&["is a directory"]);
    assert!(t.config_path().is_dir());

    let t = TestEnv::secret_service();
    fs::write(t.config_path(), b"[default]\nregion = \xff\n").unwrap();
    t.run(&["configure", "--profile", "app", "--username", "helen"])
        .fails(1)
        .stderr_has(&["not UTF-8"]);
    assert_eq!(
        fs::read(t.config_path()).unwrap(),
        b"[default]\nregion = \xff\n"
    );

    for bad in ["has space", "x]\n[y", "$(id)"] {
        t.run(&["configure", "--profile", bad, "--username", "helen"])
            .fails(2)
            .stderr_has(&["invalid profile name"]);
    }
    t.run(&[
        "configure",
        "--profile",
        "app",
        "--username",
        "helen",
        "--region",
        "us west",
    ])
    .fails(2);
}

/// Runs `n` configures at once on one config file (`[profile p0]` to
/// `[profile p<n-1>]`), each with a data directory of its own when
/// `own_data_dirs`; returns the file afterwards.
fn concurrent_configures(t: &TestEnv, n: usize, own_data_dirs: bool) -> String {
    fs::write(t.config_path(), "# shared\n").unwrap();
    let children: Vec<_> = (0..n)
        .map(|i| {
            let mut cmd = t.command(bin());
            if own_data_dirs {
                cmd.env("XDG_DATA_HOME", t.root().join(format!("data{i}")));
            }
            cmd.args([
                "configure",
                "--profile",
                &format!("p{i}"),
                "--username",
                "helen",
            ])
            .stderr(std::process::Stdio::null());
            cmd.spawn().unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    fs::read_to_string(t.config_path()).unwrap()
}

#[test]
fn concurrent_configures_do_not_lose_each_others_edits() {
    let t = TestEnv::secret_service();
    let text = concurrent_configures(&t, 8, false);
    for i in 0..8 {
        assert!(text.contains(&format!("[profile p{i}]\n")), "{text}");
    }
    assert!(text.starts_with("# shared\n"));
}

/// Twenty configures at once, each with a data directory of its own (as
/// two users' tools sharing one AWS_CONFIG_FILE, or a changed
/// XDG_DATA_HOME, would be): the lock lives beside the file, so every edit
/// survives. Was: 3 of 20 survived.
#[test]
fn concurrent_configures_with_other_data_dirs_keep_every_edit() {
    let t = TestEnv::secret_service();
    let text = concurrent_configures(&t, 20, true);
    let missing: Vec<_> = (0..20)
        .filter(|i| !text.contains(&format!("[profile p{i}]\n")))
        .collect();
    assert!(missing.is_empty(), "lost the edits of {missing:?}: {text}");
    assert!(text.starts_with("# shared\n"));
    let leftovers: Vec<_> = fs::read_dir(t.home.join(".aws"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n != "config" && n != "config.bak")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

const CREDENTIALS: &str = "# work keys\n[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\n[other]\nregion = eu-west-1\n";

fn import_env() -> TestEnv {
    let t = TestEnv::secret_service();
    fs::write(t.home.join(".aws/credentials"), CREDENTIALS).unwrap();
    fs::set_permissions(
        t.home.join(".aws/credentials"),
        fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    t.write_config("[default]\nregion = us-east-1\n");
    t
}

#[test]
fn import_moves_the_keys_and_boto3_still_resolves_them() {
    let t = import_env();
    resolves_to_the_key(&t, "default", "shared-credentials-file");

    let out = t
        .run(&["import", "--profile", "default", "--username", "helen"])
        .ok();
    out.stderr_has(&["AKIA************MPLE", "credentials.bak", "config.bak"]);
    resolves_to_the_key(&t, "default", "custom-process");
    let creds = fs::read_to_string(t.home.join(".aws/credentials")).unwrap();
    assert_eq!(creds, "# work keys\n[other]\nregion = eu-west-1\n");
    assert_eq!(
        fs::metadata(t.home.join(".aws/credentials"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
    assert_eq!(
        fs::read_to_string(t.home.join(".aws/credentials.bak")).unwrap(),
        CREDENTIALS
    );

    // Only the backup the user was told about holds the secret.
    let found = t.files_containing(SECRET);
    assert_eq!(found, vec![t.home.join(".aws/credentials.bak")]);

    // Twice changes nothing.
    let config = fs::read_to_string(t.config_path()).unwrap();
    t.run(&["import", "--profile", "default", "--username", "helen"])
        .ok()
        .stderr_has(&["nothing to move"]);
    assert_eq!(fs::read_to_string(t.config_path()).unwrap(), config);
    assert_eq!(
        fs::read_to_string(t.home.join(".aws/credentials")).unwrap(),
        creds
    );
    resolves_to_the_key(&t, "default", "custom-process");
}

#[test]
fn import_all_moves_every_profile_with_keys() {
    let t = import_env();
    let mut text = CREDENTIALS.to_string();
    text.push_str("[ci]\naws_access_key_id = ASIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\naws_session_token = FwoGZXIvYXdzEXAMPLE\n");
    fs::write(t.home.join(".aws/credentials"), &text).unwrap();
    t.run(&["import", "--all"]).ok();
    let list = t.run(&["list"]).ok().stdout;
    assert!(list.contains("default") && list.contains("ci "), "{list}");
    let config = fs::read_to_string(t.config_path()).unwrap();
    assert!(
        config.contains("[profile ci]\ncredential_process = "),
        "{config}"
    );
    assert_eq!(
        fs::read_to_string(t.home.join(".aws/config.bak")).unwrap(),
        "[default]\nregion = us-east-1\n"
    );
    assert_eq!(
        fs::read_to_string(t.home.join(".aws/credentials.bak")).unwrap(),
        text
    );
    t.run(&["import", "--all"])
        .ok()
        .stderr_has(&["Nothing to import"]);
}

#[test]
fn import_refuses_bad_input_and_changes_nothing() {
    let cases: &[(&str, &[&str], &str)] = &[
        ("[a]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n", &["--profile", "a"], "only half a key"),
        ("[a]\nregion = x\n", &["--profile", "a"], "has no keys"),
        ("[a]\nregion = x\n", &["--profile", "missing"], "has no keys"),
        ("[a]\naws_access_key_id = AKIA1\naws_secret_access_key = x\n", &["--profile", "a"], "not valid"),
        ("[a]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\n[b]\naws_secret_access_key = y\n", &["--all"], "only half a key"),
    ];
    for (text, args, message) in cases {
        let t = import_env();
        fs::write(t.home.join(".aws/credentials"), text).unwrap();
        let mut argv = vec!["import"];
        argv.extend_from_slice(args);
        t.run(&argv).fails(1).stderr_has(&[message]);
        assert_eq!(
            &fs::read_to_string(t.home.join(".aws/credentials")).unwrap(),
            text
        );
        assert_eq!(
            fs::read_to_string(t.config_path()).unwrap(),
            "[default]\nregion = us-east-1\n"
        );
        assert!(!t.home.join(".aws/credentials.bak").exists());
        assert!(t.run(&["list", "--json"]).ok().stdout.trim() == "[]");
    }
    // A config file that is a directory stops it before the keychain is touched.
    let t = import_env();
    fs::remove_file(t.config_path()).unwrap();
    fs::create_dir(t.config_path()).unwrap();
    t.run(&["import", "--profile", "default"])
        .fails(1)
        .stderr_has(&["is a directory"]);
    assert_eq!(
        fs::read_to_string(t.home.join(".aws/credentials")).unwrap(),
        CREDENTIALS
    );
    assert!(t.run(&["list", "--json"]).ok().stdout.trim() == "[]");
}

#[test]
fn import_refuses_a_name_that_holds_another_key() {
    let t = import_env();
    let other = long_term_doc().replace("EXAMPLEKEY", "OTHERKEYXX");
    t.run(&["add", "--username", "default"]).stdin(&other).ok();
    t.run(&["import", "--profile", "default"])
        .fails(1)
        .stderr_has(&["already holds a different key", "--username"]);
    assert_eq!(
        fs::read_to_string(t.home.join(".aws/credentials")).unwrap(),
        CREDENTIALS
    );
}

#[test]
fn the_installed_binary_never_stops_half_way() {
    let t = import_env();
    t.run(&["import", "--profile", "default", "--username", "helen"])
        .env("AWSCREDS_TEST_STOP_AFTER", "stored")
        .ok();
    let left = fs::read_to_string(t.home.join(".aws/credentials")).unwrap();
    assert!(!left.contains("aws_secret_access_key"), "{left}");
}

#[test]
fn an_import_stopped_after_any_step_loses_no_key() {
    for step in ["stored", "configured"] {
        let t = import_env();
        let out = t
            .run_stopped_after(
                step,
                &["import", "--profile", "default", "--username", "helen"],
            )
            .output();
        assert_eq!(out.code, 99, "{step}: {out:?}");
        // The plaintext is still there, and SDKs prefer it: same keys.
        assert_eq!(
            fs::read_to_string(t.home.join(".aws/credentials")).unwrap(),
            CREDENTIALS
        );
        resolves_to_the_key(&t, "default", "shared-credentials-file");
        // And the stored copy is complete.
        assert_eq!(
            t.run(&["--username", "helen"]).ok().stdout,
            format!("{}\n", long_term_doc())
        );
        // Running it again finishes the move.
        t.run(&["import", "--profile", "default", "--username", "helen"])
            .ok();
        resolves_to_the_key(&t, "default", "custom-process");
        assert_eq!(
            fs::read_to_string(t.home.join(".aws/credentials")).unwrap(),
            "# work keys\n[other]\nregion = eu-west-1\n"
        );
    }
}

/// A key kept in the kernel keyring while a Secret Service runs: the line
/// that `configure` and `import` write names `--store keyutils`, so AWS
/// tools find the key although `auto` would pick the Secret Service, and
/// doctor says which store the line reads.
#[test]
fn a_key_outside_the_default_store_is_named_in_the_line() {
    let t = TestEnv::secret_service();
    let name = format!("elsewhere-{}", std::process::id());
    let keyutils = |args: &[&str]| t.run(args).env("AWSCREDS_STORE", "keyutils");
    keyutils(&["add", "--username", &name])
        .stdin(&long_term_doc())
        .ok();

    // Without --store, configure looks in the Secret Service, finds the
    // NAME elsewhere, and says how to point the line there.
    t.run(&["configure", "--profile", "kp", "--username", &name])
        .ok()
        .stderr_has(&[
            "is stored in the kernel keyring",
            &format!("--username {name} --store keyutils"),
        ]);
    let doctor = |expect: &str| {
        let out = t
            .run(&["doctor", "--profile", "kp", "--json"])
            .env("AWSCREDS_STORE", "auto")
            .output();
        let entry = out.finding("credential_process.entry");
        assert_eq!(entry["status"], expect, "{entry}");
        entry
    };
    let missed = doctor("error");
    let message = missed["message"].as_str().unwrap();
    assert!(
        message.contains("the line reads the Secret Service")
            && message.contains("it is in the kernel keyring"),
        "{missed}"
    );
    assert!(
        missed["fix"]
            .as_str()
            .unwrap()
            .ends_with(&format!("--username {name} --store keyutils")),
        "{missed}"
    );

    keyutils(&["configure", "--profile", "kp", "--username", &name])
        .ok()
        .stderr_has(&[&format!("--username {name} --store keyutils")]);
    let config = fs::read_to_string(t.config_path()).unwrap();
    assert!(
        config.contains(&format!(
            "credential_process = {} --username {name} --store keyutils",
            bin_path()
        )),
        "{config}"
    );
    // boto3 runs the line with the Secret Service on the bus and `auto`.
    let mut cmd = t.command(client(".venv/bin/python"));
    cmd.arg(project_dir().join("tests/py/probe.py"))
        .arg("kp")
        .env("AWSCREDS_STORE", "auto");
    let out = Run::new(cmd).ok();
    let seen: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(seen["AccessKeyId"], KEY_ID, "{out:?}");
    let found = doctor("ok");
    assert!(
        found["message"]
            .as_str()
            .unwrap()
            .contains("the kernel keyring (keyutils), which the line reads (its --store keyutils)"),
        "{found}"
    );

    // import refuses to trade the plaintext for the kernel keyring, which
    // loses it at reboot (was: moved, exit 0, no note). Nothing changes.
    let creds = format!("[imp]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n");
    fs::write(t.home.join(".aws/credentials"), &creds).unwrap();
    let imported = format!("{name}-imp");
    let config_before = fs::read_to_string(t.config_path()).unwrap();
    keyutils(&["import", "--profile", "imp", "--username", &imported])
        .fails(1)
        .stderr_has(&[
            "the kernel keyring (keyutils), which loses them at reboot",
            "persistent_keyring_expiry",
            "--store file",
            "nothing was changed",
        ]);
    assert_eq!(
        fs::read_to_string(t.home.join(".aws/credentials")).unwrap(),
        creds
    );
    assert_eq!(fs::read_to_string(t.config_path()).unwrap(), config_before);
    keyutils(&["--username", &imported]).fails(1);
    // The default store, no --store in the line.
    t.run(&["configure", "--profile", "ss", "--username", "helen"])
        .ok();
    let config = fs::read_to_string(t.config_path()).unwrap();
    assert!(
        config.contains(&format!(
            "credential_process = {} --username helen\n",
            bin_path()
        )),
        "{config}"
    );
    keyutils(&["remove", "--username", &name]).ok();
}

/// The mode of a path, as `ls -l` shows it in octal.
fn mode(path: &std::path::Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Runs the installed binary as `nobody` (the suite runs as root, which
/// file modes and owners do not stop), in a HOME handed to that user, with
/// an ordinary user's umask.
fn as_nobody(t: &TestEnv, dir: &std::path::Path, args: &[&str]) -> Run {
    let mut cmd = t.command("setpriv");
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .args(["sh", "-c", "umask 022; exec \"$0\" \"$@\"", bin()])
        .args(args)
        .current_dir(dir);
    Run::new(cmd)
}

/// Hands the test's HOME to `nobody` (and lets it through the test root).
fn give_home_to_nobody(t: &TestEnv) {
    let status = std::process::Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(&t.home)
        .status()
        .unwrap();
    assert!(status.success());
    fs::set_permissions(t.root(), fs::Permissions::from_mode(0o755)).unwrap();
}

/// As an ordinary user (`nobody`, umask 022), our own folders are 0700 and
/// our files 0600, and a backup of the credentials file is 0600 whatever
/// the file's own mode: it holds plaintext keys. The keys go to the
/// encrypted file store, which needs no session bus of that user's.
#[test]
fn our_files_are_private_and_so_are_backups_of_keys() {
    let t = import_env();
    let creds = t.home.join(".aws/credentials");
    fs::set_permissions(&creds, fs::Permissions::from_mode(0o644)).unwrap();
    fs::create_dir_all(t.home.join("proj")).unwrap();
    give_home_to_nobody(&t);
    let passphrase = "echo 'a passphrase nobody types'";
    as_nobody(
        &t,
        &t.home,
        &[
            "import",
            "--profile",
            "default",
            "--username",
            "helen",
            "--store",
            "file",
        ],
    )
    .env("AWSCREDS_PASSPHRASE_COMMAND", passphrase)
    .ok();
    assert_eq!(mode(&t.home.join(".aws/credentials.bak")), 0o600);
    as_nobody(&t, &t.home.join("proj"), &["use", "app"]).ok();
    let data = t.home.join(".local/share/awscreds-rs");
    for dir in [data.clone(), data.join("allow"), data.join("store")] {
        assert_eq!(mode(&dir), 0o700, "{}", dir.display());
        assert_eq!(
            fs::metadata(&dir).unwrap().uid(),
            65534,
            "{}",
            dir.display()
        );
    }
    assert_eq!(mode(&data.join("edit.lock")), 0o600);
    for entry in fs::read_dir(data.join("allow")).unwrap() {
        assert_eq!(mode(&entry.unwrap().path()), 0o600);
    }
    let mut stack = vec![data.join("store")];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let want = if path.is_dir() { 0o700 } else { 0o600 };
            assert_eq!(mode(&path), want, "{}", path.display());
            if path.is_dir() {
                stack.push(path);
            }
        }
    }
    // nobody's key reads back through the profile's line.
    let out = as_nobody(&t, &t.home, &["--username", "helen", "--store", "file"])
        .env("AWSCREDS_PASSPHRASE_COMMAND", passphrase)
        .ok();
    assert!(out.stdout.contains(KEY_ID), "{out:?}");
    // Forget the identity the import left in nobody's kernel keyring.
    as_nobody(&t, &t.home, &["lock"]).ok();
}

/// A FIFO where an AWS file belongs is refused without being opened:
/// nothing blocks (each command runs under a 10-second `timeout`).
#[test]
fn a_fifo_for_an_aws_file_blocks_nothing() {
    let t = TestEnv::with_key("helen");
    let config = t.config_path();
    let status = std::process::Command::new("mkfifo")
        .arg(&config)
        .status()
        .unwrap();
    assert!(status.success());
    let timed = |args: &[&str]| {
        let mut cmd = t.command("timeout");
        cmd.args(["10", bin()]).args(args);
        Run::new(cmd).output()
    };
    for args in [
        &["profiles"][..],
        &["configure", "--profile", "app", "--username", "helen"],
    ] {
        let out = timed(args);
        assert_eq!(out.code, 1, "{args:?}: {out:?}");
        out.stderr_has(&["not a regular file"]);
    }
    let out = timed(&["doctor", "--json"]);
    assert_eq!(out.code, 1, "{out:?}");
    let finding = out.finding("config-file");
    assert_eq!(finding["status"], "error", "{finding}");
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("not a regular file"),
        "{finding}"
    );
    let meta = fs::symlink_metadata(&config).unwrap();
    assert!(std::os::unix::fs::FileTypeExt::is_fifo(&meta.file_type()));
}

/// A section written twice: import refuses the file and changes nothing
/// (it used to store one key and delete both); configure refuses to edit
/// one copy of a profile that has two.
#[test]
fn duplicate_sections_are_refused_and_nothing_changes() {
    let t = TestEnv::secret_service();
    let other = "AKIAI44QH8DHBEXAMPLE";
    let creds = format!(
        "[d]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n\
         [d]\naws_access_key_id = {other}\naws_secret_access_key = {SECRET}\n"
    );
    fs::write(t.home.join(".aws/credentials"), &creds).unwrap();
    t.run(&["import", "--all"])
        .fails(1)
        .stderr_has(&["[d] more than once", "nothing was changed"]);
    assert_eq!(
        fs::read_to_string(t.home.join(".aws/credentials")).unwrap(),
        creds
    );
    assert!(t.stored_names().is_empty());
    assert!(!t.home.join(".aws/credentials.bak").exists());

    let config = "[profile app]\nregion = a\n[profile app]\nregion = b\n";
    t.write_config(config);
    t.run(&["configure", "--profile", "app", "--username", "helen"])
        .fails(1)
        .stderr_has(&["2 sections for profile 'app'"]);
    assert_eq!(fs::read_to_string(t.config_path()).unwrap(), config);
}

/// A key written twice in one section, in any case (botocore lowercases
/// keys and then refuses the file): import and configure refuse, nothing
/// changes; boto3 itself refuses the same file, so the test knows the rule.
#[test]
fn duplicate_keys_in_any_case_are_refused_and_nothing_changes() {
    let t = TestEnv::secret_service();
    let other = "AKIAI44QH8DHBEXAMPLE";
    let creds = format!(
        "[d]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n\
         AWS_ACCESS_KEY_ID: {other}\n"
    );
    fs::write(t.home.join(".aws/credentials"), &creds).unwrap();
    t.run(&["import", "--all"]).fails(1).stderr_has(&[
        "aws_access_key_id in [d] more than once",
        "nothing was changed",
    ]);
    assert_eq!(
        fs::read_to_string(t.home.join(".aws/credentials")).unwrap(),
        creds
    );
    assert!(t.stored_names().is_empty());
    let boto3 = python(&t, "d");
    assert_ne!(boto3.code, 0, "boto3 reads the file: {boto3:?}");
    fs::remove_file(t.home.join(".aws/credentials")).unwrap();

    let config = "[profile app]\nregion = a\nRegion = b\n";
    t.write_config(config);
    t.run(&["configure", "--profile", "app", "--username", "helen"])
        .fails(1)
        .stderr_has(&["sets region more than once", "nothing was changed"]);
    assert_eq!(fs::read_to_string(t.config_path()).unwrap(), config);
}

/// A read-only file, and one that belongs to another user than its folder:
/// configure and import refuse them before anything changes (replacing
/// them would drop the read-only mode's intent or hand the file to the
/// editor). Was: replaced, exit 0.
#[test]
fn read_only_files_and_other_owners_files_are_refused() {
    let t = TestEnv::secret_service();
    let config = "[profile app]\nregion = us-east-1\n";
    t.write_config(config);
    let path = t.config_path();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o444)).unwrap();
    t.run(&["configure", "--profile", "app", "--username", "helen"])
        .fails(1)
        .stderr_has(&["is read-only", "chmod u+w", "nothing was changed"]);
    assert_eq!(fs::read_to_string(&path).unwrap(), config);
    assert!(!t.home.join(".aws/config.bak").exists());
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();

    let creds = t.home.join(".aws/credentials");
    let text = format!("[d]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n");
    fs::write(&creds, &text).unwrap();
    fs::set_permissions(&creds, fs::Permissions::from_mode(0o400)).unwrap();
    t.run(&["import", "--all"])
        .fails(1)
        .stderr_has(&["credentials is read-only", "nothing was changed"]);
    assert_eq!(fs::read_to_string(&creds).unwrap(), text);
    assert!(t.stored_names().is_empty());
    assert_eq!(fs::read_to_string(&path).unwrap(), config);

    // Root keeps another user's file theirs.
    chown(&path, 65534);
    t.run(&["configure", "--profile", "app", "--username", "helen"])
        .ok();
    assert!(fs::read_to_string(&path)
        .unwrap()
        .contains("credential_process"));
    assert_eq!(fs::metadata(&path).unwrap().uid(), 65534);

    // An ordinary user (`nobody`, the suite runs as root) whose folder
    // holds root's config: replacing it would make it theirs. Was:
    // replaced, owner changed, exit 0.
    t.write_config(config);
    give_home_to_nobody(&t);
    chown(&path, 0);
    as_nobody(
        &t,
        &t.home,
        &["configure", "--profile", "app", "--username", "helen"],
    )
    .fails(1)
    .stderr_has(&["belongs to user id 0, not to you", "nothing was changed"]);
    assert_eq!(fs::read_to_string(&path).unwrap(), config);
    assert_eq!(fs::metadata(&path).unwrap().uid(), 0);
}

fn chown(path: &std::path::Path, uid: u32) {
    std::os::unix::fs::chown(path, Some(uid), None).unwrap();
}

/// Keys as botocore reads them: `AWS_ACCESS_KEY_ID = ` and `key: value`,
/// indented under their header. boto3 finds the key in the file; import
/// finds it too, stores it and leaves boto3 reading it through the store.
#[test]
fn import_reads_keys_written_as_botocore_accepts_them() {
    let t = TestEnv::secret_service();
    let creds = format!(
        "[d]\n  AWS_ACCESS_KEY_ID = {KEY_ID}\n  Aws_Secret_Access_Key: {SECRET}\n  region = us-east-1\n"
    );
    fs::write(t.home.join(".aws/credentials"), &creds).unwrap();
    let before = python(&t, "d");
    assert!(
        before.stdout.contains(KEY_ID),
        "boto3 reads the key: {before:?}"
    );
    t.run(&["import", "--all"]).ok();
    assert_eq!(t.stored_names(), vec!["d".to_string()]);
    let left = fs::read_to_string(t.home.join(".aws/credentials")).unwrap();
    assert!(!left.contains(SECRET) && !left.contains(KEY_ID), "{left}");
    let after = python(&t, "d");
    assert!(
        after.stdout.contains(KEY_ID),
        "boto3 reads the stored key: {after:?}"
    );
}

#[test]
fn a_write_removes_the_temporary_files_a_killed_write_left() {
    let t = TestEnv::secret_service();
    fs::write(t.config_path(), "[default]\nregion = us-east-1\n").unwrap();
    let aws = t.home.join(".aws");
    let stale = aws.join(".config.awscreds-rs.4000001.tmp");
    let fresh = aws.join(".config.awscreds-rs.4000002.tmp");
    let other = aws.join(".credentials.awscreds-rs.4000003.tmp");
    for path in [&stale, &fresh, &other] {
        fs::write(path, "[default]\naws_secret_access_key = left\n").unwrap();
    }
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for path in [&stale, &other] {
        fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(hour_ago)
            .unwrap();
    }
    t.run(&["configure", "--profile", "app", "--username", "helen"])
        .ok();
    assert!(
        !stale.exists(),
        "an old temporary file of config is removed"
    );
    assert!(fresh.exists(), "a new one may be a live write's");
    assert!(other.exists(), "only the file written is swept");
}
