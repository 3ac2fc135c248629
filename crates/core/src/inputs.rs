//! Sorting a mixed set of inputs (what a user pastes or drops: cluster snapshots, KRR results,
//! usage snapshots, price files) into analysis inputs and settings.
//!
//! Recognition looks only at the start of each input (a cluster snapshot can be hundreds of
//! megabytes; it must not be parsed twice), then the chosen reader parses the whole input and
//! reports located errors.

pub mod clusters;
mod failure;

pub use failure::Failure;

use crate::analysis::Settings;
use crate::ingest::Input;
use crate::pricing::import::import_prices;
use crate::recommend::{self, RecommendationInput, UsageKind};

/// How much of an input recognition looks at.
const SNIFF_BYTES: usize = 64 * 1024;

/// What an input is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// A cluster snapshot (`kubectl get nodes,pods -A -o json|yaml`) — also the answer for
    /// anything unrecognised, so that the snapshot reader explains what is wrong.
    Snapshot,
    /// A KRR result, a metrics API snapshot or `kubectl top` text.
    Usage(UsageKind),
    /// A price file (CSV, instances.vantage.sh feed, kube-rightsize price file).
    Prices,
    /// A saved kube-rightsize report, fleet or comparison: in the app, an earlier report to
    /// compare the analysis with, or (without a snapshot) a fleet's report; elsewhere refused
    /// with a hint to `merge` or `diff`.
    Report,
}

impl InputKind {
    /// A short label for people: `cluster snapshot`, `KRR result`, …
    pub fn label(self) -> &'static str {
        match self {
            InputKind::Snapshot => "cluster snapshot",
            InputKind::Usage(UsageKind::Krr) => "KRR result",
            InputKind::Usage(UsageKind::MetricsApi) => "metrics API snapshot",
            InputKind::Usage(UsageKind::KubectlTop) => "kubectl top snapshot",
            InputKind::Prices => "price file",
            InputKind::Report => "saved report",
        }
    }
}

/// Recognises an input from its first 64 KiB.
pub fn classify(bytes: &[u8]) -> InputKind {
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    // A cut in the middle of a UTF-8 sequence only loses the last few bytes.
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        Err(e) => std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default(),
    };
    let trimmed = text.trim_start();
    // A CSV price file may open with `#` comment lines (the CSV reader skips them).
    let first_line = trimmed
        .lines()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .unwrap_or_default();
    if first_line.contains("CPU(cores)") && first_line.contains("MEMORY(bytes)") {
        return InputKind::Usage(UsageKind::KubectlTop);
    }
    let header = first_line.trim().to_ascii_lowercase();
    if header.starts_with("provider,instance_type")
        || header.starts_with("provider,region,item,")
        || header.starts_with("provider,region,storage_type,")
    {
        return InputKind::Prices;
    }
    if trimmed.starts_with('{') {
        if text.contains("\"kube-rightsize/prices/") {
            return InputKind::Prices;
        }
        // Every report, fleet and comparison starts with its schema.
        let start = trimmed.get(..256).unwrap_or(trimmed);
        if ["report", "fleet", "diff"]
            .iter()
            .any(|s| start.contains(&format!("\"kube-rightsize/{s}/v")))
        {
            return InputKind::Report;
        }
        if text.contains("\"PodMetricsList\"") || text.contains("\"PodMetrics\"") {
            return InputKind::Usage(UsageKind::MetricsApi);
        }
        if text.contains("\"scans\"") && !text.contains("\"apiVersion\"") {
            return InputKind::Usage(UsageKind::Krr);
        }
    }
    if trimmed.starts_with('[')
        && text.contains("\"instance_type\"")
        && !text.contains("\"apiVersion\"")
    {
        return InputKind::Prices;
    }
    InputKind::Snapshot
}

/// Whether a shell should read an input whose first bytes are `head` as a stream
/// ([`crate::ingest::StreamIngest`]) rather than whole: snapshots only. Given as a snapshot (the
/// CLI's FILE arguments), anything but a saved report streams (a report is read whole for the
/// pipeline to refuse with its hint); recognised from its bytes (the app), only what
/// [`classify`] takes for a snapshot streams.
pub fn streams(head: &[u8], role: Role) -> bool {
    match role {
        Role::Snapshot => classify(head) != InputKind::Report,
        Role::Auto => classify(head) == InputKind::Snapshot,
        _ => false,
    }
}

/// Inputs sorted by kind.
#[derive(Debug)]
pub struct Prepared<'a> {
    /// The cluster snapshots, for [`crate::analysis::analyze`].
    pub snapshots: Vec<Input<'a>>,
    /// Saved reports recognised among the app's inputs ([`Role::Auto`]): next to a snapshot, an
    /// earlier report of the cluster to compare with ([`crate::report::diff`]); alone, the
    /// reports of a fleet ([`crate::report::fleet`]).
    pub reports: Vec<Input<'a>>,
    /// Each input's name and kind, in input order.
    pub kinds: Vec<(String, InputKind)>,
    /// Every usage input read, by name, in input order (the last is also the settings'
    /// recommendations): what several clusters in one analysis share out ([`clusters`]).
    pub usage: Vec<(String, RecommendationInput)>,
}

impl Prepared<'_> {
    /// What each input held, by input name, for people: a snapshot's summary from `cluster`
    /// (`cluster snapshot (JSON): 17 nodes, 213 pods`), else its kind (`KRR result`).
    pub fn describe(&self, cluster: &crate::cluster::Cluster) -> Vec<(String, String)> {
        describe(&self.kinds, cluster)
    }
}

/// What each input held, by input name, for people: a snapshot's summary from `cluster`
/// (`cluster snapshot (JSON): 17 nodes, 213 pods`), else its kind (`KRR result`).
pub fn describe(
    kinds: &[(String, InputKind)],
    cluster: &crate::cluster::Cluster,
) -> Vec<(String, String)> {
    kinds
        .iter()
        .map(|(name, kind)| {
            let what = match kind {
                InputKind::Snapshot => cluster
                    .inputs
                    .iter()
                    .find(|i| &i.name == name)
                    .map(|i| i.describe())
                    .unwrap_or_else(|| kind.label().to_owned()),
                other => other.label().to_owned(),
            };
            (name.clone(), what)
        })
        .collect()
}

/// What an input is, as the shell knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Recognised from its first bytes ([`classify`]): what the app does with whatever is
    /// pasted or dropped.
    Auto,
    /// A cluster snapshot (the CLI's FILE arguments).
    Snapshot,
    /// A KRR JSON result (`--krr`).
    Krr,
    /// `kubectl top` text or a metrics API PodMetricsList (`--usage`).
    Usage,
    /// A price file (`--prices`).
    Prices,
    /// A `kube-rightsize/prices/v1` file of Vantage prices (the app's Vantage panel).
    VantagePrices,
}

/// One input: its name for people (a file name, `paste`), its bytes and its role.
#[derive(Debug, Clone, Copy)]
pub struct JobInput<'a> {
    /// Name shown in errors, warnings and the report.
    pub name: &'a str,
    /// Its bytes (never copied).
    pub bytes: &'a [u8],
    /// What it is.
    pub role: Role,
}

/// Sorts `inputs` (recognised from their first bytes) into snapshots and settings: see
/// [`sort`].
pub fn prepare<'a>(inputs: &[Input<'a>], settings: &mut Settings) -> Result<Prepared<'a>, Failure> {
    let inputs: Vec<JobInput<'a>> = inputs
        .iter()
        .map(|i| JobInput {
            name: i.name,
            bytes: i.bytes,
            role: Role::Auto,
        })
        .collect();
    sort(&inputs, settings)
}

/// Sorts `inputs` by role into snapshots and settings: price files are merged into
/// `settings.price_file` (later inputs win; Vantage prices into `settings.vantage`), and the
/// last usage input becomes `settings.recommendations` (read with `settings`' strategy; a KRR
/// result keeps its own, but for `allow_hpa`). A usage or price input that cannot be read, or
/// one of another kind than its role, is a located [`Failure`]; snapshots are read later by
/// the ingest.
pub fn sort<'a>(inputs: &[JobInput<'a>], settings: &mut Settings) -> Result<Prepared<'a>, Failure> {
    let mut prepared = Prepared {
        snapshots: Vec::new(),
        reports: Vec::new(),
        kinds: Vec::new(),
        usage: Vec::new(),
    };
    for input in inputs {
        let kind = match input.role {
            Role::Auto => classify(input.bytes),
            // A report given as a snapshot is refused with a hint, not read as a snapshot.
            Role::Snapshot if classify(input.bytes) == InputKind::Report => InputKind::Report,
            Role::Snapshot => InputKind::Snapshot,
            Role::Krr => InputKind::Usage(UsageKind::Krr),
            Role::Usage => InputKind::Usage(UsageKind::MetricsApi),
            Role::Prices | Role::VantagePrices => InputKind::Prices,
        };
        match (kind, input.role) {
            (InputKind::Report, Role::Auto) => {
                prepared.reports.push(Input::new(input.name, input.bytes));
            }
            (InputKind::Report, _) => {
                return Err(Failure {
                    hint: Some(
                        "reports are not analysed again: merge saved reports with `kube-rightsize \
                         merge a.json b.json`, or compare two with `kube-rightsize diff \
                         before.json after.json`; to analyse, give the cluster snapshot \
                         (`kubectl get nodes,pods -A -o json`)"
                            .to_owned(),
                    ),
                    ..Failure::input(
                        input.name,
                        "this is a saved kube-rightsize report, not a cluster snapshot",
                    )
                });
            }
            (InputKind::Snapshot, _) => {
                prepared.snapshots.push(Input::new(input.name, input.bytes))
            }
            (InputKind::Prices, Role::VantagePrices) => {
                let imported = import_prices(input.name, input.bytes)
                    .map_err(|e| Failure::import(&e, "Vantage price file"))?;
                settings.vantage = imported.table;
                settings.vantage.description = "Vantage (fetched in this browser)".into();
                settings.price_file_warnings.extend(imported.warnings);
            }
            (InputKind::Prices, _) => {
                let imported = import_prices(input.name, input.bytes)
                    .map_err(|e| Failure::import(&e, kind.label()))?;
                settings.price_file.merge(imported.table);
                settings.price_items.extend(imported.items);
                settings.price_file_warnings.extend(imported.warnings);
            }
            (InputKind::Usage(_), role) => {
                let read = read_usage(input, role, settings)?;
                prepared.usage.push((input.name.to_owned(), read));
            }
        }
        prepared.kinds.push((input.name.to_owned(), kind));
    }
    if let Some((_, last)) = prepared.usage.last() {
        settings.recommendations = Some(last.clone());
    }
    Ok(prepared)
}

fn read_usage(
    input: &JobInput<'_>,
    role: Role,
    settings: &Settings,
) -> Result<RecommendationInput, Failure> {
    let detected = recommend::detect(input.bytes);
    let expected = match role {
        Role::Krr => Some((
            detected == Some(UsageKind::Krr),
            "not a KRR JSON result (expected the output of `krr simple -f json`)",
        )),
        Role::Usage => Some((
            matches!(
                detected,
                Some(UsageKind::KubectlTop | UsageKind::MetricsApi)
            ),
            "not `kubectl top pod -A --containers` output or a metrics API PodMetricsList \
             (for a KRR result use --krr)",
        )),
        _ => None,
    };
    if let Some((false, message)) = expected {
        return Err(Failure::input(input.name, message));
    }
    let kind = InputKind::Usage(detected.unwrap_or(UsageKind::Krr));
    let mut read = recommend::read_input(input.name, input.bytes, &settings.strategy)
        .map_err(|e| Failure::read(&e, kind.label()))?;
    // KRR chose its own strategy and settings; only `allow_hpa` applies, to the HPAs the
    // snapshot shows.
    if let RecommendationInput::Ready(set) = &mut read
        && settings.strategy.allow_hpa
    {
        set.settings.allow_hpa = true;
    }
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_reports_are_refused_with_a_hint() {
        for schema in ["report", "fleet", "diff"] {
            let bytes = format!("{{\n  \"schema\": \"kube-rightsize/{schema}/v1\",\n  \"x\": 1}}");
            assert_eq!(classify(bytes.as_bytes()), InputKind::Report, "{schema}");
            let input = |role| JobInput {
                name: "saved.json",
                bytes: bytes.as_bytes(),
                role,
            };
            // Given as a snapshot (the CLI's analyze): refused with a hint.
            let e = sort(&[input(Role::Snapshot)], &mut Settings::default()).expect_err("refused");
            assert!(e.message.contains("saved kube-rightsize report"), "{e:?}");
            assert!(
                e.hint
                    .as_deref()
                    .is_some_and(|h| h.contains("kube-rightsize merge"))
            );
            // Dropped in the app: kept as an earlier report.
            let p = sort(&[input(Role::Auto)], &mut Settings::default()).expect("kept");
            assert_eq!(p.reports.len(), 1);
            assert!(p.snapshots.is_empty());
        }
        // A snapshot that mentions a schema later on is still a snapshot.
        let snapshot = format!(
            "{{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [], \"x\": \"{}kube-rightsize/report/v1\"}}",
            " ".repeat(300)
        );
        assert_eq!(classify(snapshot.as_bytes()), InputKind::Snapshot);
    }

    #[test]
    fn recognises_each_kind_from_its_start() {
        assert_eq!(
            classify(b"{\"apiVersion\": \"v1\", \"items\": [], \"kind\": \"List\"}"),
            InputKind::Snapshot
        );
        assert_eq!(
            classify(b"apiVersion: v1\nkind: List\n"),
            InputKind::Snapshot
        );
        assert_eq!(
            classify(b"{\"scans\": [], \"score\": 100}"),
            InputKind::Usage(UsageKind::Krr)
        );
        assert_eq!(
            classify(b"{\"kind\":\"PodMetricsList\",\"apiVersion\":\"metrics.k8s.io/v1beta1\",\"items\":[]}"),
            InputKind::Usage(UsageKind::MetricsApi)
        );
        assert_eq!(
            classify(b"NAMESPACE  POD  NAME  CPU(cores)  MEMORY(bytes)\n"),
            InputKind::Usage(UsageKind::KubectlTop)
        );
        assert_eq!(
            classify(b"\xef\xbb\xbfprovider,instance_type,region,capacity_type,usd_per_hour\n"),
            InputKind::Prices
        );
        assert_eq!(
            classify(b"# my prices\n\nprovider,instance_type,region,capacity_type,usd_per_hour\n"),
            InputKind::Prices
        );
        for header in [
            "provider,region,item,unit,usd",
            "provider,region,storage_type,unit,usd",
        ] {
            assert_eq!(
                classify(format!("{header}\naws,us-east-1,gp3,GiB-month,0.07\n").as_bytes()),
                InputKind::Prices
            );
        }
        assert_eq!(
            classify(b"{\"schema\":\"kube-rightsize/prices/v1\",\"prices\":[]}"),
            InputKind::Prices
        );
        assert_eq!(
            classify(b"[{\"instance_type\": \"m5.large\", \"pricing\": {}}]"),
            InputKind::Prices
        );
        assert_eq!(
            classify(b"[{\"apiVersion\": \"v1\", \"kind\": \"Node\"}]"),
            InputKind::Snapshot
        );
        // Unrecognisable text goes to the snapshot reader, which explains it.
        assert_eq!(classify(b"NAME READY STATUS\n"), InputKind::Snapshot);
        assert_eq!(classify(b""), InputKind::Snapshot);
        assert_eq!(classify(&[0xff, 0xfe, 0x00]), InputKind::Snapshot);
    }

    #[test]
    fn prepare_sorts_inputs_and_fills_settings() {
        let snapshot = br#"{"apiVersion":"v1","kind":"List","items":[]}"#;
        let prices = b"provider,instance_type,region,capacity_type,usd_per_hour\naws,m5.large,us-east-1,on_demand,0.1\n";
        let inputs = [
            Input::new("cluster.json", snapshot),
            Input::new("prices.csv", prices),
        ];
        let mut settings = Settings::default();
        let prepared = prepare(&inputs, &mut settings).unwrap();
        assert_eq!(prepared.snapshots.len(), 1);
        assert_eq!(prepared.snapshots[0].name, "cluster.json");
        assert_eq!(settings.price_file.len(), 1);
        assert_eq!(
            prepared.kinds,
            vec![
                ("cluster.json".to_owned(), InputKind::Snapshot),
                ("prices.csv".to_owned(), InputKind::Prices)
            ]
        );
        // The snapshot is not in this (empty) cluster: its kind is the description.
        let described = prepared.describe(&crate::cluster::Cluster::default());
        assert_eq!(described[0].1, "cluster snapshot");
        assert_eq!(described[1].1, "price file");
    }

    #[test]
    fn unreadable_price_file_is_a_located_error() {
        let bad = b"provider,instance_type,region,capacity_type,usd_per_hour\naws,m5.large,us-east-1,on_demand,cheap\n";
        let mut settings = Settings::default();
        let err = prepare(&[Input::new("p.csv", bad)], &mut settings).unwrap_err();
        assert_eq!(err.heading, "This price file could not be read: ");
        assert_eq!(err.line, Some(2));
        assert!(err.to_string().starts_with("p.csv:2:"), "{err}");
    }
}
