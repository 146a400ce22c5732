//! The store the doctor was pointed at: reachable, unlocked, lasting.

use super::{Context, Report};
use crate::store::Store;

pub(super) fn check_store(r: &mut Report, ctx: &Context) {
    // doctor asks for no passphrase: a locked file store is counted, not read.
    if let Ok(store) = Store::open(ctx.store) {
        if !store.reads_without_asking() {
            let n = store.names().map_or(0, |names| names.len());
            r.warn(
                "store",
                format!(
                    "{} holds {n} entr{} and is locked: calls from a terminal ask its \
                     passphrase, calls without one fail",
                    store.label(),
                    if n == 1 { "y" } else { "ies" }
                ),
                "awscreds-rs unlock (once per boot)",
            );
            return;
        }
    }
    match Store::open(ctx.store)
        .and_then(|store| Ok((store.entries()?.len(), store.kind(), store.label())))
    {
        Ok((n, kind, label)) if !kind.survives_reboot() => r.warn(
            "store",
            format!(
                "{label} is reachable with {n} entr{}, but it loses them at reboot",
                if n == 1 { "y" } else { "ies" }
            ),
            "move them to the encrypted file store (one passphrase per boot): \
             awscreds-rs move --all --from keyutils --to file",
        ),
        Ok((n, _, label)) => r.ok(
            "store",
            format!(
                "{label} is reachable and unlocked, with {n} entr{}",
                if n == 1 { "y" } else { "ies" }
            ),
        ),
        Err(e) => r.error("store", e.to_string(), "follow the message"),
    }
}
