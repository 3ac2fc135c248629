//! Load balancers priced: each Service of type LoadBalancer by provider and kind (AWS classic
//! or network load balancer, GCP forwarding rules, Azure standard load balancer rules). Only the
//! hourly charge is priced: traffic (LCUs, data processed) is not in a snapshot.

use serde::Serialize;

use crate::cost::HOURS_PER_MONTH;
use crate::model::Provider;
use crate::pricing::services::ServicePrices;
use crate::services::LoadBalancerService;

/// The first five GCP forwarding rules of a region are billed together; further rules each.
const GCP_INCLUDED_RULES: usize = 5;

/// Azure's standard load balancer includes five rules; further rules are billed each.
const AZURE_INCLUDED_RULES: usize = 5;

/// A load balancer's hourly price and how it was found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LbPrice {
    /// What the cloud makes for the Service (`AWS Network Load Balancer`, …).
    pub kind: String,
    /// USD per hour.
    pub hourly: f64,
    /// An estimate (another region's price, OpenCost's default, a share of a shared charge).
    pub estimate: bool,
    /// How the price was found.
    pub basis: String,
}

/// The AWS load balancer a Service makes: a Network Load Balancer when annotated so (or when
/// the AWS Load Balancer Controller's class is set), else a Classic one (the in-tree default).
fn aws_kind(s: &LoadBalancerService) -> (&'static str, &'static str) {
    let nlb = s
        .aws_type
        .as_deref()
        .is_some_and(|t| matches!(t, "nlb" | "nlb-ip" | "external"))
        || s.load_balancer_class
            .as_deref()
            .is_some_and(|c| c.starts_with("service.k8s.aws/nlb"));
    if nlb {
        ("nlb", "AWS Network Load Balancer")
    } else {
        ("clb", "AWS Classic Load Balancer")
    }
}

/// Prices every Service of `services` (all in one region of `provider`), in their order.
pub(crate) fn price_all(
    services: &[&LoadBalancerService],
    provider: Provider,
    region: Option<&str>,
    prices: &ServicePrices,
) -> Vec<LbPrice> {
    match provider {
        Provider::Aws => services
            .iter()
            .map(|s| {
                let (item, kind) = aws_kind(s);
                match prices.service(provider, region, item, "lb-hour") {
                    Some(p) => LbPrice {
                        kind: kind.to_owned(),
                        hourly: p.usd,
                        estimate: p.basis.is_estimate(),
                        basis: with_traffic(p.basis.describe(region)),
                    },
                    None => unpriced(kind),
                }
            })
            .collect(),
        Provider::Gcp => price_gcp(services, region, prices),
        Provider::Azure => price_azure(services, region, prices),
        other => services
            .iter()
            .map(|_| LbPrice {
                kind: format!("{} load balancer", other.as_str()),
                hourly: 0.0,
                estimate: true,
                basis: format!("no load-balancer price for {}", other.as_str()),
            })
            .collect(),
    }
}

fn with_traffic(basis: String) -> String {
    let traffic = "traffic (LCUs, data processed) not included";
    if basis.is_empty() {
        traffic.to_owned()
    } else {
        format!("{basis}; {traffic}")
    }
}

fn unpriced(kind: &str) -> LbPrice {
    LbPrice {
        kind: kind.to_owned(),
        hourly: 0.0,
        estimate: true,
        basis: "no price in the data".to_owned(),
    }
}

/// GCP: one forwarding rule per Service; the first five of the region share one charge, each
/// further rule has its own.
fn price_gcp(
    services: &[&LoadBalancerService],
    region: Option<&str>,
    prices: &ServicePrices,
) -> Vec<LbPrice> {
    let gcp = Provider::Gcp;
    let first = prices.service(gcp, region, "lb-forwarding-rule-first-5", "rule-hour");
    let extra = prices.service(gcp, region, "forwarding-rule-additional", "rule-hour");
    let included = services.len().min(GCP_INCLUDED_RULES);
    services
        .iter()
        .enumerate()
        .map(|(i, _)| {
            let (p, basis) = if i < GCP_INCLUDED_RULES {
                (
                    first.as_ref(),
                    format!("the first {GCP_INCLUDED_RULES} forwarding rules' charge shared by {included}"),
                )
            } else {
                (extra.as_ref(), "an additional forwarding rule".to_owned())
            };
            match p {
                Some(p) => LbPrice {
                    kind: "GCP forwarding rule".to_owned(),
                    hourly: if i < GCP_INCLUDED_RULES { p.usd / included as f64 } else { p.usd },
                    estimate: p.basis.is_estimate() || i < GCP_INCLUDED_RULES,
                    basis: with_traffic(join(&basis, &p.basis.describe(region))),
                },
                None => unpriced("GCP forwarding rule"),
            }
        })
        .collect()
}

/// Azure: AKS puts every Service on one standard load balancer (one public, one internal); its
/// first five rules are one charge, further rules (one per port) each. Each Service pays a
/// share by its ports.
fn price_azure(
    services: &[&LoadBalancerService],
    region: Option<&str>,
    prices: &ServicePrices,
) -> Vec<LbPrice> {
    let azure = Provider::Azure;
    let base = prices.service(azure, region, "lb", "lb-hour");
    let overage = prices.service(azure, region, "lb-standard-overage-rule", "rule-hour");
    let mut out = vec![unpriced("Azure standard load balancer"); services.len()];
    for internal in [false, true] {
        let members: Vec<usize> = (0..services.len())
            .filter(|&i| services[i].internal == internal)
            .collect();
        let rules: usize = members.iter().map(|&i| services[i].ports.max(1)).sum();
        if rules == 0 {
            continue;
        }
        let extra_rules = rules.saturating_sub(AZURE_INCLUDED_RULES) as f64;
        let base_usd = base.as_ref().map_or(0.0, |p| p.usd);
        let overage_usd = overage.as_ref().map_or(0.0, |p| p.usd);
        let total = base_usd + extra_rules * overage_usd;
        let mut basis = format!(
            "the {} load balancer's {rules} rules shared by ports",
            if internal { "internal" } else { "public" }
        );
        if let Some(b) = &base {
            basis = join(
                &basis,
                &format!("base: {}", non_empty(b.basis.describe(region))),
            );
        }
        if extra_rules > 0.0
            && let Some(o) = &overage
        {
            basis = join(
                &basis,
                &format!(
                    "{extra_rules} extra rules: {}",
                    non_empty(o.basis.describe(region))
                ),
            );
        }
        for &i in &members {
            out[i] = LbPrice {
                kind: format!(
                    "Azure standard load balancer ({})",
                    if internal { "internal" } else { "public" }
                ),
                hourly: total * services[i].ports.max(1) as f64 / rules as f64,
                estimate: true,
                basis: with_traffic(basis.clone()),
            };
        }
    }
    out
}

fn non_empty(s: String) -> String {
    if s.is_empty() {
        "list price".to_owned()
    } else {
        s
    }
}

fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_owned(),
        (_, true) => a.to_owned(),
        _ => format!("{a}; {b}"),
    }
}

/// A monthly figure from an hourly one.
pub(crate) fn monthly(hourly: f64) -> f64 {
    hourly * HOURS_PER_MONTH
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svc(
        name: &str,
        aws_type: Option<&str>,
        ports: usize,
        internal: bool,
    ) -> LoadBalancerService {
        LoadBalancerService {
            namespace: "web".into(),
            name: name.into(),
            aws_type: aws_type.map(str::to_owned),
            load_balancer_class: None,
            internal,
            ports,
            selector: vec![],
            provisioned: true,
        }
    }

    #[test]
    fn aws_nlb_and_classic() {
        let (a, b) = (svc("a", Some("nlb"), 1, false), svc("b", None, 2, false));
        let p = price_all(
            &[&a, &b],
            Provider::Aws,
            Some("us-east-1"),
            ServicePrices::embedded(),
        );
        assert_eq!(
            (p[0].kind.as_str(), p[0].hourly, p[0].estimate),
            ("AWS Network Load Balancer", 0.022507, false)
        );
        assert_eq!(
            (p[1].kind.as_str(), p[1].hourly),
            ("AWS Classic Load Balancer", 0.025)
        );
        let far = price_all(
            &[&a],
            Provider::Aws,
            Some("eu-west-1"),
            ServicePrices::embedded(),
        );
        assert!(far[0].estimate && far[0].basis.contains("us-east-1 price used for eu-west-1"));
    }

    #[test]
    fn gcp_shares_the_first_five_rules() {
        let s: Vec<LoadBalancerService> = (0..7)
            .map(|i| svc(&format!("s{i}"), None, 1, false))
            .collect();
        let refs: Vec<&LoadBalancerService> = s.iter().collect();
        let p = price_all(
            &refs,
            Provider::Gcp,
            Some("us-central1"),
            ServicePrices::embedded(),
        );
        let total: f64 = p.iter().map(|l| l.hourly).sum();
        assert!((total - (0.025 + 2.0 * 0.01)).abs() < 1e-12, "{total}");
    }

    #[test]
    fn azure_rules_are_shared_by_ports() {
        let (a, b) = (svc("a", None, 4, false), svc("b", None, 4, false));
        let p = price_all(
            &[&a, &b],
            Provider::Azure,
            Some("westus"),
            ServicePrices::embedded(),
        );
        // OpenCost's $0.005/h base + 3 extra rules × $0.01/h, half each.
        assert!((p[0].hourly - 0.0175).abs() < 1e-12, "{}", p[0].hourly);
        assert_eq!(p[0].hourly, p[1].hourly);
    }
}
