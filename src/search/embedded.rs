//! The embedded search adapter: a tantivy index under the data dir. One process writes it
//! (tantivy's writer lock enforces this); searches run on the blocking pool.

use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use tantivy::aggregation::AggregationCollector;
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue};
use tantivy::collector::{Collector, Count, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, Query, RangeQuery,
    TermQuery,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Searcher, TantivyDocument,
    TantivyError, Term,
};
use uuid::Uuid;

use super::fields::SEARCHABLE;
use super::query::{Facets, Filters, MAX_FACET_VALUES, SearchQuery, SearchResults, Sort};
use super::text;
use super::{ProductDocument, SearchError, SearchIndex, synonyms};

/// Bumped whenever the schema or the analysis changes: an index of another version is
/// dropped and rebuilt from the database.
const SCHEMA_VERSION: &str = "2";
const VERSION_FILE: &str = "kriya-schema-version";
const TOKENIZER: &str = "kriya";
const WRITER_HEAP_BYTES: usize = 64 * 1024 * 1024;

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    /// One text field per group of `fields::SEARCHABLE`, in its order.
    searchable: [Field; SEARCHABLE.len()],
    category: Field,
    technique: Field,
    material: Field,
    kecamatan: Field,
    hotel: Field,
    in_stock: Field,
    price_idr: Field,
    published_at: Field,
    source: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        searchable: SEARCHABLE.map(|group| b.add_text_field(group.field, text.clone())),
        category: b.add_text_field("category", STRING | FAST),
        technique: b.add_text_field("technique", STRING | FAST),
        material: b.add_text_field("material", STRING | FAST),
        kecamatan: b.add_text_field("kecamatan", STRING | FAST),
        hotel: b.add_text_field("hotel", STRING),
        in_stock: b.add_bool_field("in_stock", INDEXED),
        price_idr: b.add_i64_field("price_idr", INDEXED | FAST),
        published_at: b.add_i64_field("published_at", INDEXED | FAST),
        source: b.add_text_field("source", STORED),
    };
    (b.build(), fields)
}

struct Inner {
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    /// The total and facet counts of everything (no words, no filter: the browse), as of
    /// one searcher generation. A commit makes a new generation, so they are counted once
    /// per commit instead of once per request; tantivy keeps no running counts of its own.
    everything: Mutex<Option<(u64, usize, Facets)>>,
    /// The browse in each sort (no words, no filter), as of one searcher generation: the
    /// first `BROWSE_WINDOW` hits in order, so a page of it is a slice, not a pass over
    /// every document's fast field. Indexed by `sort_slot`.
    browse: Mutex<[Option<Arc<Browse>>; 4]>,
}

/// Browse pages kept per sort: the first 50 pages of 20.
const BROWSE_WINDOW: usize = 1_000;

struct Browse {
    generation: u64,
    addresses: Vec<DocAddress>,
    total: usize,
    facets: Facets,
}

fn sort_slot(sort: Sort) -> usize {
    match sort {
        Sort::Relevance => 0,
        Sort::PriceAsc => 1,
        Sort::PriceDesc => 2,
        Sort::Newest => 3,
    }
}

/// The tantivy adapter.
#[derive(Clone)]
pub struct EmbeddedIndex {
    inner: Arc<Inner>,
    /// Whether the index was created empty on this open (a rebuild is due).
    pub created: bool,
}

impl EmbeddedIndex {
    /// Opens (or creates) the index in `dir`, taking its writer lock: `Busy` when another
    /// process holds it. An index of an older schema is dropped and `created` is set.
    pub fn open(dir: &Path) -> Result<Self, SearchError> {
        let (schema, fields) = schema();
        let version_file: PathBuf = dir.join(VERSION_FILE);
        let current = std::fs::read_to_string(&version_file).ok();
        let created = current.as_deref() != Some(SCHEMA_VERSION);
        if created && dir.exists() {
            // Another schema (or a half-made index): start again from the database.
            remove_index_files(dir).map_err(SearchError::unavailable)?;
        }
        std::fs::create_dir_all(dir).map_err(SearchError::unavailable)?;
        let directory = MmapDirectory::open(dir).map_err(SearchError::unavailable)?;
        let index = Index::open_or_create(directory, schema).map_err(SearchError::unavailable)?;
        index.tokenizers().register(TOKENIZER, text::analyzer());
        let writer: IndexWriter = index.writer(WRITER_HEAP_BYTES).map_err(|e| match e {
            TantivyError::LockFailure(..) => SearchError::Busy(format!(
                "the search index in {} is open in another Kriya process",
                dir.display()
            )),
            other => SearchError::unavailable(other),
        })?;
        if created {
            std::fs::write(&version_file, SCHEMA_VERSION).map_err(SearchError::unavailable)?;
        }
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(SearchError::unavailable)?;
        Ok(Self {
            inner: Arc::new(Inner {
                reader,
                writer: Mutex::new(writer),
                fields,
                everything: Mutex::new(None),
                browse: Mutex::new(Default::default()),
            }),
            created,
        })
    }

    async fn blocking<T, F>(&self, f: F) -> Result<T, SearchError>
    where
        T: Send + 'static,
        F: FnOnce(&Inner) -> Result<T, SearchError> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || f(&inner))
            .await
            .map_err(SearchError::unavailable)?
    }
}

fn remove_index_files(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_file() {
            std::fs::remove_file(path)?;
        }
    }
    Ok(())
}

fn fail(e: impl std::fmt::Display) -> SearchError {
    SearchError::Unavailable(e.to_string())
}

impl Inner {
    fn to_tantivy(&self, doc: &ProductDocument) -> Result<TantivyDocument, SearchError> {
        let f = &self.fields;
        let mut out = TantivyDocument::new();
        out.add_text(f.id, doc.id.to_string());
        for (group, field) in SEARCHABLE.iter().zip(f.searchable) {
            for attribute in group.attributes {
                for value in attribute.values(doc) {
                    out.add_text(field, value);
                }
            }
        }
        for m in &doc.materials {
            out.add_text(f.material, m);
        }
        out.add_text(f.category, &doc.category);
        out.add_text(f.technique, &doc.technique);
        if let Some(k) = &doc.kecamatan {
            out.add_text(f.kecamatan, k);
        }
        for h in &doc.hotel_ids {
            out.add_text(f.hotel, h.to_string());
        }
        out.add_bool(f.in_stock, doc.in_stock);
        out.add_i64(f.price_idr, doc.price_idr);
        out.add_i64(f.published_at, doc.published_at);
        out.add_text(f.source, serde_json::to_string(doc).map_err(fail)?);
        Ok(out)
    }

    /// Applies `change` to the writer, commits and makes it visible.
    fn write(
        &self,
        change: impl FnOnce(&mut IndexWriter, &Fields) -> Result<(), SearchError>,
    ) -> Result<(), SearchError> {
        let mut writer = self
            .writer
            .lock()
            .map_err(|_| SearchError::unavailable("index writer poisoned"))?;
        if let Err(e) = change(&mut writer, &self.fields) {
            writer.rollback().map_err(fail)?;
            return Err(e);
        }
        writer.commit().map_err(fail)?;
        self.reader.reload().map_err(fail)
    }

    fn search(&self, q: &SearchQuery) -> Result<SearchResults, SearchError> {
        let searcher = self.reader.searcher();
        let generation = searcher.generation().generation_id();
        let everything = q.text.words().is_empty() && q.filters == Filters::default();
        let (offset, limit) = (q.offset(), q.per_page.max(1) as usize);
        let (addresses, total, facets) = if everything && offset + limit <= BROWSE_WINDOW {
            let browse = self.browse(&searcher, generation, q)?;
            let page = browse.addresses.iter().skip(offset).take(limit).copied();
            (page.collect(), browse.total, browse.facets.clone())
        } else {
            self.ranked(&searcher, generation, q)?
        };
        let mut hits = Vec::with_capacity(addresses.len());
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(address).map_err(fail)?;
            let source = doc
                .get_first(self.fields.source)
                .and_then(|v| v.as_str())
                .ok_or_else(|| fail("document without source"))?;
            hits.push(serde_json::from_str(source).map_err(fail)?);
        }
        Ok(SearchResults {
            hits,
            total: total as u64,
            facets,
        })
    }

    /// The browse in `q`'s sort as of `generation`, ranked once per generation.
    fn browse(
        &self,
        searcher: &Searcher,
        generation: u64,
        q: &SearchQuery,
    ) -> Result<Arc<Browse>, SearchError> {
        let slot = sort_slot(q.sort);
        let kept = self.browse.lock().map_err(fail)?[slot].clone();
        if let Some(browse) = kept.filter(|b| b.generation == generation) {
            return Ok(browse);
        }
        let window = SearchQuery {
            page: 1,
            per_page: BROWSE_WINDOW as u32,
            ..q.clone()
        };
        let (addresses, total, facets) = self.ranked(searcher, generation, &window)?;
        let browse = Arc::new(Browse {
            generation,
            addresses,
            total,
            facets,
        });
        self.browse.lock().map_err(fail)?[slot] = Some(browse.clone());
        Ok(browse)
    }

    /// The page of `q` ranked by the engine: its addresses, the total and the facets.
    fn ranked(
        &self,
        searcher: &Searcher,
        generation: u64,
        q: &SearchQuery,
    ) -> Result<(Vec<DocAddress>, usize, Facets), SearchError> {
        let query = self.build_query(q);
        let everything = q.text.words().is_empty() && q.filters == Filters::default();
        let known = if everything {
            self.everything
                .lock()
                .map_err(fail)?
                .as_ref()
                .filter(|(g, _, _)| *g == generation)
                .map(|(_, total, facets)| (*total, facets.clone()))
        } else {
            None
        };
        let counted = known.is_some();
        let limit = q.per_page.max(1) as usize;
        let top = TopDocs::with_limit(limit).and_offset(q.offset());
        let published = || SortByStaticFastValue::<i64>::for_field("published_at");
        let price = || SortByStaticFastValue::<i64>::for_field("price_idr");
        let (addresses, total, facets) = match q.sort {
            Sort::Relevance => self.collect(
                searcher,
                &query,
                top.order_by((
                    (SortBySimilarityScore, Order::Desc),
                    (published(), Order::Desc),
                )),
                known,
            ),
            Sort::PriceAsc => self.collect(
                searcher,
                &query,
                top.order_by(((price(), Order::Asc), (published(), Order::Desc))),
                known,
            ),
            Sort::PriceDesc => self.collect(
                searcher,
                &query,
                top.order_by(((price(), Order::Desc), (published(), Order::Desc))),
                known,
            ),
            Sort::Newest => self.collect(
                searcher,
                &query,
                top.order_by((published(), Order::Desc)),
                known,
            ),
        }?;
        if everything && !counted {
            *self.everything.lock().map_err(fail)? = Some((generation, total, facets.clone()));
        }
        Ok((addresses, total, facets))
    }

    /// The page of hits, the total and the facet counts; with `known` (the total and counts
    /// already known), only the page.
    fn collect<K, C>(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        top: C,
        known: Option<(usize, Facets)>,
    ) -> Result<(Vec<DocAddress>, usize, Facets), SearchError>
    where
        C: Collector<Fruit = Vec<(K, DocAddress)>>,
    {
        if let Some((total, facets)) = known {
            let top = searcher.search(query, &top).map_err(fail)?;
            return Ok((top.into_iter().map(|(_, a)| a).collect(), total, facets));
        }
        let aggs = AggregationCollector::from_aggs(facet_request(), Default::default());
        let (top, total, aggs) = searcher.search(query, &(top, Count, aggs)).map_err(fail)?;
        let facets = parse_facets(&serde_json::to_value(aggs).map_err(fail)?);
        Ok((top.into_iter().map(|(_, a)| a).collect(), total, facets))
    }

    fn build_query(&self, q: &SearchQuery) -> Box<dyn Query> {
        let words = q.text.words();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (i, word) in words.iter().enumerate() {
            let prefix = q.text.last_is_prefix() && i + 1 == words.len();
            clauses.push((Occur::Must, self.word_query(word, prefix)));
        }
        for filter in self.filter_queries(&q.filters) {
            clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(filter, 0.0))));
        }
        if words.is_empty() {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// One query word: exact (ranked by BM25), within its typo budget, as a prefix when it
    /// is the word being typed, or any of its synonyms; in every searchable field, by the
    /// weight of its group.
    fn word_query(&self, word: &str, prefix: bool) -> Box<dyn Query> {
        let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let budget = text::typo_budget(word);
        for (group, field) in SEARCHABLE.iter().zip(self.fields.searchable) {
            let weight = group.weight;
            let term = Term::from_field_text(field, word);
            let exact = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs);
            any.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(exact), weight)),
            ));
            let loose: Option<Box<dyn Query>> = if prefix {
                Some(Box::new(FuzzyTermQuery::new_prefix(term, budget, true)))
            } else if budget > 0 {
                Some(Box::new(FuzzyTermQuery::new(term, budget, true)))
            } else {
                None
            };
            if let Some(loose) = loose {
                any.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(loose, weight * 0.3)),
                ));
            }
            for synonym in synonyms::of(word) {
                let term = Term::from_field_text(field, synonym);
                let q = TermQuery::new(term, IndexRecordOption::WithFreqs);
                any.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(q), weight * 0.8)),
                ));
            }
        }
        Box::new(BooleanQuery::new(any))
    }

    fn filter_queries(&self, filters: &Filters) -> Vec<Box<dyn Query>> {
        let f = &self.fields;
        let mut out: Vec<Box<dyn Query>> = Vec::new();
        let mut exact = |field: Field, value: &str| {
            out.push(Box::new(TermQuery::new(
                Term::from_field_text(field, value),
                IndexRecordOption::Basic,
            )))
        };
        if let Some(v) = &filters.category {
            exact(f.category, v);
        }
        if let Some(v) = &filters.technique {
            exact(f.technique, v);
        }
        if let Some(v) = &filters.material {
            exact(f.material, v);
        }
        if let Some(v) = &filters.kecamatan {
            exact(f.kecamatan, v);
        }
        if let Some(v) = filters.hotel_id {
            exact(f.hotel, &v.to_string());
        }
        if let Some(v) = filters.in_stock {
            out.push(Box::new(TermQuery::new(
                Term::from_field_bool(f.in_stock, v),
                IndexRecordOption::Basic,
            )));
        }
        if filters.min_price_idr.is_some() || filters.max_price_idr.is_some() {
            let bound = |v: Option<i64>| match v {
                Some(v) => Bound::Included(Term::from_field_i64(f.price_idr, v)),
                None => Bound::Unbounded,
            };
            out.push(Box::new(RangeQuery::new(
                bound(filters.min_price_idr),
                bound(filters.max_price_idr),
            )));
        }
        out
    }
}

fn facet_request() -> Aggregations {
    let terms = |field: &str| serde_json::json!({ "terms": { "field": field, "size": MAX_FACET_VALUES, "min_doc_count": 1 } });
    serde_json::from_value(serde_json::json!({
        "category": terms("category"),
        "kecamatan": terms("kecamatan"),
        "technique": terms("technique"),
        "material": terms("material"),
    }))
    .expect("a valid aggregation request")
}

fn parse_facets(aggs: &serde_json::Value) -> Facets {
    let counts = |name: &str| {
        aggs[name]["buckets"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|b| Some((b["key"].as_str()?.to_owned(), b["doc_count"].as_u64()?)))
            .collect()
    };
    Facets {
        category: counts("category"),
        kecamatan: counts("kecamatan"),
        technique: counts("technique"),
        material: counts("material"),
    }
}

#[async_trait]
impl SearchIndex for EmbeddedIndex {
    fn name(&self) -> &'static str {
        "embedded"
    }

    async fn configure(&self) -> Result<(), SearchError> {
        Ok(())
    }

    async fn upsert(&self, docs: &[ProductDocument]) -> Result<(), SearchError> {
        self.apply(docs, &[]).await
    }

    async fn delete(&self, ids: &[Uuid]) -> Result<(), SearchError> {
        self.apply(&[], ids).await
    }

    async fn apply(
        &self,
        upserts: &[ProductDocument],
        removes: &[Uuid],
    ) -> Result<(), SearchError> {
        // The last version of each document wins.
        let mut seen = std::collections::HashSet::new();
        let mut docs: Vec<ProductDocument> = upserts
            .iter()
            .rev()
            .filter(|d| seen.insert(d.id))
            .cloned()
            .collect();
        docs.reverse();
        let removes = removes.to_vec();
        self.blocking(move |inner| {
            let converted: Vec<TantivyDocument> = docs
                .iter()
                .map(|d| inner.to_tantivy(d))
                .collect::<Result<_, _>>()?;
            inner.write(|w, f| {
                for id in removes.iter().chain(docs.iter().map(|d| &d.id)) {
                    w.delete_term(Term::from_field_text(f.id, &id.to_string()));
                }
                for doc in converted {
                    w.add_document(doc).map_err(fail)?;
                }
                Ok(())
            })
        })
        .await
    }

    async fn replace_all(&self, docs: &[ProductDocument]) -> Result<(), SearchError> {
        let docs = docs.to_vec();
        self.blocking(move |inner| {
            let converted: Vec<TantivyDocument> = docs
                .iter()
                .map(|d| inner.to_tantivy(d))
                .collect::<Result<_, _>>()?;
            // One commit: searches see the old index until the new one is complete.
            inner.write(|w, _| {
                w.delete_all_documents().map_err(fail)?;
                for doc in converted {
                    w.add_document(doc).map_err(fail)?;
                }
                Ok(())
            })
        })
        .await
    }

    async fn search(&self, query: &SearchQuery) -> Result<SearchResults, SearchError> {
        let query = query.clone();
        self.blocking(move |inner| inner.search(&query)).await
    }

    async fn count(&self) -> Result<u64, SearchError> {
        self.blocking(|inner| Ok(inner.reader.searcher().num_docs()))
            .await
    }

    async fn clear(&self) -> Result<(), SearchError> {
        self.blocking(|inner| {
            inner.write(|w, _| w.delete_all_documents().map(|_| ()).map_err(fail))
        })
        .await
    }

    async fn check(&self) -> Result<(), SearchError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_on_the_same_directory_is_busy() {
        let dir = tempfile::tempdir().unwrap();
        let first = EmbeddedIndex::open(dir.path()).unwrap();
        assert!(first.created);
        assert!(matches!(
            EmbeddedIndex::open(dir.path()),
            Err(SearchError::Busy(_))
        ));
        drop(first);
        let again = EmbeddedIndex::open(dir.path()).unwrap();
        assert!(!again.created, "the same schema is kept");
    }
}
