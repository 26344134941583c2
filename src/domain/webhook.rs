//! Webhooks: the events Kriya announces, who may hear them, and when a failed delivery is
//! tried again.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What happened. The wire names are those of the API (`order_part.paid`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum EventType {
    #[serde(rename = "product.published")]
    ProductPublished,
    #[serde(rename = "product.unpublished")]
    ProductUnpublished,
    #[serde(rename = "order.created")]
    OrderCreated,
    #[serde(rename = "order_part.confirmed")]
    OrderPartConfirmed,
    #[serde(rename = "order_part.paid")]
    OrderPartPaid,
    #[serde(rename = "order_part.shipped")]
    OrderPartShipped,
    #[serde(rename = "order_part.completed")]
    OrderPartCompleted,
    #[serde(rename = "order_part.cancelled")]
    OrderPartCancelled,
    #[serde(rename = "order_part.expired")]
    OrderPartExpired,
    #[serde(rename = "consignment.dispatched")]
    ConsignmentDispatched,
    #[serde(rename = "consignment.received")]
    ConsignmentReceived,
    #[serde(rename = "sale.recorded")]
    SaleRecorded,
    #[serde(rename = "stock_count.recorded")]
    StockCountRecorded,
    #[serde(rename = "statement.closed")]
    StatementClosed,
    #[serde(rename = "statement.paid")]
    StatementPaid,
    #[serde(rename = "seller.approved")]
    SellerApproved,
    #[serde(rename = "hotel.approved")]
    HotelApproved,
    /// Sent on request (`POST /v1/webhooks/{id}/test`) to one endpoint.
    #[serde(rename = "webhook.test")]
    WebhookTest,
}

impl EventType {
    pub const ALL: [EventType; 18] = [
        EventType::ProductPublished,
        EventType::ProductUnpublished,
        EventType::OrderCreated,
        EventType::OrderPartConfirmed,
        EventType::OrderPartPaid,
        EventType::OrderPartShipped,
        EventType::OrderPartCompleted,
        EventType::OrderPartCancelled,
        EventType::OrderPartExpired,
        EventType::ConsignmentDispatched,
        EventType::ConsignmentReceived,
        EventType::SaleRecorded,
        EventType::StockCountRecorded,
        EventType::StatementClosed,
        EventType::StatementPaid,
        EventType::SellerApproved,
        EventType::HotelApproved,
        EventType::WebhookTest,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::ProductPublished => "product.published",
            EventType::ProductUnpublished => "product.unpublished",
            EventType::OrderCreated => "order.created",
            EventType::OrderPartConfirmed => "order_part.confirmed",
            EventType::OrderPartPaid => "order_part.paid",
            EventType::OrderPartShipped => "order_part.shipped",
            EventType::OrderPartCompleted => "order_part.completed",
            EventType::OrderPartCancelled => "order_part.cancelled",
            EventType::OrderPartExpired => "order_part.expired",
            EventType::ConsignmentDispatched => "consignment.dispatched",
            EventType::ConsignmentReceived => "consignment.received",
            EventType::SaleRecorded => "sale.recorded",
            EventType::StockCountRecorded => "stock_count.recorded",
            EventType::StatementClosed => "statement.closed",
            EventType::StatementPaid => "statement.paid",
            EventType::SellerApproved => "seller.approved",
            EventType::HotelApproved => "hotel.approved",
            EventType::WebhookTest => "webhook.test",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == raw)
    }

    /// Events an admin's endpoint hears although the admin is no party to them: every one
    /// but the test event, which goes to the endpoint it was asked for only.
    pub fn subscribable(self) -> bool {
        self != EventType::WebhookTest
    }
}

/// Who, besides admins, an event is about: a seller's and a hotel's endpoints hear only
/// events naming them here.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Audience {
    pub seller_id: Option<uuid::Uuid>,
    pub hotel_id: Option<uuid::Uuid>,
    /// Whether admins' endpoints hear it (a seller's copy of a sale that several sellers
    /// share is not for admins: they hear the whole sale once).
    pub admins: bool,
}

impl Audience {
    pub fn seller(seller_id: uuid::Uuid) -> Self {
        Audience {
            seller_id: Some(seller_id),
            hotel_id: None,
            admins: true,
        }
    }

    pub fn hotel(hotel_id: uuid::Uuid) -> Self {
        Audience {
            seller_id: None,
            hotel_id: Some(hotel_id),
            admins: true,
        }
    }

    pub fn both(seller_id: uuid::Uuid, hotel_id: uuid::Uuid) -> Self {
        Audience {
            seller_id: Some(seller_id),
            hotel_id: Some(hotel_id),
            admins: true,
        }
    }
}

/// Whose an endpoint is, and so which events it may hear.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    Seller(uuid::Uuid),
    Hotel(uuid::Uuid),
    Admin,
}

impl Owner {
    /// An endpoint hears an event when its owner is a party to it (admins: every event
    /// meant for admins).
    pub fn hears(self, audience: &Audience) -> bool {
        match self {
            Owner::Seller(id) => audience.seller_id == Some(id),
            Owner::Hotel(id) => audience.hotel_id == Some(id),
            Owner::Admin => audience.admins,
        }
    }
}

/// The retry schedule of SPEC: after the first failed attempt wait about 5 s, then 5 min,
/// 30 min, 2 h, 5 h, 10 h, 10 h; then give up.
pub const DEFAULT_SCHEDULE: [u64; 7] = [5, 300, 1800, 7200, 18_000, 36_000, 36_000];

/// An endpoint failing every attempt this long is disabled.
pub const DISABLE_AFTER: chrono::Duration = chrono::Duration::days(5);

/// The largest body Kriya sends.
pub const MAX_PAYLOAD: usize = 256 * 1024;

/// A `Retry-After` is honoured up to this long.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// Parses `KRIYA_WEBHOOK_RETRY_SCHEDULE`: whole seconds separated by commas, at least one,
/// each at most a week.
pub fn parse_schedule(raw: &str) -> Result<Vec<u64>, String> {
    let steps = raw
        .split(',')
        .map(|s| {
            let s = s.trim();
            s.parse::<u64>()
                .ok()
                .filter(|n| *n <= 7 * 24 * 3600)
                .ok_or_else(|| format!("{s:?} is not a number of seconds up to a week"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if steps.is_empty() {
        return Err("needs at least one delay".to_owned());
    }
    Ok(steps)
}

/// How long to wait after the `attempts`-th attempt failed, or `None` once the schedule is
/// spent. `jitter` in [-1, 1] moves the wait by up to a tenth either way; a `retry_after`
/// the receiver asked for is waited at least (up to a day).
pub fn next_delay(
    schedule: &[u64],
    attempts: u32,
    jitter: f64,
    retry_after: Option<Duration>,
) -> Option<Duration> {
    let base = *schedule.get(attempts.checked_sub(1)? as usize)?;
    let factor = 1.0 + 0.1 * jitter.clamp(-1.0, 1.0);
    let delay = Duration::from_secs_f64(base as f64 * factor);
    Some(match retry_after {
        Some(asked) => delay.max(asked.min(MAX_RETRY_AFTER)),
        None => delay,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_type_round_trips_through_its_name() {
        for t in EventType::ALL {
            assert_eq!(EventType::parse(t.as_str()), Some(t));
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(json, format!("\"{}\"", t.as_str()));
        }
        assert_eq!(EventType::parse("order.deleted"), None);
    }

    #[test]
    fn the_schedule_waits_longer_each_time_then_gives_up() {
        let s = DEFAULT_SCHEDULE;
        assert_eq!(next_delay(&s, 1, 0.0, None), Some(Duration::from_secs(5)));
        assert_eq!(next_delay(&s, 2, 0.0, None), Some(Duration::from_secs(300)));
        assert_eq!(
            next_delay(&s, 7, 0.0, None),
            Some(Duration::from_secs(36_000))
        );
        assert_eq!(next_delay(&s, 8, 0.0, None), None);
        assert_eq!(next_delay(&s, 0, 0.0, None), None);
        let late = next_delay(&s, 2, 1.0, None).unwrap();
        assert_eq!(late, Duration::from_secs(330));
        let early = next_delay(&s, 2, -1.0, None).unwrap();
        assert_eq!(early, Duration::from_secs(270));
    }

    #[test]
    fn retry_after_is_honoured_up_to_a_day() {
        let s = [1, 1];
        let asked = Some(Duration::from_secs(120));
        assert_eq!(
            next_delay(&s, 1, 0.0, asked),
            Some(Duration::from_secs(120))
        );
        let too_long = Some(Duration::from_secs(10 * 24 * 3600));
        assert_eq!(next_delay(&s, 1, 0.0, too_long), Some(MAX_RETRY_AFTER));
    }

    #[test]
    fn a_schedule_is_whole_seconds_separated_by_commas() {
        assert_eq!(parse_schedule("1, 2,3"), Ok(vec![1, 2, 3]));
        assert!(parse_schedule("").is_err());
        assert!(parse_schedule("1,,2").is_err());
        assert!(parse_schedule("-1").is_err());
        assert!(parse_schedule("1.5").is_err());
        assert!(parse_schedule("99999999").is_err());
    }

    #[test]
    fn an_endpoint_hears_only_what_its_owner_is_party_to() {
        let (s1, s2, h) = (
            uuid::Uuid::now_v7(),
            uuid::Uuid::now_v7(),
            uuid::Uuid::now_v7(),
        );
        let consignment = Audience::both(s1, h);
        assert!(Owner::Seller(s1).hears(&consignment));
        assert!(!Owner::Seller(s2).hears(&consignment));
        assert!(Owner::Hotel(h).hears(&consignment));
        assert!(Owner::Admin.hears(&consignment));
        let sellers_copy = Audience {
            admins: false,
            ..Audience::seller(s2)
        };
        assert!(!Owner::Admin.hears(&sellers_copy));
        assert!(!Owner::Hotel(h).hears(&Audience::seller(s1)));
    }
}
