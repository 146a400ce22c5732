//! `awscreds-rs remove --username NAME`: delete one entry.

use crate::context::Env;
use crate::error::Result;
use crate::names::validate_name;
use crate::store::{Store, StoreChoice};

pub fn run(choice: StoreChoice, name: &str) -> Result<()> {
    validate_name(name)?;
    let env = Env::process();
    let store = Store::open(choice, &env)?;
    store.remove(name)?;
    let sessions = crate::session::drop_sessions(&store, Some(name))?;
    let and = match sessions {
        0 => String::new(),
        n => format!(" and {n} cached session(s)"),
    };
    crate::say!(
        "Removed the credentials for '{name}'{and} from {}.",
        store.label()
    );
    Ok(())
}
