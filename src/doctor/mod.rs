//! The checks of `awscreds-rs doctor`: what AWS tools will see, and how to
//! fix what is wrong. Each check yields findings; none prints a secret.
//! One file per group of checks, in the order they run: the files, the
//! environment, the selected profile, its credential_process, the store,
//! the shell; `--online` adds STS.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;

use crate::awsfiles::AwsFiles;
use crate::context::Env;
use crate::ini::Ini;
use crate::profiles;
use crate::store::StoreChoice;

mod environment;
mod files;
mod login;
mod online;
mod process;
mod profile;
mod shell;
mod sso;
mod store;

pub use online::check_online;

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
    /// The variables of AWS and awscreds-rs ([`Context::aws_vars`]).
    pub env: BTreeMap<String, String>,
    /// The environment the stores and the allow list are opened in.
    pub os: Env,
    pub files: AwsFiles,
    pub profile: Option<String>,
    pub store: StoreChoice,
    pub cwd: PathBuf,
    /// The time every check judges expiry and age by.
    pub now: time::OffsetDateTime,
    /// `--online`: AWS may be asked (STS, and IAM for a key's age).
    pub online: bool,
}

impl Context {
    /// The `AWS_*` and `AWSCREDS_*` variables of `env`, a value that is
    /// not UTF-8 shown with `?` for what it cannot show (doctor reports
    /// it; it is never a reason to stop).
    pub fn aws_vars(env: &Env) -> BTreeMap<String, String> {
        env.vars_os()
            .into_iter()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v)))
            .filter(|(k, _)| k.starts_with("AWS_") || k.starts_with("AWSCREDS_"))
            .map(|(k, v)| (k, v.to_string_lossy().replace('\u{fffd}', "?")))
            .collect()
    }
}

/// The findings so far.
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
    let config = files::check_file(&mut r, "config-file", &ctx.files.config, true);
    let credentials = files::check_file(&mut r, "credentials-file", &ctx.files.credentials, false);
    let config = config.unwrap_or_else(|| Ini::parse(""));
    let credentials = credentials.unwrap_or_else(|| Ini::parse(""));
    files::check_headers(&mut r, &config, &credentials, ctx);
    files::check_plaintext(&mut r, &credentials, &ctx.files.credentials);
    let all = profiles::collect(&config, &credentials);
    let selected = environment::check_environment(&mut r, ctx, &all);
    profile::check_profile(&mut r, ctx, &all, &selected);
    sso::check_sso(&mut r, ctx, &config, &all);
    login::check_login(&mut r, ctx, &all);
    store::check_store(&mut r, ctx);
    shell::check_shell(&mut r, ctx);
    r.0
}

/// The logins that awscreds-rs lines read (`login` picks one from a
/// line's target: an Identity Center session, a sign-in's ARN), each with
/// the store its lines name and the profiles that read it.
type Users = BTreeMap<(String, Option<String>), Vec<String>>;

fn users_of(
    all: &BTreeMap<String, profiles::Profile>,
    login: impl Fn(crate::wiring::Target) -> Option<String>,
) -> Users {
    let mut users = Users::new();
    for (name, profile) in all {
        let Some(line) = profile
            .get(crate::awsfiles::key::CREDENTIAL_PROCESS)
            .and_then(crate::wiring::parse)
        else {
            continue;
        };
        if let Some(login) = login(line.target) {
            users
                .entry((login, line.store))
                .or_default()
                .push(name.clone());
        }
    }
    users
}

/// The store that lines naming `line_store` read, opened, when it reads
/// without asking; else `None`, said under `check` for `what` (the login
/// and the profiles that use it).
fn open_line_store(
    r: &mut Report,
    ctx: &Context,
    check: &'static str,
    what: &str,
    line_store: Option<&str>,
) -> Option<crate::store::Store> {
    let choice = line_store
        .and_then(crate::store::StoreChoice::from_id)
        .unwrap_or(ctx.store);
    let store = match crate::store::Store::open(choice, &ctx.os) {
        Ok(store) => store,
        Err(e) => {
            r.error(
                check,
                format!("{what}: {}", e.report()),
                "see the store check",
            );
            return None;
        }
    };
    if !store.reads_without_asking() {
        r.warn(
            check,
            format!("{what} is in {}, which is locked", store.label()),
            crate::fix::unlock().to_string(),
        );
        return None;
    }
    Some(store)
}

fn var<'a>(ctx: &'a Context, name: &str) -> Option<&'a str> {
    ctx.env
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
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
