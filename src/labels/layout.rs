//! Where everything on a label goes, in points from the top left of the page. The PDF sheet
//! and the single SVG label both draw these marks, so they cannot drift apart.

use qrcode::{EcLevel, QrCode};

use super::Label;
use super::font::{self, Weight};
use crate::domain::money::rupiah;

/// One millimetre in points.
pub const MM: f32 = 72.0 / 25.4;
pub const PAGE_W: f32 = 210.0 * MM;
pub const PAGE_H: f32 = 297.0 * MM;
pub const COLUMNS: usize = 3;
pub const ROWS: usize = 8;
pub const PER_PAGE: usize = COLUMNS * ROWS;
/// A 3 × 8 sheet of 70 × 36 mm labels, the common A4 size, 4.5 mm clear at top and bottom.
pub const LABEL_W: f32 = 70.0 * MM;
pub const LABEL_H: f32 = 36.0 * MM;
const TOP: f32 = (PAGE_H - ROWS as f32 * LABEL_H) / 2.0;

/// The QR code's square, its quiet zone (4 modules) included.
const QR_BOX: f32 = 26.0 * MM;
const QR_QUIET: usize = 4;
/// The text column right of the QR code.
const TEXT_X: f32 = 29.0 * MM;
const TEXT_W: f32 = 38.0 * MM;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
}

#[derive(Debug)]
pub enum Mark {
    /// One line of text; `y` is its baseline, `width` its width in the embedded face.
    Text {
        x: f32,
        y: f32,
        size: f32,
        weight: Weight,
        text: String,
        width: f32,
        anchor: Anchor,
    },
    /// A QR symbol: `width` × `width` modules of `module` points from (`x`, `y`), row by row.
    Qr {
        x: f32,
        y: f32,
        module: f32,
        width: usize,
        dark: Vec<bool>,
    },
    /// A hairline around the label, to cut along on plain paper.
    Outline { x: f32, y: f32, w: f32, h: f32 },
}

/// The page and the top-left corner of the `i`-th label of a sheet, filled row by row.
pub fn slot(i: usize) -> (usize, f32, f32) {
    let page = i / PER_PAGE;
    let at = i % PER_PAGE;
    let (row, column) = (at / COLUMNS, at % COLUMNS);
    (page, column as f32 * LABEL_W, TOP + row as f32 * LABEL_H)
}

/// The marks of one label with its top-left corner at (`x0`, `y0`).
pub fn marks(label: &Label, x0: f32, y0: f32) -> Vec<Mark> {
    let mut marks = vec![Mark::Outline {
        x: x0,
        y: y0,
        w: LABEL_W,
        h: LABEL_H,
    }];
    marks.push(qr(&label.code.qr_payload(), x0 + 2.0 * MM, y0 + 2.0 * MM));
    let code = label.code.grouped();
    marks.push(text_mark(
        x0 + 2.0 * MM + QR_BOX / 2.0,
        y0 + 31.5 * MM,
        7.5,
        Weight::Bold,
        code,
        Anchor::Middle,
    ));

    let x = x0 + TEXT_X;
    let title = font::printable(Weight::Bold, &label.title);
    for (i, line) in wrap(Weight::Bold, 8.0, &title, TEXT_W, 2)
        .into_iter()
        .enumerate()
    {
        let y = y0 + (6.0 + 3.5 * i as f32) * MM;
        marks.push(text_mark(x, y, 8.0, Weight::Bold, line, Anchor::Start));
    }
    let small = [
        (13.8, label.options.as_str()),
        (16.8, label.sku.as_str()),
        (19.8, label.seller.as_str()),
    ];
    for (y, text) in small {
        let text = font::printable(Weight::Regular, text);
        if !text.trim().is_empty() {
            let line = fit(Weight::Regular, 6.5, text.trim(), TEXT_W);
            marks.push(text_mark(
                x,
                y0 + y * MM,
                6.5,
                Weight::Regular,
                line,
                Anchor::Start,
            ));
        }
    }
    let price = fit(Weight::Bold, 13.0, &rupiah(label.price_idr), TEXT_W);
    marks.push(text_mark(
        x,
        y0 + 30.5 * MM,
        13.0,
        Weight::Bold,
        price,
        Anchor::Start,
    ));
    marks
}

fn text_mark(x: f32, y: f32, size: f32, weight: Weight, text: String, anchor: Anchor) -> Mark {
    let width = font::width(weight, size, &text);
    Mark::Text {
        x,
        y,
        size,
        weight,
        text,
        width,
        anchor,
    }
}

/// The QR code of `payload` in a `QR_BOX` square from (`x`, `y`), quiet zone included. Error
/// correction Q: a quarter of the symbol may be scuffed or covered by a price sticker.
fn qr(payload: &str, x: f32, y: f32) -> Mark {
    let code = QrCode::with_error_correction_level(payload, EcLevel::Q)
        .expect("a label code fits a QR code");
    let width = code.width();
    let module = QR_BOX / (width + 2 * QR_QUIET) as f32;
    let quiet = QR_QUIET as f32 * module;
    Mark::Qr {
        x: x + quiet,
        y: y + quiet,
        module,
        width,
        dark: code
            .to_colors()
            .into_iter()
            .map(|c| c == qrcode::Color::Dark)
            .collect(),
    }
}

/// `text` cut to `max` points wide, with an ellipsis where it was cut.
fn fit(weight: Weight, size: f32, text: &str, max: f32) -> String {
    if font::width(weight, size, text) <= max {
        return text.to_owned();
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let cut: String = chars.iter().collect::<String>().trim_end().to_owned() + "…";
        if font::width(weight, size, &cut) <= max {
            return cut;
        }
    }
    "…".to_owned()
}

/// `text` broken into at most `lines` lines of at most `max` points, at spaces where it can
/// be and inside a word too long for a line; the last line ends in an ellipsis if text is left.
fn wrap(weight: Weight, size: f32, text: &str, max: f32, lines: usize) -> Vec<String> {
    let mut words: std::collections::VecDeque<String> =
        text.split_whitespace().map(str::to_owned).collect();
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    while let Some(word) = words.pop_front() {
        if out.len() + 1 == lines {
            // The last line takes the rest.
            let rest: Vec<String> = std::iter::once(word).chain(words).collect();
            let rest = if line.is_empty() {
                rest.join(" ")
            } else {
                format!("{line} {}", rest.join(" "))
            };
            out.push(fit(weight, size, &rest, max));
            return out;
        }
        let candidate = if line.is_empty() {
            word.clone()
        } else {
            format!("{line} {word}")
        };
        if font::width(weight, size, &candidate) <= max {
            line = candidate;
        } else if line.is_empty() {
            // One word wider than the line: break it where it stops fitting.
            let chars: Vec<char> = word.chars().collect();
            let mut n = chars.len() - 1;
            while n > 1 && font::width(weight, size, &chars[..n].iter().collect::<String>()) > max {
                n -= 1;
            }
            out.push(chars[..n].iter().collect());
            words.push_front(chars[n..].iter().collect());
        } else {
            out.push(std::mem::take(&mut line));
            words.push_front(word);
        }
    }
    if !line.is_empty() {
        out.push(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sheet_is_three_across_eight_down_within_the_page() {
        assert_eq!(slot(0), (0, 0.0, TOP));
        let (page, x, y) = slot(23);
        assert_eq!(page, 0);
        assert!((x - 2.0 * LABEL_W).abs() < 1e-3);
        assert!(y + LABEL_H <= PAGE_H - TOP + 1e-3);
        assert_eq!(slot(24), (1, 0.0, TOP));
        const { assert!(3.0 * LABEL_W <= PAGE_W + 1e-3) };
    }

    #[test]
    fn long_titles_wrap_on_two_lines_and_end_in_an_ellipsis() {
        let max = TEXT_W;
        let short = wrap(Weight::Bold, 8.0, "Kalung Daun Jati", max, 2);
        assert_eq!(short, ["Kalung Daun Jati"]);
        let long = wrap(
            Weight::Bold,
            8.0,
            "Kalung Daun Jati Electroforming Lapis Emas dengan Rantai Perak dan Kotak Kado",
            max,
            2,
        );
        assert_eq!(long.len(), 2);
        assert!(long[0].starts_with("Kalung Daun Jati"));
        assert!(long[1].ends_with('…'), "{long:?}");
        for line in &long {
            assert!(font::width(Weight::Bold, 8.0, line) <= max);
        }
        let word = wrap(Weight::Bold, 8.0, &"Sasirangan".repeat(8), max, 2);
        assert_eq!(word.len(), 2);
        assert!(
            word.iter()
                .all(|l| font::width(Weight::Bold, 8.0, l) <= max)
        );
        assert!(wrap(Weight::Bold, 8.0, "   ", max, 2).is_empty());
    }

    /// What a till's scanner needs, on the PDF sheet and the SVG label alike (both draw these
    /// marks): modules large enough to read at 150 dpi (at least 5 pixels) and the quiet
    /// zone of 4 modules around the symbol free of text, whatever the text.
    #[test]
    fn the_qr_code_has_large_modules_and_a_clear_quiet_zone() {
        let label = Label {
            code: crate::domain::label::LabelCode::generate(),
            title: "W".repeat(140),
            options: "W".repeat(200),
            sku: "W".repeat(64),
            price_idr: i64::MAX,
            seller: "W".repeat(120),
        };
        let marks = marks(&label, 0.0, 0.0);
        let Some((qx, qy, module, width)) = marks.iter().find_map(|m| match m {
            Mark::Qr {
                x,
                y,
                module,
                width,
                ..
            } => Some((*x, *y, *module, *width)),
            _ => None,
        }) else {
            panic!("no QR code on the label");
        };
        assert_eq!(width, 21, "`KRY1:` and a code fit a version-1 symbol");
        assert!(
            module / MM / 25.4 * 150.0 >= 5.0,
            "module {} mm",
            module / MM
        );
        let quiet = QR_QUIET as f32 * module;
        let (left, top) = (qx - quiet, qy - quiet);
        let (right, bottom) = (
            qx + (width as f32) * module + quiet,
            qy + (width as f32) * module + quiet,
        );
        assert!(
            left >= -1e-3 && top >= -1e-3,
            "the quiet zone leaves the label"
        );
        for mark in &marks {
            if let Mark::Text {
                x,
                y,
                size,
                width,
                anchor,
                text,
                ..
            } = mark
            {
                let l = match anchor {
                    Anchor::Start => *x,
                    Anchor::Middle => x - width / 2.0,
                };
                // The line's box: from its ascent (at most the size above the baseline) to
                // its descent (a quarter of the size below).
                let (r, t, b) = (l + width, y - size, y + size / 4.0);
                let apart = r <= left || l >= right || b <= top || t >= bottom;
                assert!(apart, "{text:?} lies in the QR code's quiet zone");
            }
        }
    }

    #[test]
    fn every_mark_stays_inside_its_label() {
        let label = Label {
            code: crate::domain::label::LabelCode::parse("7K3QZ0M1XB").unwrap(),
            title: "Tas Anyaman Pandan Tradisional Motif Kawung dari Kecamatan Lowokwaru".into(),
            options: "ukuran: besar sekali · warna: coklat tua kemerahan · bahan: pandan".into(),
            sku: "TAS-PANDAN-KAWUNG-0001-BESAR-COKLAT".into(),
            price_idr: 12_345_678_900,
            seller: "Koperasi Pengrajin Anyaman Pandan Tulusrejo Sejahtera Bersama".into(),
        };
        let (x0, y0) = (10.0, 20.0);
        for mark in marks(&label, x0, y0) {
            let (left, right, top, bottom) = match &mark {
                Mark::Text {
                    x,
                    y,
                    size,
                    width,
                    anchor,
                    ..
                } => {
                    let left = match anchor {
                        Anchor::Start => *x,
                        Anchor::Middle => x - width / 2.0,
                    };
                    (left, left + width, y - size, *y)
                }
                Mark::Qr {
                    x,
                    y,
                    module,
                    width,
                    ..
                } => (
                    *x,
                    x + module * *width as f32,
                    *y,
                    y + module * *width as f32,
                ),
                Mark::Outline { x, y, w, h } => (*x, x + w, *y, y + h),
            };
            assert!(
                left >= x0 - 1e-3 && right <= x0 + LABEL_W + 1e-3,
                "{mark:?}"
            );
            assert!(
                top >= y0 - 1e-3 && bottom <= y0 + LABEL_H + 1e-3,
                "{mark:?}"
            );
        }
    }
}
