//! `awscreds-rs serve [--profile P] [--port N] [--env-file]`: the
//! container credentials endpoint for a profile, in the foreground until
//! interrupted; `exec --server` starts the same one for a command.

use time::OffsetDateTime;

use super::line;
use crate::context::Env;
use crate::credentials::REFRESH_MARGIN;
use crate::endpoint::Endpoint;
use crate::error::Result;
use crate::renew::SystemClock;
use crate::session;
use crate::store::{Store, StoreChoice};

/// Binds the endpoint for `profile`'s line and gets its first session
/// (an MFA code is asked now, on this terminal). A failure there (a locked
/// store, STS down) is a warning: the endpoint answers 500 and tries again
/// on the next request.
pub fn prepare(choice: StoreChoice, env: &Env, profile: &str, port: u16) -> Result<Endpoint> {
    let opened = match line::open(choice, env, profile)? {
        line::Opened::Name(opened) => opened,
        // Identity Center role credentials and a sign-in's are temporary
        // already: served as the line prints them, renewed through the
        // same cache.
        line::Opened::Login(login) => {
            let env = env.clone();
            return bound_and_warmed(
                port,
                Box::new(move || login.credentials(&env)),
                crate::signin::MARGIN,
            );
        }
        line::Opened::Sso(sso) => {
            let env = env.clone();
            return bound_and_warmed(
                port,
                Box::new(move || sso.credentials(&env)),
                REFRESH_MARGIN,
            );
        }
    };
    let store_choice = StoreChoice::Only(opened.store.kind());
    let name = opened.name.clone();
    let options = opened.options.clone();
    let env = env.clone();
    let aws = crate::aws::Client::new(Some(profile));
    // The store is opened again for each new session: they are rare (the
    // endpoint keeps the session while it is fresh), and a keyring that
    // was restarted or unlocked meanwhile is found.
    let source = move || {
        let now = OffsetDateTime::now_utc();
        let store = Store::open(store_choice, &env)?;
        let key = store.load_current(&name, now)?;
        session::enter_guard(&env)?;
        session::temporary_credentials(&env, &store, &name, key, &options, &aws, &SystemClock)
    };
    bound_and_warmed(port, Box::new(source), REFRESH_MARGIN)
}

/// The endpoint for `source`, bound and warmed.
fn bound_and_warmed(
    port: u16,
    source: Box<crate::endpoint::Source>,
    margin: time::Duration,
) -> Result<Endpoint> {
    let endpoint = Endpoint::bind(port, source, margin)?;
    warm(&endpoint);
    Ok(endpoint)
}

/// Gets the first credentials now; a failure is a warning, and the
/// endpoint tries again on the next request.
fn warm(endpoint: &Endpoint) {
    if let Err(e) = endpoint.warm() {
        crate::say!(
            "awscreds-rs: warning: no credentials to serve yet: {}\n\
             The endpoint answers 500 with this message, and tries again on the next request.",
            e.report()
        );
    }
}

pub fn run(choice: StoreChoice, args: &crate::cli::ServeArgs) -> Result<()> {
    let env = Env::process();
    let profile = line::chosen_profile(&env, args.profile.as_deref());
    let endpoint = prepare(choice, &env, &profile, args.port.unwrap_or(0))?;
    let mut lines = zeroize::Zeroizing::new(String::new());
    let export = if args.env_file.is_some() {
        ""
    } else {
        "export "
    };
    for (name, value) in endpoint.variables() {
        lines.push_str(&format!("{export}{name}={value}\n"));
    }
    match &args.env_file {
        // The token reaches the credentials: the file is this user's
        // alone, whatever the umask or the file it replaces.
        Some(path) => {
            crate::atomic::write(path, lines.as_bytes(), None, 0o600)?;
            crate::say!(
                "Wrote {} and {} to {} (readable by you alone).",
                crate::endpoint::URI_VAR,
                crate::endpoint::TOKEN_VAR,
                path.display()
            );
        }
        None => super::print(&lines)?,
    }
    crate::say!(
        "Serving the temporary credentials of profile '{profile}' on {} until Ctrl-C or SIGTERM.",
        endpoint.url()
    );
    endpoint.serve();
    Ok(())
}
