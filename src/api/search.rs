//! `GET /v1/search`: the catalogue as buyers search it (published products of active
//! sellers only, as the index holds them).

use std::collections::HashSet;
use std::time::Instant;

use actix_web::{HttpRequest, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::db;
use crate::domain::seller::parse_kecamatan;
use crate::domain::text::bounded;
use crate::domain::validation::Violations;
use crate::error::{AppError, AppResult};
use crate::search::query::MAX_RESULT_WINDOW;
use crate::search::text::{QueryWords, highlight};
use crate::search::{Facets, Filters, Hit, SearchQuery, Sort};
use crate::state::AppState;

pub const MAX_PER_PAGE: u32 = 100;
const DEFAULT_PER_PAGE: u32 = 20;
const MAX_QUERY_CHARS: usize = 200;
/// A search has eleven parameters; this leaves room to name unknown and repeated ones
/// while keeping the work of reading a query string small for anonymous callers.
pub const MAX_PARAMETERS: usize = 32;
/// Bytes of query string read at most: a `q` of 200 four-byte characters, percent-encoded,
/// and every other parameter fit well within it.
pub const MAX_QUERY_STRING_BYTES: usize = 8192;

/// The query string of a search (every parameter optional).
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// What the buyer typed: typo tolerant, the last word matches as a prefix, Indonesian and
    /// English synonyms find each other. Empty lists everything.
    #[param(example = "kalung daun")]
    pub q: Option<String>,
    /// Category slug (see `GET /v1/categories`).
    #[param(example = "perhiasan")]
    pub category: Option<String>,
    #[param(example = "electroforming")]
    pub technique: Option<String>,
    #[param(example = "tembaga")]
    pub material: Option<String>,
    /// The seller's kecamatan: Blimbing, Klojen, Kedungkandang, Sukun or Lowokwaru.
    pub kecamatan: Option<String>,
    /// Inclusive, in rupiah.
    pub min_price_idr: Option<i64>,
    /// Inclusive, in rupiah.
    pub max_price_idr: Option<i64>,
    /// Only products on this approved hotel's shelf.
    pub hotel_id: Option<Uuid>,
    /// `true`: only products the seller has in its own stock (can be ordered online now);
    /// `false`: only those it has none of.
    pub in_stock: Option<bool>,
    /// `relevance` (default), `price_asc`, `price_desc` or `newest`.
    pub sort: Option<String>,
    /// 1-based (default 1).
    pub page: Option<u32>,
    /// 1–100 (default 20).
    pub per_page: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct HitSeller {
    pub id: Uuid,
    pub name: String,
    pub kecamatan: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct HitThumbnail {
    /// A 480-pixel-wide WebP rendition.
    pub url: String,
    pub blurhash: String,
}

#[derive(Serialize, ToSchema)]
pub struct SearchHit {
    pub id: Uuid,
    pub title: String,
    pub price_idr: i64,
    pub category: String,
    pub seller: HitSeller,
    pub thumbnail: Option<HitThumbnail>,
    /// The seller has units in its own stock: it can be ordered online now.
    pub in_stock: bool,
    /// The title, HTML-escaped, with the words that matched in `<mark>…</mark>`.
    pub highlight: String,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "hits": [{"id": "01934f6e-b000-7000-8000-000000000010", "title": "Kalung Daun Tembaga",
        "price_idr": 185000, "category": "perhiasan",
        "seller": {"id": "01934f6e-b000-7000-8000-000000000002", "name": "Griya Tembaga", "kecamatan": "Klojen"},
        "thumbnail": {"url": "/v1/images/01934f6e-b000-7000-8000-000000000001/480.webp", "blurhash": "LEHV6nWB2yk8pyo0adR*.7kCMdnj"},
        "in_stock": true, "highlight": "<mark>Kalung</mark> Daun Tembaga"}],
    "total": 1, "page": 1, "per_page": 20,
    "facets": {"category": {"perhiasan": 1}, "kecamatan": {"Klojen": 1}, "technique": {"electroforming": 1}, "material": {"tembaga": 1}},
    "took_ms": 3
}))]
pub struct SearchResponse {
    pub hits: Vec<SearchHit>,
    /// Matching products in all.
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
    /// Counts per value over all matching products.
    pub facets: Facets,
    pub took_ms: u64,
}

/// Searches the catalogue.
///
/// Only published products of active sellers are found; a change is searchable within
/// seconds. Filters combine with AND. Unknown parameters, sorts or filter values are a 422
/// naming each.
#[utoipa::path(tag = "search", params(SearchParams), responses(
    (status = 200, body = SearchResponse),
    (status = 422, description = "Unknown or repeated parameters, unknown sort or filter values, each named; or a query string over 8192 bytes or 32 parameters (field `query`)", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 503, description = "The search engine is unavailable", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/v1/search")]
pub async fn search(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> AppResult<web::Json<SearchResponse>> {
    let query = parse(&state, pairs(req.query_string())?).await?;
    let started = Instant::now();
    let found = state
        .search
        .search(&query)
        .await
        .map_err(|e| AppError::dependency_down("search", e))?;
    let took = started.elapsed();
    crate::metrics::get()
        .search_seconds
        .observe(took.as_secs_f64());
    let took_ms = took.as_millis() as u64;
    Ok(web::Json(SearchResponse {
        hits: found
            .hits
            .into_iter()
            .map(|d| hit(d, &query.text))
            .collect(),
        total: found.total,
        page: query.page,
        per_page: query.per_page,
        facets: found.facets,
        took_ms,
    }))
}

fn hit(doc: Hit, words: &QueryWords) -> SearchHit {
    SearchHit {
        highlight: highlight(&doc.title, words),
        id: doc.id,
        title: doc.title,
        price_idr: doc.price_idr,
        category: doc.category,
        seller: HitSeller {
            id: doc.seller_id,
            name: doc.seller_name,
            kecamatan: doc.kecamatan,
        },
        thumbnail: doc.thumbnail.map(|t| HitThumbnail {
            url: t.url,
            blurhash: t.blurhash,
        }),
        in_stock: doc.in_stock,
    }
}

/// The parameters of a query string, refused as a whole (field `query`) when it is longer
/// or has more parameters than a search can have: its size is bounded before any of it is
/// decoded.
fn pairs(query_string: &str) -> AppResult<Vec<(String, String)>> {
    if query_string.len() > MAX_QUERY_STRING_BYTES {
        return Err(AppError::invalid(
            "query",
            format!(
                "is {} bytes long; a search reads at most {MAX_QUERY_STRING_BYTES}",
                query_string.len()
            ),
        ));
    }
    let pairs: Vec<(String, String)> = web::Query::from_query(query_string)
        .map(web::Query::into_inner)
        .map_err(|e| match e {
            actix_web::error::QueryPayloadError::Deserialize(e) => {
                AppError::invalid("query", e.to_string())
            }
            other => AppError::invalid("query", other.to_string()),
        })?;
    if pairs.len() > MAX_PARAMETERS {
        return Err(AppError::invalid(
            "query",
            format!(
                "has {} parameters; a search reads at most {MAX_PARAMETERS}",
                pairs.len()
            ),
        ));
    }
    Ok(pairs)
}

/// Reads the query string into a `SearchQuery`, naming every bad parameter at once.
async fn parse(state: &AppState, pairs: Vec<(String, String)>) -> AppResult<SearchQuery> {
    let mut v = Violations::new();
    let mut seen: HashSet<String> = HashSet::with_capacity(pairs.len());
    let mut repeated: HashSet<String> = HashSet::new();
    let mut query = SearchQuery::text("");
    query.per_page = DEFAULT_PER_PAGE;
    let mut filters = Filters::default();
    for (key, value) in pairs {
        if !seen.insert(key.clone()) {
            // Named once, however often it repeats.
            if repeated.insert(key.clone()) {
                v.add(key.clone(), "is given more than once");
            }
            continue;
        }
        let text = value.trim();
        match key.as_str() {
            "q" => {
                if v.check("q", bounded(text, 0, MAX_QUERY_CHARS, false))
                    .is_some()
                {
                    // As typed: a trailing space says the last word is finished.
                    query.text = QueryWords::parse(&value);
                }
            }
            "category" => filters.category = v.check("category", bounded(text, 1, 60, false)),
            "technique" => {
                filters.technique = v.check(
                    "technique",
                    bounded(text, 1, 60, false).map(|s| s.to_lowercase()),
                )
            }
            "material" => {
                filters.material = v.check(
                    "material",
                    bounded(text, 1, 60, false).map(|s| s.to_lowercase()),
                )
            }
            "kecamatan" => filters.kecamatan = v.check("kecamatan", parse_kecamatan(text)),
            "min_price_idr" => filters.min_price_idr = v.check("min_price_idr", price(text)),
            "max_price_idr" => filters.max_price_idr = v.check("max_price_idr", price(text)),
            "hotel_id" => {
                filters.hotel_id = v.check(
                    "hotel_id",
                    Uuid::parse_str(text).map_err(|_| "must be a UUID".to_owned()),
                )
            }
            "in_stock" => {
                filters.in_stock = v.check(
                    "in_stock",
                    match text {
                        "true" => Ok(true),
                        "false" => Ok(false),
                        _ => Err("must be true or false".to_owned()),
                    },
                )
            }
            "sort" => {
                if let Some(sort) = v.check("sort", Sort::parse(text)) {
                    query.sort = sort;
                }
            }
            "page" => {
                if let Some(page) = v.check("page", number(text, 1, u32::MAX)) {
                    query.page = page;
                }
            }
            "per_page" => {
                if let Some(n) = v.check("per_page", number(text, 1, MAX_PER_PAGE)) {
                    query.per_page = n;
                }
            }
            _ => v.add(key.clone(), "is not a search parameter"),
        }
    }
    if let (Some(min), Some(max)) = (filters.min_price_idr, filters.max_price_idr)
        && min > max
    {
        v.add("min_price_idr", "must not exceed max_price_idr");
    }
    if query.offset() as u64 >= MAX_RESULT_WINDOW {
        v.add(
            "page",
            format!("reaches past the first {MAX_RESULT_WINDOW} results; narrow the search"),
        );
    }
    // Values that must name something that exists.
    let category = filters.category.clone();
    let hotel = filters.hotel_id;
    let (known_category, known_hotel) = if category.is_none() && hotel.is_none() {
        (true, true)
    } else {
        state
            .db(move |conn| {
                let category_ok = match &category {
                    Some(c) => db::categories::slugs(conn)?.contains(c),
                    None => true,
                };
                let hotel_ok = match hotel {
                    Some(h) => !db::hotels::active_among(conn, &[h])?.is_empty(),
                    None => true,
                };
                Ok((category_ok, hotel_ok))
            })
            .await?
    };
    if !known_category {
        v.add("category", "is not a category (see GET /v1/categories)");
    }
    if !known_hotel {
        v.add("hotel_id", "is not an approved hotel");
    }
    v.finish()?;
    query.filters = filters;
    Ok(query)
}

fn price(text: &str) -> Result<i64, String> {
    text.parse::<i64>()
        .ok()
        .filter(|p| (0..=1_000_000_000_000).contains(p))
        .ok_or_else(|| "must be a whole number of rupiah, 0 or more".to_owned())
}

fn number(text: &str, min: u32, max: u32) -> Result<u32, String> {
    text.parse::<u32>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| format!("must be a whole number from {min} to {max}"))
}
