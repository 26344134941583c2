//! Accounts: e-mail addresses, passwords and roles.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Buyer,
    Seller,
    Hotel,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Buyer => "buyer",
            Role::Seller => "seller",
            Role::Hotel => "hotel",
            Role::Admin => "admin",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "buyer" => Ok(Role::Buyer),
            "seller" => Ok(Role::Seller),
            "hotel" => Ok(Role::Hotel),
            "admin" => Ok(Role::Admin),
            _ => Err("must be one of buyer, seller, hotel, admin".to_owned()),
        }
    }

    /// Roles anyone may register for; admins are created by an operator.
    pub fn parse_self_service(raw: &str) -> Result<Self, String> {
        match Role::parse(raw) {
            Ok(Role::Admin) | Err(_) => Err("must be one of buyer, seller, hotel".to_owned()),
            Ok(role) => Ok(role),
        }
    }
}

/// A lower-cased e-mail address of plausible shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s = raw.trim().to_lowercase();
        let bad = || Err("must be an e-mail address".to_owned());
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return bad();
        }
        let Some((local, domain)) = s.split_once('@') else {
            return bad();
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !domain.contains('@');
        if local.is_empty() || local.len() > 64 || !domain_ok {
            return bad();
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password of acceptable length (it is hashed, never stored).
pub struct Password(String);

impl Password {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let len = raw.chars().count();
        if len < 10 {
            return Err("must be at least 10 characters".to_owned());
        }
        if len > 128 {
            return Err("must be at most 128 characters".to_owned());
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised() {
        assert_eq!(
            Email::parse(" Sri@Batik.ID ").unwrap().as_str(),
            "sri@batik.id"
        );
        for bad in ["", "no-at", "a@b", "a@.b.c", "a b@c.d", "@c.d", "a@b..c"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn admin_is_not_self_service() {
        assert!(Role::parse_self_service("admin").is_err());
        assert_eq!(Role::parse_self_service("seller"), Ok(Role::Seller));
    }
}
