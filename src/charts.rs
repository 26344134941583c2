//! Line charts of monthly figures as SVG (plotters' SVG backend), for reports a browser shows
//! as they are: months along the bottom in Indonesian, rupiah up the side written the
//! Indonesian way, marked months (a training) as labelled vertical lines.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::domain::consignment::Period;
use crate::domain::money::rupiah;

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stroke {
    Solid,
    Dashed,
}

pub struct Series {
    pub name: String,
    /// One value per month of the chart.
    pub values: Vec<i64>,
    pub stroke: Stroke,
    /// Index into the palette; series that belong together share it.
    pub colour: usize,
}

pub struct Marker {
    pub month: Period,
    pub label: String,
}

pub struct LineChart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub months: Vec<Period>,
    pub series: Vec<Series>,
    pub markers: Vec<Marker>,
}

const WIDTH: u32 = 960;
const HEIGHT: u32 = 540;
const FONT: &str = "sans-serif";
/// Tableau 10: told apart by people with the common colour-vision deficiencies.
const PALETTE: [RGBColor; 4] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
];
const MARKER: RGBColor = RGBColor(214, 39, 40);

/// Text as it may stand in an SVG document: plotters escapes XML's special characters itself;
/// control characters, which XML does not allow at all, become spaces.
fn plain(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The top of the value axis: a little above the largest value, at least Rp 1.000.
fn axis_top(chart: &LineChart) -> f64 {
    let max = chart
        .series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1_000);
    max as f64 * 1.12
}

/// The chart as an SVG document.
pub fn render_svg(chart: &LineChart) -> Result<String, String> {
    let mut svg = String::new();
    draw(chart, &mut svg).map_err(|e| e.to_string())?;
    Ok(svg)
}

fn draw<'a>(chart: &LineChart, out: &'a mut String) -> Result<(), Box<dyn std::error::Error + 'a>> {
    let n = chart.months.len().max(1);
    let top = axis_top(chart);
    let widest_label = rupiah(top as i64).chars().count() as u32;
    let root = SVGBackend::with_string(out, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE)?;
    let last = (n - 1).max(1) as f64;
    let mut plot = ChartBuilder::on(&root)
        .caption(plain(&chart.title), (FONT, 22))
        .margin(18)
        .x_label_area_size(56)
        .y_label_area_size(36 + widest_label * 8)
        .build_cartesian_2d(-0.4f64..last + 0.4, 0f64..top)?;
    let months = &chart.months;
    let month_at = |x: &f64| -> String {
        let i = x.round();
        if (x - i).abs() > 0.01 || i < 0.0 {
            return String::new();
        }
        months
            .get(i as usize)
            .map(Period::label_id)
            .unwrap_or_default()
    };
    let value_at = |y: &f64| rupiah(y.round() as i64);
    plot.configure_mesh()
        .x_labels(n.min(13))
        .x_label_formatter(&month_at)
        .y_labels(8)
        .y_label_formatter(&value_at)
        .x_desc(plain(&chart.x_label))
        .y_desc(plain(&chart.y_label))
        .axis_desc_style((FONT, 16))
        .label_style((FONT, 13))
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()?;

    for (k, marker) in chart.markers.iter().enumerate() {
        let Some(i) = chart.months.iter().position(|m| *m == marker.month) else {
            continue;
        };
        let x = i as f64;
        plot.draw_series(std::iter::once(PathElement::new(
            vec![(x, 0.0), (x, top)],
            MARKER.stroke_width(2),
        )))?;
        // Labels stand beside their line, on the side with room, one below the other.
        let side = if i * 2 < n { HPos::Left } else { HPos::Right };
        let style = (FONT, 13)
            .into_font()
            .color(&MARKER)
            .pos(Pos::new(side, VPos::Top));
        let y = top * (0.99 - 0.05 * (k % 4) as f64);
        plot.draw_series(std::iter::once(Text::new(
            format!(" {} ", plain(&marker.label)),
            (x, y),
            style,
        )))?;
    }

    for series in &chart.series {
        let colour = PALETTE[series.colour % PALETTE.len()];
        let points: Vec<(f64, f64)> = series
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| (i as f64, *v as f64))
            .collect();
        let style = colour.stroke_width(if series.stroke == Stroke::Solid { 3 } else { 2 });
        let drawn = match series.stroke {
            Stroke::Solid => plot.draw_series(LineSeries::new(points, style))?,
            Stroke::Dashed => plot.draw_series(DashedLineSeries::new(points, 8, 5, style))?,
        };
        // A dashed series shows a dash in the legend.
        let gap = if series.stroke == Stroke::Solid { 0 } else { 6 };
        drawn.label(plain(&series.name)).legend(move |(x, y)| {
            EmptyElement::at((x, y))
                + PathElement::new(vec![(0, 0), (9, 0)], colour.stroke_width(3))
                + PathElement::new(vec![(9 + gap, 0), (24, 0)], colour.stroke_width(3))
        });
    }
    plot.configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font((FONT, 14))
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(180, 180, 180))
        .draw()?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(title: &str) -> LineChart {
        let from = Period::parse("2021-01").unwrap();
        LineChart {
            title: title.to_owned(),
            x_label: "Bulan (WIB)".to_owned(),
            y_label: "Penjualan".to_owned(),
            months: (0..4).map(|i| from.offset(i)).collect(),
            series: vec![Series {
                name: "Peserta".to_owned(),
                values: vec![0, 1_250_000, 800_000, 2_000_000],
                stroke: Stroke::Solid,
                colour: 0,
            }],
            markers: vec![Marker {
                month: from.offset(1),
                label: "Pelatihan 22 Feb 2021".to_owned(),
            }],
        }
    }

    #[test]
    fn months_and_rupiah_are_labelled() {
        let svg = render_svg(&chart("Electroforming")).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..80]);
        for text in [
            "Jan 2021",
            "Apr 2021",
            "Rp 1.",
            "Bulan (WIB)",
            "Pelatihan 22 Feb 2021",
        ] {
            assert!(svg.contains(text), "{text} missing");
        }
        assert!(svg.contains("<polyline") || svg.contains("<path"), "a line");
    }

    #[test]
    fn text_cannot_become_markup() {
        let svg = render_svg(&chart("<script>alert(1)</script> & \"x\"\u{1}")).unwrap();
        assert!(!svg.contains("<script"), "{svg}");
        assert!(
            svg.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp;"),
            "{svg}"
        );
        assert!(!svg.contains('\u{1}'), "no control characters");
    }
}
