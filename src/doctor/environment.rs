//! The environment: key variables that win over every profile, and the
//! variables that pick the profile.

use std::collections::BTreeMap;

use super::{selected_profile, var, Context, Report};
use crate::profiles::Profile;

/// The environment's variables; returns the profile an AWS tool would pick.
pub(super) fn check_environment(
    r: &mut Report,
    ctx: &Context,
    all: &BTreeMap<String, Profile>,
) -> String {
    let set = crate::awsenv::shadowing(|name| var(ctx, name));
    let profile_var = var(ctx, "AWS_PROFILE");
    let default_var = var(ctx, "AWS_DEFAULT_PROFILE");
    let selected = selected_profile(ctx);
    let unset = format!("unset {}", crate::awsenv::KEY_VARS.join(" "));
    let id = var(ctx, "AWS_ACCESS_KEY_ID");
    match (
        id.is_some(),
        var(ctx, "AWS_SECRET_ACCESS_KEY").is_some(),
        var(ctx, "AWS_SESSION_TOKEN").is_some(),
    ) {
        (false, false, false) => r.ok(
            "environment.keys",
            "no AWS keys in the environment: profiles decide",
        ),
        (true, true, token) => {
            if token && id.is_some_and(crate::credentials::is_long_term_key_id) {
                r.error(
                    "environment.keys",
                    "AWS_SESSION_TOKEN is set with a long-term AKIA key: a token \
                    left over from earlier keys, and AWS rejects the pair",
                    "unset AWS_SESSION_TOKEN",
                );
            } else {
                r.warn(
                    "environment.keys",
                    format!(
                        "{} {} set: every AWS tool uses them before any profile, so \
                        profile '{selected}' is ignored (botocore even with \
                        AWS_PROFILE set)",
                        set.join(", "),
                        if set.len() == 1 { "is" } else { "are" }
                    ),
                    format!(
                        "{unset}   # or store them: {}",
                        crate::fix::add_from_env("NAME")
                    ),
                );
            }
        }
        (false, false, true) => r.warn(
            "environment.keys",
            "AWS_SESSION_TOKEN is set without keys: a leftover that will \
            pair with the next keys you export",
            "unset AWS_SESSION_TOKEN",
        ),
        _ => r.error(
            "environment.keys",
            format!(
                "only {} of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY is \
            set: SDKs reject or skip half a key",
                set.join(", ")
            ),
            unset,
        ),
    }
    let sources = crate::awsenv::other_sources(|name| var(ctx, name));
    if !sources.is_empty() {
        r.warn(
            "environment.sources",
            format!(
                "{} {} set: the SDKs take credentials from there (a web identity or a \
                container endpoint) before profile '{selected}'",
                sources.join(", "),
                if sources.len() == 1 { "is" } else { "are" }
            ),
            format!(
                "unset {}   # or run the tool with: {}",
                sources.join(" "),
                crate::fix::exec(&selected)
            ),
        );
    }
    match (profile_var, default_var) {
        (Some(a), Some(b)) if a != b => r.warn(
            "environment.profile",
            format!(
                "AWS_PROFILE={a} and AWS_DEFAULT_PROFILE={b} disagree: boto3 \
                and the AWS CLI v1 use {b}, the other SDKs {a}"
            ),
            "unset AWS_DEFAULT_PROFILE",
        ),
        _ => {}
    }
    if let Some(p) = profile_var {
        if !all.contains_key(p) {
            r.error(
                "environment.profile",
                format!(
                    "AWS_PROFILE names '{p}', which neither AWS file defines: AWS \
                tools fail with ProfileNotFound"
                ),
                format!("{}, or unset AWS_PROFILE", crate::fix::configure(p, "NAME")),
            );
        }
    }
    selected
}
