//! What a migrated database holds, read from its own catalogue into one shape for both
//! backends: tables, columns (type, nullability, default), primary key, indexes (unique
//! constraints among them, by their columns, partial ones with their predicate) and foreign
//! keys. Column types are put in SQLite's words, as this project declares them there.

use std::collections::{BTreeMap, BTreeSet};

use diesel::prelude::*;
use diesel::sql_types::{Bool, Integer, Nullable, Text};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schema {
    pub tables: BTreeMap<String, Table>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub columns: BTreeMap<String, Column>,
    pub primary_key: Vec<String>,
    pub indexes: BTreeSet<Index>,
    pub foreign_keys: BTreeSet<ForeignKey>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// `TEXT`, `INTEGER`, `BIGINT`, `BOOLEAN`; a PostgreSQL type with no SQLite counterpart
    /// here keeps its own name (`postgres:numeric`), so it always differs.
    pub ty: String,
    /// Whether the column takes NULL. (On SQLite a primary-key column other than the rowid
    /// takes it unless declared NOT NULL.)
    pub nullable: bool,
    /// Normalised: casts dropped, booleans as 0/1, a sequence or AUTOINCREMENT as `serial`.
    pub default: Option<String>,
    pub in_primary_key: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Index {
    pub columns: Vec<String>,
    pub unique: bool,
    /// A partial index's predicate, normalised.
    pub predicate: Option<String>,
}

impl std::fmt::Display for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.unique {
            write!(f, "unique ")?;
        }
        write!(f, "({})", self.columns.join(", "))?;
        if let Some(p) = &self.predicate {
            write!(f, " where {p}")?;
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ForeignKey {
    pub columns: Vec<String>,
    pub table: String,
    pub references: Vec<String>,
    pub on_delete: String,
}

impl std::fmt::Display for ForeignKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "({}) references {} ({}) on delete {}",
            self.columns.join(", "),
            self.table,
            self.references.join(", "),
            self.on_delete
        )
    }
}

/// Tables that belong to the migration runner or the database itself, not to Kriya.
fn bookkeeping(table: &str) -> bool {
    table == "__diesel_schema_migrations" || table.starts_with("sqlite_")
}

/// `(status <> 'ended'::text)` and `status <> 'ended'` alike become `status <> 'ended'`;
/// `false`/`true` become `0`/`1`.
pub fn normalise_expression(expr: &str) -> String {
    let mut out = String::new();
    let mut rest = expr.trim();
    while let Some(at) = rest.find("::") {
        out.push_str(&rest[..at]);
        // A cast names a type: letters, digits, underscores and spaces ("character varying").
        let after = &rest[at + 2..];
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ' '))
            .unwrap_or(after.len());
        rest = &after[end..];
    }
    out.push_str(rest);
    let mut s = out.split_whitespace().collect::<Vec<_>>().join(" ");
    while s.starts_with('(') && s.ends_with(')') && encloses(&s) {
        s = s[1..s.len() - 1].trim().to_owned();
    }
    match s.to_ascii_lowercase().as_str() {
        "false" => "0".to_owned(),
        "true" => "1".to_owned(),
        _ => s,
    }
}

/// Whether the first parenthesis of `s` closes at its last character.
fn encloses(s: &str) -> bool {
    let mut depth = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return i == s.len() - 1;
                }
            }
            _ => {}
        }
    }
    false
}

/// PostgreSQL's type name in the words the SQLite migrations use for the same column.
fn sqlite_word_for(pg_type: &str) -> String {
    match pg_type {
        "uuid" | "text" | "timestamp with time zone" | "jsonb" => "TEXT".to_owned(),
        "bigint" => "BIGINT".to_owned(),
        "integer" => "INTEGER".to_owned(),
        "boolean" => "BOOLEAN".to_owned(),
        other => format!("postgres:{other}"),
    }
}

#[derive(QueryableByName)]
struct PgColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Bool)]
    nullable: bool,
    #[diesel(sql_type = Nullable<Text>)]
    column_default: Option<String>,
}

#[derive(QueryableByName)]
struct PgIndex {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    columns: String,
    #[diesel(sql_type = Bool)]
    is_unique: bool,
    #[diesel(sql_type = Bool)]
    is_primary: bool,
    #[diesel(sql_type = Nullable<Text>)]
    predicate: Option<String>,
}

#[derive(QueryableByName)]
struct PgForeignKey {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    columns: String,
    #[diesel(sql_type = Text)]
    ref_table: String,
    #[diesel(sql_type = Text)]
    ref_columns: String,
    #[diesel(sql_type = Text)]
    on_delete: String,
}

fn split_list(list: &str) -> Vec<String> {
    list.split('\u{1f}')
        .map(|c| c.trim_matches('"').to_owned())
        .collect()
}

/// The schema in the connection's `current_schema()`.
pub fn read_postgres(conn: &mut PgConnection) -> Schema {
    let columns: Vec<PgColumn> = diesel::sql_query(
        "SELECT c.table_name::text AS table_name, c.column_name::text AS column_name, \
                c.data_type::text AS data_type, c.is_nullable = 'YES' AS nullable, \
                c.column_default::text AS column_default \
         FROM information_schema.columns c \
         JOIN information_schema.tables t \
           ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
         WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'",
    )
    .load(conn)
    .expect("read PostgreSQL columns");
    let indexes: Vec<PgIndex> = diesel::sql_query(
        "SELECT t.relname::text AS table_name, \
                array_to_string(ARRAY(SELECT pg_get_indexdef(ix.indexrelid, k, true) \
                    FROM generate_series(1, ix.indnkeyatts::int) k ORDER BY k), chr(31)) AS columns, \
                ix.indisunique AS is_unique, ix.indisprimary AS is_primary, \
                pg_get_expr(ix.indpred, ix.indrelid) AS predicate \
         FROM pg_index ix \
         JOIN pg_class t ON t.oid = ix.indrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE n.nspname = current_schema()",
    )
    .load(conn)
    .expect("read PostgreSQL indexes");
    let foreign_keys: Vec<PgForeignKey> = diesel::sql_query(
        "SELECT t.relname::text AS table_name, \
                array_to_string(ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, o) \
                    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o), chr(31)) AS columns, \
                r.relname::text AS ref_table, \
                array_to_string(ARRAY(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(n, o) \
                    JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o), chr(31)) AS ref_columns, \
                CASE c.confdeltype WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' \
                    WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' ELSE 'SET DEFAULT' END AS on_delete \
         FROM pg_constraint c \
         JOIN pg_class t ON t.oid = c.conrelid \
         JOIN pg_class r ON r.oid = c.confrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE c.contype = 'f' AND n.nspname = current_schema()",
    )
    .load(conn)
    .expect("read PostgreSQL foreign keys");

    let mut schema = Schema::default();
    for c in columns.into_iter().filter(|c| !bookkeeping(&c.table_name)) {
        let default = c.column_default.map(|d| {
            if d.starts_with("nextval(") {
                "serial".to_owned()
            } else {
                normalise_expression(&d)
            }
        });
        schema
            .tables
            .entry(c.table_name)
            .or_default()
            .columns
            .insert(
                c.column_name,
                Column {
                    ty: sqlite_word_for(&c.data_type),
                    nullable: c.nullable,
                    default,
                    in_primary_key: false,
                },
            );
    }
    for i in indexes.into_iter().filter(|i| !bookkeeping(&i.table_name)) {
        let table = schema.tables.entry(i.table_name).or_default();
        let columns = split_list(&i.columns);
        if i.is_primary {
            for c in &columns {
                if let Some(col) = table.columns.get_mut(c) {
                    col.in_primary_key = true;
                }
            }
            table.primary_key = columns;
        } else {
            table.indexes.insert(Index {
                columns,
                unique: i.is_unique,
                predicate: i.predicate.as_deref().map(normalise_expression),
            });
        }
    }
    for f in foreign_keys
        .into_iter()
        .filter(|f| !bookkeeping(&f.table_name))
    {
        schema
            .tables
            .entry(f.table_name)
            .or_default()
            .foreign_keys
            .insert(ForeignKey {
                columns: split_list(&f.columns),
                table: f.ref_table,
                references: split_list(&f.ref_columns),
                on_delete: f.on_delete,
            });
    }
    schema
}

#[derive(QueryableByName)]
struct SqliteTable {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    sql: String,
}

#[derive(QueryableByName)]
struct SqliteColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    declared: String,
    #[diesel(sql_type = Bool)]
    not_null: bool,
    #[diesel(sql_type = Nullable<Text>)]
    dflt_value: Option<String>,
    #[diesel(sql_type = Integer)]
    pk: i32,
}

#[derive(QueryableByName)]
struct SqliteIndex {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Bool)]
    is_unique: bool,
    #[diesel(sql_type = Text)]
    origin: String,
    #[diesel(sql_type = Bool)]
    partial: bool,
    #[diesel(sql_type = Nullable<Text>)]
    sql: Option<String>,
}

#[derive(QueryableByName)]
struct SqliteIndexColumn {
    #[diesel(sql_type = Nullable<Text>)]
    name: Option<String>,
}

#[derive(QueryableByName)]
struct SqliteForeignKey {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Text)]
    ref_table: String,
    #[diesel(sql_type = Text)]
    column: String,
    #[diesel(sql_type = Nullable<Text>)]
    ref_column: Option<String>,
    #[diesel(sql_type = Text)]
    on_delete: String,
}

/// What follows the last `WHERE` of a `CREATE INDEX` statement.
fn predicate_of(sql: &str) -> Option<String> {
    let upper = sql.to_ascii_uppercase();
    let at = upper.rfind(" WHERE ").or_else(|| upper.rfind("\nWHERE "))?;
    Some(normalise_expression(&sql[at + " WHERE ".len()..]))
}

pub fn read_sqlite(conn: &mut SqliteConnection) -> Schema {
    let tables: Vec<SqliteTable> =
        diesel::sql_query("SELECT name, sql FROM sqlite_schema WHERE type = 'table' ORDER BY name")
            .load(conn)
            .expect("read SQLite tables");
    let mut schema = Schema::default();
    for t in tables.into_iter().filter(|t| !bookkeeping(&t.name)) {
        let mut table = Table::default();
        let columns: Vec<SqliteColumn> = diesel::sql_query(
            "SELECT name, type AS declared, \"notnull\" AS not_null, dflt_value, pk \
             FROM pragma_table_info(?1)",
        )
        .bind::<Text, _>(&t.name)
        .load(conn)
        .expect("read SQLite columns");
        let mut key: Vec<(i32, String)> = columns
            .iter()
            .filter(|c| c.pk > 0)
            .map(|c| (c.pk, c.name.clone()))
            .collect();
        key.sort();
        table.primary_key = key.into_iter().map(|(_, name)| name).collect();
        // The one column of an INTEGER PRIMARY KEY is the rowid: never NULL, and with
        // AUTOINCREMENT a new row takes the next number never given before.
        let rowid = match &table.primary_key[..] {
            [only] => columns
                .iter()
                .find(|c| &c.name == only && c.declared.eq_ignore_ascii_case("INTEGER"))
                .map(|c| c.name.clone()),
            _ => None,
        };
        let autoincrement = t.sql.to_ascii_uppercase().contains("AUTOINCREMENT");
        for c in columns {
            let is_rowid = rowid.as_deref() == Some(c.name.as_str());
            let default = if is_rowid && autoincrement {
                Some("serial".to_owned())
            } else {
                c.dflt_value.as_deref().map(normalise_expression)
            };
            table.columns.insert(
                c.name,
                Column {
                    ty: c.declared.to_ascii_uppercase(),
                    nullable: !c.not_null && !is_rowid,
                    default,
                    in_primary_key: c.pk > 0,
                },
            );
        }
        let indexes: Vec<SqliteIndex> = diesel::sql_query(
            "SELECT l.name, l.\"unique\" AS is_unique, l.origin, l.partial, s.sql \
             FROM pragma_index_list(?1) l LEFT JOIN sqlite_schema s ON s.name = l.name",
        )
        .bind::<Text, _>(&t.name)
        .load(conn)
        .expect("read SQLite indexes");
        for i in indexes.into_iter().filter(|i| i.origin != "pk") {
            let columns: Vec<SqliteIndexColumn> =
                diesel::sql_query("SELECT name FROM pragma_index_info(?1) ORDER BY seqno")
                    .bind::<Text, _>(&i.name)
                    .load(conn)
                    .expect("read SQLite index columns");
            table.indexes.insert(Index {
                columns: columns
                    .into_iter()
                    .map(|c| c.name.unwrap_or_else(|| "<expression>".to_owned()))
                    .collect(),
                unique: i.is_unique,
                predicate: if i.partial {
                    i.sql.as_deref().and_then(predicate_of)
                } else {
                    None
                },
            });
        }
        let fk_rows: Vec<SqliteForeignKey> = diesel::sql_query(
            "SELECT id, \"table\" AS ref_table, \"from\" AS column, \"to\" AS ref_column, on_delete \
             FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
        )
        .bind::<Text, _>(&t.name)
        .load(conn)
        .expect("read SQLite foreign keys");
        let mut by_id: BTreeMap<i32, ForeignKey> = BTreeMap::new();
        for f in fk_rows {
            let key = by_id.entry(f.id).or_insert_with(|| ForeignKey {
                columns: Vec::new(),
                table: f.ref_table.clone(),
                references: Vec::new(),
                on_delete: f.on_delete.clone(),
            });
            key.columns.push(f.column);
            key.references
                .push(f.ref_column.unwrap_or_else(|| "<primary key>".to_owned()));
        }
        table.foreign_keys = by_id.into_values().collect();
        schema.tables.insert(t.name, table);
    }
    schema
}

#[cfg(test)]
mod tests {
    use super::normalise_expression;

    #[test]
    fn expressions_lose_casts_parentheses_and_spacing() {
        assert_eq!(
            normalise_expression("(status <> 'ended'::text)"),
            "status <> 'ended'"
        );
        assert_eq!(
            normalise_expression("status <>  'ended'"),
            "status <> 'ended'"
        );
        assert_eq!(normalise_expression("(NOT fanned_out)"), "NOT fanned_out");
        assert_eq!(normalise_expression("''::text"), "''");
        assert_eq!(normalise_expression("false"), "0");
        assert_eq!(normalise_expression("(a) AND (b)"), "(a) AND (b)");
    }
}
