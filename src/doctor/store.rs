//! The store the doctor was pointed at: reachable, unlocked, lasting.

use super::{Context, Report};
use crate::store::Store;

pub(super) fn check_store(r: &mut Report, ctx: &Context) {
    match Store::open(ctx.store)
        .and_then(|store| Ok((store.entries()?.len(), store.kind(), store.label())))
    {
        Ok((n, kind, label)) if !kind.survives_reboot() => r.warn(
            "store",
            format!(
                "{label} is reachable with {n} entr{}, but it loses them at reboot",
                if n == 1 { "y" } else { "ies" }
            ),
            "run a Secret Service (without a desktop: see \"Without a desktop\" in the README) \
             and store the keys there with --store secret-service",
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
