//! The unlocked file store: its identity kept in the Linux kernel user
//! keyring, readable by this user only, until reboot, `lock`, or a
//! time-out: the one `unlock --for` set, else `IDLE`, which every use
//! renews (so that a key does not outlive its user's account: the user
//! keyring outlives `userdel`, and a new account with the same uid would
//! find it). Other systems (and containers whose seccomp profile refuses
//! keyctl) have nowhere to keep it: every read there asks for the
//! passphrase again.
//!
//! The key's description carries a hash of the store's folder, so two
//! stores of one user (two HOMEs) never take each other's identity; the
//! caller checks a kept identity against the store's `recipient` before
//! it uses either (`belongs`).

use std::str::FromStr;

use age::x25519::Identity;

/// Why nothing can be kept, where that is known before trying.
#[cfg(not(target_os = "linux"))]
pub const UNAVAILABLE: &str = "this system has no kernel keyring to keep the unlocked store in";

#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn description(store: &str) -> String {
    let hex = crate::digest::sha256_hex(&[store.as_bytes()], 8);
    format!("awscreds-rs-unlocked:{hex}")
}

/// How long a kept identity lasts unused when `unlock --for` gave no time.
pub const IDLE: std::time::Duration = std::time::Duration::from_secs(12 * 3600);

/// The first line of a kept identity that each use renews (`IDLE`).
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
const RENEWED: &str = "renewed on use";

/// Whether `identity` is the one `recipient` names.
pub fn belongs(identity: &Identity, recipient: &str) -> bool {
    identity.to_public().to_string() == recipient
}

/// A kept identity, and whether each use renews it.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn parse(bytes: &[u8]) -> Option<(Identity, bool)> {
    let text = std::str::from_utf8(bytes).ok()?;
    let (renewed, key) = match text.split_once('\n') {
        Some((RENEWED, key)) => (true, key),
        _ => (false, text),
    };
    Some((Identity::from_str(key.trim()).ok()?, renewed))
}

/// The kept identity of the store in folder `store`, if any; a use renews
/// one kept for `IDLE`.
#[cfg(target_os = "linux")]
pub fn get(store: &str) -> Option<Identity> {
    let ring = user_ring().ok()?;
    let key = ring.search(&description(store)).ok()?;
    let bytes = zeroize::Zeroizing::new(key.read_to_vec().ok()?);
    let (identity, renewed) = parse(&bytes)?;
    if renewed {
        let _ = key.set_timeout(IDLE.as_secs() as usize);
    }
    Some(identity)
}

/// The longest time-out the kernel keyring holds (keyctl's `unsigned`).
pub const MAX_SECONDS: u64 = u32::MAX as u64;

/// Keeps the identity of the store in folder `store` for `seconds`, or,
/// when `None`, until it goes unused for `IDLE`.
#[cfg(target_os = "linux")]
pub fn keep(store: &str, identity: &Identity, seconds: Option<u64>) -> Result<(), String> {
    use age::secrecy::ExposeSecret;
    use linux_keyutils::{KeyPermissionsBuilder, Permission};
    // keyctl takes the time-out as 32 bits: what does not fit is refused,
    // never cut.
    if let Some(secs) = seconds.filter(|&s| s > MAX_SECONDS) {
        return Err(format!(
            "{secs} seconds is longer than the kernel keyring keeps a key"
        ));
    }
    let ring = user_ring()?;
    let secret = identity.to_string();
    let text = zeroize::Zeroizing::new(match seconds {
        Some(_) => secret.expose_secret().to_string(),
        None => format!("{RENEWED}\n{}", secret.expose_secret()),
    });
    let key = ring
        .add_key(&description(store), text.as_bytes())
        .map_err(|e| format!("the kernel keyring refused the key ({e:?})"))?;
    // The default lets the user only view it; this user's other processes
    // (the next credential_process) must read it, and nobody else may.
    let perms = KeyPermissionsBuilder::builder()
        .posessor(Permission::ALL)
        .user(
            Permission::VIEW
                | Permission::READ
                | Permission::WRITE
                | Permission::SEARCH
                | Permission::SETATTR,
        )
        .build();
    let secs = seconds.unwrap_or(IDLE.as_secs());
    let set = key
        .set_perms(perms)
        .and_then(|()| key.set_timeout(secs as usize));
    if let Err(e) = set {
        let _ = key.invalidate();
        return Err(format!("the kernel keyring refused its settings ({e:?})"));
    }
    Ok(())
}

/// Forgets the kept identity; whether there was one.
#[cfg(target_os = "linux")]
pub fn forget(store: &str) -> Result<bool, String> {
    let Ok(ring) = user_ring() else {
        return Ok(false);
    };
    let mut dropped = false;
    while let Ok(key) = ring.search(&description(store)) {
        key.invalidate()
            .or_else(|_| ring.unlink_key(key))
            .map_err(|e| format!("the kernel keyring refused to drop the key ({e:?})"))?;
        dropped = true;
    }
    Ok(dropped)
}

#[cfg(target_os = "linux")]
fn user_ring() -> Result<linux_keyutils::KeyRing, String> {
    use linux_keyutils::{KeyRing, KeyRingIdentifier};
    KeyRing::from_special_id(KeyRingIdentifier::User, true)
        .map_err(|e| format!("the kernel user keyring cannot be opened ({e:?})"))
}

#[cfg(not(target_os = "linux"))]
pub fn get(_store: &str) -> Option<Identity> {
    None
}

#[cfg(not(target_os = "linux"))]
pub fn keep(_store: &str, _identity: &Identity, _seconds: Option<u64>) -> Result<(), String> {
    Err(UNAVAILABLE.to_string())
}

#[cfg(not(target_os = "linux"))]
pub fn forget(_store: &str) -> Result<bool, String> {
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use age::secrecy::ExposeSecret;

    #[test]
    fn descriptions_tell_stores_apart() {
        let a = Identity::generate().to_public().to_string();
        let b = Identity::generate().to_public().to_string();
        assert_ne!(description(&a), description(&b));
        assert_eq!(description(&a), description(&a));
    }

    #[test]
    fn an_identity_belongs_to_its_recipient_only() {
        let one = Identity::generate();
        let other = Identity::generate();
        let recipient = one.to_public().to_string();
        assert!(belongs(&one, &recipient));
        assert!(!belongs(&other, &recipient));
        let text = one.to_string();
        let (parsed, renewed) = parse(text.expose_secret().as_bytes()).expect("parses");
        assert!(belongs(&parsed, &recipient) && !renewed);
        let text = format!("{RENEWED}\n{}", text.expose_secret());
        let (parsed, renewed) = parse(text.as_bytes()).expect("parses");
        assert!(belongs(&parsed, &recipient) && renewed);
        assert!(parse(b"not a key").is_none());
    }
}
