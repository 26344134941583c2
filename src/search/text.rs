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

/// Words that other search boxes read as operators. Kriya's search has none (every word
/// must match), and an engine that reads them its own way would answer differently from
/// the other, so written in capitals on their own they are not words to look for.
const OPERATORS: [&str; 3] = ["AND", "OR", "NOT"];

/// How a query reads, the same for every engine: its words (as the analyzer reads them:
/// lower-cased, folded to ASCII, split on anything not a letter or digit, so quotes,
/// `-`, `+`, punctuation, symbols and emoji only separate words), and whether the last one
/// is still being typed (it ends the text), so it matches as a prefix. Built only by
/// `parse`: no engine ever sees the text as typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryWords {
    words: Vec<String>,
    last_is_prefix: bool,
}

impl QueryWords {
    pub fn parse(text: &str) -> Self {
        let mut analyzer = analyzer();
        let mut stream = analyzer.token_stream(text);
        let mut words = Vec::new();
        let mut last_end = 0;
        while stream.advance() {
            let token = stream.token();
            if OPERATORS.contains(&&text[token.offset_from..token.offset_to]) {
                continue;
            }
            words.push(token.text.clone());
            last_end = token.offset_to;
        }
        let last_is_prefix = !words.is_empty() && last_end == text.len();
        Self {
            words,
            last_is_prefix,
        }
    }

    pub fn words(&self) -> &[String] {
        &self.words
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    pub fn last_is_prefix(&self) -> bool {
        self.last_is_prefix
    }

    /// The query as an engine reads it: the words separated by one space, and a trailing
    /// space when the last word is finished (Meilisearch then matches it whole, as the
    /// embedded index does). Parsing it again gives the same words.
    pub fn as_text(&self) -> String {
        let mut out = self.words.join(" ");
        if !self.words.is_empty() && !self.last_is_prefix {
            out.push(' ');
        }
        out
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
    if query.words.is_empty() {
        // Nothing can match (a browse): no need to take the title apart.
        return escape(title);
    }
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
    fn queries_are_words_only() {
        let read = |raw: &str| QueryWords::parse(raw).as_text();
        assert_eq!(read("kalung 💍"), "kalung ");
        assert_eq!(read("💍kalung"), "kalung");
        assert_eq!(read("\"kalung\" OR"), "kalung ");
        assert_eq!(read("\"daun jati\""), "daun jati ");
        assert_eq!(
            read("kalung OR gelang AND NOT perak"),
            "kalung gelang perak"
        );
        assert_eq!(
            read("or and not"),
            "or and not",
            "lower-case words are words"
        );
        assert_eq!(read("anting -daun +perak"), "anting daun perak");
        assert_eq!(read("Kalúng  DAUN!"), "kalung daun ");
        assert_eq!(read("hand-drawn, (batik)"), "hand drawn batik ");
        assert_eq!(read("  kal"), "kal");
        assert_eq!(read("kal "), "kal ");
        assert_eq!(read("💍 \" OR -"), "");
        assert_eq!(read(""), "");
    }

    #[test]
    fn reading_a_read_query_changes_nothing() {
        for raw in [
            "kalung 💍",
            "\"Kalúng\" OR",
            "daun, tembaga!",
            "kal",
            "Batik Tulis — Café ",
        ] {
            let once = QueryWords::parse(raw);
            assert_eq!(QueryWords::parse(&once.as_text()), once, "{raw}");
        }
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

    #[test]
    fn a_browse_marks_nothing_and_still_escapes() {
        let browse = QueryWords::parse("");
        assert_eq!(
            highlight("Kalung <b>\"Daun\" & 'Jati'", &browse),
            "Kalung &lt;b&gt;&quot;Daun&quot; &amp; &#39;Jati&#39;"
        );
        assert_eq!(highlight("", &browse), "");
    }
}
