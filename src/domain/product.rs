//! Products and their variants: field rules and status transitions.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::money::PriceIdr;
use super::sku::Sku;
use super::text::bounded;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProductStatus {
    Draft,
    Published,
    Archived,
}

impl ProductStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ProductStatus::Draft => "draft",
            ProductStatus::Published => "published",
            ProductStatus::Archived => "archived",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "draft" => Ok(ProductStatus::Draft),
            "published" => Ok(ProductStatus::Published),
            "archived" => Ok(ProductStatus::Archived),
            _ => Err("must be one of draft, published, archived".to_owned()),
        }
    }
}

/// Outer dimensions in centimetres.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DimensionsCm {
    pub length: f64,
    pub width: f64,
    pub height: f64,
}

impl DimensionsCm {
    pub fn parse(raw: DimensionsCm) -> Result<Self, String> {
        let ok = |v: f64| v.is_finite() && v > 0.0 && v <= 1000.0;
        if ok(raw.length) && ok(raw.width) && ok(raw.height) {
            Ok(raw)
        } else {
            Err(
                "each of length, width and height must be greater than 0 and at most 1000"
                    .to_owned(),
            )
        }
    }
}

/// A variant as the seller describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct VariantSpec {
    pub sku: Sku,
    pub options: BTreeMap<String, String>,
    /// `None` means the product's price.
    pub price_idr: Option<PriceIdr>,
}

impl VariantSpec {
    /// The single variant of a product listed without variants: its own SKU, no options.
    pub fn default_for(sku: &Sku) -> Self {
        Self {
            sku: sku.clone(),
            options: BTreeMap::new(),
            price_idr: None,
        }
    }
}

pub fn parse_title(raw: &str) -> Result<String, String> {
    bounded(raw, 3, 140, false)
}

pub fn parse_description(raw: &str) -> Result<String, String> {
    bounded(raw, 1, 10_000, true)
}

pub fn parse_technique(raw: &str) -> Result<String, String> {
    bounded(raw, 2, 60, false).map(|s| s.to_lowercase())
}

/// 1–10 distinct materials, each 2–40 characters, lower-cased.
pub fn parse_materials(raw: &[String]) -> Result<Vec<String>, String> {
    if raw.is_empty() || raw.len() > 10 {
        return Err("must list 1 to 10 materials".to_owned());
    }
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for m in raw {
        let m = bounded(m, 2, 40, false)
            .map_err(|e| format!("each material {e}"))?
            .to_lowercase();
        if out.contains(&m) {
            return Err(format!("lists `{m}` twice"));
        }
        out.push(m);
    }
    Ok(out)
}

/// Shipping weight: 1 g to 100 kg.
pub fn parse_weight_grams(raw: i64) -> Result<i32, String> {
    if (1..=100_000).contains(&raw) {
        Ok(raw as i32)
    } else {
        Err("must be between 1 and 100000".to_owned())
    }
}

/// Up to 5 options (`size`, `colour`…), keys lower-cased.
pub fn parse_options(raw: &BTreeMap<String, String>) -> Result<BTreeMap<String, String>, String> {
    if raw.len() > 5 {
        return Err("must have at most 5 options".to_owned());
    }
    let mut out = BTreeMap::new();
    for (k, v) in raw {
        let key = bounded(k, 1, 30, false).map_err(|e| format!("option names {e}"))?;
        let value = bounded(v, 1, 60, false).map_err(|e| format!("option values {e}"))?;
        if out.insert(key.to_lowercase(), value).is_some() {
            return Err(format!("names option `{}` twice", key.to_lowercase()));
        }
    }
    Ok(out)
}

/// Cross-variant rules: distinct SKUs and distinct option sets, options on every variant
/// when there are several.
pub fn check_variant_set(variants: &[VariantSpec]) -> Vec<(usize, String)> {
    let mut problems = Vec::new();
    for (i, v) in variants.iter().enumerate() {
        if variants[..i].iter().any(|w| w.sku == v.sku) {
            problems.push((
                i,
                format!("sku `{}` is used by another variant", v.sku.as_str()),
            ));
        } else if variants[..i].iter().any(|w| w.options == v.options) {
            problems.push((i, "has the same options as another variant".to_owned()));
        } else if variants.len() > 1 && v.options.is_empty() {
            problems.push((
                i,
                "needs options to tell it from the other variants".to_owned(),
            ));
        }
    }
    problems
}

/// What publishing needs to know about a product.
pub struct PublishFacts {
    pub status: ProductStatus,
    pub seller_active: bool,
    pub variant_count: usize,
    pub image_count: usize,
}

/// Why a product cannot be published, if it cannot.
pub fn publish_blocker(facts: &PublishFacts) -> Option<String> {
    if facts.status == ProductStatus::Archived {
        return Some("an archived product cannot be published".to_owned());
    }
    if !facts.seller_active {
        return Some("the seller is not active".to_owned());
    }
    if facts.variant_count == 0 {
        return Some("the product has no variants".to_owned());
    }
    if facts.image_count == 0 {
        return Some("a product needs at least one photo before it is published".to_owned());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(sku: &str, opts: &[(&str, &str)]) -> VariantSpec {
        VariantSpec {
            sku: Sku::parse(sku).unwrap(),
            options: opts
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            price_idr: None,
        }
    }

    #[test]
    fn variant_sets_need_distinct_skus_and_options() {
        assert!(check_variant_set(&[spec("A", &[])]).is_empty());
        assert!(
            check_variant_set(&[spec("A", &[("size", "M")]), spec("B", &[("size", "L")])])
                .is_empty()
        );
        assert_eq!(
            check_variant_set(&[spec("A", &[("size", "M")]), spec("A", &[("size", "L")])])[0].0,
            1
        );
        assert_eq!(
            check_variant_set(&[spec("A", &[("size", "M")]), spec("B", &[("size", "M")])]).len(),
            1
        );
        assert_eq!(
            check_variant_set(&[spec("A", &[]), spec("B", &[("size", "M")])]).len(),
            1
        );
    }

    #[test]
    fn materials_are_distinct_and_bounded() {
        assert_eq!(
            parse_materials(&["Copper".into(), "resin".into()]).unwrap(),
            vec!["copper", "resin"]
        );
        assert!(parse_materials(&[]).is_err());
        assert!(parse_materials(&["copper".into(), "COPPER".into()]).is_err());
    }

    #[test]
    fn archived_products_cannot_be_published() {
        let facts = PublishFacts {
            status: ProductStatus::Archived,
            seller_active: true,
            variant_count: 1,
            image_count: 1,
        };
        assert!(publish_blocker(&facts).is_some());
        let facts = PublishFacts {
            status: ProductStatus::Draft,
            seller_active: true,
            variant_count: 1,
            image_count: 1,
        };
        assert!(publish_blocker(&facts).is_none());
        let facts = PublishFacts {
            image_count: 0,
            ..facts
        };
        assert!(publish_blocker(&facts).is_some(), "a photo is required");
    }
}
