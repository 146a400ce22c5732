//! `awscreds-rs list`: the stored NAMEs, their masked key ids, age and expiry.

use serde::Serialize;
use time::OffsetDateTime;

use crate::context::Env;
use crate::credentials::{format_expiration, mask_access_key_id, ROTATE_AFTER_DAYS};
use crate::error::Result;
use crate::store::{Listed, Store, StoreChoice};

#[derive(Serialize)]
struct Row {
    username: String,
    /// The store the entry is in (its `--store` id).
    store: &'static str,
    access_key_id: Option<String>,
    #[serde(rename = "type")]
    kind: Option<&'static str>,
    expiration: Option<String>,
    expired: bool,
    /// When IAM created the key, and its age in whole days, when known.
    created: Option<String>,
    age_days: Option<i64>,
    /// Why the entry could not be read, for a corrupt one.
    error: Option<String>,
}

fn row(entry: Listed, store: &'static str, now: OffsetDateTime) -> Row {
    match entry.credentials {
        Ok(creds) => Row {
            username: entry.name,
            store,
            access_key_id: Some(mask_access_key_id(&creds.access_key_id)),
            kind: Some(if creds.is_temporary() {
                "temporary"
            } else {
                "long-term"
            }),
            expiration: creds.expiration.map(format_expiration),
            expired: creds.is_expired(now),
            created: creds.created.map(format_expiration),
            age_days: creds.age_days(now),
            error: None,
        },
        Err(reason) => Row {
            username: entry.name,
            store,
            access_key_id: None,
            kind: None,
            expiration: None,
            expired: false,
            created: None,
            age_days: None,
            error: Some(reason),
        },
    }
}

pub fn run(choice: StoreChoice, json: bool) -> Result<()> {
    let env = Env::process();
    let store = Store::open(choice, &env)?;
    let now = OffsetDateTime::now_utc();
    let rows: Vec<Row> = store
        .entries()?
        .into_iter()
        .filter(|entry| crate::entry::is_key(&entry.name))
        .map(|entry| row(entry, store.kind().id(), now))
        .collect();
    // The NAMEs of another store would otherwise vanish without a word
    // (auto picks the file store once it exists).
    for (kind, count) in crate::store::held_elsewhere(&env, store.kind()) {
        crate::say!(
            "Also in {}: {count} NAME{}, not listed here ({})",
            kind.label(),
            if count == 1 { "" } else { "s" },
            crate::fix::list_in(kind)
        );
    }
    if store.kind() == crate::store_kind::StoreKind::Keyutils && !rows.is_empty() {
        crate::say!(
            "(The kernel keyring is your user's, not this HOME's: every HOME of the same user sees these NAMEs.)"
        );
    }
    if json {
        return super::print_json(&rows);
    }
    if rows.is_empty() {
        crate::say!(
            "No credentials stored in {}. Add some with: {}",
            store.label(),
            crate::fix::add("NAME", store.kind())
        );
        return Ok(());
    }
    let width = rows
        .iter()
        .map(|r| r.username.len())
        .max()
        .unwrap_or(0)
        .max(4);
    let mut text = format!(
        "{:width$}  {:20}  {:10}  {:6}  {:14}  EXPIRES\n",
        "NAME", "ACCESS KEY ID", "TYPE", "AGE", "STORE"
    );
    for r in &rows {
        let expires = match (&r.error, &r.expiration) {
            (Some(reason), _) => format!("unreadable: {reason}"),
            (None, Some(at)) if r.expired => format!("{at} (expired)"),
            (None, Some(at)) => at.clone(),
            (None, None) => "-".into(),
        };
        // Past AWS's 90 days, the age says so.
        let age = match r.age_days {
            Some(days) if days > ROTATE_AFTER_DAYS => format!("{days}d!"),
            Some(days) => format!("{days}d"),
            None => "-".into(),
        };
        text.push_str(&format!(
            "{:width$}  {:20}  {:10}  {age:6}  {:14}  {expires}\n",
            r.username,
            r.access_key_id.as_deref().unwrap_or("-"),
            r.kind.unwrap_or("-"),
            r.store,
        ));
    }
    super::print(&text)
}
