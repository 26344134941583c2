//! Indonesian–English synonyms, kept in one data file (`synonyms.txt`) for both adapters.

use std::collections::BTreeMap;
use std::sync::LazyLock;

const DATA: &str = include_str!("synonyms.txt");

/// For every word, the other words of its groups (sorted, no duplicates).
pub fn table() -> &'static BTreeMap<String, Vec<String>> {
    static TABLE: LazyLock<BTreeMap<String, Vec<String>>> = LazyLock::new(|| parse(DATA));
    &TABLE
}

/// The synonyms of one (normalised) word.
pub fn of(word: &str) -> &'static [String] {
    table().get(word).map(Vec::as_slice).unwrap_or(&[])
}

fn parse(data: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in data.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let group: Vec<String> = line.split(',').map(|w| w.trim().to_lowercase()).collect();
        for word in &group {
            let others = out.entry(word.clone()).or_default();
            others.extend(group.iter().filter(|w| *w != word).cloned());
            others.sort();
            others.dedup();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_work_both_ways_and_merge() {
        assert_eq!(of("kalung"), ["necklace"]);
        assert_eq!(of("necklace"), ["kalung"]);
        assert_eq!(of("scarf"), ["selendang", "shawl", "syal"]);
        assert!(of("batik").is_empty());
    }

    #[test]
    fn every_entry_is_one_lower_case_word() {
        for (word, others) in table() {
            for w in std::iter::once(word).chain(others) {
                assert!(
                    !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase()),
                    "`{w}` is not one lower-case word"
                );
            }
        }
    }
}
