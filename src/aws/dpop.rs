//! DPoP proofs (RFC 9449) for AWS's sign-in service, whose refresh token
//! is bound to a key that only this machine holds: a P-256 key made here
//! (ring, already the TLS stack's), and for each token request a JWT whose
//! header carries the public key as a JWK and whose claims name the
//! request (`htm`, `htu`), its time (`iat`) and a one-time id (`jti`),
//! signed ES256 as the raw r‖s the JOSE format wants. The private key
//! leaves only as PKCS#8 bytes, for the store.

use base64::Engine;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn failed(what: &str) -> Error {
    Error::invalid(
        format!("the DPoP key could not {what}"),
        "check the system's random source (getrandom, /dev/urandom)",
    )
}

/// A P-256 key that proves possession of a sign-in's refresh token.
pub struct DpopKey {
    pair: EcdsaKeyPair,
    pkcs8: Zeroizing<Vec<u8>>,
    rng: SystemRandom,
}

impl DpopKey {
    /// A new key, from the OS's random source.
    pub fn generate() -> Result<DpopKey> {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .map_err(|_| failed("be made"))?;
        DpopKey::from_pkcs8(pkcs8.as_ref())
    }

    /// The key as [`DpopKey::pkcs8`] gave it.
    pub fn from_pkcs8(der: &[u8]) -> Result<DpopKey> {
        let rng = SystemRandom::new();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der, &rng).map_err(
            |_| {
                Error::invalid(
                    "the stored DPoP key is not a P-256 key in PKCS#8",
                    "sign in again",
                )
            },
        )?;
        Ok(DpopKey {
            pair,
            pkcs8: Zeroizing::new(der.to_vec()),
            rng,
        })
    }

    /// The private key as PKCS#8 DER, to keep in the store.
    pub fn pkcs8(&self) -> &[u8] {
        &self.pkcs8
    }

    /// The public key as a JWK, its members in RFC 7638's order (so that
    /// its text is also what a thumbprint hashes).
    pub fn jwk(&self) -> serde_json::Value {
        // An uncompressed point: 0x04, then x and y, 32 bytes each.
        let point = self.pair.public_key().as_ref();
        serde_json::json!({
            "crv": "P-256",
            "kty": "EC",
            "x": b64url(&point[1..33]),
            "y": b64url(&point[33..65]),
        })
    }

    /// The `DPoP` header for a `method` request to `url` at `now` (Unix
    /// seconds).
    pub fn proof(&self, method: &str, url: &str, now: i64) -> Result<String> {
        let mut jti = [0u8; 16];
        self.rng
            .fill(&mut jti)
            .map_err(|_| failed("get random bytes"))?;
        let header = serde_json::json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": self.jwk()});
        let claims = serde_json::json!({
            "jti": b64url(&jti),
            "htm": method,
            "htu": url,
            "iat": now,
        });
        let signed = format!(
            "{}.{}",
            b64url(header.to_string().as_bytes()),
            b64url(claims.to_string().as_bytes())
        );
        let signature = self
            .pair
            .sign(&self.rng, signed.as_bytes())
            .map_err(|_| failed("sign"))?;
        Ok(format!("{signed}.{}", b64url(signature.as_ref())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(proof: &str, n: usize) -> serde_json::Value {
        let text = proof.split('.').nth(n).unwrap();
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text)
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[test]
    fn a_proof_names_its_request_and_verifies_with_its_own_key() {
        let key = DpopKey::generate().unwrap();
        let proof = key
            .proof("POST", "https://x/v1/token", 1_700_000_000)
            .unwrap();
        let header = part(&proof, 0);
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["alg"], "ES256");
        assert_eq!(header["jwk"], key.jwk());
        assert!(header["jwk"].get("d").is_none(), "no private part");
        let claims = part(&proof, 1);
        assert_eq!(claims["htm"], "POST");
        assert_eq!(claims["htu"], "https://x/v1/token");
        assert_eq!(claims["iat"], 1_700_000_000);
        let other = key
            .proof("POST", "https://x/v1/token", 1_700_000_000)
            .unwrap();
        assert_ne!(part(&other, 1)["jti"], claims["jti"], "a jti per proof");

        let (signed, signature) = proof.rsplit_once('.').unwrap();
        let signature = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(signature)
            .unwrap();
        assert_eq!(signature.len(), 64, "r||s");
        let public = ring::signature::UnparsedPublicKey::new(
            &ring::signature::ECDSA_P256_SHA256_FIXED,
            key.pair.public_key().as_ref(),
        );
        public.verify(signed.as_bytes(), &signature).unwrap();
    }

    #[test]
    fn the_key_comes_back_from_its_pkcs8() {
        let key = DpopKey::generate().unwrap();
        let again = DpopKey::from_pkcs8(key.pkcs8()).unwrap();
        assert_eq!(again.jwk(), key.jwk());
        assert!(DpopKey::from_pkcs8(b"not a key").is_err());
    }
}
