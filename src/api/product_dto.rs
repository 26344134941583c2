//! Product request and response bodies, and their conversion to and from domain values.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::portable::DbJson;
use crate::db::products::{ProductChanges, ProductRow};
use crate::db::variants::VariantRow;
use crate::domain::money::PriceIdr;
use crate::domain::product::{
    DimensionsCm, ProductStatus, VariantSpec, check_variant_set, parse_description,
    parse_materials, parse_options, parse_technique, parse_title, parse_weight_grams,
};
use crate::domain::sku::Sku;
use crate::domain::validation::Violations;
use crate::error::AppError;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VariantInput {
    #[schema(required = true, nullable = false)]
    pub sku: Option<String>,
    /// e.g. `{"size": "M", "colour": "indigo"}`.
    #[serde(default)]
    pub options: BTreeMap<String, String>,
    /// The product's price when left out.
    pub price_idr: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "Kalung Daun Jati Electroforming", "description": "Daun jati asli berlapis tembaga.",
    "title_en": "Teak leaf electroformed necklace", "category": "electroforming-jewellery", "technique": "electroforming",
    "materials": ["copper", "teak leaf"], "price_idr": 185555, "sku": "DJ-KAL-001", "weight_grams": 40,
    "dimensions_cm": {"length": 6.5, "width": 4.0, "height": 0.6}}))]
pub struct CreateProductRequest {
    #[schema(required = true, nullable = false)]
    pub title: Option<String>,
    #[schema(required = true, nullable = false)]
    pub description: Option<String>,
    pub title_en: Option<String>,
    pub description_en: Option<String>,
    /// A category slug (see `GET /v1/categories`).
    #[schema(required = true, nullable = false)]
    pub category: Option<String>,
    /// e.g. `electroforming`, `batik tulis`, `batik cap`.
    #[schema(required = true, nullable = false)]
    pub technique: Option<String>,
    #[schema(required = true, nullable = false)]
    pub materials: Option<Vec<String>>,
    #[schema(required = true, nullable = false)]
    pub price_idr: Option<i64>,
    /// Unique per seller; also the SKU of the default variant when `variants` is left out.
    #[schema(required = true, nullable = false)]
    pub sku: Option<String>,
    #[schema(required = true, nullable = false)]
    pub weight_grams: Option<i64>,
    pub dimensions_cm: Option<DimensionsCm>,
    pub variants: Option<Vec<VariantInput>>,
}

/// A product as validated for creation.
pub struct NewProduct {
    pub title: String,
    pub description: String,
    pub title_en: Option<String>,
    pub description_en: Option<String>,
    pub category: String,
    pub technique: String,
    pub materials: Vec<String>,
    pub price_idr: PriceIdr,
    pub sku: Sku,
    pub weight_grams: i32,
    pub dimensions_cm: Option<DimensionsCm>,
    pub variants: Vec<VariantSpec>,
}

fn parse_category(raw: &str, categories: &[String]) -> Result<String, String> {
    let s = raw.trim();
    if categories.iter().any(|c| c == s) {
        Ok(s.to_owned())
    } else {
        Err(format!("must be one of {}", categories.join(", ")))
    }
}

fn parse_title_en(raw: &str) -> Result<String, String> {
    parse_title(raw)
}

impl CreateProductRequest {
    /// Validates every field, naming each bad one.
    pub fn parse(self, categories: &[String]) -> Result<NewProduct, AppError> {
        let mut v = Violations::new();
        let title = v.require("title", self.title.as_deref(), parse_title);
        let description = v.require(
            "description",
            self.description.as_deref(),
            parse_description,
        );
        let title_en = v.check_opt("title_en", self.title_en.as_deref(), parse_title_en);
        let description_en = v.check_opt(
            "description_en",
            self.description_en.as_deref(),
            parse_description,
        );
        let category = v.require("category", self.category.as_deref(), |c| {
            parse_category(c, categories)
        });
        let technique = v.require("technique", self.technique.as_deref(), parse_technique);
        let materials = v.require("materials", self.materials.as_deref(), parse_materials);
        let price_idr = v.require("price_idr", self.price_idr, PriceIdr::parse);
        let sku = v.require("sku", self.sku.as_deref(), Sku::parse);
        let weight_grams = v.require("weight_grams", self.weight_grams, parse_weight_grams);
        let dimensions_cm = v.check_opt("dimensions_cm", self.dimensions_cm, DimensionsCm::parse);
        let variants = match self.variants {
            None => sku.as_ref().map(|s| vec![VariantSpec::default_for(s)]),
            Some(inputs) => parse_variants(inputs, &mut v),
        };
        let (
            title,
            description,
            title_en,
            description_en,
            category,
            technique,
            materials,
            price_idr,
            sku,
            weight_grams,
            dimensions_cm,
            variants,
        ) = v.finish_with((
            title,
            description,
            title_en,
            description_en,
            category,
            technique,
            materials,
            price_idr,
            sku,
            weight_grams,
            dimensions_cm,
            variants,
        ))?;
        Ok(NewProduct {
            title,
            description,
            title_en,
            description_en,
            category,
            technique,
            materials,
            price_idr,
            sku,
            weight_grams,
            dimensions_cm,
            variants,
        })
    }
}

/// One variant; fields are named with `prefix` (`variants[2].`).
pub fn parse_variant(input: VariantInput, prefix: &str, v: &mut Violations) -> Option<VariantSpec> {
    let sku = v.require(format!("{prefix}sku"), input.sku.as_deref(), Sku::parse);
    let options = v.check(format!("{prefix}options"), parse_options(&input.options));
    let price_idr = v.check_opt(
        format!("{prefix}price_idr"),
        input.price_idr,
        PriceIdr::parse,
    );
    Some(VariantSpec {
        sku: sku?,
        options: options?,
        price_idr: price_idr?,
    })
}

fn parse_variants(inputs: Vec<VariantInput>, v: &mut Violations) -> Option<Vec<VariantSpec>> {
    if inputs.is_empty() || inputs.len() > 100 {
        v.add(
            "variants",
            "must list 1 to 100 variants (or be left out for a single default variant)",
        );
        return None;
    }
    let mut specs = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.into_iter().enumerate() {
        if let Some(spec) = parse_variant(input, &format!("variants[{i}]."), v) {
            specs.push(spec);
        }
    }
    let problems = check_variant_set(&specs);
    for (i, message) in &problems {
        v.add(format!("variants[{i}]"), message.clone());
    }
    problems.is_empty().then_some(specs)
}

/// Fields to change; those left out keep their value. Variants are not changed here.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"price_idr": 195000, "title_en": "Teak leaf necklace, copper"}))]
pub struct UpdateProductRequest {
    pub title: Option<String>,
    pub description: Option<String>,
    /// `null` removes it.
    #[serde(default, deserialize_with = "super::json::present")]
    #[schema(value_type = Option<String>)]
    pub title_en: Option<Option<String>>,
    /// `null` removes it.
    #[serde(default, deserialize_with = "super::json::present")]
    #[schema(value_type = Option<String>)]
    pub description_en: Option<Option<String>>,
    pub category: Option<String>,
    pub technique: Option<String>,
    pub materials: Option<Vec<String>>,
    pub price_idr: Option<i64>,
    pub weight_grams: Option<i64>,
    /// `null` removes it.
    #[serde(default, deserialize_with = "super::json::present")]
    #[schema(value_type = Option<DimensionsCm>)]
    pub dimensions_cm: Option<Option<DimensionsCm>>,
}

impl UpdateProductRequest {
    pub fn parse(self, categories: &[String]) -> Result<ProductChanges, AppError> {
        let mut v = Violations::new();
        let title = v.check_opt("title", self.title.as_deref(), parse_title);
        let description = v.check_opt(
            "description",
            self.description.as_deref(),
            parse_description,
        );
        let title_en = v.check_opt("title_en", self.title_en, |t| {
            t.as_deref().map(parse_title_en).transpose()
        });
        let description_en = v.check_opt("description_en", self.description_en, |t| {
            t.as_deref().map(parse_description).transpose()
        });
        let category = v.check_opt("category", self.category.as_deref(), |c| {
            parse_category(c, categories)
        });
        let technique = v.check_opt("technique", self.technique.as_deref(), parse_technique);
        let materials = v.check_opt("materials", self.materials.as_deref(), parse_materials);
        let price_idr = v.check_opt("price_idr", self.price_idr, PriceIdr::parse);
        let weight_grams = v.check_opt("weight_grams", self.weight_grams, parse_weight_grams);
        let dimensions_cm = v.check_opt("dimensions_cm", self.dimensions_cm, |d| {
            d.map(DimensionsCm::parse).transpose()
        });
        v.finish()?;
        Ok(ProductChanges {
            title: title.flatten(),
            description: description.flatten(),
            title_en: title_en.flatten(),
            description_en: description_en.flatten(),
            category: category.flatten(),
            technique: technique.flatten(),
            materials: materials.flatten().map(|m| DbJson(serde_json::json!(m))),
            price_idr: price_idr.flatten().map(PriceIdr::get),
            weight_grams: weight_grams.flatten(),
            dimensions_cm: dimensions_cm
                .flatten()
                .map(|d| d.map(|d| DbJson(serde_json::json!(d)))),
        })
    }
}

/// A partner hotel that has the product on its shelf now.
#[derive(Serialize, ToSchema, Clone, Debug)]
pub struct Availability {
    pub hotel_id: Uuid,
    pub name: String,
    pub kecamatan: String,
    /// Units of the product (all variants) on that shelf.
    pub quantity: i64,
}

#[derive(Serialize, ToSchema)]
pub struct VariantResponse {
    pub id: Uuid,
    pub sku: String,
    pub options: BTreeMap<String, String>,
    /// The variant's own price, or the product's.
    pub price_idr: i64,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": "01934f6e-8000-7000-8000-000000000001", "seller_id": "01934f6e-7d1a-7c3e-9a55-1f0e3c2b4a11",
    "title": "Kalung Daun Jati Electroforming", "description": "Daun jati asli berlapis tembaga.",
    "title_en": "Teak leaf electroformed necklace", "description_en": null, "category": "electroforming-jewellery",
    "technique": "electroforming", "materials": ["copper", "teak leaf"], "price_idr": 185555, "sku": "DJ-KAL-001",
    "weight_grams": 40, "dimensions_cm": {"length": 6.5, "width": 4.0, "height": 0.6}, "status": "draft",
    "variants": [{"id": "01934f6e-8000-7000-8000-000000000002", "sku": "DJ-KAL-001", "options": {}, "price_idr": 185555}],
    "images": [],
    "available_at": [{"hotel_id": "01934f6e-9000-7000-8000-000000000001", "name": "Hotel Tugu Malang", "kecamatan": "Klojen", "quantity": 3}],
    "created_at": "2026-11-24T08:00:00Z", "updated_at": "2026-11-24T08:00:00Z", "published_at": null}))]
pub struct ProductResponse {
    pub id: Uuid,
    pub seller_id: Uuid,
    pub title: String,
    pub description: String,
    pub title_en: Option<String>,
    pub description_en: Option<String>,
    pub category: String,
    pub technique: String,
    pub materials: Vec<String>,
    pub price_idr: i64,
    pub sku: String,
    pub weight_grams: i32,
    pub dimensions_cm: Option<DimensionsCm>,
    pub status: ProductStatus,
    pub variants: Vec<VariantResponse>,
    /// Photos in display order; the first is the thumbnail.
    pub images: Vec<super::images::ImageResponse>,
    /// Partner hotels where it can be bought in person now.
    pub available_at: Vec<Availability>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

impl ProductResponse {
    /// `variants` are this product's, in position order.
    pub fn new(
        row: ProductRow,
        variants: Vec<VariantRow>,
        images: Vec<super::images::ImageResponse>,
        available_at: Vec<Availability>,
    ) -> Result<Self, AppError> {
        let price = row.price_idr;
        let variants = variants
            .into_iter()
            .map(|v| {
                Ok(VariantResponse {
                    id: v.id,
                    sku: v.sku,
                    options: serde_json::from_value(v.options).map_err(AppError::internal)?,
                    price_idr: v.price_idr.unwrap_or(price),
                })
            })
            .collect::<Result<_, AppError>>()?;
        Ok(Self {
            id: row.id,
            seller_id: row.seller_id,
            title: row.title,
            description: row.description,
            title_en: row.title_en,
            description_en: row.description_en,
            category: row.category,
            technique: row.technique,
            materials: serde_json::from_value(row.materials).map_err(AppError::internal)?,
            price_idr: row.price_idr,
            sku: row.sku,
            weight_grams: row.weight_grams,
            dimensions_cm: row
                .dimensions_cm
                .map(|d| serde_json::from_value(d.0))
                .transpose()
                .map_err(AppError::internal)?,
            status: ProductStatus::parse(&row.status).map_err(AppError::internal)?,
            variants,
            images,
            available_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
            published_at: row.published_at.map(|t| t.0),
        })
    }
}
