//! The push tail's matching: whether one arriving event belongs to a view (its index
//! pattern and query text, as the stream sends them: `query_string` with `AND` over every
//! field), decided on the event's JSON alone, without a search. It follows the store's
//! reading of each clause on dynamically mapped fields: strings are text (lowercased words)
//! with an exact `.keyword`, numbers compare as numbers, date strings as instants. What it
//! cannot decide the same way (regular expressions, fuzzy terms, proximity) is refused
//! when the view is compiled, and the server polls for that view instead. Fields the
//! event's index declares `keyword`, `ip`, `text` without `.keyword`, not indexed or not
//! enabled are read as declared ([`Declared`], which the store gives with each event).

use serde_json::{Map, Value};

use crate::es::route::glob_match;
use crate::ip;
use crate::lucene::{self, DefaultOperator, Node, Value as Clause};
use crate::time::{parse_bound_zoned, parse_iso8601, EpochMillis, Fixed, Rounding};

mod field;

use field::{leaves, paths, values_at, Read, Values};
pub use field::{Declared, Mapped};

/// A view's query compiled for matching events one by one.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveQuery {
    /// The index expression's patterns (`logs-*`, or a comma list).
    indices: Vec<String>,
    node: Node,
}

impl LiveQuery {
    /// Compiles a view: its index expression and its query text. `Err` names what cannot be
    /// matched event by event (the caller then polls with searches).
    pub fn compile(index_expression: &str, query: &str) -> Result<LiveQuery, String> {
        let indices: Vec<String> = index_expression
            .split(',')
            .map(str::trim)
            .filter(|pattern| !pattern.is_empty())
            .map(str::to_string)
            .collect();
        if indices.is_empty() || indices.iter().any(|pattern| pattern.starts_with('-')) {
            return Err(format!(
                "the index expression [{index_expression}] is not one live views take"
            ));
        }
        let node = if query.trim().is_empty() {
            Node::All
        } else {
            lucene::parse(query, DefaultOperator::And).map_err(|err| err.to_string())?
        };
        supported(&node)?;
        Ok(LiveQuery { indices, node })
    }

    /// The fields its clauses name (`*` for a term without a field, which every field
    /// may hold): a view that names one an index declares a type this matcher does not
    /// read (`Store::unmatched_fields`) is decided by searching, not here.
    pub fn fields_named(&self) -> Vec<&str> {
        fn walk<'a>(node: &'a Node, out: &mut Vec<&'a str>) {
            match node {
                Node::And(nodes) | Node::Or(nodes) => nodes.iter().for_each(|n| walk(n, out)),
                Node::Not(inner) | Node::Boost(inner, _) => walk(inner, out),
                Node::Exists(field) => out.push(field),
                // a bare `*` is every event, whatever the fields
                Node::Term {
                    field: None,
                    value: Clause::Wildcard(pattern),
                } if pattern == "*" => {}
                Node::Term { field, .. } => out.push(field.as_deref().unwrap_or("*")),
                Node::All => {}
            }
        }
        let mut out = Vec::new();
        walk(&self.node, &mut out);
        out
    }

    /// Whether the event `source`, stored in `index` (whose mapping declares `declared`),
    /// belongs to this view at `now` (date math in ranges is read against it).
    pub fn matches(
        &self,
        index: &str,
        source: &Map<String, Value>,
        declared: &Declared,
        now: EpochMillis,
    ) -> bool {
        self.indices.iter().any(|pattern| {
            glob_match(pattern, index) && (pattern.starts_with('.') || !index.starts_with('.'))
        }) && node_matches(&self.node, source, declared, now)
    }
}

/// Refuses the clauses an event alone cannot decide as the store does.
fn supported(node: &Node) -> Result<(), String> {
    match node {
        Node::And(nodes) | Node::Or(nodes) => nodes.iter().try_for_each(supported),
        Node::Not(inner) | Node::Boost(inner, _) => supported(inner),
        Node::All | Node::Exists(_) => Ok(()),
        Node::Term { value, .. } => match value {
            Clause::Regex(_) => Err("regular expressions are matched by searching".into()),
            Clause::Fuzzy { .. } => Err("fuzzy terms are matched by searching".into()),
            Clause::Proximity { .. } => Err("proximity phrases are matched by searching".into()),
            Clause::Word(_) | Clause::Phrase(_) | Clause::Wildcard(_) | Clause::Range { .. } => {
                Ok(())
            }
        },
    }
}

fn node_matches(
    node: &Node,
    source: &Map<String, Value>,
    declared: &Declared,
    now: EpochMillis,
) -> bool {
    let matched = |n: &Node| node_matches(n, source, declared, now);
    match node {
        Node::All => true,
        Node::And(nodes) => nodes.iter().all(matched),
        Node::Or(nodes) => nodes.iter().any(matched),
        Node::Not(inner) => !node_matches(inner, source, declared, now),
        Node::Boost(inner, _) => node_matches(inner, source, declared, now),
        Node::Exists(field) => values_at(source, field, declared)
            .iter()
            .any(|(value, read)| read.holds(value)),
        // a field's group of words (`tags:(web auth)`): one chunk in that field's values
        Node::Term {
            field: Some(field),
            value: Clause::Word(chunk),
        } if field != "*" && chunk.contains(char::is_whitespace) => {
            chunk_in(&values_at(source, field, declared), chunk, now)
        }
        Node::Term {
            field: Some(field),
            value,
        } if field != "*" => clause_matches(&values_at(source, field, declared), value, now),
        // `*` over every field: every event
        Node::Term {
            field: None,
            value: Clause::Wildcard(pattern),
        } if pattern == "*" => true,
        // bare words side by side: one field must hold them all (an array's values are
        // one field's words, as in the store)
        Node::Term {
            field: None,
            value: Clause::Word(chunk),
        } if chunk.contains(char::is_whitespace) => chunk_matches(source, declared, chunk, now),
        // no field: every field that can hold the term (strings, numbers, booleans)
        Node::Term { value, .. } => {
            match value {
                Clause::Range { .. } => false,
                // a pattern over every field meets the words of text fields and the whole
                // values of keywords (a text field's `.keyword` too, where it has one), as
                // in the store
                Clause::Wildcard(_) => paths(source).iter().any(|path| {
                    let whole = declared.get(path.as_str()) != Some(&Mapped::TextOnly);
                    let values = values_at(source, path, declared);
                    values.iter().any(|(found, read)| match read {
                        Read::Dynamic => {
                            found.is_string()
                                && (dynamic_matches(found, value, false, now)
                                    || (whole
                                        && Read::KeywordOf.holds(found)
                                        && dynamic_matches(found, value, true, now)))
                        }
                        Read::Keyword(_) => read.holds(found) && keyword_matches(found, value),
                        _ => false,
                    })
                }),
                _ => clause_matches(&leaves(source, declared), value, now),
            }
        }
    }
}

/// A chunk of bare words (`timeout slow`) over every field, as the store reads it: some
/// text field's values together hold every word, or a field takes the chunk whole.
fn chunk_matches(
    source: &Map<String, Value>,
    declared: &Declared,
    chunk: &str,
    now: EpochMillis,
) -> bool {
    paths(source)
        .iter()
        .any(|path| chunk_in(&values_at(source, path, declared), chunk, now))
}

/// A chunk in one field's values: a text field's values together hold every word (an
/// array's values are one field's words, as in the store), or a value is the chunk whole.
fn chunk_in(values: &Values<'_>, chunk: &str, now: EpochMillis) -> bool {
    let wanted = words(chunk);
    let mut held = Vec::new();
    for (value, read) in values {
        if let (Read::Dynamic, Value::String(text)) = (read, value) {
            held.extend(words(text));
        }
    }
    (!wanted.is_empty() && wanted.iter().all(|word| held.contains(word)))
        || clause_matches(values, &Clause::Word(chunk.to_string()), now)
}

fn clause_matches(values: &Values<'_>, clause: &Clause, now: EpochMillis) -> bool {
    values.iter().any(|(value, read)| {
        read.holds(value)
            && match read {
                Read::Dynamic => dynamic_matches(value, clause, false, now),
                Read::KeywordOf => dynamic_matches(value, clause, true, now),
                Read::Keyword(_) => keyword_matches(value, clause),
                Read::Ip => ip_matches(value, clause),
                Read::Number => number_matches(value, clause),
                Read::Date => date_matches(value, clause, now),
                Read::Unsearched => false,
            }
    })
}

/// A value of a field declared a number type: a string that holds a number is read as it.
fn number_matches(value: &Value, clause: &Clause) -> bool {
    let number = match value {
        Value::String(text) => text.trim().parse::<f64>().ok(),
        other => other.as_f64(),
    };
    match number.and_then(serde_json::Number::from_f64) {
        Some(number) => dynamic_matches(&Value::Number(number), clause, false, 0),
        None => false,
    }
}

/// A value of a field declared `date`: a number is epoch milliseconds, and so is a string
/// of digits (the default format's other half).
fn date_matches(value: &Value, clause: &Clause, now: EpochMillis) -> bool {
    let millis = match value {
        Value::String(text) if parse_iso8601(text).is_some() => {
            return dynamic_matches(value, clause, false, now)
        }
        Value::String(text) => text.trim().parse::<i64>().ok(),
        Value::Number(n) => n.as_i64(),
        _ => None,
    };
    millis.is_some_and(|millis| {
        let text = crate::time::format_iso8601(millis);
        dynamic_matches(&Value::String(text), clause, false, now)
    })
}

/// A dynamically mapped value (`exact`: its `.keyword`).
fn dynamic_matches(value: &Value, clause: &Clause, exact: bool, now: EpochMillis) -> bool {
    match (value, clause) {
        (Value::String(text), Clause::Word(word)) => string_has_word(text, word, exact),
        (Value::String(text), Clause::Phrase(phrase)) => string_has_phrase(text, phrase, exact),
        (Value::String(text), Clause::Wildcard(pattern)) if exact => wildcard(pattern, text),
        (Value::String(text), Clause::Wildcard(pattern)) => {
            let pattern = pattern.to_lowercase();
            words(text).iter().any(|word| wildcard(&pattern, word))
        }
        (Value::Number(n), Clause::Word(word) | Clause::Phrase(word)) => {
            word.parse::<f64>().is_ok_and(|w| n.as_f64() == Some(w))
        }
        (Value::Bool(b), Clause::Word(word) | Clause::Phrase(word)) => word == &b.to_string(),
        (
            value,
            Clause::Range {
                lower,
                upper,
                include_lower,
                include_upper,
            },
        ) => in_range(
            value,
            (lower.as_deref(), *include_lower),
            (upper.as_deref(), *include_upper),
            now,
        ),
        _ => false,
    }
}

/// A value of a field declared `keyword`: the whole of it as text (a number or a boolean
/// is indexed as it is written), compared exactly, wildcards and ranges included.
fn keyword_matches(value: &Value, clause: &Clause) -> bool {
    let text = match value {
        Value::String(text) => text.clone(),
        Value::Number(_) | Value::Bool(_) => value.to_string(),
        _ => return false,
    };
    match clause {
        Clause::Word(word) | Clause::Phrase(word) => &text == word,
        Clause::Wildcard(pattern) => wildcard(pattern, &text),
        Clause::Range {
            lower,
            upper,
            include_lower,
            include_upper,
        } => within(
            text,
            (bound(lower), *include_lower),
            (bound(upper), *include_upper),
        ),
        _ => false,
    }
}

/// A value of a field declared `ip`: a term is an address or a CIDR block, a range's
/// bounds are addresses.
fn ip_matches(value: &Value, clause: &Clause) -> bool {
    let Some(key) = value.as_str().and_then(ip::parse).map(ip::key) else {
        return false;
    };
    match clause {
        Clause::Word(term) | Clause::Phrase(term) => {
            ip::block(term).is_ok_and(|(first, last)| first <= key && key <= last)
        }
        Clause::Range {
            lower,
            upper,
            include_lower,
            include_upper,
        } => {
            // as the store bounds it: a block's first key below, its last above (an
            // excluded bound the other way round)
            let address = |bound: Option<&str>, last: bool| match bound {
                None => Some(None),
                Some(text) => ip::block(text)
                    .ok()
                    .map(|(first, end)| Some(if last { end } else { first })),
            };
            let lower = address(bound(lower), !*include_lower);
            let upper = address(bound(upper), *include_upper);
            match (lower, upper) {
                (Some(lower), Some(upper)) => within(
                    key,
                    (lower.as_deref(), *include_lower),
                    (upper.as_deref(), *include_upper),
                ),
                _ => false,
            }
        }
        _ => false,
    }
}

/// A range's bound, `None` when open (`*` or left out).
fn bound(text: &Option<String>) -> Option<&str> {
    text.as_deref().filter(|t| *t != "*")
}

/// Whether `value` is within the bounds, as strings compare.
fn within(value: String, lower: (Option<&str>, bool), upper: (Option<&str>, bool)) -> bool {
    let value = value.as_str();
    lower.0.is_none_or(|l| l < value || (lower.1 && l == value))
        && upper.0.is_none_or(|u| value < u || (upper.1 && value == u))
}

/// A word of a query string against a string value: a date against a date, the whole
/// value against `.keyword`, else every word of it among the value's words.
fn string_has_word(text: &str, word: &str, exact: bool) -> bool {
    if let (Some(at), Some(asked)) = (parse_iso8601(text), parse_iso8601(word)) {
        return at == asked;
    }
    if exact {
        return text == word;
    }
    let have = words(text);
    let wanted = words(word);
    !wanted.is_empty() && wanted.iter().all(|w| have.contains(w))
}

/// A quoted phrase against a string value: a date against a date, the whole value against
/// `.keyword`, else its words in order among the value's.
fn string_has_phrase(text: &str, phrase: &str, exact: bool) -> bool {
    if let (Some(at), Some(asked)) = (parse_iso8601(text), parse_iso8601(phrase)) {
        return at == asked;
    }
    if exact {
        return text == phrase;
    }
    contains_run(&words(text), &words(phrase))
}

fn in_range(
    value: &Value,
    (lower, include_lower): (Option<&str>, bool),
    (upper, include_upper): (Option<&str>, bool),
    now: EpochMillis,
) -> bool {
    let (lower, upper) = (lower.filter(|t| *t != "*"), upper.filter(|t| *t != "*"));
    let ordered = |order: std::cmp::Ordering, inclusive: bool| {
        order == std::cmp::Ordering::Less || (inclusive && order == std::cmp::Ordering::Equal)
    };
    match value {
        Value::Number(n) => {
            let Some(x) = n.as_f64() else { return false };
            let number = |t: &str| t.parse::<f64>().ok();
            lower.is_none_or(|l| number(l).is_some_and(|l| ordered(l.total_cmp(&x), include_lower)))
                && upper.is_none_or(|u| {
                    number(u).is_some_and(|u| ordered(x.total_cmp(&u), include_upper))
                })
        }
        Value::String(text) => match parse_iso8601(text) {
            // a date: bounds are date math, rounded as Elasticsearch rounds each side
            Some(at) => {
                let date = |t: &str, rounding| parse_bound_zoned(t, now, rounding, &Fixed(0)).ok();
                let low = if include_lower {
                    Rounding::Down
                } else {
                    Rounding::Up
                };
                let high = if include_upper {
                    Rounding::Up
                } else {
                    Rounding::Down
                };
                lower.is_none_or(|l| {
                    date(l, low).is_some_and(|l| ordered(l.cmp(&at), include_lower))
                }) && upper.is_none_or(|u| {
                    date(u, high).is_some_and(|u| ordered(at.cmp(&u), include_upper))
                })
            }
            None => {
                lower.is_none_or(|l| ordered(l.cmp(text.as_str()), include_lower))
                    && upper.is_none_or(|u| ordered(text.as_str().cmp(u), include_upper))
            }
        },
        _ => false,
    }
}

/// The words the store's analyzer makes of a text (Elasticsearch's `standard` one).
pub fn words(text: &str) -> Vec<String> {
    crate::text::words(text)
}

/// Whether `run` appears, in order and without gaps, in `words`.
fn contains_run(words: &[String], run: &[String]) -> bool {
    !run.is_empty() && words.windows(run.len()).any(|window| window == run)
}

/// Lucene's wildcards: `*` any characters, `?` one.
fn wildcard(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    // the classic two-pointer match with backtracking to the last `*`
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == '?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((star_p, star_t)) => {
                    p = star_p + 1;
                    t = star_t + 1;
                    star = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests;
