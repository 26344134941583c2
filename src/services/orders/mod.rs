//! Online orders: a buyer's checkout reserves every line's units from each seller's own
//! stock, all or nothing, and splits into one part per seller; each part then moves through
//! its lifecycle (`lifecycle`). Reading is for the buyer and the part's seller only.

pub mod lifecycle;
pub mod view;

use std::collections::{BTreeMap, HashMap, HashSet};

use uuid::Uuid;

use self::view::{Order, OrderPart, ShippingAddress};
use crate::auth::AuthUser;
use crate::db::appends::Appends;
use crate::db::orders::{EventRow, LineRow, OrderRow, PartRow};
use crate::db::stock::{Ledger, Movement, StockError};
use crate::db::{self, DbConn, Tx};
use crate::domain::account::Role;
use crate::domain::money::{line_idr, sum_idr};
use crate::domain::order::{Actor, FairUse, PartStatus, format_number, number_year};
use crate::domain::product::ProductStatus;
use crate::domain::seller::SellerStatus;
use crate::domain::stock::{Location, LocationKind, Reason};
use crate::domain::webhook::{Audience, EventType};
use crate::domain::{new_id, now};
use crate::error::{AppError, AppResult, FieldError};
use crate::services::idempotency::{self, Claim, Once};
use crate::webhooks;

/// One line of a checkout, as parsed from the request.
pub struct OrderItem {
    /// The line's index in the request, for naming it in errors.
    pub line: usize,
    pub variant_id: Uuid,
    pub quantity: i64,
}

pub struct PlaceOrder {
    pub items: Vec<OrderItem>,
    pub shipping: ShippingAddress,
    pub note: Option<String>,
}

/// A line checked against the catalogue, its price frozen.
struct Priced {
    line: usize,
    product_id: Uuid,
    variant_id: Uuid,
    seller_id: Uuid,
    sku: String,
    title: String,
    options: serde_json::Value,
    quantity: i64,
    unit_price_idr: i64,
    line_idr: i64,
}

/// Who may check out: a buyer account (a seller cannot buy from itself).
pub fn may_place(buyer: &AuthUser) -> AppResult<()> {
    if buyer.role == Role::Buyer {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only a buyer account places orders (a seller cannot buy from itself)".to_owned(),
        ))
    }
}

/// `POST /v1/orders`: at most once per idempotency key, in one transaction, within what
/// `limits` lets one buyer hold.
pub fn place(
    conn: &mut DbConn,
    buyer: &AuthUser,
    input: PlaceOrder,
    claim: &Claim,
    limits: FairUse,
) -> AppResult<Once<Order>> {
    may_place(buyer)?;
    idempotency::once(conn, claim, 201, |conn, later| {
        place_in(conn, later, buyer.id, input, limits)
    })
}

/// The checkout itself. What the buyer already holds is read first, under a lock on the
/// buyer (PostgreSQL; SQLite runs one writer at a time), so two checkouts of one buyer
/// cannot both slip under its limits. The order number is taken last, once nothing can
/// refuse the checkout any more: after it come only the statement that writes what the
/// checkout adds and the commit (on SQLite the number is the year's counter row, held until
/// the commit; on PostgreSQL a sequence, so a failure this late is all that can skip a
/// number).
fn place_in(
    conn: &mut Tx<'_>,
    later: &mut Appends,
    buyer_id: Uuid,
    input: PlaceOrder,
    limits: FairUse,
) -> AppResult<Order> {
    let at = now();
    db::orders::hold_buyer(conn, buyer_id)?;
    let holding = Holding::of(&db::orders::waiting_lines_of_buyer(conn, buyer_id)?);
    let (priced, sellers) = price(conn, &input.items)?;
    within_limits(&priced, &holding, limits)?;
    // One part per seller, in the order sellers first appear.
    let mut seller_order: Vec<Uuid> = Vec::new();
    let mut by_seller: HashMap<Uuid, Vec<&Priced>> = HashMap::new();
    for p in &priced {
        if !by_seller.contains_key(&p.seller_id) {
            seller_order.push(p.seller_id);
        }
        by_seller.entry(p.seller_id).or_default().push(p);
    }
    let part_ids: HashMap<Uuid, Uuid> = seller_order.iter().map(|s| (*s, new_id())).collect();
    let (ledger, left) = reserve(conn, &priced, &part_ids, buyer_id, at)?;
    within_share(conn, &priced, &holding, &left, limits)?;

    let order_id = new_id();
    let mut order = OrderRow {
        id: order_id,
        number: String::new(),
        buyer_id,
        recipient: input.shipping.recipient,
        phone: input.shipping.phone,
        address: input.shipping.address,
        kelurahan: input.shipping.kelurahan,
        kecamatan: input.shipping.kecamatan,
        city: input.shipping.city,
        province: input.shipping.province,
        postal_code: input.shipping.postal_code,
        note: input.note,
        created_at: at,
    };
    let mut parts = Vec::new();
    for seller_id in &seller_order {
        let lines = &by_seller[seller_id];
        let part_id = part_ids[seller_id];
        let items_idr = sum_idr(lines.iter().map(|l| l.line_idr)).ok_or_else(too_large)?;
        let part = PartRow {
            id: part_id,
            order_id,
            seller_id: *seller_id,
            status: PartStatus::AwaitingConfirmation.as_str().to_owned(),
            items_idr,
            shipping_idr: None,
            payment_reference: None,
            courier: None,
            tracking_number: None,
            cancel_reason: None,
            step_at: at,
            created_at: at,
        };
        let rows: Vec<LineRow> = lines
            .iter()
            .enumerate()
            .map(|(i, l)| LineRow {
                id: new_id(),
                part_id,
                position: i as i32,
                product_id: l.product_id,
                variant_id: l.variant_id,
                sku: l.sku.clone(),
                title: l.title.clone(),
                options: l.options.clone(),
                quantity: l.quantity,
                unit_price_idr: l.unit_price_idr,
                line_idr: l.line_idr,
            })
            .collect();
        let event = EventRow {
            id: new_id(),
            part_id,
            status: PartStatus::AwaitingConfirmation.as_str().to_owned(),
            actor: Actor::Buyer.as_str().to_owned(),
            actor_id: Some(db::portable::DbId(buyer_id)),
            note: None,
            at,
            declined: false,
        };
        parts.push((part, rows, event));
    }

    // Taken last: from here on only an internal or database failure ends the checkout.
    let year = number_year(at);
    order.number = format_number(year, db::orders::next_number(conn, year)?);
    let view = view::placed(
        order.clone(),
        parts.iter().map(|(p, _, _)| p.clone()).collect(),
        parts
            .iter()
            .flat_map(|(_, l, _)| l.iter().cloned())
            .collect(),
        parts.iter().map(|(_, _, e)| e.clone()).collect(),
        &sellers,
    )?;
    ledger.write(conn, later)?;
    db::orders::insert_later(conn, later, order, parts)?;
    announce(conn, later, &view)?;
    Ok(view)
}

/// `order.created`: the whole order for admins; each seller hears of the order with its own
/// part only, and that part's amounts (as it can read them through the API).
fn announce(conn: &mut Tx<'_>, later: &mut Appends, order: &Order) -> AppResult<()> {
    if let [only] = &order.parts[..] {
        // One seller: its copy is the whole order, so one event serves it and admins.
        return webhooks::emit_later(
            conn,
            later,
            EventType::OrderCreated,
            Audience::seller(only.seller.id),
            order,
        );
    }
    let admins = Audience {
        seller_id: None,
        hotel_id: None,
        admins: true,
    };
    webhooks::emit_later(conn, later, EventType::OrderCreated, admins, order)?;
    for part in &order.parts {
        let copy = Order {
            items_idr: part.items_idr,
            shipping_idr: part.shipping_idr.unwrap_or(0),
            total_idr: part.total_idr,
            parts: vec![part.clone()],
            ..order.clone()
        };
        let audience = Audience {
            seller_id: Some(part.seller.id),
            hotel_id: None,
            admins: false,
        };
        webhooks::emit_later(conn, later, EventType::OrderCreated, audience, &copy)?;
    }
    Ok(())
}

/// What a buyer holds: units per variant in its parts awaiting confirmation or payment, and
/// how many of its parts await confirmation.
struct Holding {
    units: HashMap<Uuid, i64>,
    open_parts: usize,
}

impl Holding {
    fn of(waiting: &[db::orders::WaitingLine]) -> Self {
        let mut units: HashMap<Uuid, i64> = HashMap::new();
        let mut open: HashSet<Uuid> = HashSet::new();
        for w in waiting {
            *units.entry(w.variant_id).or_default() += w.quantity;
            if w.status == PartStatus::AwaitingConfirmation.as_str() {
                open.insert(w.part_id);
            }
        }
        Holding {
            units,
            open_parts: open.len(),
        }
    }

    fn units_of(&self, variant_id: Uuid) -> i64 {
        self.units.get(&variant_id).copied().unwrap_or(0)
    }
}

/// A buyer holds at most `max_units_per_variant` units of a variant in parts awaiting
/// confirmation or payment, and has at most `max_open_parts` parts awaiting confirmation,
/// counting this checkout. Every line over the first limit is named, and `items` when the
/// order's parts pass the second.
fn within_limits(lines: &[Priced], holding: &Holding, limits: FairUse) -> AppResult<()> {
    let mut errors = Vec::new();
    let max = limits.max_units_per_variant;
    for l in lines {
        let holds = holding.units_of(l.variant_id);
        if holds.saturating_add(l.quantity) > max {
            errors.push(FieldError::new(
                format!("items[{}].quantity", l.line),
                format!(
                    "at most {max} units of one variant may wait for confirmation or payment \
                     per buyer (you hold {holds})"
                ),
            ));
        }
    }
    let adds = lines
        .iter()
        .map(|l| l.seller_id)
        .collect::<HashSet<_>>()
        .len() as i64;
    let max = limits.max_open_parts;
    let open = holding.open_parts;
    if (open as i64).saturating_add(adds) > max {
        errors.push(FieldError::new(
            "items",
            format!(
                "at most {max} parts may await their sellers' confirmation per buyer (you have \
                 {open}; this order adds {adds})"
            ),
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::OrderLimit(errors))
    }
}

/// After the takes: a buyer holds at most `max_share_percent` of a variant's units for sale
/// online (the seller's own stock plus every unit reserved for an order, this checkout's
/// included), but always at least one unit, so the last piece of a one-off can be bought.
/// `left` is the seller's own stock after each line's take, by line. The reserved units are
/// read only for a line that what is left and what the buyer holds alone do not clear.
fn within_share(
    conn: &mut DbConn,
    lines: &[Priced],
    holding: &Holding,
    left: &HashMap<usize, i64>,
    limits: FairUse,
) -> AppResult<()> {
    let pct = limits.max_share_percent;
    if pct >= 100 {
        return Ok(());
    }
    let allowed = |on_hand: i64| (on_hand.saturating_mul(pct) / 100).max(1);
    // (line, what the buyer would hold, the own stock left)
    let mut doubtful = Vec::new();
    for l in lines {
        let after = holding.units_of(l.variant_id).saturating_add(l.quantity);
        let own_left = left.get(&l.line).copied().unwrap_or(0);
        if after > allowed(after.saturating_add(own_left)) {
            doubtful.push((l, after, own_left));
        }
    }
    if doubtful.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = doubtful.iter().map(|(l, _, _)| l.variant_id).collect();
    let mut reserved: HashMap<Uuid, i64> = HashMap::new();
    for b in db::stock_levels::balances_of(conn, &ids)? {
        if b.kind == LocationKind::Reserved.as_str() {
            *reserved.entry(b.variant_id).or_default() += b.quantity;
        }
    }
    let mut errors = Vec::new();
    for (l, after, own_left) in doubtful {
        // What this checkout reserves is written at its end: not in the balances yet.
        let on_hand = own_left
            .saturating_add(reserved.get(&l.variant_id).copied().unwrap_or(0))
            .saturating_add(l.quantity);
        let most = allowed(on_hand);
        if after > most {
            errors.push(FieldError::new(
                format!("items[{}].quantity", l.line),
                format!(
                    "one buyer may hold at most {pct}% of a variant's units in orders awaiting \
                     confirmation or payment: {most} of {on_hand} (you hold {})",
                    after - l.quantity
                ),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::OrderLimit(errors))
    }
}

fn too_large() -> AppError {
    AppError::invalid("items", crate::domain::money::TOO_LARGE)
}

/// Each line's variant must belong to a published product of an active seller; its price
/// is the variant's own or the product's. Every bad line is named at once. Also returns the
/// sellers' names, by id.
fn price(
    conn: &mut DbConn,
    items: &[OrderItem],
) -> AppResult<(Vec<Priced>, HashMap<Uuid, String>)> {
    let variant_ids: Vec<Uuid> = items.iter().map(|i| i.variant_id).collect();
    let mut variants = HashMap::new();
    let mut products = HashMap::new();
    let mut active = HashMap::new();
    let mut names = HashMap::new();
    for (v, p, s) in db::products::of_variants(conn, &variant_ids)? {
        active.insert(s.id, s.status == SellerStatus::Active.as_str());
        names.insert(s.id, s.business_name);
        products.insert(p.id, p);
        variants.insert(v.id, v);
    }
    let mut errors = Vec::new();
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let found = variants.get(&item.variant_id).and_then(|v| {
            let p = products.get(&v.product_id)?;
            let for_sale = p.status == ProductStatus::Published.as_str()
                && active.get(&p.seller_id).copied().unwrap_or(false);
            for_sale.then_some((v, p))
        });
        let Some((v, p)) = found else {
            errors.push(FieldError::new(
                format!("items[{}].variant_id", item.line),
                "is not a variant of a product on sale",
            ));
            continue;
        };
        let unit_price_idr = v.price_idr.unwrap_or(p.price_idr);
        let Some(line_idr) = line_idr(item.quantity, unit_price_idr) else {
            errors.push(FieldError::new(
                format!("items[{}].quantity", item.line),
                crate::domain::money::TOO_LARGE,
            ));
            continue;
        };
        out.push(Priced {
            line: item.line,
            product_id: p.id,
            variant_id: v.id,
            seller_id: p.seller_id,
            sku: v.sku.clone(),
            title: p.title.clone(),
            options: v.options.clone(),
            quantity: item.quantity,
            unit_price_idr,
            line_idr,
        });
    }
    if errors.is_empty() {
        Ok((out, names))
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Moves every line's units from the seller's own stock to its part's reservation, in
/// variant order (so two checkouts lock balance rows in the same order and never deadlock).
/// Any short line fails the whole checkout, naming every short line and what is available.
/// The units are taken now; the ledger returned holds what the moves add, beside the own
/// stock each line's take left (by line).
fn reserve(
    conn: &mut DbConn,
    lines: &[Priced],
    part_ids: &HashMap<Uuid, Uuid>,
    buyer_id: Uuid,
    at: chrono::DateTime<chrono::Utc>,
) -> AppResult<(Ledger, HashMap<usize, i64>)> {
    let mut sorted: Vec<&Priced> = lines.iter().collect();
    sorted.sort_by_key(|l| l.variant_id);
    let mut short: BTreeMap<usize, FieldError> = BTreeMap::new();
    let mut ledger = Ledger::default();
    let mut left = HashMap::new();
    for l in sorted {
        let part_id = part_ids[&l.seller_id];
        let moved = ledger.record_left(
            conn,
            &Movement {
                product_id: l.product_id,
                variant_id: l.variant_id,
                from: Some(Location::Own),
                to: Location::Reserved { part_id },
                quantity: l.quantity,
                reason: Reason::Reserve,
                note: None,
                reference_id: Some(part_id),
                actor_id: Some(buyer_id),
                at,
            },
        );
        match moved {
            Ok(own_left) => {
                left.insert(l.line, own_left.unwrap_or(0));
            }
            Err(StockError::Short { .. }) => {
                let available = db::stock_levels::balance(conn, l.variant_id, &Location::Own)?;
                short.insert(
                    l.line,
                    FieldError::new(
                        format!("items[{}].quantity", l.line),
                        format!("only {available} available"),
                    ),
                );
            }
            Err(StockError::Db(e)) => return Err(e.into()),
        }
    }
    if short.is_empty() {
        Ok((ledger, left))
    } else {
        Err(AppError::InsufficientStock(short.into_values().collect()))
    }
}

/// One of the caller's orders (a buyer's own); anyone else's is 404.
pub fn order_for(conn: &mut DbConn, caller: &AuthUser, id: Uuid) -> AppResult<Order> {
    match db::orders::find_order(conn, id)? {
        Some(o) if o.buyer_id == caller.id => view::order(conn, o),
        _ => Err(AppError::NotFound("order")),
    }
}

/// A page of the caller's orders, newest first (`limit` rows from before `before`).
pub fn orders_of(
    conn: &mut DbConn,
    caller: &AuthUser,
    before: Option<Uuid>,
    limit: i64,
) -> AppResult<Vec<Order>> {
    let rows = db::orders::orders_of_buyer(conn, caller.id, before, limit)?;
    view::orders(conn, rows)
}

/// The caller's side of a part: its seller, or the buyer of its order. Anyone else: 404.
pub(crate) fn side_of(
    conn: &mut DbConn,
    caller: &AuthUser,
    part: &PartRow,
) -> AppResult<(Actor, OrderRow)> {
    let order = db::orders::find_order(conn, part.order_id)?
        .ok_or_else(|| AppError::internal("part without its order"))?;
    if caller.role == Role::Seller
        && db::sellers::find_by_user(conn, caller.id)?.is_some_and(|s| s.id == part.seller_id)
    {
        return Ok((Actor::Seller, order));
    }
    if order.buyer_id == caller.id {
        return Ok((Actor::Buyer, order));
    }
    Err(AppError::NotFound("order part"))
}

/// One part, for its seller or the order's buyer.
pub fn part_for(conn: &mut DbConn, caller: &AuthUser, id: Uuid) -> AppResult<OrderPart> {
    let part = db::orders::find_part(conn, id)?.ok_or(AppError::NotFound("order part"))?;
    side_of(conn, caller, &part)?;
    view::part(conn, part)
}

/// A page of a seller's parts, newest first, optionally in one status.
pub fn parts_of_seller(
    conn: &mut DbConn,
    seller_id: Uuid,
    status: Option<PartStatus>,
    before: Option<Uuid>,
    limit: i64,
) -> AppResult<Vec<OrderPart>> {
    let rows = db::orders::parts_of_seller(
        conn,
        seller_id,
        status.map(PartStatus::as_str),
        before,
        limit,
    )?;
    view::parts_with_orders(conn, rows)
}
