//! `awscreds-rs rotate --username NAME`: a new long-term key from IAM in
//! place of the stored one, one progress line per step on stderr.

use crate::cli::RotateArgs;
use crate::context::Env;
use crate::credentials::mask_access_key_id;
use crate::error::Result;
use crate::names::validate_name;
use crate::store::{Store, StoreChoice};
use crate::wiring::Options;

pub fn run(choice: StoreChoice, args: &RotateArgs) -> Result<()> {
    let name = &args.username;
    validate_name(name)?;
    let env = Env::process();
    let store = Store::open(choice, &env)?;
    let options = Options {
        mfa_command: args.mfa.mfa_command.clone(),
        ..Options::default()
    };
    let client = crate::aws::Client::new(None);
    let rotated = crate::rotate::rotate(
        &env,
        &store,
        name,
        &options,
        &client,
        &client,
        &crate::renew::SystemClock,
        &mut |step| {
            crate::say!("{}", step.line());
            if let Some(id) = step.id() {
                crate::faults::stop_here_in_tests(id);
            }
        },
    )?;
    crate::say!(
        "Rotated '{name}' in {}: {} replaces {}, which is deleted.",
        store.label(),
        mask_access_key_id(&rotated.new_id),
        mask_access_key_id(&rotated.old_id)
    );
    Ok(())
}
