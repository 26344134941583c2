//! Standard Webhooks signatures: `v1,` + base64 of HMAC-SHA256 over `{id}.{timestamp}.{body}`,
//! keyed with the secret's decoded bytes. Secrets read `whsec_` + base64 of 32 random bytes.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

const PREFIX: &str = "whsec_";

/// A new secret: `whsec_` + base64 of 32 bytes from a CSPRNG (rand's thread generator,
/// seeded from the operating system).
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{PREFIX}{}", STANDARD.encode(bytes))
}

/// The key bytes of a secret (with or without its `whsec_` prefix).
pub fn key_of(secret: &str) -> Option<Vec<u8>> {
    let encoded = secret.strip_prefix(PREFIX).unwrap_or(secret);
    STANDARD.decode(encoded).ok().filter(|k| !k.is_empty())
}

fn mac(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// One `v1,…` signature of a message with one key.
pub fn sign(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    let tag = mac(key, id, timestamp, body).finalize().into_bytes();
    format!("v1,{}", STANDARD.encode(tag))
}

/// The `webhook-signature` header: one signature per key, space-separated (during a
/// rotation the old secret signs too, so receivers can switch when they like).
pub fn signature_header(keys: &[Vec<u8>], id: &str, timestamp: i64, body: &[u8]) -> String {
    keys.iter()
        .map(|k| sign(k, id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether any `v1` signature of `header` is the message's under `key`, compared in
/// constant time (`Mac::verify_slice`). Kriya only signs; receivers (and the tests) verify.
pub fn verify(key: &[u8], id: &str, timestamp: i64, body: &[u8], header: &str) -> bool {
    header.split(' ').any(|sig| {
        let Some(encoded) = sig.strip_prefix("v1,") else {
            return false;
        };
        let Ok(tag) = STANDARD.decode(encoded) else {
            return false;
        };
        mac(key, id, timestamp, body).verify_slice(&tag).is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Standard Webhooks reference libraries' `test_sign_function` (python,
    /// github.com/standard-webhooks/standard-webhooks, libraries/python/tests/test_webhooks.py).
    #[test]
    fn signs_the_specifications_example() {
        let key = key_of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = br#"{"test": 2432232314}"#;
        let signature = sign(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, body);
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn verifies_any_one_matching_signature_and_nothing_else() {
        let key = key_of(&new_secret()).unwrap();
        let other = key_of(&new_secret()).unwrap();
        let header = signature_header(&[other.clone(), key.clone()], "msg_1", 7, b"body");
        assert!(verify(&key, "msg_1", 7, b"body", &header));
        assert!(verify(&other, "msg_1", 7, b"body", &header));
        assert!(!verify(&key, "msg_1", 7, b"bodY", &header));
        assert!(!verify(&key, "msg_1", 8, b"body", &header));
        assert!(!verify(&key, "msg_1", 7, b"body", "v2,AAAA v1,!!!"));
    }

    #[test]
    fn secrets_are_thirty_two_random_bytes() {
        let (a, b) = (new_secret(), new_secret());
        assert!(a.starts_with("whsec_"));
        assert_ne!(a, b);
        assert_eq!(key_of(&a).unwrap().len(), 32);
        assert_eq!(key_of("whsec_not base64"), None);
    }
}
