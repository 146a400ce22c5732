//! `awscreds-rs configure`: add or update a profile in the AWS config file
//! so that it runs this binary for a stored NAME.

use std::path::Path;

use crate::awsfiles::{config_header, set_profile};
use crate::awsfiles::{AwsFiles, Edit, Written};
use crate::context::Env;
use crate::error::{Error, Result};
use crate::ini::Ini;
use crate::names::{validate_name, validate_profile_name};
use crate::store::{self, Store, StoreChoice, StoreKind};
use crate::wiring::{Line, Options, Target};

/// `configure --profile P` with the line's flags: a NAME's line or an
/// Identity Center role's.
pub fn run(choice: StoreChoice, profile: &str, target: Target, region: Option<&str>) -> Result<()> {
    match target {
        Target::Name { name, options } => run_name(choice, profile, &name, region, options),
        Target::Sso {
            session,
            account,
            role,
        } => run_sso(choice, profile, &session, &account, &role, region),
        Target::Login { session } => run_login(choice, profile, &session, region),
    }
}

/// `options` are the session flags the line carries (`--role-arn` and the
/// rest), checked as credential_process mode checks them.
fn run_name(
    choice: StoreChoice,
    profile: &str,
    name: &str,
    region: Option<&str>,
    options: Options,
) -> Result<()> {
    validate_profile_name(profile)?;
    validate_name(name)?;
    if let Some(region) = region {
        crate::names::validate_region(region)?;
    }
    options.validate()?;
    let env = Env::process();
    let files = AwsFiles::locate(&env)?;
    // The store decides the line: one other than the platform's default is
    // named in it.
    let store = Store::open(choice, &env);
    let kind = match &store {
        Ok(store) => store.kind(),
        Err(_) => choice.kind().unwrap_or_else(StoreKind::platform_default),
    };
    let target = Target::Name {
        name: name.to_string(),
        options,
    };
    let command = Line::new(target, kind).command()?;
    let mut edit = Edit::begin(&env, &[&files.config])?;
    let config = edit.file();
    let copies = config.sections_of(profile);
    if copies > 1 {
        return Err(Error::invalid(
            format!(
                "{} has {copies} sections for profile '{profile}'",
                files.config.display()
            ),
            "merge them into one first (boto3 and the AWS CLI refuse such a file); nothing was changed",
        ));
    }
    let doubled: Vec<String> = config
        .ini
        .duplicate_keys()
        .into_iter()
        .filter(|(h, _)| crate::ini::is_config_header(h, profile))
        .map(|(_, key)| key)
        .collect();
    if !doubled.is_empty() {
        return Err(Error::invalid(
            format!(
                "[{}] in {} sets {} more than once",
                config_header(profile),
                files.config.display(),
                doubled.join(", ")
            ),
            "keep one line of each first (boto3 and the AWS CLI refuse such a file); nothing was changed",
        ));
    }
    config.check_readable()?;
    set_profile(&mut config.ini, profile, &command, region)?;
    let written = edit.write(0)?;
    report(&files.config, profile, &command, &written);

    match store.and_then(|store| Ok((store.contains(name)?, store.label()))) {
        Ok((true, _)) => {}
        Ok((false, label)) => match store::find_elsewhere(&env, name, kind) {
            Some(other) => crate::say!(
                "Warning: '{name}' is stored in {}, not in {label}, which this line reads; \
                 point the line there with: {}",
                other.label(),
                crate::fix::configure_in(profile, name, other)
            ),
            None => crate::say!(
                "Warning: nothing is stored for '{name}' in {label} yet; \
                 store it with: {}",
                crate::fix::add(name, kind)
            ),
        },
        Err(e) => crate::say!(
            "Warning: could not check that '{name}' is stored: {}",
            e.report()
        ),
    }
    Ok(())
}

/// `configure --profile P --sso-session S --account-id ID --role-name R`:
/// the line for an IAM Identity Center role. No `sso_*` key goes into the
/// profile: the SDKs would take those before the credential_process.
fn run_sso(
    choice: StoreChoice,
    profile: &str,
    session: &str,
    account: &str,
    role: &str,
    region: Option<&str>,
) -> Result<()> {
    validate_profile_name(profile)?;
    crate::sso::validate(session, Some(account), Some(role))?;
    if let Some(region) = region {
        crate::names::validate_region(region)?;
    }
    let env = Env::process();
    let kind = match Store::open(choice, &env) {
        Ok(store) => {
            if crate::sso::load(&store, session).ok().flatten().is_none() {
                crate::say!(
                    "Note: no login of Identity Center session '{session}' is stored in {} yet; \
                     log in with: {}",
                    store.label(),
                    crate::fix::sso_login(session)
                );
            }
            store.kind()
        }
        Err(_) => choice.kind().unwrap_or_else(StoreKind::platform_default),
    };
    let command = Line::new(Target::sso(session, account, role), kind).command()?;
    for written in write_lines(&env, &[(profile.to_string(), command.clone())], region)? {
        crate::say!("[{}] now runs {command}", config_header(&written));
    }
    Ok(())
}

/// `configure --profile P --login-session ARN`: the line for an AWS
/// sign-in that `login` or `import --login` stored.
fn run_login(
    choice: StoreChoice,
    profile: &str,
    session: &str,
    region: Option<&str>,
) -> Result<()> {
    validate_profile_name(profile)?;
    crate::signin::validate(session)?;
    if let Some(region) = region {
        crate::names::validate_region(region)?;
    }
    let env = Env::process();
    let kind = match Store::open(choice, &env) {
        Ok(store) => {
            if crate::signin::load(&store, session)
                .ok()
                .flatten()
                .is_none()
            {
                crate::say!(
                    "Note: no login of {session} is stored in {} yet; sign in with: {}",
                    store.label(),
                    crate::fix::login(profile)
                );
            }
            store.kind()
        }
        Err(_) => choice.kind().unwrap_or_else(StoreKind::platform_default),
    };
    let target = Target::Login {
        session: session.to_string(),
    };
    let command = Line::new(target, kind).command()?;
    for written in write_lines(&env, &[(profile.to_string(), command.clone())], region)? {
        crate::say!("[{}] now runs {command}", config_header(&written));
    }
    Ok(())
}

/// After `move`: points the lines that read `names` from the store `from`
/// at the store `to`, through the same checked, backed-up edit as
/// `configure`. `default` is the store a line without `--store` reads here.
/// Returns the profiles rewritten; what it cannot rewrite, it names with
/// the command that would.
pub(super) fn repoint(
    env: &Env,
    names: &[String],
    from: StoreKind,
    default: Option<StoreKind>,
    to: StoreKind,
) -> Result<Vec<String>> {
    let files = AwsFiles::locate(env)?;
    let mut edit = Edit::begin(env, &[&files.config])?;
    let config = edit.file();
    if config.old.is_none() {
        return Ok(Vec::new());
    }
    config.check_readable()?;
    let profiles = crate::profiles::collect(&config.ini, &Ini::parse(""));
    let mut rewritten = Vec::new();
    for (profile, settings) in &profiles {
        let Some(Line {
            target: Target::Name { name, options },
            store,
        }) = settings
            .config
            .get(crate::awsfiles::key::CREDENTIAL_PROCESS)
            .and_then(|command| crate::wiring::parse(command))
        else {
            continue;
        };
        let reads = match &store {
            Some(id) => StoreChoice::from_id(id).and_then(StoreChoice::kind) == Some(from),
            None => default == Some(from),
        };
        if !names.contains(&name) || !reads {
            continue;
        }
        let by_hand = crate::fix::configure_in(profile, &name, to);
        let single = config.sections_of(profile) == 1;
        match options.validate() {
            Ok(()) if single => {
                let command = Line::new(Target::Name { name, options }, to).command()?;
                set_profile(&mut config.ini, profile, &command, None)?;
                rewritten.push(profile.clone());
            }
            _ => crate::say!(
                "Profile '{profile}' still reads '{}' from {}: its line or section is not one \
                 awscreds-rs rewrites; point it at {} with: {by_hand}",
                name,
                from.label(),
                to.label()
            ),
        }
    }
    if rewritten.is_empty() {
        return Ok(rewritten);
    }
    let backup = edit.write(0)?.backup;
    crate::say!(
        "The credential_process lines of {} in {} now read {}.",
        rewritten
            .iter()
            .map(|p| format!("'{p}'"))
            .collect::<Vec<_>>()
            .join(", "),
        files.config.display(),
        to.label()
    );
    if let Some(backup) = backup {
        crate::say!("  backup of the old file: {}", backup.display());
    }
    Ok(rewritten)
}

/// Sets the credential_process line (and the region) of several profiles
/// in one checked, backed-up edit of the config file (`sso configure`).
/// A profile with two sections is left alone and named.
pub(super) fn write_lines(
    env: &Env,
    lines: &[(String, String)],
    region: Option<&str>,
) -> Result<Vec<String>> {
    for (profile, _) in lines {
        validate_profile_name(profile)?;
    }
    let files = AwsFiles::locate(env)?;
    let mut edit = Edit::begin(env, &[&files.config])?;
    let config = edit.file();
    config.check_readable()?;
    let mut written = Vec::new();
    for (profile, command) in lines {
        if config.sections_of(profile) > 1 {
            crate::say!(
                "Skipped profile '{profile}': {} has two sections for it; merge them first",
                files.config.display()
            );
            continue;
        }
        set_profile(&mut config.ini, profile, command, region)?;
        written.push(profile.clone());
    }
    if let Some(backup) = edit.write(0)?.backup {
        crate::say!("  backup of the old file: {}", backup.display());
    }
    Ok(written)
}

/// Says what happened to the config file.
fn report(path: &Path, profile: &str, command: &str, written: &Written) {
    let header = config_header(profile);
    if !written.changed && written.existed {
        crate::say!(
            "[{header}] in {} already runs {command}; nothing changed.",
            path.display()
        );
        return;
    }
    crate::say!("[{header}] in {} now runs {command}", path.display());
    match &written.backup {
        Some(backup) => crate::say!("  backup of the old file: {}", backup.display()),
        None if !written.existed => crate::say!("  (a new file)"),
        None => {}
    }
}
