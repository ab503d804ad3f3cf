//! The field sidebar: every field of the index pattern, filterable by name, those of the
//! view's newest 500 events first (a sample, as Kibana takes one); a field's top
//! values over the view's query and range (asked when it is clicked), each with its count
//! and share, and actions that add it to the query (only it, without it, the field at all).
//! Names and values are text, their acting characters (controls, bidi overrides) shown as
//! marks, as in the stream.

use leptos::prelude::*;
use leptos::task::spawn_local;
use logdash_core::dashboard::fields::{aggregatable, Resolved};
use logdash_core::dashboard::sample::{self, Sample};
use logdash_core::dashboard::spread::Shape;
use logdash_core::dashboard::values::{self, field_names, percent, Action, TopValues};
use logdash_core::dashboard::visible::visible_owned;

use super::spread::Spread;
use crate::api;
use crate::error::AppError;
use crate::state::ViewSignal;

#[component]
pub fn FieldValues(
    /// The view whose values are counted, and that the actions change.
    view: ViewSignal,
    /// The view's fields.
    fields: super::Fields,
    /// Whether the sidebar is open: closed, it asks nothing (it asks again when opened).
    shown: Signal<bool>,
) -> impl IntoView {
    let filter = RwSignal::new(String::new());
    let chosen = RwSignal::new(None::<Resolved>);
    // the newest events of the view: their fields are listed first
    let sample = LocalResource::new(move || {
        let (state, open) = (view.get.get(), shown.get());
        async move {
            if !open {
                return Sample::default();
            }
            let endpoints = api::endpoints().await;
            let Some((from, to)) = state.range_at(crate::timefmt::now()) else {
                return Sample::default();
            };
            let body = sample::request(&state.search(), from, to);
            api::search(&endpoints, &state.index, &body)
                .await
                .map(|answer| Sample::read(&answer))
                .unwrap_or_default()
        }
    });
    let top = RwSignal::new(None::<Result<TopValues, String>>);
    // a field's values follow the view (query, range) while it is chosen
    Effect::new(move |_| {
        let (Some(field), state) = (chosen.get(), view.get.get()) else {
            return;
        };
        if !shown.get() {
            return;
        }
        top.set(None);
        spawn_local(async move {
            let endpoints = api::endpoints().await;
            let now = crate::timefmt::now();
            let Some((from, to)) = state.range_at(now) else {
                top.set(Some(Err("the view's time range cannot be read".into())));
                return;
            };
            let body = values::request(&state.search(), from, to, &field.agg);
            let answer = api::search(&endpoints, &state.index, &body).await;
            // the answer belongs to the field and view still shown only
            if chosen.get_untracked().as_ref() == Some(&field) && view.get.get_untracked() == state
            {
                top.set(Some(
                    answer
                        .map_err(|error| error.to_string())
                        .and_then(|answer| values::read(&answer)),
                ));
            }
        });
    });
    let add = move |value: String, action: Action| {
        let Some(field) = chosen.get_untracked() else {
            return;
        };
        // a value is matched where it was counted (a text field's `.keyword`): exactly
        let on = if action == Action::Exists {
            &field.name
        } else {
            &field.agg
        };
        view.update(|state| state.add_pill(values::pill(on, &value, action)));
    };
    view! {
        <aside class="field-values" aria-label="Fields and their values">
            <header>
                <h2>"Fields"</h2>
                <button class="close" title="Close" on:click=move |_| super::press("values-button")>"×"</button>
            </header>
            <input id="field-filter" type="search" placeholder="filter by name"
                prop:value=move || filter.get()
                on:input=move |ev| filter.set(event_target_value(&ev)) />
            {move || match fields.get() {
                None => view! { <p class="muted">"reading the fields…"</p> }.into_any(),
                Some(Err(error)) => view! { <p class="error">{fields_trouble(&error)}</p> }.into_any(),
                Some(Ok(found)) => {
                    let sampled = sample.get().unwrap_or_default();
                    let names = field_names(&found, &filter.get(), &sampled);
                    let said = (sampled.size > 0).then(|| format!(
                        "first the {} fields of the newest {} events", sampled.holding.len(), sampled.size
                    ));
                    view! {
                        <p id="field-sample" class="muted">{said}</p>
                        <ul id="field-list">
                            {names.into_iter().map(|name| {
                                let pick = aggregatable(&name, &found);
                                let is_chosen = chosen.get().is_some_and(|c| c.name == name);
                                let share = sampled.share(&name);
                                let title = share.map(|share| format!("in {} of the newest {} events", percent(share), sampled.size));
                                let shown = visible_owned(name.clone());
                                view! {
                                    <li class:chosen=is_chosen class:present=share.is_some()>
                                        <button class="field" title=title on:click=move |_| chosen.set(pick.clone().or_else(|| Some(Resolved { name: name.clone(), agg: String::new() })))>{shown}</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
            {move || chosen.get().map(|field| {
                let spread = spread_of(&field, fields);
                let name = field.name.clone();
                let is_column = {
                    let name = name.clone();
                    move || view.get.with(|state| state.columns.contains(&name))
                };
                view! {
                <div id="top-values">
                    <h3>{visible_owned(field.name.clone())}</h3>
                    {move || {
                        if field.agg.is_empty() {
                            return view! { <p class="muted">"not aggregatable: no keyword sub-field"</p> }.into_any();
                        }
                        match top.get() {
                            None => view! { <p class="muted">"counting…"</p> }.into_any(),
                            Some(Err(error)) => view! { <p class="error">{error}</p> }.into_any(),
                            Some(Ok(found)) => values_table(found, add).into_any(),
                        }
                    }}
                    {spread.map(|(name, shape)| view! { <Spread view field=name shape shown /> })}
                    <button class="exists" on:click=move |_| add(String::new(), Action::Exists)>"only events that have it"</button>
                    <button id="column-toggle" title="Show it as a column of the stream (or stop)"
                        on:click=move |_| view.update(|state| { state.toggle_column(&name); })>
                        {move || if is_column() { "remove the column" } else { "add as a column" }}
                    </button>
                </div>
                }
            })}
        </aside>
    }
}

/// A field's values, each with its count, share and actions.
fn values_table(found: TopValues, add: impl Fn(String, Action) + Copy + 'static) -> impl IntoView {
    let approximate = if found.approximate { "≈" } else { "" };
    let lacking = (found.lacking > 0).then(|| {
        format!(
            "{} of {} events lack it ({})",
            found.lacking,
            found.total,
            percent(found.lacking as f64 / found.total.max(1) as f64)
        )
    });
    let others = (found.others > 0).then(|| format!("{} events have other values", found.others));
    view! {
        <table class="values">
            <tbody>
                {found.rows.into_iter().map(|row| {
                    let (only, without) = (row.term.clone(), row.term.clone());
                    view! {
                        <tr>
                            <td class="value">{visible_owned(row.shown)}</td>
                            <td class="count">{format!("{approximate}{}", row.count)}</td>
                            <td class="share">{percent(row.share)}</td>
                            <td class="actions">
                                <button class="only" title="only events with this value" on:click=move |_| add(only.clone(), Action::Only)>"+"</button>
                                <button class="without" title="events without this value" on:click=move |_| add(without.clone(), Action::Without)>"−"</button>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <p class="muted">{lacking}</p>
        <p class="muted">{others}</p>
    }
}

/// The field and the shape of its values, when it has a spread to draw.
fn spread_of(field: &Resolved, fields: super::Fields) -> Option<(String, Shape)> {
    let shape = fields.with(|found| {
        let found = found.as_ref()?.as_ref().ok()?;
        Shape::of(&found.get(&field.name)?.es_type)
    })?;
    Some((field.name.clone(), shape))
}

fn fields_trouble(error: &AppError) -> String {
    format!("the fields could not be read: {error}")
}
