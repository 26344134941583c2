//! User accounts.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::portable::{DbId, DbTime};

use super::DbConn;
use super::schema::users;

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = users)]
pub struct UserRow {
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub id: Uuid,
    pub email: String,
    pub password_hash: String,
    pub name: String,
    pub role: String,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub created_at: DateTime<Utc>,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub updated_at: DateTime<Utc>,
}

#[derive(Insertable)]
#[diesel(table_name = users)]
#[diesel(treat_none_as_default_value = false)]
pub struct NewUser<'a> {
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub id: Uuid,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub created_at: DateTime<Utc>,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub updated_at: DateTime<Utc>,
}

pub fn insert(conn: &mut DbConn, user: NewUser<'_>) -> QueryResult<()> {
    diesel::insert_into(users::table)
        .values(user)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut DbConn, id: Uuid) -> QueryResult<Option<UserRow>> {
    users::table
        .find(DbId(id))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}
