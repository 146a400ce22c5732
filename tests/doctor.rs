//! `doctor` on a fixture directory per case (tests/fixtures/doctor/<case>):
//! `config`, `credentials`, `env` (KEY=VALUE lines), `aws-profile`, `mode`
//! of the credentials file, and `expect` (a `check status` pair per line),
//! run against the built binary with a temporary HOME and the real Secret
//! Service. Markers: `all-ok` (no warning or error at all), `no-keyring`,
//! `config-is-directory`, `huge`.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;

use common::*;
use serde_json::Value;

fn bin_path() -> String {
    fs::canonicalize(bin()).unwrap().display().to_string()
}

/// The files a fixture case may hold; any other is refused, so that a
/// misspelt one cannot silently test nothing.
const CASE_FILES: &[&str] = &[
    "config",
    "credentials",
    "expect",
    "env",
    "aws-profile",
    "mode",
    "no-keyring",
    "config-is-directory",
    "huge",
    "all-ok",
];

/// One test per directory of tests/fixtures/doctor, named after it, so
/// that a case runs by name and one failure hides no other.
macro_rules! cases {
    ($($test:ident => $dir:literal,)*) => {
        $(
            #[test]
            fn $test() {
                fixture_case($dir);
            }
        )*
        const CASES: &[&str] = &[$($dir),*];
    };
}

cases! {
    aws_profile_blocked => "aws-profile-blocked",
    config_binary => "config-binary",
    config_bom => "config-bom",
    config_crlf => "config-crlf",
    config_directory => "config-directory",
    config_huge => "config-huge",
    config_missing => "config-missing",
    config_unterminated => "config-unterminated",
    duplicate_default => "duplicate-default",
    duplicate_key_case => "duplicate-key-case",
    duplicates => "duplicates",
    env_half_key => "env-half-key",
    env_keys => "env-keys",
    env_leftover_token => "env-leftover-token",
    env_token_alone => "env-token-alone",
    header_with_blanks => "header-with-blanks",
    headers => "headers",
    healthy => "healthy",
    name_not_stored => "name-not-stored",
    named_profiles_no_default => "named-profiles-no-default",
    plaintext_as_botocore_reads => "plaintext-as-botocore-reads",
    plaintext_private => "plaintext-private",
    plaintext_readable => "plaintext-readable",
    process_bad_json => "process-bad-json",
    process_bad_key_id => "process-bad-key-id",
    process_expired => "process-expired",
    process_fails => "process-fails",
    process_leaks_secret => "process-leaks-secret",
    process_missing => "process-missing",
    process_needs_shell => "process-needs-shell",
    process_other_ok => "process-other-ok",
    profile_undefined => "profile-undefined",
    profiles_disagree => "profiles-disagree",
    region_from_env => "region-from-env",
    region_missing => "region-missing",
    source_profile_loop => "source-profile-loop",
    static_beats_process => "static-beats-process",
    store_missing => "store-missing",
}

#[test]
fn every_fixture_directory_has_its_test() {
    let dir = project_dir().join("tests/fixtures/doctor");
    let mut found: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    let mut listed: Vec<String> = CASES.iter().map(|c| c.to_string()).collect();
    listed.sort();
    assert_eq!(
        found, listed,
        "each case in tests/fixtures/doctor needs its line in cases!"
    );
}

/// Runs `doctor --json` on one case: each `expect` line `CHECK STATUS` must
/// be what every finding of that check says.
fn fixture_case(name: &str) {
    let case = project_dir().join("tests/fixtures/doctor").join(name);
    for file in fs::read_dir(&case).unwrap() {
        let file = file.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            CASE_FILES.contains(&file.as_str()),
            "{name}: unknown fixture file {file} (known: {CASE_FILES:?})"
        );
    }
    let has = |file: &str| case.join(file).exists();
    let read = |file: &str| fs::read(case.join(file)).ok();
    let t = if has("no-keyring") {
        TestEnv::bus_without_keyring()
    } else {
        TestEnv::with_key("helen")
    };
    let aws = t.home.join(".aws");
    if let Some(config) = read("config") {
        let text = String::from_utf8_lossy(&config).replace("{BIN}", &bin_path());
        let bytes = if String::from_utf8(config.clone()).is_ok() {
            text.into_bytes()
        } else {
            config
        };
        fs::write(aws.join("config"), bytes).unwrap();
    }
    if has("config-is-directory") {
        fs::create_dir(aws.join("config")).unwrap();
    }
    if has("huge") {
        fs::write(aws.join("config"), "# padding\n".repeat(600_000)).unwrap();
    }
    if let Some(creds) = read("credentials") {
        let path = aws.join("credentials");
        fs::write(&path, creds).unwrap();
        let mode = read("mode")
            .map(|m| u32::from_str_radix(String::from_utf8(m).unwrap().trim(), 8).unwrap());
        fs::set_permissions(&path, fs::Permissions::from_mode(mode.unwrap_or(0o600))).unwrap();
    }
    if let Some(content) = read("aws-profile") {
        fs::write(t.home.join(".aws-profile"), content).unwrap();
    }
    let mut run = t.run(&["doctor", "--json"]);
    if has("no-keyring") {
        run = run.env("AWSCREDS_STORE", "secret-service");
    }
    for line in String::from_utf8(read("env").unwrap_or_default())
        .unwrap()
        .lines()
    {
        let (key, value) = line.split_once('=').unwrap();
        run = run.env(key, value);
    }
    let out = run.output();
    let findings: Value =
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{name}: {e}: {out:?}"));
    let findings = findings.as_array().unwrap();
    let status_of = |check: &str| -> Vec<&str> {
        findings
            .iter()
            .filter(|f| f["check"] == check)
            .map(|f| f["status"].as_str().unwrap())
            .collect()
    };
    for line in String::from_utf8(read("expect").unwrap()).unwrap().lines() {
        let (check, status) = line.split_once(' ').unwrap();
        let seen = status_of(check);
        assert!(
            !seen.is_empty() && seen.iter().all(|s| *s == status),
            "{name}: expected {check} {status}, got {findings:#?}"
        );
    }
    let any_error = findings.iter().any(|f| f["status"] == "error");
    assert_eq!(out.code, if any_error { 1 } else { 0 }, "{name}: {out:?}");
    if has("all-ok") {
        let bad: Vec<_> = findings.iter().filter(|f| f["status"] != "ok").collect();
        assert!(
            bad.is_empty(),
            "{name}: a healthy setup has no warnings: {bad:#?}"
        );
    }
    for f in findings {
        assert!(["ok", "warning", "error"].contains(&f["status"].as_str().unwrap()));
        assert_eq!(f["fix"].is_null(), f["status"] == "ok", "{name}: {f}");
    }
    assert!(
        !out.stdout.contains(SECRET),
        "{name}: a secret in the output"
    );
}

#[test]
fn text_output_has_no_colour_off_a_terminal_and_never_shows_secrets() {
    let t = TestEnv::with_key("helen");
    t.write_config(&format!(
        "[default]\nregion = us-east-1\ncredential_process = {} --username helen\n",
        bin_path()
    ));
    let out = t.run(&["doctor"]).ok();
    assert!(!out.stdout.contains('\x1b'), "{out:?}");
    assert!(
        out.stdout
            .contains("credential_process returns the key AKIA************MPLE"),
        "{out:?}"
    );
    assert!(out.stdout.contains("0 warning(s), 0 error(s)"), "{out:?}");
    assert!(!out.stdout.contains(SECRET));
    // --profile picks the profile to check.
    let out = t.run(&["doctor", "--profile", "ghost"]).output();
    assert_eq!(out.code, 1);
    assert!(
        out.stdout
            .contains("profile 'ghost' is defined in neither AWS file"),
        "{out:?}"
    );
}

/// A variable that is not UTF-8 (any variable, an AWS one too) is
/// reported, never a panic.
#[test]
fn doctor_reads_an_environment_that_is_not_utf8() {
    use std::os::unix::ffi::OsStrExt;
    let t = TestEnv::with_key("helen");
    t.write_config(&format!(
        "[default]\nregion = us-east-1\ncredential_process = {} --username helen\n",
        bin_path()
    ));
    let bad = std::ffi::OsStr::from_bytes(b"caf\xe9");
    for name in ["AWS_DEFAULT_OUTPUT", "LANG_OF_SOMETHING"] {
        let mut run = t.run(&["doctor", "--json"]);
        run.cmd.env(name, bad);
        let out = run.output();
        assert_eq!(out.code, 0, "{name}: {out:?}");
        let findings: Value = serde_json::from_str(&out.stdout).unwrap();
        assert!(
            findings.as_array().is_some_and(|f| !f.is_empty()),
            "{out:?}"
        );
    }
}

#[test]
fn profiles_lists_every_profile_with_its_source() {
    let t = TestEnv::secret_service();
    t.write_config(&format!(
        "[default]\nregion = us-east-1\ncredential_process = '{}' --username helen\n\
         [profile sso]\nsso_session = corp\n[profile role]\nrole_arn = arn:aws:iam::123456789012:role/x\nsource_profile = default\n\
         [profile other]\ncredential_process = /opt/helper\n[sso-session corp]\nsso_region = us-east-1\n",
        bin_path()
    ));
    fs::write(
        t.home.join(".aws/credentials"),
        "[keys]\naws_access_key_id = A\naws_secret_access_key = s\n",
    )
    .unwrap();
    let rows: Value = serde_json::from_str(&t.run(&["profiles", "--json"]).ok().stdout).unwrap();
    let by_name = |n: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["profile"] == n)
            .unwrap()
            .clone()
    };
    assert_eq!(by_name("default")["source"], "awscreds-rs");
    assert_eq!(by_name("default")["detail"], "awscreds-rs helen");
    assert_eq!(by_name("default")["region"], "us-east-1");
    assert_eq!(by_name("sso")["source"], "sso");
    assert_eq!(by_name("role")["source"], "role");
    assert_eq!(by_name("other")["source"], "credential_process");
    assert_eq!(by_name("keys")["source"], "static keys");
    assert_eq!(by_name("keys")["in_credentials"], true);
    assert_eq!(rows.as_array().unwrap().len(), 5);
    let table = t.run(&["profiles"]).ok().stdout;
    assert!(table.starts_with("PROFILE"), "{table}");
}

/// The tests that run on every platform: on Linux against the Secret
/// Service, under Wine (scripts/wine.sh) against the Windows Credential
/// Manager.
mod everywhere {
    use super::*;

    fn errors(out: &Out) -> Vec<Value> {
        let findings: Value = serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("doctor --json printed no JSON ({e}): {out:?}"));
        findings
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["status"] == "error")
            .cloned()
            .collect()
    }

    /// `configure` writes the line a user of this platform would type,
    /// doctor judges it by this platform's rules and passes it, then names
    /// what broke it and a fix that works here.
    #[test]
    fn configure_then_doctor_on_a_healthy_and_a_broken_setup() {
        let t = TestEnv::with_key("helen");
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
        let config = fs::read_to_string(t.config_path()).unwrap();
        let line = config
            .lines()
            .find(|l| l.starts_with("credential_process = "))
            .unwrap_or_else(|| panic!("no credential_process line: {config}"));
        // The plain path, never Windows' verbatim `\\?\` form; on Windows
        // in double quotes, which is what cmd.exe reads.
        assert!(!line.contains(r"\\?\"), "{line}");
        if wine().is_some() {
            assert!(line.starts_with("credential_process = \""), "{line}");
            assert!(line.contains(r":\"), "{line}");
            assert!(
                line.contains("awscreds-rs.exe\" --username helen"),
                "{line}"
            );
        } else {
            assert!(line.contains("/target/installed/bin/awscreds-rs"), "{line}");
            assert!(line.ends_with("awscreds-rs --username helen"), "{line}");
        }

        let healthy = t.run(&["doctor", "--profile", "app", "--json"]).output();
        assert_eq!(healthy.code, 0, "{healthy:?}");
        assert_eq!(errors(&healthy), Vec::<Value>::new(), "{healthy:?}");
        assert_eq!(
            healthy.finding("credential_process.program")["status"],
            "ok",
            "{healthy:?}"
        );

        // The key gone: the fix stores it again.
        t.run(&["remove", "--username", "helen"]).ok();
        let out = t.run(&["doctor", "--profile", "app", "--json"]).output();
        assert_eq!(out.code, 1, "{out:?}");
        let found = errors(&out);
        assert!(
            found.iter().any(|f| f["fix"]
                .as_str()
                .unwrap()
                .contains("awscreds-rs add --username helen")),
            "{found:?}"
        );

        // The program gone: named, with no shell-syntax or wildcard false
        // alarm about the path's own characters.
        let moved = line.replace("awscreds-rs", "awscreds-rs-gone");
        t.write_config(&format!("[profile app]\n{moved}\n"));
        let out = t.run(&["doctor", "--profile", "app", "--json"]).output();
        assert_eq!(out.code, 1, "{out:?}");
        let program = out.finding("credential_process.program");
        assert_eq!(program["status"], "error", "{out:?}");
        assert!(
            program["message"]
                .as_str()
                .unwrap()
                .contains("does not exist"),
            "{program}"
        );
        assert!(!out.stdout.contains("credential_process.shell"), "{out:?}");
    }
}

#[test]
fn a_slow_credential_process_is_stopped_with_all_it_started() {
    let t = TestEnv::with_key("helen");
    let marker = format!("34{}", std::process::id());
    t.write_config(&format!(
        "[default]\nregion = us-east-1\ncredential_process = sh -c \"sleep {marker} & sleep {marker}\"\n"
    ));
    let out = t.run(&["doctor", "--json"]).output();
    let run = out.finding("credential_process.run");
    assert_eq!(run["status"], "error", "{run}");
    assert!(
        run["message"]
            .as_str()
            .unwrap()
            .contains("within 10 seconds"),
        "{run}"
    );
    assert_eq!(
        processes_left(&marker, std::time::Duration::from_secs(5)),
        Vec::<u32>::new()
    );
}

#[test]
fn a_credential_process_that_fills_stderr_is_read_not_waited_on() {
    let t = TestEnv::with_key("helen");
    t.write_config(
        "[default]\nregion = us-east-1\ncredential_process = sh -c \"head -c 300000 /dev/zero | tr '\\\\0' x >&2; exit 3\"\n",
    );
    let out = t.run(&["doctor", "--json"]).output();
    let run = out.finding("credential_process.run");
    assert_eq!(run["status"], "error", "{run}");
    // The failure itself, not a time-out on a pipe nobody read.
    assert!(
        run["message"].as_str().unwrap().contains("exit status: 3"),
        "{run}"
    );
}

#[test]
fn quoted_shell_syntax_that_boto3_runs_as_sh_does_is_no_warning() {
    let t = TestEnv::with_key("helen");
    for (line, warned) in [
        (
            format!("sh -c \"{} --username helen && true\"", bin_path()),
            false,
        ),
        (
            format!("{} --username helen --mfa-command \"a|b\"", bin_path()),
            false,
        ),
        (format!("{} --username \"it's\" ; true", bin_path()), true),
    ] {
        t.write_config(&format!(
            "[default]\nregion = us-east-1\ncredential_process = {line}\n"
        ));
        let out = t.run(&["doctor", "--json"]).output();
        assert_eq!(
            out.stdout.contains("credential_process.shell"),
            warned,
            "{line}: {out:?}"
        );
    }
}
