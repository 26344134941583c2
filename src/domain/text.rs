//! Bounded, trimmed text without control characters.

/// Trims `raw` and checks its length in characters (not bytes) and that it holds no
/// control characters other than line breaks and tabs.
pub fn bounded(raw: &str, min: usize, max: usize, multiline: bool) -> Result<String, String> {
    let s = raw.trim();
    let len = s.chars().count();
    if len < min {
        return Err(if min == 1 {
            "must not be empty".to_owned()
        } else {
            format!("must be at least {min} characters")
        });
    }
    if len > max {
        return Err(format!("must be at most {max} characters"));
    }
    let allowed = |c: char| !c.is_control() || (multiline && matches!(c, '\n' | '\r' | '\t'));
    if !s.chars().all(allowed) {
        return Err("must not contain control characters".to_owned());
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::bounded;

    #[test]
    fn counts_characters_not_bytes() {
        assert!(bounded("ééé", 3, 3, false).is_ok());
        assert!(bounded("  ab ", 3, 10, false).is_err());
        assert!(bounded("a\u{0}b", 1, 10, false).is_err());
        assert!(bounded("a\nb", 1, 10, true).is_ok());
        assert!(bounded("a\nb", 1, 10, false).is_err());
    }
}
