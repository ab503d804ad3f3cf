//! The three chart panels: log volume by level, active users, response times.

use leptos::prelude::*;
use logdash_core::dashboard::fields::missing_hint;
use logdash_core::dashboard::panels::{PanelsData, Trend, MIN_SAMPLES};
use logdash_core::view::Role;

use super::chart::{format_value, Chart, ChartData, Series};

/// How one level group is drawn, and which level names fall into it.
struct LevelGroup {
    class: &'static str,
    color: (u8, u8, u8),
    names: &'static [&'static str],
}

const LEVELS: &[LevelGroup] = &[
    LevelGroup {
        class: "error",
        color: (248, 81, 73),
        names: &[
            "error", "err", "critical", "fatal", "crit", "emerg", "alert",
        ],
    },
    LevelGroup {
        class: "warning",
        color: (210, 153, 34),
        names: &["warning", "warn"],
    },
    LevelGroup {
        class: "info",
        color: (56, 139, 253),
        names: &["info", "information", "notice"],
    },
    LevelGroup {
        class: "debug",
        color: (139, 148, 158),
        names: &["debug", "trace"],
    },
];

pub fn level_class(level: &str) -> &'static str {
    let lower = level.to_ascii_lowercase();
    LEVELS
        .iter()
        .find(|group| group.names.contains(&lower.as_str()))
        .map_or("other", |group| group.class)
}

fn volume_chart(data: &PanelsData) -> ChartData {
    let mut series: Vec<Series> = LEVELS
        .iter()
        .map(|group| Series {
            name: group.class.to_string(),
            color: group.color,
            values: Vec::new(),
        })
        .collect();
    series.push(Series {
        name: "other".into(),
        color: (163, 113, 247),
        values: Vec::new(),
    });
    for bucket in &data.buckets {
        let mut per = vec![0u64; series.len()];
        let mut known = 0;
        for (level, count) in &bucket.levels {
            let class = level_class(level);
            let slot = series
                .iter()
                .position(|s| s.name == class)
                .unwrap_or(series.len() - 1);
            per[slot] += count;
            known += count;
        }
        // events without a level field count as "other"
        per[series.len() - 1] += bucket.count.saturating_sub(known);
        for (s, count) in series.iter_mut().zip(per) {
            s.values.push(Some(count as f64));
        }
    }
    ChartData {
        keys: keys(data),
        step_ms: data.interval_ms,
        series,
        stacked: true,
        faint: Vec::new(),
        filling: data.filling(),
        unit: "",
    }
}

fn keys(data: &PanelsData) -> Vec<i64> {
    data.buckets.iter().map(|b| b.key).collect()
}

fn users_chart(data: &PanelsData) -> ChartData {
    ChartData {
        keys: keys(data),
        step_ms: data.interval_ms,
        series: vec![Series {
            name: "users".into(),
            color: (63, 185, 80),
            values: data
                .buckets
                .iter()
                .map(|b| b.users.map(|u| u as f64))
                .collect(),
        }],
        stacked: false,
        faint: Vec::new(),
        filling: data.filling(),
        unit: "",
    }
}

fn latency_chart(data: &PanelsData) -> ChartData {
    let line =
        |name: &str,
         color,
         pick: fn(&logdash_core::dashboard::panels::Percentiles) -> Option<f64>| Series {
            name: name.to_string(),
            color,
            values: data.buckets.iter().map(|b| pick(&b.latency)).collect(),
        };
    ChartData {
        keys: keys(data),
        step_ms: data.interval_ms,
        series: vec![
            line("p50", (56, 139, 253), |p| p.p50),
            line("p95", (210, 153, 34), |p| p.p95),
            line("p99", (248, 81, 73), |p| p.p99),
        ],
        stacked: false,
        faint: data.buckets.iter().map(|b| b.timed < MIN_SAMPLES).collect(),
        filling: data.filling(),
        unit: "ms",
    }
}

/// Props shared by the panels.
#[derive(Clone, Copy)]
pub struct PanelContext {
    pub data: Signal<Option<PanelsData>>,
    pub offset: Signal<i32>,
    pub light: Signal<bool>,
    /// Which roles the panels need have no field in the data.
    pub missing: Signal<Vec<Role>>,
    /// Zooms the view to the two instants a drag across a chart spanned.
    pub zoom: Callback<(i64, i64)>,
}

#[component]
pub fn VolumePanel(ctx: PanelContext) -> impl IntoView {
    let chart = Signal::derive(move || {
        ctx.data
            .with(|d| d.as_ref().map(volume_chart).unwrap_or_default())
    });
    let total = move || {
        ctx.data.with(|d| {
            d.as_ref()
                .map_or_else(|| "–".to_string(), |d| d.total.to_string())
        })
    };
    view! {
        <section id="panel-volume" class="panel">
            <header><h2>"Log volume"</h2><span class="big" id="volume-total">{total}</span><span class="muted">" events"</span></header>
            <div class="legend">
                {LEVELS.iter().map(|group| view! { <span class=format!("key {}", group.class)>{group.class}</span> }).collect_view()}
                <span class="key other">"other"</span>
            </div>
            <Chart data=chart offset=ctx.offset light=ctx.light on_zoom=ctx.zoom />
        </section>
    }
}

#[component]
pub fn UsersPanel(ctx: PanelContext) -> impl IntoView {
    let missing = move || ctx.missing.with(|m| m.contains(&Role::User));
    let chart = Signal::derive(move || {
        ctx.data
            .with(|d| d.as_ref().map(users_chart).unwrap_or_default())
    });
    // cardinality is approximate above a few thousand: say so
    let approx = |n: u64| {
        if n > 3_000 {
            format!("≈{n}")
        } else {
            n.to_string()
        }
    };
    let total = move || {
        ctx.data.with(|d| {
            d.as_ref()
                .and_then(|d| d.users_total)
                .map(approx)
                .unwrap_or_else(|| "–".into())
        })
    };
    let recent = move || {
        ctx.data.with(|d| {
            d.as_ref()
                .and_then(|d| d.users_recent)
                .map(approx)
                .unwrap_or_else(|| "–".into())
        })
    };
    view! {
        <section id="panel-users" class="panel">
            <header>
                <h2>"Active users"</h2>
                <span class="big" id="users-total">{total}</span><span class="muted">" in range"</span>
                <span class="big" id="users-recent">{recent}</span><span class="muted">" in the last 5 min"</span>
            </header>
            <Show when=missing fallback=move || view! { <Chart data=chart offset=ctx.offset light=ctx.light on_zoom=ctx.zoom /> }>
                <Missing role=Role::User id="users-missing" />
            </Show>
        </section>
    }
}

#[component]
pub fn LatencyPanel(ctx: PanelContext) -> impl IntoView {
    let missing = move || ctx.missing.with(|m| m.contains(&Role::Latency));
    // timed requests without a status: the error rate cannot be told
    let no_status = move || ctx.missing.with(|m| m.contains(&Role::Status));
    let chart = Signal::derive(move || {
        ctx.data
            .with(|d| d.as_ref().map(latency_chart).unwrap_or_default())
    });
    let figure = move |pick: fn(&PanelsData) -> Option<f64>| {
        move || {
            ctx.data.with(|d| {
                d.as_ref()
                    .and_then(pick)
                    .map_or("–".to_string(), |v| format_value(v, "ms"))
            })
        }
    };
    let trend = move || {
        ctx.data.with(|d| match d.as_ref().map(PanelsData::trend) {
            Some(Trend::Degrading { change }) => (
                "trend bad",
                format!("▲ p95 {:.0}% worse than the period before", change * 100.0),
            ),
            Some(Trend::Better { change }) => (
                "trend good",
                format!(
                    "▼ p95 {:.0}% better than the period before",
                    -change * 100.0
                ),
            ),
            Some(Trend::Steady { change }) => (
                "trend",
                format!("p95 steady ({:+.0}% vs the period before)", change * 100.0),
            ),
            Some(Trend::Unknown) => (
                "trend",
                "not enough requests to compare with the period before".to_string(),
            ),
            // no numbers for this view (yet): nothing to compare
            None => ("trend", String::new()),
        })
    };
    let error_rate = move || {
        ctx.data.with(|d| {
            d.as_ref()
                .and_then(PanelsData::error_rate)
                .map_or("–".to_string(), |r| format!("{:.1}%", r * 100.0))
        })
    };
    // what the rate is out of: the events that carry a status, not every log line
    let error_base = move || {
        ctx.data.with(|d| {
            d.as_ref()
                .filter(|d| d.errors.is_some())
                .map(|d| match d.requests() {
                    1 => " of 1 request".to_string(),
                    n => format!(" of {n} requests"),
                })
                .unwrap_or_default()
        })
    };
    let samples = move || {
        ctx.data.with(|d| {
            d.as_ref()
                .map(|d| format!("based on {} timed requests", d.timed))
                .unwrap_or_default()
        })
    };
    view! {
        <section id="panel-latency" class="panel">
            <header>
                <h2>"Response time"</h2>
                <span class="muted">"p50 "</span><span class="big" id="latency-p50">{figure(|d| d.latency.p50)}</span>
                <span class="muted">"p95 "</span><span class="big" id="latency-p95">{figure(|d| d.latency.p95)}</span>
                <span class="muted">"p99 "</span><span class="big" id="latency-p99">{figure(|d| d.latency.p99)}</span>
                <span class="muted">"errors "</span><span class="big" id="error-rate">{error_rate}</span><span class="muted" id="error-base">{error_base}</span>
            </header>
            <Show when=missing fallback=move || view! {
                <p id="trend" class=move || trend().0>{move || trend().1}</p>
                <Chart data=chart offset=ctx.offset light=ctx.light on_zoom=ctx.zoom />
                <p class="muted small">{samples}" · faded points rest on fewer than 20 requests"</p>
                <Show when=no_status><Missing role=Role::Status id="status-missing" /></Show>
            }>
                <Missing role=Role::Latency id="latency-missing" />
            </Show>
        </section>
    }
}

/// In place of a chart whose field the data lacks: which field to log, and the Python that
/// logs it.
#[component]
fn Missing(role: Role, id: &'static str) -> impl IntoView {
    missing_hint(role).map(|hint| {
        view! {
            <div class="hint" id=id>
                <p>{hint.said}</p>
                <pre class="python">{hint.python}</pre>
                <p class="muted">"With LogstashEcsFormatter(extra_prefix=\"\"): "<code>{hint.ecs}</code></p>
            </div>
        }
    })
}
