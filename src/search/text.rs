//! How search reads text: words split on anything not a letter or digit, lower-cased and
//! folded to ASCII ("Batik Tulis" → `batik`, `tulis`); how many typos a word may have; and
//! the highlighted title shown with a hit.

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
};

/// The analyzer of every searchable text field (and of queries).
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(64))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// The normalised words of `text`, in order.
pub fn words(text: &str) -> Vec<String> {
    let mut analyzer = analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// Typos tolerated in a query word: none below 4 letters, 1 from 4, 2 from 8.
pub fn typo_budget(word: &str) -> u8 {
    match word.chars().count() {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// How a query reads: its words, and whether the last one is still being typed (no
/// trailing space), so it matches as a prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryWords {
    pub words: Vec<String>,
    pub last_is_prefix: bool,
}

impl QueryWords {
    pub fn parse(text: &str) -> Self {
        let words = words(text);
        let last_is_prefix =
            !words.is_empty() && text.chars().last().is_some_and(|c| c.is_alphanumeric());
        Self {
            words,
            last_is_prefix,
        }
    }

    /// Whether a word of a document matches the query word at `index`.
    fn matches(&self, index: usize, word: &str) -> bool {
        let q = &self.words[index];
        if word == q || super::synonyms::of(q).iter().any(|s| s == word) {
            return true;
        }
        let budget = typo_budget(q) as usize;
        if self.last_is_prefix && index + 1 == self.words.len() {
            let q_len = q.chars().count();
            // A prefix of the word within the budget, as the fuzzy prefix query matches.
            return (q_len.saturating_sub(budget)..=q_len + budget).any(|n| {
                let prefix: String = word.chars().take(n).collect();
                prefix.chars().count() == n && strsim::osa_distance(&prefix, q) <= budget
            });
        }
        budget > 0 && strsim::osa_distance(word, q) <= budget
    }
}

/// The title with every word that matches the query wrapped in `<mark>…</mark>`; the rest
/// is HTML-escaped, so a frontend may render it as HTML.
pub fn highlight(title: &str, query: &QueryWords) -> String {
    let mut out = String::with_capacity(title.len() + 16);
    let mut analyzer = analyzer();
    let mut stream = analyzer.token_stream(title);
    let mut at = 0;
    while stream.advance() {
        let token = stream.token();
        let hit = (0..query.words.len()).any(|i| query.matches(i, &token.text));
        if !hit {
            continue;
        }
        out.push_str(&escape(&title[at..token.offset_from]));
        out.push_str("<mark>");
        out.push_str(&escape(&title[token.offset_from..token.offset_to]));
        out.push_str("</mark>");
        at = token.offset_to;
    }
    out.push_str(&escape(&title[at..]));
    out
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_lower_cased_and_folded() {
        assert_eq!(words("Batik Tulis — Café"), ["batik", "tulis", "cafe"]);
    }

    #[test]
    fn typo_budget_follows_word_length() {
        assert_eq!(typo_budget("tas"), 0);
        assert_eq!(typo_budget("batk"), 1);
        assert_eq!(typo_budget("selendang"), 2);
    }

    #[test]
    fn highlight_marks_exact_typo_prefix_and_synonym_matches() {
        let q = QueryWords::parse("batk necklace kal");
        assert_eq!(
            highlight("Kalung Batik <daun>", &q),
            "<mark>Kalung</mark> <mark>Batik</mark> &lt;daun&gt;"
        );
        let q = QueryWords::parse("kal ");
        assert!(!q.last_is_prefix);
        assert_eq!(highlight("Kalung", &q), "Kalung");
    }
}
