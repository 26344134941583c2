//! Past months of hotel sales for the demo's charts. The API dates a sale no earlier than its
//! units' arrival on the shelf, so older records are written as an import would write them:
//! through the same services, each step dated when it happened (agreement, opening stock,
//! consignment, receipt, sales), so the ledger holds them in order.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::catalogue::{Catalogue, History};
use super::existing;
use crate::auth::AuthUser;
use crate::auth::access::Actor;
use crate::db::{DbConn, write_tx};
use crate::domain::account::Role;
use crate::domain::consignment::{Bps, Period};
use crate::domain::money::PriceIdr;
use crate::error::{AppError, AppResult};
use crate::services::shelf::{self, SaleItem};
use crate::services::shipments::{self, DispatchItem};
use crate::services::{agreements, stock};

/// The parties of one history line.
pub struct Parties {
    pub seller_id: Uuid,
    pub seller_user: Uuid,
    pub hotel_id: Uuid,
    pub hotel_user: Uuid,
}

/// When, in WIB terms, the `k`th sale of a month happens: every fourth day from the 3rd, at
/// 10:00 and later by the hour.
fn sale_time(month: Period, k: i64) -> DateTime<Utc> {
    month.start() + Duration::days(2 + 4 * (k % 7)) + Duration::hours(10 + k / 7)
}

/// When the history of a seller at a hotel ends (the start of 2000 when it has none):
/// consignments and sales from then on are today's.
pub fn end_of(c: &Catalogue, seller: &str, hotel: &str) -> DateTime<Utc> {
    c.history
        .iter()
        .filter(|h| h.seller == seller && h.hotel == hotel)
        .filter_map(|h| {
            let first = Period::parse(&h.from).ok()?;
            Some(first.offset(h.units.len() as i32).start())
        })
        .max()
        .unwrap_or_else(|| Period::parse("2000-01").expect("a month").start())
}

/// Writes `h` unless its sales are already there; true when written.
pub fn write(conn: &mut DbConn, h: &History, who: &Parties) -> AppResult<bool> {
    let first = Period::parse(&h.from).map_err(AppError::internal)?;
    let start = first.start();
    let (agreed, stocked, sent, arrived) = (
        start - Duration::days(30),
        start - Duration::days(20),
        start - Duration::days(14),
        start - Duration::days(12),
    );
    write_tx(conn, |conn| {
        if existing::agreement_between(conn, who.seller_id, who.hotel_id)?.is_some() {
            // Written before, or the pair already trades from a later date: either way there
            // is no room for older records before it.
            return Ok(false);
        }
        let product = existing::product(conn, who.seller_id, &h.sku)?
            .ok_or_else(|| AppError::internal(format!("no product {}", h.sku)))?;
        let variant = crate::db::variants::of_products(conn, &[product.id])?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::internal("a product without variants"))?;
        let price = PriceIdr::parse(
            crate::db::products::find(conn, product.id)?
                .ok_or(AppError::NotFound("product"))?
                .price_idr,
        )
        .map_err(AppError::internal)?;
        let total: i64 = h.units.iter().sum();
        let hotel = Actor {
            user: Some(AuthUser {
                id: who.hotel_user,
                role: Role::Hotel,
            }),
            seller_id: None,
            hotel_id: Some(who.hotel_id),
        };
        let bps = Bps::parse(h.commission_bps).map_err(AppError::internal)?;
        let agreement = agreements::propose_at(
            conn,
            who.seller_id,
            who.hotel_id,
            bps,
            h.term_days as i32,
            agreed,
        )?;
        agreements::accept_at(conn, &hotel, agreement.id, agreed + Duration::days(2))?;
        stock::adjust_at(
            conn,
            &variant,
            total,
            "stok arsip",
            who.seller_user,
            stocked,
        )?;
        let item = DispatchItem {
            product_id: None,
            variant_id: Some(variant.id),
            quantity: total,
            unit_price: price,
        };
        let consignment = shipments::dispatch_at(
            conn,
            who.seller_id,
            who.seller_user,
            agreement.id,
            &[item],
            sent,
        )?;
        shipments::receive_at(conn, &hotel, consignment.id, None, arrived)?;
        let till = AuthUser {
            id: who.hotel_user,
            role: Role::Hotel,
        };
        for (i, units) in h.units.iter().enumerate() {
            let month = first.offset(i as i32);
            for k in 0..*units {
                let mut items = [SaleItem {
                    line: 0,
                    variant_id: variant.id,
                    quantity: 1,
                    unit_price: price,
                }];
                shelf::sell(conn, &till, who.hotel_id, &mut items, sale_time(month, k))?;
            }
        }
        Ok(true)
    })
}
