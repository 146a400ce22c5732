//! The store the doctor was pointed at: reachable, unlocked, lasting.

use super::{Context, Report};
use crate::store::Store;

pub(super) fn check_store(r: &mut Report, ctx: &Context) {
    let entries = |n: usize| format!("{n} entr{}", if n == 1 { "y" } else { "ies" });
    let store = match Store::open(ctx.store, &ctx.os) {
        Ok(store) => store,
        Err(e) => return r.error("store", e.report().to_string(), "follow the message"),
    };
    let label = store.label();
    // doctor asks for no passphrase: a locked file store is counted, not read.
    if !store.reads_without_asking() {
        let n = store.names().map_or(0, |names| names.len());
        return r.warn(
            "store",
            format!(
                "{label} holds {} and is locked: calls from a terminal ask its \
                 passphrase, calls without one fail",
                entries(n)
            ),
            format!("{} (once per boot)", crate::fix::unlock()),
        );
    }
    match store.entries() {
        Ok(rows) if !store.kind().survives_reboot() => r.warn(
            "store",
            format!(
                "{label} is reachable with {}, but it loses them at reboot",
                entries(rows.len())
            ),
            format!(
                "move them to the encrypted file store (one passphrase per boot): {}",
                crate::fix::move_all(
                    crate::store_kind::StoreKind::Keyutils,
                    crate::store_kind::StoreKind::File
                )
            ),
        ),
        // What `add` would meet: a store that reads may still refuse or
        // lose a write (gnome-keyring with only its session collection).
        Ok(rows) => match store.check_writable() {
            Ok(()) => r.ok(
                "store",
                format!(
                    "{label} is reachable and unlocked, with {}",
                    entries(rows.len())
                ),
            ),
            Err(e) => r.error(
                "store",
                format!("{label} answers, but `add` would fail: {}", e.report()),
                "follow the message",
            ),
        },
        Err(e) => r.error("store", e.report().to_string(), "follow the message"),
    }
}
