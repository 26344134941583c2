//! `/v1/admin/trainings`: the city office's trainings and their participants (admins only).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::access;
use super::body::Body;
use super::created::created;
use super::etag;
use super::json;
use super::pagination::{Page, PageRequest};
use crate::auth::{AdminUser, AuthUser, Authorised};
use crate::domain::training::{
    MAX_PARTICIPANTS, RawParticipant, check_participant, parse_csv, parse_day, parse_place,
    parse_title,
};
use crate::domain::validation::Violations;
use crate::error::{AppError, AppResult, Problem};
use crate::services::trainings::{
    self, LinkTo, NewTraining, ParticipantsAdded, Training, TrainingEdit, TrainingParticipant,
};
use crate::state::AppState;

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "Pelatihan Electroforming bagi IKM Kota Malang",
    "sector": "electroforming-jewellery", "held_from": "2021-02-22", "held_to": "2021-02-24",
    "venue": "Hotel Santika Malang", "organiser": "Diskopindag Kota Malang"}))]
pub struct TrainingRequest {
    #[schema(required = true, schema_with = super::constraints::training_title)]
    pub title: Option<String>,
    /// A category slug (`GET /v1/categories`).
    #[schema(required = true, nullable = false)]
    pub sector: Option<String>,
    /// `YYYY-MM-DD`.
    #[schema(required = true, schema_with = super::constraints::day)]
    pub held_from: Option<String>,
    /// `YYYY-MM-DD`, not before `held_from`.
    #[schema(required = true, schema_with = super::constraints::day)]
    pub held_to: Option<String>,
    #[schema(required = true, schema_with = super::constraints::training_place)]
    pub venue: Option<String>,
    #[schema(required = true, schema_with = super::constraints::training_place)]
    pub organiser: Option<String>,
}

/// What `PATCH /v1/admin/trainings/{id}` takes: any of a training's fields (read as a
/// `TrainingRequest`, which has them all optional); a field sent as null is left as it is.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"venue": "Hotel Santika Malang", "held_to": "2021-02-25"}))]
pub struct TrainingChanges {
    #[schema(schema_with = super::constraints::training_title_or_null)]
    pub title: Option<String>,
    /// A category slug (`GET /v1/categories`).
    pub sector: Option<String>,
    /// `YYYY-MM-DD`.
    #[schema(schema_with = super::constraints::day_or_null)]
    pub held_from: Option<String>,
    /// `YYYY-MM-DD`, not before `held_from` (as sent, or as it is).
    #[schema(schema_with = super::constraints::day_or_null)]
    pub held_to: Option<String>,
    #[schema(schema_with = super::constraints::training_place_or_null)]
    pub venue: Option<String>,
    #[schema(schema_with = super::constraints::training_place_or_null)]
    pub organiser: Option<String>,
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParticipantInput {
    #[schema(required = true, nullable = false)]
    pub name: Option<String>,
    /// An Indonesian mobile number (`08…` or `+628…`).
    #[schema(required = true, nullable = false)]
    pub whatsapp: Option<String>,
    pub kelurahan: Option<String>,
    /// The seller this participant is, when known.
    pub seller_id: Option<Uuid>,
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"participants": [
    {"name": "Siti Aminah", "whatsapp": "0812-3456-7890", "kelurahan": "Tlogomas"},
    {"name": "Budi Santoso", "whatsapp": "+6281311112222", "seller_id": "01934f6e-7d1a-7c3e-9a55-1f0e3c2b4a11"}]}))]
pub struct ParticipantsRequest {
    /// 1–2000 participants.
    #[schema(required = true, nullable = false)]
    pub participants: Option<Vec<ParticipantInput>>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Page size, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

fn with_etag(status: actix_web::http::StatusCode, training: &Training) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, etag::for_version(training.version)))
        .json(training)
}

/// Record a training.
#[utoipa::path(tag = "trainings", security(("bearer" = [])), request_body = TrainingRequest, responses(
    (status = 201, body = Training, headers(("ETag" = String))),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/admin/trainings")]
pub async fn create_training(
    state: web::Data<AppState>,
    admin: AdminUser,
    body: Body,
) -> AppResult<HttpResponse> {
    let body: TrainingRequest = body.json(&admin.authorised()).await?;
    let user = admin.0;
    let mut v = Violations::new();
    let title = v.require("title", body.title.as_deref(), parse_title);
    let sector = v.require("sector", body.sector.as_deref(), |s| {
        Ok(s.trim().to_owned())
    });
    let held_from = v.require("held_from", body.held_from.as_deref(), parse_day);
    let held_to = v.require("held_to", body.held_to.as_deref(), parse_day);
    let venue = v.require("venue", body.venue.as_deref(), parse_place);
    let organiser = v.require("organiser", body.organiser.as_deref(), parse_place);
    let (title, sector, held_from, held_to, venue, organiser) =
        v.finish_with((title, sector, held_from, held_to, venue, organiser))?;
    let input = NewTraining {
        title,
        sector,
        held_from,
        held_to,
        venue,
        organiser,
    };
    let training = state
        .db(move |conn| trainings::create(conn, &user, input))
        .await?;
    Ok(created(format!("/v1/admin/trainings/{}", training.id))
        .insert_header((header::ETAG, etag::for_version(training.version)))
        .json(training))
}

/// Trainings, newest first.
#[utoipa::path(tag = "trainings", security(("bearer" = [])), params(ListQuery), responses(
    (status = 200, body = inline(Page<Training>)),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "`limit` out of 1–100, or a `cursor` this list did not give", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/admin/trainings")]
pub async fn list_trainings(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<ListQuery>,
) -> AppResult<web::Json<Page<Training>>> {
    let page = PageRequest::from_query(query.limit, query.cursor.as_deref())?;
    let (after, fetch) = (page.after, page.fetch());
    let rows = state
        .db(move |conn| trainings::list(conn, &user, after, fetch))
        .await?;
    Ok(web::Json(page.finish(rows, |t| t.id, |t| t)))
}

/// One training.
#[utoipa::path(tag = "trainings", security(("bearer" = [])), params(("id" = Uuid, Path)), responses(
    (status = 200, body = Training, headers(("ETag" = String))),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such training", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/admin/trainings/{id}")]
pub async fn get_training(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let training = state
        .db(move |conn| trainings::get(conn, &user, id))
        .await?;
    Ok(with_etag(actix_web::http::StatusCode::OK, &training))
}

/// Change a training's fields (any of them).
///
/// Send the `ETag` you last saw as `If-Match`; a stale one is 412.
#[utoipa::path(tag = "trainings", security(("bearer" = [])), request_body = TrainingChanges,
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag from the last read")),
    responses(
    (status = 200, body = Training, headers(("ETag" = String))),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such training", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "`If-Match` is stale", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
))]
#[patch("/v1/admin/trainings/{id}")]
pub async fn update_training(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: AdminUser,
    id: web::Path<Uuid>,
    body: Body,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let ok = training_of(&state, &admin, id).await?;
    let user = admin.0;
    let if_match = etag::if_match(&req)?;
    let body: TrainingRequest = body.json(&ok).await?;
    let mut v = Violations::new();
    let edit = TrainingEdit {
        title: v
            .check_opt("title", body.title.as_deref(), parse_title)
            .flatten(),
        sector: body.sector.map(|s| s.trim().to_owned()),
        held_from: v
            .check_opt("held_from", body.held_from.as_deref(), parse_day)
            .flatten(),
        held_to: v
            .check_opt("held_to", body.held_to.as_deref(), parse_day)
            .flatten(),
        venue: v
            .check_opt("venue", body.venue.as_deref(), parse_place)
            .flatten(),
        organiser: v
            .check_opt("organiser", body.organiser.as_deref(), parse_place)
            .flatten(),
    };
    v.finish()?;
    let training = state
        .db(move |conn| {
            trainings::update(conn, &user, id, edit, |version| {
                etag::check_if_match(if_match.as_deref(), version)
            })
        })
        .await?;
    Ok(with_etag(actix_web::http::StatusCode::OK, &training))
}

/// An admin may act on a training that exists (404 otherwise), before any body is read.
async fn training_of(state: &AppState, admin: &AdminUser, id: Uuid) -> AppResult<Authorised> {
    let user = admin.0;
    access::check(state, move |conn| {
        trainings::get(conn, &user, id).map(|_| ())
    })
    .await
}

fn is_csv(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("text/csv"))
}

/// Add participants: JSON, or a spreadsheet's CSV (`text/csv`: a header row naming `name`,
/// `whatsapp` and optionally `kelurahan`; `,` or `;`; UTF-8 with or without a BOM).
///
/// Idempotent per WhatsApp number: a number the training already has is left as it is. A
/// participant is linked to the seller it names, or to the seller whose profile has the same
/// number (also when that seller fills it in later). One bad row (named by its index, or its
/// CSV line) and nothing of the request is stored.
#[utoipa::path(tag = "trainings", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body(content(
        (ParticipantsRequest = "application/json"),
        (String = "text/csv", example = json!("name;whatsapp;kelurahan\nSiti Aminah;0812-3456-7890;Tlogomas\n")),
    )),
    responses(
    (status = 200, body = ParticipantsAdded),
    (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such training", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "A row links a seller already linked to another participant of this training", body = Problem, content_type = "application/problem+json"),
    (status = 413, description = "Over 1 MiB", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "Neither JSON nor CSV", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Invalid rows, each named (`participants[i].whatsapp`, `line 7.whatsapp`)", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/admin/trainings/{id}/participants")]
pub async fn add_participants(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: AdminUser,
    id: web::Path<Uuid>,
    body: Body,
) -> AppResult<web::Json<ParticipantsAdded>> {
    let id = id.into_inner();
    let ok = training_of(&state, &admin, id).await?;
    let user = admin.0;
    let mut v = Violations::new();
    let mut people = Vec::new();
    if is_csv(&req) {
        let bytes = body.bytes(&ok).await?;
        // Parsing is CPU work: off the async workers.
        let (rows, checked) = web::block(move || {
            let mut v = Violations::new();
            let mut people = Vec::new();
            for (line, raw) in parse_csv(&bytes, &mut v) {
                if let Some(p) = check_participant(&raw, &format!("line {line}"), &mut v) {
                    people.push((p, None));
                }
            }
            (people, v)
        })
        .await?;
        people = rows;
        v = checked;
    } else if json::is_json(&req) {
        let parsed: ParticipantsRequest = body.json(&ok).await?;
        let list = v.require("participants", parsed.participants, Ok::<_, String>);
        for (i, item) in list.into_iter().flatten().enumerate() {
            let raw = RawParticipant {
                name: item.name,
                whatsapp: item.whatsapp,
                kelurahan: item.kelurahan,
            };
            let field = format!("participants[{i}]");
            if let Some(p) = check_participant(&raw, &field, &mut v) {
                people.push((p, item.seller_id.map(|s| (s, format!("{field}.seller_id")))));
            }
        }
    } else {
        return Err(AppError::UnsupportedMediaType(
            "send application/json or text/csv".to_owned(),
        ));
    }
    if v.is_empty() && people.is_empty() {
        v.add("participants", "must list at least one participant");
    }
    if people.len() > MAX_PARTICIPANTS {
        v.add(
            "participants",
            format!("at most {MAX_PARTICIPANTS} in one request"),
        );
    }
    v.finish()?;
    let added = state
        .db(move |conn| trainings::add_participants(conn, &user, id, people))
        .await?;
    Ok(web::Json(added))
}

/// A training's participants, in the order they were added, each with the seller the city
/// office linked (`seller`) or, failing that, the seller its WhatsApp number suggests
/// (`suggested_seller`, counted by no report until confirmed).
#[utoipa::path(tag = "trainings", security(("bearer" = [])), params(("id" = Uuid, Path), ListQuery), responses(
    (status = 200, body = inline(Page<TrainingParticipant>)),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such training", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "`limit` out of 1–100, or a `cursor` this list did not give", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/admin/trainings/{id}/participants")]
pub async fn list_participants(
    state: web::Data<AppState>,
    // Extracted first: a caller who is not an admin is answered before the query is checked.
    admin: AdminUser,
    id: web::Path<Uuid>,
    query: web::Query<ListQuery>,
) -> AppResult<web::Json<Page<TrainingParticipant>>> {
    let user = admin.0;
    let page = PageRequest::from_query(query.limit, query.cursor.as_deref())?;
    let (id, after, fetch) = (id.into_inner(), page.after, page.fetch());
    let rows = state
        .db(move |conn| trainings::participants(conn, &user, id, after, fetch))
        .await?;
    Ok(web::Json(page.finish(rows, |p| p.id, |p| p)))
}

#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"seller_id": "01934f6e-7d1a-7c3e-9a55-1f0e3c2b4a11"}))]
pub struct LinkRequest {
    /// The seller this participant is: the one suggested, or another.
    #[schema(required = true, nullable = false)]
    pub seller_id: Option<Uuid>,
}

/// Link a participant to a seller: the city office confirms the suggested seller, or names
/// another. Reports count confirmed links only; a seller is one participant of a training at
/// most (409 while it is linked to another).
///
/// Only admins: anyone else gets 401/403 before the body is read.
#[utoipa::path(tag = "trainings", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Training id"), ("pid" = Uuid, Path, description = "Participant id")),
    request_body = LinkRequest, responses(
    (status = 200, body = TrainingParticipant),
    (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such training, no such participant of it, or no such seller", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The seller is linked to another participant of this training", body = Problem, content_type = "application/problem+json"),
    (status = 413, description = "Over 1 MiB", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "`seller_id` missing or not an id", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/admin/trainings/{id}/participants/{pid}/link")]
pub async fn link_participant(
    state: web::Data<AppState>,
    admin: AdminUser,
    path: web::Path<(Uuid, Uuid)>,
    body: Body,
) -> AppResult<web::Json<TrainingParticipant>> {
    let (id, pid) = path.into_inner();
    let ok = training_of(&state, &admin, id).await?;
    let body: LinkRequest = body.json(&ok).await?;
    let mut v = Violations::new();
    let seller_id = v.require("seller_id", body.seller_id, Ok::<_, String>);
    let to = LinkTo {
        seller_id: v.finish_with(seller_id)?,
    };
    let user = admin.0;
    let participant = state
        .db(move |conn| trainings::link(conn, &user, id, pid, to))
        .await?;
    Ok(web::Json(participant))
}

/// Remove a participant's link: it is not the seller it is linked to or, without a link, not
/// the seller its number suggests. That seller is not suggested for it again (the office may
/// still link it). Nothing to remove changes nothing.
#[utoipa::path(tag = "trainings", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Training id"), ("pid" = Uuid, Path, description = "Participant id")),
    responses(
    (status = 200, body = TrainingParticipant),
    (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such training, or no such participant of it", body = Problem, content_type = "application/problem+json"),
))]
#[delete("/v1/admin/trainings/{id}/participants/{pid}/link")]
pub async fn unlink_participant(
    state: web::Data<AppState>,
    admin: AdminUser,
    path: web::Path<(Uuid, Uuid)>,
) -> AppResult<web::Json<TrainingParticipant>> {
    let (id, pid) = path.into_inner();
    let user = admin.0;
    let participant = state
        .db(move |conn| trainings::unlink(conn, &user, id, pid))
        .await?;
    Ok(web::Json(participant))
}
