//! Column types that are native on PostgreSQL (uuid, timestamptz, jsonb) and TEXT on SQLite.
//!
//! Each SQL type here has a `ToSql`/`FromSql` for both backends and the glue the
//! `MultiConnection` backend needs, so one `schema.rs` and one query serve both databases.

use chrono::{DateTime, SecondsFormat, Utc};
use diesel::deserialize::{self, FromSql};
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::{HasSqlType, Text};
use diesel::sqlite::{Sqlite, SqliteValue};
use diesel::{AsExpression, FromSqlRow};

use super::connection::{MultiBackend, MultiRawValue};

/// SQL types used in `schema.rs`.
pub mod sql_types {
    /// `uuid` on PostgreSQL, TEXT on SQLite.
    #[derive(diesel::sql_types::SqlType, diesel::query_builder::QueryId, Clone, Copy, Debug)]
    #[diesel(postgres_type(oid = 2950, array_oid = 2951))]
    #[diesel(sqlite_type(name = "Text"))]
    pub struct Id;

    /// `timestamptz` on PostgreSQL, RFC 3339 TEXT (UTC, microseconds) on SQLite.
    #[derive(diesel::sql_types::SqlType, diesel::query_builder::QueryId, Clone, Copy, Debug)]
    #[diesel(postgres_type(oid = 1184, array_oid = 1185))]
    #[diesel(sqlite_type(name = "Text"))]
    pub struct Instant;

    /// `jsonb` on PostgreSQL, JSON TEXT on SQLite.
    #[derive(diesel::sql_types::SqlType, diesel::query_builder::QueryId, Clone, Copy, Debug)]
    #[diesel(postgres_type(oid = 3802, array_oid = 3807))]
    #[diesel(sqlite_type(name = "Text"))]
    pub struct JsonDoc;
}

use sql_types::{Id, Instant, JsonDoc};

/// Values of the portable types. Row structs keep plain `Uuid`/`DateTime`/`Value` fields and
/// convert through these with `#[diesel(serialize_as = …, deserialize_as = …)]`; filters wrap
/// their arguments (`users::id.eq(DbId(id))`).
#[derive(AsExpression, FromSqlRow, Clone, Copy, Debug, PartialEq, Eq)]
#[diesel(sql_type = Id)]
pub struct DbId(pub uuid::Uuid);

#[derive(AsExpression, FromSqlRow, Clone, Copy, Debug, PartialEq, Eq)]
#[diesel(sql_type = Instant)]
pub struct DbTime(pub DateTime<Utc>);

#[derive(AsExpression, FromSqlRow, Clone, Debug, PartialEq)]
#[diesel(sql_type = JsonDoc)]
pub struct DbJson(pub serde_json::Value);

macro_rules! conversions {
    ($db:ident, $rust:ty) => {
        impl From<$rust> for $db {
            fn from(v: $rust) -> Self {
                $db(v)
            }
        }
        impl From<$db> for $rust {
            fn from(v: $db) -> Self {
                v.0
            }
        }
    };
}
conversions!(DbId, uuid::Uuid);
conversions!(DbTime, DateTime<Utc>);
conversions!(DbJson, serde_json::Value);

/// Wires a portable SQL type into the `MultiConnection` backend, which dispatches to the
/// per-backend impls below.
macro_rules! multi_backend_glue {
    ($sql:ident, $rust:ty) => {
        impl HasSqlType<$sql> for MultiBackend {
            fn metadata(lookup: &mut Self::MetadataLookup) -> Self::TypeMetadata {
                MultiBackend::lookup_sql_type::<$sql>(lookup)
            }
        }
        impl FromSql<$sql, MultiBackend> for $rust {
            fn from_sql(bytes: MultiRawValue<'_>) -> deserialize::Result<Self> {
                bytes.from_sql::<Self, $sql>()
            }
        }
        impl ToSql<$sql, MultiBackend> for $rust {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
                out.set_value(($sql, self));
                Ok(IsNull::No)
            }
        }
    };
}

multi_backend_glue!(Id, DbId);
multi_backend_glue!(Instant, DbTime);
multi_backend_glue!(JsonDoc, DbJson);

fn sqlite_text(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<String> {
    <String as FromSql<Text, Sqlite>>::from_sql(value)
}

/// The one text form timestamps take on SQLite; fixed width so TEXT order is time order.
pub fn timestamp_text(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

// --- uuid ---
impl ToSql<Id, Pg> for DbId {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <uuid::Uuid as ToSql<diesel::sql_types::Uuid, Pg>>::to_sql(&self.0, out)
    }
}
impl FromSql<Id, Pg> for DbId {
    fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
        <uuid::Uuid as FromSql<diesel::sql_types::Uuid, Pg>>::from_sql(bytes).map(DbId)
    }
}
impl ToSql<Id, Sqlite> for DbId {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(self.0.to_string());
        Ok(IsNull::No)
    }
}
impl FromSql<Id, Sqlite> for DbId {
    fn from_sql(bytes: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        Ok(DbId(sqlite_text(bytes)?.parse()?))
    }
}

// --- timestamps ---
impl ToSql<Instant, Pg> for DbTime {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <DateTime<Utc> as ToSql<diesel::sql_types::Timestamptz, Pg>>::to_sql(&self.0, out)
    }
}
impl FromSql<Instant, Pg> for DbTime {
    fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
        <DateTime<Utc> as FromSql<diesel::sql_types::Timestamptz, Pg>>::from_sql(bytes).map(DbTime)
    }
}
impl ToSql<Instant, Sqlite> for DbTime {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(timestamp_text(&self.0));
        Ok(IsNull::No)
    }
}
impl FromSql<Instant, Sqlite> for DbTime {
    fn from_sql(bytes: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        Ok(DbTime(
            DateTime::parse_from_rfc3339(&sqlite_text(bytes)?)?.with_timezone(&Utc),
        ))
    }
}

// --- json ---
impl ToSql<JsonDoc, Pg> for DbJson {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <serde_json::Value as ToSql<diesel::sql_types::Jsonb, Pg>>::to_sql(&self.0, out)
    }
}
impl FromSql<JsonDoc, Pg> for DbJson {
    fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
        <serde_json::Value as FromSql<diesel::sql_types::Jsonb, Pg>>::from_sql(bytes).map(DbJson)
    }
}
impl ToSql<JsonDoc, Sqlite> for DbJson {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(serde_json::to_string(&self.0)?);
        Ok(IsNull::No)
    }
}
impl FromSql<JsonDoc, Sqlite> for DbJson {
    fn from_sql(bytes: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        Ok(DbJson(serde_json::from_str(&sqlite_text(bytes)?)?))
    }
}
