//! Which field holds what: shows the detected choice for each role and lets people set
//! another (the choice is part of the link). The tools' `fields`; the dashboard's
//! "Fields" button opens and closes it.

use leptos::prelude::*;
use logdash_core::dashboard::fields::resolve;
use logdash_core::view::Role;

use crate::state::ViewSignal;

#[component]
pub fn FieldsEditor(
    /// The view whose field choices are edited.
    view: ViewSignal,
    /// The view's fields: what is detected in them is each box's placeholder.
    fields: super::Fields,
) -> impl IntoView {
    // detected as the dashboard detects them: a role chosen by hand shows its choice
    let detected_fields = Signal::derive(move || {
        let found = fields.get()?.ok()?;
        Some(view.get.with(|state| resolve(&state.fields, &found)))
    });
    let value_of = move |role: Role| {
        view.get
            .with(|s| s.fields.get(role).cloned())
            .unwrap_or_default()
    };
    view! {
        <aside id="fields" class="details" aria-label="fields">
            <header>
                <strong>"Fields"</strong>
                <span class="muted">" blank: detected from the data"</span>
                <button class="close" on:click=move |_| super::press("fields-button") title="Close (Esc)">"×"</button>
            </header>
            <table>
                {Role::ALL.map(|role| {
                    let placeholder = move || detected_fields.with(|d| d.as_ref().and_then(|d| d.name_of(role).map(str::to_string))).unwrap_or_else(|| "not found".into());
                    view! {
                        <tr>
                            <th>{role.label()}</th>
                            <td>
                                <input id=format!("field-{}", role.key()) type="text" spellcheck="false"
                                    placeholder=placeholder prop:value=move || value_of(role)
                                    on:change=move |e| {
                                        let value = event_target_value(&e).trim().to_string();
                                        let value = (!value.is_empty()).then_some(value);
                                        view.update(|s| *s.fields.slot(role) = value);
                                    } />
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </table>
        </aside>
    }
}
