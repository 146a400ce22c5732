//! `awscreds-rs prompt`: a short segment for the active profile, for
//! prompts and starship's custom modules (empty when none).

use crate::error::Result;

pub fn run() -> Result<()> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let Some(profile) = var("AWS_PROFILE") else {
        return Ok(());
    };
    let shadowed = !crate::awsenv::shadowing(var).is_empty();
    super::print(&format!(
        "{}\n",
        crate::hook::prompt_segment(&profile, shadowed)
    ))
}
