//! Partner hotels: PHRI membership numbers.

use super::text::bounded;

/// A PHRI membership number: 3–40 letters, digits, '/', '.', '-' or spaces.
pub fn parse_phri_number(raw: &str) -> Result<String, String> {
    let s = bounded(raw, 3, 40, false)?;
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '-' | ' '))
    {
        Ok(s)
    } else {
        Err("may contain only letters, digits, '/', '.', '-' and spaces".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phri_numbers_are_letters_digits_and_separators() {
        assert_eq!(parse_phri_number("PHRI/MLG/0042").unwrap(), "PHRI/MLG/0042");
        assert!(parse_phri_number("<script>").is_err());
    }
}
