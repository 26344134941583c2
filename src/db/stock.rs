//! The stock ledger: every change of where units are is one row in `stock_movements`
//! (append-only) plus the matching change of `stock_balances`, in the caller's transaction.
//! A balance never goes below zero: units leave a place only through one guarded
//! `UPDATE … WHERE quantity >= n`, which on PostgreSQL also locks the row until commit, so
//! racing requests queue instead of selling the same unit twice.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use diesel::backend::Backend;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, HasSqlType, Nullable, Text};
use uuid::Uuid;

use super::DbConn;
use super::appends::Appends;
use super::portable::sql_types::Id;
use super::portable::{DbId, DbTime};
use super::prepared;
use super::schema::{stock_balances, stock_movements};
use super::search_outbox::{self, Subject};
use crate::domain::stock::{Location, LocationKind, Reason};
use crate::error::AppError;

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = stock_balances)]
#[diesel(treat_none_as_default_value = false)]
pub struct BalanceRow {
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub variant_id: Uuid,
    pub location: String,
    pub kind: String,
    pub hotel_id: Option<DbId>,
    pub agreement_id: Option<DbId>,
    pub quantity: i64,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = stock_movements)]
#[diesel(treat_none_as_default_value = false)]
pub struct MovementRow {
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub product_id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub variant_id: Uuid,
    pub from_location: Option<String>,
    pub to_location: String,
    pub quantity: i64,
    pub reason: String,
    pub note: Option<String>,
    pub reference_id: Option<DbId>,
    pub actor_id: Option<DbId>,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub created_at: DateTime<Utc>,
}

/// One move of `quantity` units of a variant. `from: None` brings units in (a restock).
pub struct Movement {
    pub product_id: Uuid,
    pub variant_id: Uuid,
    pub from: Option<Location>,
    pub to: Location,
    pub quantity: i64,
    pub reason: Reason,
    pub note: Option<String>,
    pub reference_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    pub at: DateTime<Utc>,
}

/// Why a movement could not be recorded.
#[derive(Debug)]
pub enum StockError {
    /// The source holds fewer units than the movement takes.
    Short {
        variant_id: Uuid,
        kind: LocationKind,
    },
    Db(diesel::result::Error),
}

impl From<diesel::result::Error> for StockError {
    fn from(e: diesel::result::Error) -> Self {
        StockError::Db(e)
    }
}

impl From<StockError> for AppError {
    fn from(e: StockError) -> Self {
        match e {
            StockError::Short { variant_id, kind } => AppError::Conflict(format!(
                "not enough units of variant {variant_id} in {}",
                match kind {
                    LocationKind::Own => "the seller's own stock",
                    LocationKind::InTransit => "transit",
                    LocationKind::Shelf => "the hotel's shelf",
                    _ => "that place",
                }
            )),
            StockError::Db(e) => e.into(),
        }
    }
}

/// Records one movement: takes the units from `from` (guarded), adds them to `to`, appends
/// the ledger row.
pub fn record(conn: &mut DbConn, m: &Movement) -> Result<(), StockError> {
    let mut ledger = Ledger::default();
    ledger.record(conn, m)?;
    let mut later = Appends::new();
    ledger.write(conn, &mut later)?;
    later.write(conn)?;
    Ok(())
}

/// The movements of one unit of work. A take from a place runs at once: its guard is what
/// stops an oversell, and on PostgreSQL its row lock queues racing takers. What the
/// movements add (the balances they fill, summed per place, their ledger rows and the search
/// outbox rows) waits for [`Ledger::write`], so that it can go in one statement with the
/// unit's other appends. So a movement must not take from a place an earlier movement of the
/// same ledger fills.
#[derive(Default)]
pub struct Ledger {
    /// Per (variant, place): the row to add, its quantity summed.
    fills: BTreeMap<(Uuid, String), BalanceRow>,
    rows: Vec<MovementRow>,
    /// Products whose stock changes (each once), and whether their search documents may.
    shown: Vec<(Uuid, bool)>,
}

impl Ledger {
    /// Takes the units from `from` (guarded) now; the rest waits for [`Ledger::write`].
    pub fn record(&mut self, conn: &mut DbConn, m: &Movement) -> Result<(), StockError> {
        self.record_left(conn, m).map(drop)
    }

    /// [`Ledger::record`], answering how many units the source holds after the take (`None`
    /// for a movement from nowhere).
    pub fn record_left(
        &mut self,
        conn: &mut DbConn,
        m: &Movement,
    ) -> Result<Option<i64>, StockError> {
        let mut source_left = None;
        // Search lists the hotels that hold a product on their shelf, and whether the seller
        // has any in its own stock to sell online: its document changes only when such a
        // place is emptied or filled. Other takes change quantities only.
        let shown = |l: &Location| matches!(l.kind(), LocationKind::Shelf | LocationKind::Own);
        if let Some(from) = &m.from {
            let take = Take {
                variant_id: DbId(m.variant_id),
                location: from.key(),
                quantity: m.quantity,
            };
            let Some(left) = take.run(conn)? else {
                return Err(StockError::Short {
                    variant_id: m.variant_id,
                    kind: from.kind(),
                });
            };
            if shown(from) {
                self.changed(m.product_id, left == 0);
            }
            source_left = Some(left);
        }
        if shown(&m.to) {
            self.changed(m.product_id, true);
        }
        let key = m.to.key();
        self.fills
            .entry((m.variant_id, key.clone()))
            .and_modify(|row| row.quantity += m.quantity)
            .or_insert_with(|| BalanceRow {
                variant_id: m.variant_id,
                location: key,
                kind: m.to.kind().as_str().to_owned(),
                hotel_id: m.to.hotel_id().map(DbId),
                agreement_id: m.to.agreement_id().map(DbId),
                quantity: m.quantity,
            });
        self.rows.push(MovementRow {
            id: crate::domain::new_id(),
            product_id: m.product_id,
            variant_id: m.variant_id,
            from_location: m.from.as_ref().map(Location::key),
            to_location: m.to.key(),
            quantity: m.quantity,
            reason: m.reason.as_str().to_owned(),
            note: m.note.clone(),
            reference_id: m.reference_id.map(DbId),
            actor_id: m.actor_id.map(DbId),
            created_at: m.at,
        });
        Ok(source_left)
    }

    /// Notes that a product's stock changed, and whether its search document may have.
    fn changed(&mut self, product: Uuid, document: bool) {
        match self.shown.iter_mut().find(|(p, _)| *p == product) {
            Some((_, seen)) => *seen |= document,
            None => self.shown.push((product, document)),
        }
    }

    /// Gathers what the movements add into `later`.
    pub fn write(self, conn: &mut DbConn, later: &mut Appends) -> QueryResult<()> {
        fill(conn, later, self.fills.into_values().collect())?;
        for row in self.rows {
            later.add(
                conn,
                diesel::insert_into(stock_movements::table).values(row),
            )?;
        }
        for (product, document) in self.shown {
            let subject = if document {
                Subject::Product(product)
            } else {
                Subject::Stock(product)
            };
            search_outbox::enqueue_later(conn, later, subject)?;
        }
        Ok(())
    }
}

/// Adds units to balances, creating a row on first use (an upsert, so two requests that
/// create the same row at once both count). `rows` are distinct places in key order: one
/// statement fills them in that order, so two units of work lock the rows they share in the
/// same order.
fn fill(conn: &mut DbConn, later: &mut Appends, rows: Vec<BalanceRow>) -> QueryResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let ids = rows.iter().map(|r| DbId(r.variant_id)).collect();
    later.add(conn, Fill { ids, rows })
}

/// `quantity` units leave a place, if it holds them: the guard that stops an oversell.
struct Take {
    variant_id: DbId,
    location: String,
    quantity: i64,
}
prepared::fixed_query_id!(Take);

impl Query for Take {
    type SqlType = BigInt;
}

impl Take {
    /// What the place holds after the take, or `None` when it held fewer.
    fn run(self, conn: &mut DbConn) -> QueryResult<Option<i64>> {
        match conn {
            DbConn::Pg(c) => self.get_result(c).optional(),
            DbConn::Sqlite(c) => self.get_result(c).optional(),
        }
    }
}

impl<DB> QueryFragment<DB> for Take
where
    DB: Backend + HasSqlType<Id>,
    DbId: ToSql<Id, DB>,
    String: ToSql<Text, DB>,
    i64: ToSql<BigInt, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("UPDATE stock_balances SET quantity = quantity - ");
        out.push_bind_param::<BigInt, _>(&self.quantity)?;
        out.push_sql(" WHERE variant_id = ");
        out.push_bind_param::<Id, _>(&self.variant_id)?;
        out.push_sql(" AND location = ");
        out.push_bind_param::<Text, _>(&self.location)?;
        out.push_sql(" AND quantity >= ");
        out.push_bind_param::<BigInt, _>(&self.quantity)?;
        out.push_sql(" RETURNING quantity");
        Ok(())
    }
}

/// Units arrive at places: one row each, added to the balance already there.
struct Fill {
    /// Each row's variant, as bound.
    ids: Vec<DbId>,
    rows: Vec<BalanceRow>,
}

/// One SQL text per number of places, each kept prepared.
impl QueryId for Fill {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}
impl<Conn> RunQueryDsl<Conn> for Fill {}

impl<DB> QueryFragment<DB> for Fill
where
    DB: Backend + HasSqlType<Id> + HasSqlType<Nullable<Id>>,
    DbId: ToSql<Id, DB>,
    Option<DbId>: ToSql<Nullable<Id>, DB>,
    String: ToSql<Text, DB>,
    i64: ToSql<BigInt, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql(
            "INSERT INTO stock_balances \
             (variant_id, location, kind, hotel_id, agreement_id, quantity) VALUES ",
        );
        for (i, (id, row)) in self.ids.iter().zip(&self.rows).enumerate() {
            out.push_sql(if i == 0 { "(" } else { ", (" });
            out.push_bind_param::<Id, _>(id)?;
            out.push_sql(", ");
            out.push_bind_param::<Text, _>(&row.location)?;
            out.push_sql(", ");
            out.push_bind_param::<Text, _>(&row.kind)?;
            out.push_sql(", ");
            out.push_bind_param::<Nullable<Id>, _>(&row.hotel_id)?;
            out.push_sql(", ");
            out.push_bind_param::<Nullable<Id>, _>(&row.agreement_id)?;
            out.push_sql(", ");
            out.push_bind_param::<BigInt, _>(&row.quantity)?;
            out.push_sql(")");
        }
        out.push_sql(
            " ON CONFLICT (variant_id, location) DO UPDATE \
             SET quantity = stock_balances.quantity + excluded.quantity",
        );
        Ok(())
    }
}

/// Holds every shelf balance of an agreement until the transaction ends, so nothing leaves
/// its shelf meanwhile (PostgreSQL; SQLite runs one writer at a time anyway). A unit that
/// leaves a shelf updates its balance row first, so this waits for every sale in flight to
/// commit, and a sale that starts later waits for this transaction. Rows are locked in key
/// order, the order a sale takes them in.
pub fn hold_shelf_of(conn: &mut DbConn, agreement_id: Uuid) -> QueryResult<()> {
    if let DbConn::Pg(c) = conn {
        stock_balances::table
            .filter(stock_balances::agreement_id.eq(DbId(agreement_id)))
            .filter(stock_balances::kind.eq(LocationKind::Shelf.as_str()))
            .order((stock_balances::variant_id, stock_balances::location))
            .select(stock_balances::quantity)
            .for_update()
            .load::<i64>(c)?;
    }
    Ok(())
}

/// Recomputes every balance from the ledger and compares: the list of disagreements (empty
/// when the books are right). Also checks, per variant, that all places together hold
/// exactly what was ever brought in.
pub fn check_invariants(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    let movements: Vec<MovementRow> = stock_movements::table
        .select(MovementRow::as_select())
        .load(conn)?;
    let balances: Vec<BalanceRow> = stock_balances::table
        .select(BalanceRow::as_select())
        .load(conn)?;
    let mut computed: HashMap<(Uuid, String), i64> = HashMap::new();
    let mut brought_in: HashMap<Uuid, i64> = HashMap::new();
    for m in &movements {
        *computed
            .entry((m.variant_id, m.to_location.clone()))
            .or_default() += m.quantity;
        match &m.from_location {
            Some(from) => *computed.entry((m.variant_id, from.clone())).or_default() -= m.quantity,
            None => *brought_in.entry(m.variant_id).or_default() += m.quantity,
        }
    }
    let mut problems = Vec::new();
    let mut held: HashMap<Uuid, i64> = HashMap::new();
    for b in &balances {
        *held.entry(b.variant_id).or_default() += b.quantity;
        let expected = computed
            .remove(&(b.variant_id, b.location.clone()))
            .unwrap_or(0);
        if expected != b.quantity {
            problems.push(format!(
                "{} at {}: balance {} but ledger says {expected}",
                b.variant_id, b.location, b.quantity
            ));
        }
        if b.quantity < 0 {
            problems.push(format!(
                "{} at {}: negative balance {}",
                b.variant_id, b.location, b.quantity
            ));
        }
    }
    for ((variant, location), q) in computed {
        if q != 0 {
            problems.push(format!(
                "{variant} at {location}: no balance row but ledger says {q}"
            ));
        }
    }
    for (variant, total) in brought_in {
        let h = held.get(&variant).copied().unwrap_or(0);
        if h != total {
            problems.push(format!(
                "{variant}: places hold {h} units but {total} were brought in"
            ));
        }
    }
    Ok(problems)
}
