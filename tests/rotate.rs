//! `rotate` and key age against moto's IAM and STS in server mode, with
//! moto checking every key and signature as AWS does, behind the counting
//! proxy that can refuse calls: the installed binary, a real Secret
//! Service, and boto3 and the AWS CLI signing through the profile.

mod common;

use common::*;

struct World {
    t: TestEnv,
    aws: LocalSts,
}

fn py(t: &TestEnv, args: &[&str]) -> Out {
    let mut cmd = t.command(client(".venv/bin/python"));
    cmd.arg(project_dir().join("tests/py/iam.py")).args(args);
    Run::new(cmd).output()
}

impl World {
    /// A user 'helen' in the local IAM, her first key stored for 'helen'
    /// as `aws iam create-access-key` printed it, and a profile `app`.
    fn new(auth: bool) -> World {
        let aws = if auth {
            LocalSts::with_auth(3)
        } else {
            LocalSts::start()
        };
        let t = TestEnv::native();
        let key = py(&t, &["bootstrap", &aws.endpoint]);
        assert_eq!(key.code, 0, "{key:?}");
        t.run(&["add", "--username", "helen"])
            .stdin(&key.stdout)
            .ok();
        t.run(&[
            "configure",
            "--profile",
            "app",
            "--username",
            "helen",
            "--region",
            "us-east-1",
        ])
        .ok();
        World { t, aws }
    }

    fn rotate(&self, extra: &[&str]) -> Run {
        let mut args = vec!["rotate", "--username", "helen"];
        args.extend_from_slice(extra);
        self.to_aws(self.t.run(&args))
    }

    /// `rotate`, stopped after `step` as if it were killed there.
    fn rotate_stopped_after(&self, step: &str) -> Run {
        self.to_aws(
            self.t
                .run_stopped_after(step, &["rotate", "--username", "helen"]),
        )
    }

    /// `run` pointed at this world's IAM and STS.
    fn to_aws(&self, run: Run) -> Run {
        run.env("AWS_ENDPOINT_URL_IAM", &self.aws.endpoint)
            .env("AWS_ENDPOINT_URL_STS", &self.aws.endpoint)
            .env("AWS_REGION", "us-east-1")
    }

    /// The key stored for 'helen': (id, secret).
    fn stored(&self) -> (String, String) {
        let out = self.t.run(&["--username", "helen"]).ok();
        let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        (
            v["AccessKeyId"].as_str().unwrap().to_string(),
            v["SecretAccessKey"].as_str().unwrap().to_string(),
        )
    }

    fn accepts(&self, (id, secret): &(String, String)) -> bool {
        py(&self.t, &["accepts", &self.aws.endpoint, id, secret]).code == 0
    }

    fn keys(&self) -> Vec<String> {
        let (id, secret) = self.stored();
        let out = py(&self.t, &["keys", &self.aws.endpoint, &id, &secret]);
        assert_eq!(out.code, 0, "{out:?}");
        out.stdout.lines().map(String::from).collect()
    }

    /// Deletes every key of the user but the stored one.
    fn prune(&self) {
        let (id, secret) = self.stored();
        let out = py(&self.t, &["prune", &self.aws.endpoint, &id, &secret, &id]);
        assert_eq!(out.code, 0, "{out:?}");
    }
}

#[test]
fn rotate_replaces_the_key_and_the_sdks_sign_with_the_new_one() {
    let w = World::new(true);
    let old = w.stored();
    let list = w.t.run(&["list", "--json"]).ok();
    let rows: serde_json::Value = serde_json::from_str(&list.stdout).unwrap();
    assert_eq!(
        rows[0]["age_days"], 0,
        "the CreateDate of IAM's output: {list:?}"
    );
    let creates = w.aws.count("CreateAccessKey");

    let out = w.rotate(&[]).ok();
    for line in [
        "Creating a new access key",
        "Stored the new key",
        "Waiting until AWS accepts",
        "AWS accepts the new key",
        "Deleting the old key",
        "Deleted the old key",
        "Rotated 'helen'",
    ] {
        assert!(out.stderr.contains(line), "{line}: {out:?}");
    }
    assert!(!out.stderr.contains(&old.1) && !out.stdout.contains(&old.1));
    let new = w.stored();
    assert_ne!(new.0, old.0);
    assert_eq!(w.aws.count("CreateAccessKey"), creates + 1);
    assert_eq!(w.aws.count("DeleteAccessKey"), 1);
    // The delete was signed with the new key.
    assert_eq!(
        w.aws.signers("DeleteAccessKey"),
        vec![(new.0.clone(), false)]
    );
    assert!(w.accepts(&new), "the local IAM accepts the new key");
    assert!(!w.accepts(&old), "and refuses the old one");
    assert_eq!(w.keys(), vec![new.0.clone()]);

    // boto3 reads the new key through the profile and signs with it.
    let mut cmd = w.t.command(client(".venv/bin/python"));
    cmd.arg(project_dir().join("tests/py/probe.py")).arg("app");
    let probe = Run::new(cmd).output();
    assert!(probe.stdout.contains(&new.0), "{probe:?}");
    let whoami = py(&w.t, &["whoami", &w.aws.endpoint, "app"]);
    assert_eq!(whoami.code, 0, "{whoami:?}");
    assert!(whoami.stdout.contains(":user/helen"), "{whoami:?}");
    // And so does the AWS CLI.
    let mut cmd = w.t.command(client(".venv/bin/aws"));
    cmd.args([
        "sts",
        "get-caller-identity",
        "--profile",
        "app",
        "--endpoint-url",
        &w.aws.endpoint,
    ]);
    let cli = Run::new(cmd).output();
    assert_eq!(cli.code, 0, "{cli:?}");
    assert!(cli.stdout.contains(":user/helen"), "{cli:?}");
    let signed = w.aws.signers("GetCallerIdentity");
    assert_eq!(
        signed.last().unwrap().0,
        new.0,
        "the CLI signed with the new key"
    );
}

#[test]
fn iam_being_slow_to_accept_the_new_key_is_waited_for() {
    let w = World::new(true);
    w.aws
        .refuse("GetCallerIdentity", 3, 403, "InvalidClientTokenId");
    let old = w.stored();
    w.rotate(&[]).ok();
    assert!(w.aws.count("GetCallerIdentity") >= 4);
    let new = w.stored();
    assert_ne!(new, old);
    assert!(w.accepts(&new) && !w.accepts(&old));
}

#[test]
fn the_old_key_is_served_until_the_new_one_works_and_throttling_is_waited_out() {
    let w = World::new(true);
    let old = w.stored();
    // Stopped once AWS accepts the new key, before it is stored: what the
    // profile served all along is still the old key, which works.
    let out = w.rotate_stopped_after("working").output();
    assert_eq!(out.code, 99, "{out:?}");
    assert_eq!(
        w.stored(),
        old,
        "the new key was handed out before it worked"
    );
    assert!(w.accepts(&old));
    w.prune();
    // STS throttling the check is no answer about the key: retried.
    w.aws.refuse("GetCallerIdentity", 3, 400, "Throttling");
    w.rotate(&[]).env("AWS_MAX_ATTEMPTS", "1").ok();
    let new = w.stored();
    assert_ne!(new, old);
    assert!(w.accepts(&new) && !w.accepts(&old));
}

#[test]
fn a_refused_delete_keeps_the_new_key_and_says_what_remains() {
    let w = World::new(true);
    let old = w.stored();
    w.aws.refuse("DeleteAccessKey", 1, 403, "AccessDenied");
    // The steps that went well, then the one that failed.
    let out = w.rotate(&[]).fails_saying_more(1);
    out.stderr_has(&[
        "AccessDenied",
        &old.0,
        "aws iam delete-access-key",
        "is stored",
    ]);
    let new = w.stored();
    assert_ne!(new.0, old.0);
    assert!(w.accepts(&new));
    assert_eq!(
        w.keys().len(),
        2,
        "the old key is still there, as the message says"
    );
}

#[test]
fn with_an_mfa_device_one_code_serves_the_whole_rotation() {
    // moto's GetSessionToken hands out a session its own auth does not
    // know, so this world checks no signatures; the proxy shows who signed.
    let w = World::new(false);
    let serial = "arn:aws:iam::123456789012:mfa/helen";
    w.t.run(&["add", "--username", "helen", "--mfa-serial", serial])
        .ok();
    // Without a terminal or a command, it fails at once and calls nothing.
    let mut cmd = w.t.command("setsid");
    cmd.args(["-w", bin(), "rotate", "--username", "helen"])
        .env("AWS_ENDPOINT_URL_IAM", &w.aws.endpoint)
        .env("AWS_ENDPOINT_URL_STS", &w.aws.endpoint);
    Run::new(cmd).fails(1).stderr_has(&[
        "no terminal to ask for the MFA code",
        "awscreds-rs rotate --username helen --mfa-command CMD",
    ]);
    let creates = w.aws.count("CreateAccessKey");
    assert_eq!(w.aws.count("GetSessionToken"), 0);

    let out = w.rotate(&["--mfa-command", "echo 123456"]).ok();
    out.stderr_has(&["one MFA session"]);
    assert_eq!(w.aws.count("GetSessionToken"), 1, "one code");
    assert!(w.aws.calls().iter().any(|c| c.contains("TokenCode=123456")));
    assert_eq!(w.aws.count("CreateAccessKey"), creates + 1);
    // Both IAM calls were signed by the MFA session (a token came along).
    let created = w.aws.signers("CreateAccessKey");
    let deleted = w.aws.signers("DeleteAccessKey");
    assert!(created.last().unwrap().1, "{created:?}");
    assert_eq!(deleted.len(), 1);
    assert!(deleted[0].1, "{deleted:?}");
    // The new key keeps the MFA device.
    let list = w.t.run(&["list", "--json"]).ok();
    assert!(!list.stdout.contains("AKIAIOSFODNN7EXAMPLE"));
    let out = w.t.run(&["doctor", "--profile", "app", "--json"]).output();
    assert_eq!(
        out.finding("credential_process.key-age")["status"],
        "ok",
        "{out:?}"
    );
}

#[test]
fn old_keys_show_their_age_and_doctor_says_to_rotate() {
    let t = TestEnv::secret_service();
    let doc = format!(
        r#"{{"AccessKey":{{"UserName":"helen","AccessKeyId":"{KEY_ID}","Status":"Active","SecretAccessKey":"{SECRET}","CreateDate":"2020-01-01T00:00:00Z"}}}}"#
    );
    t.run(&["add", "--username", "helen"]).stdin(&doc).ok();
    let out = t.run(&["list"]).ok();
    assert!(out.stdout.contains("AGE"), "{out:?}");
    assert!(
        out.stdout
            .lines()
            .any(|l| l.contains("helen") && l.contains("d!")),
        "{out:?}"
    );
    t.run(&[
        "configure",
        "--profile",
        "app",
        "--username",
        "helen",
        "--region",
        "us-east-1",
    ])
    .ok();
    let out = t.run(&["doctor", "--profile", "app", "--json"]).output();
    let age = out.finding("credential_process.key-age");
    assert_eq!(age["status"], "warning", "{out:?}");
    assert!(age["message"].as_str().unwrap().contains("days old"));
    assert_eq!(age["fix"], "awscreds-rs rotate --username helen");
    // A key added by hand counts from now; an inactive one is refused.
    t.run(&["add", "--username", "fresh"])
        .stdin(&long_term_doc())
        .ok();
    let out = t.run(&["list", "--json"]).ok();
    let rows: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let fresh = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["username"] == "fresh")
        .unwrap();
    assert_eq!(fresh["age_days"], 0);
    t.run(&["add", "--username", "off"])
        .stdin(&doc.replace("Active", "Inactive"))
        .fails(1)
        .stderr_has(&["not Active"]);
}

#[test]
fn doctor_online_asks_iam_the_age_of_an_imported_key() {
    let aws = LocalSts::with_auth(3);
    let t = TestEnv::secret_service();
    let key = py(&t, &["bootstrap", &aws.endpoint]);
    let v: serde_json::Value = serde_json::from_str(&key.stdout).unwrap();
    let (id, secret) = (
        v["AccessKey"]["AccessKeyId"].as_str().unwrap(),
        v["AccessKey"]["SecretAccessKey"].as_str().unwrap(),
    );
    std::fs::write(
        t.home.join(".aws/credentials"),
        format!("[app]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\n"),
    )
    .unwrap();
    t.write_config("[profile app]\nregion = us-east-1\n");
    t.run(&["import", "--profile", "app"]).ok();
    let doctor = |online: bool| {
        let mut args = vec!["doctor", "--profile", "app", "--json"];
        if online {
            args.push("--online");
        }
        t.run(&args)
            .env("AWS_ENDPOINT_URL_IAM", &aws.endpoint)
            .env("AWS_ENDPOINT_URL_STS", &aws.endpoint)
            .output()
    };
    let out = doctor(false);
    let age = out.finding("credential_process.key-age");
    assert!(
        age["message"].as_str().unwrap().contains("not recorded"),
        "{out:?}"
    );
    assert_eq!(aws.count("ListAccessKeys"), 0, "offline asks nobody");
    let raw = || {
        let out = t
            .command("secret-tool")
            .args(["lookup", "service", "awscreds-rs", "username", "app"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        out.stdout
    };
    let stored = raw();
    let out = doctor(true);
    assert_eq!(raw(), stored, "doctor --online wrote to the store");
    let age = out.finding("credential_process.key-age");
    assert_eq!(age["status"], "ok", "{out:?}");
    assert!(
        age["message"]
            .as_str()
            .unwrap()
            .contains("0 days old (its creation date from IAM"),
        "{out:?}"
    );
    // A diagnosis writes nothing: the entry is as import left it.
    let list = t.run(&["list", "--json"]).ok();
    assert!(
        list.stdout.contains("\"age_days\": null"),
        "doctor --online changed the entry: {list:?}"
    );
}

/// The tests that run on every platform: on Linux against the Secret
/// Service, under Wine (scripts/wine.sh) against the Windows Credential
/// Manager.
mod everywhere {
    use super::*;

    #[test]
    fn a_user_with_two_keys_is_refused_and_nothing_changes() {
        let w = World::new(true);
        let (id, secret) = w.stored();
        let extra = py(&w.t, &["create-key", &w.aws.endpoint, &id, &secret]);
        assert_eq!(extra.code, 0, "{extra:?}");
        let extra = extra.stdout.trim().to_string();
        // An empty id would make the stderr check below hold for anything.
        assert!(
            extra.len() == 20 && extra.starts_with("AKIA"),
            "create-key printed no key id: {extra:?}"
        );
        // The step it tried, then why it stopped.
        let out = w.rotate(&[]).fails_saying_more(1);
        out.stderr_has(&[
            "two access keys",
            "nothing was changed",
            &extra,
            "aws iam delete-access-key",
        ]);
        assert_eq!(w.stored(), (id, secret));
    }

    #[test]
    fn killed_at_every_step_the_stored_key_still_works() {
        let w = World::new(true);
        for round in 0..2 {
            for step in ["created", "stored", "working", "deleted"] {
                let out = w.rotate_stopped_after(step).output();
                assert_eq!(out.code, 99, "round {round}, {step}: {out:?}");
                let stored = w.stored();
                assert!(w.accepts(&stored), "round {round}, after {step}");
                // What a user does next: remove the key awscreds-rs does not hold.
                w.prune();
            }
        }
        w.rotate(&[]).ok();
        assert!(w.accepts(&w.stored()));
    }
}
