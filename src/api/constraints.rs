//! The document's schemas of request fields, built from the limits their parsers check (the
//! same constants), so the document states what the API enforces: used with
//! `#[schema(schema_with = …)]` and `#[param(schema_with = …)]`.

use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};

/// What `str::trim` takes off: Unicode's White_Space characters.
const SPACE: &str =
    "\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
/// Control characters (`char::is_control`).
const CONTROL: &str = "\\x00-\\x1f\\x7f-\\x9f";
/// Control characters other than line breaks and tabs.
const CONTROL_BUT_BREAKS: &str = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f";

fn string(pattern: String, description: String) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(pattern))
        .description(Some(description))
        .build()
}

/// What `domain::text::bounded(raw, min, max, multiline)` takes: once trimmed, `min` to `max`
/// characters (`min` at least 1), none of them a control character (but line breaks and tabs
/// when `multiline`).
/// Spaces around are allowed (they are trimmed), so the length is in the pattern.
pub fn bounded_pattern(min: usize, max: usize, multiline: bool) -> String {
    let control = if multiline {
        CONTROL_BUT_BREAKS
    } else {
        CONTROL
    };
    let edge = format!("[^{SPACE}{CONTROL}]");
    let inner = format!("[^{control}]");
    let body = if min <= 1 {
        format!("{edge}(?:{inner}{{0,{}}}{edge})?", max.saturating_sub(2))
    } else {
        format!("{edge}{inner}{{{},{}}}{edge}", min - 2, max - 2)
    };
    format!("^[{SPACE}]*{body}[{SPACE}]*$")
}

/// One line of text, as `domain::text::bounded(raw, min, max, false)` takes it.
pub fn line(min: usize, max: usize) -> Object {
    string(
        bounded_pattern(min, max, false),
        format!("{min}–{max} characters once trimmed, no control characters."),
    )
}

/// A training's title (`domain::training::parse_title`).
pub fn training_title() -> Object {
    let (min, max) = crate::domain::training::TITLE_LEN;
    line(min, max)
}

/// A training's venue or organiser (`domain::training::parse_place`).
pub fn training_place() -> Object {
    let (min, max) = crate::domain::training::PLACE_LEN;
    line(min, max)
}

/// A calendar day `YYYY-MM-DD` that exists, in the years `domain::training::parse_day` takes
/// (2000–2100), spaces around allowed.
pub fn day() -> Object {
    let year = "(?:20[0-9]{2}|2100)";
    // chrono takes a month or a day of one digit too.
    let days = [
        format!("{year}-(?:0?[1-9]|1[0-2])-(?:0?[1-9]|1[0-9]|2[0-8])"),
        format!("{year}-(?:0?[13-9]|1[0-2])-(?:29|30)"),
        format!("{year}-(?:0?[13578]|1[02])-31"),
        // 29 February: leap years (2000 is one, 2100 is not).
        "20(?:[02468][048]|[13579][26])-0?2-29".to_owned(),
    ];
    string(
        format!("^[{SPACE}]*(?:{})[{SPACE}]*$", days.join("|")),
        "A day, `YYYY-MM-DD`, of the years 2000–2100.".to_owned(),
    )
}

/// The same string schema, or null (a field of a PATCH that leaves it as it is).
fn or_null(mut string: Object) -> Object {
    string.schema_type = SchemaType::from_iter([Type::String, Type::Null]);
    string
}

pub fn training_title_or_null() -> Object {
    or_null(training_title())
}

pub fn training_place_or_null() -> Object {
    or_null(training_place())
}

pub fn day_or_null() -> Object {
    or_null(day())
}

/// What `domain::consignment::Period::parse` takes (also written out in `statements` and
/// `reports`, whose parameters a test holds to it).
pub const MONTH_PATTERN: &str = "^2[0-9]{3}-(?:0[1-9]|1[0-2])$";

/// A month `YYYY-MM`, as `domain::consignment::Period::parse` takes it (years 2000–2999).
pub fn month() -> Object {
    string(MONTH_PATTERN.to_owned(), "A month, `YYYY-MM`.".to_owned())
}

#[cfg(test)]
mod tests {
    use regex::Regex;

    use super::*;
    use crate::domain::text::bounded;

    fn pattern_of(o: Object) -> Regex {
        Regex::new(o.pattern.as_deref().unwrap()).unwrap()
    }

    #[test]
    fn bounded_text_patterns_take_what_the_parser_takes() {
        for (min, max, multiline) in [(1, 5, false), (2, 5, false), (3, 6, true)] {
            let re = Regex::new(&bounded_pattern(min, max, multiline)).unwrap();
            for s in [
                "",
                "a",
                "ab",
                "abc",
                "abcd",
                "abcde",
                "abcdef",
                "  ab  ",
                " a b ",
                "\tab\n",
                "a\nb",
                "a\u{0}b",
                "a\u{85}b",
                "\u{3000}abc\u{3000}",
                "é",
                "ééé",
                "a\u{1c}",
                "\u{1c}abc",
                "a\rb",
            ] {
                assert_eq!(
                    re.is_match(s),
                    bounded(s, min, max, multiline).is_ok(),
                    "{s:?} with {min}..={max}, multiline {multiline}"
                );
            }
        }
    }

    /// Attribute values must be literals: the document's are held to the parsers' constants.
    #[test]
    fn parameters_state_the_parsers_limits() {
        let doc = serde_json::to_value(crate::api::openapi()).unwrap();
        let mut seen = (0, 0, 0);
        for item in doc["paths"].as_object().unwrap().values() {
            for op in item.as_object().unwrap().values() {
                for p in op["parameters"].as_array().into_iter().flatten() {
                    let schema = &p["schema"];
                    match p["name"].as_str().unwrap() {
                        "limit" => {
                            seen.0 += 1;
                            assert_eq!(schema["minimum"], 1);
                            assert_eq!(schema["maximum"], crate::api::pagination::MAX_LIMIT);
                        }
                        "months" => {
                            seen.1 += 1;
                            assert_eq!(schema["minimum"], 1);
                            assert_eq!(
                                schema["maximum"],
                                crate::services::reports::training::MAX_MONTHS
                            );
                        }
                        "period" | "from" | "to" => {
                            seen.2 += 1;
                            assert_eq!(schema["pattern"], MONTH_PATTERN, "{p}");
                        }
                        _ => {}
                    }
                }
            }
        }
        assert!(seen.0 >= 10 && seen.1 == 1 && seen.2 >= 5, "{seen:?}");
    }

    #[test]
    fn days_and_months_are_what_the_parsers_take() {
        let day = pattern_of(day());
        for s in [
            "2021-02-22",
            "2000-02-29",
            "2004-02-29",
            "2100-02-29",
            "2021-02-29",
            "2021-04-31",
            "2021-12-31",
            "1999-01-01",
            "2101-01-01",
            " 2021-01-01 ",
            "2021-1-01",
            "2100-12-31",
            "2021-1-1",
            "2021-2-29",
            "2024-2-29",
        ] {
            assert_eq!(
                day.is_match(s),
                crate::domain::training::parse_day(s).is_ok(),
                "{s:?}"
            );
        }
        let month = pattern_of(month());
        for s in [
            "2021-02", "2999-12", "1999-12", "2021-13", "2021-00", "2021-2", " 2021-02", "+202-02",
        ] {
            assert_eq!(
                month.is_match(s),
                crate::domain::consignment::Period::parse(s).is_ok(),
                "{s:?}"
            );
        }
    }
}
