//! Closed monthly statements, frozen as they were at closing.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::DbConn;
use super::portable::{DbId, DbJson, DbTime};
use super::schema::statements;

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = statements)]
#[diesel(treat_none_as_default_value = false)]
pub struct StatementRow {
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub agreement_id: Uuid,
    pub period: String,
    #[diesel(serialize_as = DbJson, deserialize_as = DbJson)]
    pub snapshot: serde_json::Value,
    pub net_idr: i64,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub closed_at: DateTime<Utc>,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub closed_by: Uuid,
    pub paid_at: Option<DbTime>,
    pub paid_by: Option<DbId>,
    pub payout_reference: Option<String>,
}

pub fn find(
    conn: &mut DbConn,
    agreement_id: Uuid,
    period: &str,
) -> QueryResult<Option<StatementRow>> {
    statements::table
        .filter(statements::agreement_id.eq(DbId(agreement_id)))
        .filter(statements::period.eq(period))
        .select(StatementRow::as_select())
        .first(conn)
        .optional()
}

/// Inserts a closed statement; a second close of the same month is a unique violation.
pub fn insert(conn: &mut DbConn, row: StatementRow) -> QueryResult<()> {
    diesel::insert_into(statements::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// Records the payout of a closed statement; false if it was already paid.
pub fn mark_paid(
    conn: &mut DbConn,
    agreement_id: Uuid,
    period: &str,
    by: Uuid,
    reference: Option<String>,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    let n = diesel::update(
        statements::table
            .filter(statements::agreement_id.eq(DbId(agreement_id)))
            .filter(statements::period.eq(period))
            .filter(statements::paid_at.is_null()),
    )
    .set((
        statements::paid_at.eq(DbTime(now)),
        statements::paid_by.eq(DbId(by)),
        statements::payout_reference.eq(reference),
    ))
    .execute(conn)?;
    Ok(n == 1)
}
