//! Cursor pagination: `?limit=` (default 20, max 100) and an opaque `?cursor=`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::validation::Violations;
use crate::error::AppError;

pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;

/// A page of a list.
#[derive(Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `?cursor=` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// The validated `limit` and the position the cursor names: an id, or for lists keyed by
/// something else (the taxonomy's slugs) that key.
pub struct PageRequest<K = Uuid> {
    pub limit: i64,
    pub after: Option<K>,
}

impl PageRequest<String> {
    /// For lists ordered by a text key.
    pub fn parse_keyed(
        limit: Option<i64>,
        cursor: Option<&str>,
        violations: &mut Violations,
    ) -> Option<Self> {
        let limit = violations.check("limit", parse_limit(limit));
        let after = violations.check_opt("cursor", cursor, |c| {
            URL_SAFE_NO_PAD
                .decode(c)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .ok_or_else(|| "is not a cursor this API returned".to_owned())
        });
        Some(Self {
            limit: limit?,
            after: after?,
        })
    }
}

fn parse_limit(limit: Option<i64>) -> Result<i64, String> {
    match limit {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(format!("must be between 1 and {MAX_LIMIT}")),
    }
}

/// What a cursor can hold.
pub trait CursorKey {
    fn encode(&self) -> String;
}

impl CursorKey for Uuid {
    fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.as_bytes())
    }
}

impl CursorKey for String {
    fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.as_bytes())
    }
}

impl PageRequest {
    pub fn parse(
        limit: Option<i64>,
        cursor: Option<&str>,
        violations: &mut Violations,
    ) -> Option<Self> {
        let limit = violations.check("limit", parse_limit(limit));
        let after = violations.check_opt("cursor", cursor, decode);
        Some(Self {
            limit: limit?,
            after: after?,
        })
    }

    /// The page a query of only `limit` and `cursor` asks for, or the 422 naming them.
    pub fn from_query(limit: Option<i64>, cursor: Option<&str>) -> Result<Self, AppError> {
        let mut v = Violations::new();
        let page = Self::parse(limit, cursor, &mut v);
        v.finish_with(page)
    }

    /// [`Self::from_query`] with a `status` filter that `parse` reads, both named in one 422.
    pub fn with_status<S>(
        limit: Option<i64>,
        cursor: Option<&str>,
        status: Option<&str>,
        parse: impl FnOnce(&str) -> Result<S, String>,
    ) -> Result<(Self, Option<S>), AppError> {
        let mut v = Violations::new();
        let page = Self::parse(limit, cursor, &mut v);
        let status = v.check_opt("status", status, parse);
        v.finish_with((page, status))
    }
}

impl<K: CursorKey> PageRequest<K> {
    /// Rows to fetch: one more than the page, to know whether another page follows.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }

    /// Cuts the extra row off and makes the cursor for the next page.
    pub fn finish<R, T>(
        &self,
        mut rows: Vec<R>,
        id: impl Fn(&R) -> K,
        map: impl FnMut(R) -> T,
    ) -> Page<T> {
        let next_cursor = if rows.len() as i64 > self.limit {
            rows.truncate(self.limit as usize);
            rows.last().map(|r| id(r).encode())
        } else {
            None
        };
        Page {
            items: rows.into_iter().map(map).collect(),
            next_cursor,
        }
    }
}

fn decode(cursor: &str) -> Result<Uuid, String> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| Uuid::from_slice(&bytes).ok())
        .ok_or_else(|| "is not a cursor this API returned".to_owned())
}
