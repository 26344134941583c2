//! A part's moves: confirm, mark paid, ship, received, cancel (by its seller or buyer) and
//! the sweep's expiry and completion. Each move is a compare-and-set on the part's status in
//! one transaction with its ledger movements and history row, so two racing moves (or two
//! replicas' sweeps) never both happen.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::view::{self, OrderPart};
use crate::auth::AuthUser;
use crate::db::orders::{EventRow, PartChanges, PartRow};
use crate::db::portable::DbId;
use crate::db::stock::{Movement, record};
use crate::db::{self, DbConn, write_tx};
use crate::domain::order::{AUTO_COMPLETE_AFTER, Actor, PartStatus, Transition};
use crate::domain::stock::{Location, Reason};
use crate::domain::webhook::{Audience, EventType};
use crate::domain::{new_id, now};
use crate::error::{AppError, AppResult};
use crate::webhooks;

/// What a caller asks a part to do.
pub enum Step {
    Confirm {
        shipping_idr: i64,
        note: Option<String>,
    },
    MarkPaid {
        reference: String,
    },
    Ship {
        courier: String,
        tracking_number: String,
    },
    Received,
    Cancel {
        reason: String,
    },
}

impl Step {
    fn transition(&self) -> Transition {
        match self {
            Step::Confirm { .. } => Transition::Confirm,
            Step::MarkPaid { .. } => Transition::MarkPaid,
            Step::Ship { .. } => Transition::Ship,
            Step::Received => Transition::Receive,
            Step::Cancel { .. } => Transition::Cancel,
        }
    }

    /// The columns it sets and the note its history row keeps.
    fn changes(self) -> (PartChanges, Option<String>) {
        match self {
            Step::Confirm { shipping_idr, note } => (
                PartChanges {
                    shipping_idr: Some(shipping_idr),
                    ..PartChanges::default()
                },
                note,
            ),
            Step::MarkPaid { reference } => (
                PartChanges {
                    payment_reference: Some(reference.clone()),
                    ..PartChanges::default()
                },
                Some(reference),
            ),
            Step::Ship {
                courier,
                tracking_number,
            } => (
                PartChanges {
                    courier: Some(courier.clone()),
                    tracking_number: Some(tracking_number.clone()),
                    ..PartChanges::default()
                },
                Some(format!("{courier} {tracking_number}")),
            ),
            Step::Received => (PartChanges::default(), None),
            Step::Cancel { reason } => (
                PartChanges {
                    cancel_reason: Some(reason.clone()),
                    ..PartChanges::default()
                },
                Some(reason),
            ),
        }
    }
}

/// `POST /v1/order-parts/{id}/…`: the caller must be the part's seller or the order's buyer
/// (anyone else: 404), allowed to make this move (403), from a status it starts from (409
/// naming the current one).
pub fn step(
    conn: &mut DbConn,
    caller: &AuthUser,
    part_id: Uuid,
    step: Step,
) -> AppResult<OrderPart> {
    write_tx(conn, |conn| {
        let part = db::orders::find_part(conn, part_id)?.ok_or(AppError::NotFound("order part"))?;
        let transition = step.transition();
        let actor = side_allowed(conn, caller, &part, transition)?;
        let (changes, note) = step.changes();
        apply(
            conn,
            &part,
            transition,
            actor,
            Some(caller.id),
            changes,
            note,
            now(),
        )
    })
}

/// Whether the caller may make this kind of move on the part, asked before its request's
/// body is read: 404 unless it is the part's seller or the order's buyer, 403 if its side
/// does not make the move. `step` asks again in its transaction.
pub fn may_take(
    conn: &mut DbConn,
    caller: &AuthUser,
    part_id: Uuid,
    transition: Transition,
) -> AppResult<()> {
    let part = db::orders::find_part(conn, part_id)?.ok_or(AppError::NotFound("order part"))?;
    side_allowed(conn, caller, &part, transition).map(|_| ())
}

fn side_allowed(
    conn: &mut DbConn,
    caller: &AuthUser,
    part: &PartRow,
    transition: Transition,
) -> AppResult<Actor> {
    let (actor, _) = super::side_of(conn, caller, part)?;
    if transition.allowed(actor) {
        Ok(actor)
    } else {
        Err(AppError::Forbidden(format!(
            "a part is {} by {}, not by its {}",
            transition.verb(),
            match transition {
                Transition::Receive => "the buyer",
                _ => "the seller",
            },
            actor.as_str()
        )))
    }
}

/// Moves the part (compare and set), moves its units when it ends, appends its history.
#[allow(clippy::too_many_arguments)]
fn apply(
    conn: &mut DbConn,
    part: &PartRow,
    transition: Transition,
    actor: Actor,
    actor_id: Option<Uuid>,
    changes: PartChanges,
    note: Option<String>,
    at: DateTime<Utc>,
) -> AppResult<OrderPart> {
    let (from, to) = transition.from_to(actor);
    let from_names: Vec<&str> = from.iter().map(|s| s.as_str()).collect();
    let wrong_status = |current: &str| {
        AppError::Conflict(format!(
            "the part is {current}; it can be {} only when {}",
            transition.verb(),
            from_names.join(" or ")
        ))
    };
    if !from_names.contains(&part.status.as_str()) {
        return Err(wrong_status(&part.status));
    }
    if !db::orders::move_part(conn, part.id, &from_names, to.as_str(), at, changes)? {
        // Another request moved it first.
        let now_status = db::orders::find_part(conn, part.id)?
            .map(|p| p.status)
            .unwrap_or_default();
        return Err(wrong_status(&now_status));
    }
    let units_to = match to {
        PartStatus::Cancelled | PartStatus::Expired => Some((Location::Own, Reason::Release)),
        PartStatus::Completed => Some((Location::SoldOnline, Reason::SaleOnline)),
        _ => None,
    };
    if let Some((to_place, reason)) = units_to {
        for line in db::orders::lines_of_parts(conn, &[part.id])? {
            record(
                conn,
                &Movement {
                    product_id: line.product_id,
                    variant_id: line.variant_id,
                    from: Some(Location::Reserved { part_id: part.id }),
                    to: to_place,
                    quantity: line.quantity,
                    reason,
                    note: None,
                    reference_id: Some(part.id),
                    actor_id,
                    at,
                },
            )?;
        }
    }
    db::orders::insert_event(
        conn,
        EventRow {
            id: new_id(),
            part_id: part.id,
            status: to.as_str().to_owned(),
            actor: actor.as_str().to_owned(),
            actor_id: actor_id.map(DbId),
            note,
            at,
        },
    )?;
    let row = db::orders::find_part(conn, part.id)?.ok_or(AppError::NotFound("order part"))?;
    let seller_id = row.seller_id;
    let moved = view::part(conn, row)?;
    if let Some(kind) = event_of(to) {
        webhooks::emit(conn, kind, Audience::seller(seller_id), &moved)?;
    }
    Ok(moved)
}

/// The webhook event a part's arrival in `status` is.
fn event_of(status: PartStatus) -> Option<EventType> {
    match status {
        PartStatus::AwaitingConfirmation => None,
        PartStatus::AwaitingPayment => Some(EventType::OrderPartConfirmed),
        PartStatus::Paid => Some(EventType::OrderPartPaid),
        PartStatus::Shipped => Some(EventType::OrderPartShipped),
        PartStatus::Completed => Some(EventType::OrderPartCompleted),
        PartStatus::Cancelled => Some(EventType::OrderPartCancelled),
        PartStatus::Expired => Some(EventType::OrderPartExpired),
    }
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    /// Parts not confirmed or not paid within the hold: their units went back.
    pub expired: usize,
    /// Parts shipped 14 days ago and never marked received.
    pub completed: usize,
}

/// One pass of the sweep at `at`: expires parts waiting longer than `hold`, completes parts
/// shipped longer than 14 days ago. Each part in its own transaction; a part another
/// replica's sweep (or a person) moved first is skipped.
pub fn sweep(conn: &mut DbConn, at: DateTime<Utc>, hold: Duration) -> AppResult<Swept> {
    let mut swept = Swept::default();
    let waiting = [
        PartStatus::AwaitingConfirmation.as_str(),
        PartStatus::AwaitingPayment.as_str(),
    ];
    swept.expired = sweep_one_kind(conn, &waiting, at - hold, Transition::Expire, at)?;
    let shipped = [PartStatus::Shipped.as_str()];
    swept.completed = sweep_one_kind(
        conn,
        &shipped,
        at - AUTO_COMPLETE_AFTER,
        Transition::AutoComplete,
        at,
    )?;
    Ok(swept)
}

fn sweep_one_kind(
    conn: &mut DbConn,
    statuses: &[&str],
    before: DateTime<Utc>,
    transition: Transition,
    at: DateTime<Utc>,
) -> AppResult<usize> {
    const BATCH: i64 = 100;
    let mut done = 0;
    let mut skipped: Vec<Uuid> = Vec::new();
    loop {
        let due = db::orders::due_parts(conn, statuses, before, BATCH + skipped.len() as i64)?;
        let due: Vec<Uuid> = due.into_iter().filter(|id| !skipped.contains(id)).collect();
        if due.is_empty() {
            return Ok(done);
        }
        for id in due {
            let moved = write_tx(conn, |conn| {
                let Some(part) = db::orders::find_part(conn, id)? else {
                    return Ok(false);
                };
                match apply(
                    conn,
                    &part,
                    transition,
                    Actor::System,
                    None,
                    PartChanges::default(),
                    None,
                    at,
                ) {
                    Ok(_) => Ok(true),
                    Err(AppError::Conflict(_)) => Ok(false),
                    Err(e) => Err(e),
                }
            })?;
            if moved {
                done += 1;
            } else {
                skipped.push(id);
            }
        }
    }
}
