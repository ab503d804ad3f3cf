//! Says which parameters of the link that opened this view were left out, and why: a
//! malformed link still opens the rest of its view, never a blank page.

use leptos::prelude::*;
use logdash_core::view::LinkNotice;

#[component]
pub fn LinkNotices(notices: RwSignal<Vec<LinkNotice>>) -> impl IntoView {
    move || {
        let shown = notices.get();
        (!shown.is_empty()).then(|| {
            view! {
                <div id="link-notices" class="banner warn" role="status">
                    <strong>"This link was opened without some of its parts:"</strong>
                    <ul>
                        {shown.into_iter().map(|notice| view! {
                            <li><code class="param">{notice.param}</code>" — "{notice.message}</li>
                        }).collect_view()}
                    </ul>
                    <button id="link-notices-close" on:click=move |_| notices.set(Vec::new())>"OK"</button>
                </div>
            }
        })
    }
}
