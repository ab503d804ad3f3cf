use super::*;
use crate::view::{FieldOverrides, Zone, PRESETS};

fn params(notices: &[LinkNotice]) -> Vec<&str> {
    notices.iter().map(|n| n.param.as_str()).collect()
}

#[test]
fn a_good_link_has_no_notices() {
    let (state, notices) =
        ViewState::read_link("index=app-*&q=level:ERROR&from=now-1h&refresh=10&tz=utc&theme=light&embed=1&panels=stream&f.user=client.ip");
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!(state.index, "app-*");
    assert_eq!(state.refresh, 10);
    assert!(state.zone == Zone::Utc && state.light && state.embed);
    assert_eq!(state.panels, vec![Panel::Stream]);
    assert_eq!(state.fields.user.as_deref(), Some("client.ip"));
}

#[test]
fn each_malformed_parameter_is_named_and_the_rest_of_the_view_opens() {
    let (state, notices) = ViewState::read_link(
        "q=status:500&refresh=7&from=yesterday-ish&to=&tz=mars&embed=yes&theme=pink&index=%20&panels=users,nope&f.colour=red&utm_source=chat",
    );
    assert_eq!(
        params(&notices),
        [
            "refresh",
            "from",
            "to",
            "tz",
            "embed",
            "theme",
            "index",
            "panels",
            "f.colour",
            "utm_source"
        ]
    );
    // what could be read is the view; what could not is the default
    let expected = ViewState {
        query: "status:500".into(),
        panels: vec![Panel::Users],
        ..ViewState::default()
    };
    assert_eq!(state, expected);
    let said = |param: &str| {
        notices
            .iter()
            .find(|n| n.param == param)
            .map(|n| n.message.clone())
            .unwrap_or_default()
    };
    assert!(said("refresh").contains("[7]"), "{}", said("refresh"));
    assert!(said("refresh").contains("every 5 s"));
    assert!(said("from").contains("[yesterday-ish]") && said("from").contains("now-15m"));
    assert!(said("panels").contains("[nope]"));
    assert!(said("f.colour").contains("f.latency"));
    assert!(said("utm_source").contains("no parameter [utm_source]"));
}

#[test]
fn notices_quote_at_most_sixty_characters() {
    let long = "x".repeat(5_000);
    let (_, notices) = ViewState::read_link(&format!("{long}=1&refresh={long}"));
    assert_eq!(notices.len(), 2);
    assert!(notices.iter().all(|n| n.param.chars().count() <= 61));
    assert!(notices.iter().all(|n| n.message.chars().count() < 200));
}

#[test]
fn a_short_link_is_read_apart_from_the_view() {
    assert_eq!(short_id("q=a"), None);
    let id = short_id_for("q=a", 0);
    assert_eq!(
        short_id(&format!("s={id}&from=now-24h")),
        Some(Ok(id.clone()))
    );
    let (state, notices) = ViewState::read_link(&format!("s={id}&from=now-24h"));
    assert!(notices.is_empty());
    assert_eq!(state.from, "now-24h");
    let Some(Err(notice)) = short_id("s=../../etc") else {
        panic!("a malformed id is a notice");
    };
    assert_eq!(notice.param, "s");
    assert!(notice.message.contains("[../../etc]"));
}

#[test]
fn a_short_links_own_parameters_override_the_stored_view() {
    let stored = "q=level:ERROR&from=now-1h&refresh=10";
    let link = "from=now-24h&q=";
    let state = ViewState::from_query(&format!("{stored}&{link}"));
    assert_eq!(state.from, "now-24h");
    assert_eq!(state.query, "");
    assert_eq!(state.refresh, 10);
}

#[test]
fn short_ids_are_stable_well_formed_and_distinct() {
    let id = short_id_for("q=level:ERROR", 0);
    assert_eq!(id, short_id_for("q=level:ERROR", 0));
    assert!(is_short_id(&id), "{id}");
    assert_ne!(id, short_id_for("q=level:ERROR", 1));
    let ids: std::collections::HashSet<String> = (0..2_000)
        .map(|i| short_id_for(&format!("q=user:{i}"), 0))
        .collect();
    assert_eq!(ids.len(), 2_000);
    assert!(ids.iter().all(|id| is_short_id(id)));
    assert!(!is_short_id("short"));
    assert!(!is_short_id("abcdefghij/"));
}

/// A typical view — a pattern, a query, a relative range, a refresh, a field role — links
/// in under 200 characters with its host, and reads as it was typed.
#[test]
fn a_typical_link_is_short_and_readable() {
    let state = ViewState {
        index: "logs-checkout-*".into(),
        query: "level:ERROR AND path:/api/checkout AND NOT user:healthcheck".into(),
        from: "now-24h".into(),
        refresh: 30,
        fields: FieldOverrides {
            latency: Some("event.duration".into()),
            ..FieldOverrides::default()
        },
        ..ViewState::default()
    };
    let link = format!("https://logs.example.com/?{}", state.to_query());
    assert!(link.len() < 200, "{} characters: {link}", link.len());
    assert_eq!(
        link,
        "https://logs.example.com/?index=logs-checkout-*&q=level:ERROR+AND+path:/api/checkout+AND+NOT+user:healthcheck&from=now-24h&refresh=30&f.latency=event.duration"
    );
}

#[test]
fn a_link_never_ends_in_punctuation_chat_would_drop() {
    for (query, end) in [
        ("level:", "%3A"),
        ("a.", "%2E"),
        ("x*", "%2A"),
        ("v,", "%2C"),
    ] {
        let state = ViewState {
            query: query.into(),
            ..ViewState::default()
        };
        let link = state.to_query();
        assert!(link.ends_with(end), "{link}");
        assert_eq!(ViewState::from_query(&link), state);
    }
}

/// A small deterministic generator (xorshift), so the property runs the same everywhere.
struct Random(u64);

impl Random {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn text(&mut self) -> String {
        const PIECES: [&str; 16] = [
            "a", "Z", " ", "+", "%", "&", "=", "#", "?", "é", "\"", ":", "/", "*", ".", "日",
        ];
        (0..self.below(12))
            .map(|_| PIECES[self.below(PIECES.len())])
            .collect()
    }

    fn pill(&mut self) -> crate::view::Pill {
        use crate::view::Match;
        let field = format!("f{}", self.text()).replace(['*', '?'], "");
        let matches = match self.below(3) {
            0 => Match::Is {
                field,
                value: self.text(),
            },
            1 => Match::Exists(field),
            // a query the query box's syntax reads
            _ => Match::Query(
                ["a", "level:ERROR", "(a OR b) AND c", "message:\"x y\""][self.below(4)].into(),
            ),
        };
        crate::view::Pill {
            matches,
            negated: self.below(2) == 0,
            disabled: self.below(3) == 0,
        }
    }

    fn maybe_text(&mut self) -> Option<String> {
        Some(self.text()).filter(|t| !t.is_empty())
    }

    fn state(&mut self) -> ViewState {
        let index = self.text();
        let times = ["now-15m", "now", "now-1h/h", "2025-11-25T10:00:00.000Z"];
        let mut panels: Vec<Panel> = Panel::ALL
            .into_iter()
            .filter(|_| self.below(3) > 0)
            .collect();
        if panels.is_empty() {
            panels = Panel::ALL.to_vec();
        }
        ViewState {
            // an index pattern no index can match is refused by a link: none is generated
            index: if index.trim().is_empty()
                || crate::view::index_pattern_problem(&index).is_some()
            {
                "log*".into()
            } else {
                index
            },
            query: self.text(),
            pills: (0..self.below(3)).map(|_| self.pill()).collect(),
            columns: {
                let mut columns = Vec::new();
                for _ in 0..self.below(3) {
                    let mut state = ViewState {
                        columns: std::mem::take(&mut columns),
                        ..ViewState::default()
                    };
                    state.toggle_column(&format!("c{}", self.text()).replace(',', ""));
                    columns = state.columns;
                }
                columns
            },
            from: PRESETS[self.below(PRESETS.len())].1.into(),
            to: times[self.below(times.len())].into(),
            refresh: REFRESH_CHOICES[self.below(REFRESH_CHOICES.len())],
            zone: [
                Zone::Local,
                Zone::Utc,
                Zone::Named("Europe/Berlin".into()),
                Zone::Named("-03:00".into()),
            ][self.below(4)]
            .clone(),
            fields: FieldOverrides {
                message: self.maybe_text(),
                level: self.maybe_text(),
                user: self.maybe_text(),
                latency: self.maybe_text(),
                status: self.maybe_text(),
                path: self.maybe_text(),
                request_id: self.maybe_text(),
            },
            panels,
            embed: self.below(2) == 0,
            light: self.below(2) == 0,
            event: self.maybe_text(),
        }
    }
}

#[test]
fn every_state_round_trips_through_its_link_without_notices() {
    let mut random = Random(0x5eed_1ead_u64);
    for _ in 0..5_000 {
        let state = random.state();
        let link = state.to_query();
        let (read, notices) = ViewState::read_link(&link);
        assert_eq!(read, state, "{link}");
        assert!(notices.is_empty(), "{link}: {notices:?}");
        assert!(!link.contains(' ') && !link.contains('#'), "{link}");
    }
}

#[test]
fn an_index_pattern_no_index_can_match_is_named_and_the_default_shown() {
    let (state, notices) = ViewState::read_link("index=%3Cimg%20src%3Dx%3E&q=a");
    assert_eq!(params(&notices), ["index"]);
    assert!(
        notices[0]
            .message
            .contains("holds characters no index name can"),
        "{notices:?}"
    );
    assert_eq!(state.index, ViewState::default().index);
    assert_eq!(state.query, "a");
    // a pattern's own characters are fine
    let (_, notices) = ViewState::read_link("index=logs-*,-logs-debug*,app");
    assert!(notices.is_empty(), "{notices:?}");
}

#[test]
fn a_link_to_one_event_opens_it_over_the_minutes_around_it() {
    let view = ViewState::from_query("index=logs-*&q=level:ERROR&tz=utc");
    let at = 1_764_928_800_000; // 2025-12-05T10:00:00Z
    let link = view.event_link("logs-app", "a b&c", at);
    assert_eq!(
        link.to_query(),
        "index=logs-app&q=level:ERROR&from=2025-12-05T09:55:00.000Z&to=2025-12-05T10:05:00.000Z&refresh=0&tz=utc&event=a+b%26c"
    );
    let (back, notices) = ViewState::read_link(&link.to_query());
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!(back, link);
    assert_eq!(ViewState::from_query("event=").event, None);
}

#[test]
fn columns_are_toggled_and_kept_in_the_link() {
    let mut state = ViewState::default();
    assert!(state.toggle_column("extra.user_id"));
    assert!(state.toggle_column("host"));
    assert!(
        !state.toggle_column("a,b"),
        "a comma cannot be in the link's list"
    );
    assert_eq!(state.to_query(), "cols=extra.user_id,host");
    assert_eq!(ViewState::from_query(&state.to_query()), state);
    assert!(state.toggle_column("extra.user_id"));
    assert_eq!(state.columns, ["host"]);
    // repeated or empty names in a link are read once
    let read = ViewState::from_query("cols=a,,b,a");
    assert_eq!(read.columns, ["a", "b"]);
}
