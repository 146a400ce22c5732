//! The AWS files themselves: readable, well-formed, headers the SDKs
//! accept, no duplicate sections, and plaintext keys with their mode.

use std::path::Path;

use super::{Context, Report};
use crate::awsfiles;
use crate::ini::{config_profile_name, profile_header_rest, Ini};

/// A file larger than this is reported, not parsed.
const MAX_FILE: u64 = 5 * 1024 * 1024;
/// Reads and lints one file; returns it parsed when it could be read.
pub(super) fn check_file(
    r: &mut Report,
    check: &'static str,
    path: &Path,
    is_config: bool,
) -> Option<Ini> {
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
            r.warn(
                check,
                format!(
                    "there is no config file at {shown}: no profile has a region \
                or a credential_process"
                ),
                crate::fix::configure_with_region("default", "NAME", "us-east-1").to_string(),
            );
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
            r.error(
                check,
                e.report_without_fix().to_string(),
                e.fix_text()
                    .unwrap_or_else(|| format!("fix or replace {shown}")),
            );
            return None;
        }
    };
    let mut problems = crate::ini::syntax_problems(&text);
    let bom = text.starts_with('\u{feff}');
    if problems.is_empty() && bom {
        r.warn(
            check,
            format!(
                "{shown} starts with a byte-order mark, which Python's parser \
            can read as part of the first header"
            ),
            format!("save {shown} as UTF-8 without a BOM"),
        );
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

pub(super) fn check_headers(r: &mut Report, config: &Ini, credentials: &Ini, ctx: &Context) {
    let config_path = ctx.files.config.display();
    let mut bad = Vec::new();
    let mut unnamed = Vec::new();
    for h in config.section_names() {
        let other = [
            crate::awsfiles::key::SSO_SESSION_SECTION,
            "services",
            "plugins",
            "preview",
        ]
        .iter()
        .any(|k| h == *k || h.starts_with(&format!("{k} ")));
        if config_profile_name(&h).is_some() || other {
            continue;
        }
        match profile_header_rest(&h) {
            Some(_) => unnamed.push(h),
            None => bad.push(h),
        }
    }
    if let Some(first) = unnamed.first() {
        r.warn(
            "config-file.headers",
            format!(
                "{config_path} has [{}]: a profile's name is one word (no blanks or \
                quotes), and the SDKs ignore this section",
                unnamed.join("], [")
            ),
            format!(
                "name it in one word, for example [profile {}]",
                one_word(first)
            ),
        );
    }
    if let Some(first) = bad.first() {
        r.warn(
            "config-file.headers",
            format!(
                "{config_path} has [{}]: SDKs ignore a section without the \
                `profile ` prefix in the config file",
                bad.join("], [")
            ),
            format!("write it as [profile {first}]"),
        );
    }
    let misplaced: Vec<String> = credentials
        .section_names()
        .into_iter()
        .filter(|h| profile_header_rest(h).is_some())
        .collect();
    if let Some(first) = misplaced.first() {
        r.warn(
            "credentials-file.headers",
            format!(
                "{} has [{first}]: the credentials file names profiles \
                without the `profile ` prefix",
                ctx.files.credentials.display()
            ),
            format!(
                "write it as [{}]",
                profile_header_rest(first).unwrap_or_default().trim()
            ),
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
        let dups = ini.doubled();
        if !dups.is_empty() {
            r.error(
                check,
                format!(
                    "{} defines {} more than once: boto3 and the AWS CLI refuse \
                the whole file (ConfigParseError)",
                    path.display(),
                    dups.join(", ")
                ),
                "keep one copy of each (merge the sections, drop the extra lines)",
            );
        }
    }
}

pub(super) fn check_plaintext(r: &mut Report, credentials: &Ini, path: &Path) {
    let mut with_keys: Vec<String> = credentials
        .sections()
        .into_iter()
        .filter(|(_, props)| {
            props
                .iter()
                .any(|(k, _)| k == crate::awsfiles::key::SECRET_ACCESS_KEY)
        })
        .map(|(header, _)| header)
        .collect();
    with_keys.dedup();
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
            format!("chmod 600 {shown} && {}", crate::fix::import_all()),
        );
    } else {
        r.warn(
            "credentials-file.plaintext",
            message,
            crate::fix::import_all().to_string(),
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

/// A header's words after `profile` joined by `-`, unquoted: a name the
/// fix can suggest.
fn one_word(header: &str) -> String {
    let rest = profile_header_rest(header).unwrap_or(header);
    rest.split_whitespace()
        .map(|w| w.trim_matches(['"', '\'', '\\']))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}
