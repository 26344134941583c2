//! Sellers: Malang's kecamatan, contact numbers, business registration.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::text::bounded;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SellerStatus {
    Pending,
    Active,
    Suspended,
}

impl SellerStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SellerStatus::Pending => "pending",
            SellerStatus::Active => "active",
            SellerStatus::Suspended => "suspended",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "pending" => Ok(SellerStatus::Pending),
            "active" => Ok(SellerStatus::Active),
            "suspended" => Ok(SellerStatus::Suspended),
            _ => Err("must be one of pending, active, suspended".to_owned()),
        }
    }
}

/// Malang's five kecamatan, in their canonical spelling.
pub const KECAMATAN: [&str; 5] = ["Blimbing", "Klojen", "Kedungkandang", "Sukun", "Lowokwaru"];

pub fn parse_kecamatan(raw: &str) -> Result<String, String> {
    let s = raw.trim();
    KECAMATAN
        .iter()
        .find(|k| k.eq_ignore_ascii_case(s))
        .map(|k| (*k).to_owned())
        .ok_or_else(|| format!("must be one of {}", KECAMATAN.join(", ")))
}

pub use super::phone::parse_whatsapp;

/// Nomor Induk Berusaha: 13 digits.
pub fn parse_nib(raw: &str) -> Result<String, String> {
    let s = raw.trim();
    if s.len() == 13 && s.chars().all(|c| c.is_ascii_digit()) {
        Ok(s.to_owned())
    } else {
        Err("must be the 13-digit NIB".to_owned())
    }
}

pub fn parse_business_name(raw: &str) -> Result<String, String> {
    bounded(raw, 2, 120, false)
}

pub fn parse_story(raw: &str) -> Result<String, String> {
    bounded(raw, 0, 5000, true)
}

pub fn parse_kelurahan(raw: &str) -> Result<String, String> {
    bounded(raw, 2, 60, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kecamatan_is_canonical() {
        assert_eq!(parse_kecamatan("klojen").unwrap(), "Klojen");
        assert!(parse_kecamatan("Batu").is_err());
    }

    #[test]
    fn whatsapp_is_normalised() {
        assert_eq!(parse_whatsapp("0812-3456-7890").unwrap(), "+6281234567890");
        assert_eq!(parse_whatsapp("+62 812 3456 789").unwrap(), "+628123456789");
        assert!(parse_whatsapp("0341 123456").is_err());
        assert!(parse_whatsapp("hello").is_err());
    }

    #[test]
    fn nib_has_thirteen_digits() {
        assert!(parse_nib("1234567890123").is_ok());
        assert!(parse_nib("12345").is_err());
    }
}
