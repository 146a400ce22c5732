//! The encrypted file store beside the other stores: `auto` picks it once
//! it exists, `list` names the store of each row, `move` carries keys
//! between stores (and the profiles that read them) and keeps every key
//! when killed at any step, and cached sessions follow.

mod common;

use common::filestore::*;
use common::*;

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
