//! Consignment rules: commission rates, terms, statement periods and their arithmetic.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A commission rate in basis points (1750 = 17.5 %).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Bps(i32);

impl Bps {
    pub fn parse(raw: i64) -> Result<Self, String> {
        if (0..=10_000).contains(&raw) {
            Ok(Self(raw as i32))
        } else {
            Err("must be between 0 and 10000 basis points".to_owned())
        }
    }

    pub fn get(self) -> i32 {
        self.0
    }
}

/// How long goods may stay on a shelf before they should go back: 1 to 365 days.
pub fn parse_term_days(raw: i64) -> Result<i32, String> {
    if (1..=365).contains(&raw) {
        Ok(raw as i32)
    } else {
        Err("must be between 1 and 365 days".to_owned())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgreementStatus {
    Proposed,
    Active,
    Ended,
}

impl AgreementStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AgreementStatus::Proposed => "proposed",
            AgreementStatus::Active => "active",
            AgreementStatus::Ended => "ended",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "proposed" => Ok(AgreementStatus::Proposed),
            "active" => Ok(AgreementStatus::Active),
            "ended" => Ok(AgreementStatus::Ended),
            _ => Err(format!("unknown agreement status {raw}")),
        }
    }
}

/// Malang keeps Western Indonesia Time (UTC+7, no daylight saving); statement months
/// begin and end at its midnight.
pub fn wib() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("valid offset")
}

/// The first instant of a calendar day in Western Indonesia Time.
pub fn day_start(date: NaiveDate) -> DateTime<Utc> {
    wib()
        .from_local_datetime(&date.and_hms_opt(0, 0, 0).expect("midnight"))
        .single()
        .expect("fixed offsets are unambiguous")
        .with_timezone(&Utc)
}

/// A statement month, `YYYY-MM`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Period {
    year: i32,
    month: u32,
}

impl Period {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let bad = || "must be a month as YYYY-MM".to_owned();
        let (y, m) = raw.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        if !(2000..=2999).contains(&year) || !(1..=12).contains(&month) {
            return Err(bad());
        }
        Ok(Self { year, month })
    }

    /// The month (in WIB) an instant falls in.
    pub fn containing(t: DateTime<Utc>) -> Self {
        let local = t.with_timezone(&wib());
        Self {
            year: local.year(),
            month: local.month(),
        }
    }

    pub fn start(&self) -> DateTime<Utc> {
        day_start(self.start_date())
    }

    pub fn next(&self) -> Self {
        if self.month == 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The first instant after the month.
    pub fn end(&self) -> DateTime<Utc> {
        self.next().start()
    }

    /// The month `months` later (earlier when negative).
    pub fn offset(&self, months: i32) -> Self {
        let index = self.year * 12 + self.month as i32 - 1 + months;
        Self {
            year: index.div_euclid(12),
            month: index.rem_euclid(12) as u32 + 1,
        }
    }

    /// Months from `self` to `later` (0 for the same month, negative when `later` is earlier).
    pub fn months_until(&self, later: Period) -> i32 {
        (later.year - self.year) * 12 + later.month as i32 - self.month as i32
    }

    /// The month's first day.
    pub fn start_date(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("valid month")
    }

    /// The month's last day.
    pub fn last_date(&self) -> NaiveDate {
        self.next().start_date().pred_opt().expect("a day before")
    }

    /// The month a calendar date falls in.
    pub fn of_date(date: NaiveDate) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
        }
    }

    /// `Feb 2021`, with Indonesian month names (`Mei`, `Agu`, `Okt`, `Des`).
    pub fn label_id(&self) -> String {
        const NAMES: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des",
        ];
        format!("{} {}", NAMES[self.month as usize - 1], self.year)
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Commission on a statement: Σ(line gross × line rate) / 10 000, rounded half-up ONCE for
/// the whole statement, never per line.
pub fn commission_idr(lines: impl IntoIterator<Item = (i64, i32)>) -> i64 {
    let numerator: i128 = lines
        .into_iter()
        .map(|(gross, bps)| i128::from(gross) * i128::from(bps))
        .sum();
    // Σ gross fits in i64 (checked by the caller) and every rate is at most 100 %, so the
    // commission does too.
    i64::try_from((numerator + 5_000) / 10_000).unwrap_or(i64::MAX)
}

/// What the hotel owes the seller for a month; `None` when it overflows.
pub fn net_idr(gross_idr: i64, commission_idr: i64, missing_charges_idr: i64) -> Option<i64> {
    gross_idr
        .checked_sub(commission_idr)?
        .checked_add(missing_charges_idr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_count_across_years() {
        let feb = Period::parse("2021-02").unwrap();
        assert_eq!(feb.offset(-2).to_string(), "2020-12");
        assert_eq!(feb.offset(11).to_string(), "2022-01");
        assert_eq!(feb.offset(0), feb);
        assert_eq!(feb.months_until(Period::parse("2022-01").unwrap()), 11);
        assert_eq!(feb.months_until(Period::parse("2020-12").unwrap()), -2);
        assert_eq!(feb.label_id(), "Feb 2021");
        assert_eq!(feb.last_date().to_string(), "2021-02-28");
        assert_eq!(feb.offset(-1).last_date().to_string(), "2021-01-31");
        assert_eq!(Period::parse("2021-08").unwrap().label_id(), "Agu 2021");
    }

    #[test]
    fn commission_is_rounded_half_up_once() {
        // 7 × 185 555 at 17.5 %: 227 304.875 → 227 305.
        assert_eq!(commission_idr([(7 * 185_555, 1750)]), 227_305);
        // Per-line rounding would give 7 × 32 472 = 227 304; once per statement is 227 305.
        assert_eq!(commission_idr((0..7).map(|_| (185_555, 1750))), 227_305);
        assert_eq!(commission_idr([(1, 5000)]), 1, "0.5 rounds up");
        assert_eq!(commission_idr([(1, 4999)]), 0);
        assert_eq!(net_idr(1_298_885, 227_305, 185_555), Some(1_257_135));
        assert_eq!(net_idr(i64::MAX, 0, 1), None);
    }

    #[test]
    fn periods_follow_western_indonesia_time() {
        let p = Period::parse("2026-11").unwrap();
        assert_eq!(p.start().to_rfc3339(), "2026-10-31T17:00:00+00:00");
        assert_eq!(p.end().to_rfc3339(), "2026-11-30T17:00:00+00:00");
        assert_eq!(
            Period::parse("2026-12").unwrap().next().to_string(),
            "2027-01"
        );
        let late_utc = DateTime::parse_from_rfc3339("2026-11-30T18:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(Period::containing(late_utc).to_string(), "2026-12");
        for bad in ["2026-13", "26-11", "2026/11", "2026-1", "abcd-ef"] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bps_are_bounded() {
        assert!(Bps::parse(-1).is_err());
        assert!(Bps::parse(10_001).is_err());
        assert_eq!(Bps::parse(1750).unwrap().get(), 1750);
    }
}
