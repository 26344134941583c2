//! Indonesian phone numbers, as hotels, parcel recipients and sellers (WhatsApp) give them.

/// The digits after the country code of an Indonesian number written as `+62…`, `62…` or
/// `0…` (spaces, dashes and brackets ignored).
fn national(raw: &str, hint: &str) -> Result<String, String> {
    let digits: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
        .collect();
    digits
        .strip_prefix("+62")
        .or_else(|| digits.strip_prefix("62"))
        .or_else(|| digits.strip_prefix('0'))
        .map(str::to_owned)
        .ok_or_else(|| format!("must be an Indonesian number ({hint})"))
}

/// An Indonesian phone number (mobile or landline), normalised to `+62…`.
pub fn parse_phone(raw: &str) -> Result<String, String> {
    let national = national(raw, "+62… or 0…")?;
    if (7..=12).contains(&national.len())
        && national.chars().all(|c| c.is_ascii_digit())
        && !national.starts_with('0')
    {
        Ok(format!("+62{national}"))
    } else {
        Err("must have 7 to 12 digits after the country code".to_owned())
    }
}

/// An Indonesian mobile number (WhatsApp), normalised to `+628…`.
pub fn parse_whatsapp(raw: &str) -> Result<String, String> {
    let national = national(raw, "+62… or 08…")?;
    if !national.starts_with('8') {
        return Err("must be a mobile number (+628…)".to_owned());
    }
    if !(8..=12).contains(&national.len()) || !national.chars().all(|c| c.is_ascii_digit()) {
        return Err("must have 9 to 13 digits after the country code".to_owned());
    }
    Ok(format!("+62{national}"))
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
