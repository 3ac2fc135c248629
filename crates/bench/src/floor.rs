//! The practical floor: a bare `serde_json` typed parse of the snapshot into the least the
//! analysis needs (kind, names, container requests and limits, node allocatable, pod phase),
//! with borrowed strings where the JSON has no escapes. Every other field is skipped by serde.

use std::borrow::Cow;

use serde::Deserialize;

/// `kind: List` as kubectl prints it.
#[derive(Deserialize)]
struct List<'a> {
    #[serde(borrow)]
    items: Vec<Item<'a>>,
}

#[derive(Deserialize)]
struct Item<'a> {
    #[serde(borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow)]
    metadata: Meta<'a>,
    #[serde(borrow, default)]
    spec: Option<Spec<'a>>,
    #[serde(borrow, default)]
    status: Option<Status<'a>>,
}

#[derive(Deserialize)]
struct Meta<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    namespace: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Spec<'a> {
    #[serde(borrow, default)]
    containers: Vec<Container<'a>>,
    #[serde(borrow, default, rename = "nodeName")]
    node_name: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Container<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    resources: Option<Resources<'a>>,
}

#[derive(Deserialize)]
struct Resources<'a> {
    #[serde(borrow, default)]
    requests: Option<Amounts<'a>>,
    #[serde(borrow, default)]
    limits: Option<Amounts<'a>>,
}

#[derive(Deserialize)]
struct Amounts<'a> {
    #[serde(borrow, default)]
    cpu: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    memory: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Status<'a> {
    #[serde(borrow, default)]
    phase: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    allocatable: Option<Amounts<'a>>,
}

/// What the floor parse found (kept so the optimiser cannot drop the parse).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Items of kind `Node`.
    pub nodes: usize,
    /// Items of kind `Pod`.
    pub pods: usize,
    /// Containers (not init containers) of pods with a CPU request: what the jq filter counts.
    pub containers_with_cpu: usize,
    /// Containers with a CPU request or, failing that, a CPU limit (Kubernetes then requests the
    /// limit): what the analysis counts.
    pub containers_with_cpu_defaulted: usize,
    /// A checksum over the kept strings' lengths.
    pub checksum: usize,
}

/// Parses `bytes` as a `kind: List` and counts what it kept.
pub fn parse(bytes: &[u8]) -> Result<Counts, serde_json::Error> {
    let list: List<'_> = serde_json::from_slice(bytes)?;
    Ok(count(&list))
}

/// [`parse`] with sonic-rs (SIMD) instead of serde_json: the same types, the same serde derive.
#[cfg(feature = "parsers")]
pub fn parse_sonic(bytes: &[u8]) -> Result<Counts, String> {
    let list: List<'_> = sonic_rs::from_slice(bytes).map_err(|e| e.to_string())?;
    Ok(count(&list))
}

/// [`parse`] with simd-json, which parses in place (the bytes are changed, as the worker's own
/// buffer could be).
#[cfg(feature = "parsers")]
pub fn parse_simd_json(bytes: &mut [u8]) -> Result<Counts, String> {
    let list: List<'_> = simd_json::serde::from_slice(bytes).map_err(|e| e.to_string())?;
    Ok(count(&list))
}

fn count(list: &List<'_>) -> Counts {
    let mut c = Counts::default();
    for item in &list.items {
        c.checksum +=
            item.metadata.name.len() + item.metadata.namespace.as_ref().map_or(0, |n| n.len());
        if let Some(s) = &item.status {
            c.checksum += s.phase.as_ref().map_or(0, |p| p.len());
            if let Some(a) = &s.allocatable {
                c.checksum += amounts_len(a);
            }
        }
        match item.kind.as_ref() {
            "Node" => c.nodes += 1,
            "Pod" => {
                c.pods += 1;
                if let Some(spec) = &item.spec {
                    c.checksum += spec.node_name.as_ref().map_or(0, |n| n.len());
                    for ctr in &spec.containers {
                        c.checksum += ctr.name.len();
                        if let Some(r) = &ctr.resources {
                            let request = r.requests.as_ref().is_some_and(|a| a.cpu.is_some());
                            let limit = r.limits.as_ref().is_some_and(|a| a.cpu.is_some());
                            c.containers_with_cpu += usize::from(request);
                            c.containers_with_cpu_defaulted += usize::from(request || limit);
                            c.checksum += r.requests.as_ref().map_or(0, amounts_len)
                                + r.limits.as_ref().map_or(0, amounts_len);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    c
}

fn amounts_len(a: &Amounts<'_>) -> usize {
    a.cpu.as_ref().map_or(0, |v| v.len()) + a.memory.as_ref().map_or(0, |v| v.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_containers_with_cpu_requests() {
        let json = br#"{"apiVersion":"v1","kind":"List","items":[
            {"kind":"Node","metadata":{"name":"n1","labels":{"a":"b"}},"spec":{},
             "status":{"allocatable":{"cpu":"1930m","memory":"7Gi"}}},
            {"kind":"Pod","metadata":{"name":"p1","namespace":"ns"},
             "spec":{"nodeName":"n1","containers":[
                {"name":"a","resources":{"requests":{"cpu":"100m"}}},
                {"name":"b","resources":{"requests":{"memory":"1Gi"}}},
                {"name":"c","resources":{}},
                {"name":"e","resources":{"limits":{"cpu":"1"}}},
                {"name":"d\u0041","resources":{"requests":{"cpu":"1"},"limits":{"cpu":"2"}}}],
              "initContainers":[{"name":"i","resources":{"requests":{"cpu":"1"}}}]},
             "status":{"phase":"Running"}}]}"#;
        let c = parse(json).unwrap();
        assert_eq!((c.nodes, c.pods, c.containers_with_cpu), (1, 1, 2));
        assert_eq!(c.containers_with_cpu_defaulted, 3);
        assert!(parse(b"{\"items\": 3}").is_err());
    }
}
