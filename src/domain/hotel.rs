//! Partner hotels: PHRI membership numbers and contact numbers.

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

/// An Indonesian phone number (mobile or landline), normalised to `+62…`.
pub fn parse_phone(raw: &str) -> Result<String, String> {
    let digits: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
        .collect();
    let national = digits
        .strip_prefix("+62")
        .or_else(|| digits.strip_prefix("62"))
        .or_else(|| digits.strip_prefix('0'))
        .ok_or_else(|| "must be an Indonesian number (+62… or 0…)".to_owned())?;
    if (7..=12).contains(&national.len())
        && national.chars().all(|c| c.is_ascii_digit())
        && !national.starts_with('0')
    {
        Ok(format!("+62{national}"))
    } else {
        Err("must have 7 to 12 digits after the country code".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_are_normalised() {
        assert_eq!(parse_phone("(0341) 363-891").unwrap(), "+62341363891");
        assert!(parse_phone("12").is_err());
        assert_eq!(parse_phri_number("PHRI/MLG/0042").unwrap(), "PHRI/MLG/0042");
        assert!(parse_phri_number("<script>").is_err());
    }
}
