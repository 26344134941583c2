//! Catalogue search: one port (`SearchIndex`), one document (`ProductDocument`), two
//! adapters (an embedded tantivy index, Meilisearch) and the outbox worker that keeps
//! whichever is in use equal to the database.

pub mod document;
pub mod embedded;
pub mod fields;
pub mod meili;
pub mod query;
pub mod reindex;
pub mod synonyms;
pub mod text;
pub mod worker;

use std::sync::Arc;

use async_trait::async_trait;
use uuid::Uuid;

pub use document::{Hit, ProductDocument, Thumbnail};
pub use query::{Facets, Filters, SearchQuery, SearchResults, Sort};

/// Why the search engine could not do what was asked. Never shown to a buyer as a 500:
/// searching answers 503, indexing retries from the outbox.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search engine unavailable: {0}")]
    Unavailable(String),
    #[error("search index busy: {0}")]
    Busy(String),
}

impl SearchError {
    pub fn unavailable(e: impl std::fmt::Display) -> Self {
        SearchError::Unavailable(e.to_string())
    }
}

/// The search port. Both adapters index exactly `ProductDocument` and answer `SearchQuery`
/// with the same meaning (checked by one conformance suite).
#[async_trait]
pub trait SearchIndex: Send + Sync {
    /// `embedded` or `meilisearch`, for logs and /readyz.
    fn name(&self) -> &'static str;
    /// Applies the index settings (idempotent; called at start).
    async fn configure(&self) -> Result<(), SearchError>;
    /// Adds or replaces documents by id; visible to searches when this returns.
    async fn upsert(&self, docs: &[ProductDocument]) -> Result<(), SearchError>;
    /// Removes documents by id (absent ids are fine); visible when this returns.
    async fn delete(&self, ids: &[Uuid]) -> Result<(), SearchError>;
    /// Removes `removes`, then adds or replaces `upserts` (one commit where the engine can).
    async fn apply(
        &self,
        upserts: &[ProductDocument],
        removes: &[Uuid],
    ) -> Result<(), SearchError> {
        if !removes.is_empty() {
            self.delete(removes).await?;
        }
        if !upserts.is_empty() {
            self.upsert(upserts).await?;
        }
        Ok(())
    }
    /// Replaces the whole content with `docs` (a rebuild). Searches meanwhile see the old
    /// content, then all of the new: never a half-filled index.
    async fn replace_all(&self, docs: &[ProductDocument]) -> Result<(), SearchError>;
    async fn search(&self, query: &SearchQuery) -> Result<SearchResults, SearchError>;
    /// Documents in the index.
    async fn count(&self) -> Result<u64, SearchError>;
    async fn clear(&self) -> Result<(), SearchError>;
    /// Whether the engine answers (for /readyz).
    async fn check(&self) -> Result<(), SearchError>;
}

pub type SharedIndex = Arc<dyn SearchIndex>;

/// The index of a process that does not serve search (a command-line tool writing through
/// the API): every call is refused, and nothing drains the outbox there.
pub struct Detached;

#[async_trait]
impl SearchIndex for Detached {
    fn name(&self) -> &'static str {
        "detached"
    }
    async fn configure(&self) -> Result<(), SearchError> {
        Ok(())
    }
    async fn upsert(&self, _: &[ProductDocument]) -> Result<(), SearchError> {
        Err(detached())
    }
    async fn delete(&self, _: &[Uuid]) -> Result<(), SearchError> {
        Err(detached())
    }
    async fn replace_all(&self, _: &[ProductDocument]) -> Result<(), SearchError> {
        Err(detached())
    }
    async fn search(&self, _: &SearchQuery) -> Result<SearchResults, SearchError> {
        Err(detached())
    }
    async fn count(&self) -> Result<u64, SearchError> {
        Err(detached())
    }
    async fn clear(&self) -> Result<(), SearchError> {
        Err(detached())
    }
    async fn check(&self) -> Result<(), SearchError> {
        Err(detached())
    }
}

fn detached() -> SearchError {
    SearchError::Unavailable("this process does not serve search".to_owned())
}
