//! `range` (and Lucene's `[a TO b]`, `>=a`): bounds read as the field's type reads them.

use std::ops::Bound;

use logdash_core::es::query::{Bound as RangeBound, Range};
use logdash_core::time::{parse_bound_zoned, AnyZone, EpochMillis, Rounding};
use tantivy::query::{AllQuery, RangeQuery};
use tantivy::Term;

use super::term::{integer_range, number_range, parse_number, string_term, Number};
use super::{exists, Context, Target, Q};
use crate::mapping::FieldKind;
use crate::Raised;
use crate::RequestError;

/// Date formats logdash reads in bounds.
const FORMATS: &[&str] = &[
    "strict_date_optional_time",
    "epoch_millis",
    "strict_date_optional_time||epoch_millis",
    "date_optional_time",
];

pub(super) fn date_bound(
    text: &str,
    now: EpochMillis,
    rounding: Rounding,
    zone: &AnyZone,
) -> Result<EpochMillis, RequestError> {
    parse_bound_zoned(text, now, rounding, zone).map_err(|err| RequestError {
        status: 400,
        kind: "parse_exception",
        reason: err.to_string(),
        raised: Raised::Anywhere,
    })
}

/// Instants of a date field between two bounds: `@timestamp`'s own terms, or a date's epoch
/// milliseconds in `kw`.
pub(super) fn date_range(
    fields: &crate::schema::Fields,
    target: &Target,
    lower: Bound<EpochMillis>,
    upper: Bound<EpochMillis>,
) -> Q {
    match target {
        Target::Whole(path, _) => {
            let number = |bound: Bound<EpochMillis>| bound.map(Number::Int);
            number_range(fields.kw, path, number(lower), number(upper))
        }
        _ => {
            let term = |bound: Bound<EpochMillis>| {
                bound
                    .map(|ms| Term::from_field_date(fields.timestamp, crate::event::index_date(ms)))
            };
            Box::new(RangeQuery::new(term(lower), term(upper)))
        }
    }
}

/// A `time_zone` (UTC when there is none): a fixed offset or an IANA name.
pub(super) fn zone_of(zone: Option<&str>) -> Result<AnyZone, RequestError> {
    let Some(zone) = zone else {
        return Ok(AnyZone::UTC);
    };
    AnyZone::parse(zone)
        .ok_or_else(|| RequestError::illegal_argument(format!("Unknown time-zone ID: {zone}")))
}

/// A range's bounds as written, before they are read as dates, numbers or strings.
pub(super) struct RangeSpec {
    pub lower: Option<String>,
    pub include_lower: bool,
    pub upper: Option<String>,
    pub include_upper: bool,
    /// The zone of dates without an offset, and of rounding.
    pub zone: AnyZone,
}

pub(super) fn range(ctx: &mut Context<'_>, query: &Range) -> Result<Q, RequestError> {
    if let Some(format) = &query.format {
        if !FORMATS.contains(&format.as_str()) {
            return Err(RequestError::illegal_argument(format!(
                "date format [{format}] is not supported: logdash reads ISO 8601 dates, date math and epoch_millis"
            )));
        }
    }
    let zone = zone_of(query.time_zone.as_deref())?;
    let text = |bound: &Option<RangeBound>| bound.as_ref().map(|b| b.value.to_string());
    let inclusive = |bound: &Option<RangeBound>| bound.as_ref().is_none_or(|b| b.inclusive);
    range_for(
        ctx,
        &query.field,
        RangeSpec {
            lower: text(&query.lower),
            include_lower: inclusive(&query.lower),
            upper: text(&query.upper),
            include_upper: inclusive(&query.upper),
            zone,
        },
    )
}

pub(super) fn range_for(
    ctx: &mut Context<'_>,
    field: &str,
    spec: RangeSpec,
) -> Result<Q, RequestError> {
    let RangeSpec {
        lower,
        include_lower,
        upper,
        include_upper,
        zone,
    } = spec;
    match ctx.target(field)? {
        target @ (Target::Timestamp | Target::Whole(_, FieldKind::Date)) => {
            // gte/lt round down, gt/lte round up, as Elasticsearch rounds date math
            let lower = match lower {
                None => Bound::Unbounded,
                Some(text) if include_lower => {
                    Bound::Included(date_bound(&text, ctx.now, Rounding::Down, &zone)?)
                }
                Some(text) => Bound::Excluded(date_bound(&text, ctx.now, Rounding::Up, &zone)?),
            };
            let upper = match upper {
                None => Bound::Unbounded,
                Some(text) if include_upper => {
                    Bound::Included(date_bound(&text, ctx.now, Rounding::Up, &zone)?)
                }
                Some(text) => Bound::Excluded(date_bound(&text, ctx.now, Rounding::Down, &zone)?),
            };
            if matches!((&lower, &upper), (Bound::Unbounded, Bound::Unbounded)) {
                return Ok(match target {
                    Target::Timestamp => Box::new(AllQuery),
                    _ => exists(ctx, field),
                });
            }
            Ok(date_range(ctx.fields, &target, lower, upper))
        }
        Target::Whole(path, FieldKind::Long | FieldKind::Float) => {
            let bound = |text: Option<String>, inclusive: bool| -> Result<_, RequestError> {
                Ok(match text {
                    None => Bound::Unbounded,
                    Some(text) if inclusive => Bound::Included(parse_number(&text)?),
                    Some(text) => Bound::Excluded(parse_number(&text)?),
                })
            };
            Ok(number_range(
                ctx.fields.kw,
                &path,
                bound(lower, include_lower)?,
                bound(upper, include_upper)?,
            ))
        }
        Target::Whole(path, FieldKind::Text) => {
            let bound = |text: Option<String>, inclusive: bool| {
                let Some(text) = text else {
                    return Ok(Bound::Unbounded);
                };
                let term = string_term(ctx.fields.kw, &path, &ctx.limits.normalize(&path, &text)?);
                Ok::<_, RequestError>(match inclusive {
                    true => Bound::Included(term),
                    false => Bound::Excluded(term),
                })
            };
            let (lower, upper) = (bound(lower, include_lower)?, bound(upper, include_upper)?);
            if matches!((&lower, &upper), (Bound::Unbounded, Bound::Unbounded)) {
                return Ok(exists(ctx, field));
            }
            Ok(Box::new(RangeQuery::new(lower, upper)))
        }
        // to the nanosecond; date math rounds as for dates
        Target::Whole(path, FieldKind::DateNanos) => {
            let bound = |text: Option<String>, inclusive: bool, lower: bool| {
                let Some(text) = text else {
                    return Ok(Bound::Unbounded);
                };
                let rounding = if inclusive == lower {
                    Rounding::Down
                } else {
                    Rounding::Up
                };
                let at = crate::nanos::bound(&text, ctx.now, rounding, &zone)?;
                Ok::<_, RequestError>(if inclusive {
                    Bound::Included(at)
                } else {
                    Bound::Excluded(at)
                })
            };
            let lower = bound(lower, include_lower, true)?;
            let upper = bound(upper, include_upper, false)?;
            if matches!((&lower, &upper), (Bound::Unbounded, Bound::Unbounded)) {
                return Ok(exists(ctx, field));
            }
            Ok(integer_range(ctx.fields.kw, &path, lower, upper))
        }
        // addresses: from the first key of the lower one to the last of the upper one
        Target::Whole(path, FieldKind::Ip) => {
            let key = |text: &str, last: bool| -> Result<String, RequestError> {
                let (first, end) = crate::ip::query_block(text)?;
                Ok(if last { end } else { first })
            };
            let term = |key: String| string_term(ctx.fields.kw, &path, &key);
            let lower = match lower {
                None => Bound::Unbounded,
                Some(text) if include_lower => Bound::Included(term(key(&text, false)?)),
                Some(text) => Bound::Excluded(term(key(&text, true)?)),
            };
            let upper = match upper {
                None => Bound::Unbounded,
                Some(text) if include_upper => Bound::Included(term(key(&text, true)?)),
                Some(text) => Bound::Excluded(term(key(&text, false)?)),
            };
            if matches!((&lower, &upper), (Bound::Unbounded, Bound::Unbounded)) {
                return Ok(exists(ctx, field));
            }
            Ok(Box::new(RangeQuery::new(lower, upper)))
        }
        Target::Unmapped(_) => Ok(Box::new(tantivy::query::EmptyQuery)),
        Target::Text(path) => Err(RequestError::illegal_argument(format!(
            "range queries on text field [{path}] are not supported; use [{path}.keyword]"
        ))),
        Target::Whole(path, kind) => Err(RequestError::illegal_argument(format!(
            "range queries on {} field [{path}] are not supported",
            kind.es_type()
        ))),
        Target::Index | Target::Id => Err(RequestError::illegal_argument(format!(
            "range queries on [{field}] are not supported"
        ))),
    }
}
