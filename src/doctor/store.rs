//! The store the doctor was pointed at: reachable, unlocked, lasting.

use super::{Context, Report};
use crate::store::{Listed, Store};
use crate::store_kind::StoreKind;

pub(super) fn check_store(r: &mut Report, ctx: &Context) {
    // The store `auto` would try first, for the fix of one that fails.
    let kind = ctx.store.kind().unwrap_or_else(StoreKind::platform_default);
    let store = match Store::open(ctx.store, &ctx.os) {
        Ok(store) => store,
        Err(e) => return r.error("store", e.report().to_string(), kind.unavailable_fix()),
    };
    let kind = store.kind();
    let label = store.label();
    // doctor asks for no passphrase: a locked file store is counted, not read.
    if !store.reads_without_asking() {
        let n = store.names().map_or(0, |names| {
            names.iter().filter(|n| crate::entry::is_key(n)).count()
        });
        return r.warn(
            "store",
            format!(
                "{label} holds {n} NAME{} and is locked: calls from a terminal ask its \
                 passphrase, calls without one fail",
                if n == 1 { "" } else { "s" }
            ),
            format!("{} (once per boot)", crate::fix::unlock()),
        );
    }
    match store.entries() {
        Ok(rows) if !kind.survives_reboot() => r.warn(
            "store",
            format!(
                "{label} is reachable with {}, but it loses them at reboot",
                held(&rows)
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
                format!("{label} is reachable and unlocked, with {}", held(&rows)),
            ),
            Err(e) => r.error(
                "store",
                format!(
                    "{label} answers, but `add` would fail: {}",
                    e.report_without_fix()
                ),
                e.fix_text().unwrap_or_else(|| kind.unlock_fix()),
            ),
        },
        Err(e) => r.error(
            "store",
            e.report_without_fix().to_string(),
            e.fix_text().unwrap_or_else(|| kind.unavailable_fix()),
        ),
    }
}

/// What a store holds, counted as `list` counts: the NAMEs, and the cached
/// sessions and logins apart.
fn held(rows: &[Listed]) -> String {
    let keys = rows
        .iter()
        .filter(|row| crate::entry::is_key(&row.name))
        .count();
    let others = rows.len() - keys;
    let names = format!("{keys} NAME{}", if keys == 1 { "" } else { "s" });
    match others {
        0 => names,
        n => format!(
            "{names} (and {n} cached session{} or login{})",
            if n == 1 { "" } else { "s" },
            if n == 1 { "" } else { "s" }
        ),
    }
}
