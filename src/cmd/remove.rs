//! `awscreds-rs remove --username NAME`: delete one entry, and name the
//! profiles whose line still reads it.

use crate::awsfiles::AwsFiles;
use crate::context::Env;
use crate::error::{Error, Result};
use crate::names::validate_name;
use crate::store::{Store, StoreChoice};
use crate::wiring::{Line, Target};

pub fn run(choice: StoreChoice, name: &str) -> Result<()> {
    validate_name(name)?;
    let env = Env::process();
    let store = Store::open(choice, &env)?;
    if !store.contains(name)? {
        return Err(Error::invalid(
            format!("nothing is stored under '{name}' in {}", store.label()),
            format!(
                "{} shows the NAMEs stored there (another store may hold it: --store)",
                crate::fix::list_in(store.kind())
            ),
        ));
    }
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
    let readers = profiles_reading(&env, name);
    if !readers.is_empty() {
        crate::say!(
            "Profile{} {} still run{} awscreds-rs for '{name}' and now fail{}: point each at \
             another NAME ({}), or delete its credential_process line.",
            if readers.len() == 1 { "" } else { "s" },
            readers
                .iter()
                .map(|p| format!("'{p}'"))
                .collect::<Vec<_>>()
                .join(", "),
            if readers.len() == 1 { "s" } else { "" },
            if readers.len() == 1 { "s" } else { "" },
            crate::fix::configure(&readers[0], "NAME")
        );
    }
    Ok(())
}

/// The profiles whose awscreds-rs line reads `name` (from whatever
/// store: a line names the NAME, and any store may be the one it reads).
/// The AWS files that cannot be read name nobody here: doctor says why.
fn profiles_reading(env: &Env, name: &str) -> Vec<String> {
    let Ok(all) = AwsFiles::locate(env).and_then(|files| crate::profiles::read_all(&files)) else {
        return Vec::new();
    };
    all.iter()
        .filter(|(_, profile)| {
            profile
                .get(crate::awsfiles::key::CREDENTIAL_PROCESS)
                .and_then(crate::wiring::parse)
                .is_some_and(|line| {
                    matches!(line, Line { target: Target::Name { name: n, .. }, .. } if n == name)
                })
        })
        .map(|(profile, _)| profile.clone())
        .collect()
}
