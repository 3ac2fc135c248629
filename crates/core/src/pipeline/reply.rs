//! What the worker posts to the page: a finished analysis as data (the report and what the
//! page shows around it, the Vantage lookups' result), serialised as JSON.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::cluster::InputSummary;
use crate::diagnostics::Warning;
use crate::http::{Response, TransportError};
use crate::pricing::catalogue::Catalogue;
use crate::pricing::import::write_price_file;
use crate::pricing::vantage::{self, PriceKey};
use crate::report::Report;

use super::Outcome;

/// The price catalogue as the pipeline found it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CatalogueStatus {
    /// Regions covered and dates ([`Catalogue::coverage`]).
    pub coverage: Vec<String>,
    /// Why it could not be loaded or read (nodes are then priced with fallback rates).
    pub problem: Option<String>,
}

impl CatalogueStatus {
    /// A loaded catalogue's status.
    pub fn of(catalogue: &Catalogue) -> CatalogueStatus {
        CatalogueStatus {
            coverage: catalogue.coverage(),
            problem: None,
        }
    }

    /// Decodes a downloaded catalogue, or says why there is none.
    pub fn from_download(
        result: Result<Response, TransportError>,
    ) -> (Option<Arc<Catalogue>>, CatalogueStatus) {
        let problem = match result {
            Ok(r) if r.status == 200 => match Catalogue::from_bytes(&r.body) {
                Ok(c) => {
                    let status = CatalogueStatus::of(&c);
                    return (Some(Arc::new(c)), status);
                }
                Err(e) => format!("the price catalogue is damaged ({e})"),
            },
            Ok(r) => format!(
                "the price catalogue could not be loaded (HTTP {})",
                r.status
            ),
            Err(e) => format!(
                "the price catalogue could not be loaded ({})",
                match e {
                    TransportError::Network(m) => m,
                    TransportError::Timeout => "timed out".to_owned(),
                    TransportError::Blocked => "the browser blocked it".to_owned(),
                }
            ),
        };
        (
            None,
            CatalogueStatus {
                coverage: Vec::new(),
                problem: Some(format!("{problem}; nodes are priced with fallback rates")),
            },
        )
    }
}

/// A finished analysis: the report and what the page shows around it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    /// The report (serialised as the `kube-rightsize/report/v1` JSON the CLI prints).
    pub report: Report,
    /// What each snapshot input held (for the HTML export's input list and diagnostics).
    pub inputs: Vec<InputSummary>,
    /// What each input held, by input name, for the input chips.
    pub held: Vec<(String, String)>,
    /// One line per node: how it was mapped (the Diagnostics tab).
    pub node_descriptions: Vec<String>,
    /// The pod label keys of the snapshot with how many pods carry each, most common first
    /// (the app's "Group by" choices; only the keys, never a value).
    #[serde(default)]
    pub label_keys: Vec<(String, usize)>,
    /// The distinct prices the cluster's nodes need from Vantage (manually priced types left
    /// out), for the Vantage panel.
    pub wanted_prices: Vec<PriceKey>,
    /// Preferences that could not be applied, for people.
    pub preference_errors: Vec<String>,
    /// The price catalogue's coverage, or why it is missing.
    pub catalogue: CatalogueStatus,
    /// The Vantage lookups, when this analysis asked Vantage.
    #[serde(default)]
    pub vantage: Option<VantageReply>,
    /// Milliseconds spent reading and analysing (without downloads and Prometheus).
    pub elapsed_ms: f64,
    /// The engine's memory after the analysis, in bytes, where its shell knows it (the
    /// worker's wasm memory, which never shrinks: its peak).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_bytes: Option<u64>,
    /// The analysis compared with the earlier report among the inputs, if one was given.
    #[serde(default)]
    pub comparison: Option<crate::report::diff::Diff>,
    /// The saved reports given without a snapshot, merged (then `report` is of an empty
    /// cluster and the page shows the fleet instead).
    #[serde(default)]
    pub fleet: Option<crate::report::fleet::Fleet>,
    /// The analysis (or its fleet) compared with the earlier reports among the inputs, when
    /// either side has several clusters.
    #[serde(default)]
    pub fleet_comparison: Option<crate::report::diff::fleet::FleetDiff>,
    /// The cluster each input went to, by input name (empty: every cluster), when the app's
    /// snapshots are grouped into clusters.
    #[serde(default)]
    pub clusters: Vec<(String, String)>,
    /// The input chips' cluster pickers, when there is a choice to make.
    #[serde(default)]
    pub pickers: Vec<crate::inputs::clusters::Picker>,
}

/// What the Vantage lookups of an analysis found, for the page's Vantage panel and for its
/// later analyses. Holds no token: the token goes only into requests' `Authorization` header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VantageReply {
    /// One row per needed price (type, region, capacity type).
    pub statuses: Vec<vantage::TypeStatus>,
    /// How many of them got a Vantage price.
    pub priced: usize,
    /// Requests sent (retries included).
    pub requests: u32,
    /// Why prices are missing (codes `vantage_*`; the report has them too).
    pub warnings: Vec<Warning>,
    /// The updated price cache ([`vantage::cache::PriceCache::to_json`]), for the shell to keep.
    pub cache: String,
    /// The prices found and the warnings as a `kube-rightsize/prices/v1` file
    /// ([`write_price_file`]): what later analyses use instead of asking Vantage again.
    pub prices_file: String,
}

impl VantageReply {
    /// The reply for a finished Vantage run; `generated_at` stamps the price file.
    pub fn new(outcome: &vantage::Outcome, generated_at: &str) -> VantageReply {
        VantageReply {
            statuses: outcome.statuses.clone(),
            priced: outcome
                .statuses
                .iter()
                .filter(|s| s.usd_per_hour.is_some())
                .count(),
            requests: outcome.requests,
            warnings: outcome.warnings.clone(),
            cache: outcome.cache.to_json(),
            prices_file: write_price_file(&outcome.table, generated_at, &outcome.warnings),
        }
    }
}

impl Outcome {
    /// The reply the page shows, with the preference errors the shell found.
    pub fn into_reply(self, preference_errors: Vec<String>) -> Reply {
        let cluster = &self.analysis.cluster;
        Reply {
            inputs: cluster.inputs.clone(),
            held: self.held,
            node_descriptions: cluster.nodes.iter().map(crate::nodes::describe).collect(),
            label_keys: label_keys(cluster),
            wanted_prices: self.wanted_prices,
            preference_errors,
            catalogue: self.catalogue_status,
            vantage: self
                .vantage
                .as_ref()
                .map(|v| VantageReply::new(v, &self.analysis.report.generated_at)),
            elapsed_ms: self.elapsed_ms,
            memory_bytes: None,
            comparison: self.comparison,
            fleet: self.fleet,
            fleet_comparison: self.fleet_comparison,
            clusters: self.clusters,
            pickers: self.pickers,
            report: self.analysis.report,
        }
    }
}

/// Label keys whose values are unique per pod or per revision: never a useful group.
const NOT_GROUPS: &[&str] = &[
    "pod-template-hash",
    "controller-revision-hash",
    "pod-template-generation",
    "statefulset.kubernetes.io/pod-name",
    "apps.kubernetes.io/pod-index",
    "controller-uid",
    "batch.kubernetes.io/controller-uid",
    "batch.kubernetes.io/job-name",
    "job-name",
];

/// The snapshot's pod label keys by how many pods carry each (most first, then by name),
/// without the keys that are unique per pod or revision ([`NOT_GROUPS`]).
fn label_keys(cluster: &crate::cluster::Cluster) -> Vec<(String, usize)> {
    let mut keys: Vec<(String, usize)> = cluster
        .pod_label_keys
        .iter()
        .filter(|(k, _)| !NOT_GROUPS.contains(&k.as_str()))
        .map(|(k, n)| (k.clone(), *n))
        .collect();
    keys.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CapacityType, Provider};
    use crate::pricing::import::import_prices;
    use crate::pricing::sources::PriceTable;
    use crate::pricing::vantage::cache::PriceCache;
    use crate::pricing::vantage::{TypeState, TypeStatus};

    #[test]
    fn a_vantage_reply_carries_statuses_cache_and_a_price_file_that_reads_back() {
        let mut table = PriceTable::new("Vantage API v2 (https://api.vantage.sh)");
        table.insert_price(
            Provider::Aws,
            "m5.large",
            "us-east-1",
            CapacityType::OnDemand,
            0.096,
        );
        let status = |instance_type: &str, usd_per_hour, state, source: &str| TypeStatus {
            provider: Provider::Aws,
            instance_type: instance_type.into(),
            region: "us-east-1".into(),
            capacity_type: CapacityType::OnDemand,
            state,
            usd_per_hour,
            source: source.into(),
            message: None,
        };
        let outcome = vantage::Outcome {
            table,
            statuses: vec![
                status("m5.large", Some(0.096), TypeState::Fetched, "vantage"),
                status("c5.xlarge", None, TypeState::Failed, "next price source"),
            ],
            warnings: vec![Warning::new(
                "vantage_http_error",
                "c5.xlarge",
                "Vantage answered HTTP 500",
            )],
            cache: PriceCache::default(),
            requests: 3,
        };
        let reply = VantageReply::new(&outcome, "2026-01-31T12:00:00Z");
        assert_eq!((reply.priced, reply.requests), (1, 3));
        assert_eq!(reply.statuses[1].state, TypeState::Failed);
        assert_eq!(reply.statuses[1].source, "next price source");
        assert_eq!(PriceCache::from_json(reply.cache.as_bytes()).1, None);
        let read = import_prices("Vantage prices", reply.prices_file.as_bytes()).unwrap();
        assert_eq!(read.table.len(), 1);
        assert!(
            read.warnings.iter().any(|w| w.code == "vantage_http_error"),
            "{:?}",
            read.warnings
        );
        let json = serde_json::to_string(&reply).unwrap();
        assert_eq!(serde_json::from_str::<VantageReply>(&json).unwrap(), reply);
        // What the page reads (as it did when the reply had its own copy of the type).
        assert!(
            json.contains(
                r#"{"provider":"aws","instance_type":"c5.xlarge","region":"us-east-1","capacity_type":"on_demand","state":"failed","usd_per_hour":null,"source":"next price source","message":null}"#
            ),
            "{json}"
        );
    }
}
