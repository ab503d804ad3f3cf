//! One event as a tantivy document: its source kept whole, its values indexed two ways.
//!
//! Only what queries read is indexed: `@timestamp` is searched, sorted and bucketed through
//! its own date field, so its text is not indexed again; numbers and booleans are matched
//! as whole values, so they are not split into words.
//!
//! The indexed views are handed to tantivy as borrowed views of the parsed event
//! ([`View`]), so building a document copies each value once, into the document itself.

use std::borrow::Cow;

use serde_json::{map, Value};
use tantivy::schema::document::{ReferenceValue, ReferenceValueLeaf};
use tantivy::TantivyDocument;

use crate::event::Source;
use crate::mapping::shape::{Entries as ShapedEntries, Piece, Shaped};
use crate::mapping::{date_millis, within_ignore_above, KEYWORD_IGNORE_ABOVE};
use crate::schema::Fields;

/// The event time's field, indexed as [`Fields::timestamp`].
const TIMESTAMP: &str = "@timestamp";

/// What an event's values are indexed from, where not the event as sent.
#[derive(Clone, Copy, Default)]
pub(crate) struct Indexed<'a> {
    /// An explicitly mapped index's: the values as its mapping made them.
    pub shaped: Option<&'a Shaped<'a>>,
    /// A dynamically mapped index's: the event with values coerced to their fields' types
    /// (`mapping::observe_coercing`), when any had to change.
    pub coerced: Option<&'a Source>,
}

pub(crate) fn build(
    fields: &Fields,
    index: &str,
    id: &str,
    sequence: u64,
    time_ms: i64,
    source: &Source,
    indexed: Indexed<'_>,
) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.index, index);
    doc.add_text(fields.id, id);
    if let Some(seq) = fields.seq {
        doc.add_u64(seq, sequence);
    }
    doc.add_date(fields.timestamp, crate::event::index_date(time_ms));
    doc.add_bytes(
        fields.source,
        &serde_json::to_vec(source).unwrap_or_default(),
    );
    match indexed.shaped {
        // an explicitly mapped index: the values as its mapping made them
        Some(shaped) => {
            doc.add_field_value(fields.text, View::shaped(&shaped.words, Purpose::Words));
            doc.add_field_value(fields.kw, View::shaped(&shaped.whole, Purpose::Kept));
        }
        None => {
            let values = indexed.coerced.unwrap_or(source);
            doc.add_field_value(fields.text, View::event(values, Purpose::Words));
            doc.add_field_value(fields.kw, View::event(values, Purpose::Whole));
        }
    }
    doc
}

/// Which of an event's values one indexed view takes.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Purpose {
    /// Strings, split into words.
    Words,
    /// Every value whole, except strings too long for a keyword.
    Whole,
    /// Every value whole as it is (values an explicit mapping has shaped already).
    Kept,
}

impl Purpose {
    /// What a field no one declared is indexed as in a shaped view of this purpose.
    fn dynamic(self) -> Purpose {
        match self {
            Purpose::Words => Purpose::Words,
            Purpose::Whole | Purpose::Kept => Purpose::Whole,
        }
    }

    /// The view of one shaped piece, in a shaped view of this purpose.
    fn of_piece<'a>(self, piece: &'a Piece<'a>) -> View<'a> {
        let (node, purpose) = match piece {
            Piece::Kept(value) => (Node::Value(value), Purpose::Kept),
            Piece::Made(value) => (Node::Value(value), Purpose::Kept),
            Piece::Dynamic(value) => (Node::Value(value), self.dynamic()),
            nested => (Node::Piece(nested), self),
        };
        View { node, purpose }
    }

    fn takes(self, value: &Value) -> bool {
        match value {
            Value::Null => false,
            Value::Bool(_) | Value::Number(_) => self != Purpose::Words,
            Value::String(s) => {
                self != Purpose::Whole || within_ignore_above(s, KEYWORD_IGNORE_ABOVE)
            }
            Value::Array(_) | Value::Object(_) => true,
        }
    }
}

/// A borrowed view of an event's values for one [`Purpose`], read by tantivy as a JSON value.
#[derive(Clone, Copy, Debug)]
struct View<'a> {
    node: Node<'a>,
    purpose: Purpose,
}

#[derive(Clone, Copy, Debug)]
enum Node<'a> {
    /// The event itself: its fields but `@timestamp`.
    Event(&'a Source),
    Value(&'a Value),
    /// An explicitly mapped event's shaped fields but `@timestamp`.
    Shaped(&'a ShapedEntries<'a>),
    /// A shaped object or array.
    Piece(&'a Piece<'a>),
}

impl<'a> View<'a> {
    fn event(source: &'a Source, purpose: Purpose) -> Self {
        View {
            node: Node::Event(source),
            purpose,
        }
    }

    fn shaped(entries: &'a ShapedEntries<'a>, purpose: Purpose) -> Self {
        View {
            node: Node::Shaped(entries),
            purpose,
        }
    }

    /// Whether the view indexes anything.
    fn takes(&self) -> bool {
        match self.node {
            Node::Value(value) => self.purpose.takes(value),
            Node::Event(_) | Node::Shaped(_) | Node::Piece(_) => true,
        }
    }
}

impl<'a> tantivy::schema::Value<'a> for View<'a> {
    type ArrayIter = Items<'a>;
    type ObjectIter = Entries<'a>;

    fn as_value(&self) -> ReferenceValue<'a, Self> {
        let purpose = self.purpose;
        let value = match self.node {
            Node::Event(source) => {
                return ReferenceValue::Object(Entries {
                    entries: Listed::Values(source.iter()),
                    purpose,
                    skip: Some(TIMESTAMP),
                })
            }
            Node::Shaped(entries) => {
                return ReferenceValue::Object(Entries {
                    entries: Listed::Pieces(entries.iter()),
                    purpose,
                    skip: Some(TIMESTAMP),
                })
            }
            Node::Piece(Piece::Object(entries)) => {
                return ReferenceValue::Object(Entries {
                    entries: Listed::Pieces(entries.iter()),
                    purpose,
                    skip: None,
                })
            }
            Node::Piece(Piece::Array(items)) => {
                return ReferenceValue::Array(Items {
                    items: Listed::Pieces(items.iter()),
                    purpose,
                })
            }
            Node::Piece(leaf) => return purpose.of_piece(leaf).as_value(),
            Node::Value(value) => value,
        };
        match value {
            Value::Array(items) => ReferenceValue::Array(Items {
                items: Listed::Values(items.iter()),
                purpose,
            }),
            Value::Object(entries) => ReferenceValue::Object(Entries {
                entries: Listed::Values(entries.iter()),
                purpose,
                skip: None,
            }),
            // a date's whole value is its instant in epoch milliseconds (ranged, sorted and
            // bucketed as a number, as Elasticsearch keeps dates); other strings stay strings
            // (tantivy would otherwise turn RFC 3339 text into dates)
            Value::String(s) => match (purpose, date_millis(s)) {
                (Purpose::Whole, Some(ms)) => ReferenceValue::Leaf(ReferenceValueLeaf::I64(ms)),
                _ => ReferenceValue::Leaf(ReferenceValueLeaf::Str(s)),
            },
            Value::Bool(b) => ReferenceValue::Leaf(ReferenceValueLeaf::Bool(*b)),
            Value::Number(n) => ReferenceValue::Leaf(number(n, purpose == Purpose::Whole)),
            Value::Null => ReferenceValue::Leaf(ReferenceValueLeaf::Null),
        }
    }
}

/// A number as indexed. Dynamic mapping makes a field of fractions a `float`, which
/// Elasticsearch keeps at single precision (`dynamic`): cut here as there.
fn number(n: &serde_json::Number, dynamic: bool) -> ReferenceValueLeaf<'static> {
    match (n.as_i64(), n.as_u64(), n.as_f64()) {
        (Some(i), _, _) => ReferenceValueLeaf::I64(i),
        (None, Some(u), _) => ReferenceValueLeaf::U64(u),
        (None, None, Some(f)) if dynamic => ReferenceValueLeaf::F64(f64::from(f as f32)),
        (None, None, Some(f)) => ReferenceValueLeaf::F64(f),
        _ => ReferenceValueLeaf::Null,
    }
}

/// An event's own values, or the pieces shaping made of them.
enum Listed<V, P> {
    Values(V),
    Pieces(P),
}

/// The values of an array that a view takes.
struct Items<'a> {
    items: Listed<std::slice::Iter<'a, Value>, std::slice::Iter<'a, Piece<'a>>>,
    purpose: Purpose,
}

impl<'a> Iterator for Items<'a> {
    type Item = View<'a>;

    fn next(&mut self) -> Option<View<'a>> {
        let purpose = self.purpose;
        match &mut self.items {
            Listed::Values(items) => items
                .map(|item| View {
                    node: Node::Value(item),
                    purpose,
                })
                .find(View::takes),
            Listed::Pieces(items) => items.map(|piece| purpose.of_piece(piece)).find(View::takes),
        }
    }
}

/// The entries of an object that a view takes.
struct Entries<'a> {
    entries: Listed<map::Iter<'a>, std::slice::Iter<'a, (Cow<'a, str>, Piece<'a>)>>,
    purpose: Purpose,
    skip: Option<&'static str>,
}

impl<'a> Iterator for Entries<'a> {
    type Item = (&'a str, View<'a>);

    fn next(&mut self) -> Option<(&'a str, View<'a>)> {
        let (purpose, skip) = (self.purpose, self.skip);
        let kept = |(key, view): &(&str, View<'_>)| Some(*key) != skip && view.takes();
        match &mut self.entries {
            Listed::Values(entries) => entries
                .map(|(key, value)| {
                    let view = View {
                        node: Node::Value(value),
                        purpose,
                    };
                    (key.as_str(), view)
                })
                .find(kept),
            Listed::Pieces(entries) => entries
                .map(|(key, piece)| (key.as_ref(), purpose.of_piece(piece)))
                .find(kept),
        }
    }
}

/// What a shaped event's two views index (words, whole), as JSON: for tests of shaping.
#[cfg(test)]
pub(crate) fn indexed_views(source: &Source, shaped: &Shaped) -> (Value, Value) {
    use tantivy::schema::document::Document;
    let (_, fields) = crate::schema::build();
    let indexed = Indexed {
        shaped: Some(shaped),
        coerced: None,
    };
    let doc = build(&fields, "logs", "id-1", 1, 0, source, indexed);
    let view = |field| {
        doc.iter_fields_and_values()
            .find(|(f, _)| *f == field)
            .map(|(_, value)| tantivy::schema::OwnedValue::from(value))
            .and_then(|value| serde_json::to_value(value).ok())
            .unwrap_or_default()
    };
    (view(fields.text), view(fields.kw))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tantivy::schema::document::Document;
    use tantivy::schema::OwnedValue;

    /// What one view of `event` indexes, as tantivy's own value.
    fn indexed(event: Value, purpose: Purpose) -> OwnedValue {
        let source = event.as_object().cloned().expect("an object");
        let (_, fields) = crate::schema::build();
        let doc = build(&fields, "logs", "id-1", 1, 0, &source, Indexed::default());
        let field = match purpose {
            Purpose::Words => fields.text,
            Purpose::Whole | Purpose::Kept => fields.kw,
        };
        doc.iter_fields_and_values()
            .find(|(f, _)| *f == field)
            .map(|(_, value)| OwnedValue::from(value))
            .expect("the view is in the document")
    }

    #[test]
    fn each_view_takes_what_its_queries_read() {
        let long = "x".repeat(KEYWORD_IGNORE_ABOVE + 1);
        // 256 characters (512 bytes): Elasticsearch counts characters, so whole
        let accented = "é".repeat(KEYWORD_IGNORE_ABOVE);
        let event = json!({
            "@timestamp": "2025-11-25T10:00:00.000Z",
            "message": long,
            "city": accented,
            "level": "INFO",
            "gone": null,
            "extra": {"status": 500, "ratio": 0.5, "cached": true, "tags": ["a", 1, null]}
        });
        let owned = |v: Value| OwnedValue::from(v);
        assert_eq!(
            indexed(event.clone(), Purpose::Words),
            owned(
                json!({"message": long, "city": accented, "level": "INFO", "extra": {"tags": ["a"]}})
            )
        );
        assert_eq!(
            indexed(event, Purpose::Whole),
            owned(json!({
                "city": accented,
                "level": "INFO",
                "extra": {"status": 500, "ratio": 0.5, "cached": true, "tags": ["a", 1]}
            }))
        );
    }
}
