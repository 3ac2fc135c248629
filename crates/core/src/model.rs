//! Vocabulary shared by every stage of the analysis.

use serde::Serialize;

/// The cloud (or local distribution) a node runs on.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    /// Amazon Web Services (EC2, EKS).
    Aws,
    /// Google Cloud (GCE, GKE).
    Gcp,
    /// Microsoft Azure (AKS).
    Azure,
    /// Oracle Cloud Infrastructure.
    Oracle,
    /// DigitalOcean.
    Digitalocean,
    /// Hetzner Cloud.
    Hetzner,
    /// Linode / Akamai.
    Linode,
    /// Scaleway.
    Scaleway,
    /// VMware vSphere.
    Vsphere,
    /// OpenStack.
    Openstack,
    /// A local kind cluster.
    Kind,
    /// Not determined.
    Unknown,
}

impl Provider {
    /// The stable lower-case name used in reports and price files.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Aws => "aws",
            Provider::Gcp => "gcp",
            Provider::Azure => "azure",
            Provider::Oracle => "oracle",
            Provider::Digitalocean => "digitalocean",
            Provider::Hetzner => "hetzner",
            Provider::Linode => "linode",
            Provider::Scaleway => "scaleway",
            Provider::Vsphere => "vsphere",
            Provider::Openstack => "openstack",
            Provider::Kind => "kind",
            Provider::Unknown => "unknown",
        }
    }

    /// Parses the name printed by [`Provider::as_str`] (case-insensitive).
    pub fn from_name(name: &str) -> Option<Provider> {
        const ALL: [Provider; 12] = [
            Provider::Aws,
            Provider::Gcp,
            Provider::Azure,
            Provider::Oracle,
            Provider::Digitalocean,
            Provider::Hetzner,
            Provider::Linode,
            Provider::Scaleway,
            Provider::Vsphere,
            Provider::Openstack,
            Provider::Kind,
            Provider::Unknown,
        ];
        ALL.into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(name))
    }
}

/// How a node's capacity is bought.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum CapacityType {
    /// Regular on-demand capacity.
    OnDemand,
    /// Spot / preemptible capacity.
    Spot,
    /// Reserved capacity or an EC2 capacity block.
    Reserved,
    /// Not determined.
    Unknown,
}

impl CapacityType {
    /// The stable name used in reports and price files.
    pub fn as_str(self) -> &'static str {
        match self {
            CapacityType::OnDemand => "on_demand",
            CapacityType::Spot => "spot",
            CapacityType::Reserved => "reserved",
            CapacityType::Unknown => "unknown",
        }
    }

    /// Parses `on_demand`, `on-demand`, `ondemand`, `spot`, `reserved`, `unknown` (case-insensitive).
    pub fn from_name(name: &str) -> Option<CapacityType> {
        match name.to_ascii_lowercase().replace('-', "_").as_str() {
            "on_demand" | "ondemand" => Some(CapacityType::OnDemand),
            "spot" => Some(CapacityType::Spot),
            "reserved" => Some(CapacityType::Reserved),
            "unknown" => Some(CapacityType::Unknown),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for p in [
            Provider::Aws,
            Provider::Gcp,
            Provider::Azure,
            Provider::Kind,
        ] {
            assert_eq!(Provider::from_name(p.as_str()), Some(p));
        }
        assert_eq!(Provider::from_name("AWS"), Some(Provider::Aws));
        assert_eq!(Provider::from_name("ibm"), None);
        assert_eq!(
            CapacityType::from_name("on-demand"),
            Some(CapacityType::OnDemand)
        );
        assert_eq!(CapacityType::from_name("SPOT"), Some(CapacityType::Spot));
        assert_eq!(CapacityType::from_name("cheap"), None);
    }
}
