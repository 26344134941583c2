//! Online orders: the states a seller's part of an order goes through, who may move it,
//! and what the buyer's whole order is made of.

use chrono::{DateTime, Datelike, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::consignment::wib;

/// Lines per order.
pub const MAX_LINES: usize = 50;
/// Units per line.
pub const MAX_QUANTITY: i64 = 100;
/// A shipped part nobody marked received completes on its own after this.
pub const AUTO_COMPLETE_AFTER: Duration = Duration::days(14);
/// The highest shipping cost a seller may quote (a sanity bound, 10 million rupiah).
pub const MAX_SHIPPING_IDR: i64 = 10_000_000;

/// How long a part may wait in each waiting status (from its last step) before it expires
/// and its units go back: shorter for the seller's confirmation than for the buyer's
/// payment, so an order nobody takes up frees its units soon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Holds {
    /// Awaiting the seller's confirmation (`KRIYA_ORDER_CONFIRM_HOLD_HOURS`).
    pub confirm: Duration,
    /// Awaiting the buyer's payment (`KRIYA_ORDER_PAYMENT_HOLD_HOURS`).
    pub payment: Duration,
}

impl Default for Holds {
    /// 24 hours for the seller's confirmation, 48 for the buyer's payment.
    fn default() -> Self {
        Holds {
            confirm: Duration::hours(24),
            payment: Duration::hours(48),
        }
    }
}

impl Holds {
    /// The hold of a waiting status; `None` for a status that does not expire.
    pub fn of(self, status: PartStatus) -> Option<Duration> {
        match status {
            PartStatus::AwaitingConfirmation => Some(self.confirm),
            PartStatus::AwaitingPayment => Some(self.payment),
            _ => None,
        }
    }

    /// The shorter of the two, which the sweep's pace follows.
    pub fn shorter(self) -> Duration {
        self.confirm.min(self.payment)
    }
}

/// What one buyer may hold at once, so nobody can tie up a seller's stock in orders that
/// are never confirmed or paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FairUse {
    /// Units of one variant a buyer may hold in parts awaiting confirmation or payment,
    /// counting the checkout's own (`KRIYA_ORDER_MAX_UNITS_PER_VARIANT`).
    pub max_units_per_variant: i64,
    /// A buyer's parts awaiting their sellers' confirmation at once, counting the
    /// checkout's own (`KRIYA_ORDER_MAX_OPEN_PARTS`).
    pub max_open_parts: i64,
    /// The share (percent) of a variant's units on hand (the seller's own stock plus what
    /// the buyer holds of it) one buyer may hold in parts awaiting confirmation or payment,
    /// though always at least one unit (`KRIYA_ORDER_MAX_SHARE_PERCENT`; 100: no such limit).
    pub max_share_percent: i64,
}

impl Default for FairUse {
    fn default() -> Self {
        FairUse {
            max_units_per_variant: 20,
            max_open_parts: 10,
            max_share_percent: 50,
        }
    }
}

impl FairUse {
    /// No limit at all (load generators, tools).
    pub const UNLIMITED: FairUse = FairUse {
        max_units_per_variant: i64::MAX,
        max_open_parts: i64::MAX,
        max_share_percent: 100,
    };
}

/// Where one seller's part of an order stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartStatus {
    /// Placed; the seller has to confirm it and quote shipping.
    AwaitingConfirmation,
    /// Confirmed; the buyer has to pay (transfer or QRIS).
    AwaitingPayment,
    /// The seller saw the money arrive.
    Paid,
    Shipped,
    /// Received (or 14 days shipped): the units are sold.
    Completed,
    Cancelled,
    /// Not confirmed or not paid in time.
    Expired,
}

impl PartStatus {
    pub const ALL: [PartStatus; 7] = [
        PartStatus::AwaitingConfirmation,
        PartStatus::AwaitingPayment,
        PartStatus::Paid,
        PartStatus::Shipped,
        PartStatus::Completed,
        PartStatus::Cancelled,
        PartStatus::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PartStatus::AwaitingConfirmation => "awaiting_confirmation",
            PartStatus::AwaitingPayment => "awaiting_payment",
            PartStatus::Paid => "paid",
            PartStatus::Shipped => "shipped",
            PartStatus::Completed => "completed",
            PartStatus::Cancelled => "cancelled",
            PartStatus::Expired => "expired",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|s| s.as_str()).collect();
                format!("must be one of {}", names.join(", "))
            })
    }

    /// Still moving: its units are reserved.
    pub fn in_progress(self) -> bool {
        matches!(
            self,
            PartStatus::AwaitingConfirmation
                | PartStatus::AwaitingPayment
                | PartStatus::Paid
                | PartStatus::Shipped
        )
    }

    /// Waiting on someone within the hold time (expires when it runs out).
    pub fn expires(self) -> bool {
        matches!(
            self,
            PartStatus::AwaitingConfirmation | PartStatus::AwaitingPayment
        )
    }
}

/// Who moved a part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    Buyer,
    Seller,
    /// The sweep: expiry and completion after 14 days.
    System,
}

impl Actor {
    pub fn as_str(self) -> &'static str {
        match self {
            Actor::Buyer => "buyer",
            Actor::Seller => "seller",
            Actor::System => "system",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "buyer" => Actor::Buyer,
            "seller" => Actor::Seller,
            "system" => Actor::System,
            _ => return None,
        })
    }
}

/// A move of a part from one status to the next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    Confirm,
    MarkPaid,
    Ship,
    Receive,
    Cancel,
    /// The seller will not take the part: cancelled before it was confirmed.
    Decline,
    Expire,
    AutoComplete,
}

impl Transition {
    /// The statuses it may start from, and where it leads.
    pub fn from_to(self, actor: Actor) -> (&'static [PartStatus], PartStatus) {
        use PartStatus::*;
        match self {
            Transition::Confirm => (&[AwaitingConfirmation], AwaitingPayment),
            Transition::MarkPaid => (&[AwaitingPayment], Paid),
            Transition::Ship => (&[Paid], Shipped),
            Transition::Receive | Transition::AutoComplete => (&[Shipped], Completed),
            Transition::Cancel if actor == Actor::Seller => {
                (&[AwaitingConfirmation, AwaitingPayment, Paid], Cancelled)
            }
            Transition::Cancel => (&[AwaitingConfirmation, AwaitingPayment], Cancelled),
            Transition::Decline => (&[AwaitingConfirmation], Cancelled),
            Transition::Expire => (&[AwaitingConfirmation, AwaitingPayment], Expired),
        }
    }

    /// Who may make it (the sweep makes the automatic ones).
    pub fn allowed(self, actor: Actor) -> bool {
        match self {
            Transition::Confirm | Transition::MarkPaid | Transition::Ship | Transition::Decline => {
                actor == Actor::Seller
            }
            Transition::Receive => actor == Actor::Buyer,
            Transition::Cancel => actor != Actor::System,
            Transition::Expire | Transition::AutoComplete => actor == Actor::System,
        }
    }

    pub fn verb(self) -> &'static str {
        match self {
            Transition::Confirm => "confirmed",
            Transition::MarkPaid => "marked paid",
            Transition::Ship => "shipped",
            Transition::Receive => "marked received",
            Transition::Cancel => "cancelled",
            Transition::Decline => "declined",
            Transition::Expire => "expired",
            Transition::AutoComplete => "completed",
        }
    }
}

/// The buyer's whole order, summarised from its parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// A part is still in progress.
    Open,
    Completed,
    /// Every part was cancelled or expired.
    Cancelled,
    /// Some parts completed, the others were cancelled or expired.
    PartlyCompleted,
}

pub fn order_status(parts: impl IntoIterator<Item = PartStatus>) -> OrderStatus {
    let (mut open, mut completed, mut ended) = (false, false, false);
    for p in parts {
        match p {
            p if p.in_progress() => open = true,
            PartStatus::Completed => completed = true,
            _ => ended = true,
        }
    }
    match (open, completed, ended) {
        (true, _, _) => OrderStatus::Open,
        (false, true, false) => OrderStatus::Completed,
        (false, true, true) => OrderStatus::PartlyCompleted,
        _ => OrderStatus::Cancelled,
    }
}

/// The year an order number counts in: the calendar year in Western Indonesia Time.
pub fn number_year(at: DateTime<Utc>) -> i32 {
    at.with_timezone(&wib()).year()
}

/// `KRY-2026-000042`.
pub fn format_number(year: i32, seq: i32) -> String {
    format!("KRY-{year}-{seq:06}")
}

/// An Indonesian postal code: five digits.
pub fn parse_postal_code(raw: &str) -> Result<String, String> {
    let s = raw.trim();
    if s.len() == 5 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_owned())
    } else {
        Err("must be five digits".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PartStatus::*;

    #[test]
    fn the_order_status_summarises_its_parts() {
        assert_eq!(
            order_status([AwaitingPayment, Completed]),
            OrderStatus::Open
        );
        assert_eq!(order_status([Completed, Completed]), OrderStatus::Completed);
        assert_eq!(
            order_status([Completed, Expired]),
            OrderStatus::PartlyCompleted
        );
        assert_eq!(order_status([Cancelled, Expired]), OrderStatus::Cancelled);
    }

    #[test]
    fn cancelling_depends_on_who_asks() {
        let (buyer, _) = Transition::Cancel.from_to(Actor::Buyer);
        let (seller, _) = Transition::Cancel.from_to(Actor::Seller);
        assert!(!buyer.contains(&Paid));
        assert!(seller.contains(&Paid));
        assert!(!seller.contains(&Shipped));
        assert!(!Transition::Confirm.allowed(Actor::Buyer));
        assert!(!Transition::Receive.allowed(Actor::Seller));
        assert!(!Transition::Expire.allowed(Actor::Seller));
        assert!(!Transition::Decline.allowed(Actor::Buyer));
        assert_eq!(
            Transition::Decline.from_to(Actor::Seller),
            (&[AwaitingConfirmation][..], Cancelled)
        );
    }

    #[test]
    fn a_part_waits_less_for_its_seller_than_for_payment() {
        let holds = Holds::default();
        assert_eq!(holds.of(AwaitingConfirmation), Some(Duration::hours(24)));
        assert_eq!(holds.of(AwaitingPayment), Some(Duration::hours(48)));
        assert_eq!(holds.of(Shipped), None);
        assert_eq!(holds.shorter(), Duration::hours(24));
    }

    #[test]
    fn numbers_count_in_wib_years() {
        let new_year_wib = "2026-12-31T17:30:00Z".parse().unwrap();
        assert_eq!(number_year(new_year_wib), 2027);
        assert_eq!(format_number(2026, 42), "KRY-2026-000042");
        assert!(parse_postal_code("6511").is_err());
        assert_eq!(parse_postal_code(" 65119 ").unwrap(), "65119");
    }
}
