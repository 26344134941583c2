//! What a search asks and what it answers, independent of the engine.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::Hit;
use super::text::QueryWords;

/// Results beyond this position are not served (narrow the search instead); Meilisearch's
/// `maxTotalHits` is set to it, so totals are exact up to here on both engines.
pub const MAX_RESULT_WINDOW: u64 = 10_000;
/// Values counted per facet at most.
pub const MAX_FACET_VALUES: usize = 200;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    #[default]
    Relevance,
    PriceAsc,
    PriceDesc,
    Newest,
}

impl Sort {
    pub const ALL: [&'static str; 4] = ["relevance", "price_asc", "price_desc", "newest"];

    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "relevance" => Ok(Sort::Relevance),
            "price_asc" => Ok(Sort::PriceAsc),
            "price_desc" => Ok(Sort::PriceDesc),
            "newest" => Ok(Sort::Newest),
            _ => Err(format!("must be one of {}", Sort::ALL.join(", "))),
        }
    }
}

/// Filters combine with AND; `None` does not filter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filters {
    pub category: Option<String>,
    pub technique: Option<String>,
    pub material: Option<String>,
    pub kecamatan: Option<String>,
    pub min_price_idr: Option<i64>,
    pub max_price_idr: Option<i64>,
    pub hotel_id: Option<Uuid>,
    /// Only products whose seller holds units in its own stock (`Some(true)`), or only those
    /// it holds none of (`Some(false)`).
    pub in_stock: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchQuery {
    /// What the buyer typed, read into words once for every engine; no words lists
    /// everything that passes the filters.
    pub text: QueryWords,
    pub filters: Filters,
    pub sort: Sort,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

impl SearchQuery {
    pub fn text(text: &str) -> Self {
        Self {
            text: QueryWords::parse(text),
            filters: Filters::default(),
            sort: Sort::Relevance,
            page: 1,
            per_page: 20,
        }
    }

    pub fn offset(&self) -> usize {
        (self.page.saturating_sub(1) as usize) * self.per_page as usize
    }
}

/// Number of matching documents per value of each faceted attribute.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Facets {
    pub category: BTreeMap<String, u64>,
    pub kecamatan: BTreeMap<String, u64>,
    pub technique: BTreeMap<String, u64>,
    pub material: BTreeMap<String, u64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SearchResults {
    /// The requested page, in order.
    pub hits: Vec<Hit>,
    /// All matching documents.
    pub total: u64,
    /// Over all matching documents, not only this page.
    pub facets: Facets,
}
