//! Shelf labels: an A4 sheet of them as a PDF (one per unit dispatched), or one as SVG. Each
//! carries the product's title, options, SKU, price, the seller's name and a QR code with
//! `KRY1:{label code}`, which a hotel's till scans to look the line up and post the sale.

pub mod font;
pub mod layout;
mod pdf;
mod svg;

pub use pdf::sheet;
pub use svg::single;

use crate::domain::label::LabelCode;

/// What one label shows.
#[derive(Clone, Debug)]
pub struct Label {
    pub code: LabelCode,
    pub title: String,
    /// The variant's options as one line, `ukuran: M · warna: merah`.
    pub options: String,
    pub sku: String,
    /// The price in the shop: the variant's, else the product's.
    pub price_idr: i64,
    pub seller: String,
}

/// The most labels one sheet request prints (50 pages); a larger consignment is printed a
/// variant at a time.
pub const MAX_PER_SHEET: usize = 50 * layout::PER_PAGE;
