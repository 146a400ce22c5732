//! AWS sign-in (`aws login`): each login that awscreds-rs lines read (
//! stored, and how much of its 12 hours is left), and a profile's
//! `login_session` whose plaintext AWS CLI cache `import --login` would
//! move.

use std::collections::BTreeMap;

use super::{Context, Report};
use crate::credentials::format_expiration;
use crate::profiles::Profile;

pub(super) fn check_login(r: &mut Report, ctx: &Context, all: &BTreeMap<String, Profile>) {
    check_plaintext_cache(r, ctx, all);
    let users = super::users_of(all, |target| match target {
        crate::wiring::Target::Login { session } => Some(session),
        _ => None,
    });
    for ((session, line_store), profiles) in &users {
        let again = crate::fix::login(&profiles[0]).to_string();
        let used = format!("used by {}", profiles.join(", "));
        let what = format!("the login of {session} ({used})");
        let Some(store) =
            super::open_line_store(r, ctx, "login.session", &what, line_store.as_deref())
        else {
            continue;
        };
        match crate::signin::load(&store, session) {
            Ok(None) => r.error(
                "login.session",
                format!(
                    "no login of {session} is stored in {} ({used}): their lines fail",
                    store.label()
                ),
                again,
            ),
            Ok(Some(stored)) if stored.ends() <= ctx.now => r.warn(
                "login.session",
                format!(
                    "the login of {session} ({used}) ended at {}: AWS renews one for 12 hours",
                    format_expiration(stored.ends())
                ),
                again,
            ),
            Ok(Some(stored)) => {
                let left = stored.ends() - ctx.now;
                r.ok(
                    "login.session",
                    format!(
                        "the login of {session} (account {}, {used}): {}h {:02}m left of its 12 hours; \
                         the credentials in {} last until {}",
                        stored.account(),
                        left.whole_hours(),
                        left.whole_minutes() % 60,
                        store.label(),
                        format_expiration(stored.expires())
                    ),
                );
            }
            Err(e) => r.error("login.session", e.report().to_string(), again),
        }
    }
}

/// A profile's `login_session`: the AWS CLI keeps its credentials, refresh
/// token and DPoP key in plaintext under `~/.aws/login/cache`.
fn check_plaintext_cache(r: &mut Report, ctx: &Context, all: &BTreeMap<String, Profile>) {
    for (name, profile) in all {
        let Some(session) = profile.get(crate::awsfiles::key::LOGIN_SESSION) else {
            continue;
        };
        let Ok(path) = crate::signin::cli_cache_file(&ctx.os, session) else {
            continue;
        };
        let plaintext = crate::awsfiles::read_cache_file(&path)
            .is_ok_and(|text| text.contains("\"refreshToken\""));
        if plaintext {
            r.warn(
                "login.cache",
                format!(
                    "profile '{name}' signs in with `aws login`, whose cache {} holds its refresh \
                     token and the key it is bound to in plaintext, readable by anything that \
                     runs as you",
                    path.display()
                ),
                format!("move it into the store: {}", crate::fix::import_login(name)),
            );
        }
    }
}
