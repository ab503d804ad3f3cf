//! What the push tail (`logdash_core::live`) needs of the store's mappings: with each
//! arriving event, the fields its index declares a type the matcher reads otherwise than
//! dynamic mapping's; before a view starts, the fields it cannot read at all.

use std::collections::{BTreeMap, BTreeSet};

use logdash_core::live::{Declared, Mapped};

use crate::mapping::explicit::{Dynamic, Explicit};
use crate::{Arrivals, Arrived, FieldKind, Source, Store};

impl Store {
    /// Tells `arrivals` of a batch of `(index, _id, _source)`, each event with what its
    /// index declares (looked up once an index of the batch).
    pub(crate) fn tell_arrivals<'a>(
        &self,
        arrivals: &Arrivals,
        batch: impl Iterator<Item = (&'a str, &'a str, &'a Source)>,
    ) {
        let batch: Vec<_> = batch.collect();
        let mut declared: Vec<(&str, Declared)> = Vec::new();
        for (index, _, _) in &batch {
            if !declared.iter().any(|(known, _)| known == index) {
                declared.push((index, self.live_declared(index)));
            }
        }
        let none = Declared::new();
        let arrived: Vec<Arrived<'_>> = batch
            .iter()
            .map(|&(index, id, source)| Arrived {
                index,
                id,
                source,
                declared: declared
                    .iter()
                    .find(|(known, _)| *known == index)
                    .map_or(&none, |(_, declared)| declared),
            })
            .collect();
        arrivals.arrived(&arrived);
    }

    /// The fields `index` declares that the live matcher reads as declared.
    pub fn live_declared(&self, index: &str) -> Declared {
        self.explicit
            .read()
            .ok()
            .and_then(|explicit| explicit.get(index).map(declared))
            .unwrap_or_default()
    }

    /// What the live matcher cannot read as the store's search does, asked when a view
    /// starts: a view naming one of `fields` (or a field inside one) is polled, and so is
    /// one with a term without a field when `every_field`.
    pub fn unmatched_fields(&self) -> Unmatched {
        let mut declared: Vec<Explicit> = self
            .templates
            .read()
            .map(|templates| templates.declared())
            .unwrap_or_default();
        if let Ok(explicit) = self.explicit.read() {
            declared.extend(explicit.values().cloned());
        }
        // `flattened` and its keys, `date_nanos`, or a field neither indexed nor with doc
        // values (a search refuses it)
        let unread: BTreeSet<String> = declared
            .iter()
            .flat_map(|explicit| explicit.fields.iter())
            .filter(|(_, field)| {
                !field.searchable()
                    || matches!(field.kind, FieldKind::DateNanos | FieldKind::Flattened)
            })
            .map(|(name, _)| name.clone())
            .collect();
        // a field typed one way in one index and another in the next: a search over both
        // reads it by one of them, the matcher each event by its own index's
        let mut kinds: BTreeMap<&str, FieldKind> = BTreeMap::new();
        let mut differing = BTreeSet::new();
        let mappings = self.mappings.read();
        for mapping in mappings.iter().flat_map(|mappings| mappings.values()) {
            for (name, kind) in mapping {
                if *kinds.entry(name).or_insert(*kind) != *kind {
                    differing.insert(name.clone());
                }
            }
        }
        Unmatched {
            every_field: !unread.is_empty(),
            fields: unread.into_iter().chain(differing).collect(),
        }
    }
}

/// What the live matcher leaves to searches ([`Store::unmatched_fields`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unmatched {
    pub fields: BTreeSet<String>,
    /// Whether a term without a field must be searched too.
    pub every_field: bool,
}

/// What an explicit mapping declares that the live matcher reads as declared.
fn declared(explicit: &Explicit) -> Declared {
    let fields = explicit.fields.iter().filter_map(|(name, field)| {
        let mapped = match field.kind {
            _ if !field.searchable() => Mapped::Unsearched,
            FieldKind::Keyword => Mapped::Keyword {
                ignore_above: field.ignore_above(),
            },
            FieldKind::Ip => Mapped::Ip,
            FieldKind::Text if !field.has_keyword() => Mapped::TextOnly,
            FieldKind::Long | FieldKind::Float => Mapped::Number,
            FieldKind::Date => Mapped::Date,
            FieldKind::GeoPoint => Mapped::Unsearched,
            _ => return None,
        };
        Some((name.clone(), mapped))
    });
    // what `dynamic` says of undeclared fields, where it is said (the root is "")
    let root = std::iter::once((String::new(), Some(explicit.dynamic)));
    let objects = explicit
        .objects
        .iter()
        .map(|(name, dynamic)| (name.clone(), *dynamic));
    let dynamics = root
        .chain(objects)
        .filter_map(|(name, dynamic)| match dynamic? {
            Dynamic::True => Some((name, Mapped::Open)),
            Dynamic::False | Dynamic::Strict => Some((name, Mapped::Closed)),
        });
    let disabled = explicit
        .disabled
        .iter()
        .map(|name| (name.clone(), Mapped::Disabled));
    let mut declared: Declared = dynamics.chain(fields).chain(disabled).collect();
    // an index open at its root says nothing the matcher needs
    if declared.get("") == Some(&Mapped::Open) {
        declared.remove("");
    }
    declared
}
