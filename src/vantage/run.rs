//! A "Fetch prices" as the Vantage panel shows it: the analysis that asks Vantage runs in the
//! worker ([`crate::engine`]); its Vantage lines, rate-limit waits and end arrive as
//! [`crate::worker_client::Event`]s and are kept here.

use kube_rightsize_core::pricing::vantage::TypeStatus;

use crate::engine::VantageReply;

/// How a fetch ended.
#[derive(Clone, Debug, PartialEq)]
pub enum End {
    /// The analysis finished: what Vantage gave.
    Done(VantageReply),
    /// Cancelled (or replaced by another analysis) before it finished.
    Cancelled,
    /// The analysis stopped without a report (the reason, for people).
    Stopped(&'static str),
}

/// The last fetch.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FetchRun {
    /// The analysis asking Vantage is running.
    pub running: bool,
    /// The base URL asked (for the CORS explanation).
    pub base_url: String,
    /// How many prices (type, region, capacity) were wanted.
    pub wanted: usize,
    /// The Vantage lines so far (`Querying cost for m5.large in us-east-1`, waits).
    pub log: Vec<String>,
    /// The rate-limit wait in progress, with the seconds left.
    pub waiting: Option<String>,
    /// How it ended.
    pub end: Option<End>,
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

impl FetchRun {
    /// A fetch from `base_url` for `wanted` prices, starting.
    pub fn start(base_url: String, wanted: usize) -> FetchRun {
        FetchRun {
            running: true,
            base_url,
            wanted,
            ..FetchRun::default()
        }
    }

    /// Ends a running fetch with `end` (an analysis without Vantage leaves it alone).
    pub fn stop(&mut self, end: End) {
        if self.running {
            self.running = false;
            self.waiting = None;
            self.end = Some(end);
        }
    }

    /// The summary line, once there is something to say.
    pub fn summary(&self) -> Option<String> {
        if self.running {
            return Some("Fetching prices…".into());
        }
        Some(match self.end.as_ref()? {
            End::Done(v) => format!(
                "Done: {} to Vantage; {} of {} (type, region, capacity) from Vantage.",
                plural(v.requests as usize, "request"),
                v.priced,
                plural(v.statuses.len(), "price"),
            ),
            End::Cancelled => format!(
                "Cancelled. 0 of {} (type, region, capacity) from Vantage; the analysis keeps \
                 the prices it had.",
                plural(self.wanted, "price")
            ),
            End::Stopped(why) => format!("Stopped: {why}."),
        })
    }

    fn reply(&self) -> Option<&VantageReply> {
        match &self.end {
            Some(End::Done(v)) => Some(v),
            _ => None,
        }
    }

    /// Why prices are missing (the CORS block is explained on its own).
    pub fn problems(&self) -> Vec<String> {
        self.reply()
            .map(|v| {
                v.warnings
                    .iter()
                    .filter(|w| w.code != "vantage_blocked")
                    .map(|w| w.message.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The base URL the browser blocked (CORS), if it did.
    pub fn blocked(&self) -> Option<String> {
        self.reply()
            .filter(|v| v.warnings.iter().any(|w| w.code == "vantage_blocked"))
            .map(|_| self.base_url.clone())
    }

    /// One row per needed price.
    pub fn statuses(&self) -> Vec<TypeStatus> {
        self.reply().map(|v| v.statuses.clone()).unwrap_or_default()
    }
}
