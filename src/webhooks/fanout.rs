//! Fan-out: each new event becomes one pending delivery per enabled endpoint that hears it
//! (subscribed to its type, and its owner a party to it). One transaction per batch: the
//! deliveries exist exactly when the event is marked fanned out. On PostgreSQL the events
//! are claimed `FOR UPDATE SKIP LOCKED`, so replicas fan out different events.

use uuid::Uuid;

use crate::db::webhook_deliveries::{self, DeliveryRow, EventRow, PENDING};
use crate::db::webhook_endpoints::{self, EndpointRow};
use crate::db::{DbConn, write_tx};
use crate::domain::webhook::{Audience, EventType, Owner};
use crate::domain::{new_id, now};
use crate::error::{AppError, AppResult};

/// Events fanned out per transaction.
const BATCH: i64 = 200;

/// The owner of an endpoint row.
pub fn owner_of(row: &EndpointRow) -> Option<Owner> {
    match (row.owner_kind.as_str(), row.party_id) {
        ("seller", Some(id)) => Some(Owner::Seller(id.0)),
        ("hotel", Some(id)) => Some(Owner::Hotel(id.0)),
        ("admin", None) => Some(Owner::Admin),
        _ => None,
    }
}

/// The event types an endpoint row subscribes to.
pub fn subscriptions(row: &EndpointRow) -> Vec<EventType> {
    row.events
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().and_then(EventType::parse))
                .collect()
        })
        .unwrap_or_default()
}

struct Listener {
    id: Uuid,
    owner: Owner,
    events: Vec<EventType>,
}

fn hears(listener: &Listener, event: &EventRow) -> bool {
    if let Some(target) = event.endpoint_id {
        return target.0 == listener.id;
    }
    let audience = Audience {
        seller_id: event.seller_id.map(|i| i.0),
        hotel_id: event.hotel_id.map(|i| i.0),
        admins: event.admins,
    };
    EventType::parse(&event.kind).is_some_and(|t| listener.events.contains(&t))
        && listener.owner.hears(&audience)
}

/// Fans out one batch; returns how many events it took.
pub fn fan_out_once(conn: &mut DbConn) -> AppResult<usize> {
    write_tx(conn, |conn| {
        let events = webhook_deliveries::claim_unfanned(conn, BATCH)?;
        if events.is_empty() {
            return Ok(0);
        }
        let listeners: Vec<Listener> = webhook_endpoints::enabled(conn)?
            .iter()
            .filter_map(|row| {
                Some(Listener {
                    id: row.id,
                    owner: owner_of(row)?,
                    events: subscriptions(row),
                })
            })
            .collect();
        let at = now();
        for event in &events {
            for listener in listeners.iter().filter(|l| hears(l, event)) {
                webhook_deliveries::insert_delivery(
                    conn,
                    DeliveryRow {
                        id: new_id(),
                        endpoint_id: listener.id,
                        event_id: event.id,
                        status: PENDING.to_owned(),
                        attempts: 0,
                        next_attempt_at: Some(crate::db::portable::DbTime(at)),
                        created_at: at,
                    },
                )?;
            }
        }
        let ids: Vec<Uuid> = events.iter().map(|e| e.id).collect();
        webhook_deliveries::mark_fanned(conn, &ids)?;
        Ok::<_, AppError>(events.len())
    })
}
