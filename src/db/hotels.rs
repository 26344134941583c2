//! Partner hotels.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::DbConn;
use super::portable::{DbId, DbTime};
use super::schema::hotels;
use super::search_outbox::{self, Subject};

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = hotels)]
#[diesel(treat_none_as_default_value = false)]
pub struct HotelRow {
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub user_id: Uuid,
    pub name: String,
    pub address: String,
    pub kecamatan: String,
    pub phri_number: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub status: String,
    pub version: i32,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub created_at: DateTime<Utc>,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub updated_at: DateTime<Utc>,
}

pub fn insert(conn: &mut DbConn, hotel: HotelRow) -> QueryResult<()> {
    diesel::insert_into(hotels::table)
        .values(hotel)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut DbConn, id: Uuid) -> QueryResult<Option<HotelRow>> {
    hotels::table
        .find(DbId(id))
        .select(HotelRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_user(conn: &mut DbConn, user_id: Uuid) -> QueryResult<Option<HotelRow>> {
    hotels::table
        .filter(hotels::user_id.eq(DbId(user_id)))
        .select(HotelRow::as_select())
        .first(conn)
        .optional()
}

/// A page of hotels in a status, newest first.
pub fn list(
    conn: &mut DbConn,
    status: &str,
    before: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<HotelRow>> {
    let mut query = hotels::table
        .filter(hotels::status.eq(status))
        .select(HotelRow::as_select())
        .order(hotels::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(hotels::id.lt(DbId(before)));
    }
    query.load(conn)
}

pub fn set_status(
    conn: &mut DbConn,
    id: Uuid,
    status: &str,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    let n = diesel::update(hotels::table.find(DbId(id)))
        .set((
            hotels::status.eq(status),
            hotels::version.eq(hotels::version + 1),
            hotels::updated_at.eq(DbTime(now)),
        ))
        .execute(conn)?;
    if n == 1 {
        search_outbox::enqueue(conn, Subject::Hotel(id))?;
    }
    Ok(n)
}

/// Active hotels among `ids`.
pub fn active_among(conn: &mut DbConn, ids: &[Uuid]) -> QueryResult<Vec<HotelRow>> {
    let ids: Vec<DbId> = ids.iter().copied().map(DbId).collect();
    hotels::table
        .filter(hotels::id.eq_any(ids))
        .filter(hotels::status.eq("active"))
        .select(HotelRow::as_select())
        .load(conn)
}
