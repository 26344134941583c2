//! Where units of a variant are, and why they move.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A place a unit can be. Every unit ever added is in exactly one of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Location {
    /// The seller's own stock.
    Own,
    /// On its way to a hotel, in one consignment.
    InTransit {
        consignment_id: Uuid,
    },
    /// On a hotel's shelf under one agreement.
    Shelf {
        agreement_id: Uuid,
        hotel_id: Uuid,
    },
    Sold,
    Missing,
    AdjustedOut,
    /// Held for one part of an online order until it completes or is cancelled.
    Reserved {
        part_id: Uuid,
    },
    /// Sold through an online order.
    SoldOnline,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LocationKind {
    Own,
    InTransit,
    Shelf,
    Sold,
    Missing,
    AdjustedOut,
    Reserved,
    SoldOnline,
}

impl LocationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LocationKind::Own => "own",
            LocationKind::InTransit => "in_transit",
            LocationKind::Shelf => "shelf",
            LocationKind::Sold => "sold",
            LocationKind::Missing => "missing",
            LocationKind::AdjustedOut => "adjusted_out",
            LocationKind::Reserved => "reserved",
            LocationKind::SoldOnline => "sold_online",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "own" => LocationKind::Own,
            "in_transit" => LocationKind::InTransit,
            "shelf" => LocationKind::Shelf,
            "sold" => LocationKind::Sold,
            "missing" => LocationKind::Missing,
            "adjusted_out" => LocationKind::AdjustedOut,
            "reserved" => LocationKind::Reserved,
            "sold_online" => LocationKind::SoldOnline,
            _ => return None,
        })
    }
}

impl Location {
    /// The key a balance row and a movement use for this location.
    pub fn key(&self) -> String {
        match self {
            Location::Own => "own".to_owned(),
            Location::InTransit { consignment_id } => format!("transit:{consignment_id}"),
            Location::Shelf { agreement_id, .. } => format!("shelf:{agreement_id}"),
            Location::Sold => "sold".to_owned(),
            Location::Missing => "missing".to_owned(),
            Location::AdjustedOut => "adjusted_out".to_owned(),
            Location::Reserved { part_id } => format!("reserved:{part_id}"),
            Location::SoldOnline => "sold_online".to_owned(),
        }
    }

    pub fn kind(&self) -> LocationKind {
        match self {
            Location::Own => LocationKind::Own,
            Location::InTransit { .. } => LocationKind::InTransit,
            Location::Shelf { .. } => LocationKind::Shelf,
            Location::Sold => LocationKind::Sold,
            Location::Missing => LocationKind::Missing,
            Location::AdjustedOut => LocationKind::AdjustedOut,
            Location::Reserved { .. } => LocationKind::Reserved,
            Location::SoldOnline => LocationKind::SoldOnline,
        }
    }

    pub fn hotel_id(&self) -> Option<Uuid> {
        match self {
            Location::Shelf { hotel_id, .. } => Some(*hotel_id),
            _ => None,
        }
    }

    pub fn agreement_id(&self) -> Option<Uuid> {
        match self {
            Location::Shelf { agreement_id, .. } => Some(*agreement_id),
            _ => None,
        }
    }
}

/// Why units moved; kept on every ledger row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The seller made or bought more.
    Restock,
    /// The seller corrected its own count downwards.
    Correction,
    Dispatch,
    Receive,
    /// Dispatched but not received: recorded, not charged to the hotel.
    ReceiveShortfall,
    Sale,
    Return,
    /// Missing at a hotel's stock count: charged to the hotel.
    CountMissing,
    /// Held for an online order's part at checkout.
    Reserve,
    /// An online order's part was cancelled or expired: its units are the seller's again.
    Release,
    /// An online order's part completed.
    SaleOnline,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Restock => "restock",
            Reason::Correction => "correction",
            Reason::Dispatch => "dispatch",
            Reason::Receive => "receive",
            Reason::ReceiveShortfall => "receive_shortfall",
            Reason::Sale => "sale",
            Reason::Return => "return",
            Reason::CountMissing => "count_missing",
            Reason::Reserve => "reserve",
            Reason::Release => "release",
            Reason::SaleOnline => "sale_online",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "restock" => Reason::Restock,
            "correction" => Reason::Correction,
            "dispatch" => Reason::Dispatch,
            "receive" => Reason::Receive,
            "receive_shortfall" => Reason::ReceiveShortfall,
            "sale" => Reason::Sale,
            "return" => Reason::Return,
            "count_missing" => Reason::CountMissing,
            "reserve" => Reason::Reserve,
            "release" => Reason::Release,
            "sale_online" => Reason::SaleOnline,
            _ => return None,
        })
    }
}

/// A unit count in a request: 1 to 100 000.
pub fn parse_quantity(raw: i64) -> Result<i64, String> {
    if (1..=100_000).contains(&raw) {
        Ok(raw)
    } else {
        Err("must be between 1 and 100000".to_owned())
    }
}

/// A correction of own stock: a non-zero number of units, at most 100 000 either way.
/// Checked as a range, never through `abs()`, which wraps `i64::MIN` in a release build.
pub fn parse_adjustment(raw: i64) -> Result<i64, String> {
    if raw != 0 && (-100_000..=100_000).contains(&raw) {
        Ok(raw)
    } else {
        Err("must be a non-zero number of units, at most 100000 either way".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adjustments_are_bounded_both_ways() {
        assert_eq!(parse_adjustment(-100_000), Ok(-100_000));
        assert_eq!(parse_adjustment(100_000), Ok(100_000));
        for bad in [0, 100_001, -100_001, i64::MIN, i64::MAX, i64::MIN + 1] {
            assert!(parse_adjustment(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn keys_are_distinct_per_place() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let shelf = Location::Shelf {
            agreement_id: a,
            hotel_id: b,
        };
        assert_eq!(shelf.key(), format!("shelf:{a}"));
        assert_ne!(Location::InTransit { consignment_id: a }.key(), shelf.key());
        assert_eq!(shelf.kind(), LocationKind::Shelf);
        assert_eq!(
            Reason::parse(Reason::CountMissing.as_str()),
            Some(Reason::CountMissing)
        );
    }
}
