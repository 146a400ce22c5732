//! The selected profile: where its credentials come from, the Rust SDK's
//! own reading of it, its region and its source_profile chain.

use std::collections::BTreeMap;

use super::process::check_process;
use super::{var, Context, Report, Status};
use crate::profiles::{self, Profile, Source};

pub(super) fn check_profile(
    r: &mut Report,
    ctx: &Context,
    all: &BTreeMap<String, Profile>,
    selected: &str,
) {
    let Some(profile) = all.get(selected) else {
        return check_missing(r, ctx, all, selected);
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
    check_source(r, selected, profile, &source);
    check_region(r, ctx, selected, profile);
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
            ..
        } => check_process(r, ctx, command, Some((selected, name, store.as_deref()))),
        Source::Process { command } => check_process(r, ctx, command, None),
        _ => {}
    }
}

/// The selected profile is in neither file: an error, unless named
/// profiles and no default is the setup (the tools get a profile each
/// time), which doctor says how to check.
fn check_missing(r: &mut Report, ctx: &Context, all: &BTreeMap<String, Profile>, selected: &str) {
    let status_fix = crate::fix::configure(selected, "NAME").to_string();
    let chosen = ctx.profile.is_some()
        || var(ctx, "AWS_PROFILE").is_some()
        || var(ctx, "AWS_DEFAULT_PROFILE").is_some();
    let others: Vec<&String> = all.keys().collect();
    if selected == "default" && !chosen && !others.is_empty() {
        // Named profiles and no default is a setup, not a fault: the
        // tools are given a profile each time. Say which to check.
        let ours: Vec<&String> = all
            .iter()
            .filter(|(_, p)| matches!(p.source(), Source::Awscreds { .. }))
            .map(|(name, _)| name)
            .collect();
        let first = ours.first().or(others.first()).expect("not empty");
        let shown: Vec<&str> = others.iter().take(5).map(|s| s.as_str()).collect();
        r.warn(
            "profile",
            format!(
                "no profile is selected and there is no [default]: AWS tools need \
                --profile or AWS_PROFILE (profiles here: {}{})",
                shown.join(", "),
                if others.len() > 5 { ", ..." } else { "" }
            ),
            format!("check one with: {}", crate::fix::doctor_profile(first)),
        );
    } else if selected == "default" && var(ctx, "AWS_ACCESS_KEY_ID").is_none() {
        r.error(
            "profile",
            "no profile is selected and there is no [default]: AWS tools \
            fail with \"Unable to locate credentials\"",
            status_fix,
        );
    } else if selected != "default" {
        r.error(
            "profile",
            format!("profile '{selected}' is defined in neither AWS file"),
            status_fix,
        );
    }
}

/// Where the profile's credentials come from, as the SDKs pick them: keys
/// that hide its credential_process, or no source at all.
fn check_source(r: &mut Report, selected: &str, profile: &Profile, source: &Source) {
    if profile.has_static_keys_in_credentials()
        && profile
            .config
            .contains_key(crate::awsfiles::key::CREDENTIAL_PROCESS)
    {
        r.warn(
            "profile.source",
            format!(
                "profile '{selected}' has static keys in the credentials \
            file, which SDKs use before its credential_process: the \
            process never runs"
            ),
            crate::fix::import_profile(selected).to_string(),
        );
    }
    if *source == Source::None {
        r.error(
            "profile.source",
            format!(
                "profile '{selected}' has no credentials: no keys, credential_process, SSO or role"
            ),
            crate::fix::configure(selected, "NAME").to_string(),
        );
    }
}

/// A region from the profile or the environment.
fn check_region(r: &mut Report, ctx: &Context, selected: &str, profile: &Profile) {
    if profile.region().is_none()
        && var(ctx, "AWS_REGION").is_none()
        && var(ctx, "AWS_DEFAULT_REGION").is_none()
    {
        r.warn(
            "profile.region",
            format!(
                "profile '{selected}' has no region and AWS_REGION is unset: \
            most commands fail with \"You must specify a region\""
            ),
            format!(
                "add `region = us-east-1` (or yours) to [{}] in {}",
                crate::awsfiles::config_header(selected),
                ctx.files.config.display()
            ),
        );
    }
}

/// The Rust SDK's own reading of the profile (aws-config's parser), against
/// ours: where they differ, one SDK will not do what the file seems to say.
fn check_rust_sdk(r: &mut Report, selected: &str, profile: &Profile) {
    if !cfg!(feature = "sts") {
        return;
    }
    match crate::aws::rust_sdk_profile(selected) {
        Err(e) => r.warn(
            "profile.rust-sdk",
            format!("the Rust SDK (aws-config) cannot read the AWS files: {e}"),
            "fix the files where the message says",
        ),
        Ok(None) => r.warn(
            "profile.rust-sdk",
            format!("the Rust SDK (aws-config) does not see profile '{selected}'"),
            "check the section header: [profile NAME] in the config file, \
            [NAME] in the credentials file",
        ),
        Ok(Some(seen)) => {
            let differs: Vec<&str> = seen
                .iter()
                .filter(|(k, v)| profile.get(k) != Some(v.as_str()))
                .map(|(k, _)| k.as_str())
                .collect();
            if differs.is_empty() {
                r.ok(
                    "profile.rust-sdk",
                    format!(
                        "the Rust SDK (aws-config) reads profile '{selected}' the \
                    same way"
                    ),
                );
            } else {
                r.warn(
                    "profile.rust-sdk",
                    format!(
                        "the Rust SDK (aws-config) reads {} of profile '{selected}' \
                    differently",
                        differs.join(", ")
                    ),
                    "look for duplicate sections or keys: SDKs merge them \
                    differently",
                );
            }
        }
    }
}
