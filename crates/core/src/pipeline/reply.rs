//! What the worker posts to the page: a finished analysis as data (the report and what the
//! page shows around it), serialised as JSON.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::cluster::InputSummary;
use crate::http::{Response, TransportError};
use crate::pricing::catalogue::Catalogue;
use crate::pricing::vantage::PriceKey;
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
    /// The distinct prices the cluster's nodes need from Vantage (manually priced types left
    /// out), for the Vantage panel.
    pub wanted_prices: Vec<PriceKey>,
    /// Preferences that could not be applied, for people.
    pub preference_errors: Vec<String>,
    /// The price catalogue's coverage, or why it is missing.
    pub catalogue: CatalogueStatus,
    /// Milliseconds spent reading and analysing (without downloads and Prometheus).
    pub elapsed_ms: f64,
}

impl Outcome {
    /// The reply the page shows, with the preference errors the shell found.
    pub fn into_reply(self, preference_errors: Vec<String>) -> Reply {
        let cluster = &self.analysis.cluster;
        Reply {
            inputs: cluster.inputs.clone(),
            held: self.held,
            node_descriptions: cluster.nodes.iter().map(crate::nodes::describe).collect(),
            wanted_prices: self.wanted_prices,
            preference_errors,
            catalogue: self.catalogue_status,
            elapsed_ms: self.elapsed_ms,
            report: self.analysis.report,
        }
    }
}
