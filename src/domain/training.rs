//! Trainings and their participants: what a training is, and reading a participant list
//! (JSON or a spreadsheet's CSV) into checked rows, every bad one named.

use chrono::NaiveDate;

use super::seller::parse_whatsapp;
use super::text::bounded;
use super::validation::Violations;

/// Participants added in one request.
pub const MAX_PARTICIPANTS: usize = 2000;

pub fn parse_day(raw: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| (2000..=2100).contains(&chrono::Datelike::year(d)))
        .ok_or_else(|| "must be a date YYYY-MM-DD between 2000 and 2100".to_owned())
}

/// A training's title: characters once trimmed, at least and at most.
pub const TITLE_LEN: (usize, usize) = (3, 200);
/// A training's venue or organiser: characters once trimmed, at least and at most.
pub const PLACE_LEN: (usize, usize) = (2, 200);

pub fn parse_title(raw: &str) -> Result<String, String> {
    bounded(raw, TITLE_LEN.0, TITLE_LEN.1, false)
}

pub fn parse_place(raw: &str) -> Result<String, String> {
    bounded(raw, PLACE_LEN.0, PLACE_LEN.1, false)
}

pub fn parse_name(raw: &str) -> Result<String, String> {
    bounded(raw, 2, 120, false)
}

pub fn parse_kelurahan(raw: &str) -> Result<String, String> {
    bounded(raw, 2, 80, false)
}

/// One participant as given, before it is checked.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct RawParticipant {
    pub name: Option<String>,
    pub whatsapp: Option<String>,
    pub kelurahan: Option<String>,
}

/// One checked participant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub name: String,
    /// `+628…`, as seller profiles keep it.
    pub whatsapp: String,
    pub kelurahan: Option<String>,
}

/// Checks one participant; problems are named `{prefix}.{field}`.
pub fn check_participant(
    raw: &RawParticipant,
    prefix: &str,
    v: &mut Violations,
) -> Option<Participant> {
    let name = v.require(format!("{prefix}.name"), raw.name.as_deref(), parse_name);
    let whatsapp = v.require(
        format!("{prefix}.whatsapp"),
        raw.whatsapp.as_deref(),
        parse_whatsapp,
    );
    let kelurahan = v.check_opt(
        format!("{prefix}.kelurahan"),
        raw.kelurahan.as_deref().filter(|k| !k.trim().is_empty()),
        parse_kelurahan,
    );
    Some(Participant {
        name: name?,
        whatsapp: whatsapp?,
        kelurahan: kelurahan?,
    })
}

/// Reads a participant list exported from a spreadsheet: UTF-8 with or without a BOM, `;` or
/// `,` between cells (whichever the header row uses), a header row naming `name`, `whatsapp`
/// and optionally `kelurahan` (any order, any case; other columns are ignored). Problems are
/// named `line {n}.{field}` with the file's own line numbers (the header is line 1).
pub fn parse_csv(bytes: &[u8], v: &mut Violations) -> Vec<(usize, RawParticipant)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let Ok(text) = std::str::from_utf8(bytes) else {
        v.add("file", "must be UTF-8 text");
        return Vec::new();
    };
    let header = text.lines().next().unwrap_or_default();
    let delimiter = if header.matches(';').count() > header.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let columns: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_lowercase()).collect(),
        Err(_) => {
            v.add("file", "has no header row");
            return Vec::new();
        }
    };
    let at = |name: &str| columns.iter().position(|c| c == name);
    let (Some(name_at), Some(whatsapp_at)) = (at("name"), at("whatsapp")) else {
        v.add(
            "file",
            "the header row must name the columns name and whatsapp (and may name kelurahan)",
        );
        return Vec::new();
    };
    let kelurahan_at = at("kelurahan");
    let mut lines = LineCounter::new(text.as_bytes());
    let mut rows = Vec::new();
    let mut malformed = 0;
    for record in reader.records() {
        match record {
            Ok(r) => {
                let line = r.position().map_or(0, |p| lines.at(p.byte()));
                if r.iter().all(|c| c.is_empty()) {
                    continue;
                }
                if rows.len() == MAX_PARTICIPANTS {
                    v.add(
                        "file",
                        format!("has more than {MAX_PARTICIPANTS} rows: send at most {MAX_PARTICIPANTS} in one upload"),
                    );
                    break;
                }
                let cell = |i: Option<usize>| {
                    i.and_then(|i| r.get(i))
                        .filter(|c| !c.is_empty())
                        .map(str::to_owned)
                };
                rows.push((
                    line,
                    RawParticipant {
                        name: cell(Some(name_at)),
                        whatsapp: cell(Some(whatsapp_at)),
                        kelurahan: cell(kelurahan_at),
                    },
                ));
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.at(p.byte()));
                v.add(format!("line {line}"), "is not a well-formed CSV row");
                malformed += 1;
                if malformed == MAX_MALFORMED_ROWS {
                    v.add(
                        "file",
                        format!("reading stopped after {MAX_MALFORMED_ROWS} malformed rows"),
                    );
                    break;
                }
            }
        }
    }
    rows
}

/// Malformed rows named before a CSV upload is given up on.
const MAX_MALFORMED_ROWS: usize = 100;

/// The file's line numbers (from 1) of the records the reader yields, counted as it advances
/// (the reader reports a record's offset before the blank lines it skipped). Offsets only
/// grow, so every byte is looked at once, however long the file.
struct LineCounter<'a> {
    bytes: &'a [u8],
    /// Bytes before this have been counted…
    counted_to: usize,
    /// …and held this many line breaks.
    breaks: usize,
}

impl<'a> LineCounter<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        LineCounter {
            bytes,
            counted_to: 0,
            breaks: 0,
        }
    }

    /// The line of the record whose offset the reader reported as `byte`.
    fn at(&mut self, byte: u64) -> usize {
        let bytes = self.bytes;
        let mut start = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .clamp(self.counted_to, bytes.len());
        while start < bytes.len() && matches!(bytes[start], b'\n' | b'\r') {
            start += 1;
        }
        self.breaks += bytes[self.counted_to..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        self.counted_to = start;
        self.breaks + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spreadsheet_export_with_a_bom_and_semicolons_is_read() {
        let csv = "\u{feff}Nama;Name;WhatsApp;Kelurahan\nx;Siti Aminah;0812-3456-7890;Tlogomas\n\n;Budi;+62 813 1111 2222;\n";
        let mut v = Violations::new();
        let rows = parse_csv(csv.as_bytes(), &mut v);
        assert!(v.is_empty());
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].0, 2);
        assert_eq!(rows[0].1.name.as_deref(), Some("Siti Aminah"));
        assert_eq!(rows[1].0, 4, "file line numbers, blank lines counted");
        assert_eq!(rows[1].1.kelurahan, None);
        let p = check_participant(&rows[0].1, "line 2", &mut v).unwrap();
        assert_eq!(p.whatsapp, "+6281234567890");
    }

    #[test]
    fn a_header_without_the_needed_columns_is_refused() {
        let mut v = Violations::new();
        assert!(parse_csv(b"nama,telepon\nSiti,0812\n", &mut v).is_empty());
        assert!(!v.is_empty());
        let mut v = Violations::new();
        parse_csv(b"name,whatsapp\n\xff\xfe,1\n", &mut v);
        assert!(!v.is_empty(), "not UTF-8");
    }

    #[test]
    fn line_numbers_follow_the_file_however_long() {
        let mut csv = String::from("name,whatsapp\n");
        for i in 0..50 {
            csv.push_str(&format!("\n\r\nSiti {i},0812345678{:02}\n", i));
        }
        let mut v = Violations::new();
        let rows = parse_csv(csv.as_bytes(), &mut v);
        assert!(v.is_empty());
        let lines: Vec<usize> = rows.iter().map(|(l, _)| *l).collect();
        let expected: Vec<usize> = (0..50).map(|i| 4 + 3 * i).collect();
        assert_eq!(lines, expected);
    }

    #[test]
    fn an_upload_stops_at_its_row_cap() {
        let mut csv = String::from("name,whatsapp\n");
        for i in 0..MAX_PARTICIPANTS + 500 {
            csv.push_str(&format!("Siti {i},0812{i:08}\n"));
        }
        let mut v = Violations::new();
        let rows = parse_csv(csv.as_bytes(), &mut v);
        assert_eq!(rows.len(), MAX_PARTICIPANTS);
        assert!(!v.is_empty(), "the cap is named");

        let mut csv = String::from("name,whatsapp\n");
        for _ in 0..10_000 {
            csv.push_str("\"unclosed,\"x\"y\n");
        }
        let mut v = Violations::new();
        assert!(parse_csv(csv.as_bytes(), &mut v).len() <= MAX_PARTICIPANTS);
    }

    #[test]
    fn days_are_iso_dates() {
        assert!(parse_day("2021-02-22").is_ok());
        assert!(parse_day("22/02/2021").is_err());
        assert!(parse_day("1999-12-31").is_err());
    }
}
