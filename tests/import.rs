//! `import` moves plaintext keys out of the user's credentials file: the
//! keys into the store, the profiles onto awscreds-rs, a backup kept, bad
//! input refused, and an import stopped after any step loses no key.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;

use common::*;

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
        .stderr_has(&["Nothing to import: no keys are left in"]);

    // No credentials file at all: said so, not "no keys are left".
    fs::remove_file(t.home.join(".aws/credentials")).unwrap();
    t.run(&["import", "--all"]).ok().stderr_is(&format!(
        "Nothing to import: there is no credentials file at {}.",
        t.home.join(".aws/credentials").display()
    ));
    t.run(&["import", "--profile", "ci"]).fails(1).stderr_has(&[
        "there is no credentials file at",
        "awscreds-rs add --username NAME",
    ]);
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
