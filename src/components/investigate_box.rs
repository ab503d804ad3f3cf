//! The box the investigation tools mount into, and their loading: they are a second wasm
//! module (`crate::investigate`), fetched the first time the box opens, so the dashboard's
//! first download does not carry them. (A module that cannot be fetched says so in the box:
//! done in the loader, which keeps the dashboard's own code small.)

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

/// The tools' module, beside the dashboard's files (Trunk names it after its binary).
const TOOLS: &str = "./logdash-investigate.js";

#[wasm_bindgen(inline_js = "export function load_tools(url) {
  const href = new URL(url, document.baseURI).href;
  import(href)
    .then((m) => m.default({ module_or_path: href.replace(/\\.js$/, '_bg.wasm') }))
    .catch((e) => {
      const box = document.getElementById('investigate');
      if (box) box.textContent = 'The field sidebar could not be loaded: ' + e.message;
    });
}")]
extern "C" {
    fn load_tools(url: &str);
}

/// Shown while `open`; the tools are loaded the first time it opens.
#[component]
pub fn InvestigateBox(open: RwSignal<bool>) -> impl IntoView {
    let requested = StoredValue::new(false);
    Effect::new(move |_| {
        if open.get() && !requested.get_value() {
            requested.set_value(true);
            load_tools(TOOLS);
        }
    });
    view! { <aside id="investigate" class="investigate" class:hidden=move || !open.get()></aside> }
}
