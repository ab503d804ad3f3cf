//! Which field holds what: shows the detected choice for each role and lets people set
//! another (the choice is part of the link).

use leptos::prelude::*;
use logdash_core::dashboard::fields::ResolvedFields;

use crate::state::ViewSignal;

/// The roles, their labels, and how to read the detected choice.
const ROLES: &[(&str, &str)] = &[
    ("message", "Message"),
    ("level", "Level"),
    ("user", "User"),
    ("latency", "Response time (ms; event.duration in ns)"),
    ("status", "HTTP status"),
    ("path", "Path"),
    ("request_id", "Request id (stream tiebreaker)"),
];

fn detected(fields: &ResolvedFields, role: &str) -> Option<String> {
    match role {
        "message" => fields.message.clone(),
        "level" => fields.level.as_ref().map(|f| f.name.clone()),
        "user" => fields.user.as_ref().map(|f| f.name.clone()),
        "latency" => fields.latency.as_ref().map(|f| f.name.clone()),
        "status" => fields.status.as_ref().map(|f| f.name.clone()),
        "path" => fields.path.as_ref().map(|f| f.name.clone()),
        _ => fields.request_id.as_ref().map(|f| f.name.clone()),
    }
}

#[component]
pub fn FieldsEditor(
    /// The view whose field choices are edited.
    view: ViewSignal,
    /// What was detected in the data, shown as the placeholder.
    #[prop(into)]
    detected_fields: Signal<Option<ResolvedFields>>,
    /// Closes the editor.
    on_close: Callback<()>,
) -> impl IntoView {
    let value_of = move |role: &str| {
        view.get
            .with(|s| match role {
                "message" => s.fields.message.clone(),
                "level" => s.fields.level.clone(),
                "user" => s.fields.user.clone(),
                "latency" => s.fields.latency.clone(),
                "status" => s.fields.status.clone(),
                "path" => s.fields.path.clone(),
                _ => s.fields.request_id.clone(),
            })
            .unwrap_or_default()
    };
    view! {
        <aside id="fields" class="details" aria-label="fields">
            <header>
                <strong>"Fields"</strong>
                <span class="muted">" blank: detected from the data"</span>
                <button class="close" on:click=move |_| on_close.run(()) title="Close (Esc)">"×"</button>
            </header>
            <table>
                {ROLES.iter().map(|(role, label)| {
                    let role = *role;
                    let placeholder = move || detected_fields.with(|d| d.as_ref().and_then(|d| detected(d, role))).unwrap_or_else(|| "not found".into());
                    view! {
                        <tr>
                            <th>{*label}</th>
                            <td>
                                <input id=format!("field-{role}") type="text" spellcheck="false"
                                    placeholder=placeholder prop:value=move || value_of(role)
                                    on:change=move |e| {
                                        let value = event_target_value(&e).trim().to_string();
                                        let value = (!value.is_empty()).then_some(value);
                                        view.update(|s| {
                                            let slot = match role {
                                                "message" => &mut s.fields.message,
                                                "level" => &mut s.fields.level,
                                                "user" => &mut s.fields.user,
                                                "latency" => &mut s.fields.latency,
                                                "status" => &mut s.fields.status,
                                                "path" => &mut s.fields.path,
                                                _ => &mut s.fields.request_id,
                                            };
                                            *slot = value;
                                        });
                                    } />
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </table>
        </aside>
    }
}
