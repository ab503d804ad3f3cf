//! The live stream: newest lines at the bottom, tail -f style, in a virtual list that
//! keeps a few dozen rows in the DOM however many it holds. Following keeps the bottom
//! in view; scrolling up pauses it without moving the line under the reader's eyes, and
//! near the oldest line held asks for older ones (back to the range's start).

use leptos::html::Div;
use leptos::prelude::*;
use logdash_core::dashboard::event_fields::column_text;
use logdash_core::dashboard::highlight::spans;
use logdash_core::dashboard::tail::{Row, Tail};
use logdash_core::dashboard::visible::visible_owned;
use logdash_core::errors::folded_of;

use super::panels::level_class;
use crate::timefmt;

pub const ROW_HEIGHT: f64 = 22.0;
const VIEW_HEIGHT: f64 = 440.0;
const OVERSCAN: usize = 8;

#[component]
pub fn Stream(
    /// The lines (read when `version` changes).
    tail: StoredValue<Tail, LocalStorage>,
    /// Bumped whenever the tail changes.
    #[prop(into)]
    version: Signal<u64>,
    /// Words to highlight.
    #[prop(into)]
    terms: Signal<Vec<String>>,
    /// Minutes east of UTC for the times.
    #[prop(into)]
    offset: Signal<i32>,
    /// Whether the view covers more than one day: then each line shows its date too.
    #[prop(into)]
    dated: Signal<bool>,
    /// How many events match in all (for "showing N of M").
    #[prop(into)]
    total: Signal<Option<u64>>,
    /// Whether to keep the newest line in view.
    follow: RwSignal<bool>,
    /// The line the keys selected (index, `_id`): marked, and kept in view.
    #[prop(into)]
    cursor: Signal<Option<(String, String)>>,
    /// Called with the clicked line.
    on_select: Callback<Row>,
    /// Called when the reader nears the oldest line held: load older ones.
    on_older: Callback<()>,
    /// Whether older lines are being loaded.
    #[prop(into)]
    loading_older: Signal<bool>,
    /// Fields shown as columns, between the level and the message.
    #[prop(into)]
    columns: Signal<Vec<String>>,
    /// Called with a column the reader removed.
    on_column_removed: Callback<String>,
) -> impl IntoView {
    let list = NodeRef::<Div>::new();
    let scroll_top = RwSignal::new(0.0);
    let new_lines = RwSignal::new(0usize);
    // lines that had arrived at the live end when the reader last saw the newest
    let seen_arrived = StoredValue::new(0u64);
    // the line at the top of the view, to keep it in place when lines arrive above it
    let anchor = StoredValue::new(None::<(i64, String, String)>);

    Effect::new(move |_| {
        let _ = version.get();
        let arrived = tail.with_value(Tail::arrived);
        let Some(element) = list.get_untracked() else {
            return;
        };
        if follow.get_untracked() {
            new_lines.set(0);
            // after this render: jump to the bottom
            request_animation_frame(move || element.set_scroll_top(element.scroll_height()));
        } else {
            // older lines read back above the reader are not new ones
            let grown = arrived.saturating_sub(seen_arrived.get_value());
            new_lines.update(|n| *n += grown as usize);
            if let Some((time, index, id)) = anchor.get_value() {
                // after this render, before the frame is drawn: the list has its new height
                // (lines joined above would otherwise be cut from what can be scrolled to)
                request_animation_frame(move || {
                    let position = tail.with_value(|t| {
                        t.rows()
                            .partition_point(|r| (r.time, &r.index, &r.id) < (time, &index, &id))
                    });
                    let top = position as f64 * ROW_HEIGHT;
                    if (top - f64::from(element.scroll_top())).abs() >= ROW_HEIGHT {
                        element.set_scroll_top(top as i32);
                        scroll_top.set(top);
                    }
                });
            }
        }
        seen_arrived.set_value(arrived);
    });

    // resuming (the button or the End key) brings the newest line into view at once
    Effect::new(move |was_following: Option<bool>| {
        let following = follow.get();
        if following && was_following == Some(false) {
            new_lines.set(0);
            if let Some(element) = list.get_untracked() {
                element.set_scroll_top(element.scroll_height());
            }
        }
        following
    });

    let on_scroll = move |_| {
        let Some(element) = list.get() else { return };
        let top = f64::from(element.scroll_top());
        let went_up = top < scroll_top.get_untracked();
        scroll_top.set(top);
        let at_bottom = top + f64::from(element.client_height())
            >= f64::from(element.scroll_height()) - ROW_HEIGHT;
        // only the reader scrolling up pauses: lines pushed in between our jump to the bottom
        // and this event leave the list a little taller than where it scrolled to
        if at_bottom && !follow.get_untracked() || !at_bottom && went_up && follow.get_untracked() {
            follow.set(at_bottom);
        }
        if at_bottom {
            new_lines.set(0);
        }
        let first = (top / ROW_HEIGHT) as usize;
        // near the oldest line held: the lines before it come (the anchor keeps the place)
        if first < OVERSCAN && !at_bottom {
            on_older.run(());
        }
        anchor.set_value(tail.with_value(|t| {
            t.rows()
                .get(first)
                .map(|r| (r.time, r.index.clone(), r.id.clone()))
        }));
    };

    let window = move || {
        let _ = version.get();
        let first = ((scroll_top.get() / ROW_HEIGHT) as usize).saturating_sub(OVERSCAN);
        let count = (VIEW_HEIGHT / ROW_HEIGHT) as usize + 2 * OVERSCAN;
        tail.with_value(|t| {
            let len = t.rows().len();
            let first = first.min(len);
            let rows: Vec<(usize, Row)> = t
                .rows()
                .iter()
                .enumerate()
                .skip(first)
                .take(count)
                .map(|(i, r)| (i, r.clone()))
                .collect();
            (first, len, rows)
        })
    };

    let status = move || {
        let _ = version.get();
        let shown = tail.with_value(|t| t.rows().len());
        let said = match total.get() {
            Some(total) if (shown as u64) < total => format!("showing {shown} of {total}"),
            _ if shown == 1 => "1 line".to_string(),
            _ => format!("{shown} lines"),
        };
        if loading_older.get() {
            format!("{said} · loading older lines…")
        } else {
            said
        }
    };
    let resume = move |_| follow.set(true);
    // the selected line is scrolled into view when the keys move it
    Effect::new(move |_| {
        let Some((index, id)) = cursor.get() else {
            return;
        };
        let at = tail.with_value(|t| t.position(&index, &id));
        if let (Some(at), Some(element)) = (at, list.get_untracked()) {
            let (top, bottom) = (at as f64 * ROW_HEIGHT, (at + 1) as f64 * ROW_HEIGHT);
            let (shown, height) = (element.scroll_top() as f64, element.client_height() as f64);
            if top < shown {
                element.set_scroll_top(top as i32);
            } else if bottom > shown + height {
                element.set_scroll_top((bottom - height) as i32);
            }
        }
    });

    view! {
        <div class="stream-bar">
            <span id="stream-count" class="muted">{status}</span>
            {move || columns.get().into_iter().map(|column| {
                let label = format!("{} ×", visible_owned(column.clone()));
                view! {
                    <button class="column" title="Remove this column"
                        on:click=move |_| on_column_removed.run(column.clone())>{label}</button>
                }
            }).collect_view()}
            <Show when=move || !follow.get()>
                <button id="resume" class="resume" on:click=resume title="Resume following (End)">
                    {move || {
                        let n = new_lines.get();
                        let s = if n == 1 { "" } else { "s" };
                        format!("Paused · {n} new line{s} · resume (End)")
                    }}
                </button>
            </Show>
        </div>
        <div id="stream" class="stream" node_ref=list on:scroll=on_scroll>
            {move || {
                let (first, len, rows) = window();
                let end = first + rows.len();
                let terms = terms.get();
                let offset = offset.get();
                let dated = dated.get();
                let cursor = cursor.get();
                let columns = columns.get();
                view! {
                    <div style:height=format!("{}px", first as f64 * ROW_HEIGHT)></div>
                    {rows.into_iter().map(|(i, row)| {
                        let chosen = cursor.as_ref().is_some_and(|(index, id)| *index == row.index && *id == row.id);
                        line(i, row, &terms, &columns, (offset, dated, chosen), on_select)
                    }).collect_view()}
                    <div style:height=format!("{}px", (len - end) as f64 * ROW_HEIGHT)></div>
                }
            }}
        </div>
    }
}

fn line(
    position: usize,
    row: Row,
    terms: &[String],
    columns: &[String],
    (offset, dated, chosen): (i32, bool, bool),
    on_select: Callback<Row>,
) -> impl IntoView {
    let class = format!(
        "row level-{}{}{}",
        level_class(&row.level),
        if row.late { " late" } else { "" },
        if chosen { " cursor" } else { "" }
    );
    // a line of the stream is one line: a longer message shows its first, and a traceback
    // (in its own field or the message) its raised exception and how many frames lead to it
    let (first, rest) = row.message.split_once('\n').unwrap_or((&row.message, ""));
    let pieces = spans(first, terms);
    let folded = folded_of(&row.source, &row.message)
        .map(|folded| folded.shown())
        .or_else(|| {
            let more = rest.lines().count();
            (more > 0).then(|| format!("+{more} line{}", if more == 1 { "" } else { "s" }))
        });
    let time = if dated {
        timefmt::full(row.time, offset)
    } else {
        timefmt::clock(row.time, offset)
    };
    // a phone shows the time to the second, or over days the date without its year and
    // the time to the minute: the parts it leaves out are set apart
    let (main_time, sub_time) = match time.find('.') {
        Some(dot) => (time[..dot].to_string(), time[dot..].to_string()),
        None => (time, String::new()),
    };
    let (year, main_time, seconds) = match (dated, main_time.split_at_checked(5)) {
        (true, Some((year, rest))) => {
            let (minute, seconds) = rest.split_at(rest.len().saturating_sub(3));
            (year.to_string(), minute.to_string(), seconds.to_string())
        }
        _ => (String::new(), main_time, String::new()),
    };
    let level = row.level.clone();
    let late = row.late;
    let cells: Vec<String> = columns
        .iter()
        .map(|field| visible_owned(column_text(&row.source, field).unwrap_or_else(|| "–".into())))
        .collect();
    view! {
        <div class=class data-index=position on:click=move |_| on_select.run(row.clone())>
            <span class="time"><span class="year">{year}</span>{main_time}<span class="seconds">{seconds}</span><span class="sub">{sub_time}</span></span>
            <span class="level">{level}</span>
            {cells.into_iter().map(|cell| view! { <span class="col">{cell}</span> }).collect_view()}
            <span class="message">
                {pieces.into_iter().map(|(text, hit)| if hit {
                    view! { <mark>{text}</mark> }.into_any()
                } else {
                    view! { <span>{text}</span> }.into_any()
                }).collect_view()}
            </span>
            {folded.map(|folded| view! { <span class="fold">{folded}</span> })}
            {late.then(|| view! { <span class="late-mark" title="arrived late">"late"</span> })}
        </div>
    }
}
