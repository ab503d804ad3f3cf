//! Offering what the tools made as a file the browser saves (saved queries, exports).

use wasm_bindgen::JsCast;

/// How long the file's address lives after it was offered: long enough for the browser
/// to start saving a large file.
const KEPT_MS: i32 = 60_000;

/// Offers `parts` (strings or byte arrays, in order) as the file `name` of type `kind`.
pub fn offer(parts: &js_sys::Array, kind: &str, name: &str) -> Result<(), String> {
    let cannot = |what: &str| format!("the browser could not {what}");
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(kind);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(parts, &options)
        .map_err(|_| cannot("hold the file"))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| cannot("give the file an address"))?;
    let window = web_sys::window().ok_or_else(|| cannot("find its window"))?;
    let anchor = window
        .document()
        .and_then(|d| d.create_element("a").ok())
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        .ok_or_else(|| cannot("make a link to the file"))?;
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    let _ = window
        .set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), KEPT_MS);
    Ok(())
}
