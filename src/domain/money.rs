//! Money is integer rupiah.

use serde::{Deserialize, Serialize};

/// A positive price in whole rupiah.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PriceIdr(i64);

/// One trillion rupiah: far above any craft, low enough that sums of many lines fit in i64.
pub const MAX_PRICE_IDR: i64 = 1_000_000_000_000;

impl PriceIdr {
    pub fn parse(raw: i64) -> Result<Self, String> {
        if raw <= 0 {
            Err("must be greater than 0".to_owned())
        } else if raw > MAX_PRICE_IDR {
            Err(format!("must be at most {MAX_PRICE_IDR}"))
        } else {
            Ok(Self(raw))
        }
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_positive_bounded_amounts() {
        assert!(PriceIdr::parse(0).is_err());
        assert!(PriceIdr::parse(-5).is_err());
        assert_eq!(PriceIdr::parse(185_555).unwrap().get(), 185_555);
        assert!(PriceIdr::parse(MAX_PRICE_IDR + 1).is_err());
    }
}
