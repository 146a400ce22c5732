//! `awscreds-rs prompt`: a short segment for the active profile, for
//! prompts and starship's custom modules (empty when none).

use crate::error::Result;

pub fn run() -> Result<()> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let Some(profile) = var("AWS_PROFILE") else {
        return Ok(());
    };
    let shadowed = [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
    ]
    .iter()
    .any(|name| var(name).is_some());
    super::print(&format!(
        "aws:{profile}{}\n",
        if shadowed { "!" } else { "" }
    ))
}
