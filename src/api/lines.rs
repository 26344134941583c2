//! The `items` list of a stock or money request: 1–100 lines (or fewer), each parsed on its own (fields
//! named `items[i].…`), a variant on at most one line.

use uuid::Uuid;

use crate::domain::validation::Violations;

pub const MAX_LINES: usize = 100;

/// Parses every line with `parse(i, line, violations)`; `variant` names the line's variant
/// for the duplicate check (lines without one are not checked).
pub fn parse_lines<T, U>(
    items: Option<Vec<T>>,
    v: &mut Violations,
    parse: impl FnMut(usize, T, &mut Violations) -> Option<U>,
    variant: impl Fn(&U) -> Option<Uuid>,
) -> Vec<U> {
    parse_lines_up_to(MAX_LINES, items, v, parse, variant)
}

/// `parse_lines` for a list of at most `max` lines.
pub fn parse_lines_up_to<T, U>(
    max: usize,
    items: Option<Vec<T>>,
    v: &mut Violations,
    mut parse: impl FnMut(usize, T, &mut Violations) -> Option<U>,
    variant: impl Fn(&U) -> Option<Uuid>,
) -> Vec<U> {
    let list = match items {
        Some(list) if !list.is_empty() && list.len() <= max => list,
        _ => {
            v.add("items", format!("must list 1 to {max} lines"));
            return Vec::new();
        }
    };
    let mut out: Vec<U> = Vec::with_capacity(list.len());
    for (i, line) in list.into_iter().enumerate() {
        if let Some(parsed) = parse(i, line, v) {
            if variant(&parsed).is_some_and(|id| out.iter().any(|o| variant(o) == Some(id))) {
                v.add(
                    format!("items[{i}].variant_id"),
                    "is on another line already",
                );
            }
            out.push(parsed);
        }
    }
    out
}
