//! The differences between the schema PostgreSQL's migrations build and SQLite's, and the
//! table of those that are meant.

use std::collections::BTreeSet;

use super::catalog::{Schema, Table};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// A table only one backend has.
    Table,
    /// A column only one backend has.
    Column,
    Type,
    Nullability,
    /// A primary-key column SQLite lets hold NULL (it does unless told NOT NULL, except for
    /// an INTEGER PRIMARY KEY); PostgreSQL never does.
    NullablePrimaryKey,
    Default,
    PrimaryKey,
    /// An index (or unique constraint) only one backend has, by columns, uniqueness and
    /// predicate.
    Index,
    ForeignKey,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Difference {
    pub table: String,
    /// The column, index or foreign key; empty for a table.
    pub subject: String,
    pub kind: Kind,
    pub postgres: String,
    pub sqlite: String,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:?} {} {}: PostgreSQL {}, SQLite {}",
            self.kind, self.table, self.subject, self.postgres, self.sqlite
        )
    }
}

/// A difference that is meant, and why. `"*"` stands for any table or subject.
pub struct Intended {
    pub table: &'static str,
    pub subject: &'static str,
    pub kind: Kind,
    pub why: &'static str,
}

impl Intended {
    pub fn covers(&self, d: &Difference) -> bool {
        self.kind == d.kind
            && (self.table == "*" || self.table == d.table)
            && (self.subject == "*" || self.subject == d.subject)
    }
}

fn present(yes: bool) -> String {
    if yes { "has it" } else { "has not" }.to_owned()
}

fn shown<T: std::fmt::Debug>(value: &T) -> String {
    format!("{value:?}")
}

pub fn compare(postgres: &Schema, sqlite: &Schema) -> Vec<Difference> {
    let mut out = Vec::new();
    let names: BTreeSet<&String> = postgres.tables.keys().chain(sqlite.tables.keys()).collect();
    for name in names {
        match (postgres.tables.get(name), sqlite.tables.get(name)) {
            (Some(p), Some(s)) => compare_tables(name, p, s, &mut out),
            (p, s) => out.push(Difference {
                table: name.clone(),
                subject: String::new(),
                kind: Kind::Table,
                postgres: present(p.is_some()),
                sqlite: present(s.is_some()),
            }),
        }
    }
    out
}

fn compare_tables(name: &str, p: &Table, s: &Table, out: &mut Vec<Difference>) {
    let diff = |subject: &str, kind: Kind, postgres: String, sqlite: String| Difference {
        table: name.to_owned(),
        subject: subject.to_owned(),
        kind,
        postgres,
        sqlite,
    };
    let columns: BTreeSet<&String> = p.columns.keys().chain(s.columns.keys()).collect();
    for column in columns {
        let (pc, sc) = match (p.columns.get(column), s.columns.get(column)) {
            (Some(pc), Some(sc)) => (pc, sc),
            (pc, sc) => {
                out.push(diff(
                    column,
                    Kind::Column,
                    present(pc.is_some()),
                    present(sc.is_some()),
                ));
                continue;
            }
        };
        if pc.ty != sc.ty {
            out.push(diff(column, Kind::Type, pc.ty.clone(), sc.ty.clone()));
        }
        if pc.nullable != sc.nullable {
            let kind = if sc.nullable && sc.in_primary_key && pc.in_primary_key {
                Kind::NullablePrimaryKey
            } else {
                Kind::Nullability
            };
            out.push(diff(column, kind, shown(&pc.nullable), shown(&sc.nullable)));
        }
        if pc.default != sc.default {
            out.push(diff(
                column,
                Kind::Default,
                shown(&pc.default),
                shown(&sc.default),
            ));
        }
    }
    if p.primary_key != s.primary_key {
        out.push(diff(
            "",
            Kind::PrimaryKey,
            shown(&p.primary_key),
            shown(&s.primary_key),
        ));
    }
    for index in p.indexes.symmetric_difference(&s.indexes) {
        out.push(diff(
            &index.to_string(),
            Kind::Index,
            present(p.indexes.contains(index)),
            present(s.indexes.contains(index)),
        ));
    }
    for key in p.foreign_keys.symmetric_difference(&s.foreign_keys) {
        out.push(diff(
            &key.to_string(),
            Kind::ForeignKey,
            present(p.foreign_keys.contains(key)),
            present(s.foreign_keys.contains(key)),
        ));
    }
}
