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

#[cfg(test)]
mod tests {
    use super::*;

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
