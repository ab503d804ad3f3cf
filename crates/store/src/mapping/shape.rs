//! An event as an explicitly mapped index indexes it: each declared field's values made to
//! fit its type (`"42"` into a `long`, `12` into a `keyword`), or the event refused as
//! Elasticsearch refuses it; fields nobody declared as `dynamic` says. `_source` is never
//! changed: these are the values indexed beside it.
//!
//! What is indexed as it was sent (most strings, most numbers, fields no one declared) is
//! borrowed from the event, not copied: an index with Logstash's template indexes its
//! events nearly as cheaply as one mapped dynamically.

use std::borrow::Cow;

use serde_json::{Map, Value};

use self::fit::{fit, preview};
use super::dynamic_templates::declared_for;
use super::explicit::{Declared, Dynamic, Explicit};
use super::{coercion, Coercion, FieldKind, IndexMapping};
use crate::event::Source;

/// The values an event indexes: `words` for full text, `whole` for exact values.
#[derive(Debug, Default, PartialEq)]
pub struct Shaped<'a> {
    pub words: Entries<'a>,
    pub whole: Entries<'a>,
}

/// An object's indexed entries, in the event's order.
pub type Entries<'a> = Vec<(Cow<'a, str>, Piece<'a>)>;

/// One indexed value: a part of the event (borrowed) or one made to fit its type.
#[derive(Debug, PartialEq)]
pub enum Piece<'a> {
    /// Indexed as it was sent.
    Kept(&'a Value),
    /// A field no one declared: indexed as a dynamically mapped index takes it (its words,
    /// or its whole value with dates as instants and long strings left out).
    Dynamic(&'a Value),
    /// Made to fit (`"42"` as 42, a date as its instant, an address as its key).
    Made(Value),
    Object(Entries<'a>),
    Array(Vec<Piece<'a>>),
}

impl Piece<'_> {
    /// The same piece again (a text field's words and its `.keyword`).
    fn copy(&self) -> Self {
        match self {
            Piece::Kept(value) => Piece::Kept(value),
            Piece::Dynamic(value) => Piece::Dynamic(value),
            Piece::Made(value) => Piece::Made(value.clone()),
            Piece::Object(entries) => Piece::Object(
                entries
                    .iter()
                    .map(|(key, piece)| (key.clone(), piece.copy()))
                    .collect(),
            ),
            Piece::Array(items) => Piece::Array(items.iter().map(Piece::copy).collect()),
        }
    }

    /// The piece with its borrowed values copied (for one made from a value of its own).
    fn owned(self) -> Piece<'static> {
        match self {
            Piece::Kept(value) | Piece::Dynamic(value) => Piece::Made(value.clone()),
            Piece::Made(value) => Piece::Made(value),
            Piece::Object(entries) => Piece::Object(
                entries
                    .into_iter()
                    .map(|(key, piece)| (Cow::Owned(key.into_owned()), piece.owned()))
                    .collect(),
            ),
            Piece::Array(items) => Piece::Array(items.into_iter().map(Piece::owned).collect()),
        }
    }
}

/// Why an event does not fit its index's mapping, as Elasticsearch names it.
#[derive(Debug, Clone, PartialEq)]
pub struct Misfit {
    pub kind: &'static str,
    pub reason: String,
    /// What the value itself was found to be (Elasticsearch's `caused_by`).
    pub cause: Option<String>,
}

impl Explicit {
    /// Shapes `source` (the event with `_id` `id`) for indexing, or says why it does not fit.
    pub fn shape<'a>(&self, source: &'a Source, id: &str) -> Result<Shaped<'a>, Misfit> {
        self.shape_known(source, id, &IndexMapping::new())
    }

    /// [`Explicit::shape`] where `known` holds the fields dynamic mapping has typed
    /// already: a dynamic template takes a field only when it is first seen, as there.
    pub fn shape_known<'a>(
        &self,
        source: &'a Source,
        id: &str,
        known: &IndexMapping,
    ) -> Result<Shaped<'a>, Misfit> {
        let mut shaped = Shaped {
            words: Vec::with_capacity(source.len()),
            whole: Vec::with_capacity(source.len()),
        };
        let mut walk = Walk {
            explicit: self,
            id,
            known,
            path: String::new(),
            flattened: self.fields.values().any(|d| d.kind == FieldKind::Flattened),
            normalized: self.has_normalizers(),
        };
        walk.object(source, &mut shaped.words, &mut shaped.whole)?;
        Ok(shaped)
    }
}

struct Walk<'m> {
    explicit: &'m Explicit,
    id: &'m str,
    known: &'m IndexMapping,
    /// The dotted name of the object being walked (empty at the event's root).
    path: String,
    /// Whether any field is `flattened` (whose keys may be sent as dotted names).
    flattened: bool,
    /// Whether any field has a normalizer (its whole values are indexed normalized).
    normalized: bool,
}

/// A field's two indexed pieces: its words and its whole value.
type Pieces<'a> = (Option<Piece<'a>>, Option<Piece<'a>>);

impl Walk<'_> {
    /// The entries of the object at `self.path`.
    fn object<'a>(
        &mut self,
        object: &'a Source,
        words: &mut Entries<'a>,
        whole: &mut Entries<'a>,
    ) -> Result<(), Misfit> {
        let parent_len = self.path.len();
        for (key, value) in object {
            if parent_len > 0 {
                self.path.push('.');
            }
            self.path.push_str(key);
            let entry = self.entry(key, value, parent_len, words, whole);
            self.path.truncate(parent_len);
            entry?;
        }
        Ok(())
    }

    /// One entry `key` of the object whose name is `self.path[..parent_len]`; `self.path`
    /// is the entry's own dotted name.
    fn entry<'a>(
        &mut self,
        key: &'a str,
        value: &'a Value,
        parent_len: usize,
        words: &mut Entries<'a>,
        whole: &mut Entries<'a>,
    ) -> Result<(), Misfit> {
        let explicit = self.explicit;
        let path = self.path.as_str();
        // an object `enabled: false` holds anything, kept in `_source` only (a dotted
        // key inside one too)
        if value.is_null() || explicit.disabled_at(path) {
            return Ok(());
        }
        // a dotted key inside a flattened field (`"labels.env": "prod"`) is one of its
        // keys, as Elasticsearch expands it
        let holding = match self.flattened {
            true => explicit.flattened_holding(path),
            false => None,
        };
        if let Some((flat, declared)) = holding {
            let rest = &path[flat.len() + 1..];
            let nested = rest.rsplit('.').fold(value.clone(), |inner, key| {
                Value::Object(Map::from_iter([(key.to_string(), inner)]))
            });
            let flat = flat.to_string();
            let at = flat[parent_len + usize::from(parent_len > 0)..].to_string();
            // the field's own name in what it says of a value that does not fit
            let entry_path = std::mem::replace(&mut self.path, flat);
            let kept = self
                .leaf(declared, &nested)
                .map(|(_, kept)| kept.map(Piece::owned));
            self.path = entry_path;
            let kept = kept?;
            let held = whole.iter_mut().find(|(name, _)| *name == at);
            match (held, kept) {
                (
                    Some((_, Piece::Made(Value::Array(held)))),
                    Some(Piece::Made(Value::Array(more))),
                ) => held.extend(more),
                (_, kept) => put(whole, Cow::Owned(at), kept),
            }
            return Ok(());
        }
        let key = Cow::Borrowed(key);
        if let Some(declared) = explicit.fields.get(path) {
            let (w, h) = self.leaf(declared, value)?;
            put(words, key.clone(), w);
            put(whole, key, h);
            return Ok(());
        }
        if explicit.objects.contains_key(path) {
            let (w, h) = self.inner(value, &key)?;
            put(words, key.clone(), w);
            put(whole, key, h);
            return Ok(());
        }
        let parent = &path[..parent_len];
        match explicit.dynamic_under(parent) {
            Dynamic::True => {
                let templates = match self.known.contains_key(path) {
                    true => &[][..],
                    false => &explicit.dynamic_templates[..],
                };
                let holds_objects = match value {
                    Value::Object(_) => true,
                    Value::Array(items) => items.iter().any(Value::is_object),
                    _ => false,
                };
                match declared_for(templates, path, value) {
                    Some(declared) => {
                        let (w, h) = self.leaf(declared, value)?;
                        put(words, key.clone(), w);
                        put(whole, key, h);
                    }
                    // templates may take fields inside: walked as a declared object is
                    None if holds_objects && !templates.is_empty() => {
                        let (w, h) = self.inner(value, &key)?;
                        put(words, key.clone(), w);
                        put(whole, key, h);
                    }
                    // a field dynamic mapping typed already: its values made to fit that
                    // type where Elasticsearch would coerce them (kept as sent where it
                    // would refuse them, as in a dynamically mapped index)
                    None => match self.known.get(path) {
                        Some(kind) if coerces(*kind, value) => {
                            let (w, h) = self.leaf(&Declared::dynamic(*kind), value)?;
                            put(words, key.clone(), w);
                            put(whole, key, h);
                        }
                        _ => {
                            words.push((key.clone(), Piece::Dynamic(value)));
                            whole.push((key, Piece::Dynamic(value)));
                        }
                    },
                }
                Ok(())
            }
            Dynamic::False => Ok(()),
            Dynamic::Strict => {
                let within = if parent.is_empty() { "_doc" } else { parent };
                Err(Misfit {
                    kind: "strict_dynamic_mapping_exception",
                    reason: format!("mapping set to strict, dynamic introduction of [{key}] within [{within}] is not allowed"),
                    cause: None,
                })
            }
        }
    }

    /// A declared object's value (at `self.path`): an object, or an array of them.
    fn inner<'a>(&mut self, value: &'a Value, key: &str) -> Result<Pieces<'a>, Misfit> {
        match value {
            Value::Object(object) => {
                let (mut words, mut whole) = (
                    Vec::with_capacity(object.len()),
                    Vec::with_capacity(object.len()),
                );
                self.object(object, &mut words, &mut whole)?;
                Ok((Some(Piece::Object(words)), Some(Piece::Object(whole))))
            }
            Value::Array(items) => {
                let (mut words, mut whole) = (Vec::new(), Vec::new());
                for item in items.iter().filter(|item| !item.is_null()) {
                    let (w, h) = self.inner(item, key)?;
                    words.extend(w);
                    whole.extend(h);
                }
                Ok((Some(Piece::Array(words)), Some(Piece::Array(whole))))
            }
            _ => Err(Misfit {
                kind: "document_parsing_exception",
                reason: format!(
                    "object mapping for [{}] tried to parse field [{key}] as object, but found a concrete value",
                    self.path
                ),
                cause: None,
            }),
        }
    }

    /// A declared field's value (at `self.path`; each item of an array): its words and its
    /// whole value.
    fn leaf<'a>(&mut self, declared: &Declared, value: &'a Value) -> Result<Pieces<'a>, Misfit> {
        // `[lon, lat]` is one point, not two values; a flattened field takes any value whole
        let one_value = match declared.kind {
            FieldKind::GeoPoint => !super::geo::is_list_of_points(value),
            FieldKind::Flattened => true,
            _ => false,
        };
        if let (Value::Array(items), false) = (value, one_value) {
            let (mut words, mut whole) = (Vec::new(), Vec::new());
            for item in items.iter().filter(|item| !item.is_null()) {
                let (w, h) = self.leaf(declared, item)?;
                words.extend(w);
                whole.extend(h);
            }
            return Ok((Some(Piece::Array(words)), Some(Piece::Array(whole))));
        }
        match fit(declared, &self.path, value) {
            // what cannot be searched (`index: false`, and no doc values) is checked, and
            // kept in `_source` only; a text field's `.keyword` is a field of its own
            Ok((words, whole)) => Ok((
                words.filter(|_| declared.searchable()),
                whole
                    .filter(|_| declared.kind == FieldKind::Text || declared.searchable())
                    .map(|whole| self.normalize(declared, whole)),
            )),
            Err(_) if declared.ignore_malformed() => Ok((None, None)),
            Err(cause) => Err(self.misfit(declared, &self.path, value, cause)),
        }
    }

    /// A keyword's value (or a text field's `.keyword`) as its normalizer makes it, once
    /// `ignore_above` has been checked on the value as sent (as Elasticsearch does).
    fn normalize<'a>(&self, declared: &Declared, whole: Piece<'a>) -> Piece<'a> {
        let normalizer = match self.normalized {
            true => self.explicit.normalizer_of(declared),
            false => None,
        };
        let Some(normalizer) = normalizer else {
            return whole;
        };
        match whole {
            Piece::Kept(Value::String(text)) => match normalizer.apply(text) {
                Cow::Borrowed(_) => whole,
                Cow::Owned(made) => Piece::Made(Value::String(made)),
            },
            Piece::Made(Value::String(text)) => {
                Piece::Made(Value::String(normalizer.apply(&text).into_owned()))
            }
            other => other,
        }
    }

    /// Why `value` of the field `path` does not fit its declared type.
    fn misfit(
        &self,
        declared: &Declared,
        path: &str,
        value: &Value,
        cause: Option<String>,
    ) -> Misfit {
        Misfit {
            kind: "document_parsing_exception",
            reason: format!(
                "failed to parse field [{path}] of type [{}] in document with id '{}'. Preview of field's value: '{}'",
                declared.es_type(),
                self.id,
                preview(value)
            ),
            cause,
        }
    }
}

/// Whether a field typed `kind` by dynamic mapping takes `value` (each item of an array)
/// only once some of it is made to fit: coerced, and nothing Elasticsearch would refuse.
fn coerces(kind: FieldKind, value: &Value) -> bool {
    fn scan(kind: FieldKind, value: &Value, changed: &mut bool) -> bool {
        match value {
            Value::Array(items) => items.iter().all(|item| scan(kind, item, changed)),
            Value::Object(_) => false,
            Value::Null => true,
            leaf => match coercion(kind, leaf) {
                Coercion::AsSent => true,
                Coercion::To(_) => {
                    *changed = true;
                    true
                }
                Coercion::Unfit => false,
            },
        }
    }
    let mut changed = false;
    scan(kind, value, &mut changed) && changed
}

fn put<'a>(into: &mut Entries<'a>, key: Cow<'a, str>, piece: Option<Piece<'a>>) {
    if let Some(piece) = piece {
        into.push((key, piece));
    }
}

mod fit;
#[cfg(test)]
mod tests;
