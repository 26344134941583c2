//! Stock-keeping unit codes.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Sku(String);

impl Sku {
    /// 1–64 characters of `A–Z a–z 0–9 . _ -`, starting with a letter or digit.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s = raw.trim();
        if s.is_empty() {
            return Err("must not be empty".to_owned());
        }
        if s.len() > 64 {
            return Err("must be at most 64 characters".to_owned());
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            return Err("may contain only letters, digits, '.', '_' and '-'".to_owned());
        }
        if !s.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err("must start with a letter or digit".to_owned());
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::Sku;

    #[test]
    fn charset_and_length() {
        assert!(Sku::parse("LEAF-01.a_b").is_ok());
        assert!(Sku::parse("").is_err());
        assert!(Sku::parse("-LEAD").is_err());
        assert!(Sku::parse("has space").is_err());
        assert!(Sku::parse("ünï").is_err());
        assert!(Sku::parse(&"A".repeat(65)).is_err());
    }
}
