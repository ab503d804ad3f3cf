//! The view's time zone: the browser's, UTC, or a zone the user names: a name the
//! browser's own tz database knows (`Europe/Berlin`, every one it lists offered as it is
//! typed) or a fixed offset (`+05:30`).

use leptos::prelude::*;
use logdash_core::view::Zone;
use wasm_bindgen::JsCast;

use crate::state::ViewSignal;
use crate::timefmt;

#[component]
pub fn ZoneChoice(view: ViewSignal) -> impl IntoView {
    let name = RwSignal::new(match view.get.get_untracked().zone {
        Zone::Named(name) => name,
        _ => String::new(),
    });
    let error = RwSignal::new(None::<String>);
    let choose = move |zone: Zone| {
        error.set(None);
        view.update(|s| s.zone = zone);
        super::press("tz");
    };
    let apply = move || {
        let typed = name.get_untracked().trim().to_string();
        match Zone::parse(&typed) {
            Ok(Zone::Named(zone)) if timefmt::named_offset(&zone, timefmt::now()).is_none() => {
                error.set(Some(format!("this browser knows no time zone [{zone}]")))
            }
            Ok(zone) => choose(zone),
            Err(reason) => error.set(Some(reason)),
        }
    };
    // what the name typed would show now
    let preview = move || {
        let typed = name.get();
        let offset = timefmt::named_offset(typed.trim(), timefmt::now())?;
        Some(format!("now {}", timefmt::full(timefmt::now(), offset)))
    };
    let names = zone_names();
    view! {
        <aside id="zone-choice" class="tool-view" aria-label="Time zone">
            <header>
                <h2>"Time zone"</h2>
                <button class="close" title="Close" on:click=move |_| super::press("tz")>"×"</button>
            </header>
            <p class="muted">"Every time is shown in this zone, and the charts' buckets follow its clock changes."</p>
            <p>
                <button id="tz-local" on:click=move |_| choose(Zone::Local)>{format!("The browser's ({})", browser_zone())}</button>
                " "
                <button id="tz-utc" on:click=move |_| choose(Zone::Utc)>"UTC"</button>
            </p>
            <p class="muted">"Or a name from the tz database, or an offset:"</p>
            <input id="tz-name" type="text" spellcheck="false" list="tz-names" placeholder="Europe/Berlin or +05:30" autofocus
                prop:value=move || name.get() on:input=move |e| { error.set(None); name.set(event_target_value(&e)) }
                on:keydown=move |e: web_sys::KeyboardEvent| if e.key() == "Enter" { apply() } />
            <datalist id="tz-names">
                {names.into_iter().map(|zone| view! { <option value=zone></option> }).collect_view()}
            </datalist>
            <button id="tz-apply" class="primary" on:click=move |_| apply()>"Show times in this zone"</button>
            <p id="tz-preview" class="muted">{preview}</p>
            {move || error.get().map(|e| view! { <p id="tz-error" class="error" role="alert">{e}</p> })}
        </aside>
    }
}

/// The browser's own zone's name (`Intl.DateTimeFormat().resolvedOptions().timeZone`),
/// with its offset now.
fn browser_zone() -> String {
    let offset = timefmt::offset_text(timefmt::local_offset_minutes());
    let named = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
        .resolved_options();
    match js_sys::Reflect::get(&named, &"timeZone".into())
        .ok()
        .and_then(|n| n.as_string())
    {
        Some(name) => format!("{name}, {offset}"),
        None => offset,
    }
}

/// Every zone the browser knows (`Intl.supportedValuesOf("timeZone")`), or none in a
/// browser without it.
fn zone_names() -> Vec<String> {
    let intl = js_sys::Reflect::get(&js_sys::global(), &"Intl".into()).ok();
    let listed = intl.and_then(|intl| {
        let list: js_sys::Function = js_sys::Reflect::get(&intl, &"supportedValuesOf".into())
            .ok()?
            .dyn_into()
            .ok()?;
        list.call1(&intl, &"timeZone".into()).ok()
    });
    listed
        .map(|names| {
            js_sys::Array::from(&names)
                .iter()
                .filter_map(|name| name.as_string())
                .collect()
        })
        .unwrap_or_default()
}
