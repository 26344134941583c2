//! What a change touched: the subject of a search-outbox row (`db::search_outbox`) and of
//! an announcement on the change feed (`db::change_feed`).

use uuid::Uuid;

/// What a change touched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Subject {
    Product(Uuid),
    /// A product's stock quantities changed, but nothing its search document holds (no
    /// place that held units of a variant is left without, none starts to hold some): the
    /// read caches drop the product, the index is not touched.
    Stock(Uuid),
    /// Every product of the seller (status, name or kecamatan changed).
    Seller(Uuid),
    /// Every product on the hotel's shelf (the hotel was approved or suspended).
    Hotel(Uuid),
    /// The whole index (`kriya reindex` while a server runs).
    All,
}

impl Subject {
    pub(crate) fn parts(self) -> (&'static str, Option<Uuid>) {
        match self {
            Subject::Product(id) => ("product", Some(id)),
            Subject::Stock(id) => ("stock", Some(id)),
            Subject::Seller(id) => ("seller", Some(id)),
            Subject::Hotel(id) => ("hotel", Some(id)),
            Subject::All => ("all", None),
        }
    }

    pub(crate) fn from_parts(topic: &str, id: Option<Uuid>) -> Option<Self> {
        match (topic, id) {
            ("product", Some(id)) => Some(Subject::Product(id)),
            ("stock", Some(id)) => Some(Subject::Stock(id)),
            ("seller", Some(id)) => Some(Subject::Seller(id)),
            ("hotel", Some(id)) => Some(Subject::Hotel(id)),
            ("all", None) => Some(Subject::All),
            _ => None,
        }
    }
}
