//! The encrypted file store against what others could do to its folder:
//! damaged, swapped or non-regular entries, a torn write, a folder others
//! could change, a replaced recipient, and names that look like hidden
//! files.

mod common;

use std::os::unix::fs::PermissionsExt;

use common::filestore::*;
use common::*;

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

/// A test leaves no key in the user's kernel keyring, even when its store
/// can no longer be locked (a folder others could change is refused, so
/// `lock` fails): the harness takes the kept identity back by its
/// description.
#[test]
fn a_test_leaves_no_kept_identity_in_the_kernel_keyring() {
    let t = TestEnv::file_store();
    add(&t, "helen", &long_term_doc());
    t.run(&["unlock"])
        .env("AWSCREDS_PASSPHRASE_COMMAND", PASS_COMMAND)
        .ok();
    let serial = t.kept_key().expect("unlock kept the identity");
    let dir = store_dir(&t);
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    t.run(&["lock"]).fails(1);
    assert_eq!(t.kept_key(), Some(serial), "lock could not take it back");
    drop(t);
    let left = std::process::Command::new("keyctl")
        .args(["describe", &serial.to_string()])
        .output()
        .unwrap();
    assert!(
        !left.status.success(),
        "key {serial} is still there: {left:?}"
    );
}
