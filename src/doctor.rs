//! The checks of `awscreds-rs doctor`: what AWS tools will see, and how to
//! fix what is wrong. Each check yields findings; none prints a secret.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;
use time::OffsetDateTime;

use crate::awsfiles::{self, AwsFiles};
use crate::credentials::{format_expiration, mask_access_key_id, Credentials};
use crate::ini::{header_name, property_key, Ini};
use crate::profiles::{self, Profile, Source};
use crate::project;
use crate::shellwords;
use crate::store::{Store, StoreChoice};
use crate::trust::Trust;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warning,
    Error,
}

#[derive(Debug, Serialize)]
pub struct Finding {
    pub check: &'static str,
    pub status: Status,
    pub message: String,
    pub fix: Option<String>,
}

/// What the doctor looks at, gathered once so the checks stay pure of the
/// process environment.
pub struct Context {
    pub env: BTreeMap<String, String>,
    pub files: AwsFiles,
    pub profile: Option<String>,
    pub store: StoreChoice,
    pub cwd: PathBuf,
}

/// A file larger than this is reported, not parsed.
const MAX_FILE: u64 = 5 * 1024 * 1024;
/// How long a credential_process may take.
const PROCESS_TIMEOUT: Duration = Duration::from_secs(10);
/// botocore refreshes with 15 minutes left.
const EXPIRY_MARGIN: time::Duration = time::Duration::minutes(15);
const KEY_VARS: [&str; 3] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
];

struct Report(Vec<Finding>);

impl Report {
    fn push(
        &mut self,
        check: &'static str,
        status: Status,
        message: impl Into<String>,
        fix: Option<String>,
    ) {
        self.0.push(Finding {
            check,
            status,
            message: message.into(),
            fix,
        });
    }
    fn ok(&mut self, check: &'static str, message: impl Into<String>) {
        self.push(check, Status::Ok, message, None);
    }
    fn warn(&mut self, check: &'static str, message: impl Into<String>, fix: impl Into<String>) {
        self.push(check, Status::Warning, message, Some(fix.into()));
    }
    fn error(&mut self, check: &'static str, message: impl Into<String>, fix: impl Into<String>) {
        self.push(check, Status::Error, message, Some(fix.into()));
    }
}

pub fn run(ctx: &Context) -> Vec<Finding> {
    let mut r = Report(Vec::new());
    let config = check_file(&mut r, "config-file", &ctx.files.config, true);
    let credentials = check_file(&mut r, "credentials-file", &ctx.files.credentials, false);
    let config = config.unwrap_or_else(|| Ini::parse(""));
    let credentials = credentials.unwrap_or_else(|| Ini::parse(""));
    check_headers(&mut r, &config, &credentials, ctx);
    check_plaintext(&mut r, &credentials, &ctx.files.credentials);
    let all = profiles::collect(&config, &credentials);
    let selected = check_environment(&mut r, ctx, &all);
    check_profile(&mut r, ctx, &all, &selected);
    check_store(&mut r, ctx);
    check_shell(&mut r, ctx);
    r.0
}

fn var<'a>(ctx: &'a Context, name: &str) -> Option<&'a str> {
    ctx.env
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
}

/// Reads and lints one file; returns it parsed when it could be read.
fn check_file(r: &mut Report, check: &'static str, path: &Path, is_config: bool) -> Option<Ini> {
    let shown = path.display();
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.is_file() && meta.len() > MAX_FILE {
            r.error(
                check,
                format!("{shown} is larger than 5 MB: not an AWS file"),
                format!("look at what wrote it, and move it away from {shown}"),
            );
            return None;
        }
    }
    let text = match awsfiles::read_text(path) {
        Ok(Some(text)) => text,
        Ok(None) if is_config => {
            r.warn(check, format!("there is no config file at {shown}: no profile has a region or a credential_process"), "awscreds-rs configure --profile default --username NAME --region us-east-1");
            return None;
        }
        Ok(None) => {
            r.ok(
                check,
                format!("no credentials file at {shown}: no keys in plaintext"),
            );
            return None;
        }
        Err(e) => {
            r.error(check, e.to_string(), format!("fix or replace {shown}"));
            return None;
        }
    };
    let mut problems = Vec::new();
    let bom = text.starts_with('\u{feff}');
    let mut in_section = false;
    let mut after_property = false;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_start_matches('\u{feff}');
        let trimmed = line.trim();
        let n = i + 1;
        if trimmed.is_empty() || trimmed.starts_with(['#', ';']) {
            continue;
        }
        if header_name(line).is_some() {
            in_section = true;
            after_property = false;
        } else if trimmed.starts_with('[') {
            problems.push(format!(
                "line {n} is a section header without its closing ]"
            ));
        } else if property_key(line).is_some() {
            if !in_section {
                problems.push(format!("line {n} is a setting before any [section]"));
            }
            after_property = true;
        } else if line.starts_with([' ', '\t']) && after_property {
            // A nested setting (s3 =, then indented lines).
        } else {
            problems.push(format!("line {n} is not a `key = value` setting"));
        }
    }
    if problems.is_empty() && bom {
        r.warn(check, format!("{shown} starts with a byte-order mark, which Python's parser can read as part of the first header"), format!("save {shown} as UTF-8 without a BOM"));
    } else if problems.is_empty() {
        r.ok(check, format!("{shown} reads cleanly"));
    } else {
        let more = if problems.len() > 3 {
            format!(" (and {} more)", problems.len() - 3)
        } else {
            String::new()
        };
        problems.truncate(3);
        r.error(
            check,
            format!(
                "{shown}: {}{more}; AWS tools may reject the file or skip settings",
                problems.join("; ")
            ),
            format!("edit {shown} at those lines"),
        );
    }
    Some(Ini::parse(&text))
}

fn check_headers(r: &mut Report, config: &Ini, credentials: &Ini, ctx: &Context) {
    let config_path = ctx.files.config.display();
    let mut bad = Vec::new();
    for h in config.section_names() {
        let known = h == "default"
            || h.starts_with("profile ")
            || h.starts_with("profile\t")
            || ["sso-session", "services", "plugins", "preview"]
                .iter()
                .any(|k| h == *k || h.starts_with(&format!("{k} ")));
        if !known {
            bad.push(h);
        }
    }
    if let Some(first) = bad.first() {
        r.warn(
            "config-file.headers",
            format!("{config_path} has [{}]: SDKs ignore a section without the `profile ` prefix in the config file", bad.join("], [")),
            format!("write it as [profile {first}]"),
        );
    }
    let misplaced: Vec<String> = credentials
        .section_names()
        .into_iter()
        .filter(|h| h.starts_with("profile "))
        .collect();
    if let Some(first) = misplaced.first() {
        r.warn(
            "credentials-file.headers",
            format!("{} has [{first}]: the credentials file names profiles without the `profile ` prefix", ctx.files.credentials.display()),
            format!("write it as [{}]", first.trim_start_matches("profile ").trim()),
        );
    }
    for (check, ini, path) in [
        ("config-file.duplicates", config, &ctx.files.config),
        (
            "credentials-file.duplicates",
            credentials,
            &ctx.files.credentials,
        ),
    ] {
        let mut seen = BTreeMap::new();
        for h in ini.section_names() {
            *seen.entry(h).or_insert(0) += 1;
        }
        let dups: Vec<String> = seen
            .into_iter()
            .filter(|(_, n)| *n > 1)
            .map(|(h, _)| format!("[{h}]"))
            .collect();
        if !dups.is_empty() {
            r.error(check, format!("{} defines {} more than once: boto3 and the AWS CLI refuse the whole file (ConfigParseError)", path.display(), dups.join(", ")), "merge the copies into one section");
        }
    }
}

fn check_plaintext(r: &mut Report, credentials: &Ini, path: &Path) {
    let with_keys: Vec<String> = credentials
        .section_names()
        .into_iter()
        .filter(|h| {
            credentials
                .properties(&|x: &str| x == h)
                .unwrap_or_default()
                .iter()
                .any(|(k, _)| k == "aws_secret_access_key")
        })
        .collect();
    if with_keys.is_empty() {
        return;
    }
    let shown = path.display();
    let open = mode_is_open(path);
    let message = format!("{shown} holds plaintext keys for {}", with_keys.join(", "));
    if open {
        r.error(
            "credentials-file.plaintext",
            format!("{message}, and other users can read the file"),
            format!("chmod 600 {shown} && awscreds-rs import --all"),
        );
    } else {
        r.warn(
            "credentials-file.plaintext",
            message,
            "awscreds-rs import --all",
        );
    }
}

#[cfg(unix)]
fn mode_is_open(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
}

#[cfg(not(unix))]
fn mode_is_open(_: &Path) -> bool {
    false
}

/// The profile an AWS tool would pick: --profile, AWS_PROFILE,
/// AWS_DEFAULT_PROFILE, default.
pub fn selected_profile(ctx: &Context) -> String {
    ctx.profile
        .clone()
        .or(var(ctx, "AWS_PROFILE").map(String::from))
        .or(var(ctx, "AWS_DEFAULT_PROFILE").map(String::from))
        .unwrap_or_else(|| "default".into())
}

/// `--online`: who the selected profile's credentials belong to, by STS
/// GetCallerIdentity, and an error for an account's root user.
pub fn check_online(ctx: &Context) -> Finding {
    let profile = selected_profile(ctx);
    let finding = |status, message: String, fix: Option<String>| Finding {
        check: "online.identity",
        status,
        message,
        fix,
    };
    match crate::sts::caller_identity(&profile) {
        Ok(id) if crate::sts::is_root(&id.arn) => finding(
            Status::Error,
            format!("profile '{profile}' signs in as the root user of account {}: root keys must not be used by applications", id.account),
            Some("create an IAM user or role for the application, store its key with awscreds-rs add, and delete the root access key".into()),
        ),
        Ok(id) => finding(Status::Ok, format!("profile '{profile}' is {} in account {}", id.arn, id.account), None),
        Err(e) => finding(Status::Error, format!("STS did not accept profile '{profile}': {e}"), Some("fix the errors above, then run doctor --online again".into())),
    }
}

/// The environment's variables; returns the profile an AWS tool would pick.
fn check_environment(r: &mut Report, ctx: &Context, all: &BTreeMap<String, Profile>) -> String {
    let set: Vec<&str> = KEY_VARS
        .iter()
        .copied()
        .filter(|v| var(ctx, v).is_some())
        .collect();
    let profile_var = var(ctx, "AWS_PROFILE");
    let default_var = var(ctx, "AWS_DEFAULT_PROFILE");
    let selected = selected_profile(ctx);
    let unset = format!("unset {}", KEY_VARS.join(" "));
    let id = var(ctx, "AWS_ACCESS_KEY_ID");
    match (id.is_some(), var(ctx, "AWS_SECRET_ACCESS_KEY").is_some(), var(ctx, "AWS_SESSION_TOKEN").is_some()) {
        (false, false, false) => r.ok("environment.keys", "no AWS keys in the environment: profiles decide"),
        (true, true, token) => {
            if token && id.is_some_and(|id| id.starts_with("AKIA")) {
                r.error("environment.keys", "AWS_SESSION_TOKEN is set with a long-term AKIA key: a token left over from earlier keys, and AWS rejects the pair", "unset AWS_SESSION_TOKEN");
            } else {
                r.warn(
                    "environment.keys",
                    format!("{} {} set: every AWS tool uses them before any profile, so profile '{selected}' is ignored (botocore even with AWS_PROFILE set)", set.join(", "), if set.len() == 1 { "is" } else { "are" }),
                    format!("{unset}   # or store them: awscreds-rs add --username NAME --from-env"),
                );
            }
        }
        (false, false, true) => r.warn("environment.keys", "AWS_SESSION_TOKEN is set without keys: a leftover that will pair with the next keys you export", "unset AWS_SESSION_TOKEN"),
        _ => r.error("environment.keys", format!("only {} of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY is set: SDKs reject or skip half a key", set.join(", ")), unset),
    }
    match (profile_var, default_var) {
        (Some(a), Some(b)) if a != b => r.warn(
            "environment.profile",
            format!("AWS_PROFILE={a} and AWS_DEFAULT_PROFILE={b} disagree: boto3 and the AWS CLI v1 use {b}, the other SDKs {a}"),
            "unset AWS_DEFAULT_PROFILE",
        ),
        _ => {}
    }
    if let Some(p) = profile_var {
        if !all.contains_key(p) {
            r.error("environment.profile", format!("AWS_PROFILE names '{p}', which neither AWS file defines: AWS tools fail with ProfileNotFound"), format!("awscreds-rs configure --profile {p} --username NAME, or unset AWS_PROFILE"));
        }
    }
    selected
}

fn check_profile(r: &mut Report, ctx: &Context, all: &BTreeMap<String, Profile>, selected: &str) {
    let Some(profile) = all.get(selected) else {
        let status_fix = format!("awscreds-rs configure --profile {selected} --username NAME");
        if selected == "default" && var(ctx, "AWS_ACCESS_KEY_ID").is_none() {
            r.error("profile", "no profile is selected and there is no [default]: AWS tools fail with \"Unable to locate credentials\"", status_fix);
        } else if selected != "default" {
            r.error(
                "profile",
                format!("profile '{selected}' is defined in neither AWS file"),
                status_fix,
            );
        }
        return;
    };
    let source = profile.source();
    r.push(
        "profile",
        Status::Ok,
        format!(
            "profile '{selected}' gets its credentials from {}",
            source.describe()
        ),
        None,
    );
    check_rust_sdk(r, selected, profile);
    if profile.has_static_keys_in_credentials() && profile.config.contains_key("credential_process")
    {
        r.warn("profile.source", format!("profile '{selected}' has static keys in the credentials file, which SDKs use before its credential_process: the process never runs"), format!("awscreds-rs import --profile {selected}"));
    }
    if source == Source::None {
        r.error(
            "profile.source",
            format!(
                "profile '{selected}' has no credentials: no keys, credential_process, SSO or role"
            ),
            format!("awscreds-rs configure --profile {selected} --username NAME"),
        );
    }
    if profile.region().is_none()
        && var(ctx, "AWS_REGION").is_none()
        && var(ctx, "AWS_DEFAULT_REGION").is_none()
    {
        r.warn("profile.region", format!("profile '{selected}' has no region and AWS_REGION is unset: most commands fail with \"You must specify a region\""), format!("add `region = us-east-1` (or yours) to [{}] in {}", crate::wiring::config_header(selected), ctx.files.config.display()));
    }
    if let Err(chain) = profiles::source_chain(all, selected) {
        r.error(
            "profile.source_profile",
            format!(
                "source_profile goes round in a loop: {}",
                chain.join(" -> ")
            ),
            "point the last source_profile at a profile with keys or a credential_process",
        );
    }
    match &source {
        Source::Awscreds {
            name,
            store,
            command,
        } => check_process(r, ctx, command, Some((selected, name, store.as_deref()))),
        Source::Process { command } => check_process(r, ctx, command, None),
        _ => {}
    }
}

/// The Rust SDK's own reading of the profile (aws-config's parser), against
/// ours: where they differ, one SDK will not do what the file seems to say.
fn check_rust_sdk(r: &mut Report, selected: &str, profile: &Profile) {
    if !cfg!(feature = "sts") {
        return;
    }
    match crate::sts::rust_sdk_profile(selected) {
        Err(e) => r.warn("profile.rust-sdk", format!("the Rust SDK (aws-config) cannot read the AWS files: {e}"), "fix the files where the message says"),
        Ok(None) => r.warn("profile.rust-sdk", format!("the Rust SDK (aws-config) does not see profile '{selected}'"), "check the section header: [profile NAME] in the config file, [NAME] in the credentials file"),
        Ok(Some(seen)) => {
            let ours = |key: &str| profile.config.get(key).or_else(|| profile.credentials.get(key)).map(String::as_str).filter(|v| !v.is_empty());
            let differs: Vec<&str> = seen.iter().filter(|(k, v)| ours(k) != Some(v.as_str())).map(|(k, _)| k.as_str()).collect();
            if differs.is_empty() {
                r.ok("profile.rust-sdk", format!("the Rust SDK (aws-config) reads profile '{selected}' the same way"));
            } else {
                r.warn("profile.rust-sdk", format!("the Rust SDK (aws-config) reads {} of profile '{selected}' differently", differs.join(", ")), "look for duplicate sections or keys: SDKs merge them differently");
            }
        }
    }
}

/// `awscreds`: for an awscreds-rs line, the profile, the NAME and the
/// `--store` it names.
fn check_process(
    r: &mut Report,
    ctx: &Context,
    command: &str,
    awscreds: Option<(&str, &str, Option<&str>)>,
) {
    let words = match shellwords::split(command) {
        Ok(words) if !words.is_empty() => words,
        Ok(_) => {
            return r.error(
                "credential_process",
                "credential_process is empty",
                "give the command, or remove the line",
            )
        }
        Err(e) => {
            return r.error(
                "credential_process",
                format!("credential_process does not split into words: {e}"),
                "fix the quoting",
            )
        }
    };
    let features = shellwords::shell_features(command);
    if !features.is_empty() {
        r.warn("credential_process.shell", format!("credential_process uses {}: the JS, Go and Rust SDKs run it with sh -c, but boto3 and the AWS CLI run it without a shell, where it breaks", features.join(", ")), "write the absolute path and plain arguments (awscreds-rs configure does)");
    }
    let program = &words[0];
    let resolved = if program.contains('/') {
        let path = PathBuf::from(program);
        path.exists().then_some(path)
    } else {
        which::which(program).ok()
    };
    let Some(resolved) = resolved else {
        return r.error(
            "credential_process.program",
            format!("the program {program} of credential_process does not exist"),
            "install it, or fix the path (awscreds-rs configure writes the right one)",
        );
    };
    if !is_executable(&resolved) {
        return r.error(
            "credential_process.program",
            format!("{} is not executable", resolved.display()),
            format!("chmod +x {}", resolved.display()),
        );
    }
    r.ok(
        "credential_process.program",
        format!("{} exists and is executable", resolved.display()),
    );

    if let Some((profile, name, line_store)) = awscreds {
        if !check_entry(r, ctx, profile, name, line_store) {
            return;
        }
    }
    run_process(r, &words);
}

/// Which store the line reads and whether NAME is there; false when there
/// is no point in running the line.
fn check_entry(
    r: &mut Report,
    ctx: &Context,
    profile: &str,
    name: &str,
    line_store: Option<&str>,
) -> bool {
    const CHECK: &str = "credential_process.entry";
    let (choice, how) = match line_store {
        Some(id) => match StoreChoice::from_id(id) {
            Some(choice) => (choice, format!("its --store {id}")),
            None => {
                r.error(
                    CHECK,
                    format!("the line names --store {id}, which is not a store: it fails with a usage error"),
                    format!("awscreds-rs configure --profile {profile} --username {name}"),
                );
                return false;
            }
        },
        None if ctx.store == StoreChoice::Auto => (ctx.store, "no --store: auto's pick".into()),
        None => (
            ctx.store,
            format!("no --store: AWSCREDS_STORE={}", ctx.store.id()),
        ),
    };
    let store = match Store::open(choice) {
        Ok(store) => store,
        Err(e) => {
            r.error(CHECK, e.to_string(), "see the store check below");
            return false;
        }
    };
    let label = store.label();
    match store.load(name) {
        Ok(Some(creds)) => {
            check_expiry(
                r,
                &creds,
                name,
                &format!("{label}, which the line reads ({how})"),
            );
            true
        }
        Ok(None) => {
            match crate::store::find_elsewhere(name, store.kind()) {
                Some(other) => r.error(
                    CHECK,
                    format!("the line reads {label} ({how}), where nothing is stored for '{name}'; it is in {}", other.label()),
                    format!("awscreds-rs configure --profile {profile} --username {name} --store {}", other.id()),
                ),
                None => r.error(
                    CHECK,
                    format!("the line reads {label} ({how}), where nothing is stored for '{name}'"),
                    format!("awscreds-rs add --username {name}{}", crate::wiring::store_flag(store.kind())),
                ),
            }
            false
        }
        Err(e) => {
            r.error(CHECK, e.to_string(), "see the store check below");
            false
        }
    }
}

/// `label` is the store the line reads, and how it was picked.
fn check_expiry(r: &mut Report, creds: &Credentials, name: &str, label: &str) {
    let now = OffsetDateTime::now_utc();
    match creds.expiration {
        Some(at) if at <= now => r.error(
            "credential_process.entry",
            format!(
                "the credentials of '{name}' expired at {}; they are in {label}",
                format_expiration(at)
            ),
            format!("awscreds-rs add --username {name} --force"),
        ),
        Some(at) if at - now < EXPIRY_MARGIN => r.warn(
            "credential_process.entry",
            format!(
                "the credentials of '{name}' expire at {}, in less than 15 minutes; they are in {label}",
                format_expiration(at)
            ),
            format!("store fresh ones: awscreds-rs add --username {name} --force"),
        ),
        _ => r.ok(
            "credential_process.entry",
            format!(
                "'{name}' is stored in {label}: {}",
                if creds.is_temporary() {
                    "temporary"
                } else {
                    "long-term"
                }
            ),
        ),
    }
}

/// Runs the command the way botocore does (no shell), with a time limit,
/// and checks its JSON without showing any secret.
fn run_process(r: &mut Report, words: &[String]) {
    let child = Command::new(&words[0])
        .args(&words[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => {
            return r.error(
                "credential_process.run",
                format!("credential_process could not start: {e}"),
                "fix the command",
            )
        }
    };
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() > PROCESS_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return r.error(
                    "credential_process.run",
                    "credential_process did not answer within 10 seconds: AWS tools will hang",
                    "run the command by hand to see what it waits for (a prompt? the network?)",
                );
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => {
                return r.error(
                    "credential_process.run",
                    format!("cannot wait for credential_process: {e}"),
                    "run it by hand",
                )
            }
        }
    };
    let mut stdout = String::new();
    let mut stderr = String::new();
    if let Some(mut out) = child.stdout.take() {
        let _ = out.read_to_string(&mut stdout);
    }
    if let Some(mut err) = child.stderr.take() {
        let _ = err.read_to_string(&mut stderr);
    }
    if !status.success() {
        let said: String = stderr
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(300)
            .collect();
        return r.error(
            "credential_process.run",
            format!("credential_process failed ({status}): {said}"),
            "follow the message above",
        );
    }
    match Credentials::from_process_json(&stdout) {
        Ok(creds) => {
            let expiry = creds
                .expiration
                .map(|at| format!(", expires {}", format_expiration(at)))
                .unwrap_or_default();
            r.ok(
                "credential_process.run",
                format!(
                    "credential_process returns the key {}{expiry}",
                    mask_access_key_id(&creds.access_key_id)
                ),
            );
        }
        Err(e) => r.error(
            "credential_process.run",
            format!("credential_process printed something AWS tools cannot use: {e}"),
            "it must print one JSON object with Version 1, AccessKeyId and SecretAccessKey",
        ),
    }
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

fn check_store(r: &mut Report, ctx: &Context) {
    match Store::open(ctx.store)
        .and_then(|store| Ok((store.entries()?.len(), store.kind(), store.label())))
    {
        Ok((n, kind, label)) if !kind.survives_reboot() => r.warn(
            "store",
            format!(
                "{label} is reachable with {n} entr{}, but it loses them at reboot",
                if n == 1 { "y" } else { "ies" }
            ),
            "run a Secret Service (gnome-keyring, KeePassXC) and use --store secret-service",
        ),
        Ok((n, _, label)) => r.ok(
            "store",
            format!(
                "{label} is reachable and unlocked, with {n} entr{}",
                if n == 1 { "y" } else { "ies" }
            ),
        ),
        Err(e) => r.error(
            "store",
            e.to_string(),
            "see the message; awscreds-rs --store keyutils works without a daemon",
        ),
    }
}

fn check_shell(r: &mut Report, ctx: &Context) {
    let hook = var(ctx, "AWSCREDS_SHELL_HOOK");
    let found = project::find(&ctx.cwd);
    match (hook, &found) {
        (Some(shell), _) => r.ok("shell.hook", format!("the {shell} hook is loaded in this shell")),
        (None, Some(_)) => r.warn("shell.hook", "there is a .aws-profile here, but the shell hook is not loaded in this shell, so it has no effect", "eval \"$(awscreds-rs init bash)\" (or zsh; fish: awscreds-rs init fish | source)"),
        (None, None) => r.ok("shell.hook", "the shell hook is not loaded (optional: it sets AWS_PROFILE per project directory)"),
    }
    let Some(found) = found else { return };
    match project::read(&found) {
        Err(reason) => r.warn(
            "shell.aws-profile",
            format!("{} is ignored: {reason}", project::one_line(&found)),
            "put a profile name alone on its first line",
        ),
        Ok(file) => {
            let allowed = Trust::open().is_ok_and(|t| t.is_allowed(&file.path, &file.content));
            if allowed {
                r.ok(
                    "shell.aws-profile",
                    format!(
                        "{} (profile '{}') is allowed",
                        project::one_line(&file.path),
                        file.profile
                    ),
                );
            } else {
                let dir = file
                    .path
                    .parent()
                    .map(Path::display)
                    .map(|d| d.to_string())
                    .unwrap_or_default();
                r.warn(
                    "shell.aws-profile",
                    format!(
                        "{} (profile '{}') is not allowed, so the hook ignores it",
                        project::one_line(&file.path),
                        file.profile
                    ),
                    format!(
                        "read it, then: awscreds-rs allow {}",
                        shellwords::quote_sh(&dir)
                    ),
                );
            }
        }
    }
}
