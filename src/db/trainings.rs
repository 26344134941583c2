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
    /// The seller the city office linked (named when added, or confirmed later).
    pub seller_id: Option<DbId>,
    #[diesel(serialize_as = DbTime, deserialize_as = DbTime)]
    pub created_at: DateTime<Utc>,
    /// The seller the office said this participant is not: never suggested for it.
    pub rejected_seller_id: Option<DbId>,
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

/// Adds a participant unless the training already has that number; true when added. Naming
/// a seller already linked to another participant of the training is a unique violation.
pub fn add_participant(conn: &mut DbConn, row: ParticipantRow) -> QueryResult<bool> {
    let insert = diesel::insert_into(training_participants::table)
        .values(row)
        .on_conflict((
            training_participants::training_id,
            training_participants::whatsapp,
        ))
        .do_nothing();
    let n = match conn {
        DbConn::Pg(c) => insert.execute(c)?,
        DbConn::Sqlite(c) => insert.execute(c)?,
    };
    Ok(n == 1)
}

/// A page of the training's participants in the order they were added (after `after`).
pub fn participants_page(
    conn: &mut DbConn,
    training_id: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<ParticipantRow>> {
    let mut query = training_participants::table
        .filter(training_participants::training_id.eq(DbId(training_id)))
        .order(training_participants::id)
        .limit(limit)
        .select(ParticipantRow::as_select())
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(training_participants::id.gt(DbId(after)));
    }
    query.load(conn)
}

/// Every participant of the training, in the order they were added.
pub fn all_participants(conn: &mut DbConn, training_id: Uuid) -> QueryResult<Vec<ParticipantRow>> {
    training_participants::table
        .filter(training_participants::training_id.eq(DbId(training_id)))
        .order(training_participants::id)
        .select(ParticipantRow::as_select())
        .load(conn)
}

/// Participant `id` of training `training_id` (none when it belongs to another training).
pub fn find_participant(
    conn: &mut DbConn,
    training_id: Uuid,
    id: Uuid,
) -> QueryResult<Option<ParticipantRow>> {
    training_participants::table
        .filter(training_participants::id.eq(DbId(id)))
        .filter(training_participants::training_id.eq(DbId(training_id)))
        .select(ParticipantRow::as_select())
        .first(conn)
        .optional()
}

/// The participant of the training linked to `seller_id`, if any.
pub fn participant_of_seller(
    conn: &mut DbConn,
    training_id: Uuid,
    seller_id: Uuid,
) -> QueryResult<Option<ParticipantRow>> {
    training_participants::table
        .filter(training_participants::training_id.eq(DbId(training_id)))
        .filter(training_participants::seller_id.eq(DbId(seller_id)))
        .select(ParticipantRow::as_select())
        .first(conn)
        .optional()
}

/// Sets the participant's confirmed seller and the seller it is not.
pub fn set_link(
    conn: &mut DbConn,
    id: Uuid,
    seller_id: Option<Uuid>,
    rejected_seller_id: Option<Uuid>,
) -> QueryResult<()> {
    diesel::update(training_participants::table.find(DbId(id)))
        .set((
            training_participants::seller_id.eq(seller_id.map(DbId)),
            training_participants::rejected_seller_id.eq(rejected_seller_id.map(DbId)),
        ))
        .execute(conn)
        .map(drop)
}

/// What the city office needs to judge a link: the seller's name and whether it is approved.
#[derive(Queryable, Clone, Debug)]
pub struct SellerBrief {
    #[diesel(deserialize_as = DbId)]
    pub id: Uuid,
    pub business_name: String,
    pub status: String,
}

/// A participant's seller: the confirmed one, or else the one its number suggests.
pub struct Links {
    pub seller: Option<SellerBrief>,
    pub suggested: Option<SellerBrief>,
}

/// The links of some of a training's participants, in their order. A participant without a
/// confirmed seller is suggested the seller whose profile has its WhatsApp number (now,
/// whenever that was filled in) when exactly one seller has that number, the office has not
/// turned that seller down for it, and that seller is not already linked to another
/// participant of the training.
pub fn links(
    conn: &mut DbConn,
    training_id: Uuid,
    rows: &[ParticipantRow],
) -> QueryResult<Vec<Links>> {
    let numbers: Vec<&str> = rows
        .iter()
        .filter(|r| r.seller_id.is_none())
        .map(|r| r.whatsapp.as_str())
        .collect();
    let by_number: Vec<(Option<String>, DbId)> = if numbers.is_empty() {
        Vec::new()
    } else {
        sellers::table
            .filter(sellers::whatsapp.eq_any(numbers))
            .select((sellers::whatsapp, sellers::id))
            .load(conn)?
    };
    let candidates: Vec<DbId> = by_number.iter().map(|(_, id)| *id).collect();
    let taken: Vec<Uuid> = if candidates.is_empty() {
        Vec::new()
    } else {
        training_participants::table
            .filter(training_participants::training_id.eq(DbId(training_id)))
            .filter(training_participants::seller_id.eq_any(candidates))
            .select(training_participants::seller_id.assume_not_null())
            .load::<DbId>(conn)?
            .into_iter()
            .map(|id| id.0)
            .collect()
    };
    let pairs: Vec<(Option<Uuid>, Option<Uuid>)> = rows
        .iter()
        .map(|row| match row.seller_id {
            Some(id) => (Some(id.0), None),
            None => {
                let mut matching = by_number
                    .iter()
                    .filter(|(w, _)| w.as_deref() == Some(row.whatsapp.as_str()))
                    .map(|(_, id)| id.0);
                let only = match (matching.next(), matching.next()) {
                    (Some(id), None) => Some(id),
                    _ => None,
                };
                let suggested = only.filter(|id| {
                    row.rejected_seller_id.map(|r| r.0) != Some(*id) && !taken.contains(id)
                });
                (None, suggested)
            }
        })
        .collect();
    let wanted: Vec<DbId> = pairs
        .iter()
        .flat_map(|(a, b)| [*a, *b])
        .flatten()
        .map(DbId)
        .collect();
    let briefs: Vec<SellerBrief> = if wanted.is_empty() {
        Vec::new()
    } else {
        sellers::table
            .filter(sellers::id.eq_any(wanted))
            .select((sellers::id, sellers::business_name, sellers::status))
            .load(conn)?
    };
    let brief = |id: Option<Uuid>| id.and_then(|id| briefs.iter().find(|b| b.id == id).cloned());
    Ok(pairs
        .into_iter()
        .map(|(seller, suggested)| Links {
            seller: brief(seller),
            suggested: brief(suggested),
        })
        .collect())
}

/// How many of the training's participants have a suggested seller but no confirmed one.
pub fn count_suggestions(conn: &mut DbConn, training_id: Uuid) -> QueryResult<i64> {
    let rows = all_participants(conn, training_id)?;
    Ok(links(conn, training_id, &rows)?
        .iter()
        .filter(|l| l.suggested.is_some())
        .count() as i64)
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

/// The trainings a seller took part in: those whose participant the city office linked to it
/// (a matching WhatsApp number alone is only a suggestion).
pub fn of_seller(conn: &mut DbConn, seller_id: Uuid) -> QueryResult<Vec<TrainingRow>> {
    let ids: Vec<DbId> = training_participants::table
        .filter(training_participants::seller_id.eq(DbId(seller_id)))
        .select(training_participants::training_id)
        .load(conn)?;
    trainings::table
        .filter(trainings::id.eq_any(ids))
        .order((trainings::held_from, trainings::id))
        .select(TrainingRow::as_select())
        .load(conn)
}
