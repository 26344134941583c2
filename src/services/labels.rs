//! Shelf labels: what a consignment's sheet prints, what a scanned code names, and the
//! variant a till's sale line means by a code.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::access::{Actor, authorize_party};
use crate::db::consignments::{ConsignmentRow, LineRow};
use crate::db::{self, DbConn};
use crate::domain::label::LabelCode;
use crate::domain::validation::Violations;
use crate::error::{AppError, AppResult};
use crate::labels::{Label, MAX_PER_SHEET};
use crate::services::shipments;

/// The labels of a consignment the viewer is party to (its seller, its hotel, admins; 404
/// for anyone else), with how many of each to print: one per unit dispatched. `variant_id`
/// keeps one line.
pub fn sheet(
    conn: &mut DbConn,
    viewer: &Actor,
    consignment_id: Uuid,
    variant_id: Option<Uuid>,
) -> AppResult<Vec<(Label, usize)>> {
    let (consignment, mut lines) = shipments::load(conn, viewer, consignment_id)?;
    if let Some(variant_id) = variant_id {
        lines.retain(|l| l.variant_id == variant_id);
        if lines.is_empty() {
            return Err(AppError::invalid(
                "variant_id",
                "is not on a line of this consignment",
            ));
        }
    }
    let units: usize = lines.iter().map(|l| l.quantity.max(0) as usize).sum();
    if units > MAX_PER_SHEET {
        return Err(AppError::invalid(
            "variant_id",
            format!(
                "is needed: the consignment has {units} units, more than the {MAX_PER_SHEET} one sheet prints; print a variant at a time"
            ),
        ));
    }
    let labels = labels_of(conn, &consignment, &lines)?;
    Ok(labels
        .into_iter()
        .zip(&lines)
        .map(|(label, line)| (label, line.quantity.max(0) as usize))
        .collect())
}

/// One label of a consignment the viewer is party to, named by its code.
pub fn single(
    conn: &mut DbConn,
    viewer: &Actor,
    consignment_id: Uuid,
    code: &LabelCode,
) -> AppResult<Label> {
    let (consignment, lines) = shipments::load(conn, viewer, consignment_id)?;
    let Some(line) = lines.into_iter().find(|l| l.label_code == code.as_str()) else {
        return Err(AppError::invalid(
            "code",
            "is not the label code of a line of this consignment",
        ));
    };
    let mut labels = labels_of(conn, &consignment, std::slice::from_ref(&line))?;
    labels
        .pop()
        .ok_or_else(|| AppError::internal("a line without its label"))
}

/// The labels of these lines, in their order.
fn labels_of(
    conn: &mut DbConn,
    consignment: &ConsignmentRow,
    lines: &[LineRow],
) -> AppResult<Vec<Label>> {
    let seller = db::sellers::find(conn, consignment.seller_id)?
        .ok_or_else(|| AppError::internal("a consignment without its seller"))?;
    let mut product_ids: Vec<Uuid> = lines.iter().map(|l| l.product_id).collect();
    product_ids.sort();
    product_ids.dedup();
    let products: HashMap<Uuid, db::products::ProductRow> =
        db::products::by_ids(conn, &product_ids)?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
    let variants: HashMap<Uuid, db::variants::VariantRow> =
        db::variants::of_products(conn, &product_ids)?
            .into_iter()
            .map(|v| (v.id, v))
            .collect();
    lines
        .iter()
        .map(|line| {
            let product = products
                .get(&line.product_id)
                .ok_or_else(|| AppError::internal("a line without its product"))?;
            let variant = variants
                .get(&line.variant_id)
                .ok_or_else(|| AppError::internal("a line without its variant"))?;
            Ok(Label {
                code: LabelCode::from_stored(line.label_code.clone()),
                title: product.title.clone(),
                options: options_line(&variant.options),
                sku: variant.sku.clone(),
                price_idr: variant.price_idr.unwrap_or(product.price_idr),
                seller: seller.business_name.clone(),
            })
        })
        .collect()
}

/// `ukuran: M · warna: merah`, in the order the options are kept (by name).
fn options_line(options: &serde_json::Value) -> String {
    let options: BTreeMap<String, String> =
        serde_json::from_value(options.clone()).unwrap_or_default();
    options
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join(" · ")
}

#[derive(Serialize, ToSchema)]
pub struct LabelParty {
    pub id: Uuid,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct LabelProduct {
    pub id: Uuid,
    pub title: String,
    /// `draft`, `published` or `archived`: a label outlives a listing.
    pub status: String,
}

#[derive(Serialize, ToSchema)]
pub struct LabelVariant {
    pub id: Uuid,
    pub sku: String,
    pub options: BTreeMap<String, String>,
}

#[derive(Serialize, ToSchema)]
pub struct LabelAgreement {
    pub id: Uuid,
    /// `proposed`, `active` or `ended`.
    pub status: String,
    pub commission_bps: i32,
    pub term_days: i32,
}

/// What a scanned label names: enough for a till to post the sale.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"label_code": "7K3QZ0M1XB", "consignment_id": "01934f6e-c000-7000-8000-000000000001",
    "product": {"id": "01934f6e-8000-7000-8000-000000000001", "title": "Kalung Daun Jati Electroforming", "status": "published"},
    "variant": {"id": "01934f6e-8000-7000-8000-000000000002", "sku": "DJ-KAL-001", "options": {"warna": "emas"}},
    "price_idr": 185000, "unit_price_idr": 150000,
    "seller": {"id": "01934f6e-7d1a-7c3e-9a55-1f0e3c2b4a11", "name": "Daun Abadi Electroforming"},
    "hotel": {"id": "01934f6e-9000-7000-8000-000000000001", "name": "Hotel Tugu Malang"},
    "agreement": {"id": "01934f6e-a000-7000-8000-000000000001", "status": "active", "commission_bps": 2000, "term_days": 90},
    "on_shelf": 6}))]
pub struct LabelLookup {
    pub label_code: String,
    pub consignment_id: Uuid,
    pub product: LabelProduct,
    pub variant: LabelVariant,
    /// The price printed on the label: the variant's, else the product's.
    pub price_idr: i64,
    /// What the units were consigned at: the lowest price a sale may record.
    pub unit_price_idr: i64,
    pub seller: LabelParty,
    pub hotel: LabelParty,
    pub agreement: LabelAgreement,
    /// Units of this variant on the hotel's shelf now, across its lots.
    pub on_shelf: i64,
}

/// Reads a label code back (the hotel holding its consignment, its seller, admins; 404 for
/// anyone else, as for a code that names nothing).
pub fn lookup(conn: &mut DbConn, viewer: &Actor, code: &LabelCode) -> AppResult<LabelLookup> {
    let (line, consignment) =
        db::consignments::find_by_label(conn, code.as_str())?.ok_or(AppError::NotFound("label"))?;
    authorize_party(viewer, consignment.seller_id, consignment.hotel_id, "label")?;
    let missing = |what: &str| AppError::internal(format!("a label without its {what}"));
    let product = db::products::find(conn, line.product_id)?.ok_or_else(|| missing("product"))?;
    let variant = db::variants::find(conn, line.variant_id)?.ok_or_else(|| missing("variant"))?;
    let seller =
        db::sellers::find(conn, consignment.seller_id)?.ok_or_else(|| missing("seller"))?;
    let hotel = db::hotels::find(conn, consignment.hotel_id)?.ok_or_else(|| missing("hotel"))?;
    let agreement = db::agreements::find(conn, consignment.agreement_id)?
        .ok_or_else(|| missing("agreement"))?;
    let on_shelf = db::shelf::lots_of_variant(conn, hotel.id, variant.id)?
        .iter()
        .map(|l| i64::from(l.quantity_remaining))
        .sum();
    Ok(LabelLookup {
        label_code: line.label_code,
        consignment_id: consignment.id,
        price_idr: variant.price_idr.unwrap_or(product.price_idr),
        unit_price_idr: line.unit_price_idr,
        product: LabelProduct {
            id: product.id,
            title: product.title,
            status: product.status,
        },
        variant: LabelVariant {
            id: variant.id,
            sku: variant.sku,
            options: serde_json::from_value(variant.options).unwrap_or_default(),
        },
        seller: LabelParty {
            id: seller.id,
            name: seller.business_name,
        },
        hotel: LabelParty {
            id: hotel.id,
            name: hotel.name,
        },
        agreement: LabelAgreement {
            id: agreement.id,
            status: agreement.status,
            commission_bps: agreement.commission_bps,
            term_days: agreement.term_days,
        },
        on_shelf,
    })
}

/// The variants a till's sale lines mean: `(line, variant_id, label_code)` as sent. A label
/// must be of a consignment to this hotel (a code of another hotel's shelf names nothing
/// here); with both given they must agree. Two lines may not name one variant.
pub fn variants_for_sale(
    conn: &mut DbConn,
    hotel_id: Uuid,
    lines: &[(usize, Option<Uuid>, Option<LabelCode>)],
) -> AppResult<Vec<Uuid>> {
    let mut v = Violations::new();
    let mut out = Vec::with_capacity(lines.len());
    for (i, variant_id, code) in lines {
        let variant = match (variant_id, code) {
            (Some(id), None) => Some(*id),
            (given, Some(code)) => {
                let labelled = db::consignments::find_by_label(conn, code.as_str())?
                    .filter(|(_, c)| c.hotel_id == hotel_id)
                    .map(|(line, _)| line.variant_id);
                match (labelled, given) {
                    (None, _) => {
                        v.add(
                            format!("items[{i}].label_code"),
                            "names no label of a consignment to this hotel",
                        );
                        None
                    }
                    (Some(l), Some(g)) if l != *g => {
                        v.add(
                            format!("items[{i}].label_code"),
                            "is the label of another variant than variant_id",
                        );
                        None
                    }
                    (Some(l), _) => Some(l),
                }
            }
            (None, None) => {
                v.add(
                    format!("items[{i}].variant_id"),
                    "is required (or label_code)",
                );
                None
            }
        };
        if let Some(id) = variant {
            if out.contains(&id) {
                v.add(
                    format!("items[{i}].variant_id"),
                    "is on another line already",
                );
            }
            out.push(id);
        }
    }
    v.finish()?;
    Ok(out)
}
