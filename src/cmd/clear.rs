//! `awscreds-rs clear [--username NAME]`: drop cached credentials (STS
//! sessions, Identity Center role credentials). The stored keys and the
//! Identity Center and AWS sign-in logins stay; the next call makes a new session.

use crate::context::Env;
use crate::error::Result;
use crate::names::validate_name;
use crate::session::drop_sessions;
use crate::store::{Store, StoreChoice};

pub fn run(choice: StoreChoice, name: Option<&str>) -> Result<()> {
    if let Some(name) = name {
        validate_name(name)?;
    }
    let env = Env::process();
    let store = Store::open(choice, &env)?;
    let dropped = drop_sessions(&store, name)?;
    let whose = name.map(|n| format!(" of '{n}'")).unwrap_or_default();
    crate::say!(
        "Dropped {dropped} cached credential(s){whose} from {}; logins stay (sso logout and logout end them).",
        store.label()
    );
    Ok(())
}
