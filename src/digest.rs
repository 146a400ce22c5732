//! The one way names are made from content: the hex of a SHA-256 digest,
//! cut to a length. The allow list, the role-session cache entries and the
//! unlocked file store's key all name things this way; the bytes each
//! feeds in are theirs, and stay as they are so that existing names still
//! match.

use sha2::{Digest, Sha256};

/// The first `bytes` bytes (at most 32) of the SHA-256 of `parts` fed in
/// order, as lower-case hex.
pub fn sha256_hex(parts: &[&[u8]], bytes: usize) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize()[..bytes]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_digests() {
        // sha256("abc")
        assert_eq!(
            super::sha256_hex(&[b"a", b"bc"], 32),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(super::sha256_hex(&[b"abc"], 8), "ba7816bf8f01cfea");
    }
}
