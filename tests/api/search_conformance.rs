//! The search conformance suite, written once and run against every adapter that is
//! reachable: the embedded tantivy index always, Meilisearch when `KRIYA_TEST_MEILI_URL`
//! is set (each test then uses an index of its own; with `KRIYA_TEST_REQUIRE_MEILI=1` a
//! missing or silent server fails the Meilisearch half instead of skipping it). It talks to the `SearchIndex` port
//! directly; `search_api` checks the same behaviour through HTTP and the outbox.

use std::collections::BTreeMap;

use kriya::search::{Filters, Hit, ProductDocument, SearchQuery, SharedIndex, Sort};
use uuid::Uuid;

pub fn hotel(n: u128) -> Uuid {
    Uuid::from_u128(0xa000 + n)
}

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

#[allow(clippy::too_many_arguments)]
fn doc(
    n: u128,
    title: &str,
    title_en: Option<&str>,
    category: &str,
    technique: &str,
    materials: &[&str],
    price_idr: i64,
    kecamatan: &str,
    hotels: &[Uuid],
) -> ProductDocument {
    ProductDocument {
        id: id(n),
        title: title.to_owned(),
        title_en: title_en.map(str::to_owned),
        description: format!("{title}, buatan tangan pengrajin."),
        description_en: None,
        category: category.to_owned(),
        technique: technique.to_owned(),
        materials: materials.iter().map(|m| (*m).to_owned()).collect(),
        price_idr,
        seller_id: Uuid::from_u128(0x5000 + n),
        seller_name: format!("Pengrajin {n}"),
        kecamatan: Some(kecamatan.to_owned()),
        hotel_ids: hotels.to_vec(),
        // Odd products are in the seller's own stock.
        in_stock: n % 2 == 1,
        thumbnail: None,
        published_at: 1_790_000_000_000_000 + n as i64,
    }
}

/// Six products; `n` is the id and the publishing order.
pub fn catalogue() -> Vec<ProductDocument> {
    let jewellery = "electroforming-jewellery";
    vec![
        doc(
            1,
            "Kalung Daun Jati",
            Some("Teak leaf necklace"),
            jewellery,
            "electroforming",
            &["tembaga"],
            185_000,
            "Klojen",
            &[hotel(1)],
        ),
        doc(
            2,
            "Gelang Bunga Teratai",
            None,
            jewellery,
            "electroforming",
            &["perak"],
            350_000,
            "Lowokwaru",
            &[],
        ),
        doc(
            3,
            "Batik Tulis Malangan",
            Some("Hand-drawn Malang batik"),
            "batik",
            "tulis",
            &["katun"],
            750_000,
            "Kedungkandang",
            &[hotel(1), hotel(2)],
        ),
        doc(
            4,
            "Selendang Sutra Parang",
            Some("Parang silk scarf"),
            "batik",
            "cap",
            &["sutra"],
            425_000,
            "Sukun",
            &[hotel(2)],
        ),
        doc(
            5,
            "Tas Anyaman Pandan",
            None,
            "fashion",
            "anyaman",
            &["pandan", "kulit"],
            275_000,
            "Blimbing",
            &[],
        ),
        doc(
            6,
            "Anting Daun Kopi",
            Some("Coffee leaf earrings"),
            jewellery,
            "electroforming",
            &["tembaga", "perak"],
            125_000,
            "Klojen",
            &[],
        ),
    ]
}

pub async fn loaded(index: &SharedIndex) {
    index.configure().await.expect("configure");
    index.clear().await.expect("clear");
    index.upsert(&catalogue()).await.expect("upsert");
}

fn q(text: &str) -> SearchQuery {
    SearchQuery::text(text)
}

fn with(filters: Filters) -> SearchQuery {
    SearchQuery { filters, ..q("") }
}

fn sorted(text: &str, sort: Sort) -> SearchQuery {
    SearchQuery { sort, ..q(text) }
}

/// The ids found, in order, as the numbers of `catalogue`.
pub async fn found(index: &SharedIndex, query: SearchQuery) -> Vec<u128> {
    let res = index.search(&query).await.expect("search");
    res.hits.iter().map(|d| d.id.as_u128()).collect()
}

async fn found_set(index: &SharedIndex, query: SearchQuery) -> Vec<u128> {
    let mut ids = found(index, query).await;
    ids.sort();
    ids
}

/// The browse (no words, no filter) reads exactly as the same query with a filter that keeps
/// everything (a minimum price of 0), which no engine may answer from counts kept aside:
/// every sort and page, the total and every facet count.
async fn browse_reads_as_filtered_by_nothing(index: &SharedIndex, when: &str) {
    let keep_all = Filters {
        min_price_idr: Some(0),
        ..Filters::default()
    };
    for sort in [
        Sort::Relevance,
        Sort::PriceAsc,
        Sort::PriceDesc,
        Sort::Newest,
    ] {
        for page in 1..=4 {
            let browse = SearchQuery {
                sort,
                page,
                per_page: 2,
                ..q("")
            };
            let slow = SearchQuery {
                filters: keep_all.clone(),
                ..browse.clone()
            };
            let fast = index.search(&browse).await.unwrap();
            assert_eq!(
                fast,
                index.search(&slow).await.unwrap(),
                "{when}: {sort:?}, page {page}"
            );
            // Asked again (now from whatever the engine kept), the same.
            assert_eq!(
                fast,
                index.search(&browse).await.unwrap(),
                "{when}: {sort:?}, page {page}, again"
            );
        }
    }
}

/// Defines one test per adapter: `<name>::embedded` and `<name>::meilisearch`.
macro_rules! conformance {
    ($(async fn $name:ident($index:ident) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn run($index: SharedIndex) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn embedded() {
                    let dir = tempfile::tempdir().unwrap();
                    let index = kriya::search::embedded::EmbeddedIndex::open(dir.path()).unwrap();
                    run(std::sync::Arc::new(index)).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn meilisearch() {
                    match crate::support::meili_index().await {
                        Some(index) => run(index).await,
                        None => eprintln!("skipped: KRIYA_TEST_MEILI_URL is not set"),
                    }
                }
            }
        )*
    };
}

conformance! {
    async fn typos_are_forgiven_by_word_length(index) {
        loaded(&index).await;
        assert_eq!(found(&index, q("batk")).await, [3], "4 letters: one typo");
        assert_eq!(found(&index, q("kalong")).await, [1], "6 letters: one typo");
        assert_eq!(found(&index, q("selendnag ")).await, [4], "9 letters: a transposition");
        assert_eq!(found(&index, q("selednagg ")).await, [4], "9 letters: two typos");
        assert!(found(&index, q("kalengg ")).await.is_empty(), "7 letters: not two typos");
        assert!(found(&index, q("taz ")).await.is_empty(), "3 letters: no typo");
    }

    async fn the_last_word_matches_as_a_prefix(index) {
        loaded(&index).await;
        assert_eq!(found(&index, q("kal")).await, [1]);
        assert_eq!(found(&index, q("anyaman pand")).await, [5]);
        assert!(found(&index, q("kal ")).await.is_empty(), "a finished word is whole");
        assert!(found(&index, q("kal daun")).await.is_empty(), "only the last word");
    }

    async fn indonesian_and_english_synonyms_find_each_other(index) {
        loaded(&index).await;
        assert_eq!(found(&index, q("bracelet")).await, [2], "gelang");
        assert_eq!(found(&index, q("bag")).await, [5], "tas");
        assert_eq!(found(&index, q("kalung")).await, [1]);
        assert_eq!(found(&index, q("necklace")).await, [1]);
        assert_eq!(found_set(&index, q("leaf")).await, [1, 6], "daun");
        assert_eq!(found(&index, q("scarf")).await, [4], "selendang");
    }

    async fn every_word_must_match(index) {
        loaded(&index).await;
        assert_eq!(found_set(&index, q("daun tembaga")).await, [1, 6]);
        assert_eq!(found(&index, q("daun perak")).await, [6]);
        assert!(found(&index, q("daun batik")).await.is_empty());
    }

    async fn each_filter_narrows_and_they_combine_with_and(index) {
        loaded(&index).await;
        let f = Filters::default;
        assert_eq!(found_set(&index, with(Filters { category: Some("batik".into()), ..f() })).await, [3, 4]);
        assert_eq!(found_set(&index, with(Filters { technique: Some("electroforming".into()), ..f() })).await, [1, 2, 6]);
        assert_eq!(found_set(&index, with(Filters { material: Some("perak".into()), ..f() })).await, [2, 6]);
        assert_eq!(found_set(&index, with(Filters { kecamatan: Some("Klojen".into()), ..f() })).await, [1, 6]);
        assert_eq!(found_set(&index, with(Filters { hotel_id: Some(hotel(1)), ..f() })).await, [1, 3]);
        assert_eq!(
            found_set(&index, with(Filters { min_price_idr: Some(275_000), max_price_idr: Some(425_000), ..f() })).await,
            [2, 4, 5],
            "bounds are inclusive"
        );
        assert_eq!(found_set(&index, with(Filters { min_price_idr: Some(400_000), ..f() })).await, [3, 4]);
        assert_eq!(found_set(&index, with(Filters { max_price_idr: Some(185_000), ..f() })).await, [1, 6]);
        let both = Filters {
            category: Some("electroforming-jewellery".into()),
            material: Some("perak".into()),
            ..f()
        };
        assert_eq!(found_set(&index, with(both.clone())).await, [2, 6]);
        assert_eq!(
            found_set(&index, with(Filters { kecamatan: Some("Klojen".into()), ..both.clone() })).await,
            [6]
        );
        assert_eq!(
            found_set(&index, SearchQuery { filters: both, ..q("gelang") }).await,
            [2],
            "text and filters together"
        );
        assert!(found(&index, with(Filters { category: Some("fashion".into()), hotel_id: Some(hotel(1)), ..f() })).await.is_empty());
    }

    async fn in_stock_keeps_what_can_be_ordered_now(index) {
        loaded(&index).await;
        let f = Filters::default;
        assert_eq!(found_set(&index, with(Filters { in_stock: Some(true), ..f() })).await, [1, 3, 5]);
        assert_eq!(found_set(&index, with(Filters { in_stock: Some(false), ..f() })).await, [2, 4, 6]);
        let jewellery = Filters { category: Some("electroforming-jewellery".into()), in_stock: Some(true), ..f() };
        assert_eq!(found_set(&index, with(jewellery.clone())).await, [1]);
        assert_eq!(found_set(&index, SearchQuery { filters: jewellery, ..q("daun") }).await, [1]);
        // Changing a document's stock changes what the filter keeps.
        let mut anting = catalogue().remove(5);
        anting.in_stock = true;
        index.upsert(&[anting]).await.unwrap();
        assert_eq!(found_set(&index, with(Filters { in_stock: Some(true), ..f() })).await, [1, 3, 5, 6]);
    }

    async fn facets_count_every_match_not_only_the_page(index) {
        loaded(&index).await;
        let all = index
            .search(&SearchQuery { per_page: 1, ..q("") })
            .await
            .unwrap();
        assert_eq!(all.total, 6);
        assert_eq!(all.hits.len(), 1);
        let counts = |pairs: &[(&str, u64)]| -> BTreeMap<String, u64> {
            pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
        };
        assert_eq!(all.facets.category, counts(&[("batik", 2), ("electroforming-jewellery", 3), ("fashion", 1)]));
        assert_eq!(
            all.facets.kecamatan,
            counts(&[("Blimbing", 1), ("Kedungkandang", 1), ("Klojen", 2), ("Lowokwaru", 1), ("Sukun", 1)])
        );
        assert_eq!(
            all.facets.technique,
            counts(&[("anyaman", 1), ("cap", 1), ("electroforming", 3), ("tulis", 1)])
        );
        assert_eq!(
            all.facets.material,
            counts(&[("katun", 1), ("kulit", 1), ("pandan", 1), ("perak", 2), ("sutra", 1), ("tembaga", 2)])
        );
        let batik = index
            .search(&with(Filters { category: Some("batik".into()), ..Filters::default() }))
            .await
            .unwrap();
        assert_eq!(batik.facets.category, counts(&[("batik", 2)]));
        assert_eq!(batik.facets.kecamatan, counts(&[("Kedungkandang", 1), ("Sukun", 1)]));
        let daun = index.search(&q("daun")).await.unwrap();
        assert_eq!(daun.total, 2);
        assert_eq!(daun.facets.material, counts(&[("perak", 1), ("tembaga", 2)]));
    }

    async fn each_sort_orders_as_named(index) {
        loaded(&index).await;
        assert_eq!(found(&index, sorted("", Sort::PriceAsc)).await, [6, 1, 5, 2, 4, 3]);
        assert_eq!(found(&index, sorted("", Sort::PriceDesc)).await, [3, 4, 2, 5, 1, 6]);
        assert_eq!(found(&index, sorted("", Sort::Newest)).await, [6, 5, 4, 3, 2, 1]);
        assert_eq!(found(&index, sorted("daun", Sort::PriceAsc)).await, [6, 1]);
        assert_eq!(found(&index, sorted("daun", Sort::PriceDesc)).await, [1, 6]);
        // Relevance: the exact word in the title beats a typo of it.
        let kalung = catalogue().remove(0);
        let mut typo = catalogue().remove(5);
        typo.title = "Anting Kalong".into();
        index.upsert(&[kalung, typo]).await.unwrap();
        assert_eq!(found(&index, sorted("kalung", Sort::Relevance)).await, [1, 6]);
    }

    async fn browsing_everything_counts_as_filtering_by_nothing_after_every_write(index) {
        loaded(&index).await;
        browse_reads_as_filtered_by_nothing(&index, "loaded").await;
        let mut changed = catalogue().remove(0);
        changed.price_idr = 999_000;
        changed.category = "batik".into();
        changed.materials = vec!["emas".into()];
        index.upsert(&[changed]).await.unwrap();
        browse_reads_as_filtered_by_nothing(&index, "after an upsert").await;
        index.delete(&[id(5)]).await.unwrap();
        browse_reads_as_filtered_by_nothing(&index, "after a delete").await;
        index.apply(&[catalogue().remove(4)], &[id(2)]).await.unwrap();
        browse_reads_as_filtered_by_nothing(&index, "after an apply").await;
        index.replace_all(&catalogue()[..3]).await.unwrap();
        browse_reads_as_filtered_by_nothing(&index, "after a rebuild").await;
        index.clear().await.unwrap();
        browse_reads_as_filtered_by_nothing(&index, "after a clear").await;
        assert_eq!(index.search(&q("")).await.unwrap().total, 0);
    }

    async fn pages_cut_the_same_order(index) {
        loaded(&index).await;
        let page = |n: u32| SearchQuery { page: n, per_page: 2, ..sorted("", Sort::Newest) };
        assert_eq!(found(&index, page(1)).await, [6, 5]);
        assert_eq!(found(&index, page(2)).await, [4, 3]);
        assert_eq!(found(&index, page(3)).await, [2, 1]);
        let past = index.search(&page(4)).await.unwrap();
        assert!(past.hits.is_empty());
        assert_eq!(past.total, 6, "the total does not depend on the page");
    }

    async fn upsert_replaces_and_delete_removes(index) {
        loaded(&index).await;
        let mut changed = catalogue().remove(0);
        changed.price_idr = 999_000;
        changed.title = "Kalung Daun Jati Besar".into();
        index.upsert(&[changed.clone(), changed.clone()]).await.unwrap();
        assert_eq!(index.count().await.unwrap(), 6, "replaced, not added");
        let hit = index.search(&q("besar")).await.unwrap();
        assert_eq!(hit.hits, vec![Hit::from(&changed)]);
        index.delete(&[id(5), id(77)]).await.unwrap();
        assert!(found(&index, q("tas")).await.is_empty());
        assert_eq!(index.count().await.unwrap(), 5);
        index.apply(&[catalogue().remove(4)], &[id(6)]).await.unwrap();
        assert_eq!(found(&index, q("tas")).await, [5]);
        assert!(found(&index, q("anting")).await.is_empty());
    }

    async fn replace_all_and_clear(index) {
        loaded(&index).await;
        let first_two: Vec<ProductDocument> = catalogue().into_iter().take(2).collect();
        index.replace_all(&first_two).await.unwrap();
        assert_eq!(index.count().await.unwrap(), 2);
        assert_eq!(found(&index, sorted("", Sort::Newest)).await, [2, 1]);
        index.clear().await.unwrap();
        assert_eq!(index.count().await.unwrap(), 0);
        assert_eq!(index.search(&q("")).await.unwrap().total, 0);
        index.check().await.unwrap();
    }

    async fn hits_show_the_document_as_stored(index) {
        loaded(&index).await;
        let mut expected = catalogue().remove(2);
        expected.thumbnail = Some(kriya::search::Thumbnail {
            url: "/v1/images/x/480.webp".into(),
            blurhash: "LEHV6nWB2yk8pyo0adR*.7kCMdnj".into(),
        });
        index.upsert(&[expected.clone()]).await.unwrap();
        let res = index.search(&q("malangan")).await.unwrap();
        assert_eq!(res.hits, vec![Hit::from(&expected)]);
    }
    async fn the_listed_attributes_and_only_they_are_searched(index) {
        loaded(&index).await;
        let mut only = doc(50, "Wulung", Some("Tarsel"), "sasirangan", "sungging", &["gambir"], 90_000, "Sumbersari", &[]);
        only.seller_name = "Prawiro".into();
        only.description = "Lurik".into();
        only.description_en = Some("Ombak".into());
        index.upsert(&[only]).await.unwrap();
        // One word per searchable attribute (title, title_en, materials, technique,
        // seller_name, description, description_en), each only there.
        for word in ["wulung", "tarsel", "gambir", "sungging", "prawiro", "lurik", "ombak"] {
            assert_eq!(found(&index, q(&format!("{word} "))).await, [50], "{word}");
        }
        // Filters and facets, not words to search.
        assert!(found(&index, q("sasirangan ")).await.is_empty(), "category");
        assert!(found(&index, q("sumbersari ")).await.is_empty(), "kecamatan");
        assert!(found(&index, q("fashion ")).await.is_empty(), "category");
    }

    async fn a_query_reads_the_same_on_every_engine(index) {
        loaded(&index).await;
        // (as typed, the plain words it means, what they find): quotes, operators of other
        // search boxes, `-`, punctuation, emoji, capitals and accents only separate words.
        let cases: [(&str, &str, &[u128]); 12] = [
            ("Kalúng", "kalung", &[1]),
            ("KALUNG Daun", "kalung daun", &[1]),
            ("kalung 💍", "kalung ", &[1]),
            ("\"kalung\" OR", "kalung ", &[1]),
            ("\"jati daun\"", "jati daun ", &[1]),
            ("anting -daun", "anting daun", &[6]),
            ("gelang AND perak", "gelang perak", &[2]),
            ("daun, tembaga!", "daun tembaga ", &[1, 6]),
            ("(tas) + pandan?", "tas pandan ", &[5]),
            ("batik—tulis", "batik tulis", &[3]),
            ("Anting: DAUN \"Kopi\" 💍", "anting daun kopi ", &[6]),
            ("💍 \" OR -", "", &[1, 2, 3, 4, 5, 6]),
        ];
        for (typed, plain, expected) in cases {
            assert_eq!(found_set(&index, q(plain)).await, expected, "{plain:?}");
            assert_eq!(found_set(&index, q(typed)).await, expected, "{typed:?} reads as {plain:?}");
        }
    }

    async fn a_rebuild_is_never_seen_half_done(index) {
        loaded(&index).await;
        let many: Vec<ProductDocument> = (0..3000u128)
            .map(|n| {
                let mut d = catalogue().remove((n % 6) as usize);
                d.id = id(1000 + n);
                d
            })
            .collect();
        let rebuilding = {
            let (index, many) = (index.clone(), many.clone());
            tokio::spawn(async move { index.replace_all(&many).await })
        };
        let mut totals = std::collections::BTreeSet::new();
        while !rebuilding.is_finished() {
            totals.insert(index.search(&q("")).await.unwrap().total);
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        rebuilding.await.unwrap().unwrap();
        totals.insert(index.search(&q("")).await.unwrap().total);
        assert!(totals.iter().all(|t| *t == 6 || *t == 3000), "searches saw {totals:?}");
        assert_eq!(index.count().await.unwrap(), 3000);
        assert_eq!(index.search(&q("kalung")).await.unwrap().total, 500);
    }
}

/// Meilisearch only: a rebuild fills a new index with the same settings and swaps it in, so
/// the served index keeps its name and nothing else is left behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_meilisearch_rebuild_swaps_in_a_configured_index_under_the_same_name() {
    use kriya::search::SearchIndex;
    let Some((url, key)) = crate::support::meili_server() else {
        eprintln!("skipped: KRIYA_TEST_MEILI_URL is not set");
        return;
    };
    let uid = format!("kriya_test_{}", Uuid::now_v7().simple());
    let index = kriya::search::meili::MeiliIndex::new(&url, key.as_deref(), &uid).unwrap();
    index.configure().await.unwrap();
    index.upsert(&catalogue()).await.unwrap();
    let mut renamed = catalogue();
    renamed[2].title = "Batik Tulis Kawung".into();
    index.replace_all(&renamed[2..]).await.unwrap();
    assert_eq!(index.count().await.unwrap(), 4);

    let client = meilisearch_sdk::client::Client::new(&url, key.as_deref()).unwrap();
    let mut query = meilisearch_sdk::indexes::IndexesQuery::new(&client);
    query.with_limit(100_000);
    let names: Vec<String> = client
        .list_all_indexes_with(&query)
        .await
        .unwrap()
        .results
        .into_iter()
        .map(|i| i.uid)
        .filter(|u| u.starts_with(&uid))
        .collect();
    assert_eq!(
        names,
        std::slice::from_ref(&uid),
        "the replaced index is deleted"
    );
    let served = client.index(&uid);
    assert_eq!(
        served.get_searchable_attributes().await.unwrap(),
        kriya::search::fields::attribute_names()
    );
    let shared: SharedIndex = std::sync::Arc::new(index);
    assert_eq!(found(&shared, q("kawung")).await, [3]);
    assert_eq!(
        found(&shared, q("batk")).await,
        [3],
        "typo tolerance is configured"
    );
    assert_eq!(
        found(&shared, q("bracelet")).await,
        Vec::<u128>::new(),
        "gelang is gone"
    );
    assert_eq!(
        found(&shared, q("scarf")).await,
        [4],
        "synonyms are configured"
    );
}

/// Meilisearch only: the adapter keeps a search client per thread. Searches answer the same
/// from several threads at once, and on a thread whose runtime (and with it the connection
/// its client kept alive) is gone, the next search opens a new connection.
#[test]
fn meilisearch_searches_from_any_thread_and_after_a_runtime_ends() {
    let Some((url, key)) = crate::support::meili_server() else {
        eprintln!("skipped: KRIYA_TEST_MEILI_URL is not set");
        return;
    };
    let runtime = || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    };
    let uid = format!("kriya_test_{}", Uuid::now_v7().simple());
    let index: SharedIndex = std::sync::Arc::new(
        kriya::search::meili::MeiliIndex::new(&url, key.as_deref(), &uid).unwrap(),
    );
    runtime().block_on(loaded(&index));
    let expected = runtime().block_on(found(&index, q("kalung")));
    assert!(!expected.is_empty());
    // Like the HTTP workers: each thread its own single-threaded runtime, all at once.
    std::thread::scope(|scope| {
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let index = &index;
                scope.spawn(move || {
                    let rt = runtime();
                    (0..5)
                        .map(|_| rt.block_on(found(index, q("kalung"))))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for t in threads {
            for answer in t.join().unwrap() {
                assert_eq!(answer, expected);
            }
        }
    });
    // This thread's client kept a connection driven by the runtime that just ended.
    assert_eq!(runtime().block_on(found(&index, q("kalung"))), expected);
    runtime().block_on(index.clear()).unwrap();
}

/// An adapter whose Meilisearch does not answer reports it as unavailable (a 503 to the
/// caller), on every thread, rather than failing in any other way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_meilisearch_that_does_not_answer_is_unavailable() {
    use kriya::search::{SearchError, SearchIndex};
    // Nothing listens on a port the OS just handed out and took back.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let index =
        kriya::search::meili::MeiliIndex::new(&format!("http://127.0.0.1:{port}"), None, "gone")
            .unwrap();
    for _ in 0..2 {
        let err = index.search(&q("kalung")).await.unwrap_err();
        assert!(matches!(err, SearchError::Unavailable(_)), "{err:?}");
    }
}
