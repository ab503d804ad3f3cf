//! Reading a link: the view its query string asks for, and a notice for each parameter the
//! view could not take. Whatever is wrong, the rest of the view opens. A short link
//! (`?s=<id>`) names a stored query string; its other parameters override that one
//! (`?s=<id>&from=now-24h`).

use super::{Panel, Role, ViewState, REFRESH_CHOICES};
use crate::time::{parse_date_math, Rounding};
use crate::url::parse_query;

/// The short link's parameter.
pub const SHORT: &str = "s";
/// Characters of a short link id, as the server makes them.
pub const SHORT_ID_CHARS: usize = 11;

/// One parameter of a link that the view could not take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkNotice {
    /// The parameter's name as the link spelled it.
    pub param: String,
    /// What was wrong with it, and what the view shows instead.
    pub message: String,
}

impl LinkNotice {
    pub fn new(param: &str, message: String) -> Self {
        Self {
            param: shown(param),
            message,
        }
    }
}

impl ViewState {
    /// Reads a query string: what is missing takes its default, what is malformed takes
    /// its default and a notice. A parameter given twice takes its last value, but for
    /// `fl`: each is one filter pill.
    pub fn read_link(query: &str) -> (Self, Vec<LinkNotice>) {
        let mut state = Self::default();
        let mut notices = Vec::new();
        for (key, value) in parse_query(query) {
            if let Err(message) = state.take(&key, value) {
                notices.push(LinkNotice::new(&key, message));
            }
        }
        (state, notices)
    }

    /// Sets one parameter, or says why it cannot be.
    fn take(&mut self, key: &str, value: String) -> Result<(), String> {
        let defaults = Self::default();
        match key {
            "index" if value.trim().is_empty() => {
                return Err(format!(
                    "the link's index pattern is empty: showing [{}]",
                    defaults.index
                ))
            }
            "index" => {
                if let Some(problem) = super::index_pattern_problem(&value) {
                    return Err(format!("{problem}: showing [{}]", defaults.index));
                }
                self.index = value
            }
            "q" => self.query = value,
            "cols" => {
                self.columns = Vec::new();
                for column in value.split(',').filter(|c| !c.is_empty()) {
                    if !self.columns.iter().any(|there| there == column) {
                        self.columns.push(column.to_string());
                    }
                }
            }
            super::pills::PARAM => self.pills.push(
                super::Pill::parse(&value).map_err(|why| format!("{why}: the filter is left out"))?,
            ),
            "from" => self.from = time(key, &value, &defaults.from, Rounding::Down)?,
            "to" => self.to = time(key, &value, &defaults.to, Rounding::Up)?,
            "refresh" => {
                self.refresh = value
                    .parse()
                    .ok()
                    .filter(|s| REFRESH_CHOICES.contains(s))
                    .ok_or_else(|| {
                        format!(
                            "refresh [{}] is not one of 0, 1, 5, 10, 30 or 60 seconds: refreshing every {} s",
                            shown(&value),
                            defaults.refresh
                        )
                    })?
            }
            "tz" => self.zone = super::Zone::parse(&value)?,
            "embed" => self.embed = choice(key, &value, ["0", "1"])?,
            "theme" => self.light = choice(key, &value, ["dark", "light"])?,
            "event" => self.event = Some(value).filter(|id| !id.is_empty()),
            "panels" => {
                let (known, unknown): (Vec<&str>, Vec<&str>) = value
                    .split(',')
                    .filter(|name| !name.is_empty())
                    .partition(|name| Panel::parse(name).is_some());
                if !known.is_empty() {
                    self.panels = known.into_iter().filter_map(Panel::parse).collect();
                }
                if !unknown.is_empty() {
                    return Err(format!(
                        "[{}] is not a panel (volume, users, latency, stream)",
                        shown(&unknown.join(","))
                    ));
                }
            }
            SHORT => {} // read by `short_id`
            key => {
                let slot = key
                    .strip_prefix("f.")
                    .and_then(Role::from_key)
                    .map(|role| self.fields.slot(role))
                    .ok_or_else(|| {
                        if key.starts_with("f.") {
                            format!(
                                "[{}] is not a field role ({})",
                                shown(key),
                                Role::ALL.map(|role| format!("f.{}", role.key())).join(", ")
                            )
                        } else {
                            format!("a logdash link has no parameter [{}]", shown(key))
                        }
                    })?;
                *slot = Some(value).filter(|v| !v.is_empty());
            }
        }
        Ok(())
    }
}

/// A range end the link gave: date math or an ISO time, else the default's.
fn time(key: &str, value: &str, default: &str, rounding: Rounding) -> Result<String, String> {
    match parse_date_math(value, 0, rounding) {
        Ok(_) => Ok(value.to_string()),
        Err(_) => Err(format!(
            "{key} [{}] is not a time (2025-11-25T10:00:00Z) nor date math (now-1h): showing {default}",
            shown(value)
        )),
    }
}

/// One of two spellings: the first is false, the second true.
fn choice(key: &str, value: &str, [no, yes]: [&str; 2]) -> Result<bool, String> {
    match value {
        v if v == no => Ok(false),
        v if v == yes => Ok(true),
        _ => Err(format!(
            "{key} [{}] is neither {no} nor {yes}: showing {no}",
            shown(value)
        )),
    }
}

/// The short link id a query string names: `None` without one; a malformed one is a
/// notice, and the link opens without it.
pub fn short_id(query: &str) -> Option<Result<String, LinkNotice>> {
    let (_, id) = parse_query(query)
        .into_iter()
        .rfind(|(key, _)| key == SHORT)?;
    Some(if is_short_id(&id) {
        Ok(id)
    } else {
        Err(LinkNotice::new(
            SHORT,
            format!("[{}] is not a logdash short link", shown(&id)),
        ))
    })
}

/// Whether `id` could be a short link's id (so it may go into a URL or a document id).
pub fn is_short_id(id: &str) -> bool {
    id.len() == SHORT_ID_CHARS && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The id of a short link to `state`: the same view always gets the same id, so sharing
/// it twice stores it once. `attempt` picks another id if two views ever meet on one.
pub fn short_id_for(state: &str, attempt: u32) -> String {
    const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    // FNV-1a, 64 bits: stable across builds and machines
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in attempt.to_le_bytes().iter().chain(state.as_bytes()) {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    (0..SHORT_ID_CHARS)
        .map(|_| {
            let digit = ALPHABET[(hash % 62) as usize];
            hash /= 62;
            char::from(digit)
        })
        .collect()
}

/// A value as a notice quotes it: at most 60 characters.
fn shown(text: &str) -> String {
    const MAX: usize = 60;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests;
