//! The dashboard's Content-Security-Policy: no inline script but Trunk's hashed bootstrap.

/// Builds the policy for the dashboard page. `frame_ancestors` comes from configuration.
pub fn content_security_policy(inline_script_hashes: &[&str], frame_ancestors: &str) -> String {
    let scripts = inline_script_hashes.join(" ");
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' {scripts}; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors {frame_ancestors}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_wasm_and_hashed_bootstrap_but_no_eval_or_inline() {
        let csp = content_security_policy(&["'sha256-abc='"], "'self' https://portal.example");
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-abc='"));
        assert!(!csp.contains("'unsafe-eval'"));
        assert!(!csp.contains("'unsafe-inline'"));
        assert!(csp.ends_with("frame-ancestors 'self' https://portal.example"));
    }
}
