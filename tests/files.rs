//! The AWS files as files: our folders and files private, backups of keys
//! private too, a FIFO or a read-only or foreign file refused without
//! harm, duplicate sections and keys refused, and no temporary file left
//! by a killed write.

mod common;

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};

use common::*;

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
