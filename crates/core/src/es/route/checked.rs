//! A request that passed `/es/`'s checks, and the upstream URL rebuilt from it.

use super::{CatOptions, EsRoute, IndexOptions, UrlSearch};

/// A request that passed the checks: its route, the index options it asked for, what a
/// search's URL asks that goes into its body (written there before the body is checked:
/// `UrlSearch::write_into`), the `filter_path` its answer goes through and `_cat`'s own
/// parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub route: EsRoute,
    /// `scroll`: a search that begins a scroll, or a scroll's next page kept alive so long.
    pub scroll: Option<String>,
    /// `scroll_id` in the URL of a scroll's next page.
    pub scroll_id: Option<String>,
    pub options: IndexOptions,
    pub search: UrlSearch,
    pub filter_path: Option<String>,
    pub cat: CatOptions,
}

impl Checked {
    /// The path and query to send upstream, rebuilt from the parsed form: nothing of the
    /// raw request goes on but what was understood (`typed_keys=false` and the like, which
    /// ask for the defaults, are dropped).
    pub fn upstream_path(&self) -> String {
        let path = self.route.upstream_path();
        let mut options = match self.route {
            EsRoute::Search { .. }
            | EsRoute::Msearch { .. }
            | EsRoute::Count { .. }
            | EsRoute::FieldCaps { .. }
            | EsRoute::Mapping { .. }
            | EsRoute::ResolveIndex { .. } => self.options.query(),
            EsRoute::CatIndices { .. } => self.cat.query(),
            _ => String::new(),
        };
        if let (EsRoute::Search { .. }, Some(keep_alive)) = (&self.route, &self.scroll) {
            let joint = if options.is_empty() { "" } else { "&" };
            options = format!("{options}{joint}scroll={keep_alive}");
        }
        for key in self.search.passed_flags() {
            let joint = if options.is_empty() { "" } else { "&" };
            options = format!("{options}{joint}{key}=true");
        }
        // (checked to hold names, patterns, `-` and commas: nothing to encode)
        if let Some(filter) = &self.filter_path {
            let joint = if options.is_empty() { "" } else { "&" };
            options = format!("{options}{joint}filter_path={filter}");
        }
        match (options.is_empty(), path.contains('?')) {
            (true, _) => path,
            (false, true) => format!("{path}&{options}"),
            (false, false) => format!("{path}?{options}"),
        }
    }
}
