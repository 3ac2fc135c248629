//! `cargo xtask test`, stage "core layers": the core's modules import only from their own
//! layer or the layers below it, in the order ARCHITECTURE.md writes down, and no two modules
//! import each other (directly or round a circle).
//!
//! ARCHITECTURE.md holds the order in a fenced block tagged `layers`, top layer first, one
//! layer per line, the modules of a layer separated by spaces:
//!
//! ```text
//! pipeline
//! analysis
//! …
//! model quantity
//! ```
//!
//! An import is any `crate::NAME` in code (comments are skipped): `use crate::cost::Rates;`,
//! `crate::report::Report::build(…)`. Every top-level module of `crates/core/src` must be in
//! the list, and every listed module must exist.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// The layers from ARCHITECTURE.md, top first.
pub fn read_layers(architecture: &str) -> Result<Vec<Vec<String>>> {
    let mut lines = architecture.lines();
    let start = lines
        .position(|l| l.trim() == "```layers")
        .context("ARCHITECTURE.md has no ```layers block")?;
    let _ = start;
    let mut layers = Vec::new();
    for line in lines {
        let line = line.trim();
        if line == "```" {
            return Ok(layers);
        }
        let modules: Vec<String> = line
            .split_whitespace()
            .take_while(|w| !w.starts_with('#'))
            .map(str::to_owned)
            .collect();
        if !modules.is_empty() {
            layers.push(modules);
        }
    }
    bail!("the ```layers block in ARCHITECTURE.md is not closed")
}

/// `text` without comments (line comments, doc comments and block comments); string
/// contents are kept (an import is never inside a string in this code base).
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("//") {
            rest = after.find('\n').map_or("", |i| &after[i..]);
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.find("*/").map_or("", |i| &after[i + 2..]);
        } else if let Some(len) = raw_string_len(rest) {
            out.push_str(&rest[..len]);
            rest = &rest[len..];
        } else if let Some(len) = char_literal_len(rest) {
            out.push_str(&rest[..len]);
            rest = &rest[len..];
        } else if let Some(after) = rest.strip_prefix('"') {
            // Skip a string literal so that `"//"` inside it is not a comment.
            let mut end = 0;
            let bytes = after.as_bytes();
            while end < bytes.len() && bytes[end] != b'"' {
                end += if bytes[end] == b'\\' { 2 } else { 1 };
            }
            out.push('"');
            let end = end.min(after.len());
            out.push_str(&after[..end]);
            rest = after.get(end + 1..).unwrap_or("");
            out.push('"');
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// The length of a raw string literal (`r"…"`, `r#"…"#`, `br"…"`) at the start of `s`.
fn raw_string_len(s: &str) -> Option<usize> {
    let body = s.strip_prefix("br").or_else(|| s.strip_prefix('r'))?;
    let hashes = body.bytes().take_while(|b| *b == b'#').count();
    let body = body[hashes..].strip_prefix('"')?;
    let close = format!("\"{}", "#".repeat(hashes));
    let end = body.find(&close)?;
    Some(s.len() - body.len() + end + close.len())
}

/// The length of a character literal (`'"'`, `'\''`) at the start of `s`; a lifetime is not one.
fn char_literal_len(s: &str) -> Option<usize> {
    let rest = s.strip_prefix('\'')?;
    if let Some(escaped) = rest.strip_prefix('\\') {
        return escaped.find('\'').map(|i| i + 3);
    }
    let c = rest.chars().next()?;
    rest[c.len_utf8()..]
        .starts_with('\'')
        .then_some(2 + c.len_utf8())
}

/// The top-level modules each top-level module of `src` imports (itself left out).
pub fn imports(src: &Path) -> Result<BTreeMap<String, BTreeSet<String>>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in rust_files(src)? {
        let rel = file.strip_prefix(src).unwrap_or(&file);
        let first = rel
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .unwrap_or_default();
        let module = first.trim_end_matches(".rs").to_owned();
        if module == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        let code = strip_comments(&text);
        let entry = graph.entry(module.clone()).or_default();
        for (i, _) in code.match_indices("crate::") {
            let name: String = code[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && name != module {
                entry.insert(name);
            }
        }
    }
    Ok(graph)
}

fn rust_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            out.extend(rust_files(&path)?);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// Every import that goes up a layer, every module missing from the layers, every circle.
pub fn violations(
    layers: &[Vec<String>],
    graph: &BTreeMap<String, BTreeSet<String>>,
) -> Vec<String> {
    let mut problems = Vec::new();
    // Top first in the file: the bottom layer gets rank 0.
    let rank: BTreeMap<&str, usize> = layers
        .iter()
        .rev()
        .enumerate()
        .flat_map(|(r, l)| l.iter().map(move |m| (m.as_str(), r)))
        .collect();
    for module in graph.keys() {
        if !rank.contains_key(module.as_str()) {
            problems.push(format!(
                "crates/core/src/{module} is in no layer of ARCHITECTURE.md's ```layers block"
            ));
        }
    }
    for module in rank.keys() {
        if !graph.contains_key(*module) {
            problems.push(format!(
                "ARCHITECTURE.md's layers name `{module}`, which is not a module of crates/core"
            ));
        }
    }
    for (from, targets) in graph {
        let Some(&r) = rank.get(from.as_str()) else {
            continue;
        };
        for to in targets {
            if let Some(&t) = rank.get(to.as_str())
                && t > r
            {
                problems.push(format!(
                    "`{from}` imports `{to}`, a layer above it (ARCHITECTURE.md, Layers)"
                ));
            }
        }
    }
    problems.extend(circles(graph).into_iter().map(|c| {
        format!(
            "modules import each other round a circle: {{{}}}",
            c.join(", ")
        )
    }));
    problems
}

/// The circles of `graph`: each set of two or more modules that all reach each other (a
/// strongly connected component), sorted.
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let nodes: Vec<&String> = graph.keys().collect();
    let reach = |from: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_owned()];
        while let Some(n) = stack.pop() {
            for next in graph.get(&n).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        seen
    };
    let reachable: BTreeMap<&String, BTreeSet<String>> =
        nodes.iter().map(|n| (*n, reach(n))).collect();
    let mut done = BTreeSet::new();
    let mut out = Vec::new();
    for n in &nodes {
        if done.contains(*n) || !reachable[n].contains(*n) {
            continue;
        }
        let mut component: Vec<String> = nodes
            .iter()
            .filter(|m| reachable[n].contains(**m) && reachable[*m].contains(*n))
            .map(|m| (*m).clone())
            .collect();
        component.sort();
        done.extend(component.iter().cloned());
        if component.len() > 1 {
            out.push(component);
        }
    }
    out
}

/// The stage: reads ARCHITECTURE.md and the core's sources under `root`.
pub fn check(root: &Path) -> Result<()> {
    let architecture = std::fs::read_to_string(root.join("ARCHITECTURE.md"))
        .context("cannot read ARCHITECTURE.md")?;
    let layers = read_layers(&architecture)?;
    let graph = imports(&root.join("crates/core/src"))?;
    let problems = violations(&layers, &graph);
    if problems.is_empty() {
        println!(
            "==> {} modules in {} layers, no import goes up, no circles",
            graph.len(),
            layers.len()
        );
        return Ok(());
    }
    for p in &problems {
        eprintln!("  {p}");
    }
    bail!("{} layer problems in crates/core", problems.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(&str, &str)]) -> BTreeMap<String, BTreeSet<String>> {
        let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (a, b) in edges {
            g.entry((*a).to_owned())
                .or_default()
                .insert((*b).to_owned());
            g.entry((*b).to_owned()).or_default();
        }
        g
    }

    #[test]
    fn an_upward_import_a_circle_and_an_unlisted_module_are_each_reported() {
        let layers = read_layers("x\n```layers\ntop\nmid # the middle\nlow\n```\n").unwrap();
        assert_eq!(layers, [["top"], ["mid"], ["low"]]);
        assert!(violations(&layers, &graph(&[("top", "mid"), ("mid", "low")])).is_empty());
        let up = violations(
            &layers,
            &graph(&[("low", "top"), ("top", "mid"), ("mid", "low")]),
        );
        assert!(
            up.iter().any(|p| p.contains("`low` imports `top`")),
            "{up:?}"
        );
        assert!(
            up.iter().any(|p| p.contains("circle: {low, mid, top}")),
            "{up:?}"
        );
        let extra = violations(&layers, &graph(&[("top", "new")]));
        assert!(
            extra.iter().any(|p| p.contains("new is in no layer")),
            "{extra:?}"
        );
    }

    #[test]
    fn comments_and_strings_do_not_count_as_imports() {
        let code = "/// see [`crate::report`]\nuse crate::cost::Rates; // crate::suggest\n\
                    /* crate::pipeline */ let s = \"crate::x // y\"; crate::format::usd(1);\n\
                    let q = '\"'; let r = r#\"a \" // b\"#; fn f<'a>(x: &'a str) {} // crate::cluster";
        let stripped = strip_comments(code);
        assert!(stripped.contains("crate::cost") && stripped.contains("crate::format"));
        assert!(!stripped.contains("crate::report") && !stripped.contains("crate::suggest"));
        assert!(!stripped.contains("crate::pipeline"));
        // A quote in a char literal or a raw string does not start a string.
        assert!(!stripped.contains("crate::cluster"), "{stripped}");
    }
}
