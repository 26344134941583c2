//! Trainings the city office runs and who took part: admins only. Participants are added
//! idempotently per (training, WhatsApp number), all of one request or none.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::db::portable::DbId;
use crate::db::trainings::{self, Links, ParticipantRow, SellerBrief, TrainingChange, TrainingRow};
use crate::db::{self, DbConn, read_snapshot, write_tx};
use crate::domain::account::Role;
use crate::domain::training::Participant;
use crate::domain::{new_id, now};
use crate::error::{AppError, AppResult, FieldError, is_unique_violation};

#[derive(Serialize, ToSchema, Debug, Clone)]
#[schema(example = json!({"id": "01934f6e-f000-7000-8000-000000000001",
    "title": "Pelatihan Electroforming bagi IKM Kota Malang", "sector": "electroforming-jewellery",
    "held_from": "2021-02-22", "held_to": "2021-02-24", "venue": "Hotel Santika Malang",
    "organiser": "Dinas Koperasi, Perindustrian dan Perdagangan Kota Malang", "participants": 30,
    "created_at": "2026-12-02T03:00:00Z", "updated_at": "2026-12-02T03:00:00Z"}))]
pub struct Training {
    pub id: Uuid,
    pub title: String,
    /// The category slug of the makers it trains.
    pub sector: String,
    pub held_from: NaiveDate,
    pub held_to: NaiveDate,
    pub venue: String,
    pub organiser: String,
    /// How many took part.
    pub participants: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub version: i32,
}

/// A seller a participant is (or may be) linked to, as the city office needs to judge it.
#[derive(Serialize, ToSchema, Debug, Clone)]
#[schema(example = json!({"id": "01934f6e-7d1a-7c3e-9a55-1f0e3c2b4a11",
    "business_name": "Perak Daun Tlogomas", "status": "active"}))]
pub struct LinkedSeller {
    pub id: Uuid,
    pub business_name: String,
    /// `pending` (awaiting approval), `active` or `suspended`.
    pub status: String,
}

impl From<SellerBrief> for LinkedSeller {
    fn from(b: SellerBrief) -> Self {
        Self {
            id: b.id,
            business_name: b.business_name,
            status: b.status,
        }
    }
}

#[derive(Serialize, ToSchema, Debug)]
#[schema(example = json!({"id": "01934f6e-f100-7000-8000-000000000001", "name": "Siti Aminah",
    "whatsapp": "+6281234567890", "kelurahan": "Tlogomas", "seller": null,
    "suggested_seller": {"id": "01934f6e-7d1a-7c3e-9a55-1f0e3c2b4a11",
    "business_name": "Perak Daun Tlogomas", "status": "active"},
    "created_at": "2026-12-02T03:00:00Z"}))]
pub struct TrainingParticipant {
    pub id: Uuid,
    pub name: String,
    pub whatsapp: String,
    pub kelurahan: Option<String>,
    /// The seller the city office linked (named when the participant was added, or confirmed
    /// with `POST …/link`): the only link reports count; `null` while there is none.
    pub seller: Option<LinkedSeller>,
    /// Without a confirmed link: the seller whose profile has this WhatsApp number (also one
    /// that fills it in later), when exactly one seller has it and the office has not turned
    /// it down. Numbers are not verified: a suggestion counts for nothing until confirmed.
    pub suggested_seller: Option<LinkedSeller>,
    pub created_at: DateTime<Utc>,
}

/// The body of `POST …/participants/{pid}/link`, checked.
pub struct LinkTo {
    pub seller_id: Uuid,
}

#[derive(Serialize, ToSchema, Debug)]
#[schema(example = json!({"added": 2, "already_listed": 1}))]
pub struct ParticipantsAdded {
    /// New participants.
    pub added: usize,
    /// Numbers the training already had (left as they were).
    pub already_listed: usize,
}

/// A new training's fields, checked.
pub struct NewTraining {
    pub title: String,
    pub sector: String,
    pub held_from: NaiveDate,
    pub held_to: NaiveDate,
    pub venue: String,
    pub organiser: String,
}

/// A change to a training, checked field by field.
#[derive(Default)]
pub struct TrainingEdit {
    pub title: Option<String>,
    pub sector: Option<String>,
    pub held_from: Option<NaiveDate>,
    pub held_to: Option<NaiveDate>,
    pub venue: Option<String>,
    pub organiser: Option<String>,
}

fn admin_only(caller: &AuthUser) -> AppResult<()> {
    if caller.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "trainings are kept by admins (the city office)".to_owned(),
        ))
    }
}

fn day(raw: &str) -> AppResult<NaiveDate> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(AppError::internal)
}

fn view(conn: &mut DbConn, row: TrainingRow) -> AppResult<Training> {
    let participants = trainings::count_participants(conn, row.id)?;
    Ok(Training {
        id: row.id,
        held_from: day(&row.held_from)?,
        held_to: day(&row.held_to)?,
        title: row.title,
        sector: row.sector,
        venue: row.venue,
        organiser: row.organiser,
        participants,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}

fn check_sector(conn: &mut DbConn, sector: &str) -> AppResult<()> {
    let slugs = db::categories::slugs(conn)?;
    if slugs.iter().any(|s| s == sector) {
        Ok(())
    } else {
        Err(AppError::invalid(
            "sector",
            format!("must be one of {}", slugs.join(", ")),
        ))
    }
}

fn check_days(from: NaiveDate, to: NaiveDate) -> AppResult<()> {
    if from > to {
        return Err(AppError::invalid("held_to", "must not be before held_from"));
    }
    Ok(())
}

pub fn create(conn: &mut DbConn, caller: &AuthUser, input: NewTraining) -> AppResult<Training> {
    admin_only(caller)?;
    check_days(input.held_from, input.held_to)?;
    write_tx(conn, |conn| {
        check_sector(conn, &input.sector)?;
        let at = now();
        let row = TrainingRow {
            id: new_id(),
            title: input.title,
            sector: input.sector,
            held_from: input.held_from.to_string(),
            held_to: input.held_to.to_string(),
            venue: input.venue,
            organiser: input.organiser,
            version: 1,
            created_at: at,
            updated_at: at,
        };
        trainings::insert(conn, row.clone())?;
        view(conn, row)
    })
}

pub fn list(
    conn: &mut DbConn,
    caller: &AuthUser,
    before: Option<Uuid>,
    limit: i64,
) -> AppResult<Vec<Training>> {
    admin_only(caller)?;
    trainings::list(conn, before, limit)?
        .into_iter()
        .map(|row| view(conn, row))
        .collect()
}

fn load(conn: &mut DbConn, id: Uuid) -> AppResult<TrainingRow> {
    trainings::find(conn, id)?.ok_or(AppError::NotFound("training"))
}

pub fn get(conn: &mut DbConn, caller: &AuthUser, id: Uuid) -> AppResult<Training> {
    admin_only(caller)?;
    let row = load(conn, id)?;
    view(conn, row)
}

/// `PATCH`: `check_version` compares the `If-Match` header with the training's version.
pub fn update(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: Uuid,
    edit: TrainingEdit,
    check_version: impl Fn(i32) -> AppResult<()>,
) -> AppResult<Training> {
    admin_only(caller)?;
    write_tx(conn, |conn| {
        let row = load(conn, id)?;
        check_version(row.version)?;
        if let Some(sector) = &edit.sector {
            check_sector(conn, sector)?;
        }
        let from = edit.held_from.map_or_else(|| day(&row.held_from), Ok)?;
        let to = edit.held_to.map_or_else(|| day(&row.held_to), Ok)?;
        check_days(from, to)?;
        let change = TrainingChange {
            title: edit.title,
            sector: edit.sector,
            held_from: edit.held_from.map(|d| d.to_string()),
            held_to: edit.held_to.map(|d| d.to_string()),
            venue: edit.venue,
            organiser: edit.organiser,
        };
        if !trainings::update(conn, id, row.version, change, now())? {
            return Err(AppError::changed_by_another("training"));
        }
        let row = load(conn, id)?;
        view(conn, row)
    })
}

/// Adds participants (each with the seller it names, if any; `field` names it in errors):
/// all or nothing, a number the training already has is left as it is. A seller named is
/// linked (confirmed); it may be one participant of the training only (twice in the request:
/// 422; already linked to another participant: 409).
pub fn add_participants(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: Uuid,
    people: Vec<(Participant, Option<(Uuid, String)>)>,
) -> AppResult<ParticipantsAdded> {
    admin_only(caller)?;
    write_tx(conn, |conn| {
        load(conn, id)?;
        let named: Vec<Uuid> = people
            .iter()
            .filter_map(|(_, s)| s.as_ref().map(|(id, _)| *id))
            .collect();
        let known: Vec<Uuid> = db::sellers::by_ids(conn, &named)?
            .iter()
            .map(|s| s.id)
            .collect();
        let unknown: Vec<FieldError> = people
            .iter()
            .filter_map(|(_, s)| s.as_ref())
            .filter(|(id, _)| !known.contains(id))
            .map(|(_, field)| FieldError::new(field.clone(), "is not a seller"))
            .collect();
        if !unknown.is_empty() {
            return Err(AppError::Validation(unknown));
        }
        // The rows that will be added: the first of each number the training lacks.
        let mut numbers: HashSet<String> = trainings::all_participants(conn, id)?
            .into_iter()
            .map(|r| r.whatsapp)
            .collect();
        let mut sellers: HashSet<Uuid> = HashSet::new();
        let mut twice = Vec::new();
        for (p, seller) in &people {
            if !numbers.insert(p.whatsapp.clone()) {
                continue;
            }
            let Some((seller, field)) = seller else {
                continue;
            };
            if !sellers.insert(*seller) {
                twice.push(FieldError::new(
                    field.clone(),
                    "names a seller another participant of this request names",
                ));
                continue;
            }
            if trainings::participant_of_seller(conn, id, *seller)?.is_some() {
                return Err(already_linked(field));
            }
        }
        if !twice.is_empty() {
            return Err(AppError::Validation(twice));
        }
        let at = now();
        let mut added = 0;
        let total = people.len();
        for (p, seller) in people {
            let field = seller.as_ref().map(|(_, f)| f.clone());
            let fresh = trainings::add_participant(
                conn,
                ParticipantRow {
                    id: new_id(),
                    training_id: id,
                    name: p.name,
                    whatsapp: p.whatsapp,
                    kelurahan: p.kelurahan,
                    seller_id: seller.map(|(s, _)| DbId(s)),
                    created_at: at,
                    rejected_seller_id: None,
                },
            )
            .map_err(|e| match field {
                Some(field) if is_unique_violation(&e) => already_linked(&field),
                _ => e.into(),
            })?;
            added += usize::from(fresh);
        }
        Ok(ParticipantsAdded {
            added,
            already_listed: total - added,
        })
    })
}

fn already_linked(what: &str) -> AppError {
    AppError::Conflict(format!(
        "{what}: the seller is already linked to another participant of this training"
    ))
}

fn participant_views(
    conn: &mut DbConn,
    training_id: Uuid,
    rows: Vec<ParticipantRow>,
) -> AppResult<Vec<TrainingParticipant>> {
    let links = trainings::links(conn, training_id, &rows)?;
    Ok(rows
        .into_iter()
        .zip(links)
        .map(|(row, Links { seller, suggested })| TrainingParticipant {
            id: row.id,
            name: row.name,
            whatsapp: row.whatsapp,
            kelurahan: row.kelurahan,
            seller: seller.map(LinkedSeller::from),
            suggested_seller: suggested.map(LinkedSeller::from),
            created_at: row.created_at,
        })
        .collect())
}

/// A page of the training's participants in the order they were added, after `after`.
pub fn participants(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: Uuid,
    after: Option<Uuid>,
    limit: i64,
) -> AppResult<Vec<TrainingParticipant>> {
    admin_only(caller)?;
    read_snapshot(conn, |conn| {
        load(conn, id)?;
        let rows = trainings::participants_page(conn, id, after, limit)?;
        participant_views(conn, id, rows)
    })
}

fn participant_view(
    conn: &mut DbConn,
    training_id: Uuid,
    participant_id: Uuid,
) -> AppResult<TrainingParticipant> {
    let row = load_participant(conn, training_id, participant_id)?;
    participant_views(conn, training_id, vec![row])?
        .pop()
        .ok_or_else(|| AppError::internal("no participant view"))
}

fn load_participant(
    conn: &mut DbConn,
    training_id: Uuid,
    participant_id: Uuid,
) -> AppResult<ParticipantRow> {
    trainings::find_participant(conn, training_id, participant_id)?
        .ok_or(AppError::NotFound("participant"))
}

/// The city office says participant `participant_id` of training `id` is the seller `to`
/// (the suggested one or another): a confirmed link, counted by reports. The seller may be
/// one participant of the training only (409).
pub fn link(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: Uuid,
    participant_id: Uuid,
    to: LinkTo,
) -> AppResult<TrainingParticipant> {
    admin_only(caller)?;
    write_tx(conn, |conn| {
        load(conn, id)?;
        let row = load_participant(conn, id, participant_id)?;
        db::sellers::find(conn, to.seller_id)?.ok_or(AppError::NotFound("seller"))?;
        if row.seller_id.map(|s| s.0) != Some(to.seller_id) {
            if trainings::participant_of_seller(conn, id, to.seller_id)?.is_some() {
                return Err(already_linked("seller_id"));
            }
            let rejected = row
                .rejected_seller_id
                .map(|r| r.0)
                .filter(|r| *r != to.seller_id);
            trainings::set_link(conn, participant_id, Some(to.seller_id), rejected).map_err(
                |e| {
                    if is_unique_violation(&e) {
                        already_linked("seller_id")
                    } else {
                        e.into()
                    }
                },
            )?;
        }
        participant_view(conn, id, participant_id)
    })
}

/// The city office says participant `participant_id` of training `id` is not the seller it
/// is linked to or, without a link, not the seller its number suggests: the link is removed
/// and that seller is not suggested for it again. Nothing to remove changes nothing.
pub fn unlink(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: Uuid,
    participant_id: Uuid,
) -> AppResult<TrainingParticipant> {
    admin_only(caller)?;
    write_tx(conn, |conn| {
        load(conn, id)?;
        let view = participant_view(conn, id, participant_id)?;
        let not = view
            .seller
            .as_ref()
            .or(view.suggested_seller.as_ref())
            .map(|s| s.id);
        if let Some(not) = not {
            trainings::set_link(conn, participant_id, None, Some(not))?;
            return participant_view(conn, id, participant_id);
        }
        Ok(view)
    })
}
