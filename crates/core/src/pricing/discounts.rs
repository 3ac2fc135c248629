//! Net prices: what the user pays after the discounts they negotiated or bought.
//!
//! Two kinds of discount, both set by the user (nothing is assumed):
//!
//! * a **flat discount** per provider (an enterprise agreement such as AWS's EDP, a reseller
//!   discount): every node price, disk, load balancer and control-plane fee of that provider
//!   costs `list × (1 − flat)`;
//! * a **commitment** (a savings plan, reserved instances, committed-use discounts): a share
//!   `coverage` of the on-demand usage of a provider, or of one instance family, is billed at
//!   the committed rate, `discount` below list. An on-demand node of that family costs
//!   `list × (1 − coverage × discount)` on average: the covered share at the committed rate,
//!   the rest at list. The most specific commitment applies (a family's over the provider's).
//!
//! Both together multiply: `list × (1 − flat) × (1 − coverage × discount)`.
//!
//! Discounts apply to on-demand (and reserved or unknown-capacity) node prices from Vantage,
//! price files and the catalogue. They do not apply to spot prices (spot is already below list
//! and not covered by commitments), to spot nodes priced at on-demand for want of a spot price
//! (that price is an upper bound), to manual prices (the price the user typed is taken as
//! what they pay) or to fallback rates. Candidate instance types in node suggestions and
//! re-packing are priced the same way, so a family the commitment does not cover gets only the
//! flat discount, and every saving is a saving on net prices.
//!
//! ```
//! use kube_rightsize_core::model::Provider;
//! use kube_rightsize_core::pricing::discounts::{Commitment, Discounts};
//! let d = Discounts {
//!     flat: vec![(Provider::Aws, 0.10)],
//!     commitments: vec![Commitment {
//!         provider: Provider::Aws,
//!         family: Some("m5".to_owned()),
//!         coverage: 0.5,
//!         discount: 0.40,
//!     }],
//! };
//! // m5: 0.9 × (1 − 0.5 × 0.4) = 0.72 of list; c6a: the flat 10 % only.
//! assert!((d.factor(Provider::Aws, "m5.xlarge").factor - 0.72).abs() < 1e-12);
//! assert!((d.factor(Provider::Aws, "c6a.large").factor - 0.9).abs() < 1e-12);
//! assert_eq!(d.factor(Provider::Gcp, "n2-standard-4").factor, 1.0);
//! ```

use serde::{Deserialize, Serialize};

use crate::model::Provider;
use crate::pricing::sources::azure_slug;

/// A commitment: `coverage` of a provider's (or one family's) on-demand usage billed
/// `discount` below list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Commitment {
    /// The provider.
    pub provider: Provider,
    /// The instance family it covers ([`commitment_family`]), `None` for every family.
    pub family: Option<String>,
    /// The share of on-demand usage it covers, in `(0, 1]`.
    pub coverage: f64,
    /// The committed rate's discount off list, in `[0, 1)`.
    pub discount: f64,
}

impl Commitment {
    /// What it covers, for people: `aws m5`, `all aws`.
    pub fn scope(&self) -> String {
        match &self.family {
            Some(f) => format!("{} {f}", self.provider.as_str()),
            None => format!("all {}", self.provider.as_str()),
        }
    }

    /// For people: `60% of aws m5 usage at 28% off`.
    pub fn describe(&self) -> String {
        format!(
            "{}% of {} on-demand usage committed at {}% off",
            pct(self.coverage),
            self.scope(),
            pct(self.discount)
        )
    }
}

/// The user's discounts (none by default: list prices).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Discounts {
    /// A flat discount per provider, each a fraction in `[0, 1)`.
    pub flat: Vec<(Provider, f64)>,
    /// Commitments, at most one per provider and family.
    pub commitments: Vec<Commitment>,
}

/// The discount applied to one price.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    /// Net price ÷ list price, in `(0, 1]`.
    pub factor: f64,
    /// What was applied, for people (`None` when nothing was).
    pub description: Option<String>,
}

impl Discounts {
    /// No discounts.
    pub const NONE: Discounts = Discounts {
        flat: Vec::new(),
        commitments: Vec::new(),
    };

    /// True when no discount is set.
    pub fn is_empty(&self) -> bool {
        self.flat.is_empty() && self.commitments.is_empty()
    }

    /// The flat discount of `provider` (0 when none).
    pub fn flat(&self, provider: Provider) -> f64 {
        self.flat
            .iter()
            .find(|(p, _)| *p == provider)
            .map_or(0.0, |(_, d)| *d)
    }

    /// The commitment that covers `instance_type`: its family's, else the provider's.
    pub fn commitment(&self, provider: Provider, instance_type: &str) -> Option<&Commitment> {
        let family = commitment_family(provider, instance_type);
        let of = |c: &&Commitment| c.provider == provider;
        self.commitments
            .iter()
            .filter(of)
            .find(|c| {
                c.family
                    .as_deref()
                    .is_some_and(|f| f.eq_ignore_ascii_case(&family))
            })
            .or_else(|| {
                self.commitments
                    .iter()
                    .filter(of)
                    .find(|c| c.family.is_none())
            })
    }

    /// The factor for an on-demand price of `instance_type`: flat and commitment together.
    pub fn factor(&self, provider: Provider, instance_type: &str) -> Applied {
        let flat = self.flat(provider);
        let commitment = self.commitment(provider, instance_type);
        let covered = commitment.map_or(0.0, |c| c.coverage * c.discount);
        let mut parts = Vec::new();
        if flat > 0.0 {
            parts.push(format!("{}% {} discount", pct(flat), provider.as_str()));
        }
        if let Some(c) = commitment.filter(|_| covered > 0.0) {
            parts.push(c.describe());
        }
        Applied {
            factor: (1.0 - flat) * (1.0 - covered),
            description: (!parts.is_empty()).then(|| parts.join(" and ")),
        }
    }

    /// The factor for a provider's other charges (disks, load balancers, control plane): the
    /// flat discount only.
    pub fn services_factor(&self, provider: Provider) -> f64 {
        1.0 - self.flat(provider)
    }

    /// Every discount, for people, one line each.
    pub fn describe(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .flat
            .iter()
            .map(|(p, d)| {
                format!(
                    "{}% off every {} list price (nodes, disks, load balancers, control plane)",
                    pct(*d),
                    p.as_str()
                )
            })
            .collect();
        lines.extend(self.commitments.iter().map(Commitment::describe));
        lines
    }
}

/// The family a commitment names: AWS `m5` (before the dot), GCP `n2` (the machine series,
/// before the first dash), Azure `dsv5` (the size's slug without its first run of digits:
/// `Standard_D4s_v5` → `dsv5`). Lower case.
pub fn commitment_family(provider: Provider, instance_type: &str) -> String {
    let t = instance_type.trim();
    match provider {
        Provider::Aws => t.split('.').next().unwrap_or(t).to_ascii_lowercase(),
        Provider::Gcp => t.split('-').next().unwrap_or(t).to_ascii_lowercase(),
        Provider::Azure => {
            let slug = azure_slug(t);
            let start = slug.find(|c: char| c.is_ascii_digit());
            match start {
                Some(i) => {
                    let end = slug[i..]
                        .find(|c: char| !c.is_ascii_digit())
                        .map_or(slug.len(), |j| i + j);
                    format!("{}{}", &slug[..i], &slug[end..])
                }
                None => slug,
            }
        }
        _ => t.to_ascii_lowercase(),
    }
}

/// A fraction as a percentage for people: `0.15` → `15`, `0.125` → `12.5`.
fn pct(fraction: f64) -> String {
    crate::format::trim_decimal(fraction * 100.0, 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_per_provider() {
        assert_eq!(commitment_family(Provider::Aws, "m5.xlarge"), "m5");
        assert_eq!(commitment_family(Provider::Aws, "M7g.metal"), "m7g");
        assert_eq!(commitment_family(Provider::Gcp, "n2-standard-4"), "n2");
        assert_eq!(commitment_family(Provider::Gcp, "e2-medium"), "e2");
        assert_eq!(
            commitment_family(Provider::Azure, "Standard_D4s_v5"),
            "dsv5"
        );
        assert_eq!(
            commitment_family(Provider::Azure, "Standard_NC24ads_A100_v4"),
            "ncadsa100v4"
        );
        assert_eq!(commitment_family(Provider::Azure, "d16asv5"), "dasv5");
    }

    fn commitment(family: Option<&str>, coverage: f64, discount: f64) -> Commitment {
        Commitment {
            provider: Provider::Aws,
            family: family.map(str::to_owned),
            coverage,
            discount,
        }
    }

    #[test]
    fn each_kind_alone_and_combined() {
        let none = Discounts::default();
        assert_eq!(none.factor(Provider::Aws, "m5.large").factor, 1.0);
        assert_eq!(none.factor(Provider::Aws, "m5.large").description, None);

        let flat = Discounts {
            flat: vec![(Provider::Aws, 0.15)],
            ..Discounts::default()
        };
        let a = flat.factor(Provider::Aws, "m5.large");
        assert!((a.factor - 0.85).abs() < 1e-12);
        assert_eq!(a.description.as_deref(), Some("15% aws discount"));
        assert_eq!(flat.factor(Provider::Gcp, "n2-standard-2").factor, 1.0);
        assert!((flat.services_factor(Provider::Aws) - 0.85).abs() < 1e-12);

        let plan = Discounts {
            commitments: vec![commitment(None, 0.6, 0.3)],
            ..Discounts::default()
        };
        let a = plan.factor(Provider::Aws, "c6a.large");
        assert!((a.factor - 0.82).abs() < 1e-12);
        assert_eq!(
            a.description.as_deref(),
            Some("60% of all aws on-demand usage committed at 30% off")
        );
        assert_eq!(plan.services_factor(Provider::Aws), 1.0);

        let both = Discounts {
            flat: vec![(Provider::Aws, 0.1)],
            commitments: vec![commitment(None, 0.6, 0.3), commitment(Some("M5"), 1.0, 0.4)],
        };
        // The family's commitment wins over the provider's.
        let m5 = both.factor(Provider::Aws, "m5.2xlarge");
        assert!((m5.factor - 0.9 * 0.6).abs() < 1e-12);
        assert_eq!(
            m5.description.as_deref(),
            Some("10% aws discount and 100% of aws M5 on-demand usage committed at 40% off")
        );
        let c6a = both.factor(Provider::Aws, "c6a.large");
        assert!((c6a.factor - 0.9 * 0.82).abs() < 1e-12);
        assert_eq!(both.describe().len(), 3);
    }
}
