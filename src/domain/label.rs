//! Shelf label codes: what a hotel's till scans (or a clerk types) to name a consignment line.

use rand::Rng;
use rand::distr::slice::Choose;

/// Crockford's base32: digits and capitals without I, L, O and U, so a code read aloud or
/// typed by hand has no look-alikes. All of it is in a QR code's alphanumeric set.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Letters per code: 50 bits.
pub const LEN: usize = 10;

/// What a label's QR code holds before the code: a scanner at the till knows a Kriya label by it.
pub const QR_PREFIX: &str = "KRY1:";

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LabelCode(String);

impl LabelCode {
    /// A fresh code from the thread's cryptographic generator (ChaCha seeded by the operating
    /// system). Uniqueness is the database's to enforce.
    pub fn generate() -> Self {
        let letters = Choose::new(ALPHABET).expect("a non-empty alphabet");
        let code = rand::rng()
            .sample_iter(letters)
            .take(LEN)
            .map(|&b| char::from(b))
            .collect();
        Self(code)
    }

    /// Reads a code as scanned or typed: `KRY1:` in front is allowed, case is ignored, spaces
    /// and hyphens are dropped, and the look-alikes are read as Crockford says (O → 0,
    /// I and L → 1).
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s = raw.trim();
        let s = match s.get(..QR_PREFIX.len()) {
            Some(p) if p.eq_ignore_ascii_case(QR_PREFIX) => &s[QR_PREFIX.len()..],
            _ => s,
        };
        let mut code = String::with_capacity(LEN);
        for c in s.chars().filter(|c| !matches!(c, ' ' | '-')) {
            let c = match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            };
            if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
                return Err(format!(
                    "must be a label code: {LEN} letters and digits (not U), as printed under the QR code"
                ));
            }
            if code.len() == LEN {
                return Err(format!("must be {LEN} letters and digits long"));
            }
            code.push(c);
        }
        if code.len() != LEN {
            return Err(format!("must be {LEN} letters and digits long"));
        }
        Ok(Self(code))
    }

    /// A code read back from the database, which only ever holds generated ones.
    pub fn from_stored(code: String) -> Self {
        Self(code)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the QR code holds.
    pub fn qr_payload(&self) -> String {
        format!("{QR_PREFIX}{}", self.0)
    }

    /// The code as printed under the QR code for typing by hand: `ABCDE-FGHJK`.
    pub fn grouped(&self) -> String {
        format!("{}-{}", &self.0[..5], &self.0[5..])
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn generated_codes_are_ten_letters_of_the_alphabet_and_differ() {
        let codes: HashSet<String> = (0..10_000).map(|_| LabelCode::generate().0).collect();
        assert_eq!(codes.len(), 10_000);
        for code in &codes {
            assert_eq!(code.len(), LEN);
            assert!(code.bytes().all(|b| ALPHABET.contains(&b)), "{code}");
            assert_eq!(LabelCode::parse(code).unwrap().0, *code);
        }
        // Every letter turns up: the draw covers the whole alphabet.
        let seen: HashSet<char> = codes.iter().flat_map(|c| c.chars()).collect();
        assert_eq!(seen.len(), 32);
    }

    #[test]
    fn scanned_and_typed_forms_read_the_same() {
        let want = LabelCode::parse("7K3QZ0M1XB").unwrap();
        for raw in [
            "KRY1:7K3QZ0M1XB",
            "kry1:7k3qz0m1xb",
            " 7K3QZ-0M1XB ",
            "7k3qz om1xb",
            "7K3QZ0MIXB",
            "7K3QZ0MLXB",
        ] {
            assert_eq!(LabelCode::parse(raw).unwrap(), want, "{raw}");
        }
        assert_eq!(want.qr_payload(), "KRY1:7K3QZ0M1XB");
        assert_eq!(want.grouped(), "7K3QZ-0M1XB");
    }

    #[test]
    fn anything_else_is_refused() {
        for raw in [
            "",
            "7K3QZ0M1X",
            "7K3QZ0M1XBB",
            "7K3QZ0M1XU",
            "7K3QZ0M1X!",
            "KRY2:7K3QZ0M1XB",
            "7K3QZ0M1XÉ",
            "../../etc",
            "KRY1:",
        ] {
            assert!(LabelCode::parse(raw).is_err(), "{raw}");
        }
    }
}
