//! `awscreds-rs remove --username NAME`: delete one entry.

use crate::error::Result;
use crate::names::validate_name;
use crate::store::{Store, StoreChoice};

pub fn run(choice: StoreChoice, name: &str) -> Result<()> {
    validate_name(name)?;
    let store = Store::open(choice)?;
    store.remove(name)?;
    eprintln!(
        "Removed the credentials for '{name}' from {}.",
        store.label()
    );
    Ok(())
}
