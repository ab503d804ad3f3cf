//! The dashboard screen: top bar, the three chart panels and the live stream. One
//! `_msearch` per refresh feeds the panels; the stream polls on its own, so neither
//! waits on the other. A backend that fails keeps the last data and is retried.

mod embed;
mod event;
mod fields;
mod freshness;
mod keys;
mod push;
mod report;
mod stream;

use leptos::html::Input;
use leptos::prelude::*;
use leptos::task::spawn_local;
use logdash_core::dashboard::fields::LatencyUnit;
use logdash_core::dashboard::panels::{PanelsData, PanelsRequest};
use logdash_core::dashboard::tail::{Row, RowFields, Tail};
use logdash_core::es::ShardGaps;
use logdash_core::lucene;
use logdash_core::time::spans_days;
use logdash_core::view::Panel;

use crate::api;
use crate::components::backend_status::{BackendBanner, BackendLine};
use crate::components::investigate_box::{toggle, InvestigateBox};
use crate::components::link_notices::LinkNotices;
use crate::components::panels::{LatencyPanel, PanelContext, UsersPanel, VolumePanel};
use crate::components::pills::Pills;
use crate::components::shards_notice::ShardsNotice;
use crate::components::stream::Stream;
use crate::components::top_bar::TopBar;
use crate::error::AppError;
use crate::marks::{self, Moment};
use crate::state::ViewSignal;
use crate::timefmt;
use event::OpenEvent;
use fields::{resolve_fields, FieldsCache};
use freshness::{use_arrivals, Freshness, HeldBackNote};
use keys::{use_keys, Keys, LineKey};
use push::use_push;
use report::report;
use stream::{poll_stream, use_older};

/// Lines the stream holds, and how far back each poll looks again for late lines.
const STREAM_CAPACITY: usize = 100_000;
const OVERLAP_MS: i64 = 30_000;
const PAGE: usize = 500;

#[component]
pub fn Dashboard() -> impl IntoView {
    let view = expect_context::<ViewSignal>();
    let state = view.get;
    let endpoints = LocalResource::new(api::endpoints);
    // read once: awaiting the `endpoints` resource here would run it again when that
    // resolves (the cluster was asked twice); `api::endpoints` keeps its answer
    let info = LocalResource::new(|| async {
        let endpoints = api::endpoints().await;
        api::cluster_info(&endpoints).await
    });

    let fields: FieldsCache = RwSignal::new(None);
    // the numbers shown always belong to the view shown: a new view clears them
    let panels = RwSignal::new(None::<PanelsData>);
    // shards the stream's latest answers left out
    let stream_gaps = RwSignal::new(None::<ShardGaps>);
    let query_error = RwSignal::new(None::<String>);
    let backend_error = RwSignal::new(None::<AppError>);
    let last_updated = RwSignal::new(None::<i64>);
    let tick = RwSignal::new(0u64);
    let tail = StoredValue::new_local(Tail::new(STREAM_CAPACITY, OVERLAP_MS, PAGE));
    let tail_version = RwSignal::new(0u64);
    let follow = RwSignal::new(true);
    let selected = RwSignal::new(None::<Row>);
    let cursor = RwSignal::new(None::<LineKey>);
    // the investigation tool open ("values", "saved", "export", "patterns"…; "" for none): see InvestigateBox
    let tool = RwSignal::new("");
    let generation = StoredValue::new(0u64);
    // the generation whose panels are being asked for (0: none): the timer waits for it,
    // so a cluster slower than the interval has its answer, or its time-out, shown
    let pending = StoredValue::new(0u64);
    let tail_key = StoredValue::new(String::new());
    // where the stream's text comes from, as last resolved (for older pages)
    let stream_fields = StoredValue::new(RowFields::default());
    let loading_older = RwSignal::new(false);
    // the view whose stream is being polled, if a poll is under way
    let stream_busy = StoredValue::new(None::<String>);
    let failures = StoredValue::new(0u32);
    let query_input = NodeRef::<Input>::new();
    let push = use_push();

    let offset = Signal::derive(move || state.with(|s| timefmt::display_offset(&s.zone)));
    let light = Signal::derive(move || state.with(|s| s.light));
    // a view over more than one day shows dates with its times
    let dated = Signal::derive(move || {
        let offset = offset.get();
        state
            .with(|s| s.range_at(timefmt::now()))
            .is_some_and(|(from, to)| spans_days(from, to, offset))
    });
    let terms =
        Signal::derive(move || state.with(|s| lucene::highlight_terms(&s.search().lucene())));
    // with no index matched, no field is "missing": the notice says what happened
    let missing = Signal::derive(move || {
        if panels.with(|p| p.as_ref().is_some_and(|p| p.no_index)) {
            return Vec::new();
        }
        fields.with(|f| f.as_ref().map(|f| f.2.clone()).unwrap_or_default())
    });

    // theme on the page itself
    Effect::new(move |_| {
        let light = light.get();
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("data-theme", if light { "light" } else { "dark" });
        }
    });

    // every change of the view, and every tick, refreshes
    Effect::new(move |_| {
        let current = state.get();
        let _ = tick.get();
        let this = generation.get_value() + 1;
        generation.set_value(this);
        let key = format!(
            "{}\u{1}{}\u{1}{}\u{1}{}",
            current.index,
            current.search().lucene(),
            current.from,
            current.to
        );
        if tail_key.get_value() != key {
            tail_key.set_value(key.clone());
            tail.update_value(Tail::clear);
            tail_version.update(|v| *v += 1);
            stream_gaps.set(None);
            panels.set(None);
        }
        spawn_local(async move {
            let endpoints = endpoints.await;
            let resolved = match resolve_fields(&endpoints, &current, fields, tick).await {
                Ok(resolved) => resolved,
                Err(error) => return report(error, backend_error, query_error, failures, tick),
            };
            if generation.get_value() != this {
                return; // the view changed while its fields were read: a newer run has it
            }
            let now = timefmt::now();
            let Some((from, to)) = current.range_at(now) else {
                query_error.set(Some(format!("the time range [{} to {}] cannot be read: use date math like now-15m or ISO times", current.from, current.to)));
                return;
            };
            let panels_task = {
                let (endpoints, current, resolved) =
                    (endpoints.clone(), current.clone(), resolved.clone());
                async move {
                    let request = PanelsRequest {
                        index: current.index.clone(),
                        search: current.search(),
                        from,
                        to,
                        offset_minutes: offset.get_untracked(),
                        time_zone: timefmt::es_zone(&current.zone),
                        now,
                    };
                    let unit = resolved
                        .latency
                        .as_ref()
                        .map_or(LatencyUnit::Milliseconds, |l| LatencyUnit::of(&l.name));
                    let (interval, _) = request.interval();
                    let answer = api::msearch(&endpoints, request.msearch_body(&resolved)).await;
                    if pending.get_value() == this {
                        pending.set_value(0);
                    }
                    if generation.get_value() != this {
                        return; // a newer refresh has started: this answer is stale
                    }
                    match answer.map(|a| PanelsData::parse(&a, unit, interval)) {
                        Ok(Ok(data)) => {
                            panels.set(Some(PanelsData {
                                asked_at: now,
                                ..data
                            }));
                            marks::first(Moment::FirstPanels);
                            query_error.set(None);
                            backend_error.set(None);
                            failures.set_value(0);
                            last_updated.set(Some(timefmt::now()));
                        }
                        Ok(Err(reason)) => {
                            panels.set(None);
                            query_error.set(Some(reason));
                        }
                        Err(error) => report(error, backend_error, query_error, failures, tick),
                    }
                }
            };
            pending.set_value(this);
            spawn_local(panels_task);
            if !current.shows(&Panel::Stream) {
                push.stop();
            } else {
                let row_fields = RowFields {
                    message: resolved.message.clone(),
                    level: resolved.level.as_ref().map(|l| l.name.clone()),
                    tiebreaker: resolved.request_id.as_ref().map(|r| r.agg.clone()),
                };
                stream_fields.set_value(row_fields.clone());
                // this run's own view, not whichever is newest by now
                let view_key = key;
                if current.is_relative() && current.refresh > 0 {
                    push.follow(
                        &endpoints,
                        &view_key,
                        &current,
                        row_fields.clone(),
                        tail,
                        tail_version,
                        tick,
                    );
                } else {
                    push.stop();
                }
                let pushed = !push.polls();
                if pushed {
                    // every new line comes pushed; the range still moves on
                    if tail.try_update_value(|t| t.drop_before(from)).unwrap_or(0) > 0 {
                        tail_version.update(|v| *v += 1);
                    }
                }
                // one poll at a time per view; a poll for a view left behind stops at its
                // next step
                else if stream_busy.get_value().as_ref() != Some(&view_key) {
                    let started_pushed = push.feed.get_untracked().pushed();
                    stream_busy.set_value(Some(view_key.clone()));
                    let done_key = view_key.clone();
                    spawn_local(async move {
                        let read_all = poll_stream(
                            endpoints,
                            current,
                            row_fields,
                            (from, to, now),
                            tail,
                            move || tail_key.get_value() == view_key,
                            tail_version,
                            stream_gaps,
                        )
                        .await;
                        push.caught_up(started_pushed && read_all);
                        stream_busy.update_value(|busy| {
                            if busy.as_ref() == Some(&done_key) {
                                *busy = None;
                            }
                        });
                    });
                }
            }
        });
    });

    // the refresh timer follows the view's interval
    Effect::new(move |previous: Option<Option<IntervalHandle>>| {
        if let Some(Some(handle)) = previous {
            handle.clear();
        }
        let seconds = state.with(|s| s.refresh);
        (seconds > 0)
            .then(|| {
                set_interval_with_handle(
                    move || {
                        if pending.get_value() == 0 {
                            tick.update(|t| *t += 1)
                        }
                    },
                    std::time::Duration::from_secs(u64::from(seconds)),
                )
                .ok()
            })
            .flatten()
    });

    embed::use_embed(view, selected);
    use_keys(Keys {
        view,
        selected,
        cursor,
        tail,
        tool,
        follow,
        query_input,
    });

    let ctx = PanelContext {
        data: panels.into(),
        offset,
        light,
        missing,
        zoom: view.zoom_callback(),
    };
    let behind = use_arrivals(tail, tail_version, tail_key);
    // lines pushed since the panels last counted are events too: no "nothing matches" then
    let empty = move || {
        let _ = tail_version.get();
        panels.with(|p| p.as_ref().is_some_and(|p| p.total == 0))
            && tail.with_value(|t| t.rows().is_empty())
    };
    let no_index = move || panels.with(|p| p.as_ref().is_some_and(|p| p.no_index));
    // the stream's "of N" is the panels' count: the same query over the same range at the
    // same moment, so the two never disagree; until the panels have counted (or when they
    // could not), the stream says only how many lines it holds
    let shown_total = Signal::derive(move || panels.with(|p| p.as_ref().map(|p| p.total)));
    // the stream says how it learns of new lines
    let feed = move || push.feed.get().said(state.with(|s| s.refresh));
    // while lines come pushed the server's polls are the stream's: its word on shards is
    // the current one (the page's own last poll may be long past)
    let stream_shards = Signal::derive(move || {
        if push.feed.get().pushed() {
            push.gaps.get()
        } else {
            stream_gaps.get()
        }
    });
    let embed = move || state.with(|s| s.embed);
    let on_older = use_older(
        state,
        tail_key,
        stream_fields,
        tail,
        tail_version,
        loading_older,
    );
    let shows = move |panel: Panel| state.with(|s| s.shows(&panel));

    view! {
        <Show when=move || !embed()>
            <TopBar view query_input query_error=query_error on_run=Callback::new(move |()| tick.update(|t| *t += 1))
                on_fields=Callback::new(move |()| toggle(tool, "fields"))
                on_values=Callback::new(move |()| toggle(tool, "values"))
                on_saved=Callback::new(move |()| toggle(tool, "saved"))
                on_export=Callback::new(move |()| toggle(tool, "export"))
                on_patterns=Callback::new(move |()| toggle(tool, "patterns"))
                on_errors=Callback::new(move |()| toggle(tool, "errors"))
                on_zone=Callback::new(move |()| toggle(tool, "zone")) />
            <Pills view />
        </Show>
        <div class="statusline">
            <Show when=embed><embed::EmbedView /></Show>
            <BackendLine info error=backend_error />
            <Freshness last_updated tail tail_version offset behind />
        </div>
        <BackendBanner info error=backend_error />
        <LinkNotices notices=view.notices />
        <ShardsNotice panels=Signal::derive(move || panels.with(|p| p.as_ref().and_then(|p| p.gaps.clone()))) stream=stream_shards />
        <Show when=empty>
            <p id="empty" class="notice">{move || if no_index() {
                format!("No index matches [{}]: check the index pattern.", state.with(|s| s.index.clone()))
            } else {
                "No events match in this range. Widen the time range or loosen the query.".to_string()
            }}</p>
        </Show>
        <main class:embed=embed>
            <Show when=move || shows(Panel::Volume)><VolumePanel ctx /></Show>
            <Show when=move || shows(Panel::Users)><UsersPanel ctx /></Show>
            <Show when=move || shows(Panel::Latency)><LatencyPanel ctx /></Show>
            <Show when=move || shows(Panel::Stream)>
                <section id="panel-stream" class="panel wide">
                    <header><h2>"Live stream"</h2><span id="stream-feed" class="muted">{feed}</span></header>
                    <Show when=move || push.skipped.get() != 0>
                        <p id="stream-skipped" class="notice">
                            {move || format!("You fell behind: {} events skipped. ", push.skipped.get())}
                            <button on:click=move |_| push.load_skipped(tick)>"Load them"</button>
                        </p>
                    </Show>
                    <HeldBackNote behind />
                    <Stream tail version=tail_version terms offset dated total=shown_total follow cursor
                        on_select=Callback::new(move |row: Row| {
                            cursor.set(Some((row.index.clone(), row.id.clone())));
                            selected.set(Some(row));
                        }) on_older loading_older
                        columns=Signal::derive(move || state.with(|s| s.columns.clone()))
                        on_column_removed=Callback::new(move |column: String| view.update(|s| { s.toggle_column(&column); })) />
                </section>
            </Show>
        </main>
        <OpenEvent view selected fields=stream_fields tool />
        <InvestigateBox tool />
    }
}
