//! The filter pills under the query box: each filter a click made (a field's value in the
//! sidebar or the details, a pattern, an error group), or typed with "+ filter". A pill's
//! menu turns it off or on, inverts it, edits it or deletes it; the query text is left as
//! it is. Pills are part of the view, so of its link.

use leptos::prelude::*;
use logdash_core::dashboard::visible::visible_owned;
use logdash_core::view::Pill;

use crate::state::ViewSignal;

/// What the edit box is for.
#[derive(Clone, Copy, PartialEq)]
enum Editing {
    No,
    /// The pill at this place.
    Pill(usize),
    /// A new pill.
    New,
}

#[component]
pub fn Pills(view: ViewSignal) -> impl IntoView {
    let menu = RwSignal::new(None::<usize>);
    let editing = RwSignal::new(Editing::No);
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    // the pills changed (Back, a click elsewhere): a menu or an edit of a place closes
    let pills = Memo::new(move |_| view.get.with(|state| state.pills.clone()));
    Effect::new(move |_| {
        pills.track();
        menu.set(None);
        editing.set(Editing::No);
    });
    let change = move |at: usize, how: fn(&mut Pill)| {
        menu.set(None);
        view.update(|state| {
            if let Some(pill) = state.pills.get_mut(at) {
                how(pill);
            }
        });
    };
    let edit = move |what: Editing| {
        menu.set(None);
        error.set(None);
        text.set(
            match what {
                Editing::Pill(at) => view.get.with_untracked(|state| {
                    state.pills.get(at).map(|pill| {
                        Pill {
                            disabled: false,
                            ..pill.clone()
                        }
                        .to_param()
                    })
                }),
                _ => None,
            }
            .unwrap_or_default(),
        );
        editing.set(what);
    };
    let save = move || {
        let what = editing.get_untracked();
        match Pill::parse(text.get_untracked().trim()) {
            Err(why) => error.set(Some(why)),
            Ok(pill) => {
                editing.set(Editing::No);
                view.update(|state| match what {
                    Editing::Pill(at) => state.replace_pill(at, pill),
                    _ => state.add_pill(pill),
                });
            }
        }
    };
    let on_key = move |event: web_sys::KeyboardEvent| match event.key().as_str() {
        "Enter" => save(),
        "Escape" => editing.set(Editing::No),
        _ => {}
    };
    let bar = move || {
        pills.get().into_iter().enumerate().map(|(at, pill)| {
            let (negated, disabled) = (pill.negated, pill.disabled);
            view! {
                <span class="pill" class:negated=negated class:off=disabled>
                    <button class="pill-label" title="This filter: turn off, invert, edit"
                        on:click=move |_| menu.update(|open| *open = if *open == Some(at) { None } else { Some(at) })>
                        {visible_owned(pill.label())}
                    </button>
                    <button class="pill-delete" title="Delete this filter"
                        on:click=move |_| { menu.set(None); view.update(|state| { state.pills.remove(at); }); }>"×"</button>
                    <Show when=move || menu.get() == Some(at)>
                        <span class="pill-menu" role="menu">
                            <button class="pill-toggle" on:click=move |_| change(at, |pill| pill.disabled = !pill.disabled)>
                                {if disabled { "Turn on" } else { "Turn off" }}</button>
                            <button class="pill-invert" on:click=move |_| change(at, |pill| pill.negated = !pill.negated)>
                                {if negated { "Include matches" } else { "Exclude matches" }}</button>
                            <button class="pill-edit" on:click=move |_| edit(Editing::Pill(at))>"Edit"</button>
                        </span>
                    </Show>
                </span>
            }
        }).collect_view()
    };
    view! {
        <div id="pills" class="pills">
            {bar}
            <button id="pill-add" class="pill-add" title="Add a filter" on:click=move |_| edit(Editing::New)>"+ filter"</button>
            <Show when=move || editing.get() != Editing::No>
                <input id="pill-text" type="text" spellcheck="false" autofocus
                    placeholder="field:value · -field:value (is not) · field (exists) · (query)"
                    prop:value=move || text.get() on:input=move |e| text.set(event_target_value(&e)) on:keydown=on_key />
                <button id="pill-save" on:click=move |_| save()>"Save"</button>
                {move || error.get().map(|e| view! { <span id="pill-error" class="error" role="alert">{e}</span> })}
            </Show>
        </div>
    }
}
