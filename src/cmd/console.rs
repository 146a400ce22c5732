//! `awscreds-rs console`: the AWS console signed in as a profile
//! (src/console.rs), the link handed to the browser through a single-use
//! loopback address (`browser::Handoff`), never on a command line.

use std::io::IsTerminal;

use super::line;
use crate::cli::ConsoleArgs;
use crate::console::{self, Federation, Origin};
use crate::context::Env;
use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::store::StoreChoice;

/// How long the browser may take to ask for the address.
const HANDOFF_LIMIT: std::time::Duration = std::time::Duration::from_secs(120);

pub fn run(choice: StoreChoice, args: &ConsoleArgs) -> Result<()> {
    let env = Env::process();
    let profile = line::chosen_profile(&env, args.profile.as_deref());
    let region = region_of(&env, args.region.as_deref(), &profile)?;
    let destination = console::destination(args.destination.as_deref(), &region)?;
    let asked = match &args.duration {
        Some(text) => Some(seconds(text)?),
        None => None,
    };
    if let Some(name) = &args.container {
        container_name(name)?;
    }
    let out = std::io::stdout();
    if args.print == 1 && out.is_terminal() {
        return Err(Error::invalid(
            "stdout is a terminal: the link, a credential for the whole console for 15 minutes, \
             would stay in its scrollback",
            "pipe it to where it goes (| xclip -selection clipboard), or give --print twice",
        ));
    }
    let client = crate::aws::Client::new(Some(&profile));
    let (creds, origin) = credentials(choice, &env, &profile, asked, &client)?;
    let duration = console::session_duration(origin, asked, &mut |cap| {
        crate::say!(
            "awscreds-rs: the console session is capped at {} hours, the longest AWS gives one.",
            cap / 3600
        )
    })?;
    let federation = console::federation_url(&env, &region);
    let token = client.signin_token(
        &console::signin_token_url(&federation, &creds, duration),
        &region,
    )?;
    let link = console::login_link(&federation, &destination, &token);
    if args.print > 0 {
        super::print(&format!("{}\n", link.expose()))?;
        crate::say!(
            "awscreds-rs: that link signs any browser in to the AWS console as '{profile}' \
             for 15 minutes: open it in yours, and share it with no one."
        );
        return Ok(());
    }
    let handoff = crate::browser::Handoff::bind()?;
    let address = handoff.url();
    let to_open = match &args.container {
        Some(name) => {
            crate::browser::with_query("ext+container:", &[("name", name), ("url", &address)])
                .replacen('?', "", 1)
        }
        None => address,
    };
    let opened = match &args.browser {
        Some(command) => crate::browser::open_with(command, &to_open),
        None => crate::browser::open(&env, &to_open),
    };
    if !opened {
        return Err(Error::invalid(
            "no browser could be started",
            "name one with --browser CMD (or BROWSER), or give --print",
        ));
    }
    handoff.serve(&link, HANDOFF_LIMIT)?;
    crate::say!("The AWS console opened in the browser as '{profile}': {destination}");
    Ok(())
}

/// `--region`, else the profile's, else `AWS_REGION`, `AWS_DEFAULT_REGION`,
/// else us-east-1.
fn region_of(env: &Env, given: Option<&str>, profile: &str) -> Result<String> {
    let from_profile = || {
        let files = crate::awsfiles::AwsFiles::locate(env).ok()?;
        let text = crate::awsfiles::read_text(&files.config).ok()??;
        let all =
            crate::profiles::collect(&crate::ini::Ini::parse(&text), &crate::ini::Ini::parse(""));
        all.get(profile)?
            .get(crate::awsfiles::key::REGION)
            .map(String::from)
    };
    let region = given
        .map(String::from)
        .or_else(from_profile)
        .or_else(|| env.var("AWS_REGION").filter(|r| !r.is_empty()))
        .or_else(|| env.var("AWS_DEFAULT_REGION").filter(|r| !r.is_empty()))
        .unwrap_or_else(|| "us-east-1".into());
    crate::names::validate_region(&region)?;
    Ok(region)
}

fn seconds(text: &str) -> Result<u32> {
    crate::duration::parse(text)
        .ok()
        .and_then(|s| u32::try_from(s).ok())
        .ok_or_else(|| Error::BadValue {
            of: "--duration",
            value: Some(
                crate::error::one_line(text.escape_debug())
                    .chars()
                    .take(40)
                    .collect(),
            ),
            rule: "seconds, or a number with s, m or h (90m, 8h)".into(),
        })
}

/// A Firefox container's name as the extension takes it.
fn container_name(name: &str) -> Result<()> {
    let fits = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " _.-".contains(c));
    if fits {
        return Ok(());
    }
    Err(Error::BadValue {
        of: "--container",
        value: Some(
            crate::error::one_line(name.escape_debug())
                .chars()
                .take(64)
                .collect(),
        ),
        rule: "a container's name: letters, digits, space, _ . - (at most 64)".into(),
    })
}

/// The credentials the console is opened with, and where they came from.
fn credentials(
    choice: StoreChoice,
    env: &Env,
    profile: &str,
    asked: Option<u32>,
    client: &crate::aws::Client,
) -> Result<(Credentials, Origin)> {
    match line::open(choice, env, profile)? {
        line::Opened::Sso(sso) => Ok((sso.credentials(env)?, Origin::Role)),
        line::Opened::Login(login) => Ok((login.credentials(env)?, Origin::Other)),
        line::Opened::Name(opened) => {
            let now = time::OffsetDateTime::now_utc();
            let key = opened.store.load_current(&opened.name, now)?;
            if opened.options.role_arn.is_some() {
                crate::session::enter_guard(env)?;
                let creds = crate::session::credentials(
                    env,
                    &opened.store,
                    &opened.name,
                    key,
                    &opened.options,
                    client,
                    &crate::renew::SystemClock,
                )?;
                return Ok((creds, Origin::Role));
            }
            if key.mfa_serial.is_some() {
                return Err(Error::invalid(
                    format!(
                        "profile '{profile}' gives a GetSessionToken session ('{}' has an MFA \
                         device and the line no role), and AWS opens no console with one",
                        opened.name
                    ),
                    format!(
                        "give the line a role whose trust policy asks for MFA: {}",
                        crate::fix::configure_role(profile, &opened.name)
                    ),
                ));
            }
            if key.session_token.is_some() {
                // Temporary credentials stored as they are: the endpoint
                // says whether it takes them.
                return Ok((key, Origin::Other));
            }
            let seconds = asked.unwrap_or(console::DEFAULT_FEDERATION);
            if !(console::MIN_SESSION..=console::MAX_FEDERATION).contains(&seconds) {
                return Err(Error::BadValue {
                    of: "--duration",
                    value: Some(seconds.to_string()),
                    rule: "15 minutes to 36 hours for an IAM user's console session".into(),
                });
            }
            let name = console::federated_name(&opened.name);
            let creds = client.federation_token(&key, &name, seconds)?;
            Ok((creds, Origin::Federation))
        }
    }
}
