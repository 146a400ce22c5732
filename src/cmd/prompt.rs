//! `awscreds-rs prompt`: a short segment for the active profile, for
//! prompts and starship's custom modules (empty when none).

use crate::error::Result;

pub fn run() -> Result<()> {
    let env = crate::context::Env::process();
    let Some(profile) = env.var("AWS_PROFILE") else {
        return Ok(());
    };
    let shadowed = !crate::awsenv::shadowing(|name| env.var(name)).is_empty();
    super::print(&format!(
        "{}\n",
        crate::hook::prompt_segment(&profile, shadowed)
    ))
}
