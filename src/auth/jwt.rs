//! Short-lived access tokens: HS256 only, issuer and audience checked.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::account::Role;

const ISSUER: &str = "kriya";
const AUDIENCE: &str = "kriya-api";

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    pub role: Role,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub ttl_secs: u64,
}

impl JwtKeys {
    pub fn new(secret: &[u8], ttl_secs: u64) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl_secs,
        }
    }

    pub fn issue(&self, user_id: Uuid, role: Role) -> Result<String, String> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user_id,
            role,
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            iat: now,
            exp: now + self.ttl_secs as i64,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(|e| e.to_string())
    }

    pub fn verify(&self, token: &str) -> Result<Claims, String> {
        decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_other_keys_fail() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef", 60);
        let id = Uuid::now_v7();
        let token = keys.issue(id, Role::Seller).unwrap();
        let claims = keys.verify(&token).unwrap();
        assert_eq!((claims.sub, claims.role), (id, Role::Seller));
        let other = JwtKeys::new(b"another-secret-another-secret-xx", 60);
        assert!(other.verify(&token).is_err());
    }

    #[test]
    fn the_none_algorithm_is_refused() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef", 60);
        // header {"alg":"none","typ":"JWT"}
        let forged = format!(
            "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.",
            base64::Engine::encode(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                format!(
                    r#"{{"sub":"{}","role":"admin","iss":"kriya","aud":"kriya-api","iat":0,"exp":9999999999}}"#,
                    Uuid::now_v7()
                )
            )
        );
        assert!(keys.verify(&forged).is_err());
    }
}
