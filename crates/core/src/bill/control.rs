//! The managed control plane's fee: EKS standard or extended support, the GKE management fee,
//! AKS Free, Standard or Premium tier.

use serde::{Deserialize, Serialize};

use crate::model::Provider;
use crate::nodes::ManagedKubernetes;
use crate::pricing::services::ServicePrices;

/// The control plane's tier, as a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlPlaneTier {
    /// The service's usual tier: EKS standard support, GKE's fee, AKS Free.
    #[default]
    Auto,
    /// No control-plane line (self-managed, or billed elsewhere).
    None,
    /// AKS Free tier.
    Free,
    /// EKS standard support; AKS Standard tier; GKE's fee.
    Standard,
    /// EKS extended support.
    Extended,
    /// AKS Premium tier.
    Premium,
}

impl ControlPlaneTier {
    /// Every tier, in the order settings list them.
    pub const ALL: [ControlPlaneTier; 6] = [
        ControlPlaneTier::Auto,
        ControlPlaneTier::None,
        ControlPlaneTier::Free,
        ControlPlaneTier::Standard,
        ControlPlaneTier::Extended,
        ControlPlaneTier::Premium,
    ];

    /// The setting's value (`auto`, `none`, `free`, `standard`, `extended`, `premium`).
    pub fn as_str(self) -> &'static str {
        match self {
            ControlPlaneTier::Auto => "auto",
            ControlPlaneTier::None => "none",
            ControlPlaneTier::Free => "free",
            ControlPlaneTier::Standard => "standard",
            ControlPlaneTier::Extended => "extended",
            ControlPlaneTier::Premium => "premium",
        }
    }

    /// Reads a setting's value.
    pub fn parse(text: &str) -> Option<ControlPlaneTier> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// The control plane's line of the bill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlPlaneCost {
    /// `EKS`, `GKE`, `AKS`.
    pub service: String,
    /// The tier priced (`standard`, `extended`, `free`, `premium`).
    pub tier: String,
    /// USD per hour.
    pub hourly_price: f64,
    /// USD per month.
    pub monthly_cost: f64,
    /// An estimate (another region's price, or a tier without its own price).
    pub estimate: bool,
    /// How the price was found and what to know about it.
    pub explanation: String,
}

/// Standard support of each EKS version ended on this date (AWS's EKS version calendar);
/// clusters still on it pay the extended-support fee.
const EKS_STANDARD_SUPPORT_ENDS: &[(u32, &str)] = &[
    (23, "2023-10-11"),
    (24, "2024-01-31"),
    (25, "2024-05-01"),
    (26, "2024-06-11"),
    (27, "2024-07-24"),
    (28, "2024-11-26"),
    (29, "2025-03-23"),
    (30, "2025-07-23"),
    (31, "2025-11-26"),
    (32, "2026-03-23"),
    (33, "2026-07-29"),
];

/// The minor version of a kubelet version (`v1.29.3-eks-ae9a62a` → 29).
pub(crate) fn minor_version(kubelet: &str) -> Option<u32> {
    let v = kubelet.trim_start_matches('v');
    let mut parts = v.split('.');
    (parts.next()? == "1").then_some(())?;
    parts.next()?.parse().ok()
}

/// When the newest node's EKS version had left standard support by `today` (`YYYY-MM-DD…`):
/// that version and the day its standard support ended.
pub(crate) fn eks_extended_hint(newest_minor: u32, today: &str) -> Option<(u32, &'static str)> {
    EKS_STANDARD_SUPPORT_ENDS
        .iter()
        .find(|(m, _)| *m == newest_minor)
        .filter(|(_, end)| today.get(..10).is_some_and(|t| t > *end))
        .map(|(m, end)| (*m, *end))
        .or_else(|| {
            let oldest = EKS_STANDARD_SUPPORT_ENDS[0];
            (newest_minor < oldest.0).then_some((newest_minor, oldest.1))
        })
}

/// The control plane's line for `service` at `tier` in `region`; `None` for `none` and for a
/// cluster that is not a managed service.
pub(crate) fn price(
    service: Option<ManagedKubernetes>,
    tier: ControlPlaneTier,
    region: Option<&str>,
    prices: &ServicePrices,
) -> Option<ControlPlaneCost> {
    let service = service?;
    let (provider, resolved, item) = match (service, tier) {
        (_, ControlPlaneTier::None) => return None,
        (ManagedKubernetes::Eks, ControlPlaneTier::Extended) => {
            (Provider::Aws, "extended", "eks-cluster-extended-support")
        }
        (ManagedKubernetes::Eks, _) => (Provider::Aws, "standard", "eks-cluster-standard-support"),
        (ManagedKubernetes::Gke, _) => (Provider::Gcp, "standard", "gke-cluster-management-fee"),
        (ManagedKubernetes::Aks, ControlPlaneTier::Auto | ControlPlaneTier::Free) => {
            (Provider::Azure, "free", "aks-free-tier")
        }
        (ManagedKubernetes::Aks, ControlPlaneTier::Premium) => {
            (Provider::Azure, "premium", "aks-standard-tier")
        }
        (ManagedKubernetes::Aks, _) => (Provider::Azure, "standard", "aks-standard-tier"),
    };
    let p = prices.service(provider, region, item, "cluster-hour")?;
    let mut estimate = p.basis.is_estimate();
    let mut words = vec![format!("{} {resolved}: ${}/hour", service.as_str(), p.usd)];
    let basis = p.basis.describe(region);
    if !basis.is_empty() {
        words.push(basis);
    }
    if resolved == "premium" {
        estimate = true;
        words.push("no AKS Premium price in the data: priced as Standard (a lower bound)".into());
    }
    if service == ManagedKubernetes::Gke {
        words.push("GKE's monthly free-tier credit (one zonal or Autopilot cluster per billing account) is not applied".into());
    }
    if tier == ControlPlaneTier::Auto {
        words.push(format!(
            "the tier is assumed ({resolved}); set the control-plane tier if yours differs"
        ));
    }
    Some(ControlPlaneCost {
        service: service.as_str().to_owned(),
        tier: resolved.to_owned(),
        hourly_price: p.usd,
        monthly_cost: p.usd * crate::cost::HOURS_PER_MONTH,
        estimate,
        explanation: words.join("; "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_by_service() {
        let t = ServicePrices::embedded();
        let eks = price(
            Some(ManagedKubernetes::Eks),
            ControlPlaneTier::Auto,
            Some("us-east-1"),
            t,
        )
        .unwrap();
        assert_eq!(
            (eks.tier.as_str(), eks.monthly_cost, eks.estimate),
            ("standard", 73.0, false)
        );
        let ext = price(
            Some(ManagedKubernetes::Eks),
            ControlPlaneTier::Extended,
            Some("us-east-1"),
            t,
        )
        .unwrap();
        assert!((ext.monthly_cost - 438.0).abs() < 1e-9);
        let aks = price(
            Some(ManagedKubernetes::Aks),
            ControlPlaneTier::Auto,
            Some("eastus"),
            t,
        )
        .unwrap();
        assert_eq!((aks.tier.as_str(), aks.monthly_cost), ("free", 0.0));
        let std = price(
            Some(ManagedKubernetes::Aks),
            ControlPlaneTier::Standard,
            Some("eastus"),
            t,
        )
        .unwrap();
        assert_eq!((std.monthly_cost, std.estimate), (73.0, false));
        assert!(price(None, ControlPlaneTier::Standard, None, t).is_none());
        assert!(
            price(
                Some(ManagedKubernetes::Gke),
                ControlPlaneTier::None,
                None,
                t
            )
            .is_none()
        );
    }

    #[test]
    fn extended_support_hint() {
        assert_eq!(minor_version("v1.29.3-eks-ae9a62a"), Some(29));
        assert_eq!(
            eks_extended_hint(29, "2026-12-06T00:00:00Z"),
            Some((29, "2025-03-23"))
        );
        assert_eq!(eks_extended_hint(33, "2026-07-01T00:00:00Z"), None);
        assert_eq!(eks_extended_hint(34, "2026-12-06T00:00:00Z"), None);
        assert_eq!(
            eks_extended_hint(20, "2026-12-06T00:00:00Z"),
            Some((20, "2023-10-11"))
        );
    }
}
