//! Which parts of a `ProductDocument` a query searches, and how much each counts: the one
//! list both adapters are built from, so they find the same products. The embedded index
//! makes one weighted text field per group; Meilisearch gets the attributes, in this order,
//! as its searchable attributes (its `attribute` ranking rule ranks earlier ones higher).
//!
//! What is not listed is not searched: the category slug, the kecamatan and the hotels are
//! filters and facets, not words a buyer types.

use super::ProductDocument;

/// A searchable attribute of the document (named as it is serialised).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attribute {
    Title,
    TitleEn,
    Materials,
    Technique,
    SellerName,
    Description,
    DescriptionEn,
}

impl Attribute {
    /// The attribute's name in the serialised document (Meilisearch's attribute).
    pub fn name(self) -> &'static str {
        match self {
            Attribute::Title => "title",
            Attribute::TitleEn => "title_en",
            Attribute::Materials => "materials",
            Attribute::Technique => "technique",
            Attribute::SellerName => "seller_name",
            Attribute::Description => "description",
            Attribute::DescriptionEn => "description_en",
        }
    }

    /// The texts of this attribute in `doc`.
    pub fn values(self, doc: &ProductDocument) -> Vec<&str> {
        match self {
            Attribute::Title => vec![&doc.title],
            Attribute::TitleEn => doc.title_en.as_deref().into_iter().collect(),
            Attribute::Materials => doc.materials.iter().map(String::as_str).collect(),
            Attribute::Technique => vec![&doc.technique],
            Attribute::SellerName => vec![&doc.seller_name],
            Attribute::Description => vec![&doc.description],
            Attribute::DescriptionEn => doc.description_en.as_deref().into_iter().collect(),
        }
    }
}

/// Attributes searched with one weight.
pub struct Group {
    /// The embedded index's text field for the group.
    pub field: &'static str,
    /// How much a match here counts against a match in a group of weight 1.
    pub weight: f32,
    pub attributes: &'static [Attribute],
}

/// The searchable attributes, most important first.
pub const SEARCHABLE: [Group; 2] = [
    Group {
        field: "names",
        weight: 3.0,
        attributes: &[Attribute::Title, Attribute::TitleEn],
    },
    Group {
        field: "body",
        weight: 1.0,
        attributes: &[
            Attribute::Materials,
            Attribute::Technique,
            Attribute::SellerName,
            Attribute::Description,
            Attribute::DescriptionEn,
        ],
    },
];

/// Every searchable attribute's name, in rank order.
pub fn attribute_names() -> Vec<&'static str> {
    SEARCHABLE
        .iter()
        .flat_map(|g| g.attributes.iter().map(|a| a.name()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_attribute_is_a_field_of_the_serialised_document() {
        let doc: ProductDocument = serde_json::from_value(serde_json::json!({
            "id": uuid::Uuid::nil(), "title": "t", "title_en": "te", "description": "d",
            "description_en": "de", "category": "c", "technique": "k", "materials": ["m"],
            "price_idr": 1, "seller_id": uuid::Uuid::nil(), "seller_name": "s",
            "kecamatan": null, "hotel_ids": [], "in_stock": true, "thumbnail": null, "published_at": 0
        }))
        .unwrap();
        let json = serde_json::to_value(&doc).unwrap();
        let names = attribute_names();
        for group in &SEARCHABLE {
            for a in group.attributes {
                assert!(
                    json.get(a.name()).is_some(),
                    "{} is not serialised",
                    a.name()
                );
                assert!(!a.values(&doc).is_empty(), "{} has no text", a.name());
            }
        }
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "each attribute once");
        assert!(!names.contains(&"category"), "a filter, not searched");
    }
}
