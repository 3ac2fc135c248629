//! The report JSON (`kube-rightsize/report/v1`) reads back into an equal [`Report`]: the web
//! app's worker sends the report to the page as this JSON, and the page's exports must be
//! byte-identical to the CLI's, so every field and every f64 must survive the trip exactly.

use kube_rightsize_core::analysis::{Settings, analyze};
use kube_rightsize_core::ingest::Input;
use kube_rightsize_core::inputs::prepare;
use kube_rightsize_core::pricing::catalogue::Catalogue;
use kube_rightsize_core::report::Report;
use kube_rightsize_core::report::json::{to_json, to_json_compact};

const AT: &str = "2026-01-31T12:00:00Z";

fn catalogue() -> Catalogue {
    Catalogue::from_bytes(include_bytes!("../data/catalogue.bin")).expect("catalogue decodes")
}

fn report(inputs: &[(&str, &[u8])], spot_discount: Option<f64>) -> Report {
    let inputs: Vec<Input<'_>> = inputs.iter().map(|(n, b)| Input::new(n, b)).collect();
    let mut settings = Settings {
        assume_spot_discount: spot_discount,
        ..Settings::default()
    };
    let prepared = prepare(&inputs, &mut settings).expect("inputs are readable");
    analyze(&prepared.snapshots, &settings, Some(&catalogue()), AT)
        .expect("fixture ingests")
        .report
}

fn assert_round_trips(r: &Report) {
    let pretty = to_json(r);
    let back: Report = serde_json::from_str(&pretty).expect("the pretty JSON reads back");
    assert_eq!(&back, r);
    assert_eq!(
        to_json(&back),
        pretty,
        "re-serialising gives the same bytes"
    );
    let compact = to_json_compact(r);
    let back: Report = serde_json::from_str(&compact).expect("the compact JSON reads back");
    assert_eq!(&back, r);
}

#[test]
fn reports_with_recommendations_suggestions_and_warnings_round_trip() {
    let with_krr = report(
        &[
            (
                "cluster.json",
                include_bytes!("fixtures/krr/cluster.json").as_slice(),
            ),
            (
                "krr.json",
                include_bytes!("fixtures/krr/small.json").as_slice(),
            ),
        ],
        None,
    );
    assert!(with_krr.recommendations.is_some(), "the KRR result applies");
    assert_round_trips(&with_krr);

    for (name, bytes) in [
        (
            "mixed.json",
            include_bytes!("fixtures/cost/mixed.json").as_slice(),
        ),
        (
            "overprovisioned.json",
            include_bytes!("fixtures/suggest/overprovisioned.json").as_slice(),
        ),
        (
            "odd-content.json",
            include_bytes!("fixtures/odd-content.json").as_slice(),
        ),
        (
            "gke-standard-spot.json",
            include_bytes!("fixtures/gke-standard-spot.json").as_slice(),
        ),
    ] {
        let r = report(&[(name, bytes)], Some(0.6));
        assert!(!r.nodes.is_empty(), "{name} has nodes");
        assert_round_trips(&r);
    }
}

#[test]
fn awkward_floats_round_trip_exactly() {
    let mut r = report(
        &[(
            "mixed.json",
            include_bytes!("fixtures/cost/mixed.json").as_slice(),
        )],
        None,
    );
    // Values whose shortest decimal form needs all 17 digits, and extremes.
    r.summary.monthly_cost = 0.1 + 0.2;
    r.summary.hourly_cost = f64::MIN_POSITIVE;
    r.summary.idle_monthly_cost = 1.0 / 3.0;
    r.summary.monthly_savings = 9_007_199_254_740_993.0;
    r.nodes[0].hourly_price = 2.225_073_858_507_201e-308;
    r.nodes[0].monthly_cost = 123_456_789.012_345_68;
    assert_round_trips(&r);
}

/// Every exported JSON report records its cluster's name: the name given, else the report's
/// own (a saved report exported again keeps it), else the first input's file name; a pseudonym
/// when anonymised; capped like every string.
#[test]
fn json_exports_record_the_cluster_name() {
    use kube_rightsize_core::report::export::{ExportFormat, ExportOptions, render};
    let a = kube_rightsize_core::analysis::analyze(
        &[kube_rightsize_core::ingest::Input::new(
            "prod-eks.json",
            include_bytes!("fixtures/eks-managed-ondemand.json"),
        )],
        &kube_rightsize_core::analysis::Settings::default(),
        None,
        "2026-01-31T12:00:00Z",
    )
    .expect("fixture");
    let export = |report: &Report, name: Option<&str>, key: Option<&[u8]>| -> Report {
        let text = render(
            report,
            &ExportOptions {
                format: ExportFormat::Json,
                cluster_name: name.map(str::to_owned),
                inputs: a.cluster.inputs.clone(),
                anonymise_key: key.map(<[u8]>::to_vec),
                explain_nodes: false,
            },
        );
        serde_json::from_str(&text).expect("report JSON")
    };
    assert_eq!(a.report.cluster, None);
    let named = export(&a.report, None, None);
    assert_eq!(named.cluster.as_deref(), Some("prod-eks"));
    let given = export(&a.report, Some("  eu-prod  "), None);
    assert_eq!(given.cluster.as_deref(), Some("eu-prod"));
    // A saved report exported again (no name, other inputs) keeps its own name.
    let again = render(
        &given,
        &ExportOptions {
            format: ExportFormat::Json,
            cluster_name: None,
            inputs: Vec::new(),
            anonymise_key: None,
            explain_nodes: false,
        },
    );
    let again: Report = serde_json::from_str(&again).unwrap();
    assert_eq!(again.cluster.as_deref(), Some("eu-prod"));
    let hidden = export(&a.report, Some("eu-prod"), Some(b"k"));
    let pseudonym = hidden.cluster.expect("a pseudonym");
    assert!(!pseudonym.contains("eu-prod"), "{pseudonym}");
    assert_eq!(
        export(&a.report, Some("eu-prod"), Some(b"k")).cluster,
        Some(pseudonym)
    );
    let long = "x".repeat(5000);
    let capped = export(&a.report, Some(&long), None).cluster.unwrap();
    assert_eq!(
        capped.chars().count(),
        kube_rightsize_core::limits::MAX_CHARS
    );
}
