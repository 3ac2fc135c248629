//! Anonymised reports: names replaced by stable keyed pseudonyms, everything else kept, so a
//! report can be shared without naming the cluster's namespaces, workloads or machines.
//!
//! A pseudonym is `<kind>-<10 hex digits>` of HMAC-SHA-256(key, kind ‖ 0 ‖ name): the same name
//! gets the same pseudonym everywhere in one report (workload rows, namespace rows, warnings),
//! and different keys give unrelated pseudonyms, so two exports made with fresh random keys
//! cannot be joined. The key is an input: the core has no randomness (the shells generate it).
//!
//! Replaced: namespaces (`ns-`), workload names (`wl-`), container names (`ctr-`), node names
//! (`node-`), pool names (`pool-`), and the names of other objects that warnings mention
//! (`obj-`, e.g. pods), also where node suggestions and recommendations name them. Free text
//! (warning messages, node explanations, suggestion reasons and notes, recommendation infos)
//! gets the same substitution for every name it mentions; the recommendations' input file name
//! becomes `recommendations`. Kept: workload kinds, instance types, providers, regions, zones,
//! capacity types, architectures, price sources and all numbers. Rows are re-sorted by their
//! pseudonyms where the order used the names, so the order does not leak them either.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use super::Report;
use crate::diagnostics::Warning;

/// HMAC-SHA-256 (RFC 2104) of `parts` concatenated.
fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(k.map(|b| b ^ 0x36));
    for p in parts {
        inner.update(p);
    }
    let inner = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(k.map(|b| b ^ 0x5c));
    outer.update(inner);
    outer.finalize().into()
}

/// The pseudonym of `name` of kind `kind` (`ns`, `wl`, `node`, ...) under `key`:
/// `<kind>-<10 lower-case hex digits>`.
pub fn pseudonym(key: &[u8], kind: &str, name: &str) -> String {
    let mac = hmac_sha256(key, &[kind.as_bytes(), &[0], name.as_bytes()]);
    let mut out = String::with_capacity(kind.len() + 11);
    out.push_str(kind);
    out.push('-');
    for b in &mac[..5] {
        out.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        out.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    out
}

/// Names seen so far and their pseudonyms.
struct Names<'k> {
    key: &'k [u8],
    map: HashMap<String, String>,
    /// Names with characters outside `[A-Za-z0-9._-]`, replaced in text by substring search.
    odd: Vec<String>,
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '.' | '_')
}

impl Names<'_> {
    fn get(&mut self, kind: &str, name: &str) -> String {
        if name.is_empty() {
            return String::new();
        }
        if let Some(p) = self.map.get(name) {
            return p.clone();
        }
        let p = pseudonym(self.key, kind, name);
        self.map.insert(name.to_owned(), p.clone());
        if !name.chars().all(is_name_char) {
            self.odd.push(name.to_owned());
        }
        p
    }

    fn get_opt(&mut self, kind: &str, name: &Option<String>) -> Option<String> {
        name.as_ref().map(|n| self.get(kind, n))
    }

    /// `Kind/ns/name` or `Kind/name` with the namespace and name replaced.
    fn object(&mut self, object: &str) -> String {
        let parts: Vec<&str> = object.splitn(3, '/').collect();
        match parts.as_slice() {
            [] | [""] => String::new(),
            [kind, name] => format!("{kind}/{}", self.get(object_kind(kind), name)),
            [kind, ns, name] => format!(
                "{kind}/{}/{}",
                self.get("ns", ns),
                self.get(object_kind(kind), name)
            ),
            [other] => self.get("obj", other),
            _ => String::new(),
        }
    }

    /// `namespace/name` with both parts replaced (the name as `kind`).
    fn ns_name(&mut self, kind: &str, s: &str) -> String {
        match s.split_once('/') {
            Some((ns, name)) => format!("{}/{}", self.get("ns", ns), self.get(kind, name)),
            None => self.get(kind, s),
        }
    }

    /// `text` with every known name replaced by its pseudonym.
    fn text(&self, text: &str) -> String {
        let mut s = text.to_owned();
        for name in &self.odd {
            if let Some(p) = self.map.get(name) {
                s = s.replace(name.as_str(), p);
            }
        }
        let mut out = String::with_capacity(s.len());
        let mut token = String::new();
        let flush = |out: &mut String, token: &mut String| {
            if !token.is_empty() {
                let trimmed = token.trim_end_matches('.');
                match self.map.get(token.as_str()) {
                    Some(p) => out.push_str(p),
                    None => match self.map.get(trimmed) {
                        Some(p) => {
                            out.push_str(p);
                            out.push_str(&token[trimmed.len()..]);
                        }
                        None => out.push_str(token),
                    },
                }
                token.clear();
            }
        };
        for c in s.chars() {
            if is_name_char(c) {
                token.push(c);
            } else {
                flush(&mut out, &mut token);
                out.push(c);
            }
        }
        flush(&mut out, &mut token);
        out
    }
}

fn object_kind(kind: &str) -> &'static str {
    match kind {
        "Node" => "node",
        "Namespace" => "ns",
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" | "CronJob"
        | "Rollout" => "wl",
        _ => "obj",
    }
}

impl Report {
    /// This report with namespaces, workloads, containers, nodes and pools replaced by stable
    /// pseudonyms keyed by `key` (see the [module docs](self)); instance types, regions and all
    /// numbers unchanged. Every export format of the result is anonymised. Pass a fresh random
    /// key per export so that exports cannot be joined; an empty key works but is guessable.
    pub fn anonymised(&self, key: &[u8]) -> Report {
        let mut r = self.clone();
        let mut names = Names {
            key,
            map: HashMap::new(),
            odd: Vec::new(),
        };
        for n in &mut r.nodes {
            n.name = names.get("node", &n.name);
            n.pool = names.get_opt("pool", &n.pool);
        }
        for p in &mut r.node_pools {
            p.name = names.get_opt("pool", &p.name);
            for n in &mut p.nodes {
                *n = names.get("node", n);
            }
            p.nodes.sort();
        }
        for ns in &mut r.namespaces {
            ns.name = names.get("ns", &ns.name);
        }
        if let Some(a) = &mut r.allocation {
            for g in &mut a.groups {
                g.values = g.values.iter().map(|v| names.get("group", v)).collect();
                g.name = g.values.join(" / ");
            }
            for w in &mut a.workloads {
                w.namespace = names.get("ns", &w.namespace);
                w.name = names.get("wl", &w.name);
                w.values = w.values.iter().map(|v| names.get("group", v)).collect();
            }
            a.workloads.sort_by(|x, y| {
                (&x.namespace, &x.kind, &x.name).cmp(&(&y.namespace, &y.kind, &y.name))
            });
            a.shared.namespaces = a
                .shared
                .namespaces
                .iter()
                .map(|n| names.get("ns", n))
                .collect();
            a.rules.shared_namespaces = a.shared.namespaces.clone();
            a.rules.description.clear();
        }
        for w in &mut r.workloads {
            w.namespace = names.get("ns", &w.namespace);
            w.name = names.get("wl", &w.name);
            for n in &mut w.nodes {
                *n = names.get("node", n);
            }
            w.nodes.sort();
            for c in &mut w.containers {
                c.name = names.get("ctr", &c.name);
            }
        }
        for p in &mut r.node_pools {
            if let Some(d) = &mut p.demand {
                let l = &mut d.largest_pod;
                l.cpu_pod = l.cpu_pod.as_deref().map(|s| names.ns_name("obj", s));
                l.memory_pod = l.memory_pod.as_deref().map(|s| names.ns_name("obj", s));
            }
            if let Some(spot) = &mut p.spot {
                for w in &mut spot.interruption_sensitive {
                    *w = match w.split_once(' ') {
                        Some((kind, rest)) => format!("{kind} {}", names.ns_name("wl", rest)),
                        None => names.ns_name("wl", w),
                    };
                }
            }
        }
        // Patches name the real objects: they would be of no use under pseudonyms.
        r.patches = None;
        if let Some(rp) = &mut r.repack {
            for p in &mut rp.pools {
                if !p.pool.ends_with(crate::repack::plan::UNLABELLED) {
                    p.pool = names.get("pool", &p.pool);
                }
                for n in &mut p.drainable_nodes {
                    *n = names.get("node", n);
                }
                p.reason = p.reason.as_deref().map(|t| names.text(t));
            }
            for n in &mut rp.drainable_nodes {
                *n = names.get("node", n);
            }
            for b in &mut rp.blocked {
                b.pod = names.ns_name("obj", &b.pod);
                b.node = names.get("node", &b.node);
            }
            for n in &mut rp.notes {
                *n = names.text(n);
            }
        }
        if let Some(rec) = &mut r.recommendations {
            rec.input = "recommendations".to_owned();
            for u in &mut rec.unmatched {
                u.namespace = names.get("ns", &u.namespace);
                u.name = names.get(object_kind(&u.kind), &u.name);
                u.container = names.get("ctr", &u.container);
            }
            let scope = &mut rec.namespaces;
            for n in scope.scanned.iter_mut().chain(scope.skipped.iter_mut()) {
                *n = names.get("ns", n);
            }
            scope.scanned.sort();
            scope.skipped.sort();
            for n in &mut rec.settings.namespaces {
                *n = names.get("ns", &n.trim().to_lowercase());
            }
        }
        let objects: Vec<String> = r.warnings.iter().map(|w| names.object(&w.object)).collect();
        r.warnings = r
            .warnings
            .iter()
            .zip(objects)
            .map(|(w, object)| Warning {
                code: w.code.clone(),
                object,
                message: names.text(&w.message),
            })
            .collect();
        for n in &mut r.nodes {
            n.explanation = names.text(&n.explanation);
        }
        for p in &mut r.node_pools {
            p.suggestions_reason = p.suggestions_reason.as_deref().map(|t| names.text(t));
            for a in &mut p.assumptions {
                *a = names.text(a);
            }
            if let Some(spot) = &mut p.spot {
                spot.note = spot.note.as_deref().map(|t| names.text(t));
                spot.caution = names.text(&spot.caution);
            }
        }
        for w in &mut r.workloads {
            for c in &mut w.containers {
                if let Some(rec) = &mut c.recommended {
                    rec.info = rec.info.as_deref().map(|t| names.text(t));
                }
            }
        }
        r.node_recommendations.note = names.text(&r.node_recommendations.note);
        if let Some(rec) = &mut r.recommendations {
            for u in &mut rec.unmatched {
                u.reason = names.text(&u.reason);
            }
        }
        // Re-sort where the order used the real names.
        r.nodes.sort_by(|a, b| a.name.cmp(&b.name));
        r.node_pools.sort_by(|a, b| {
            (a.provider.as_str(), &a.region, &a.name).cmp(&(
                b.provider.as_str(),
                &b.region,
                &b.name,
            ))
        });
        r.namespaces.sort_by(|a, b| {
            b.monthly_cost
                .partial_cmp(&a.monthly_cost)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then_with(|| a.name.cmp(&b.name))
        });
        r.workloads.sort_by(|a, b| {
            b.monthly_cost
                .partial_cmp(&a.monthly_cost)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then_with(|| a.namespace.cmp(&b.namespace))
                .then_with(|| a.kind.cmp(&b.kind))
                .then_with(|| a.name.cmp(&b.name))
        });
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc4231_case_2() {
        let mac = hmac_sha256(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn pseudonyms_are_keyed_and_stable() {
        assert_eq!(pseudonym(b"k", "ns", "shop"), pseudonym(b"k", "ns", "shop"));
        assert_ne!(pseudonym(b"k", "ns", "shop"), pseudonym(b"j", "ns", "shop"));
        assert_ne!(pseudonym(b"k", "ns", "shop"), pseudonym(b"k", "wl", "shop"));
        assert_eq!(pseudonym(b"k", "ns", "shop").len(), 13);
    }

    #[test]
    fn text_substitution() {
        let mut n = Names {
            key: b"k",
            map: HashMap::new(),
            odd: Vec::new(),
        };
        let web = n.get("wl", "web");
        let odd = n.get("wl", "a b<c>");
        assert_eq!(
            n.text("workload web has `web` and a b<c>; web."),
            format!("workload {web} has `{web}` and {odd}; {web}.")
        );
        assert_eq!(n.text("webby"), "webby");
        assert_eq!(n.object("Pod/web/x").split('/').count(), 3);
        assert_eq!(n.object(""), "");
    }
}
