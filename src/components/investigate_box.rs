//! Where the investigation tools (the field sidebar, saved queries, a line's details) open, and their
//! loading: they are a second wasm module (`crate::investigate`), fetched the first time
//! one opens, so the dashboard's first download does not carry them. The dashboard says
//! which tool is open; the module shows it. (A module that cannot be fetched says so in
//! the box: done in the loader, which keeps the dashboard's own code small.)

use leptos::prelude::*;
use logdash_core::dashboard::event_fields::handoff;
use logdash_core::dashboard::tail::Row;
use wasm_bindgen::prelude::*;

/// The tools' module, beside the dashboard's files (Trunk names it after its binary).
const TOOLS: &str = "./logdash-investigate.js";

#[wasm_bindgen(inline_js = "let tools, tries = 0;
export function show_tool(url, tool) {
  if (!tools) {
    // a retry asks anew: a browser may keep a failed module fetch
    const href = new URL(url, document.baseURI).href;
    const again = tries++ ? '?try=' + tries : '';
    tools = import(href + again)
      .then((m) => m.default({ module_or_path: href.replace(/\\.js$/, '_bg.wasm') + again }).then(() => m))
      .catch((e) => {
        tools = undefined;
        const box = document.getElementById('investigate');
        if (box) box.textContent = 'The tools could not be loaded: ' + e.message;
        throw e;
      });
  }
  tools.then((m) => m.show(tool), () => {});
}")]
extern "C" {
    fn show_tool(url: &str, tool: &str);
}

/// Hands the line the details show to the tools (which are fetched if need be).
pub fn show_line(row: &Row) {
    show_tool(TOOLS, &format!("details\n{}", handoff(row)));
}

/// Opens `name`, or closes it if it is the one open.
pub fn toggle(tool: RwSignal<&'static str>, name: &'static str) {
    tool.update(|open| *open = if *open == name { "" } else { name });
}

/// The box the module mounts into; `tool` is the one shown ("" for none).
#[component]
pub fn InvestigateBox(tool: RwSignal<&'static str>) -> impl IntoView {
    let loaded = StoredValue::new(false);
    Effect::new(move |_| {
        let shown = tool.get();
        // nothing is fetched before a tool is first opened
        if !shown.is_empty() || loaded.get_value() {
            loaded.set_value(true);
            show_tool(TOOLS, shown);
        }
    });
    view! { <div id="investigate" class:hidden=move || tool.get().is_empty()></div> }
}
