//! Saved queries: save the current view under a name, load, rename and delete saved ones,
//! and move them between deployments as a JSON file. Names are shown only as text. Where
//! the server wants the editor token for changes, the panel asks for it once per tab.

use leptos::prelude::*;
use leptos::task::spawn_local;
use logdash_core::saved::{
    name_taken, new_imports, Changed, ExportFile, SavedQuery, SavedQueryInput,
};
use logdash_core::view::ViewState;
use wasm_bindgen::JsCast;

use crate::saved_store::{self, ChangeError, Place};
use crate::state::ViewSignal;

#[component]
pub fn SavedQueries(
    /// The view that is saved, and that loading changes.
    view: ViewSignal,
    /// Closes the list.
    on_close: Callback<()>,
) -> impl IntoView {
    let place = RwSignal::new(None::<Place>);
    let queries = RwSignal::new(Vec::<SavedQuery>::new());
    let message = RwSignal::new(None::<String>);
    let name = RwSignal::new(String::new());
    let renaming = RwSignal::new(None::<String>);
    let needs_token = RwSignal::new(false);
    let has_token = RwSignal::new(saved_store::editor_token().is_some());
    let token = RwSignal::new(String::new());

    // changes asked for before the list knows where it lives (a quick Enter), run once it does
    let waiting = StoredValue::new_local(Vec::<ChangeFn>::new());
    // runs one change, then shows the list as it now is, with the change in it even where
    // the server's read has not caught up with it (or what went wrong)
    let run = move |current: Place, work: ChangeFn| async move {
        let outcome = work(current.clone()).await;
        needs_token.set(matches!(outcome, Err(ChangeError::NeedsToken(_))));
        let changed = outcome.as_ref().cloned().unwrap_or_default();
        message.set(
            outcome
                .err()
                .map(|err| err.to_string())
                .or(changed.note.clone()),
        );
        match saved_store::list(&current).await {
            Ok(list) => queries.set(changed.applied_to(list)),
            Err(err) => message.set(Some(err)),
        }
    };
    // queries saved in this browser while the server could not be reached: shown, and
    // offered for upload, once it can
    let kept = RwSignal::new(Vec::<SavedQuery>::new());
    spawn_local(async move {
        let (found, list) = saved_store::open().await;
        if matches!(found, Place::Server(_)) {
            kept.set(saved_store::kept_in_browser());
        }
        place.set(Some(found.clone()));
        match list {
            Ok(list) => queries.set(list),
            Err(err) => message.set(Some(err)),
        }
        let mut queued = Vec::new();
        waiting.update_value(|w| queued = std::mem::take(w));
        for work in queued {
            run(found.clone(), work).await;
        }
    });
    let change = move |work: ChangeFn| match place.get_untracked() {
        Some(current) => spawn_local(run(current, work)),
        None => waiting.update_value(|w| w.push(work)),
    };
    let save_current = move || {
        let input = SavedQueryInput {
            name: name.get_untracked(),
            state: view.get.with_untracked(ViewState::to_query),
        };
        // one name, one query: a second one of the same name is refused, not added
        if queries.with_untracked(|q| name_taken(q, &input.name, None)) {
            message.set(Some(format!(
                "A saved query is already named \"{}\": choose another name, or rename or delete that one.",
                input.name.trim()
            )));
            return;
        }
        name.set(String::new());
        change(Box::new(move |place| {
            Box::pin(async move {
                let saved = saved_store::save(&place, None, input).await?;
                Ok(Changed {
                    saved: vec![saved],
                    ..Changed::default()
                })
            })
        }));
    };
    let rename = move |query: SavedQuery, new_name: String| {
        renaming.set(None);
        if new_name.trim() == query.name {
            return;
        }
        if queries.with_untracked(|q| name_taken(q, &new_name, Some(&query.id))) {
            message.set(Some(format!(
                "A saved query is already named \"{}\": choose another name.",
                new_name.trim()
            )));
            return;
        }
        let input = SavedQueryInput {
            name: new_name,
            state: query.state.clone(),
        };
        change(Box::new(move |place| {
            Box::pin(async move {
                let saved = saved_store::save(&place, Some(&query.id), input).await?;
                Ok(Changed {
                    saved: vec![saved],
                    ..Changed::default()
                })
            })
        }));
    };
    let delete = move |id: String, name: String| {
        // nothing brings a deleted query back: asked first
        let asked = web_sys::window().and_then(|w| {
            w.confirm_with_message(&format!("Delete the saved query \"{name}\"?"))
                .ok()
        });
        if asked != Some(true) {
            return;
        }
        change(Box::new(move |place| {
            Box::pin(async move {
                saved_store::delete(&place, &id).await?;
                Ok(Changed {
                    deleted: vec![id],
                    ..Changed::default()
                })
            })
        }));
    };
    let import = move |text: String| {
        let existing = queries.get_untracked();
        change(Box::new(move |place| {
            Box::pin(async move {
                // what is saved already (the same name and view) is not saved twice
                let (fresh, skipped) = new_imports(&existing, ExportFile::parse(&text)?);
                let mut changed = Changed::default();
                for input in fresh {
                    changed
                        .saved
                        .push(saved_store::save(&place, None, input).await?);
                }
                if skipped > 0 {
                    changed.note = Some(format!(
                        "Imported {}; {skipped} were saved already.",
                        changed.saved.len()
                    ));
                }
                Ok(changed)
            })
        }));
    };

    let upload = move || {
        let (uploading, existing) = (kept.get_untracked(), queries.get_untracked());
        change(Box::new(move |place| {
            Box::pin(async move {
                let inputs = uploading
                    .into_iter()
                    .map(|q| SavedQueryInput {
                        name: q.name,
                        state: q.state,
                    })
                    .collect();
                // what the server has already (the same name and view) is not sent twice
                let (fresh, skipped) = new_imports(&existing, inputs);
                let mut changed = Changed::default();
                for input in fresh {
                    changed
                        .saved
                        .push(saved_store::save(&place, None, input).await?);
                }
                saved_store::forget_kept_in_browser()?;
                kept.set(Vec::new());
                changed.note = Some(format!(
                    "Uploaded {} kept in this browser{}.",
                    changed.saved.len(),
                    if skipped > 0 {
                        format!("; {skipped} the server had already")
                    } else {
                        String::new()
                    }
                ));
                Ok(changed)
            })
        }));
    };

    let use_token = move || {
        saved_store::set_editor_token(Some(&token.get_untracked()));
        token.set(String::new());
        has_token.set(saved_store::editor_token().is_some());
        needs_token.set(false);
        message.set(Some(
            "Editor token kept for this tab: try the change again.".into(),
        ));
    };
    let forget_token = move |_| {
        saved_store::set_editor_token(None);
        has_token.set(false);
        message.set(None);
    };

    view! {
        <aside id="saved" class="details" aria-label="saved queries">
            <header>
                <strong>"Saved queries"</strong>
                <span class="muted">{move || place.get().map(|p| format!(" {}", p.describe()))}</span>
                <button class="close" on:click=move |_| on_close.run(()) title="Close (Esc)">"×"</button>
            </header>
            <div class="saved-form">
                <input id="saved-name" type="text" maxlength="120" placeholder="Name for the current view"
                    prop:value=move || name.get() on:input=move |e| name.set(event_target_value(&e))
                    on:keydown=move |e: web_sys::KeyboardEvent| if e.key() == "Enter" { save_current() } />
                <button id="saved-save" class="primary" on:click=move |_| save_current()>"Save"</button>
            </div>
            {move || message.get().map(|m| view! { <p id="saved-error" class="saved-error" role="alert">{m}</p> })}
            <Show when=move || needs_token.get()>
                <div class="saved-form">
                    <input id="saved-token" type="password" autocomplete="off" placeholder="Editor token"
                        prop:value=move || token.get() on:input=move |e| token.set(event_target_value(&e))
                        on:keydown=move |e: web_sys::KeyboardEvent| if e.key() == "Enter" { use_token() } />
                    <button id="saved-token-use" on:click=move |_| use_token()>"Use token"</button>
                </div>
            </Show>
            <Show when=move || kept.with(|k| !k.is_empty())>
                <div id="saved-kept" class="saved-error">
                    "Kept in this browser only (saved while the server could not be reached): "
                    {move || kept.with(|k| k.iter().map(|q| q.name.clone()).collect::<Vec<_>>().join(", "))}
                    " "
                    <button id="saved-upload" on:click=move |_| upload()>"Upload to the server"</button>
                </div>
            </Show>
            <ul id="saved-list" class="saved-list">
                {move || {
                    let list = queries.get();
                    if list.is_empty() {
                        return view! { <li class="muted">"Nothing saved yet."</li> }.into_any();
                    }
                    list.into_iter().map(|query| {
                        let id = query.id.clone();
                        let editing = {
                            let id = id.clone();
                            move || renaming.get().as_deref() == Some(id.as_str())
                        };
                        let (load_query, rename_query, delete_id, rename_id) =
                            (query.clone(), query.clone(), id.clone(), id.clone());
                        let delete_name = query.name.clone();
                        view! {
                            <li class="saved-item">
                                <Show when=editing.clone() fallback=move || {
                                    let load_query = load_query.clone();
                                    view! {
                                        <button class="link saved-load" title="Load this view"
                                            on:click=move |_| view.update(|s| *s = ViewState::from_query(&load_query.state))>
                                            {load_query.name.clone()}
                                        </button>
                                    }
                                }>
                                    {
                                        let rename_query = rename_query.clone();
                                        let initial = rename_query.name.clone();
                                        view! {
                                            <input class="saved-rename" type="text" maxlength="120" prop:value=initial
                                                on:keydown=move |e: web_sys::KeyboardEvent| {
                                                    match e.key().as_str() {
                                                        "Enter" => rename(rename_query.clone(), event_target_value(&e)),
                                                        "Escape" => renaming.set(None),
                                                        _ => {}
                                                    }
                                                } />
                                        }
                                    }
                                </Show>
                                <button class="saved-rename-button" title="Rename" on:click=move |_| renaming.set(Some(rename_id.clone()))>"Rename"</button>
                                <button class="saved-delete" title="Delete" on:click=move |_| delete(delete_id.clone(), delete_name.clone())>"Delete"</button>
                            </li>
                        }
                    }).collect_view().into_any()
                }}
            </ul>
            <footer class="saved-files">
                <Show when=move || has_token.get()>
                    <button id="saved-token-forget" class="link" title="Changes need the token again" on:click=forget_token>"Forget editor token"</button>
                </Show>
                <button id="saved-export" on:click=move |_| download(&queries.get_untracked())>"Export…"</button>
                <label class="button">"Import…"
                    <input id="saved-import" type="file" accept=".json,application/json" class="hidden"
                        on:change=move |e| read_file(e, import) />
                </label>
            </footer>
        </aside>
    }
}

type ChangeFn = Box<
    dyn FnOnce(
        Place,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<Changed, ChangeError>>>,
    >,
>;

/// Offers the saved queries as `logdash-saved-queries.json`.
fn download(queries: &[SavedQuery]) {
    let Ok(text) = serde_json::to_string_pretty(&ExportFile::new(queries)) else {
        return;
    };
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(&text));
    let _ = super::save_file::offer(&parts, "application/json", "logdash-saved-queries.json");
}

/// Reads the chosen file as text and hands it on. The input is emptied after, so that
/// choosing the same file again is a new choice (the browser says nothing otherwise).
fn read_file(event: web_sys::Event, then: impl Fn(String) + 'static) {
    let Some(input) = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return;
    };
    let file = input.files().and_then(|files| files.get(0));
    input.set_value("");
    if let Some(file) = file {
        spawn_local(async move {
            if let Ok(text) = wasm_bindgen_futures::JsFuture::from(file.text()).await {
                then(text.as_string().unwrap_or_default());
            }
        });
    }
}
