//! `awscreds-rs clear [--username NAME]`: drop cached STS sessions. The
//! stored keys stay; the next call makes a new session.

use crate::error::Result;
use crate::names::validate_name;
use crate::session::is_cache_entry;
use crate::store::{Store, StoreChoice};

pub fn run(choice: StoreChoice, name: Option<&str>) -> Result<()> {
    if let Some(name) = name {
        validate_name(name)?;
    }
    let store = Store::open(choice)?;
    let mut dropped = 0;
    for entry in store.entries()? {
        let belongs = match name {
            Some(name) => crate::session::is_cache_of(&entry.name, name),
            None => is_cache_entry(&entry.name),
        };
        if belongs {
            store.remove(&entry.name)?;
            dropped += 1;
        }
    }
    let whose = name.map(|n| format!(" of '{n}'")).unwrap_or_default();
    eprintln!(
        "Dropped {dropped} cached session(s){whose} from {}.",
        store.label()
    );
    Ok(())
}
