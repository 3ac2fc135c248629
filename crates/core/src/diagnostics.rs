//! Warnings: odd but valid content that the analysis works around instead of failing on.

use serde::Serialize;

/// Something odd in the input that the analysis worked around.
///
/// Warnings never stop the analysis; they explain what was assumed instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Warning {
    /// Stable snake_case identifier (`invalid_quantity`, `pod_node_missing`, ...).
    pub code: String,
    /// The object concerned, as `Kind/name` or `Kind/namespace/name`; empty when the warning is
    /// about an input or the whole cluster rather than one object.
    pub object: String,
    /// What happened and what was assumed, for people.
    pub message: String,
}

impl Warning {
    /// A warning about `object` (see [`Warning::object`]).
    pub fn new(code: &str, object: impl Into<String>, message: impl Into<String>) -> Warning {
        Warning {
            code: code.to_owned(),
            object: object.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.object.is_empty() {
            write!(f, "{}: {}", self.code, self.message)
        } else {
            write!(f, "{} ({}): {}", self.code, self.object, self.message)
        }
    }
}

/// Formats an object reference the way warnings name objects: `Kind/name` for cluster-scoped
/// objects and `Kind/namespace/name` for namespaced ones.
pub fn object_ref(kind: &str, namespace: Option<&str>, name: &str) -> String {
    match namespace {
        Some(ns) if !ns.is_empty() => format!("{kind}/{ns}/{name}"),
        _ => format!("{kind}/{name}"),
    }
}

/// The most warnings of one code that are listed one by one ([`cap_per_code`]).
pub const MAX_WARNINGS_PER_CODE: usize = 100;

/// Keeps the first `max` warnings of each code (in order) and replaces the rest of a code by one
/// warning of that code saying how many were left out, so that hostile or huge inputs (a
/// million list items without a `kind`) cannot grow the report, its exports and the app's
/// warnings tab without bound.
pub fn cap_per_code(warnings: Vec<Warning>, max: usize) -> Vec<Warning> {
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut kept = Vec::with_capacity(warnings.len().min(1024));
    for w in warnings {
        let n = seen.entry(w.code.clone()).or_default();
        *n += 1;
        if *n <= max {
            kept.push(w);
        }
    }
    let mut over: Vec<(String, usize)> = seen.into_iter().filter(|(_, n)| *n > max).collect();
    over.sort();
    for (code, n) in over {
        let left_out = n - max;
        kept.push(Warning::new(
            &code,
            "",
            format!("{left_out} more `{code}` warnings are not listed (the first {max} are)"),
        ));
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_warnings_per_code_and_says_how_many_were_left_out() {
        let mut ws: Vec<Warning> = (0..250)
            .map(|i| Warning::new("missing_kind", format!("x{i}"), "m"))
            .collect();
        ws.insert(3, Warning::new("no_pods", "", "n"));
        ws.extend((0..5).map(|i| Warning::new("pod_node_missing", format!("p{i}"), "m")));
        let capped = cap_per_code(ws.clone(), 100);
        assert_eq!(capped.len(), 100 + 1 + 5 + 1);
        assert_eq!(capped[..3], ws[..3]);
        assert_eq!(capped[3].code, "no_pods");
        let last = capped.last().expect("a summary");
        assert_eq!(last.code, "missing_kind");
        assert_eq!(last.object, "");
        assert_eq!(
            last.message,
            "150 more `missing_kind` warnings are not listed (the first 100 are)"
        );
        // Under the cap: unchanged.
        assert_eq!(cap_per_code(ws[..50].to_vec(), 100), ws[..50].to_vec());
    }

    #[test]
    fn displays_and_names_objects() {
        let w = Warning::new(
            "pod_node_missing",
            object_ref("Pod", Some("default"), "web-1"),
            "x",
        );
        assert_eq!(w.to_string(), "pod_node_missing (Pod/default/web-1): x");
        assert_eq!(object_ref("Node", None, "ip-1"), "Node/ip-1");
        assert_eq!(Warning::new("no_nodes", "", "y").to_string(), "no_nodes: y");
    }
}
