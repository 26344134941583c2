//! What happens on a hotel's shelf: sales, returns to the seller and stock counts.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::db::agreements::Terms;
use crate::db::appends::Appends;
use crate::db::hotel_sales::{ReturnRow, SaleLineRow, SaleRow};
use crate::db::shelf::{LotRow, Taken};
use crate::db::stock::{Ledger, Movement, StockError, record};
use crate::db::stock_counts::{CountLineRow, CountRow};
use crate::db::{self, DbConn, Tx};
use crate::domain::consignment::Period;
use crate::domain::label::LabelCode;
use crate::domain::money::{PriceIdr, TOO_LARGE, lines_idr, sum_idr};
use crate::domain::seller::SellerStatus;
use crate::domain::stock::{Location, Reason};
use crate::domain::validation::Violations;
use crate::domain::webhook::{Audience, EventType};
use crate::domain::{new_id, now};
use crate::error::{AppError, AppResult};
use crate::services::labels;
use crate::webhooks;

/// How far ahead of the server's clock a till's clock may run.
const FUTURE_SKEW: Duration = Duration::minutes(5);

pub struct SaleItem {
    /// The line's index in the request, for naming it in errors.
    pub line: usize,
    pub variant_id: Uuid,
    pub quantity: i64,
    pub unit_price: PriceIdr,
}

/// A sale line as a till sends it: the variant, or the label code scanned off the unit (or
/// both, which must agree).
pub struct TillLine {
    /// The line's index in the request, for naming it in errors.
    pub line: usize,
    pub variant_id: Option<Uuid>,
    pub label_code: Option<LabelCode>,
    pub quantity: i64,
    pub unit_price: PriceIdr,
}

/// [`sell`] for lines that may name their variant by a shelf label's code: a code must be of
/// a consignment to this hotel.
pub fn sell_at_till(
    conn: &mut Tx<'_>,
    caller: &AuthUser,
    hotel_id: Uuid,
    lines: &[TillLine],
    sold_at: DateTime<Utc>,
) -> AppResult<Sale> {
    let variants = if lines.iter().any(|l| l.label_code.is_some()) {
        // Another hotel learns nothing of which codes exist.
        authorize_own_hotel(conn, caller, hotel_id)?;
        let named: Vec<_> = lines
            .iter()
            .map(|l| (l.line, l.variant_id, l.label_code.clone()))
            .collect();
        labels::variants_for_sale(conn, hotel_id, &named)?
    } else {
        lines.iter().filter_map(|l| l.variant_id).collect()
    };
    let mut items: Vec<SaleItem> = lines
        .iter()
        .zip(variants)
        .map(|(l, variant_id)| SaleItem {
            line: l.line,
            variant_id,
            quantity: l.quantity,
            unit_price: l.unit_price,
        })
        .collect();
    sell(conn, caller, hotel_id, &mut items, sold_at)
}

/// The hotel named in a path must be the caller's own, and active: read in the caller's
/// transaction, so a suspension cannot slip in between the check and the write. An account
/// that has not registered its hotel is 403; another active hotel is 403, one the caller may
/// not see is 404.
pub fn authorize_own_hotel(conn: &mut DbConn, caller: &AuthUser, hotel_id: Uuid) -> AppResult<()> {
    let active = |h: &db::hotels::HotelRow| h.status == SellerStatus::Active.as_str();
    match db::hotels::find_by_user(conn, caller.id)? {
        None => Err(AppError::Forbidden(
            "register the hotel first (POST /v1/hotels)".to_owned(),
        )),
        Some(own) if own.id == hotel_id && active(&own) => Ok(()),
        Some(own) if own.id == hotel_id => Err(AppError::Forbidden(format!(
            "the hotel is {}, not active",
            own.status
        ))),
        Some(_) => match db::hotels::find(conn, hotel_id)? {
            Some(other) if active(&other) => Err(AppError::Forbidden(
                "a hotel acts only on its own shelf".to_owned(),
            )),
            _ => Err(AppError::NotFound("hotel")),
        },
    }
}

/// Takes `quantity` units of a variant off a hotel's shelf, oldest lot first across its
/// agreements, from lots received by `received_by` only, moving them to `to`. `lots` are the
/// variant's lots on that shelf as the caller read them in this transaction (they plan which
/// agreements and lots give how many; the guarded updates decide). The balances' takes run
/// now, what the movements add goes to `ledger`. Returns per agreement what was taken from
/// which lots, and the agreement's terms for the month of `at`. A closed month is refused
/// here (409), judged after the take, so a month closed while the take waited counts.
#[allow(clippy::too_many_arguments)]
fn take_off_shelf(
    conn: &mut DbConn,
    ledger: &mut Ledger,
    lots: &[LotRow],
    variant_id: Uuid,
    quantity: i64,
    received_by: DateTime<Utc>,
    to: Location,
    reason: Reason,
    reference_id: Uuid,
    actor: Uuid,
    at: DateTime<Utc>,
) -> AppResult<Vec<(Uuid, Vec<Taken>, Terms)>> {
    let period = Period::containing(at).to_string();
    let held: i64 = lots.iter().map(|l| i64::from(l.quantity_remaining)).sum();
    let (Some(first), true) = (lots.first(), held >= quantity) else {
        return Err(short(variant_id, held, quantity));
    };
    let (hotel_id, product_id) = (first.hotel_id, first.product_id);
    // Per agreement, in the order of its oldest lot, the lots to take from and how many.
    let mut plan: Vec<(Uuid, Vec<(&LotRow, i64)>)> = Vec::new();
    let mut left = quantity;
    for lot in lots.iter().filter(|l| l.received_at <= received_by) {
        if left == 0 {
            break;
        }
        let n = left.min(i64::from(lot.quantity_remaining));
        match plan.iter_mut().find(|(a, _)| *a == lot.agreement_id) {
            Some((_, from)) => from.push((lot, n)),
            None => plan.push((lot.agreement_id, vec![(lot, n)])),
        }
        left -= n;
    }
    if left > 0 {
        return Err(AppError::invalid(
            "sold_at",
            format!(
                "is before {left} of the {quantity} units of variant {variant_id} reached the shelf"
            ),
        ));
    }
    let just_taken = || {
        AppError::Conflict(format!(
            "the shelf no longer holds {quantity} of variant {variant_id}: they were just taken"
        ))
    };
    let mut taken = Vec::new();
    for (agreement_id, from) in plan {
        let n: i64 = from.iter().map(|(_, n)| n).sum();
        let shelf = Location::Shelf {
            agreement_id,
            hotel_id,
        };
        ledger
            .record(
                conn,
                &Movement {
                    product_id,
                    variant_id,
                    from: Some(shelf),
                    to,
                    quantity: n,
                    reason,
                    note: None,
                    reference_id: Some(reference_id),
                    actor_id: Some(actor),
                    at,
                },
            )
            .map_err(|e| match e {
                // Another request took the units between our read and our guarded update.
                StockError::Short { .. } => just_taken(),
                other => other.into(),
            })?;
        // After the guarded update, which waited for racing takers to commit.
        let (lots, terms) =
            db::shelf::take_planned(conn, agreement_id, variant_id, &from, received_by, &period)?;
        if lots.iter().map(|t| t.quantity).sum::<i64>() != n {
            return Err(just_taken());
        }
        if terms.closed {
            return Err(closed(&period));
        }
        taken.push((agreement_id, lots, terms));
    }
    Ok(taken)
}

fn short(variant_id: Uuid, held: i64, wanted: i64) -> AppError {
    AppError::Conflict(format!(
        "the shelf holds {held} of variant {variant_id}, fewer than the {wanted} asked"
    ))
}

fn product_of(conn: &mut DbConn, variant_id: Uuid) -> AppResult<Uuid> {
    Ok(db::variants::find(conn, variant_id)?
        .ok_or_else(|| {
            AppError::Conflict(format!("the shelf holds no units of variant {variant_id}"))
        })?
        .product_id)
}

fn closed(period: &str) -> AppError {
    AppError::Conflict(format!(
        "the statement for {period} is closed; nothing dated in it can be added"
    ))
}

/// Checks every line of a sale against the shelf before anything moves, so one answer names
/// every bad line: a line short of units is 409; a `sold_at` before a line's units reached
/// the shelf, or a price below what they were consigned at, is a 422.
/// `read` holds lots the caller read already, by variant; returns them with the lots it read.
fn check_sale(
    conn: &mut DbConn,
    hotel_id: Uuid,
    items: &[SaleItem],
    sold_at: DateTime<Utc>,
    mut read: HashMap<Uuid, Vec<LotRow>>,
) -> AppResult<HashMap<Uuid, Vec<LotRow>>> {
    let mut v = Violations::new();
    for item in items {
        let lots = match read.remove(&item.variant_id) {
            Some(lots) => lots,
            None => db::shelf::lots_of_variant(conn, hotel_id, item.variant_id)?,
        };
        let held: i64 = lots.iter().map(|l| i64::from(l.quantity_remaining)).sum();
        if held < item.quantity {
            return Err(short(item.variant_id, held, item.quantity));
        }
        let mut left = item.quantity;
        let mut floor = 0;
        for lot in lots.iter().filter(|l| l.received_at <= sold_at) {
            if left == 0 {
                break;
            }
            left -= left.min(i64::from(lot.quantity_remaining));
            floor = floor.max(lot.unit_price_idr);
        }
        let i = item.line;
        if left > 0 {
            let arrived = item.quantity - left;
            v.add(
                "sold_at",
                format!(
                    "is before items[{i}] reached the shelf: {arrived} of its {} units had arrived by then",
                    item.quantity
                ),
            );
        } else if item.unit_price.get() < floor {
            v.add(
                format!("items[{i}].unit_price_idr"),
                below_consignment(floor),
            );
        }
        read.insert(item.variant_id, lots);
    }
    v.finish()?;
    Ok(read)
}

fn below_consignment(price: i64) -> String {
    format!("is below the consignment price of {price} rupiah; the hotel's share is its commission")
}

#[derive(Serialize, ToSchema, Debug, Clone)]
pub struct SaleLine {
    pub variant_id: Uuid,
    pub agreement_id: Uuid,
    pub quantity: i64,
    pub unit_price_idr: i64,
    /// The agreement's rate when the sale was recorded; later changes do not touch it.
    pub commission_bps: i32,
}

#[derive(Serialize, ToSchema, Debug)]
pub struct Sale {
    pub id: Uuid,
    pub hotel_id: Uuid,
    pub sold_at: DateTime<Utc>,
    pub total_idr: i64,
    pub lines: Vec<SaleLine>,
}

/// Records a sale at a hotel's shop (the hotel itself). Nothing is written when a line asks
/// more than the shelf holds (409), when `sold_at` falls in a closed statement (409), before
/// a line's units reached the shelf or in the future (422), or when a unit is priced below
/// its consignment price (422).
pub fn sell(
    conn: &mut Tx<'_>,
    caller: &AuthUser,
    hotel_id: Uuid,
    items: &mut [SaleItem],
    sold_at: DateTime<Utc>,
) -> AppResult<Sale> {
    // The first line's lots, read only at the caller's own active hotel: on the common path
    // one round trip both authorizes and reads.
    let mut lots_of = HashMap::new();
    if let Some(first) = items.first() {
        let lots =
            db::shelf::lots_of_variant_at_own_hotel(conn, caller.id, hotel_id, first.variant_id)?;
        if !lots.is_empty() {
            lots_of.insert(first.variant_id, lots);
        }
    }
    if lots_of.is_empty() {
        // Not the caller's own active hotel (which is refused here), or no units.
        authorize_own_hotel(conn, caller, hotel_id)?;
    }
    if sold_at > now() + FUTURE_SKEW {
        return Err(AppError::invalid("sold_at", "must not be in the future"));
    }
    let mut lots_of = check_sale(conn, hotel_id, items, sold_at, lots_of)?;
    let sale_id = new_id();
    let actor = caller.id;
    items.sort_by_key(|i| i.variant_id);
    let mut lines = Vec::new();
    let mut rows = Vec::new();
    // Per agreement: its commission rate and its seller.
    let mut terms_of: HashMap<Uuid, (i32, Uuid)> = HashMap::new();
    let mut ledger = Ledger::default();
    for item in items.iter() {
        // As read by the check; a variant on a second line is read again (the first took some).
        let lots = match lots_of.remove(&item.variant_id) {
            Some(lots) => lots,
            None => db::shelf::lots_of_variant(conn, hotel_id, item.variant_id)?,
        };
        let product_id = lots.first().map(|l| l.product_id);
        let taken = take_off_shelf(
            conn,
            &mut ledger,
            &lots,
            item.variant_id,
            item.quantity,
            sold_at,
            Location::Sold,
            Reason::Sale,
            sale_id,
            actor,
            sold_at,
        )?;
        let product_id = product_id.ok_or(AppError::NotFound("variant"))?;
        for (agreement_id, lots, terms) in taken {
            // Checked again on the lots actually taken: a racing sale may have taken others.
            if let Some(floor) = lots.iter().map(|t| t.unit_price_idr).max()
                && item.unit_price.get() < floor
            {
                return Err(AppError::invalid(
                    format!("items[{}].unit_price_idr", item.line),
                    below_consignment(floor),
                ));
            }
            // The rate of the agreement's first line holds for the whole sale.
            let (bps, _) = *terms_of
                .entry(agreement_id)
                .or_insert((terms.commission_bps, terms.seller_id));
            let quantity: i64 = lots.iter().map(|t| t.quantity).sum();
            rows.push(SaleLineRow {
                id: new_id(),
                sale_id,
                agreement_id,
                product_id,
                variant_id: item.variant_id,
                quantity: quantity as i32,
                unit_price_idr: item.unit_price.get(),
                commission_bps: bps,
                sold_at,
            });
            lines.push(SaleLine {
                variant_id: item.variant_id,
                agreement_id,
                quantity,
                unit_price_idr: item.unit_price.get(),
                commission_bps: bps,
            });
        }
    }
    let total_idr = lines_idr(lines.iter().map(|l| (l.quantity, l.unit_price_idr)))
        .ok_or_else(|| AppError::invalid("items", TOO_LARGE))?;
    let sale = SaleRow {
        id: sale_id,
        hotel_id,
        sold_at,
        total_idr,
        recorded_by: actor,
        created_at: now(),
    };
    // Everything a sale adds goes in one statement at its end.
    let mut later = Appends::new();
    ledger.write(conn, &mut later)?;
    db::hotel_sales::insert_sale(conn, &mut later, sale, rows)?;
    let sale = Sale {
        id: sale_id,
        hotel_id,
        sold_at,
        total_idr,
        lines,
    };
    announce_sale(conn, &mut later, &sale, &terms_of)?;
    later.write(conn)?;
    Ok(sale)
}

/// `sale.recorded`: the whole sale for the hotel and admins; each seller hears of its own
/// lines only (a sale may span several sellers' goods).
fn announce_sale(
    conn: &mut Tx<'_>,
    later: &mut Appends,
    sale: &Sale,
    terms_of: &HashMap<Uuid, (i32, Uuid)>,
) -> AppResult<()> {
    let mut sellers: Vec<Uuid> = terms_of.values().map(|(_, s)| *s).collect();
    sellers.sort();
    sellers.dedup();
    if let [only] = sellers[..] {
        // One seller's goods: its copy is the whole sale, so one event serves all parties.
        let audience = Audience::both(only, sale.hotel_id);
        return webhooks::emit_later(conn, later, EventType::SaleRecorded, audience, sale);
    }
    webhooks::emit_later(
        conn,
        later,
        EventType::SaleRecorded,
        Audience::hotel(sale.hotel_id),
        sale,
    )?;
    for seller_id in sellers {
        let lines: Vec<SaleLine> = sale
            .lines
            .iter()
            .filter(|l| terms_of.get(&l.agreement_id).map(|(_, s)| *s) == Some(seller_id))
            .cloned()
            .collect();
        let total_idr = lines_idr(lines.iter().map(|l| (l.quantity, l.unit_price_idr)))
            .ok_or_else(|| AppError::invalid("items", TOO_LARGE))?;
        let copy = Sale {
            id: sale.id,
            hotel_id: sale.hotel_id,
            sold_at: sale.sold_at,
            total_idr,
            lines,
        };
        let audience = Audience {
            seller_id: Some(seller_id),
            hotel_id: None,
            admins: false,
        };
        webhooks::emit_later(conn, later, EventType::SaleRecorded, audience, &copy)?;
    }
    Ok(())
}

#[derive(Serialize, ToSchema, Debug)]
pub struct Return {
    pub id: Uuid,
    pub agreement_id: Uuid,
    pub items: Vec<ReturnedItem>,
}

#[derive(Serialize, ToSchema, Debug)]
pub struct ReturnedItem {
    pub variant_id: Uuid,
    pub quantity: i64,
}

/// Sends units from the agreement's shelf back to the seller's own stock.
pub fn give_back(
    conn: &mut Tx<'_>,
    caller: &AuthUser,
    hotel_id: Uuid,
    agreement_id: Uuid,
    items: &mut [(Uuid, i64)],
) -> AppResult<Return> {
    authorize_own_hotel(conn, caller, hotel_id)?;
    let actor = caller.id;
    let agreement = db::agreements::find(conn, agreement_id)?
        .filter(|a| a.hotel_id == hotel_id)
        .ok_or_else(|| AppError::invalid("agreement_id", "names no agreement of this hotel"))?;
    let id = new_id();
    let t = now();
    db::hotel_sales::insert_return(
        conn,
        ReturnRow {
            id,
            hotel_id,
            agreement_id,
            recorded_by: actor,
            created_at: t,
        },
    )?;
    let shelf = Location::Shelf {
        agreement_id,
        hotel_id,
    };
    items.sort_by_key(|(variant_id, _)| *variant_id);
    for (variant_id, quantity) in items.iter() {
        let product_id = product_of(conn, *variant_id)?;
        record(
            conn,
            &Movement {
                product_id,
                variant_id: *variant_id,
                from: Some(shelf),
                to: Location::Own,
                quantity: *quantity,
                reason: Reason::Return,
                note: None,
                reference_id: Some(id),
                actor_id: Some(actor),
                at: t,
            },
        )
        .map_err(|e| match e {
            StockError::Short { .. } => AppError::Conflict(format!(
                "the shelf holds fewer than {quantity} units of variant {variant_id} under this agreement"
            )),
            other => other.into(),
        })?;
        let lots = db::shelf::take(conn, agreement.id, *variant_id, *quantity, t)?;
        if lots.iter().map(|l| l.quantity).sum::<i64>() != *quantity {
            return Err(AppError::internal(
                "shelf lots disagree with the shelf balance",
            ));
        }
    }
    Ok(Return {
        id,
        agreement_id,
        items: items
            .iter()
            .map(|(variant_id, quantity)| ReturnedItem {
                variant_id: *variant_id,
                quantity: *quantity,
            })
            .collect(),
    })
}

#[derive(Serialize, ToSchema, Debug)]
pub struct CountedItem {
    pub variant_id: Uuid,
    pub expected: i64,
    pub counted: i64,
    pub missing: i64,
    /// Charged to the hotel at the consignment unit price of the missing units.
    pub charge_idr: i64,
}

#[derive(Serialize, ToSchema, Debug)]
pub struct StockCount {
    pub id: Uuid,
    pub hotel_id: Uuid,
    pub counted_at: DateTime<Utc>,
    pub items: Vec<CountedItem>,
}

/// Reconciles the shelf with a physical count: shortfalls move to `missing` and are charged
/// to the hotel; a surplus is 409 (for a person to look at) and nothing is written.
pub fn count(
    conn: &mut Tx<'_>,
    caller: &AuthUser,
    hotel_id: Uuid,
    items: &mut [(Uuid, i64)],
) -> AppResult<StockCount> {
    authorize_own_hotel(conn, caller, hotel_id)?;
    let actor = caller.id;
    let id = new_id();
    let t = now();
    items.sort_by_key(|(variant_id, _)| *variant_id);
    let mut expected_of = Vec::with_capacity(items.len());
    for (variant_id, counted) in items.iter() {
        let lots = db::shelf::lots_of_variant(conn, hotel_id, *variant_id)?;
        let expected: i64 = lots.iter().map(|l| i64::from(l.quantity_remaining)).sum();
        if *counted > expected {
            return Err(AppError::Conflict(format!(
                "counted {counted} of variant {variant_id} but the shelf should hold {expected}; a surplus needs a person to look at it"
            )));
        }
        expected_of.push((expected, lots));
    }
    let mut out = Vec::new();
    let mut lines = Vec::new();
    let mut ledger = Ledger::default();
    for ((variant_id, counted), (expected, lots)) in items.iter().zip(expected_of) {
        let missing = expected - counted;
        let mut charge = 0;
        if missing > 0 {
            let taken = take_off_shelf(
                conn,
                &mut ledger,
                &lots,
                *variant_id,
                missing,
                t,
                Location::Missing,
                Reason::CountMissing,
                id,
                actor,
                t,
            )?;
            for (agreement_id, lots, _) in taken {
                let n: i64 = lots.iter().map(|l| l.quantity).sum();
                let c = lines_idr(lots.iter().map(|l| (l.quantity, l.unit_price_idr)))
                    .ok_or_else(|| AppError::invalid("items", TOO_LARGE))?;
                charge =
                    sum_idr([charge, c]).ok_or_else(|| AppError::invalid("items", TOO_LARGE))?;
                lines.push(CountLineRow {
                    id: new_id(),
                    count_id: id,
                    agreement_id,
                    variant_id: *variant_id,
                    expected: expected as i32,
                    counted: *counted as i32,
                    missing: n as i32,
                    charge_idr: c,
                    counted_at: t,
                });
            }
        }
        out.push(CountedItem {
            variant_id: *variant_id,
            expected,
            counted: *counted,
            missing,
            charge_idr: charge,
        });
    }
    let mut later = Appends::new();
    ledger.write(conn, &mut later)?;
    later.write(conn)?;
    db::stock_counts::insert(
        conn,
        CountRow {
            id,
            hotel_id,
            recorded_by: actor,
            counted_at: t,
        },
        lines,
    )?;
    let count = StockCount {
        id,
        hotel_id,
        counted_at: t,
        items: out,
    };
    let audience = Audience::hotel(hotel_id);
    webhooks::emit(conn, EventType::StockCountRecorded, audience, &count)?;
    Ok(count)
}

#[derive(Serialize, ToSchema, Debug)]
#[schema(example = json!({"lot_id": "01934f6e-c100-7000-8000-000000000001", "agreement_id": "01934f6e-a000-7000-8000-000000000001",
    "seller_id": "01934f6e-7d1a-7c3e-9a55-1f0e3c2b4a11", "product_id": "01934f6e-8000-7000-8000-000000000001",
    "variant_id": "01934f6e-8000-7000-8000-000000000002", "sku": "DJ-KAL-001", "title": "Kalung Daun Jati Electroforming",
    "consignment_id": "01934f6e-c000-7000-8000-000000000001", "quantity": 6, "unit_price_idr": 185555,
    "received_at": "2026-11-25T07:45:00Z", "age_days": 12, "term_days": 90, "past_term": false}))]
pub struct ShelfLot {
    pub lot_id: Uuid,
    pub agreement_id: Uuid,
    pub seller_id: Uuid,
    pub product_id: Uuid,
    pub variant_id: Uuid,
    pub sku: String,
    pub title: String,
    pub consignment_id: Uuid,
    pub quantity: i64,
    pub unit_price_idr: i64,
    pub received_at: DateTime<Utc>,
    /// Whole days on the shelf.
    pub age_days: i64,
    pub term_days: i32,
    /// On the shelf longer than the agreement's term: due to go back to the seller.
    pub past_term: bool,
}

/// The lots on a hotel's shelf, oldest first; `seller_id` limits them to one seller's.
pub fn shelf(
    conn: &mut DbConn,
    hotel_id: Uuid,
    seller_id: Option<Uuid>,
) -> AppResult<Vec<ShelfLot>> {
    let t = now();
    let mut terms: HashMap<Uuid, i32> = HashMap::new();
    let mut out = Vec::new();
    for lot in db::shelf::on_shelf(conn, hotel_id)? {
        if seller_id.is_some_and(|s| s != lot.seller_id) {
            continue;
        }
        let term_days = match terms.get(&lot.agreement_id) {
            Some(t) => *t,
            None => {
                let a = db::agreements::find(conn, lot.agreement_id)?
                    .ok_or(AppError::NotFound("agreement"))?;
                terms.insert(lot.agreement_id, a.term_days);
                a.term_days
            }
        };
        let variant =
            db::variants::find(conn, lot.variant_id)?.ok_or(AppError::NotFound("variant"))?;
        let product =
            db::products::find(conn, lot.product_id)?.ok_or(AppError::NotFound("product"))?;
        let age_days = (t - lot.received_at).num_days();
        out.push(ShelfLot {
            lot_id: lot.id,
            agreement_id: lot.agreement_id,
            seller_id: lot.seller_id,
            product_id: lot.product_id,
            variant_id: lot.variant_id,
            sku: variant.sku,
            title: product.title,
            consignment_id: lot.consignment_id,
            quantity: i64::from(lot.quantity_remaining),
            unit_price_idr: lot.unit_price_idr,
            received_at: lot.received_at,
            age_days,
            term_days,
            past_term: age_days > i64::from(term_days),
        });
    }
    Ok(out)
}
