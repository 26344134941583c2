//! The Meilisearch adapter: the same `ProductDocument`, settings applied idempotently at
//! start, and every write waited on, so a row leaves the outbox only once Meilisearch has
//! really taken it.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use async_trait::async_trait;
use meilisearch_sdk::client::{Client, SwapIndexes};
use meilisearch_sdk::indexes::Index;
use meilisearch_sdk::settings::{
    FacetingSettings, MinWordSizeForTypos, PaginationSetting, Settings, TypoToleranceSettings,
};
use meilisearch_sdk::task_info::TaskInfo;
use serde::{Deserialize, Serialize};
use thread_local::ThreadLocal;
use uuid::Uuid;

use super::query::{
    Facets, Filters, MAX_FACET_VALUES, MAX_RESULT_WINDOW, SearchQuery, SearchResults, Sort,
};
use super::{Hit, ProductDocument, SearchError, SearchIndex, fields, synonyms};

const TASK_TIMEOUT: Duration = Duration::from_secs(30);
/// A rebuild's tasks (filling a whole index) may take much longer than an edit's.
const REBUILD_TASK_TIMEOUT: Duration = Duration::from_secs(30 * 60);
const TASK_POLL: Duration = Duration::from_millis(25);
/// A search that takes longer is answered 503.
const SEARCH_TIMEOUT: Duration = Duration::from_secs(10);
/// Any other request that Meilisearch does not answer within this fails (the engine is
/// down): a worker's batch, and the outbox rows it holds, never wait longer on one request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Documents sent per request when filling an index (well under Meilisearch's payload limit).
const FILL_CHUNK: usize = 5_000;

pub struct MeiliIndex {
    client: Client,
    index: Index,
    /// Searches go through these rather than the SDK, whose request body is a stream that
    /// allocates and zeroes 8 MiB per request: one client per thread that searches, so a
    /// kept-alive connection is driven by the thread (an HTTP worker's own runtime) that
    /// asks, not handed between threads on every search.
    http: ThreadLocal<reqwest::Client>,
    headers: reqwest::header::HeaderMap,
    search_url: reqwest::Url,
}

impl MeiliIndex {
    pub fn new(url: &str, key: Option<&str>, index_uid: &str) -> Result<Self, SearchError> {
        let client = Client::new(url, key).map_err(SearchError::unavailable)?;
        let index = client.index(index_uid);
        let mut headers = reqwest::header::HeaderMap::new();
        if let Some(key) = key {
            let mut bearer = reqwest::header::HeaderValue::from_str(&format!("Bearer {key}"))
                .map_err(SearchError::unavailable)?;
            bearer.set_sensitive(true);
            headers.insert(reqwest::header::AUTHORIZATION, bearer);
        }
        // Index uids are letters, digits, `-` and `_` (Meilisearch refuses others).
        let search_url = format!("{}/indexes/{index_uid}/search", url.trim_end_matches('/'))
            .parse()
            .map_err(SearchError::unavailable)?;
        let index = Self {
            client,
            index,
            http: ThreadLocal::new(),
            headers,
            search_url,
        };
        // A client that cannot be built is refused here, not at the first search.
        index.http()?;
        Ok(index)
    }

    /// This thread's search client.
    fn http(&self) -> Result<&reqwest::Client, SearchError> {
        self.http.get_or_try(|| {
            reqwest::Client::builder()
                .default_headers(self.headers.clone())
                .timeout(SEARCH_TIMEOUT)
                .build()
                .map_err(SearchError::unavailable)
        })
    }

    async fn wait(
        &self,
        task: impl Future<Output = Result<TaskInfo, SdkError>>,
    ) -> Result<(), SearchError> {
        self.wait_up_to(task, TASK_TIMEOUT).await
    }

    /// Sends the request that enqueues a task, then waits until the task is done.
    async fn wait_up_to(
        &self,
        task: impl Future<Output = Result<TaskInfo, SdkError>>,
        timeout: Duration,
    ) -> Result<(), SearchError> {
        let task = answered(task).await?;
        self.completed(task, timeout).await
    }

    /// Waits until `task` is done, at most `timeout` (and one request's time for a poll
    /// that is not answered).
    async fn completed(&self, task: TaskInfo, timeout: Duration) -> Result<(), SearchError> {
        let waited = task.wait_for_completion(&self.client, Some(TASK_POLL), Some(timeout));
        let task = match tokio::time::timeout(timeout + REQUEST_TIMEOUT, waited).await {
            Ok(task) => task.map_err(SearchError::unavailable)?,
            Err(_) => return Err(not_answered(timeout + REQUEST_TIMEOUT)),
        };
        if task.is_failure() {
            return Err(SearchError::Unavailable(format!(
                "meilisearch task failed: {:?}",
                task.unwrap_failure()
            )));
        }
        Ok(())
    }

    /// Creates `uid` with the settings of the served index and fills it with `docs`.
    async fn build(&self, uid: &str, docs: &[ProductDocument]) -> Result<(), SearchError> {
        self.wait(self.client.create_index(uid, Some("id"))).await?;
        let index = self.client.index(uid);
        self.wait(index.set_settings(&settings())).await?;
        // Enqueued together (Meilisearch batches them), then each waited on.
        let mut tasks = Vec::new();
        for chunk in docs.chunks(FILL_CHUNK) {
            tasks.push(answered(index.add_or_replace(chunk, Some("id"))).await?);
        }
        for task in tasks {
            self.completed(task, REBUILD_TASK_TIMEOUT).await?;
        }
        Ok(())
    }
}

type SdkError = meilisearch_sdk::errors::Error;

/// The answer to one request, unless Meilisearch does not give it within `REQUEST_TIMEOUT`.
async fn answered<T>(request: impl Future<Output = Result<T, SdkError>>) -> Result<T, SearchError> {
    match tokio::time::timeout(REQUEST_TIMEOUT, request).await {
        Ok(answer) => answer.map_err(SearchError::unavailable),
        Err(_) => Err(not_answered(REQUEST_TIMEOUT)),
    }
}

fn not_answered(after: Duration) -> SearchError {
    SearchError::Unavailable(format!("Meilisearch did not answer within {after:?}"))
}

fn settings() -> Settings {
    let synonyms: HashMap<String, Vec<String>> = synonyms::table()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Settings::new()
        .with_searchable_attributes(fields::attribute_names())
        .with_filterable_attributes([
            "category",
            "technique",
            "materials",
            "kecamatan",
            "price_idr",
            "hotel_ids",
            "in_stock",
            "seller_id",
        ])
        .with_sortable_attributes(["price_idr", "published_at"])
        .with_ranking_rules([
            "words",
            "typo",
            "proximity",
            "attribute",
            "sort",
            "exactness",
            "published_at:desc",
        ])
        .with_synonyms(synonyms)
        .with_pagination(PaginationSetting {
            max_total_hits: MAX_RESULT_WINDOW as usize,
        })
        .with_faceting(FacetingSettings {
            max_values_per_facet: MAX_FACET_VALUES,
            sort_facet_values_by: None,
        })
        .with_typo_tolerance(TypoToleranceSettings {
            enabled: Some(true),
            disable_on_attributes: None,
            disable_on_words: None,
            min_word_size_for_typos: Some(MinWordSizeForTypos {
                one_typo: Some(4),
                two_typos: Some(8),
            }),
            disable_on_numbers: None,
        })
}

/// A filter value in Meilisearch's filter syntax (double-quoted, escaped).
fn quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

fn filter_expression(f: &Filters) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut eq = |attribute: &str, value: Option<&str>| {
        if let Some(v) = value {
            parts.push(format!("{attribute} = {}", quoted(v)));
        }
    };
    eq("category", f.category.as_deref());
    eq("technique", f.technique.as_deref());
    eq("materials", f.material.as_deref());
    eq("kecamatan", f.kecamatan.as_deref());
    eq("hotel_ids", f.hotel_id.map(|h| h.to_string()).as_deref());
    if let Some(in_stock) = f.in_stock {
        parts.push(format!("in_stock = {in_stock}"));
    }
    if let Some(min) = f.min_price_idr {
        parts.push(format!("price_idr >= {min}"));
    }
    if let Some(max) = f.max_price_idr {
        parts.push(format!("price_idr <= {max}"));
    }
    parts.join(" AND ")
}

fn facet_counts(
    all: &mut HashMap<String, BTreeMap<String, u64>>,
    name: &str,
) -> BTreeMap<String, u64> {
    all.remove(name).unwrap_or_default()
}

/// A search as Meilisearch's `POST /indexes/{uid}/search` takes it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SearchRequest<'a> {
    q: &'a str,
    page: u32,
    hits_per_page: u32,
    facets: &'a [&'a str],
    attributes_to_retrieve: &'a [&'a str],
    matching_strategy: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    filter: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    sort: &'a [&'a str],
}

/// What Kriya reads of Meilisearch's answer.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SearchAnswer {
    hits: Vec<Hit>,
    total_hits: Option<u64>,
    #[serde(default)]
    facet_distribution: HashMap<String, BTreeMap<String, u64>>,
}

#[async_trait]
impl SearchIndex for MeiliIndex {
    fn name(&self) -> &'static str {
        "meilisearch"
    }

    async fn configure(&self) -> Result<(), SearchError> {
        // Creating an index that exists fails harmlessly; the settings task is idempotent.
        let _ = self
            .wait(self.client.create_index(&self.index.uid, Some("id")))
            .await;
        self.wait(self.index.set_settings(&settings())).await
    }

    async fn upsert(&self, docs: &[ProductDocument]) -> Result<(), SearchError> {
        if docs.is_empty() {
            return Ok(());
        }
        self.wait(self.index.add_or_replace(docs, Some("id"))).await
    }

    async fn delete(&self, ids: &[Uuid]) -> Result<(), SearchError> {
        if ids.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        self.wait(self.index.delete_documents(&ids)).await
    }

    /// Builds a complete new index beside the served one, then swaps the two in one
    /// Meilisearch task and deletes the old content: searches see the old index until the
    /// new one is whole, and the served index keeps its name.
    async fn replace_all(&self, docs: &[ProductDocument]) -> Result<(), SearchError> {
        let fresh = format!("{}_tmp_{}", self.index.uid, Uuid::now_v7().simple());
        let swapped = async {
            self.build(&fresh, docs).await?;
            // The served index exists once `configure` ran; this covers a first rebuild
            // without it (creating an existing index fails harmlessly).
            let _ = self
                .wait(self.client.create_index(&self.index.uid, Some("id")))
                .await;
            let swap = SwapIndexes {
                indexes: (self.index.uid.clone(), fresh.clone()),
                rename: None,
            };
            self.wait(self.client.swap_indexes([&swap])).await
        }
        .await;
        // After the swap `fresh` names the old content; before it, a half-built index.
        let removed = self.wait(self.client.delete_index(&fresh)).await;
        if let (Ok(()), Err(e)) = (&swapped, removed) {
            // The new content is served; only disk space is lost until it is deleted.
            tracing::warn!(index = %fresh, error = %e, "deleting the replaced search index failed");
        }
        swapped
    }

    async fn search(&self, q: &SearchQuery) -> Result<SearchResults, SearchError> {
        let filter = filter_expression(&q.filters);
        let sort: &[&str] = match q.sort {
            Sort::Relevance => &[],
            Sort::PriceAsc => &["price_idr:asc", "published_at:desc"],
            Sort::PriceDesc => &["price_idr:desc", "published_at:desc"],
            Sort::Newest => &["published_at:desc"],
        };
        // The words only: quotes, `-` and the like would mean phrases and exclusions here
        // and nothing to the embedded index.
        let text = q.text.as_text();
        let request = SearchRequest {
            q: &text,
            page: q.page,
            hits_per_page: q.per_page,
            facets: &["category", "kecamatan", "technique", "materials"],
            attributes_to_retrieve: &Hit::ATTRIBUTES,
            matching_strategy: "all",
            filter: (!filter.is_empty()).then_some(filter.as_str()),
            sort,
        };
        let response = self
            .http()?
            .post(self.search_url.clone())
            .json(&request)
            .send()
            .await
            .map_err(SearchError::unavailable)?;
        let status = response.status();
        let body = response.bytes().await.map_err(SearchError::unavailable)?;
        if !status.is_success() {
            return Err(SearchError::Unavailable(format!(
                "Meilisearch answered {status}: {}",
                String::from_utf8_lossy(&body[..body.len().min(500)])
            )));
        }
        let mut found: SearchAnswer =
            serde_json::from_slice(&body).map_err(SearchError::unavailable)?;
        let distribution = &mut found.facet_distribution;
        Ok(SearchResults {
            total: found.total_hits.unwrap_or(0),
            facets: Facets {
                category: facet_counts(distribution, "category"),
                kecamatan: facet_counts(distribution, "kecamatan"),
                technique: facet_counts(distribution, "technique"),
                material: facet_counts(distribution, "materials"),
            },
            hits: found.hits,
        })
    }

    async fn count(&self) -> Result<u64, SearchError> {
        let stats = answered(self.index.get_stats()).await?;
        Ok(stats.number_of_documents as u64)
    }

    async fn clear(&self) -> Result<(), SearchError> {
        self.wait(self.index.delete_all_documents()).await
    }

    async fn check(&self) -> Result<(), SearchError> {
        answered(self.client.health()).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_quoted_and_joined_with_and() {
        let f = Filters {
            category: Some("batik".into()),
            material: Some("kain \"sutra\"".into()),
            min_price_idr: Some(10_000),
            ..Filters::default()
        };
        assert_eq!(
            filter_expression(&f),
            r#"category = "batik" AND materials = "kain \"sutra\"" AND price_idr >= 10000"#
        );
    }
}
