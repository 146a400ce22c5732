//! A profile's credential_process: does the line split and resolve, does
//! it need a shell, is its NAME stored where it looks, and does it answer
//! valid JSON in time.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use time::OffsetDateTime;

use super::{Context, Report};
use crate::child::{Limits, Outcome};
use crate::credentials::{format_expiration, mask_access_key_id, Credentials};
use crate::session;
use crate::shellwords;
use crate::store::{Store, StoreChoice};
use crate::store_kind::StoreKind;

/// How long a credential_process may take.
const PROCESS_TIMEOUT: Duration = Duration::from_secs(10);
/// `awscreds`: for an awscreds-rs line, the profile, the NAME and the
/// `--store` it names.
pub(super) fn check_process(
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
        r.warn(
            "credential_process.shell",
            format!(
                "credential_process uses {}: the JS, Go and Rust SDKs run it \
            with {}, but boto3 and the AWS CLI run it without a \
            shell, where it breaks",
                features.join(", "),
                if cfg!(windows) { "cmd.exe /C" } else { "sh -c" }
            ),
            "write the absolute path and plain arguments (awscreds-rs \
            configure does)",
        );
    }
    let program = &words[0];
    // A path is looked up as it is; a bare name on PATH (with PATHEXT's
    // extensions on Windows, which `which` adds).
    let is_path = program.contains('/') || (cfg!(windows) && program.contains(['\\', ':']));
    let resolved = if is_path {
        let path = PathBuf::from(program);
        path.exists().then_some(path)
    } else {
        let cwd = &ctx.cwd;
        which::which_in(program, ctx.os.var_os("PATH"), cwd).ok()
    };
    let Some(resolved) = resolved else {
        return r.error(
            "credential_process.program",
            format!("the program {program} of credential_process does not exist"),
            "install it, or fix the path (the configure command writes the right one)",
        );
    };
    if !is_executable(&resolved) {
        let fix = if cfg!(windows) {
            "point the line at the .exe (the configure command writes it)".to_string()
        } else {
            format!("chmod +x {}", resolved.display())
        };
        return r.error(
            "credential_process.program",
            format!("{} is not executable", resolved.display()),
            fix,
        );
    }
    r.ok(
        "credential_process.program",
        format!("{} exists and is executable", resolved.display()),
    );

    if let Some((profile, name, line_store)) = awscreds {
        let Some(mfa) = check_entry(r, ctx, profile, name, line_store, command) else {
            return;
        };
        let role = words
            .iter()
            .any(|w| w == "--role-arn" || w.starts_with("--role-arn="));
        if (role || mfa) && !ctx.online {
            return r.ok(
                "credential_process.run",
                format!(
                    "not run: the line opens an STS session ({}), and doctor calls AWS \
                    only with --online",
                    if role {
                        "AssumeRole"
                    } else {
                        "GetSessionToken"
                    }
                ),
            );
        }
    }
    // An Identity Center role's line may call the portal, a sign-in's the
    // sign-in service: offline, their logins are what sso.login and
    // login.session check.
    let calls = match crate::wiring::parse(command).map(|l| l.target) {
        Some(crate::wiring::Target::Sso { .. }) => Some(("IAM Identity Center", "sso.login")),
        Some(crate::wiring::Target::Login { .. }) => {
            Some(("AWS's sign-in service", "login.session"))
        }
        _ => None,
    };
    if let Some((service, check)) = calls.filter(|_| !ctx.online) {
        return r.ok(
            "credential_process.run",
            format!(
                "not run: the line may call {service}, and doctor calls AWS only \
                 with --online (see the {check} check)"
            ),
        );
    }
    run_process(r, &words, ctx.now);
}

/// Which store the line reads and whether NAME is there: `None` when there
/// is no point in running the line, else whether NAME has an MFA device
/// (so that the line calls STS).
fn check_entry(
    r: &mut Report,
    ctx: &Context,
    profile: &str,
    name: &str,
    line_store: Option<&str>,
    command: &str,
) -> Option<bool> {
    const CHECK: &str = "credential_process.entry";
    let (choice, how) = match line_store {
        Some(id) => match StoreChoice::from_id(id) {
            Some(choice) => (choice, format!("its --store {id}")),
            None => {
                r.error(
                    CHECK,
                    format!(
                        "the line names --store {id}, which is not a store: it fails \
                        with a usage error"
                    ),
                    crate::fix::configure(profile, name).to_string(),
                );
                return None;
            }
        },
        None if ctx.store == StoreChoice::Auto => (ctx.store, "no --store: auto's pick".into()),
        None => (
            ctx.store,
            format!("no --store: AWSCREDS_STORE={}", ctx.store.id()),
        ),
    };
    // The store check below looks at doctor's own store; a line that
    // reads another is sent to the check of that one.
    let see_store = if choice == ctx.store {
        "see the store check below".to_string()
    } else {
        crate::fix::doctor_store(choice).to_string()
    };
    let store = match Store::open(choice, &ctx.os) {
        Ok(store) => store,
        Err(e) => {
            r.error(CHECK, e.report().to_string(), see_store);
            return None;
        }
    };
    let label = store.label();
    // doctor asks for no passphrase: a locked store is a finding.
    if !store.reads_without_asking() && store.contains(name).unwrap_or(false) {
        r.warn(
            CHECK,
            format!(
                "'{name}' is in {label} ({how}), which is locked: a call from a terminal \
                asks its passphrase, a call without one fails"
            ),
            crate::fix::unlock().to_string(),
        );
        return None;
    }
    match store.load(name) {
        Ok(Some(creds)) => {
            check_expiry(
                r,
                ctx.now,
                &creds,
                name,
                &format!("{label}, which the line reads ({how})"),
                store.kind(),
            );
            let mfa = creds.mfa_serial.is_some();
            check_mfa_prompt(r, ctx, &store, profile, &creds, command);
            check_age(r, ctx, &store, creds, name);
            Some(mfa)
        }
        Ok(None) => {
            match crate::store::find_elsewhere(&ctx.os, name, store.kind()) {
                Some(other) => r.error(
                    CHECK,
                    format!(
                        "the line reads {label} ({how}), where nothing is stored for \
                        '{name}'; it is in {}",
                        other.label()
                    ),
                    crate::fix::configure_in(profile, name, other).to_string(),
                ),
                None => r.error(
                    CHECK,
                    format!("the line reads {label} ({how}), where nothing is stored for '{name}'"),
                    crate::fix::add(name, store.kind()).to_string(),
                ),
            }
            None
        }
        Err(e) => {
            r.error(CHECK, e.report().to_string(), see_store);
            None
        }
    }
}

/// A line that asks the MFA code on the terminal while no session is
/// cached: a tool with a short limit on credential_process fails while the
/// prompt waits, and `refresh` opens the session ahead.
fn check_mfa_prompt(
    r: &mut Report,
    ctx: &Context,
    store: &Store,
    profile: &str,
    creds: &Credentials,
    command: &str,
) {
    const CHECK: &str = "credential_process.mfa-prompt";
    let (
        Some(serial),
        Some(crate::wiring::Line {
            target: crate::wiring::Target::Name { name, options },
            ..
        }),
    ) = (creds.mfa_serial.as_deref(), crate::wiring::parse(command))
    else {
        return;
    };
    if options.mfa_command.is_some() {
        return;
    }
    let name = &name;
    let mut entries = vec![session::mfa_cache_name(name)];
    if options.role_arn.is_some() {
        entries.push(session::cache_name(name, &options, Some(serial)));
    }
    let cached = entries
        .iter()
        .filter_map(|entry| store.load(entry).ok().flatten())
        .find(|c| c.is_fresh(ctx.now));
    match cached.and_then(|c| c.expiration) {
        Some(at) => r.ok(
            CHECK,
            format!(
                "a session is cached until {}: the line asks no MFA code until then",
                format_expiration(at)
            ),
        ),
        None => r.warn(
            CHECK,
            format!(
                "'{name}' has an MFA device and no session is cached: the line asks the code \
                on the terminal, and tools with a short limit on credential_process \
                (AWS Copilot 10 s, the Go SDK 60 s) fail while the prompt waits"
            ),
            format!("open the session ahead: {}", crate::fix::refresh(profile)),
        ),
    }
}

/// A long-term key's age against AWS's 90 days. `--online` asks IAM for
/// the creation date of a key that has none recorded (one imported from a
/// file) and says it; the entry stays as it is.
fn check_age(r: &mut Report, ctx: &Context, store: &Store, mut creds: Credentials, name: &str) {
    const CHECK: &str = "credential_process.key-age";
    if creds.is_temporary() {
        return;
    }
    let now = ctx.now;
    let id = crate::credentials::mask_access_key_id(&creds.access_key_id);
    let mut from_iam = String::new();
    if creds.created.is_none() && ctx.online {
        use crate::rotate::Iam;
        match crate::aws::Client::new(None).access_keys(&creds, None) {
            Ok(keys) => {
                creds.created = keys
                    .into_iter()
                    .find(|(key, _)| *key == creds.access_key_id)
                    .and_then(|(_, created)| created);
                // Said, not recorded: a diagnosis changes no stored entry.
                if creds.created.is_some() {
                    from_iam = " (its creation date from IAM)".into();
                }
            }
            Err(e) => {
                return r.warn(
                    CHECK,
                    format!(
                        "IAM did not tell the age of the key {id} of '{name}': {}",
                        e.report()
                    ),
                    "let the key list its own access keys (iam:ListAccessKeys), or rotate it: \
                     a rotated key records its age",
                )
            }
        }
    }
    let kind = store.kind();
    match creds.age_days(now) {
        Some(days) if days > crate::credentials::ROTATE_AFTER_DAYS => r.warn(
            CHECK,
            format!(
                "the key {id} of '{name}' is {days} days old{from_iam}; AWS advises \
                replacing long-term keys at least every {} days",
                crate::credentials::ROTATE_AFTER_DAYS
            ),
            crate::fix::rotate(name, kind).to_string(),
        ),
        Some(days) => r.ok(
            CHECK,
            format!("the key {id} of '{name}' is {days} days old{from_iam}"),
        ),
        None => r.ok(
            CHECK,
            format!(
                "the age of the key {id} of '{name}' is not recorded (imported from a \
                file); `doctor --online` asks IAM"
            ),
        ),
    }
}

/// `label` is the store the line reads, and how it was picked.
fn check_expiry(
    r: &mut Report,
    now: OffsetDateTime,
    creds: &Credentials,
    name: &str,
    label: &str,
    store: StoreKind,
) {
    match creds.expiration {
        Some(at) if at <= now => r.error(
            "credential_process.entry",
            format!(
                "the credentials of '{name}' expired at {}; they are in {label}",
                format_expiration(at)
            ),
            crate::fix::add_again(name, store).to_string(),
        ),
        Some(at) if at - now < crate::credentials::REFRESH_MARGIN => r.warn(
            "credential_process.entry",
            format!(
                "the credentials of '{name}' expire at {}, in less than 15 \
                    minutes; they are in {label}",
                format_expiration(at)
            ),
            format!("store fresh ones: {}", crate::fix::add_again(name, store)),
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

/// Runs the command the way botocore does (no shell), within the time an
/// AWS tool would give it (`child.rs` stops it and all it started), and
/// checks its JSON without showing any secret.
fn run_process(r: &mut Report, words: &[String], now: OffsetDateTime) {
    let mut cmd = Command::new(&words[0]);
    cmd.args(&words[1..]);
    let limits = Limits {
        time: PROCESS_TIMEOUT,
        bytes: 1 << 20,
    };
    let done = match crate::child::run(cmd, limits, true) {
        Ok(Outcome::Finished(done)) => done,
        Ok(Outcome::TimedOut) => {
            return r.error(
                "credential_process.run",
                "credential_process did not answer within 10 seconds: AWS tools will hang",
                "run the command by hand to see what it waits for (a prompt? the network?)",
            )
        }
        Ok(Outcome::TooLong) => {
            return r.error(
                "credential_process.run",
                "credential_process printed more than 1 MiB, so doctor stopped it",
                "it must print one JSON object with Version 1, AccessKeyId and SecretAccessKey",
            )
        }
        Err(e) => {
            return r.error(
                "credential_process.run",
                format!("credential_process could not start: {e}"),
                "fix the command",
            )
        }
    };
    let status = done.status;
    let stdout = String::from_utf8_lossy(&done.stdout);
    let stderr = String::from_utf8_lossy(&done.stderr);
    if !status.success() {
        // Another program's words: it may print a secret, so it is masked.
        let said = crate::secret::masked(stderr.lines().next().unwrap_or(""));
        return r.error(
            "credential_process.run",
            format!("credential_process failed ({status}): {said}"),
            "follow the message above",
        );
    }
    let read = Credentials::from_process_json(&stdout)
        .and_then(|creds| creds.validate(now).map(|()| creds));
    match read {
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
            format!(
                "credential_process printed something AWS tools cannot use: {}",
                e.report()
            ),
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
