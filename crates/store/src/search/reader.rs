//! What a sort key reads of each event: its column, and of an event with several values
//! the one it sorts by, or what of them (`mode`), as Elasticsearch's `MultiValueMode` makes it.

use super::*;
use logdash_core::es::search::SortMode;

pub(super) enum Reader {
    Timestamp(Column<tantivy::DateTime>),
    /// A number field's column, and which of an event's values it sorts by, or what of them.
    Number(Column<u64>, ColumnType, Pick),
    /// A whole-string field's column, its values picked as [`Reader::Number`]'s.
    Text(StrColumn, bool),
    /// `_doc`: the indexing order, or where the event lies in stores without it.
    Doc(SegmentOrdinal, Option<Column<u64>>),
    /// `_score` beside other keys: the event's score, as the search gives it.
    Score,
    Missing,
}

impl Reader {
    pub(super) fn value(&self, doc: DocId, score: Score) -> SortValue {
        match self {
            Reader::Timestamp(column) => column.first(doc).map_or(SortValue::Missing, |d| {
                SortValue::Int(d.into_timestamp_millis())
            }),
            // the u64 form keeps each type's order, so the pick is made on it
            Reader::Number(column, kind, Pick::Combined(mode, single)) => {
                combined(column.values_for_doc(doc), *kind, *mode, *single)
            }
            Reader::Number(column, kind, Pick::One(largest, single)) => {
                match (pick(column.values_for_doc(doc), *largest), kind) {
                    (None, _) => SortValue::Missing,
                    (Some(raw), ColumnType::I64) => SortValue::Int(i64::from_u64(raw)),
                    (Some(raw), ColumnType::U64) => SortValue::Int(raw.min(i64::MAX as u64) as i64),
                    (Some(raw), ColumnType::Bool) => SortValue::Int(i64::from(bool::from_u64(raw))),
                    (Some(raw), _) if *single => {
                        SortValue::Float(shortest_single(f64::from_u64(raw)))
                    }
                    (Some(raw), _) => SortValue::Float(f64::from_u64(raw)),
                }
            }
            Reader::Text(column, largest) => {
                let mut text = String::new();
                match pick(column.term_ords(doc), *largest) {
                    Some(ord) if column.ord_to_str(ord, &mut text).unwrap_or(false) => {
                        SortValue::Text(text)
                    }
                    _ => SortValue::Missing,
                }
            }
            Reader::Doc(_, Some(seq)) => seq
                .first(doc)
                .map_or(SortValue::Missing, |seq| SortValue::Int(seq as i64)),
            Reader::Doc(segment, None) => {
                SortValue::Int((i64::from(*segment) << 32) | i64::from(doc))
            }
            Reader::Score => SortValue::Float(f64::from(score)),
            Reader::Missing => SortValue::Missing,
        }
    }
}

/// Which of an event's values a number key sorts by (the largest when the first flag is
/// `true`), or what of them (`avg`, `sum`, `median`); the last flag is true for a `float`
/// field, whose sort values Elasticsearch writes as singles.
#[derive(Debug, Clone, Copy)]
pub(super) enum Pick {
    One(bool, bool),
    Combined(SortMode, bool),
}

/// A `float`'s value written as Java writes a single: its shortest decimal.
pub(super) fn shortest_single(value: f64) -> f64 {
    (value as f32).to_string().parse().unwrap_or(value)
}

/// An event's values made one as `mode` says, as Elasticsearch's `MultiValueMode` does:
/// whole numbers (longs, dates, flags) rounded half up, a `float`'s at single precision.
fn combined(
    values: impl Iterator<Item = u64>,
    kind: ColumnType,
    mode: SortMode,
    single: bool,
) -> SortValue {
    let whole = !matches!(kind, ColumnType::F64);
    let mut numbers: Vec<f64> = values
        .map(|raw| match kind {
            ColumnType::I64 => i64::from_u64(raw) as f64,
            ColumnType::U64 => raw as f64,
            ColumnType::Bool => f64::from(u8::from(bool::from_u64(raw))),
            _ => f64::from_u64(raw),
        })
        .collect();
    if numbers.is_empty() {
        return SortValue::Missing;
    }
    let count = numbers.len() as f64;
    let sum = || numbers.iter().sum::<f64>();
    let value = match mode {
        SortMode::Sum => sum(),
        SortMode::Median => {
            numbers.sort_by(f64::total_cmp);
            let middle = numbers.len() / 2;
            match numbers.len() % 2 {
                1 => numbers[middle],
                _ => (numbers[middle - 1] + numbers[middle]) / 2.0,
            }
        }
        _ => sum() / count,
    };
    match (whole, single) {
        // Java's Math.round: half up, towards positive infinity
        (true, _) => SortValue::Int((value + 0.5).floor() as i64),
        (false, true) => SortValue::Float(shortest_single(value)),
        (false, false) => SortValue::Float(value),
    }
}

/// The largest or the smallest of an event's values (`None` when it has none).
fn pick<T: Ord>(values: impl Iterator<Item = T>, largest: bool) -> Option<T> {
    if largest {
        values.max()
    } else {
        values.min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn longs(values: &[i64]) -> impl Iterator<Item = u64> + '_ {
        values.iter().map(|v| v.to_u64())
    }

    #[test]
    fn values_combine_as_elasticsearch_multi_value_mode_does() {
        let long = |values: &[i64], mode| combined(longs(values), ColumnType::I64, mode, false);
        // half up, towards positive infinity, as Java's Math.round
        assert_eq!(long(&[1, 2], SortMode::Avg), SortValue::Int(2));
        assert_eq!(long(&[-3, -2], SortMode::Avg), SortValue::Int(-2));
        assert_eq!(long(&[-1, -2, 10, 7], SortMode::Median), SortValue::Int(3));
        assert_eq!(long(&[5, 1, 9], SortMode::Median), SortValue::Int(5));
        assert_eq!(long(&[-1, -2, 10, 7], SortMode::Sum), SortValue::Int(14));
        assert_eq!(long(&[], SortMode::Sum), SortValue::Missing);
        let floats = |values: &[f64], single| {
            let raw: Vec<u64> = values.iter().map(|v| v.to_u64()).collect();
            combined(raw.into_iter(), ColumnType::F64, SortMode::Sum, single)
        };
        assert_eq!(floats(&[0.1, 0.2], true), SortValue::Float(0.3));
        assert_eq!(floats(&[0.1, 0.2], false), SortValue::Float(0.1 + 0.2));
        let flags = [true, false].map(|b| b.to_u64());
        assert_eq!(
            combined(flags.into_iter(), ColumnType::Bool, SortMode::Avg, false),
            SortValue::Int(1)
        );
    }
}
