//! A view's whole state — what people set in the dashboard — and its URL query string.
//! Every view is a link: `ViewState::from_query(state.to_query())` gives the same view,
//! and a typical one stays short and readable enough to paste into chat.

mod link;
pub mod pills;
mod range;
mod role;
mod zone;

pub use link::{is_short_id, short_id, short_id_for, LinkNotice, SHORT};
pub use pills::{Match, Pill, Search};
pub use range::MIN_SPAN_MS;
pub use role::Role;
pub use zone::Zone;

use crate::time::{parse_date_math, EpochMillis, Rounding};
use crate::url::encode;

/// Relative presets offered in the time picker: (label, `from` expression).
pub const PRESETS: &[(&str, &str)] = &[
    ("Last 5 minutes", "now-5m"),
    ("Last 15 minutes", "now-15m"),
    ("Last 60 minutes", "now-1h"),
    ("Last 24 hours", "now-24h"),
    ("Last 7 days", "now-7d"),
];

/// Refresh choices in seconds (0 is off).
pub const REFRESH_CHOICES: &[u32] = &[0, 1, 5, 10, 30, 60];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Panel {
    Volume,
    Users,
    Latency,
    Stream,
}

impl Panel {
    pub const ALL: [Panel; 4] = [Panel::Volume, Panel::Users, Panel::Latency, Panel::Stream];

    pub fn name(&self) -> &'static str {
        match self {
            Panel::Volume => "volume",
            Panel::Users => "users",
            Panel::Latency => "latency",
            Panel::Stream => "stream",
        }
    }

    fn parse(name: &str) -> Option<Panel> {
        Panel::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// Which field holds what; `None` means "detect from the data".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldOverrides {
    pub message: Option<String>,
    pub level: Option<String>,
    pub user: Option<String>,
    pub latency: Option<String>,
    pub status: Option<String>,
    pub path: Option<String>,
    pub request_id: Option<String>,
}

impl FieldOverrides {
    /// The field chosen for `role`, if one is.
    pub fn slot(&mut self, role: Role) -> &mut Option<String> {
        match role {
            Role::Message => &mut self.message,
            Role::Level => &mut self.level,
            Role::User => &mut self.user,
            Role::Latency => &mut self.latency,
            Role::Status => &mut self.status,
            Role::Path => &mut self.path,
            Role::RequestId => &mut self.request_id,
        }
    }

    /// The field chosen for `role`.
    pub fn get(&self, role: Role) -> Option<&String> {
        match role {
            Role::Message => self.message.as_ref(),
            Role::Level => self.level.as_ref(),
            Role::User => self.user.as_ref(),
            Role::Latency => self.latency.as_ref(),
            Role::Status => self.status.as_ref(),
            Role::Path => self.path.as_ref(),
            Role::RequestId => self.request_id.as_ref(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewState {
    /// Index pattern(s), as Elasticsearch takes them (`log*`, `a,b`).
    pub index: String,
    /// Lucene query syntax; empty matches everything.
    pub query: String,
    /// Filters beside the query, in the order they were added.
    pub pills: Vec<Pill>,
    /// Fields shown as columns of the stream, in order (none: time, level, message only).
    pub columns: Vec<String>,
    /// Range start: date math (`now-15m`) or an ISO time.
    pub from: String,
    /// Range end: `now` or an ISO time.
    pub to: String,
    /// Seconds between refreshes; 0 is off.
    pub refresh: u32,
    /// The zone times are shown and bucketed in.
    pub zone: Zone,
    pub fields: FieldOverrides,
    pub panels: Vec<Panel>,
    /// Only the panels, for iframes.
    pub embed: bool,
    pub light: bool,
    /// The `_id` of one event of `index` to open (a link to that event).
    pub event: Option<String>,
}

impl Default for ViewState {
    fn default() -> Self {
        Self {
            index: "log*".to_string(),
            query: String::new(),
            pills: Vec::new(),
            columns: Vec::new(),
            from: "now-15m".to_string(),
            to: "now".to_string(),
            refresh: 5,
            zone: Zone::Local,
            fields: FieldOverrides::default(),
            panels: Panel::ALL.to_vec(),
            embed: false,
            light: false,
            event: None,
        }
    }
}

impl ViewState {
    /// Reads a query string; what is missing or malformed takes its default (see
    /// `read_link` for what was wrong).
    pub fn from_query(query: &str) -> Self {
        Self::read_link(query).0
    }

    /// The query string for this view: only what differs from the defaults, in a fixed order.
    pub fn to_query(&self) -> String {
        let defaults = Self::default();
        let mut pairs: Vec<(String, String)> = Vec::new();
        let mut add = |key: &str, value: String| pairs.push((key.to_string(), value));
        if self.index != defaults.index {
            add("index", self.index.clone());
        }
        if !self.query.is_empty() {
            add("q", self.query.clone());
        }
        for pill in &self.pills {
            add(pills::PARAM, pill.to_param());
        }
        if !self.columns.is_empty() {
            add("cols", self.columns.join(","));
        }
        if self.from != defaults.from {
            add("from", self.from.clone());
        }
        if self.to != defaults.to {
            add("to", self.to.clone());
        }
        if self.refresh != defaults.refresh {
            add("refresh", self.refresh.to_string());
        }
        if let Some(zone) = self.zone.param() {
            add("tz", zone.to_string());
        }
        for role in Role::ALL {
            if let Some(value) = self.fields.get(role) {
                add(&format!("f.{}", role.key()), value.clone());
            }
        }
        if self.panels != defaults.panels {
            add(
                "panels",
                self.panels
                    .iter()
                    .map(Panel::name)
                    .collect::<Vec<_>>()
                    .join(","),
            );
        }
        if self.embed {
            add("embed", "1".into());
        }
        if self.light {
            add("theme", "light".into());
        }
        if let Some(event) = &self.event {
            add("event", event.clone());
        }
        let mut query = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        // chat apps leave a link's last period or colon out of it: escape that one
        if let Some(last) = query.pop() {
            match last {
                '.' | ',' | ':' | '*' | '~' => query.push_str(&format!("%{:02X}", last as u8)),
                other => query.push(other),
            }
        }
        query
    }

    /// What the view searches for: its query text and its pills.
    pub fn search(&self) -> Search {
        Search {
            text: self.query.clone(),
            pills: self.pills.clone(),
        }
    }

    /// Shows `field` as a stream column (at the end), or stops showing it. A name with a
    /// comma cannot be one (the link lists columns with commas): `false`, nothing changed.
    pub fn toggle_column(&mut self, field: &str) -> bool {
        if field.is_empty() || field.contains(',') {
            return false;
        }
        match self.columns.iter().position(|column| column == field) {
            Some(at) => {
                self.columns.remove(at);
            }
            None => self.columns.push(field.to_string()),
        }
        true
    }

    /// Adds a filter pill; one that matches what a pill there matches takes its place (so
    /// clicking "+" then "−" on a value inverts its pill instead of adding a second).
    pub fn add_pill(&mut self, pill: Pill) {
        self.pills.retain(|there| there.matches != pill.matches);
        self.pills.push(pill);
    }

    /// Puts `pill` in the place of the one at `at` (edited), keeping it off if that one
    /// was, and leaves out any other that matches what it matches; past the end, adds it.
    pub fn replace_pill(&mut self, at: usize, mut pill: Pill) {
        let Some(old) = self.pills.get(at) else {
            return self.add_pill(pill);
        };
        pill.disabled |= old.disabled;
        let matches = pill.matches.clone();
        self.pills[at] = pill;
        let mut place = 0;
        self.pills.retain(|there| {
            place += 1;
            place - 1 == at || there.matches != matches
        });
    }

    /// The range as absolute epoch milliseconds at `now` (`None` when it cannot be read).
    pub fn range_at(&self, now: EpochMillis) -> Option<(EpochMillis, EpochMillis)> {
        let from = parse_date_math(&self.from, now, Rounding::Down).ok()?;
        let to = parse_date_math(&self.to, now, Rounding::Up).ok()?;
        (from < to).then_some((from, to))
    }

    /// Whether the range moves with the clock.
    pub fn is_relative(&self) -> bool {
        self.from.starts_with("now") || self.to.starts_with("now")
    }

    /// The same view with its range pinned to absolute times (for "share as it is now").
    pub fn pinned(&self, now: EpochMillis) -> Self {
        let mut pinned = self.clone();
        if let Some((from, to)) = self.range_at(now) {
            pinned.from = crate::time::format_iso8601(from);
            pinned.to = crate::time::format_iso8601(to);
        }
        pinned
    }

    /// The range in words: a preset's label, else `from → to` as the link has them.
    pub fn range_label(&self) -> String {
        match PRESETS
            .iter()
            .find(|(_, from)| *from == self.from && self.to == "now")
        {
            Some((label, _)) => (*label).to_string(),
            None => format!("{} → {}", self.from, self.to),
        }
    }

    /// A link to one event: its index, its `_id`, the five minutes either side of its
    /// time (`at`, epoch milliseconds), no refresh; the rest of this view as it is.
    pub fn event_link(&self, index: &str, id: &str, at: EpochMillis) -> ViewState {
        const AROUND_MS: EpochMillis = 5 * 60_000;
        ViewState {
            index: index.to_string(),
            from: crate::time::format_iso8601(at - AROUND_MS),
            to: crate::time::format_iso8601(at + AROUND_MS),
            refresh: 0,
            event: Some(id.to_string()),
            ..self.clone()
        }
    }

    pub fn shows(&self, panel: &Panel) -> bool {
        self.panels.contains(panel)
    }
}

/// Why no index can match `pattern`, if none can: it holds a character that Elasticsearch
/// allows in no index name (`*` and `,` are the pattern's own).
pub fn index_pattern_problem(pattern: &str) -> Option<String> {
    const NEVER: [char; 9] = ['\\', '/', '?', '"', '<', '>', '|', ' ', '#'];
    let found: String = NEVER.iter().filter(|c| pattern.contains(**c)).collect();
    (!found.is_empty()).then(|| {
        let shown: String = pattern.chars().take(60).collect();
        format!("the index pattern [{shown}] holds characters no index name can ({found})")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_make_an_empty_query_string() {
        assert_eq!(ViewState::default().to_query(), "");
        assert_eq!(ViewState::from_query(""), ViewState::default());
    }

    #[test]
    fn round_trips_every_setting() {
        let state = ViewState {
            index: "logs-*,logstash-*".into(),
            query: "level:ERROR AND \"connection refused\" & 100%".into(),
            pills: vec![
                Pill::new(Match::Exists("user".into()), true),
                Pill::parse("~extra.path:/a b&c").expect("a pill"),
            ],
            columns: vec!["extra.user_id".into(), "host.name".into()],
            from: "2025-11-25T10:00:00.000Z".into(),
            to: "2025-11-25T11:00:00.000Z".into(),
            refresh: 30,
            zone: Zone::Named("America/Argentina/Buenos_Aires".into()),
            fields: FieldOverrides {
                user: Some("client.ip".into()),
                latency: Some("event.duration".into()),
                ..Default::default()
            },
            panels: vec![Panel::Latency, Panel::Users],
            embed: true,
            light: true,
            event: Some("AZx-1_q".into()),
        };
        assert_eq!(ViewState::from_query(&state.to_query()), state);
    }

    #[test]
    fn round_trips_generated_states() {
        let texts = ["", "a", "a b", "é", "x=y&z", "%41", "+", "now-7d", "*:*"];
        for (i, q) in texts.iter().enumerate() {
            for (j, index) in texts
                .iter()
                .enumerate()
                .filter(|(_, t)| !t.trim().is_empty() && index_pattern_problem(t).is_none())
            {
                let state = ViewState {
                    query: q.to_string(),
                    index: index.to_string(),
                    refresh: REFRESH_CHOICES[(i + j) % REFRESH_CHOICES.len()],
                    zone: [Zone::Local, Zone::Utc, Zone::Named("+05:30".into())][(i + j) % 3]
                        .clone(),
                    panels: Panel::ALL[..1 + (i % 4)].to_vec(),
                    ..ViewState::default()
                };
                assert_eq!(ViewState::from_query(&state.to_query()), state);
            }
        }
    }

    #[test]
    fn bad_values_fall_back_to_defaults() {
        let state = ViewState::from_query("refresh=7&panels=nope&index=&from=");
        assert_eq!(state, ViewState::default());
    }

    #[test]
    fn ranges_are_said_in_words() {
        assert_eq!(ViewState::default().range_label(), "Last 15 minutes");
        let pinned = ViewState::default().pinned(1_764_040_200_000);
        assert_eq!(
            pinned.range_label(),
            "2025-11-25T02:55:00.000Z → 2025-11-25T03:10:00.000Z"
        );
        let odd = ViewState {
            from: "now-2h".into(),
            ..ViewState::default()
        };
        assert_eq!(odd.range_label(), "now-2h → now");
    }

    #[test]
    fn pinning_turns_relative_into_absolute() {
        let state = ViewState::default();
        let pinned = state.pinned(1_764_040_200_000);
        assert_eq!(pinned.from, "2025-11-25T02:55:00.000Z");
        assert_eq!(pinned.to, "2025-11-25T03:10:00.000Z");
        assert!(!pinned.is_relative());
        assert_eq!(
            pinned.range_at(0),
            Some((1_764_039_300_000, 1_764_040_200_000))
        );
    }
}
