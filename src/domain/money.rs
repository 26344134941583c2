//! Money is integer rupiah.

use serde::{Deserialize, Serialize};

/// A positive price in whole rupiah.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PriceIdr(i64);

/// One trillion rupiah: far above any craft. A line of 100 000 units at this price fits in
/// i64, but sums of many such lines do not: they are checked (`sum_idr`).
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

/// `quantity × unit price`, or `None` when it leaves the range Kriya keeps money in.
pub fn line_idr(quantity: i64, unit_price_idr: i64) -> Option<i64> {
    quantity.checked_mul(unit_price_idr)
}

/// A sum of amounts, or `None` when it overflows: money never wraps.
pub fn sum_idr(amounts: impl IntoIterator<Item = i64>) -> Option<i64> {
    amounts.into_iter().try_fold(0_i64, i64::checked_add)
}

/// Σ quantity × unit price over lines, or `None` when any step overflows.
pub fn lines_idr(lines: impl IntoIterator<Item = (i64, i64)>) -> Option<i64> {
    lines.into_iter().try_fold(0_i64, |sum, (quantity, price)| {
        sum.checked_add(line_idr(quantity, price)?)
    })
}

/// An amount as Indonesians write it: `Rp 1.250.000` (a dot between thousands, no cents).
pub fn rupiah(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(d);
    }
    let sign = if amount < 0 { "-" } else { "" };
    format!("{sign}Rp {grouped}")
}

/// The message of a 422 for an amount too large to record.
pub const TOO_LARGE: &str = "makes an amount larger than Kriya can record";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rupiah_is_written_the_indonesian_way() {
        assert_eq!(rupiah(0), "Rp 0");
        assert_eq!(rupiah(950), "Rp 950");
        assert_eq!(rupiah(185_000), "Rp 185.000");
        assert_eq!(rupiah(1_250_000), "Rp 1.250.000");
        assert_eq!(rupiah(-5_000), "-Rp 5.000");
        assert_eq!(rupiah(i64::MIN), "-Rp 9.223.372.036.854.775.808");
    }

    #[test]
    fn sums_and_products_never_wrap() {
        assert_eq!(
            line_idr(100_000, MAX_PRICE_IDR),
            Some(100_000_000_000_000_000)
        );
        assert_eq!(line_idr(100_000, i64::MAX / 10), None);
        assert_eq!(sum_idr([1, 2, 3]), Some(6));
        assert_eq!(
            sum_idr(std::iter::repeat_n(100_000 * MAX_PRICE_IDR, 93)),
            None
        );
        assert_eq!(sum_idr([i64::MAX, 1]), None);
        assert_eq!(sum_idr([]), Some(0));
        assert_eq!(lines_idr([(2, 5), (3, 7)]), Some(31));
        assert_eq!(
            lines_idr(std::iter::repeat_n((100_000, MAX_PRICE_IDR), 93)),
            None
        );
    }

    #[test]
    fn only_positive_bounded_amounts() {
        assert!(PriceIdr::parse(0).is_err());
        assert!(PriceIdr::parse(-5).is_err());
        assert_eq!(PriceIdr::parse(185_555).unwrap().get(), 185_555);
        assert!(PriceIdr::parse(MAX_PRICE_IDR + 1).is_err());
    }
}
