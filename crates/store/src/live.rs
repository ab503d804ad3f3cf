//! What the push tail (`logdash_core::live`) needs of the store's mappings: with each
//! arriving event, the fields its index declares a type the matcher reads otherwise than
//! dynamic mapping's; before a view starts, the fields it cannot read at all.

use std::collections::BTreeSet;

use logdash_core::live::{Declared, Mapped};

use crate::mapping::explicit::Explicit;
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

    /// The fields an index or a template declares a type the live matcher does not read
    /// (`flattened` and its keys, `date_nanos`, or a field neither indexed nor with doc
    /// values, which a search refuses): a view that names one, or searches every field
    /// while there is one of the first two, is polled.
    pub fn unmatched_fields(&self) -> BTreeSet<String> {
        let mut declared: Vec<Explicit> = self
            .templates
            .read()
            .map(|templates| templates.declared())
            .unwrap_or_default();
        if let Ok(explicit) = self.explicit.read() {
            declared.extend(explicit.values().cloned());
        }
        declared
            .iter()
            .flat_map(|explicit| explicit.fields.iter())
            .filter(|(_, field)| {
                !field.searchable()
                    || matches!(field.kind, FieldKind::DateNanos | FieldKind::Flattened)
            })
            .map(|(name, _)| name.clone())
            .collect()
    }
}

/// What an explicit mapping declares that the live matcher reads as declared.
fn declared(explicit: &Explicit) -> Declared {
    let fields = explicit.fields.iter().filter_map(|(name, field)| {
        let mapped = match field.kind {
            _ if !field.searchable() => Mapped::Unsearched,
            FieldKind::Keyword => Mapped::Keyword,
            FieldKind::Ip => Mapped::Ip,
            FieldKind::Text if !field.has_keyword() => Mapped::TextOnly,
            FieldKind::GeoPoint => Mapped::Unsearched,
            _ => return None,
        };
        Some((name.clone(), mapped))
    });
    let disabled = explicit
        .disabled
        .iter()
        .map(|name| (name.clone(), Mapped::Disabled));
    fields.chain(disabled).collect()
}
