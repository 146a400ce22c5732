//! `awscreds-rs move`: long-term entries from one store to another. Each
//! is written, read back and compared before the source entry is deleted,
//! so a failure (or a kill) at any step leaves the key in at least one
//! store. Cached sessions are dropped, not moved.

use crate::cli::MoveArgs;
use crate::context::Env;
use crate::error::{Error, Result};
use crate::names::validate_name;
use crate::session::drop_sessions;
use crate::store::{Store, StoreChoice};

pub fn run(global: StoreChoice, args: &MoveArgs) -> Result<()> {
    let env = Env::process();
    let source = Store::open(args.from.unwrap_or(global), &env)?;
    let target = Store::open(args.to, &env)?;
    if source.kind() == target.kind() {
        return Err(Error::Usage(format!(
            "--to names the store the keys are in already ({}); pick another",
            source.kind().id()
        )));
    }
    let names = match &args.username {
        Some(name) => {
            validate_name(name)?;
            if !source.contains(name)? {
                return Err(Error::NotFound {
                    name: name.clone(),
                    store: source.kind(),
                    auto: None,
                });
            }
            vec![name.clone()]
        }
        None => source
            .names()?
            .into_iter()
            .filter(|name| crate::entry::is_key(name))
            .collect(),
    };
    // Refused before anything moves: no NAME replaces one in the target.
    let taken: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|name| target.contains(name).unwrap_or(true))
        .collect();
    if !taken.is_empty() {
        return Err(Error::invalid(
            format!(
                "{} already holds {} (nothing was moved)",
                target.label(),
                taken.join(", ")
            ),
            format!(
                "remove them there first: {}",
                crate::fix::remove_in("NAME", target.kind())
            ),
        ));
    }
    let mut moved = Vec::new();
    let result = names
        .iter()
        .try_for_each(|name| move_one(&source, &target, name).map(|()| moved.push(name.clone())));
    // The profiles that read a moved NAME from the old store follow it,
    // also when a later NAME failed.
    if !moved.is_empty() {
        let default = Store::open(global, &env).ok().map(|s| s.kind());
        if let Err(e) =
            super::configure::repoint(&env, &moved, source.kind(), default, target.kind())
        {
            crate::say!(
                "awscreds-rs: the profiles that read the moved NAMEs were not rewritten: {}\n\
                 Point each at {} with: {}",
                e.report(),
                target.label(),
                crate::fix::configure_in("PROFILE", "NAME", target.kind())
            );
        }
    }
    result?;
    if names.is_empty() {
        crate::say!("{} holds no keys to move.", source.label());
    }
    Ok(())
}

/// One NAME: written, read back and compared, then deleted at the source.
fn move_one(source: &Store, target: &Store, name: &str) -> Result<()> {
    let creds = source.load(name)?.ok_or_else(|| Error::NotFound {
        name: name.to_string(),
        store: source.kind(),
        auto: None,
    })?;
    target.save(name, &creds)?;
    super::tell_created(target);
    // Read back through the target's own decryption (a locked file
    // store asks its passphrase here), before the source goes.
    if target.load(name)?.as_ref() != Some(&creds) {
        return Err(Error::Store {
            store: target.kind(),
            action: "keep the entry",
            cause: format!(
                "reading '{name}' back gave something else; it stays in {}",
                source.label()
            )
            .into(),
        });
    }
    crate::faults::stop_here_in_tests("written");
    drop_sessions(source, Some(name))?;
    source.remove(name)?;
    crate::faults::stop_here_in_tests("deleted");
    crate::say!(
        "Moved '{name}' from {} to {}.",
        source.label(),
        target.label()
    );
    Ok(())
}
