//! Indonesian phone numbers, as hotels and parcel recipients give them.

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
        assert_eq!(parse_phone("0812-3456-7890").unwrap(), "+6281234567890");
        assert!(parse_phone("12").is_err());
        assert!(parse_phone("12345").is_err());
    }
}
