//! Stored responses of POSTs sent with an `Idempotency-Key`.

use chrono::{DateTime, Utc};
use diesel::backend::Backend;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::serialize::ToSql;
use diesel::sql_types::{HasSqlType, Integer, Text};
use uuid::Uuid;

use super::DbConn;
use super::appends::Appends;
use super::portable::sql_types::Id;
use super::portable::{DbId, DbTime};
use super::prepared;
use super::schema::idempotency_keys;

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = idempotency_keys)]
#[diesel(treat_none_as_default_value = false)]
pub struct KeyRow {
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub user_id: Uuid,
    pub key: String,
    pub request_hash: String,
    pub status_code: i32,
    pub response_body: String,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub created_at: DateTime<Utc>,
}

pub fn find(conn: &mut DbConn, user_id: Uuid, key: &str) -> QueryResult<Option<KeyRow>> {
    idempotency_keys::table
        .filter(idempotency_keys::user_id.eq(DbId(user_id)))
        .filter(idempotency_keys::key.eq(key))
        .select(KeyRow::as_select())
        .first(conn)
        .optional()
}

/// Claims a key: false if a request with it was recorded first. A request holding the key
/// and not yet committed makes this wait for it (the unique index), then answer.
pub fn claim(conn: &mut DbConn, row: KeyRow) -> QueryResult<bool> {
    let stmt = diesel::insert_into(idempotency_keys::table)
        .values(row)
        .on_conflict_do_nothing();
    let inserted = match conn {
        DbConn::Pg(c) => stmt.execute(c)?,
        DbConn::Sqlite(c) => stmt.execute(c)?,
    };
    Ok(inserted == 1)
}

/// Forgets keys older than `cutoff` (they are kept at least 24 hours).
pub fn purge_before(conn: &mut DbConn, cutoff: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(DbTime(cutoff))))
        .execute(conn)
}

/// Fills in the response of a key claimed earlier in the same transaction, gathered into
/// `later` (the unit of work's last write).
pub fn complete_later(
    conn: &mut DbConn,
    later: &mut Appends,
    user_id: Uuid,
    key: &str,
    status_code: i32,
    body: String,
) -> QueryResult<()> {
    let stmt = Complete {
        user_id: DbId(user_id),
        key: key.to_owned(),
        status_code,
        body,
    };
    later.add(conn, stmt)
}

/// `UPDATE idempotency_keys SET status_code = …, response_body = … WHERE …`, kept prepared
/// (see `db::prepared`).
struct Complete {
    user_id: DbId,
    key: String,
    status_code: i32,
    body: String,
}
prepared::fixed_query_id!(Complete);

impl<DB> QueryFragment<DB> for Complete
where
    DB: Backend + HasSqlType<Id>,
    DbId: ToSql<Id, DB>,
    String: ToSql<Text, DB>,
    i32: ToSql<Integer, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("UPDATE idempotency_keys SET status_code = ");
        out.push_bind_param::<Integer, _>(&self.status_code)?;
        out.push_sql(", response_body = ");
        out.push_bind_param::<Text, _>(&self.body)?;
        out.push_sql(" WHERE user_id = ");
        out.push_bind_param::<Id, _>(&self.user_id)?;
        out.push_sql(" AND \"key\" = ");
        out.push_bind_param::<Text, _>(&self.key)
    }
}
