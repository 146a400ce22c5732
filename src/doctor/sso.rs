//! IAM Identity Center: each session that awscreds-rs lines use (a login
//! stored, its expiry, whether it renews itself), profiles whose
//! `sso_session` names no `[sso-session]`, and the AWS CLI's plaintext
//! token cache that `import --sso` would move.

use std::collections::{BTreeMap, BTreeSet};

use super::{Context, Report};
use crate::credentials::format_expiration;
use crate::ini::Ini;
use crate::profiles::Profile;

pub(super) fn check_sso(
    r: &mut Report,
    ctx: &Context,
    config: &Ini,
    all: &BTreeMap<String, Profile>,
) {
    let defined: BTreeSet<String> = crate::sso::session_names(config).into_iter().collect();
    for (name, profile) in all {
        if let Some(session) = profile.get(crate::awsfiles::key::SSO_SESSION) {
            if !defined.contains(session) {
                r.error(
                    "sso.session-defined",
                    format!("profile '{name}' names sso_session {session}, and there is no [sso-session {session}]"),
                    format!(
                        "add [sso-session {session}] with sso_start_url and sso_region to {}, or fix the profile",
                        ctx.files.config.display()
                    ),
                );
            }
        }
    }
    // The sessions awscreds-rs lines use, with their profiles and store.
    let users = super::users_of(all, |target| match target {
        crate::wiring::Target::Sso { session, .. } => Some(session),
        _ => None,
    });
    for ((session, line_store), profiles) in &users {
        let used = format!("used by {}", profiles.join(", "));
        let what = format!("Identity Center session '{session}' ({used})");
        let Some(store) = super::open_line_store(r, ctx, "sso.login", &what, line_store.as_deref())
        else {
            continue;
        };
        match crate::sso::load(&store, session) {
            Ok(None) => r.warn(
                "sso.login",
                format!("no login of Identity Center session '{session}' is stored ({used}): their lines fail"),
                crate::fix::sso_login(session).to_string(),
            ),
            Ok(Some(stored)) => {
                let expires = stored.expires();
                let renews = stored.refresh_token.is_some();
                if expires <= ctx.now && !renews {
                    r.warn(
                        "sso.login",
                        format!(
                            "the login of Identity Center session '{session}' ({used}) expired at {} and holds no refresh token",
                            format_expiration(expires)
                        ),
                        format!("{} (with sso_registration_scopes = sso:account:access it renews itself)", crate::fix::sso_login(session)),
                    );
                } else {
                    r.ok(
                        "sso.login",
                        format!(
                            "Identity Center session '{session}' ({used}): access token until {}{}",
                            format_expiration(expires),
                            if renews { ", renewed with its refresh token" } else { ", no refresh token" }
                        ),
                    );
                }
            }
            Err(e) => r.error("sso.login", e.report().to_string(), crate::fix::sso_login(session).to_string()),
        }
    }
    check_plaintext_cache(r, ctx);
}

/// The AWS CLI's token cache: each file there holds an access token (and
/// often a refresh token) in plaintext.
fn check_plaintext_cache(r: &mut Report, ctx: &Context) {
    let Ok(home) = crate::paths::home_dir(&ctx.os) else {
        return;
    };
    let dir = home.join(".aws/sso/cache");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let plaintext: Vec<String> = entries
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .filter(|e| {
            crate::awsfiles::read_cache_file(&e.path()).is_ok_and(|t| t.contains("\"accessToken\""))
        })
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    if !plaintext.is_empty() {
        r.warn(
            "sso.plaintext-cache",
            format!(
                "{} holds Identity Center tokens in plaintext ({}), readable by anything that runs as you",
                dir.display(),
                plaintext.join(", ")
            ),
            format!("move them into the store: {}", crate::fix::import_sso()),
        );
    }
}
