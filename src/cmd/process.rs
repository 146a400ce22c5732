//! `awscreds-rs --username NAME`: the credential_process fast path. One
//! store lookup, one line of JSON; no config files, no network, no runtime.

use time::OffsetDateTime;

use crate::error::{Error, Result};
use crate::store::{validate_name, Store, StoreChoice};

pub fn run(choice: StoreChoice, name: &str) -> Result<()> {
    validate_name(name)?;
    let creds = Store::open(choice)
        .and_then(|store| store.load_current(name, OffsetDateTime::now_utc()))
        .map_err(|e| name_it(e, name))?;
    let mut json = creds.to_process_json();
    json.push('\n');
    super::print(&json)
}

/// Store failures do not know which NAME was asked for; the SDKs show only
/// our stderr line, so it has to say.
fn name_it(e: Error, name: &str) -> Error {
    match e {
        Error::StoreUnavailable { .. } | Error::StoreLocked { .. } | Error::Store { .. } => {
            e.context(format!("cannot read the credentials for '{name}'"))
        }
        e => e,
    }
}
