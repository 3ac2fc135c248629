//! The pipeline driven by scripted shells: every answer is given by the test.

use super::*;
use crate::pricing::vantage::ApiKind;

const SNAPSHOT: &[u8] = include_bytes!("../../tests/fixtures/krr/cluster.json");
const KRR: &[u8] = include_bytes!("../../tests/fixtures/krr/small.json");
const AT: &str = "2026-01-01T00:00:00Z";

fn now() -> Now {
    Now {
        ms: 0.0,
        unix_seconds: 1_700_000_000,
    }
}

fn job(inputs: Vec<JobInput<'_>>) -> Job<'_> {
    Job {
        inputs,
        options: Options::default(),
        catalogue: CatalogueSource::Embedded(
            Catalogue::try_embedded().expect("embedded catalogue"),
        ),
        vantage: None,
        prometheus: None,
        generated_at: AT.to_owned(),
        shell: Shell::Cli,
        clusters: crate::pipeline::Clusters::One,
    }
}

fn input(name: &'static str, bytes: &'static [u8], role: Role) -> JobInput<'static> {
    JobInput { name, bytes, role }
}

/// What a scripted run saw.
#[derive(Default)]
struct Seen {
    progress: Vec<String>,
    urls: Vec<String>,
    most_in_flight: usize,
}

/// Drives `job` to the end, answering each request with `answer(url)`; answers are given
/// in the order the requests were made, once the pipeline says it is waiting.
fn drive(
    job: Job<'_>,
    answer: &mut dyn FnMut(&Request) -> Result<Response, TransportError>,
) -> (Result<Box<Outcome>, Failure>, Seen) {
    drive_pipeline(Pipeline::new(job), answer)
}

fn drive_pipeline(
    mut p: Pipeline<'_>,
    answer: &mut dyn FnMut(&Request) -> Result<Response, TransportError>,
) -> (Result<Box<Outcome>, Failure>, Seen) {
    let mut seen = Seen::default();
    let mut in_flight: VecDeque<Fetch> = VecDeque::new();
    for _ in 0..100_000 {
        match p.next_step(now()) {
            Step::Progress(pr) => seen.progress.push(pr.text),
            Step::Fetch(f) => {
                seen.urls.push(f.request.url.clone());
                in_flight.push_back(f);
                seen.most_in_flight = seen.most_in_flight.max(in_flight.len());
            }
            Step::Wait { .. } => {}
            Step::Pending => {
                let f = in_flight
                    .pop_front()
                    .expect("pending with nothing in flight");
                p.receive(f.id, now(), answer(&f.request));
            }
            Step::Done(o) => return (Ok(o), seen),
            Step::Failed(f) => return (Err(f), seen),
        }
    }
    panic!("the pipeline did not finish");
}

fn ok(body: &[u8]) -> Result<Response, TransportError> {
    Ok(Response {
        status: 200,
        headers: Vec::new(),
        body: body.to_vec(),
    })
}

#[test]
fn a_snapshot_alone_reads_analyses_and_reports_progress() {
    let (outcome, seen) = drive(
        job(vec![input("cluster.json", SNAPSHOT, Role::Auto)]),
        &mut |_| panic!("no request expected"),
    );
    let outcome = outcome.expect("report");
    assert_eq!(
        seen.progress,
        [
            "Reading 3.8 KB",
            "Analysing",
            "Re-packing 4 pods on 1 node",
            "Preparing the report"
        ]
    );
    assert_eq!(outcome.analysis.cluster.nodes.len(), 1);
    assert_eq!(outcome.held[0].0, "cluster.json");
    assert!(
        outcome.held[0].1.starts_with("cluster snapshot"),
        "{:?}",
        outcome.held
    );
    assert!(outcome.catalogue_status.problem.is_none());
    assert_eq!(outcome.wanted_prices.len(), 1);
}

#[test]
fn the_catalogue_is_fetched_when_the_shell_has_none_and_a_failed_download_is_explained() {
    let mut j = job(vec![input("c", SNAPSHOT, Role::Auto)]);
    j.catalogue = CatalogueSource::Fetch("catalogue.bin".into());
    let bytes = crate::pricing::catalogue::EMBEDDED_BYTES;
    let (outcome, seen) = drive(j, &mut |r| {
        assert_eq!(r.url, "catalogue.bin");
        ok(bytes)
    });
    assert_eq!(seen.progress[0], "Loading the price catalogue");
    let outcome = outcome.unwrap();
    assert!(outcome.catalogue.is_some());
    assert!(!outcome.catalogue_status.coverage.is_empty());

    let mut j = job(vec![input("c", SNAPSHOT, Role::Auto)]);
    j.catalogue = CatalogueSource::Fetch("catalogue.bin".into());
    let (outcome, _) = drive(j, &mut |_| {
        Ok(Response {
            status: 404,
            ..Response::default()
        })
    });
    let outcome = outcome.unwrap();
    assert_eq!(
        outcome.catalogue_status.problem.as_deref(),
        Some(
            "the price catalogue could not be loaded (HTTP 404); nodes are priced with \
             fallback rates"
        )
    );
    assert!(
        outcome
            .analysis
            .warnings
            .iter()
            .any(|w| w.code == "catalogue_not_loaded")
    );
}

#[test]
fn a_krr_result_given_as_krr_or_recognised_gives_the_same_report() {
    let (a, _) = drive(
        job(vec![
            input("cluster.json", SNAPSHOT, Role::Snapshot),
            input("krr.json", KRR, Role::Krr),
        ]),
        &mut |_| unreachable!(),
    );
    let (b, _) = drive(
        job(vec![
            input("cluster.json", SNAPSHOT, Role::Auto),
            input("krr.json", KRR, Role::Auto),
        ]),
        &mut |_| unreachable!(),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(a.analysis.report.recommendations.is_some());
    assert_eq!(a.analysis.report, b.analysis.report);
}

#[test]
fn an_earlier_report_next_to_a_snapshot_is_compared_with_the_analysis() {
    // The earlier report: the same cluster with KRR's recommendations, as the app exports it.
    let (earlier, _) = drive(
        job(vec![
            input("cluster.json", SNAPSHOT, Role::Auto),
            input("krr.json", KRR, Role::Auto),
        ]),
        &mut |_| unreachable!(),
    );
    let earlier = earlier.expect("earlier analysis").analysis.report;
    let saved: &'static [u8] = crate::report::json::to_json(&earlier).leak().as_bytes();
    let (now_, _) = drive(
        job(vec![
            input("november.json", saved, Role::Auto),
            input("cluster.json", SNAPSHOT, Role::Auto),
        ]),
        &mut |_| unreachable!(),
    );
    let outcome = now_.expect("analysis with a comparison");
    let diff = outcome.comparison.as_ref().expect("compared");
    assert!(diff.realised.had_recommendations);
    assert_eq!(diff.realised.applied, 0, "nothing changed");
    assert_eq!(diff.realised.open, diff.realised.cells.len());
    assert!(outcome.analysis.report.recommendations.is_none());
    let held: Vec<&str> = outcome.held.iter().map(|(_, w)| w.as_str()).collect();
    assert_eq!(held[0], "saved report");
    let reply = outcome.into_reply(Vec::new());
    assert!(reply.comparison.is_some());

    // Two reports next to a snapshot: two fleets compared (the snapshot a fleet of one, named
    // from its file), as the CLI's `diff` compares them.
    let (r, _) = drive(
        job(vec![
            input("a.json", saved, Role::Auto),
            input("b.json", saved, Role::Auto),
            input("cluster.json", SNAPSHOT, Role::Auto),
        ]),
        &mut |_| unreachable!(),
    );
    let outcome = r.expect("compared as fleets");
    assert!(outcome.comparison.is_none());
    let fleet_diff = outcome.fleet_comparison.as_ref().expect("fleet comparison");
    let names: Vec<&str> = fleet_diff
        .clusters
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["cluster", "a", "b"]);
    assert!(outcome.into_reply(Vec::new()).fleet_comparison.is_some());
    // Reports alone: a fleet of them, and an empty analysis.
    let (r, _) = drive(
        job(vec![
            input("a.json", saved, Role::Auto),
            input("b.json", saved, Role::Auto),
        ]),
        &mut |_| unreachable!(),
    );
    let outcome = r.expect("a fleet");
    let fleet = outcome.fleet.as_ref().expect("merged");
    assert_eq!(fleet.reports.len(), 2);
    assert_eq!(fleet.totals.pods, 2 * earlier.summary.pods);
    assert_eq!(fleet.generated_at, AT);
    assert!(outcome.comparison.is_none());
    assert_eq!(outcome.analysis.report.summary.nodes, 0);
    assert!(outcome.into_reply(Vec::new()).fleet.is_some());
    // The snapshot streamed by the shell (as the worker and the CLI read them): the same
    // comparison, not a fleet, and the chip names the snapshot.
    let options = crate::ingest::IngestOptions::default();
    let mut reader = crate::ingest::StreamIngest::new("cluster.json", &options);
    for chunk in SNAPSHOT.chunks(1000) {
        reader.feed(chunk);
    }
    let streamed = Streamed {
        bytes: SNAPSHOT.len(),
        read: reader.finish(),
    };
    let (r, seen) = drive_pipeline(
        Pipeline::new(job(vec![input("november.json", saved, Role::Auto)]))
            .with_streamed(vec![streamed]),
        &mut |_| unreachable!(),
    );
    let outcome = r.expect("a streamed snapshot compared with the report");
    assert!(outcome.fleet.is_none());
    assert!(outcome.comparison.is_some());
    assert_eq!(
        seen.progress[0],
        format!(
            "Reading {}",
            crate::format::human_bytes(saved.len() + SNAPSHOT.len())
        ),
        "the report and the snapshot together"
    );
    let names: Vec<&str> = outcome.held.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["cluster.json", "november.json"]);
    assert!(outcome.held[0].1.starts_with("cluster snapshot"));
    // Without an earlier report there is no comparison.
    let (plain, _) = drive(
        job(vec![input("cluster.json", SNAPSHOT, Role::Auto)]),
        &mut |_| unreachable!(),
    );
    assert!(plain.expect("analysis").comparison.is_none());
}

#[test]
fn an_input_in_the_wrong_role_is_a_located_failure() {
    let (r, _) = drive(
        job(vec![
            input("cluster.json", SNAPSHOT, Role::Snapshot),
            input("top.txt", SNAPSHOT, Role::Krr),
        ]),
        &mut |_| unreachable!(),
    );
    let f = r.unwrap_err();
    assert_eq!(
        f.to_string(),
        "top.txt: not a KRR JSON result (expected the output of `krr simple -f json`)"
    );
    let (r, _) = drive(
        job(vec![input("paste", b"{\"items\": [", Role::Auto)]),
        &mut |_| unreachable!(),
    );
    let f = r.unwrap_err();
    assert_eq!(f.heading, "This input could not be read: ");
    assert!(f.location().starts_with("paste, line 1, column"), "{f:?}");
}

#[test]
fn settings_that_break_a_rule_stop_the_pipeline_with_the_rules_words() {
    let mut j = job(vec![input("c", SNAPSHOT, Role::Auto)]);
    j.options.strategy.cpu_percentile = 0.0;
    let (r, _) = drive(j, &mut |_| unreachable!());
    assert_eq!(
        r.unwrap_err().to_string(),
        "settings: the CPU percentile must be above 0 and at most 100, not 0"
    );
}

/// A Prometheus that answers every query with an empty vector.
fn empty_prometheus(r: &Request) -> Result<Response, TransportError> {
    assert!(
        r.url.starts_with("http://prom:9090/api/v1/query?"),
        "{}",
        r.url
    );
    ok(br#"{"status":"success","data":{"resultType":"vector","result":[]}}"#)
}

fn prometheus_job() -> Job<'static> {
    let mut j = job(vec![input("cluster.json", SNAPSHOT, Role::Auto)]);
    j.prometheus = Some(PrometheusSource {
        url: "http://prom:9090/".into(),
        strategy: StrategyName::Simple,
        headers: vec![("X-Scope-OrgID".into(), "a".into())],
        timeout_ms: 2_000,
        cluster: None,
    });
    j
}

#[test]
fn prometheus_queries_run_four_at_a_time_and_count_up() {
    let (outcome, seen) = drive(prometheus_job(), &mut empty_prometheus);
    let outcome = outcome.unwrap();
    let (queries, containers) = outcome.prometheus.unwrap();
    assert_eq!(seen.urls.len(), queries);
    assert!(queries > PROMETHEUS_CONCURRENCY, "{queries}");
    assert!(containers > 0);
    assert_eq!(seen.most_in_flight, PROMETHEUS_CONCURRENCY);
    assert_eq!(seen.progress[1], format!("Querying Prometheus 0/{queries}"));
    assert!(
        seen.progress
            .contains(&format!("Querying Prometheus {queries}/{queries}"))
    );
    let n = seen.progress.len();
    assert_eq!(
        seen.progress[n - 3..],
        [
            "Analysing",
            "Re-packing 4 pods on 1 node",
            "Preparing the report"
        ]
    );
    let info = outcome.analysis.report.recommendations.as_ref().unwrap();
    assert_eq!(info.input, "http://prom:9090");
}

#[test]
fn an_unreachable_prometheus_stops_the_queries_and_warns_in_the_shells_words() {
    for (shell, advice) in [
        (Shell::Cli, "and are the URL and --prometheus-header right?"),
        (Shell::Browser, "does Prometheus allow this page's origin"),
    ] {
        let mut j = prometheus_job();
        j.shell = shell;
        let (outcome, seen) = drive(j, &mut |_| {
            Err(TransportError::Network("connection refused".into()))
        });
        let outcome = outcome.unwrap();
        // The first batch was already in flight; nothing after it was sent.
        assert_eq!(seen.urls.len(), PROMETHEUS_CONCURRENCY);
        let w: Vec<&str> = outcome
            .analysis
            .warnings
            .iter()
            .filter(|w| w.code == "prometheus_unavailable")
            .map(|w| w.message.as_str())
            .collect();
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].starts_with("cannot reach Prometheus at http://prom:9090: connection refused"),
            "{w:?}"
        );
        assert!(w[0].contains(advice), "{w:?}");
        assert_eq!(network_warnings(&outcome).len(), 1);
    }
}

fn vantage_job(manual: Option<(&str, f64)>) -> Job<'static> {
    let mut j = job(vec![input("cluster.json", SNAPSHOT, Role::Auto)]);
    if let Some((t, p)) = manual {
        j.options.manual_prices.push((t.to_owned(), p));
    }
    j.vantage = Some(VantageSource::Fetch {
        config: Config::new(ApiKind::Instances, Some("http://vantage.test")),
        token: Token::new("secret"),
        cache: PriceCache::default(),
        timeout_ms: 1_000,
    });
    j
}

#[test]
fn manually_priced_types_are_not_asked_of_vantage() {
    let (outcome, seen) = drive(vantage_job(Some(("m5.xlarge", 0.1))), &mut |_| {
        unreachable!("m5.xlarge has a manual price")
    });
    let outcome = outcome.unwrap();
    assert!(seen.urls.is_empty());
    assert!(outcome.wanted_prices.is_empty());
    assert_eq!(outcome.vantage.unwrap().requests, 0);
}

#[test]
fn vantage_failures_reach_the_report() {
    let (outcome, seen) = drive(vantage_job(None), &mut |r| {
        assert!(r.url.starts_with("http://vantage.test"), "{}", r.url);
        assert!(
            r.headers
                .iter()
                .any(|(k, v)| k.eq_ignore_ascii_case("authorization") && v.contains("secret"))
        );
        Ok(Response {
            status: 401,
            headers: Vec::new(),
            body: br#"{"errors":["bad token"]}"#.to_vec(),
        })
    });
    let outcome = outcome.unwrap();
    assert_eq!(seen.urls.len(), 1);
    let codes: Vec<&str> = outcome
        .analysis
        .report
        .warnings
        .iter()
        .map(|w| w.code.as_str())
        .collect();
    assert!(codes.iter().any(|c| c.starts_with("vantage_")), "{codes:?}");
}

const OTHER: &[u8] = include_bytes!("../../tests/fixtures/gke-standard-spot.json");
const PRICES: &[u8] =
    b"provider,instance_type,region,capacity_type,usd_per_hour\naws,m5.xlarge,us-east-1,on_demand,1.0\n";

/// `inputs` as the app gives them: recognised, one cluster per snapshot, `assigned` first.
fn per_snapshot<'a>(inputs: Vec<JobInput<'a>>, assigned: &[(&str, &str)]) -> Job<'a> {
    Job {
        clusters: Clusters::PerSnapshot(
            assigned
                .iter()
                .map(|(i, c)| ((*i).to_owned(), (*c).to_owned()))
                .collect(),
        ),
        shell: Shell::Browser,
        ..job(inputs)
    }
}

/// The report of `inputs` analysed alone (as one cluster), named `name`.
fn alone(inputs: Vec<JobInput<'_>>, name: &str) -> crate::report::Report {
    let (r, _) = drive(job(inputs), &mut |_| unreachable!());
    let mut report = r.expect("analysed").analysis.report;
    report.cluster = Some(name.to_owned());
    report
}

#[test]
fn each_snapshot_with_nodes_is_a_cluster_of_one_fleet_with_its_own_usage() {
    let inputs = vec![
        input("prod.json", SNAPSHOT, Role::Auto),
        input("staging.json", OTHER, Role::Auto),
        input("krr.json", KRR, Role::Auto),
    ];
    let (r, seen) = drive(per_snapshot(inputs.clone(), &[]), &mut |_| unreachable!());
    let outcome = r.expect("a fleet");
    let fleet = outcome
        .fleet
        .as_ref()
        .expect("several clusters are a fleet");
    // Each cluster's report is the one it gets alone: the KRR result went to the cluster
    // whose workloads it names.
    let prod = alone(
        vec![
            input("prod.json", SNAPSHOT, Role::Auto),
            input("krr.json", KRR, Role::Auto),
        ],
        "prod",
    );
    let staging = alone(vec![input("staging.json", OTHER, Role::Auto)], "staging");
    assert!(prod.recommendations.is_some());
    assert_eq!(fleet.reports, vec![prod.clone(), staging.clone()]);
    assert_eq!(
        fleet.totals.monthly_cost,
        prod.summary.monthly_cost + staging.summary.monthly_cost
    );
    assert_eq!(
        outcome.clusters,
        [
            ("prod.json", "prod"),
            ("staging.json", "staging"),
            ("krr.json", "prod")
        ]
        .map(|(i, c)| (i.to_owned(), c.to_owned()))
    );
    assert!(
        outcome.held[0]
            .1
            .starts_with("cluster snapshot (JSON): 1 nodes"),
        "{:?}",
        outcome.held
    );
    assert_eq!(outcome.held[2].1, "KRR result");
    // The chips' pickers: a KRR result can go to either cluster, a snapshot also to a new one.
    let choices = |i: usize| -> Vec<&str> {
        outcome.pickers[i]
            .choices
            .iter()
            .map(|(v, _)| v.as_str())
            .collect()
    };
    assert_eq!(choices(2), ["prod", "staging"]);
    assert_eq!(choices(0), ["prod", "staging", "prod (2)"]);
    assert_eq!(outcome.pickers[2].cluster, "prod");
    assert_eq!(outcome.analysis.report.summary.nodes, 0);
    assert!(
        seen.progress.iter().any(|p| p == "Analysing staging (2/2)"),
        "{:?}",
        seen.progress
    );
    let reply = outcome.into_reply(Vec::new());
    assert_eq!(reply.clusters.len(), 3);

    // The user's choices come first: the KRR result to staging, a price file to prod only,
    // and staging renamed.
    let mut chosen = inputs;
    chosen.push(input("prices.csv", PRICES, Role::Auto));
    let (r, _) = drive(
        per_snapshot(
            chosen,
            &[
                ("krr.json", "eu"),
                ("staging.json", "eu"),
                ("prices.csv", "prod"),
            ],
        ),
        &mut |_| unreachable!(),
    );
    let outcome = r.expect("a fleet");
    let fleet = outcome.fleet.expect("fleet");
    let names: Vec<Option<&str>> = fleet.reports.iter().map(|r| r.cluster.as_deref()).collect();
    assert_eq!(names, [Some("prod"), Some("eu")]);
    assert!(fleet.reports[0].recommendations.is_none());
    assert!(fleet.reports[1].recommendations.is_some());
    // prod's m5.xlarge at the price file's $1/h; staging (GKE) is not in the file.
    assert_eq!(fleet.reports[0].summary.hourly_cost, 1.0);
    assert_eq!(
        fleet.reports[1].summary.hourly_cost,
        staging.summary.hourly_cost
    );
    assert_eq!(
        outcome.clusters[3],
        ("prices.csv".to_owned(), "prod".to_owned())
    );
}

#[test]
fn one_cluster_per_snapshot_is_todays_report_and_split_files_stay_one_cluster() {
    // nodes and pods in two files (one holds no node): one cluster, as before.
    const PODS: &[u8] = include_bytes!("../../tests/fixtures/merge-a-podlist.json");
    const LIST: &[u8] = include_bytes!("../../tests/fixtures/merge-b-list.json");
    for inputs in [
        vec![
            input("cluster.json", SNAPSHOT, Role::Auto),
            input("krr.json", KRR, Role::Auto),
        ],
        vec![
            input("pods.json", PODS, Role::Auto),
            input("list.json", LIST, Role::Auto),
        ],
    ] {
        let (one, _) = drive(job(inputs.clone()), &mut |_| unreachable!());
        let (per, _) = drive(per_snapshot(inputs, &[]), &mut |_| unreachable!());
        let (one, per) = (one.unwrap(), per.unwrap());
        assert!(per.fleet.is_none());
        assert_eq!(one.analysis.report, per.analysis.report);
        assert_eq!(one.held, per.held);
        let clusters: Vec<&str> = per.clusters.iter().map(|(_, c)| c.as_str()).collect();
        assert!(clusters.iter().all(|c| *c == clusters[0]), "{clusters:?}");
        // One snapshot: nothing to choose; two: pickers, to split them.
        let snapshots = per
            .held
            .iter()
            .filter(|(_, w)| w.starts_with("cluster"))
            .count();
        assert_eq!(per.pickers.is_empty(), snapshots < 2, "{:?}", per.pickers);
    }
}

#[test]
fn an_earlier_fleet_next_to_several_snapshots_is_compared_cluster_by_cluster() {
    let inputs = || {
        vec![
            input("prod.json", SNAPSHOT, Role::Auto),
            input("staging.json", OTHER, Role::Auto),
        ]
    };
    let (r, _) = drive(per_snapshot(inputs(), &[]), &mut |_| unreachable!());
    let fleet = r.unwrap().fleet.expect("fleet");
    let saved: &'static [u8] = crate::report::fleet::render::to_json(&fleet)
        .leak()
        .as_bytes();
    let mut with_earlier = inputs();
    with_earlier.insert(0, input("last-month.json", saved, Role::Auto));
    let (r, _) = drive(per_snapshot(with_earlier, &[]), &mut |_| unreachable!());
    let outcome = r.expect("compared");
    let diff = outcome.fleet_comparison.expect("fleet comparison");
    assert_eq!(diff.comparisons.len(), 2);
    assert!(
        diff.clusters
            .iter()
            .all(|c| c.change == 0.0 && c.status() == "unchanged"),
        "{:?}",
        diff.clusters
    );
    assert!(diff.warnings.is_empty(), "{:?}", diff.warnings);
    // Saved reports are not placed in a cluster.
    assert!(outcome.clusters.iter().all(|(i, _)| i != "last-month.json"));
    // One snapshot, named by the user to match one of last month's clusters: that cluster is
    // compared, the other counts as removed.
    let (r, _) = drive(
        per_snapshot(
            vec![
                input("last-month.json", saved, Role::Auto),
                input("today.json", SNAPSHOT, Role::Auto),
            ],
            &[("today.json", "prod")],
        ),
        &mut |_| unreachable!(),
    );
    let diff = r
        .expect("compared")
        .fleet_comparison
        .expect("fleet comparison");
    assert_eq!(diff.comparisons.len(), 1);
    let status: Vec<(&str, &str)> = diff
        .clusters
        .iter()
        .map(|c| (c.name.as_str(), c.status()))
        .collect();
    assert!(status.contains(&("prod", "unchanged")), "{status:?}");
    assert!(status.contains(&("staging", "removed")), "{status:?}");
}

#[test]
fn prometheus_serves_the_cluster_of_a_fleet_it_is_given() {
    const MIXED: &[u8] = include_bytes!("../../tests/fixtures/cost/mixed.json");
    let with_prometheus = |inputs, cluster: Option<&str>, fleet: bool| {
        let mut j = prometheus_job();
        j.inputs = inputs;
        if let Some(p) = &mut j.prometheus {
            p.cluster = cluster.map(str::to_owned);
        }
        if fleet {
            j.clusters = Clusters::PerSnapshot(Default::default());
        }
        let (r, seen) = drive(j, &mut empty_prometheus);
        (r.expect("analysed"), seen.urls)
    };
    let (_, alone) = with_prometheus(vec![input("mixed.json", MIXED, Role::Auto)], None, false);
    let both = || {
        vec![
            input("prod.json", SNAPSHOT, Role::Auto),
            input("mixed.json", MIXED, Role::Auto),
        ]
    };
    for (cluster, measured) in [(Some("mixed"), 1), (None, 0), (Some("nowhere"), 0)] {
        let (outcome, urls) = with_prometheus(both(), cluster, true);
        let fleet = outcome.fleet.expect("a fleet");
        let names = ["prod", "mixed"];
        if measured == 1 {
            assert_eq!(urls, alone, "the same queries as for mixed alone");
        } else {
            assert_ne!(urls, alone);
        }
        for (i, r) in fleet.reports.iter().enumerate() {
            assert_eq!(
                r.recommendations.is_some(),
                i == measured,
                "{cluster:?} {i}"
            );
        }
        let w = fleet
            .warnings
            .iter()
            .find(|w| w.code == "prometheus_one_cluster")
            .expect("said");
        assert_eq!(w.object, names[measured]);
    }
}

#[test]
fn the_time_reported_counts_every_stage_of_the_analysis_including_re_packing() {
    // A shell whose clock moves one second between calls: the ingest, the analysis and the
    // re-packing each take one tick, and all three count (the re-packing's once went
    // uncounted: the outcome came out in the same call).
    let mut p = Pipeline::new(job(vec![input("cluster.json", SNAPSHOT, Role::Auto)]));
    let mut seen = Vec::new();
    for tick in 0..100 {
        let now = Now {
            ms: 1000.0 * f64::from(tick),
            unix_seconds: 1_700_000_000,
        };
        match p.next_step(now) {
            Step::Progress(pr) => seen.push(pr.text),
            Step::Done(o) => {
                assert_eq!(
                    seen,
                    [
                        "Reading 3.8 KB",
                        "Analysing",
                        "Re-packing 4 pods on 1 node",
                        "Preparing the report"
                    ]
                );
                assert_eq!(o.elapsed_ms, 3000.0);
                return;
            }
            _ => panic!("nothing to fetch or wait for"),
        }
    }
    panic!("the pipeline did not finish");
}
