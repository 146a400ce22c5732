//! `awscreds-rs profiles`: every profile of both AWS files, with the
//! credential source an SDK would use and the region.

use serde::Serialize;

use crate::awsfiles::AwsFiles;
use crate::context::Env;
use crate::error::Result;
use crate::profiles;

#[derive(Serialize)]
struct Row {
    profile: String,
    source: &'static str,
    detail: String,
    region: Option<String>,
    in_config: bool,
    in_credentials: bool,
}

pub fn run(json: bool) -> Result<()> {
    let files = AwsFiles::locate(&Env::process())?;
    let all = profiles::read_all(&files)?;
    let rows: Vec<Row> = all
        .into_iter()
        .map(|(name, p)| {
            let source = p.source();
            Row {
                region: p.region().map(String::from),
                source: source.kind(),
                detail: source.describe(),
                in_config: p.in_config,
                in_credentials: p.in_credentials,
                profile: name,
            }
        })
        .collect();
    if json {
        return super::print_json(&rows);
    }
    if rows.is_empty() {
        crate::say!(
            "No profiles in {} or {}. Add one with: {}",
            files.config.display(),
            files.credentials.display(),
            crate::fix::configure("PROFILE", "NAME")
        );
        return Ok(());
    }
    let width = rows
        .iter()
        .map(|r| r.profile.len())
        .max()
        .unwrap_or(0)
        .max(7);
    let mut text = format!("{:width$}  {:12}  SOURCE\n", "PROFILE", "REGION");
    for r in &rows {
        text.push_str(&format!(
            "{:width$}  {:12}  {}\n",
            r.profile,
            r.region.as_deref().unwrap_or("-"),
            r.detail
        ));
    }
    super::print(&text)
}
