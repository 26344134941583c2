//! `kriya reindex`: rebuild the search index from the database. With the embedded index
//! and a server running on the same data dir (it holds the index), the rebuild is queued
//! for that server instead.

use crate::app::{StartError, open_search, open_tool_database};
use crate::config::Config;
use crate::db::search_outbox::{self, Subject};
use crate::search::SearchError;
use crate::search::worker::{self, DrainError};

#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The index now holds exactly these many documents.
    Rebuilt { documents: u64 },
    /// A running server holds the index; it will rebuild it from its outbox.
    Queued,
}

#[derive(Debug, thiserror::Error)]
pub enum ReindexError {
    #[error(transparent)]
    Start(#[from] StartError),
    #[error(transparent)]
    Drain(#[from] DrainError),
}

/// Rebuilds the configured index, reporting `(done, total)` as documents are built.
pub fn run(config: &Config, progress: impl FnMut(u64, u64)) -> Result<Outcome, ReindexError> {
    let pool = open_tool_database(config)?;
    let mut conn = pool
        .get()
        .map_err(|e| StartError::Database(e.to_string()))?;
    let index = match open_search(config) {
        Ok((index, _)) => index,
        Err(SearchError::Busy(_)) => {
            search_outbox::enqueue(&mut conn, Subject::All).map_err(DrainError::from)?;
            return Ok(Outcome::Queued);
        }
        Err(e) => return Err(StartError::Search(e).into()),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| DrainError::Index(SearchError::unavailable(e)))?;
    rt.block_on(index.configure()).map_err(DrainError::from)?;
    worker::rebuild(&mut conn, &index, &rt, progress)?;
    let documents = rt.block_on(index.count()).map_err(DrainError::from)?;
    Ok(Outcome::Rebuilt { documents })
}
