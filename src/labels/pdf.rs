//! The A4 sheet as a PDF, drawn with krilla; the fonts are subset into the file.

use std::sync::LazyLock;

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};

use super::Label;
use super::font::Weight;
use super::layout::{self, Anchor, Mark};

static REGULAR: LazyLock<Font> = LazyLock::new(|| load(Weight::Regular));
static BOLD: LazyLock<Font> = LazyLock::new(|| load(Weight::Bold));

fn load(weight: Weight) -> Font {
    Font::new(weight.data().into(), 0).expect("the embedded font")
}

/// `copies` of each label, in order, 24 to a page. `title` names the document.
pub fn sheet(labels: &[(Label, usize)], title: &str) -> Result<Vec<u8>, String> {
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(title.to_owned())
            .language("id".to_owned())
            .creator("Kriya".to_owned()),
    );
    let size = PageSettings::from_wh(layout::PAGE_W, layout::PAGE_H).expect("A4");
    let all: Vec<&Label> = labels
        .iter()
        .flat_map(|(label, copies)| std::iter::repeat_n(label, *copies))
        .collect();
    for page_labels in all.chunks(layout::PER_PAGE) {
        let mut page = document.start_page_with(size.clone());
        let mut surface = page.surface();
        for (i, label) in page_labels.iter().enumerate() {
            let (_, x, y) = layout::slot(i);
            for mark in layout::marks(label, x, y) {
                draw(&mut surface, &mark);
            }
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| format!("{e:?}"))
}

fn fill(r: u8, g: u8, b: u8) -> Fill {
    Fill {
        paint: rgb::Color::new(r, g, b).into(),
        opacity: NormalizedF32::ONE,
        rule: FillRule::NonZero,
    }
}

fn draw(surface: &mut Surface, mark: &Mark) {
    match mark {
        Mark::Text {
            x,
            y,
            size,
            weight,
            text,
            width,
            anchor,
        } => {
            let x = match anchor {
                Anchor::Start => *x,
                Anchor::Middle => x - width / 2.0,
            };
            let font = match weight {
                Weight::Regular => REGULAR.clone(),
                Weight::Bold => BOLD.clone(),
            };
            surface.set_stroke(None);
            surface.set_fill(Some(fill(0, 0, 0)));
            surface.draw_text(
                Point::from_xy(x, *y),
                font,
                *size,
                text,
                false,
                TextDirection::LeftToRight,
            );
        }
        Mark::Qr {
            x,
            y,
            module,
            width,
            dark,
        } => {
            // One path for the whole symbol: no hairline seams between modules.
            let mut path = PathBuilder::new();
            for (row, cells) in dark.chunks(*width).enumerate() {
                let mut column = 0;
                while column < cells.len() {
                    if !cells[column] {
                        column += 1;
                        continue;
                    }
                    let run = cells[column..].iter().take_while(|d| **d).count();
                    if let Some(rect) = Rect::from_xywh(
                        x + column as f32 * module,
                        y + row as f32 * module,
                        run as f32 * module,
                        *module,
                    ) {
                        path.push_rect(rect);
                    }
                    column += run;
                }
            }
            if let Some(path) = path.finish() {
                surface.set_stroke(None);
                surface.set_fill(Some(fill(0, 0, 0)));
                surface.draw_path(&path);
            }
        }
        Mark::Outline { x, y, w, h } => {
            let mut path = PathBuilder::new();
            if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                path.push_rect(rect);
            }
            if let Some(path) = path.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    paint: rgb::Color::new(200, 200, 200).into(),
                    width: 0.3,
                    ..Stroke::default()
                }));
                surface.draw_path(&path);
                surface.set_stroke(None);
            }
        }
    }
}
