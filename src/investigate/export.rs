//! Export: the view's events (index pattern, query, range as it is at the click) as a file,
//! NDJSON or CSV with chosen columns, written by the server (`/api/export`) and read here
//! as it arrives, with a progress bar and a Cancel; the file is offered once whole. A
//! transfer that breaks off is said to have failed: a short file is never offered as the
//! export.

use leptos::prelude::*;
use leptos::task::spawn_local;
use logdash_core::dashboard::fields::resolve;
use logdash_core::dashboard::visible::visible_owned;
use logdash_core::export::progress::Progress;
use logdash_core::export::{default_columns, file_name, progress_label, Format, Request};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::save_file::offer;
use crate::api;
use crate::state::ViewSignal;

/// Where an export is.
#[derive(Debug, Clone, PartialEq)]
enum Run {
    Idle,
    Running {
        events: u64,
        expected: Option<u64>,
    },
    Done {
        events: u64,
        name: String,
        cut_at: Option<u64>,
    },
    Failed(String),
    Cancelled,
}

#[component]
pub fn Export(
    /// The view whose events are written.
    view: ViewSignal,
    /// The view's fields, offered as columns.
    fields: super::Fields,
) -> impl IntoView {
    let format = RwSignal::new(Format::Csv);
    let columns = RwSignal::new(Vec::<String>::new());
    let adding = RwSignal::new(String::new());
    let run = RwSignal::new(Run::Idle);
    let controller = StoredValue::new_local(None::<web_sys::AbortController>);
    // the columns start as the stream's, once the fields are known
    Effect::new(move |_| {
        if let Some(Ok(found)) = fields.get() {
            if columns.with_untracked(Vec::is_empty) {
                let (resolved, stream) = view
                    .get
                    .with_untracked(|v| (resolve(&v.fields, &found), v.columns.clone()));
                columns.set(default_columns(&resolved, &stream));
            }
        }
    });
    let add_column = move || {
        let name = adding.get_untracked().trim().to_string();
        if !name.is_empty() && !columns.with_untracked(|c| c.contains(&name)) {
            columns.update(|c| c.push(name));
        }
        adding.set(String::new());
    };
    let start = move |_| {
        let state = view.get.get_untracked();
        let Some((from, to)) = state.range_at(crate::timefmt::now()) else {
            run.set(Run::Failed("the view's time range cannot be read".into()));
            return;
        };
        let format = format.get_untracked();
        let request = Request {
            index: state.index.clone(),
            query: state.search().lucene(),
            from,
            to,
            format,
            columns: match format {
                Format::Csv => columns.get_untracked(),
                Format::Ndjson => Vec::new(),
            },
        };
        let Ok(abort) = web_sys::AbortController::new() else {
            return;
        };
        let signal = abort.signal();
        controller.set_value(Some(abort));
        run.set(Run::Running {
            events: 0,
            expected: None,
        });
        spawn_local(async move {
            let outcome = fetch_file(&request, &signal, run).await;
            controller.set_value(None);
            run.set(match outcome {
                _ if signal.aborted() => Run::Cancelled,
                Ok(done) => done,
                Err(reason) => Run::Failed(reason),
            });
        });
    };
    let cancel = move |_| {
        controller.with_value(|abort| {
            if let Some(abort) = abort {
                abort.abort();
            }
        })
    };
    let running = move || matches!(run.get(), Run::Running { .. });
    view! {
        <aside id="export" class="details" aria-label="Export">
            <header>
                <strong>"Export"</strong>
                <button class="close" title="Close (Esc)" on:click=move |_| super::press("export-button")>"×"</button>
            </header>
            <p class="muted">"The events of this view, newest first: its query, over its range as it is when you start."</p>
            <fieldset class="export-format" prop:disabled=running>
                <label><input type="radio" name="export-format" id="export-csv"
                    prop:checked=move || format.get() == Format::Csv
                    on:change=move |_| format.set(Format::Csv) />" CSV (columns below)"</label>
                <label><input type="radio" name="export-format" id="export-ndjson"
                    prop:checked=move || format.get() == Format::Ndjson
                    on:change=move |_| format.set(Format::Ndjson) />" NDJSON (whole events)"</label>
            </fieldset>
            <Show when=move || format.get() == Format::Csv>
                <ol id="export-columns">
                    {move || columns.get().into_iter().map(|name| {
                        let shown = visible_owned(name.clone());
                        view! {
                            <li>
                                <span>{shown}</span>
                                <button class="link remove" title="remove this column"
                                    on:click=move |_| columns.update(|c| c.retain(|n| *n != name))>"×"</button>
                            </li>
                        }
                    }).collect_view()}
                </ol>
                <div class="export-add">
                    <input id="export-column" list="export-fields" placeholder="add a column: a field's name"
                        prop:value=move || adding.get()
                        on:input=move |ev| adding.set(event_target_value(&ev))
                        on:keydown=move |ev| if ev.key() == "Enter" { add_column(); } />
                    <datalist id="export-fields">
                        {move || fields.get().and_then(Result::ok).map(|found| found.into_keys().map(|name| view! { <option value=name></option> }).collect_view())}
                    </datalist>
                    <button on:click=move |_| add_column()>"Add"</button>
                </div>
            </Show>
            <div class="export-actions">
                <button id="export-start" class="primary" prop:disabled=move || running() || (format.get() == Format::Csv && columns.with(Vec::is_empty))
                    on:click=start>"Export"</button>
                <button id="export-cancel" class:hidden=move || !running() on:click=cancel>"Cancel"</button>
            </div>
            <div id="export-status" role="status">{move || status(run.get())}</div>
        </aside>
    }
}

/// What the export says of itself.
fn status(run: Run) -> AnyView {
    match run {
        Run::Idle => ().into_any(),
        Run::Running { events, expected } => view! {
            <progress max=expected.unwrap_or(0).max(1) value=events></progress>
            <span>{progress_label(events, expected)}</span>
        }
        .into_any(),
        Run::Done {
            events,
            name,
            cut_at,
        } => {
            let cut = cut_at.map(|max| {
                format!(" More events matched: the server writes at most {max} to a file; narrow the range or the query for the rest.")
            });
            view! { <p class="done">{format!("{name}: {} written.", progress_label(events, None))}{cut}</p> }.into_any()
        }
        Run::Failed(reason) => {
            view! { <p class="error">{format!("The export failed: {reason}")}</p> }.into_any()
        }
        Run::Cancelled => {
            view! { <p class="muted">"Cancelled: no file was written."</p> }.into_any()
        }
    }
}

/// Asks for the file and reads it as it comes, counting its events into `run`; offers it
/// once whole.
async fn fetch_file(
    request: &Request,
    signal: &web_sys::AbortSignal,
    run: RwSignal<Run>,
) -> Result<Run, String> {
    let endpoints = api::endpoints().await;
    let url = endpoints.api_url(&format!("export?{}", request.to_query()));
    let response = gloo_net::http::Request::get(&url)
        .abort_signal(Some(signal))
        .send()
        .await
        .map_err(|error| format!("the server could not be reached: {error}"))?;
    if !response.ok() {
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        return Err(logdash_core::es::ErrorBody::parse(status, &text)
            .map(|error| error.summary())
            .unwrap_or_else(|| format!("the server answered {status}")));
    }
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.parse::<u64>().ok())
    };
    let expected = header("x-logdash-events");
    let cut_at = header("x-logdash-cut-at");
    run.set(Run::Running {
        events: 0,
        expected,
    });
    let body = response
        .body()
        .ok_or_else(|| "the answer has no body".to_string())?;
    let reader: web_sys::ReadableStreamDefaultReader = body
        .get_reader()
        .dyn_into()
        .map_err(|_| "the answer cannot be read as it comes".to_string())?;
    let parts = js_sys::Array::new();
    let mut progress = Progress::new(request.format);
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(|_| {
            "the transfer broke off before the file was whole (the server's log says why)"
                .to_string()
        })?;
        let done = js_sys::Reflect::get(&chunk, &JsValue::from_str("done"))
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            break;
        }
        let Ok(bytes) = js_sys::Reflect::get(&chunk, &JsValue::from_str("value"))
            .and_then(|value| value.dyn_into::<js_sys::Uint8Array>())
        else {
            return Err("the answer holds something other than bytes".into());
        };
        progress.feed(&bytes.to_vec());
        parts.push(&bytes);
        run.set(Run::Running {
            events: progress.events(),
            expected,
        });
    }
    let name = file_name(&request.index, request.from, request.to, request.format);
    offer(&parts, request.format.content_type(), &name)?;
    let events = progress.events();
    Ok(Run::Done {
        events,
        name,
        cut_at,
    })
}
