//! A part's moves: confirm, mark paid, ship, received, cancel (by its seller or buyer),
//! decline (by its seller) and the sweep's expiry and completion. Each move is a
//! compare-and-set on the part's status in one transaction with its ledger movements and
//! history row, so two racing moves (or two replicas' sweeps) never both happen. The sweep's
//! moves also compare the step the part was listed at, so a part moved on since it was
//! listed (a fresh confirmation) is left alone.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::view::{self, OrderPart};
use crate::auth::AuthUser;
use crate::db::orders::{EventRow, PartChanges, PartRow};
use crate::db::portable::DbId;
use crate::db::stock::{Movement, record};
use crate::db::{self, DbConn, Tx, write_tx};
use crate::domain::order::{AUTO_COMPLETE_AFTER, Actor, Holds, PartStatus, Transition};
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
    Decline {
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
            Step::Decline { .. } => Transition::Decline,
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
            Step::Cancel { reason } | Step::Decline { reason } => (
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
        let transition = step.transition();
        let (part, actor) = authorise(conn, caller, part_id, transition)?;
        let (changes, note) = step.changes();
        let guard = Guard::Statuses(transition.from_to(actor).0);
        apply(
            conn,
            &part,
            transition,
            actor,
            Some(caller.id),
            changes,
            note,
            guard,
            now(),
        )
    })
}

/// Whether the caller may make `transition` on the part at all (404 when the part is not
/// theirs to see, 403 when it is not theirs to move), whatever its status: what a handler
/// asks before it reads the request's body.
pub fn may(
    conn: &mut DbConn,
    caller: &AuthUser,
    part_id: Uuid,
    transition: Transition,
) -> AppResult<()> {
    authorise(conn, caller, part_id, transition).map(drop)
}

fn authorise(
    conn: &mut DbConn,
    caller: &AuthUser,
    part_id: Uuid,
    transition: Transition,
) -> AppResult<(PartRow, Actor)> {
    let part = db::orders::find_part(conn, part_id)?.ok_or(AppError::NotFound("order part"))?;
    let (actor, _) = super::side_of(conn, caller, &part)?;
    if !transition.allowed(actor) {
        return Err(AppError::Forbidden(format!(
            "a part is {} by {}, not by its {}",
            transition.verb(),
            match transition {
                Transition::Receive => "the buyer",
                _ => "the seller",
            },
            actor.as_str()
        )));
    }
    Ok((part, actor))
}

/// What a move requires of the part's row as it is when the move writes.
enum Guard {
    /// In one of these statuses (a person's move: any status it starts from will do).
    Statuses(&'static [PartStatus]),
    /// Exactly the status and last step it was listed with (the sweep's).
    Listed {
        status: PartStatus,
        step_at: DateTime<Utc>,
    },
}

/// Moves the part (compare and set), moves its units when it ends, appends its history.
#[allow(clippy::too_many_arguments)]
fn apply(
    conn: &mut Tx<'_>,
    part: &PartRow,
    transition: Transition,
    actor: Actor,
    actor_id: Option<Uuid>,
    changes: PartChanges,
    note: Option<String>,
    guard: Guard,
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
    let moved = match guard {
        Guard::Statuses(statuses) => {
            let names: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
            db::orders::move_part(conn, part.id, &names, None, to.as_str(), at, changes)?
        }
        Guard::Listed { status, step_at } => db::orders::move_part(
            conn,
            part.id,
            &[status.as_str()],
            Some(step_at),
            to.as_str(),
            at,
            changes,
        )?,
    };
    if !moved {
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
            declined: transition == Transition::Decline,
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

/// A part the sweep found due, as it stood when listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Due {
    pub part_id: Uuid,
    pub status: PartStatus,
    /// Its last step, when listed.
    pub step_at: DateTime<Utc>,
    /// Expiry or completion.
    pub transition: Transition,
}

/// Parts to look for, as (status, due when its last step was before this, the move).
fn kinds(at: DateTime<Utc>, holds: Holds) -> [(PartStatus, DateTime<Utc>, Transition); 3] {
    [
        (
            PartStatus::AwaitingConfirmation,
            at - holds.confirm,
            Transition::Expire,
        ),
        (
            PartStatus::AwaitingPayment,
            at - holds.payment,
            Transition::Expire,
        ),
        (
            PartStatus::Shipped,
            at - AUTO_COMPLETE_AFTER,
            Transition::AutoComplete,
        ),
    ]
}

const BATCH: i64 = 100;

/// One pass of the sweep at `at`: expires parts waiting for their seller's confirmation
/// longer than `holds.confirm` and for payment longer than `holds.payment` (from their last
/// step), completes parts shipped longer than 14 days ago. Each part in its own transaction;
/// a part another replica's sweep (or a person) moved first is skipped.
pub fn sweep(conn: &mut DbConn, at: DateTime<Utc>, holds: Holds) -> AppResult<Swept> {
    let mut swept = Swept::default();
    for (status, before, transition) in kinds(at, holds) {
        let mut skipped: Vec<Uuid> = Vec::new();
        loop {
            let listed = list(
                conn,
                status,
                before,
                transition,
                BATCH + skipped.len() as i64,
            )?;
            let due: Vec<Due> = listed
                .into_iter()
                .filter(|d| !skipped.contains(&d.part_id))
                .collect();
            if due.is_empty() {
                break;
            }
            for d in due {
                if settle(conn, &d, at)? {
                    match transition {
                        Transition::AutoComplete => swept.completed += 1,
                        _ => swept.expired += 1,
                    }
                } else {
                    skipped.push(d.part_id);
                }
            }
        }
    }
    Ok(swept)
}

/// What a sweep at `at` would find due first (up to 100 parts of each kind), oldest step
/// first. Read outside any transaction: [`settle`] moves each only as it was listed.
pub fn due(conn: &mut DbConn, at: DateTime<Utc>, holds: Holds) -> AppResult<Vec<Due>> {
    let mut all = Vec::new();
    for (status, before, transition) in kinds(at, holds) {
        all.extend(list(conn, status, before, transition, BATCH)?);
    }
    Ok(all)
}

fn list(
    conn: &mut DbConn,
    status: PartStatus,
    before: DateTime<Utc>,
    transition: Transition,
    limit: i64,
) -> AppResult<Vec<Due>> {
    Ok(db::orders::due_parts(conn, status.as_str(), before, limit)?
        .into_iter()
        .map(|(part_id, step_at)| Due {
            part_id,
            status,
            step_at,
            transition,
        })
        .collect())
}

/// Expires or completes one listed part, in its own transaction, only if it still stands
/// as it was listed: in the same status, its last step the same. The update itself compares
/// both, so a step committed after the listing (a confirmation, a receipt), even one
/// committed while this transaction runs, is never undone. False when it moved on.
pub fn settle(conn: &mut DbConn, due: &Due, at: DateTime<Utc>) -> AppResult<bool> {
    write_tx(conn, |conn| {
        let Some(part) = db::orders::find_part(conn, due.part_id)? else {
            return Ok(false);
        };
        if part.status != due.status.as_str() || part.step_at != due.step_at {
            return Ok(false);
        }
        let guard = Guard::Listed {
            status: due.status,
            step_at: due.step_at,
        };
        match apply(
            conn,
            &part,
            due.transition,
            Actor::System,
            None,
            PartChanges::default(),
            None,
            guard,
            at,
        ) {
            Ok(_) => Ok(true),
            Err(AppError::Conflict(_)) => Ok(false),
            Err(e) => Err(e),
        }
    })
}
