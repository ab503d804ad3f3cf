//! A line's context: the events just before and after the view's event (`event=<_id>`,
//! set by the details panel's "Context") from the same source, the line marked between
//! them, more loaded on demand either way (`core::dashboard::context`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use logdash_core::dashboard::context::Context;
use logdash_core::dashboard::tail::{Row, RowFields};
use logdash_core::dashboard::visible::visible_owned;

use crate::api;
use crate::state::ViewSignal;

/// Events loaded each way at a time.
const PAGE: usize = 10;

/// What the context shows.
#[derive(Clone, Default)]
struct Shown {
    line: Option<Row>,
    /// Oldest first, as read upwards from the line.
    before: Vec<Row>,
    after: Vec<Row>,
    source: Option<(String, String)>,
    trouble: Option<String>,
}

#[component]
pub fn LineContext(
    /// The view whose event is the line (`event`), searched over its index pattern.
    view: ViewSignal,
) -> impl IntoView {
    let shown = RwSignal::new(Shown::default());
    let context = StoredValue::new_local(None::<Context>);
    let (more_before, more_after) = (RwSignal::new(false), RwSignal::new(false));
    Effect::new(move |_| {
        let state = view.get.get();
        let Some(id) = state.event.clone() else {
            shown.set(Shown::default());
            return;
        };
        shown.set(Shown::default());
        spawn_local(async move {
            let endpoints = api::endpoints().await;
            let line = api::event_by_id(&endpoints, &state.index, &id, &RowFields::default())
                .await
                .map_err(|error| error.to_string())
                .and_then(|line| {
                    line.ok_or_else(|| format!("no event [{id}] in [{}]", state.index))
                });
            let line = match line {
                Ok(line) => line,
                Err(trouble) => {
                    shown.set(Shown {
                        trouble: Some(trouble),
                        ..Shown::default()
                    });
                    return;
                }
            };
            let around = Context::around(&line, PAGE);
            shown.set(Shown {
                source: around.source.clone(),
                line: Some(line),
                ..Shown::default()
            });
            context.set_value(Some(around));
            load(view, context, shown, true, more_before).await;
            load(view, context, shown, false, more_after).await;
        });
    });
    let more = move |before: bool| {
        let flag = if before { more_before } else { more_after };
        spawn_local(load(view, context, shown, before, flag));
    };
    view! {
        <aside id="context" class="details" aria-label="The line's context">
            <header>
                <strong>"Context"</strong>
                // the dashboard closes the context when the view has no event
                <button class="close" title="Close (Esc)" on:click=move |_| view.update(|state| state.event = None)>"×"</button>
            </header>
            <p class="muted">{move || shown.with(|s| match &s.source {
                Some((field, value)) => format!("events around the line from the same {field}: {}", visible_owned(value.clone())),
                None if s.line.is_some() => "the event names no source (host, service, app): every event around it".to_string(),
                None => "reading the line…".to_string(),
            })}</p>
            {move || shown.with(|s| s.trouble.clone()).map(|t| view! { <p class="error">{t}</p> })}
            <button id="context-older" prop:disabled=move || !more_before.get() on:click=move |_| more(true)>"Older"</button>
            <ol id="context-lines">
                {move || shown.with(|s| {
                    let rows = s.before.iter().map(|r| (r.clone(), false))
                        .chain(s.line.iter().map(|r| (r.clone(), true)))
                        .chain(s.after.iter().map(|r| (r.clone(), false)));
                    rows.map(|(row, anchor)| view! {
                        <li class:anchor=anchor>
                            <span class="time">{logdash_core::time::format_iso8601(row.time)}</span>
                            " "<span class="level">{row.level}</span>
                            " "<span class="message">{row.message}</span>
                        </li>
                    }).collect_view()
                })}
            </ol>
            <button id="context-newer" prop:disabled=move || !more_after.get() on:click=move |_| more(false)>"Newer"</button>
        </aside>
    }
}

/// Loads the next page one way (`before`: older events), if the pager has one.
async fn load(
    view: ViewSignal,
    context: StoredValue<Option<Context>, LocalStorage>,
    shown: RwSignal<Shown>,
    before: bool,
    more: RwSignal<bool>,
) {
    let request = context.try_update_value(|context| {
        let pager = context
            .as_mut()
            .map(|c| if before { &mut c.before } else { &mut c.after })?;
        pager.request()
    });
    let Some(Some(body)) = request else {
        more.set(false);
        return;
    };
    let index = view.get.with_untracked(|state| state.index.clone());
    let endpoints = api::endpoints().await;
    let answer = api::search(&endpoints, &index, &body).await;
    let taken = context.try_update_value(|context| {
        let pager = context
            .as_mut()
            .map(|c| if before { &mut c.before } else { &mut c.after })?;
        let taken = answer.as_ref().ok().map(|answer| pager.take(answer));
        Some((taken, !pager.finished()))
    });
    let Some(Some((taken, left))) = taken else {
        return;
    };
    more.set(left);
    match taken {
        Some(Ok(hits)) => {
            let rows: Vec<Row> = hits
                .iter()
                .filter_map(|hit| Row::of_hit(hit, &RowFields::default()))
                .collect();
            shown.update(|s| {
                if before {
                    // read newest first: above the line, oldest at the top
                    let mut older: Vec<Row> = rows.into_iter().rev().collect();
                    older.append(&mut s.before);
                    s.before = older;
                } else {
                    s.after.extend(rows);
                }
            });
        }
        Some(Err(error)) => shown.update(|s| s.trouble = Some(error.to_string())),
        None => {
            if let Err(error) = answer {
                shown.update(|s| s.trouble = Some(error.to_string()));
            }
        }
    }
}
