//! The top bar: index pattern, query box (Lucene syntax), time range, refresh, zone,
//! run and share. Edits stay local until Run (or Enter); then they become the URL.

use leptos::html::Input;
use leptos::prelude::*;
use logdash_core::time::{format_with_offset, read_range};
use logdash_core::view::{index_pattern_problem, PRESETS, REFRESH_CHOICES};

use crate::components::share::{use_share, ShareNotice};
use crate::state::ViewSignal;
use crate::timefmt;

#[component]
pub fn TopBar(
    /// The view to show and change.
    view: ViewSignal,
    /// The query box, focused by the `/` key.
    query_input: NodeRef<Input>,
    /// A query the backend refused, shown next to the box.
    #[prop(into)]
    query_error: Signal<Option<String>>,
    /// Runs the current view again now.
    on_run: Callback<()>,
    /// Opens the field choices.
    on_fields: Callback<()>,
    /// Opens or closes the field sidebar.
    on_values: Callback<()>,
    /// Opens the saved queries.
    on_saved: Callback<()>,
    /// Opens the export.
    on_export: Callback<()>,
    /// Opens the Patterns or the Errors view.
    on_patterns: Callback<()>,
    on_errors: Callback<()>,
    /// Opens the choice of another time zone.
    on_zone: Callback<()>,
) -> impl IntoView {
    let state = view.get;
    let index = RwSignal::new(state.get_untracked().index);
    let query = RwSignal::new(state.get_untracked().query);
    // when the URL changes (back/forward, a loaded link) the boxes follow
    Effect::new(move |_| {
        let current = state.get();
        index.set(current.index);
        query.set(current.query);
    });
    // an index pattern no index can match is named here, not sent to be refused
    let index_error = RwSignal::new(None::<String>);
    let run = move || {
        let (new_index, new_query) = (index.get_untracked(), query.get_untracked());
        index_error.set(index_pattern_problem(new_index.trim()));
        if index_error.get_untracked().is_some() {
            return;
        }
        let changed = state.with_untracked(|s| s.index != new_index || s.query != new_query);
        view.update(|s| {
            s.index = if new_index.trim().is_empty() {
                "log*".to_string()
            } else {
                new_index.trim().to_string()
            };
            s.query = new_query;
        });
        if !changed {
            on_run.run(());
        }
    };
    let on_key = move |event: web_sys::KeyboardEvent| {
        if event.key() == "Enter" {
            run();
        }
    };
    let preset = move || state.with(|s| s.to == "now" && PRESETS.iter().any(|(_, f)| *f == s.from));
    // "Absolute…" opens the from/to boxes; they apply on Apply or Enter
    let picking = RwSignal::new(false);
    let from_text = RwSignal::new(state.get_untracked().from);
    let to_text = RwSignal::new(state.get_untracked().to);
    let range_error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let current = state.get();
        from_text.set(current.from);
        to_text.set(current.to);
    });
    let open_picker = move || {
        // the boxes start from the range shown, in the view's zone
        let current = state.get_untracked();
        let offset = timefmt::display_offset(&current.zone);
        if let Some((from, to)) = current.range_at(timefmt::now()) {
            from_text.set(format_with_offset(from, offset));
            if current.to != "now" {
                to_text.set(format_with_offset(to, offset));
            }
        }
        range_error.set(None);
        picking.set(true);
    };
    let apply_range = move || {
        let offset = state.with_untracked(|s| timefmt::display_offset(&s.zone));
        match read_range(
            &from_text.get_untracked(),
            &to_text.get_untracked(),
            offset,
            timefmt::now(),
        ) {
            Ok((from, to)) => {
                range_error.set(None);
                picking.set(false);
                view.update(|s| {
                    s.from = from;
                    s.to = to;
                });
            }
            Err(reason) => range_error.set(Some(reason)),
        }
    };
    let on_range_key = move |event: web_sys::KeyboardEvent| {
        if event.key() == "Enter" {
            apply_range();
        }
    };
    let range_value = move || {
        if picking.get() || !preset() {
            "custom".to_string()
        } else {
            state.with(|s| s.from.clone())
        }
    };
    let absolute = move || picking.get() || !preset();
    let shared = use_share();
    let share = move |pinned: bool| {
        let current = state.get_untracked();
        shared.copy(if pinned {
            current.pinned(timefmt::now())
        } else {
            current
        });
    };
    view! {
        <header class="topbar">
            <span class="brand">"logdash"</span>
            <input id="index" class="index" type="text" spellcheck="false" title="Index pattern"
                prop:value=move || index.get() on:input=move |e| index.set(event_target_value(&e)) on:keydown=on_key />
            <div class="query-box">
                <input id="query" node_ref=query_input type="search" spellcheck="false"
                    placeholder="Search (Lucene syntax: level:ERROR AND \"timed out\")  — press / to focus"
                    prop:value=move || query.get() on:input=move |e| query.set(event_target_value(&e)) on:keydown=on_key />
                {move || index_error.get().or_else(|| query_error.get()).map(|e| view! { <div id="query-error" class="query-error" role="alert">{e}</div> })}
            </div>
            <select id="range" title="Time range" prop:value=range_value on:change=move |e| {
                let from = event_target_value(&e);
                if from == "custom" {
                    open_picker();
                } else {
                    picking.set(false);
                    range_error.set(None);
                    view.update(|s| { s.from = from; s.to = "now".into(); });
                }
            }>
                {PRESETS.iter().map(|(label, from)| view! { <option value=*from>{*label}</option> }).collect_view()}
                <option value="custom">"Absolute…"</option>
            </select>
            <button id="zoom-out" title="Zoom out: twice the span (drag across a chart to zoom in; Back returns)"
                on:click=move |_| view.update(|s| if let Some(wider) = s.zoomed_out(timefmt::now()) { *s = wider })>"−"</button>
            <Show when=absolute>
                <div class="range-box">
                    <input id="from" class="time" type="text" spellcheck="false" title="From: 2025-11-25 10:00, an ISO time or date math (now-1h)"
                        prop:value=move || from_text.get() on:input=move |e| from_text.set(event_target_value(&e)) on:keydown=on_range_key />
                    <input id="to" class="time" type="text" spellcheck="false" title="To: a time, or now"
                        prop:value=move || to_text.get() on:input=move |e| to_text.set(event_target_value(&e)) on:keydown=on_range_key />
                    <button id="range-apply" title="Show this range" on:click=move |_| apply_range()>"Apply"</button>
                    {move || range_error.get().map(|e| view! { <div id="range-error" class="query-error" role="alert">{e}</div> })}
                </div>
            </Show>
            <select id="refresh" title="Refresh every" prop:value=move || state.with(|s| s.refresh.to_string())
                on:change=move |e| { let v = event_target_value(&e).parse().unwrap_or(0); view.update(|s| s.refresh = v); }>
                {REFRESH_CHOICES.iter().map(|s| view! { <option value=s.to_string()>{if *s == 0 { "refresh off".to_string() } else { format!("every {s}s") }}</option> }).collect_view()}
            </select>
            <button id="tz" title="The time zone of every time shown: choose another" on:click=move |_| on_zone.run(())>
                {move || state.with(|s| s.zone.es_name().unwrap_or("local").to_string())}
            </button>
            <button id="run" class="primary" on:click=move |_| run()>"Run"</button>
            <button id="share" title="Copy a link to this view" on:click=move |_| share(false)>"Share"</button>
            <button id="share-pinned" title="Copy a link with the range pinned to absolute times" on:click=move |_| share(true)>"Share (pin times)"</button>
            <button id="saved-button" title="Save this view, or load a saved one" on:click=move |_| on_saved.run(())>"Saved"</button>
            <button id="fields-button" title="Which field holds what" on:click=move |_| on_fields.run(())>"Fields"</button>
            <button id="values-button" title="Every field and its values" on:click=move |_| on_values.run(())>"Values"</button>
            <button id="export-button" title="This view's events as a CSV or NDJSON file" on:click=move |_| on_export.run(())>"Export"</button>
            <button id="patterns-button" title="The messages grouped into patterns" on:click=move |_| on_patterns.run(())>"Patterns"</button>
            <button id="errors-button" title="Tracebacks grouped by exception and where they were raised" on:click=move |_| on_errors.run(())>"Errors"</button>
            <button id="theme" title="Light or dark" on:click=move |_| view.update(|s| s.light = !s.light)>"◐"</button>
        </header>
        <ShareNotice shared />
    }
}
