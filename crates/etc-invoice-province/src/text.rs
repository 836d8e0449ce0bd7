//! Positions in a rule file: byte offsets to lines, and to the key written
//! there, so that every error names its file, line and key.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::RuleBookError;

/// The line starts of one text, to turn byte offsets into 1-based lines.
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    /// The 1-based line of a byte offset.
    pub(crate) fn line(&self, offset: usize) -> u32 {
        let n = self.starts.partition_point(|s| *s <= offset);
        u32::try_from(n.max(1)).unwrap_or(u32::MAX)
    }

    /// The 1-based line of the start of a span.
    pub(crate) fn line_of<T>(&self, spanned: &Spanned<T>) -> u32 {
        self.line(spanned.span().start)
    }
}

/// Turns a TOML parser error into a [`RuleBookError`] naming the file, the
/// line and (when it can be told) the key.
pub(crate) fn toml_error(file: &str, text: &str, error: toml::de::Error) -> RuleBookError {
    let span = error.span();
    let offset = span.as_ref().map(|s| s.start);
    let line = offset.map_or(1, |o| LineIndex::new(text).line(o));
    let key = offset.and_then(|o| key_at(text, o));
    if let Some(name) = missing_field(error.message()) {
        // The span is the table missing the key; an empty one is the
        // document itself.
        let table = span.filter(|s| !s.is_empty()).and(key);
        let key = match table {
            Some(table) => format!("{table}.{name}"),
            None => name.to_owned(),
        };
        return RuleBookError::Toml {
            file: file.to_owned(),
            line,
            key: Some(key),
            source: Box::new(error),
        };
    }
    if let Some(name) = unknown_field(error.message()) {
        let key = match key {
            Some(k) if k == name || k.ends_with(&format!(".{name}")) => k,
            Some(k) => format!("{k}.{name}"),
            None => name.to_owned(),
        };
        return RuleBookError::UnknownKey {
            file: file.to_owned(),
            line,
            key,
        };
    }
    RuleBookError::Toml {
        file: file.to_owned(),
        line,
        key,
        source: Box::new(error),
    }
}

/// The field name of serde's "missing field `x`" message.
fn missing_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split_once('`').map(|(name, _)| name)
}

/// The field name of serde's "unknown field `x`, expected …" message.
fn unknown_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split_once('`').map(|(name, _)| name)
}

/// The dotted key (array indexes left out) whose key or value covers the
/// byte `offset`; for a text that does not parse, the key written on that
/// line, if any.
pub(crate) fn key_at(text: &str, offset: usize) -> Option<String> {
    match DeTable::parse(text) {
        Ok(root) => {
            let mut path = Vec::new();
            walk_table(root.get_ref(), offset, &mut path).then(|| path.join("."))
        }
        Err(_) => key_on_line(text, offset),
    }
}

fn covers<T>(s: &Spanned<T>, offset: usize) -> bool {
    let span = s.span();
    span.start <= offset && offset < span.end.max(span.start + 1)
}

/// Finds the entry at `offset`, depth first. Table spans cover only their
/// headers, so every table is searched whatever its span; a key or scalar
/// value covering the offset wins over the header of a table holding it.
fn walk_table(table: &DeTable<'_>, offset: usize, path: &mut Vec<String>) -> bool {
    for (k, v) in table.iter() {
        path.push(k.get_ref().to_string());
        if walk_value(v, offset, path) || covers(k, offset) || covers(v, offset) {
            return true;
        }
        path.pop();
    }
    false
}

fn walk_value(value: &Spanned<DeValue<'_>>, offset: usize, path: &mut Vec<String>) -> bool {
    match value.get_ref() {
        DeValue::Table(t) => walk_table(t, offset, path),
        DeValue::Array(items) => items.iter().any(|item| match item.get_ref() {
            DeValue::Table(_) | DeValue::Array(_) => walk_value(item, offset, path),
            _ => covers(item, offset),
        }),
        _ => false,
    }
}

/// `a.b` for a line `a.b = …` (or a header `[a.b]` / `[[a.b]]`).
fn key_on_line(text: &str, offset: usize) -> Option<String> {
    let start = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let line = text.get(start..)?.lines().next()?.trim();
    let key = match line.split_once('=') {
        Some((k, _)) => k.trim(),
        None => line.trim_start_matches('[').split(']').next()?.trim(),
    };
    let plausible = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ' ' | '"' | '\''));
    plausible.then(|| key.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        let text = "a = 1\nb = 2\n\nc = 3";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line(0), 1);
        assert_eq!(idx.line(5), 1);
        assert_eq!(idx.line(6), 2);
        assert_eq!(idx.line(12), 3);
        assert_eq!(idx.line(13), 4);
        assert_eq!(idx.line(999), 4);
    }

    #[test]
    fn keys_at_offsets() {
        let text = "version = 1\n[[period]]\neffective_from = 2018-01-01\n[period.timing]\neligible_after_days = -1\n";
        let at = |needle: &str| key_at(text, text.find(needle).unwrap());
        assert_eq!(at("1\n").as_deref(), Some("version"));
        assert_eq!(at("2018").as_deref(), Some("period.effective_from"));
        assert_eq!(
            at("-1").as_deref(),
            Some("period.timing.eligible_after_days")
        );
        assert_eq!(
            at("eligible").as_deref(),
            Some("period.timing.eligible_after_days")
        );
    }

    #[test]
    fn keys_on_broken_lines() {
        let text = "version = 1\n[period.timing]\neligible_after_days = = 3\n";
        let o = text.find("= 3").unwrap();
        assert_eq!(key_at(text, o).as_deref(), Some("eligible_after_days"));
        assert_eq!(key_on_line("[a.b]\n", 1).as_deref(), Some("a.b"));
        assert_eq!(key_on_line("{{{\n", 1), None);
    }
}
