//! Writing answers back into a scenario file's text: each answer becomes an entry of the
//! entity's `facts`, inserted or replaced with `toml_edit` so that comments, ordering and
//! formatting stay byte-for-byte as they were outside the changed values.
//!
//! This is a function from text to text; the caller writes the result (atomically).

use std::fmt;
use toml_edit::{DocumentMut, InlineTable, Item, Table, TableLike, Value};

/// One fact to set: `[[<kind>]]` with `id = "<entity>"` gets `facts.<fact> = <value>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// `actor`, `model`, `system` or `deployment`: the array of tables the entity is in.
    pub kind: String,
    pub entity: String,
    pub fact: String,
    /// The value as TOML text (`3.3e22`, `"eu"`, `2025-09-01`, `["eu", "us"]`).
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WriteBackError {
    /// The file is not TOML this editor can read (e.g. it changed since it was loaded).
    Parse(String),
    /// No `[[kind]]` entry has this id (any more).
    NoEntity { kind: String, entity: String },
    /// `facts` of the entity is not a table.
    FactsNotTable { entity: String },
    /// The value text is not a TOML value (a bug: values are produced by `answer::toml_text`).
    BadValue(String),
}

impl fmt::Display for WriteBackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteBackError::Parse(e) => write!(f, "the scenario file cannot be edited: {e}"),
            WriteBackError::NoEntity { kind, entity } => {
                write!(f, "no `[[{kind}]]` with id `{entity}` in the scenario file")
            }
            WriteBackError::FactsNotTable { entity } => {
                write!(f, "`facts` of `{entity}` is not a table")
            }
            WriteBackError::BadValue(v) => write!(f, "`{v}` is not a TOML value"),
        }
    }
}

impl std::error::Error for WriteBackError {}

/// Applies the edits to a scenario file's text; the text is unchanged outside the facts set.
pub fn apply(text: &str, edits: &[Edit]) -> Result<String, WriteBackError> {
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| WriteBackError::Parse(e.message().to_string()))?;
    for e in edits {
        let value: Value = e
            .value
            .parse()
            .map_err(|_| WriteBackError::BadValue(e.value.clone()))?;
        let no_entity = || WriteBackError::NoEntity {
            kind: e.kind.clone(),
            entity: e.entity.clone(),
        };
        let entry = doc.get_mut(&e.kind).ok_or_else(no_entity)?;
        let table: &mut dyn TableLike = find_entity(entry, &e.entity).ok_or_else(no_entity)?;
        set_fact(table, e, value)?;
    }
    Ok(doc.to_string())
}

fn has_id(t: &dyn TableLike, id: &str) -> bool {
    t.get("id")
        .and_then(|v| v.as_value())
        .and_then(Value::as_str)
        == Some(id)
}

/// The table of the entity with this id, in `[[kind]]` tables or an array of inline tables.
fn find_entity<'a>(entry: &'a mut Item, id: &str) -> Option<&'a mut dyn TableLike> {
    match entry {
        Item::ArrayOfTables(aot) => aot
            .iter_mut()
            .find(|t| has_id(*t, id))
            .map(|t| t as &mut dyn TableLike),
        Item::Value(Value::Array(arr)) => arr.iter_mut().find_map(|v| match v {
            Value::InlineTable(t) if has_id(t, id) => Some(t as &mut dyn TableLike),
            _ => None,
        }),
        _ => None,
    }
}

fn set_fact(entity: &mut dyn TableLike, e: &Edit, mut value: Value) -> Result<(), WriteBackError> {
    let not_table = || WriteBackError::FactsNotTable {
        entity: e.entity.clone(),
    };
    let Some(facts) = entity.get_mut("facts") else {
        // No `facts` yet: add `facts = { <fact> = <value> }` after the entity's last key.
        let mut t = InlineTable::new();
        t.insert(e.fact.as_str(), value);
        entity.insert("facts", Item::Value(Value::InlineTable(t)));
        return Ok(());
    };
    match facts {
        Item::Value(Value::InlineTable(t)) => {
            if let Some(old) = t.get_mut(&e.fact) {
                *value.decor_mut() = old.decor().clone();
                *old = value;
                return Ok(());
            }
            // The space before `}` belongs to the last value; move it to the new last value so
            // `{ a = 1 }` becomes `{ a = 1, b = 2 }`, not `{ a = 1 , b = 2 }`.
            let mut suffix = None;
            if let Some((_, last)) = t.iter_mut().last() {
                suffix = last.decor().suffix().cloned();
                last.decor_mut().set_suffix("");
            }
            if let Some(s) = suffix {
                value.decor_mut().set_suffix(s);
            }
            t.insert(e.fact.as_str(), value);
            Ok(())
        }
        Item::Table(t) => {
            set_in_table(t, &e.fact, value);
            Ok(())
        }
        _ => Err(not_table()),
    }
}

fn set_in_table(t: &mut Table, key: &str, mut value: Value) {
    if let Some(Item::Value(old)) = t.get_mut(key) {
        *value.decor_mut() = old.decor().clone();
        *old = value;
        return;
    }
    t.insert(key, Item::Value(value));
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn edit(kind: &str, entity: &str, fact: &str, value: &str) -> Edit {
        Edit {
            kind: kind.into(),
            entity: entity.into(),
            fact: fact.into(),
            value: value.into(),
        }
    }

    #[test]
    fn inline_tables_gain_an_entry_without_stray_spaces() {
        let text = "[[actor]]\nid = \"a\"  # who\nfacts = { x = 1, y = \"eu\" }   # tail\n";
        let out = apply(text, &[edit("actor", "a", "z", "3.3e22")]).unwrap();
        assert_eq!(
            out,
            "[[actor]]\nid = \"a\"  # who\nfacts = { x = 1, y = \"eu\", z = 3.3e22 }   # tail\n"
        );
    }

    #[test]
    fn sub_tables_and_missing_facts() {
        let text =
            "[[model]]\nid = \"m\"\n[model.facts]\nk = 1 # c\n\n# next\n[[model]]\nid = \"n\"\n";
        let out = apply(
            text,
            &[
                edit("model", "m", "d", "2025-01-02"),
                edit("model", "n", "s", "[\"eu\"]"),
            ],
        )
        .unwrap();
        assert_eq!(
            out,
            "[[model]]\nid = \"m\"\n[model.facts]\nk = 1 # c\nd = 2025-01-02\n\n# next\n[[model]]\nid = \"n\"\nfacts = { s = [\"eu\"] }\n"
        );
    }

    #[test]
    fn replacing_keeps_the_surrounding_spaces() {
        let text = "[[actor]]\nid = \"a\"\nfacts = { x =  1 , y = 2 }\n";
        let out = apply(text, &[edit("actor", "a", "x", "5")]).unwrap();
        assert_eq!(out, "[[actor]]\nid = \"a\"\nfacts = { x =  5 , y = 2 }\n");
    }

    #[test]
    fn unknown_entity_is_an_error() {
        let err = apply("[[actor]]\nid = \"a\"\n", &[edit("actor", "b", "x", "1")]);
        assert!(matches!(err, Err(WriteBackError::NoEntity { .. })));
    }
}
