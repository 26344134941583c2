//! One label as SVG: text the browser sets (held to the embedded face's widths), the QR code
//! as one path.

use std::fmt::Write;

use quick_xml::escape::escape;

use super::Label;
use super::font::{CSS_FAMILY, Weight};
use super::layout::{self, Anchor, Mark};

/// The label at its printed size (70 × 36 mm), a white background, no script or outside
/// reference.
pub fn single(label: &Label) -> String {
    let (w, h) = (layout::LABEL_W, layout::LABEL_H);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"70mm\" height=\"36mm\" \
         viewBox=\"0 0 {w:.2} {h:.2}\" font-family=\"{CSS_FAMILY}\">\
         <rect width=\"{w:.2}\" height=\"{h:.2}\" fill=\"#fff\"/>"
    );
    for mark in layout::marks(label, 0.0, 0.0) {
        draw(&mut svg, &mark);
    }
    svg.push_str("</svg>\n");
    svg
}

fn draw(svg: &mut String, mark: &Mark) {
    // Writing to a String cannot fail.
    let _ = match mark {
        Mark::Text {
            x,
            y,
            size,
            weight,
            text,
            width,
            anchor,
        } => {
            let anchor = match anchor {
                Anchor::Start => "start",
                Anchor::Middle => "middle",
            };
            let bold = match weight {
                Weight::Bold => " font-weight=\"bold\"",
                Weight::Regular => "",
            };
            write!(
                svg,
                "<text x=\"{x:.2}\" y=\"{y:.2}\" font-size=\"{size}\"{bold} text-anchor=\"{anchor}\" \
                 textLength=\"{width:.2}\" lengthAdjust=\"spacingAndGlyphs\">{}</text>",
                escape(text.as_str())
            )
        }
        Mark::Qr {
            x,
            y,
            module,
            width,
            dark,
        } => {
            let mut d = String::new();
            for (row, cells) in dark.chunks(*width).enumerate() {
                let mut column = 0;
                while column < cells.len() {
                    if !cells[column] {
                        column += 1;
                        continue;
                    }
                    let run = cells[column..].iter().take_while(|d| **d).count();
                    let _ = write!(
                        d,
                        "M{:.3} {:.3}h{:.3}v{:.3}h-{:.3}z",
                        x + column as f32 * module,
                        y + row as f32 * module,
                        run as f32 * module,
                        module,
                        run as f32 * module
                    );
                    column += run;
                }
            }
            write!(
                svg,
                "<path d=\"{d}\" fill=\"#000\" shape-rendering=\"crispEdges\"/>"
            )
        }
        Mark::Outline { x, y, w, h } => write!(
            svg,
            "<rect x=\"{x:.2}\" y=\"{y:.2}\" width=\"{w:.2}\" height=\"{h:.2}\" fill=\"none\" \
             stroke=\"#c8c8c8\" stroke-width=\"0.3\"/>"
        ),
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::label::LabelCode;

    #[test]
    fn a_title_cannot_become_markup() {
        let label = Label {
            code: LabelCode::parse("7K3QZ0M1XB").unwrap(),
            title: "</text><script>alert(1)</script> & \"Batik\"".into(),
            options: "warna: <b>merah</b>".into(),
            sku: "BTK-01".into(),
            price_idr: 185_000,
            seller: "Batik & Co".into(),
        };
        let svg = single(&label);
        assert!(!svg.contains("<script"), "{svg}");
        assert!(!svg.contains("<b>"), "{svg}");
        assert!(svg.contains("&lt;/text&gt;&lt;script&gt;"), "{svg}");
        assert!(svg.contains("Batik &amp; Co"));
        assert!(svg.contains(">Rp 185.000</text>"));
        assert!(svg.contains(">7K3QZ-0M1XB</text>"));
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>\n"));
    }
}
