//! `configure` edits the user's own config file: byte-for-byte
//! preservation on a corpus of fixtures, backups, symlinks, modes, the
//! edit lock under concurrent writers, refusals, and the line naming the
//! store it reads.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;

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
