//! Net prices (docs/cost-model.md §13, `pricing::discounts`): a flat discount per provider and
//! commitments per provider or instance family, each alone and together, on the bill fixtures
//! priced from the embedded catalogue, against the same analysis at list prices. Savings from
//! node suggestions and re-packing are computed on net prices.

use kube_rightsize_core::analysis::{Analysis, Settings, analyze};
use kube_rightsize_core::ingest::Input;
use kube_rightsize_core::model::Provider;
use kube_rightsize_core::pricing::catalogue::Catalogue;
use kube_rightsize_core::pricing::discounts::{Commitment, Discounts};

const EKS: &[u8] = include_bytes!("fixtures/bill/eks.json");
const AKS: &[u8] = include_bytes!("fixtures/bill/aks.json");
const SPOT: &[u8] = include_bytes!("fixtures/eks-karpenter-spot-arm64.json");
const GENERATED_AT: &str = "2026-12-06T12:00:00Z";

fn run(bytes: &[u8], discounts: Discounts) -> Analysis {
    let settings = Settings {
        discounts,
        ..Settings::default()
    };
    analyze(
        &[Input::new("in.json", bytes)],
        &settings,
        Some(Catalogue::embedded()),
        GENERATED_AT,
    )
    .expect("fixture ingests")
}

fn flat(provider: Provider, d: f64) -> Discounts {
    Discounts {
        flat: vec![(provider, d)],
        commitments: Vec::new(),
    }
}

fn commitment(provider: Provider, family: Option<&str>, coverage: f64, d: f64) -> Commitment {
    Commitment {
        provider,
        family: family.map(str::to_owned),
        coverage,
        discount: d,
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn without_discounts_every_price_is_a_list_price_and_nothing_new_is_written() {
    let a = run(EKS, Discounts::default());
    let r = &a.report;
    assert!(r.pricing.discounts.is_empty());
    assert_eq!(r.summary.list_monthly_cost, None);
    assert_eq!(r.summary.list_bill_monthly_cost, None);
    assert!(r.nodes.iter().all(|n| n.list_hourly_price.is_none()));
    let json = serde_json::to_string(r).expect("json");
    assert!(!json.contains("list_"), "no list fields without discounts");
    assert!(!json.contains("\"discounts\""));
}

#[test]
fn a_flat_discount_takes_the_same_share_off_every_line_of_the_bill() {
    let list = run(EKS, Discounts::default());
    let net = run(EKS, flat(Provider::Aws, 0.15));
    let (l, n) = (&list.report.summary, &net.report.summary);
    assert!(close(n.monthly_cost, 0.85 * l.monthly_cost));
    assert!(close(n.storage_monthly_cost, 0.85 * l.storage_monthly_cost));
    assert!(close(
        n.load_balancer_monthly_cost,
        0.85 * l.load_balancer_monthly_cost
    ));
    assert!(close(
        n.control_plane_monthly_cost,
        0.85 * l.control_plane_monthly_cost
    ));
    let (lb, nb) = (l.bill_monthly_cost.unwrap(), n.bill_monthly_cost.unwrap());
    assert!(close(nb, 0.85 * lb));
    // List beside net: the list figures are the undiscounted analysis's.
    assert!(close(n.list_monthly_cost.unwrap(), l.monthly_cost));
    assert!(close(n.list_bill_monthly_cost.unwrap(), lb));
    for (ln, nn) in list.report.nodes.iter().zip(&net.report.nodes) {
        assert!(close(nn.hourly_price, 0.85 * ln.hourly_price));
        assert!(close(nn.list_hourly_price.unwrap(), ln.hourly_price));
        assert!(
            nn.explanation.contains("net of 15% aws discount"),
            "{}",
            nn.explanation
        );
    }
    for (lw, nw) in list.report.workloads.iter().zip(&net.report.workloads) {
        assert!(close(nw.monthly_cost, 0.85 * lw.monthly_cost));
        assert!(close(
            nw.storage_monthly_cost,
            0.85 * lw.storage_monthly_cost
        ));
    }
    assert!(
        net.report
            .volumes
            .iter()
            .all(|v| v.explanation.contains("less the 15% aws discount"))
    );
    assert_eq!(net.report.pricing.discounts.len(), 1);
    // Another provider's discount changes nothing.
    let other = run(EKS, flat(Provider::Gcp, 0.3));
    assert!(close(other.report.summary.monthly_cost, l.monthly_cost));
    assert_eq!(other.report.summary.list_monthly_cost, None);
}

#[test]
fn a_commitment_covers_its_family_s_nodes_only_and_not_the_rest_of_the_bill() {
    let list = run(EKS, Discounts::default());
    let plan = Discounts {
        flat: Vec::new(),
        commitments: vec![commitment(Provider::Aws, Some("m5"), 0.6, 0.28)],
    };
    let net = run(EKS, plan);
    let (l, n) = (&list.report.summary, &net.report.summary);
    // Both nodes are m5.large: 1 − 0.6 × 0.28 = 0.832 of list.
    assert!(close(n.monthly_cost, 0.832 * l.monthly_cost));
    assert!(close(n.storage_monthly_cost, l.storage_monthly_cost));
    assert!(close(
        n.control_plane_monthly_cost,
        l.control_plane_monthly_cost
    ));
    assert!(close(
        n.list_bill_monthly_cost.unwrap() - n.bill_monthly_cost.unwrap(),
        0.168 * l.monthly_cost
    ));
    // Another family's commitment covers nothing here.
    let c6 = Discounts {
        flat: Vec::new(),
        commitments: vec![commitment(Provider::Aws, Some("c6a"), 1.0, 0.5)],
    };
    let none = run(EKS, c6);
    assert!(close(none.report.summary.monthly_cost, l.monthly_cost));
}

#[test]
fn flat_discount_and_commitment_multiply() {
    let list = run(EKS, Discounts::default());
    let both = Discounts {
        flat: vec![(Provider::Aws, 0.1)],
        commitments: vec![
            commitment(Provider::Aws, None, 0.5, 0.2),
            commitment(Provider::Aws, Some("m5"), 1.0, 0.4),
        ],
    };
    let net = run(EKS, both);
    // The family's commitment wins over the provider-wide one: 0.9 × (1 − 1.0 × 0.4).
    assert!(close(
        net.report.summary.monthly_cost,
        0.9 * 0.6 * list.report.summary.monthly_cost
    ));
    assert!(close(
        net.report.summary.storage_monthly_cost,
        0.9 * list.report.summary.storage_monthly_cost
    ));
    assert_eq!(net.report.pricing.discounts.len(), 3);
}

#[test]
fn spot_manual_and_fallback_prices_are_taken_as_they_are() {
    let list = run(SPOT, Discounts::default());
    // The fixture has spot nodes (priced at on-demand for want of a spot price: an upper bound)
    // and a reserved node without a price (fallback rates).
    assert!(
        list.report
            .nodes
            .iter()
            .any(|n| format!("{:?}", n.price_source) == "Fallback")
    );
    let net = run(SPOT, flat(Provider::Aws, 0.2));
    for (ln, nn) in list.report.nodes.iter().zip(&net.report.nodes) {
        let spot = format!("{:?}", nn.capacity_type) == "Spot";
        let fallback = format!("{:?}", nn.price_source) == "Fallback";
        if spot || fallback {
            assert!(close(nn.hourly_price, ln.hourly_price), "{}", nn.name);
            assert_eq!(nn.list_hourly_price, None);
        } else {
            assert!(close(nn.hourly_price, 0.8 * ln.hourly_price), "{}", nn.name);
        }
    }
    let mut settings = Settings {
        discounts: flat(Provider::Aws, 0.2),
        ..Settings::default()
    };
    settings.manual_prices.set("m5.large", 0.05).expect("price");
    let manual = analyze(
        &[Input::new("in.json", EKS)],
        &settings,
        Some(Catalogue::embedded()),
        GENERATED_AT,
    )
    .expect("ingests");
    assert!(
        manual
            .report
            .nodes
            .iter()
            .all(|n| close(n.hourly_price, 0.05))
    );
}

#[test]
fn savings_are_computed_on_net_prices() {
    let list = run(AKS, Discounts::default());
    let list_repack = list.report.repack.as_ref().expect("repack");
    assert!(
        list_repack.monthly_savings > 1.0,
        "the fixture has something to save"
    );

    // A flat discount scales the current cluster and every candidate alike.
    let net = run(AKS, flat(Provider::Azure, 0.2));
    let net_repack = net.report.repack.as_ref().expect("repack");
    assert!(close(
        net_repack.monthly_savings,
        0.8 * list_repack.monthly_savings
    ));
    assert!(close(
        net.report.node_recommendations.total_monthly_savings,
        0.8 * list.report.node_recommendations.total_monthly_savings
    ));
    assert!(net.report.node_recommendations.note.contains("net prices"));

    // Half off the current family (Dsv5) only: moving to another family saves less, or
    // nothing, and the plan never costs more than the discounted cluster.
    let committed = Discounts {
        flat: Vec::new(),
        commitments: vec![commitment(Provider::Azure, Some("dsv5"), 1.0, 0.5)],
    };
    let c = run(AKS, committed);
    let r = c.report.repack.as_ref().expect("repack");
    assert!(close(
        r.current_monthly_cost,
        0.5 * list_repack.current_monthly_cost
    ));
    assert!(r.monthly_savings < list_repack.monthly_savings);
    assert!(r.monthly_cost <= r.current_monthly_cost + 1e-9);
}

#[test]
fn the_html_report_shows_the_list_price_and_names_the_discounts() {
    use kube_rightsize_core::report::html::{HtmlOptions, render_html};
    let net = run(EKS, flat(Provider::Aws, 0.15));
    let html = render_html(&net.report, &HtmlOptions::default());
    assert!(
        html.contains("id=\"sum-list\">$140.16<"),
        "the list-price card"
    );
    assert!(html.contains("Net prices: 15% off every aws list price"));
    let list = run(EKS, Discounts::default());
    let html = render_html(&list.report, &HtmlOptions::default());
    assert!(!html.contains("sum-list") && !html.contains("Net prices"));
}
