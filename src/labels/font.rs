//! The typeface labels are set in, embedded in the binary (DejaVu Sans Condensed; licence in
//! `assets/fonts/LICENSE`), and how wide a run of text comes out in it.

use std::sync::LazyLock;

static REGULAR_DATA: &[u8] = include_bytes!("../../assets/fonts/DejaVuSansCondensed.ttf");
static BOLD_DATA: &[u8] = include_bytes!("../../assets/fonts/DejaVuSansCondensed-Bold.ttf");

static REGULAR: LazyLock<rustybuzz::Face<'static>> =
    LazyLock::new(|| rustybuzz::Face::from_slice(REGULAR_DATA, 0).expect("the embedded font"));
static BOLD: LazyLock<rustybuzz::Face<'static>> =
    LazyLock::new(|| rustybuzz::Face::from_slice(BOLD_DATA, 0).expect("the embedded font"));

/// What SVG labels ask the browser for: the same face where it is installed, else the
/// nearest. Each line also carries its width in the embedded face (`textLength`), so the
/// layout holds whatever face is used.
pub const CSS_FAMILY: &str = "'DejaVu Sans Condensed', 'DejaVu Sans', 'Arial Narrow', sans-serif";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

impl Weight {
    fn face(self) -> &'static rustybuzz::Face<'static> {
        match self {
            Self::Regular => &REGULAR,
            Self::Bold => &BOLD,
        }
    }

    /// The font file, for embedding in a PDF (subset there).
    pub fn data(self) -> &'static [u8] {
        match self {
            Self::Regular => REGULAR_DATA,
            Self::Bold => BOLD_DATA,
        }
    }
}

/// Text the face can draw: control characters become spaces and characters it has no glyph
/// for become `?` (a PDF would otherwise show an empty box).
pub fn printable(weight: Weight, text: &str) -> String {
    let face = weight.face();
    text.chars()
        .map(|c| match c {
            c if c.is_control() => ' ',
            c if c.is_whitespace() => ' ',
            c if is_noncharacter(c) => '?',
            c if face.glyph_index(c).is_some() => c,
            _ => '?',
        })
        .collect()
}

/// Code points Unicode keeps out of interchange (some fonts map them to a box anyway).
fn is_noncharacter(c: char) -> bool {
    let c = u32::from(c);
    (0xFDD0..=0xFDEF).contains(&c) || c & 0xFFFE == 0xFFFE
}

/// The width of `text` at `size` points, shaped as the PDF will draw it (kerning included).
pub fn width(weight: Weight, size: f32, text: &str) -> f32 {
    let face = weight.face();
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.guess_segment_properties();
    let shaped = rustybuzz::shape(face, &[], buffer);
    let units: i64 = shaped
        .glyph_positions()
        .iter()
        .map(|p| i64::from(p.x_advance))
        .sum();
    units as f32 * size / face.units_per_em() as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indonesian_and_other_scripts_have_glyphs() {
        for text in [
            "Kalung Daun Jati – ½ lusin, “asli” Malang",
            "Électroformé · Ñandú · Straße · Øre",
            "Ожерелье · Κολιέ · Kolye Çiçek",
        ] {
            assert_eq!(printable(Weight::Regular, text), text);
            assert_eq!(printable(Weight::Bold, text), text);
        }
        assert_eq!(printable(Weight::Regular, "a\u{0}b\tc\u{ffff}"), "a b c?");
        // Scripts the face lacks (Javanese, Chinese) print as `?`, never as an empty box.
        let lacking = printable(Weight::Regular, "ꦧꦠꦶꦏ꧀ 蜡染");
        assert!(lacking.chars().all(|c| c == '?' || c == ' '), "{lacking}");
    }

    #[test]
    fn widths_grow_with_text_size_and_weight() {
        let w = width(Weight::Regular, 10.0, "Batik Tulis");
        assert!(w > 30.0 && w < 60.0, "{w}");
        assert!((width(Weight::Regular, 20.0, "Batik Tulis") - 2.0 * w).abs() < 0.01);
        assert!(width(Weight::Bold, 10.0, "Batik Tulis") > w);
        assert_eq!(width(Weight::Regular, 10.0, ""), 0.0);
    }
}
