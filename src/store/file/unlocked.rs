//! The unlocked file store: its identity kept in the Linux kernel user
//! keyring, readable by this user only, until reboot, `lock`, or the
//! timeout `unlock --for` set. Other systems (and containers whose seccomp
//! profile refuses keyctl) have nowhere to keep it: every read there asks
//! for the passphrase again.
//!
//! The key's description carries a hash of the store's recipient, so two
//! stores of one user (two HOMEs) never take each other's identity, and a
//! kept identity is used only after checking that it is the recipient's.

use std::str::FromStr;

use age::x25519::Identity;

/// Why nothing can be kept, where that is known before trying.
#[cfg(not(target_os = "linux"))]
pub const UNAVAILABLE: &str = "this system has no kernel keyring to keep the unlocked store in";

#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn description(recipient: &str) -> String {
    let hex = crate::digest::sha256_hex(&[recipient.as_bytes()], 8);
    format!("awscreds-rs-unlocked:{hex}")
}

/// Whether `identity` is the one `recipient` names.
pub fn belongs(identity: &Identity, recipient: &str) -> bool {
    identity.to_public().to_string() == recipient
}

#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn parse(bytes: &[u8]) -> Option<Identity> {
    let text = std::str::from_utf8(bytes).ok()?;
    Identity::from_str(text.trim()).ok()
}

/// The kept identity of the store with this recipient, if any.
#[cfg(target_os = "linux")]
pub fn get(recipient: &str) -> Option<Identity> {
    let ring = user_ring().ok()?;
    let key = ring.search(&description(recipient)).ok()?;
    let bytes = zeroize::Zeroizing::new(key.read_to_vec().ok()?);
    parse(&bytes).filter(|identity| belongs(identity, recipient))
}

/// The longest time-out the kernel keyring holds (keyctl's `unsigned`).
pub const MAX_SECONDS: u64 = u32::MAX as u64;

/// Keeps the identity for `seconds`, or until reboot or `lock` when `None`.
#[cfg(target_os = "linux")]
pub fn keep(recipient: &str, identity: &Identity, seconds: Option<u64>) -> Result<(), String> {
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
    let text = identity.to_string();
    let key = ring
        .add_key(&description(recipient), text.expose_secret().as_bytes())
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
    let set = key.set_perms(perms).and_then(|()| match seconds {
        Some(secs) => key.set_timeout(secs as usize),
        None => Ok(()),
    });
    if let Err(e) = set {
        let _ = key.invalidate();
        return Err(format!("the kernel keyring refused its settings ({e:?})"));
    }
    Ok(())
}

/// Forgets the kept identity; whether there was one.
#[cfg(target_os = "linux")]
pub fn forget(recipient: &str) -> Result<bool, String> {
    let Ok(ring) = user_ring() else {
        return Ok(false);
    };
    let mut dropped = false;
    while let Ok(key) = ring.search(&description(recipient)) {
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
pub fn get(_recipient: &str) -> Option<Identity> {
    None
}

#[cfg(not(target_os = "linux"))]
pub fn keep(_recipient: &str, _identity: &Identity, _seconds: Option<u64>) -> Result<(), String> {
    Err(UNAVAILABLE.to_string())
}

#[cfg(not(target_os = "linux"))]
pub fn forget(_recipient: &str) -> Result<bool, String> {
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
        let parsed = parse(text.expose_secret().as_bytes()).expect("parses");
        assert!(belongs(&parsed, &recipient));
        assert!(parse(b"not a key").is_none());
    }
}
