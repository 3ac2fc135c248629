//! `cargo xtask csp [INDEX.HTML]`: gives the built app a strict Content-Security-Policy.
//!
//! Trunk writes the wasm loader as an inline `<script type="module">` whose text changes with
//! every build (it names the hashed `.js` file), so the policy cannot be written by hand. This
//! command runs as Trunk's `post_build` hook for release builds (see Trunk.toml): it hashes every
//! inline `<script>` of the staged `index.html` and inserts
//! `<meta http-equiv="Content-Security-Policy" content="...">` as the first element of `<head>`,
//! so a static deployment of `dist/` is protected without any server configuration.
//! `trunk serve` sends the same policy as a header with a per-request nonce instead
//! (`[serve] csp` in Trunk.toml), because it injects its own reload script.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use base64::Engine;
use sha2::{Digest, Sha256};

/// Everything but the script hashes. `connect-src` allows the same origin (the catalogue, the
/// `/vantage/` proxy), any HTTPS endpoint the user types (Vantage, a proxy) and a port-forwarded
/// Prometheus on the loopback; nothing else can be reached even by injected markup.
pub const POLICY_TAIL: &str = "default-src 'self'; \
style-src 'self'; \
img-src 'self' data: blob:; \
font-src 'self'; \
connect-src 'self' https: http://localhost:* http://127.0.0.1:* http://[::1]:*; \
worker-src 'self' blob:; \
object-src 'none'; \
base-uri 'none'; \
form-action 'none'";

/// The policy for a page whose inline scripts hash to `hashes` (`'sha256-…'` sources).
pub fn policy(hashes: &[String]) -> String {
    let mut scripts = String::from("'self' 'wasm-unsafe-eval'");
    for h in hashes {
        scripts.push(' ');
        scripts.push_str(h);
    }
    format!("script-src {scripts}; {POLICY_TAIL}")
}

/// `'sha256-<base64>'` of an inline script's text, as CSP computes it.
pub fn hash_source(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The texts of the inline `<script>` elements (those without `src`) of `html`.
pub fn inline_scripts(html: &str) -> Result<Vec<&str>> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let open_end = after
            .find('>')
            .context("an unterminated <script> tag in index.html")?;
        let open = &after[..open_end];
        let body = &after[open_end + 1..];
        let close = body
            .find("</script>")
            .context("a <script> without </script> in index.html")?;
        if !open.contains(" src=") {
            out.push(&body[..close]);
        }
        rest = &body[close + "</script>".len()..];
    }
    Ok(out)
}

/// `html` with the policy meta element (replacing an earlier one this command inserted).
pub fn apply(html: &str) -> Result<String> {
    const MARK: &str = "<meta http-equiv=\"Content-Security-Policy\"";
    let mut html = html.to_owned();
    if let Some(start) = html.find(MARK) {
        let end = html[start..]
            .find('>')
            .context("an unterminated Content-Security-Policy meta element")?;
        let ws = html[..start].len() - html[..start].trim_end().len();
        html.replace_range(start - ws..start + end + 1, "");
    }
    let hashes: Vec<String> = inline_scripts(&html)?
        .into_iter()
        .map(hash_source)
        .collect();
    let meta = format!("{MARK} content=\"{}\">", policy(&hashes));
    let head = html
        .find("<head>")
        .context("index.html has no <head>: cannot insert the Content-Security-Policy")?;
    html.insert_str(head + "<head>".len(), &format!("\n    {meta}"));
    Ok(html)
}

/// Entry point: `cargo xtask csp [PATH]`. Without a path it works on
/// `$TRUNK_STAGING_DIR/index.html` (Trunk's hook) and does nothing for debug builds.
pub fn run(args: &[String]) -> Result<()> {
    let path: PathBuf = match args.first() {
        Some(p) => PathBuf::from(p),
        None => {
            let staging = std::env::var_os("TRUNK_STAGING_DIR").context(
                "give the index.html to protect, or run as Trunk's post_build hook \
                 (TRUNK_STAGING_DIR is not set)",
            )?;
            if std::env::var("TRUNK_PROFILE").as_deref() != Ok("release") {
                println!(
                    "xtask csp: debug build, no meta policy (trunk serve sends the policy as a header)"
                );
                return Ok(());
            }
            Path::new(&staging).join("index.html")
        }
    };
    let html = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let out = apply(&html)?;
    if inline_scripts(&out)?.is_empty() {
        bail!(
            "{} has no inline script: Trunk's loader is missing, refusing to guess",
            path.display()
        );
    }
    std::fs::write(&path, out).with_context(|| format!("cannot write {}", path.display()))?;
    println!(
        "xtask csp: Content-Security-Policy written into {}",
        path.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "<!doctype html><html><head><title>t</title>\n<script type=\"module\">\nimport init from '/a.js';\n</script><script src=\"/b.js\"></script></head><body></body></html>";

    #[test]
    fn hashes_only_inline_scripts() {
        let scripts = inline_scripts(PAGE).unwrap();
        assert_eq!(scripts, vec!["\nimport init from '/a.js';\n"]);
    }

    #[test]
    fn hash_matches_a_known_value() {
        // printf 'alert(1)' | openssl dgst -sha256 -binary | base64
        assert_eq!(
            hash_source("alert(1)"),
            "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
        );
    }

    #[test]
    fn inserts_once_and_replaces_on_rerun() {
        let once = apply(PAGE).unwrap();
        let twice = apply(&once).unwrap();
        assert_eq!(once, twice);
        assert_eq!(once.matches("Content-Security-Policy").count(), 1);
        assert!(once.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"));
        assert!(!once.contains("unsafe-inline"));
        let head = once.find("<head>").unwrap();
        assert!(
            once[head..].starts_with("<head>\n    <meta http-equiv=\"Content-Security-Policy\"")
        );
    }

    #[test]
    fn a_page_without_head_is_an_error() {
        assert!(apply("<html><script>x</script></html>").is_err());
    }
}
