//! `range` (and Lucene's `[a TO b]`, `>=a`): bounds read as the field's type reads them.

use std::ops::Bound;

use logdash_core::es::query::{Bound as RangeBound, Range};
use logdash_core::time::{
    parse_bound_read, parse_bound_zoned, read_iso, AnyZone, DateMathError, DatePattern,
    EpochMillis, ReadDate, Rounding,
};
use tantivy::query::{AllQuery, RangeQuery};
use tantivy::Term;

use super::single::as_compared;
use super::term::{integer_range, number_range, parse_number, string_term, Number};
use super::{exists, Context, Target, Q};
use crate::mapping::FieldKind;
use crate::Raised;
use crate::RequestError;

/// The formats that read ISO 8601 dates of any precision (and epoch milliseconds): the
/// default reading of bounds.
const ISO: &[&str] = &[
    "strict_date_optional_time",
    "date_optional_time",
    "strict_date_optional_time_nanos",
    "date_optional_time_nanos",
    "epoch_millis",
];

/// How a range's date bounds are read: by default, and in a `format` of `||`-joined
/// alternatives (each tried in turn, as Elasticsearch does).
pub(crate) enum DateFormat {
    Iso,
    Alternatives(String, Vec<Option<DatePattern>>),
}

impl DateFormat {
    pub(crate) fn of(format: Option<&str>) -> Result<DateFormat, RequestError> {
        let Some(format) = format.filter(|format| {
            !format
                .split("||")
                .all(|alternative| ISO.contains(&alternative.trim()))
        }) else {
            return Ok(DateFormat::Iso);
        };
        let alternatives = format
            .split("||")
            .map(str::trim)
            .map(|alternative| match alternative {
                // (epoch milliseconds are read as such, not as ISO 8601's alternative)
                "epoch_millis" => Ok(Some(DatePattern::EpochMillis)),
                _ if ISO.contains(&alternative) => Ok(None),
                _ => DatePattern::parse(alternative).map(Some),
            })
            .collect::<Result<Vec<_>, String>>()
            .map_err(|reason| RequestError {
                raised: Raised::Reading,
                ..RequestError::illegal_argument(reason)
            })?;
        Ok(DateFormat::Alternatives(format.to_string(), alternatives))
    }

    /// Whether dates are read in a format other than ISO 8601 and epoch milliseconds.
    pub(crate) fn is_pattern(&self) -> bool {
        matches!(self, DateFormat::Alternatives(..))
    }

    /// A date bound (date math too) in epoch milliseconds, read in this format.
    pub(crate) fn bound(
        &self,
        text: &str,
        now: EpochMillis,
        rounding: Rounding,
        zone: &AnyZone,
    ) -> Result<EpochMillis, RequestError> {
        let DateFormat::Alternatives(format, alternatives) = self else {
            return date_bound(text, now, rounding, zone);
        };
        let read = |anchor: &str| -> Option<ReadDate> {
            alternatives
                .iter()
                .find_map(|alternative| match alternative {
                    None => read_iso(anchor),
                    Some(pattern) => pattern.read(anchor),
                })
        };
        let not_in_format = |text: &str| DateMathError::NotInFormat {
            text: text.to_string(),
            format: format.clone(),
        };
        parse_bound_read(text, now, rounding, zone, &read, not_in_format).map_err(parse_error)
    }
}

pub(super) fn date_bound(
    text: &str,
    now: EpochMillis,
    rounding: Rounding,
    zone: &AnyZone,
) -> Result<EpochMillis, RequestError> {
    parse_bound_zoned(text, now, rounding, zone).map_err(parse_error)
}

fn parse_error(err: DateMathError) -> RequestError {
    RequestError {
        status: 400,
        kind: "parse_exception",
        reason: err.to_string(),
        raised: Raised::Anywhere,
    }
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
    /// The `format` dates are read in (none: ISO 8601 and epoch milliseconds).
    pub format: Option<String>,
}

pub(super) fn range(ctx: &mut Context<'_>, query: &Range) -> Result<Q, RequestError> {
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
            format: query.format.clone(),
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
        format,
    } = spec;
    match ctx.target(field)? {
        target @ (Target::Timestamp | Target::Whole(_, FieldKind::Date)) => {
            // without a format of its own, a range reads its bounds in the field's
            let format = match format {
                Some(format) => Some(format),
                None => ctx.limits.date_format(field)?.map(str::to_string),
            };
            let format = DateFormat::of(format.as_deref())?;
            let bound = |text: &str, rounding| format.bound(text, ctx.now, rounding, &zone);
            // gte/lt round down, gt/lte round up, as Elasticsearch rounds date math
            let lower = match lower {
                None => Bound::Unbounded,
                Some(text) if include_lower => Bound::Included(bound(&text, Rounding::Down)?),
                Some(text) => Bound::Excluded(bound(&text, Rounding::Up)?),
            };
            let upper = match upper {
                None => Bound::Unbounded,
                Some(text) if include_upper => Bound::Included(bound(&text, Rounding::Up)?),
                Some(text) => Bound::Excluded(bound(&text, Rounding::Down)?),
            };
            if matches!((&lower, &upper), (Bound::Unbounded, Bound::Unbounded)) {
                return Ok(match target {
                    Target::Timestamp => Box::new(AllQuery),
                    _ => exists(ctx, field),
                });
            }
            Ok(date_range(ctx.fields, &target, lower, upper))
        }
        Target::Whole(path, kind @ (FieldKind::Long | FieldKind::Float)) => {
            let bound = |text: Option<String>, inclusive: bool| -> Result<_, RequestError> {
                Ok(match text {
                    None => Bound::Unbounded,
                    Some(text) if inclusive => Bound::Included(parse_number(&text)?),
                    Some(text) => Bound::Excluded(parse_number(&text)?),
                })
            };
            let (lower, upper) = as_compared(
                ctx,
                &path,
                kind,
                bound(lower, include_lower)?,
                bound(upper, include_upper)?,
            );
            Ok(number_range(ctx.fields.kw, &path, lower, upper))
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
        Target::Whole(_, FieldKind::DateNanos)
            if matches!(DateFormat::of(format.as_deref())?, DateFormat::Alternatives(..)) =>
        {
            Err(RequestError::illegal_argument(format!(
                "a [format] other than ISO 8601 and epoch_millis for the date_nanos field [{field}] is not supported by logdash"
            )))
        }
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
