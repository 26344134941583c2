//! Trainings and their participants.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::DbConn;
use super::portable::{DbId, DbTime};
use super::schema::{sellers, training_participants, trainings};

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = trainings)]
#[diesel(treat_none_as_default_value = false)]
pub struct TrainingRow {
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub id: Uuid,
    pub title: String,
    pub sector: String,
    pub held_from: String,
    pub held_to: String,
    pub venue: String,
    pub organiser: String,
    pub version: i32,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub created_at: DateTime<Utc>,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub updated_at: DateTime<Utc>,
}

#[derive(AsChangeset, Default)]
#[diesel(table_name = trainings)]
pub struct TrainingChange {
    pub title: Option<String>,
    pub sector: Option<String>,
    pub held_from: Option<String>,
    pub held_to: Option<String>,
    pub venue: Option<String>,
    pub organiser: Option<String>,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = training_participants)]
#[diesel(treat_none_as_default_value = false)]
pub struct ParticipantRow {
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub id: Uuid,
    #[diesel(serialize_as = DbId, deserialize_as = DbId)]
    pub training_id: Uuid,
    pub name: String,
    pub whatsapp: String,
    pub kelurahan: Option<String>,
    pub seller_id: Option<DbId>,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub created_at: DateTime<Utc>,
}

pub fn insert(conn: &mut DbConn, row: TrainingRow) -> QueryResult<()> {
    diesel::insert_into(trainings::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut DbConn, id: Uuid) -> QueryResult<Option<TrainingRow>> {
    trainings::table
        .find(DbId(id))
        .select(TrainingRow::as_select())
        .first(conn)
        .optional()
}

/// A page of trainings, newest first.
pub fn list(conn: &mut DbConn, before: Option<Uuid>, limit: i64) -> QueryResult<Vec<TrainingRow>> {
    let mut query = trainings::table
        .order(trainings::id.desc())
        .limit(limit)
        .select(TrainingRow::as_select())
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(trainings::id.lt(DbId(before)));
    }
    query.load(conn)
}

/// Applies `change` when the training is still at `version`.
pub fn update(
    conn: &mut DbConn,
    id: Uuid,
    version: i32,
    change: TrainingChange,
    at: DateTime<Utc>,
) -> QueryResult<bool> {
    let n = diesel::update(
        trainings::table
            .filter(trainings::id.eq(DbId(id)))
            .filter(trainings::version.eq(version)),
    )
    .set((
        change,
        trainings::version.eq(version + 1),
        trainings::updated_at.eq(DbTime(at)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Adds a participant unless the training already has that number; true when added.
pub fn add_participant(conn: &mut DbConn, row: ParticipantRow) -> QueryResult<bool> {
    let insert = diesel::insert_into(training_participants::table)
        .values(row)
        .on_conflict_do_nothing();
    let n = match conn {
        DbConn::Pg(c) => insert.execute(c)?,
        DbConn::Sqlite(c) => insert.execute(c)?,
    };
    Ok(n == 1)
}

/// A participant with the seller it is linked to: the one named when it was added, else
/// the seller whose profile has the same WhatsApp number (now, whenever that was filled in).
pub struct Linked {
    pub row: ParticipantRow,
    pub seller_id: Option<Uuid>,
}

/// The training's participants in the order they were added, each with its seller.
pub fn participants(conn: &mut DbConn, training_id: Uuid) -> QueryResult<Vec<Linked>> {
    let rows: Vec<ParticipantRow> = training_participants::table
        .filter(training_participants::training_id.eq(DbId(training_id)))
        .order(training_participants::id)
        .select(ParticipantRow::as_select())
        .load(conn)?;
    let numbers: Vec<String> = rows
        .iter()
        .filter(|r| r.seller_id.is_none())
        .map(|r| r.whatsapp.clone())
        .collect();
    let by_number: Vec<(Option<String>, DbId)> = sellers::table
        .filter(sellers::whatsapp.eq_any(numbers))
        .order(sellers::id)
        .select((sellers::whatsapp, sellers::id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let seller_id = row.seller_id.map(|s| s.0).or_else(|| {
                by_number
                    .iter()
                    .find(|(w, _)| w.as_deref() == Some(row.whatsapp.as_str()))
                    .map(|(_, id)| id.0)
            });
            Linked { row, seller_id }
        })
        .collect())
}

pub fn count_participants(conn: &mut DbConn, training_id: Uuid) -> QueryResult<i64> {
    training_participants::table
        .filter(training_participants::training_id.eq(DbId(training_id)))
        .count()
        .get_result(conn)
}

/// Trainings that began between two days (`YYYY-MM-DD`, both included), in order.
pub fn begun_between(conn: &mut DbConn, first: &str, last: &str) -> QueryResult<Vec<TrainingRow>> {
    trainings::table
        .filter(trainings::held_from.ge(first))
        .filter(trainings::held_from.le(last))
        .order((trainings::held_from, trainings::id))
        .select(TrainingRow::as_select())
        .load(conn)
}

/// The trainings a seller took part in: named, or by its WhatsApp number.
pub fn of_seller(
    conn: &mut DbConn,
    seller_id: Uuid,
    whatsapp: Option<&str>,
) -> QueryResult<Vec<TrainingRow>> {
    let named = training_participants::seller_id.eq(DbId(seller_id));
    let taken = training_participants::table.select(training_participants::training_id);
    let ids: Vec<DbId> = match whatsapp {
        Some(number) => taken
            .filter(
                named.or(training_participants::seller_id
                    .is_null()
                    .and(training_participants::whatsapp.eq(number))),
            )
            .load(conn)?,
        None => taken.filter(named).load(conn)?,
    };
    trainings::table
        .filter(trainings::id.eq_any(ids))
        .order((trainings::held_from, trainings::id))
        .select(TrainingRow::as_select())
        .load(conn)
}
