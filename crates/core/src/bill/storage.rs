//! Persistent volumes priced: which disk each is (its StorageClass's provisioner and
//! parameters, else its own source), its size, its region, and the price lines that make its
//! monthly cost (capacity, provisioned IOPS and throughput above the free baseline, Azure size
//! tiers). See `docs/cost-model.md`, "Persistent volumes".

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::Provider;
use crate::pricing::services::{FALLBACK_STORAGE_GIB_MONTH, ServicePrices};
use crate::volumes::StorageClass;

/// One priced quantity of a volume: `100 GiB × $0.08/GiB-month = $8.00`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriceLine {
    /// What is priced (`capacity`, `IOPS above 3,000`, `P10 tier`).
    pub what: String,
    /// How many units.
    pub quantity: f64,
    /// The unit (`GiB-month`, `IOPS-month`, `disk-month`).
    pub unit: String,
    /// USD per unit.
    pub usd: f64,
    /// `quantity × usd`.
    pub monthly: f64,
}

/// The user's own storage prices, USD per GiB-month, by StorageClass or by PersistentVolume
/// (`--storage-price storageclass/NAME=USD`, `pv/NAME=USD`): the highest-priority source, like
/// manual node prices. A volume's own price wins over its class's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ManualStoragePrices {
    classes: BTreeMap<String, f64>,
    volumes: BTreeMap<String, f64>,
}

/// What a manual storage price is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageTarget {
    /// Every volume of a StorageClass.
    Class(String),
    /// One PersistentVolume.
    Volume(String),
}

impl StorageTarget {
    /// Reads `storageclass/NAME` (or `sc/NAME`) and `pv/NAME` (or `persistentvolume/NAME`).
    pub fn parse(text: &str) -> Option<StorageTarget> {
        let (kind, name) = text.trim().split_once('/')?;
        let name = name.trim();
        if name.is_empty() || name.contains(['/', '=', '#', '\n']) {
            return None;
        }
        match kind.trim().to_ascii_lowercase().as_str() {
            "storageclass" | "sc" => Some(StorageTarget::Class(name.to_owned())),
            "pv" | "persistentvolume" => Some(StorageTarget::Volume(name.to_owned())),
            _ => None,
        }
    }

    /// `storageclass/NAME` or `pv/NAME`.
    pub fn key(&self) -> String {
        match self {
            StorageTarget::Class(n) => format!("storageclass/{n}"),
            StorageTarget::Volume(n) => format!("pv/{n}"),
        }
    }
}

impl ManualStoragePrices {
    /// Sets a price (USD per GiB-month); a later one for the same target wins.
    pub fn set(&mut self, target: StorageTarget, usd_per_gib_month: f64) {
        match target {
            StorageTarget::Class(n) => self.classes.insert(n, usd_per_gib_month),
            StorageTarget::Volume(n) => self.volumes.insert(n, usd_per_gib_month),
        };
    }

    /// True when no price is set.
    pub fn is_empty(&self) -> bool {
        self.classes.is_empty() && self.volumes.is_empty()
    }

    /// The price for volume `volume` of class `class`, and what it was set for.
    pub(crate) fn find(&self, volume: Option<&str>, class: Option<&str>) -> Option<(f64, String)> {
        if let Some((n, usd)) = volume.and_then(|v| self.volumes.get_key_value(v)) {
            return Some((*usd, format!("volume `{n}`")));
        }
        class
            .and_then(|c| self.classes.get_key_value(c))
            .map(|(n, usd)| (*usd, format!("storage class `{n}`")))
    }
}

/// A disk as the cloud bills it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Disk {
    /// An EBS volume: `gp2`, `gp3`, `io1`, `io2`, `st1`, `sc1`, `standard`.
    Aws {
        kind: String,
        iops: Option<f64>,
        iops_per_gb: Option<f64>,
        throughput: Option<f64>,
    },
    /// A GCE persistent disk or Hyperdisk (`pd-balanced`, `regional-pd-ssd`,
    /// `hyperdisk-extreme`, …).
    Gcp { kind: String, iops: Option<f64> },
    /// An Azure managed disk by SKU (`Premium_LRS`, `StandardSSD_ZRS`, `UltraSSD_LRS`, …).
    Azure {
        sku: String,
        iops: Option<f64>,
        mbps: Option<f64>,
    },
    /// Anything else (local-path, NFS, Ceph, EFS, a driver not known here).
    Unknown { driver: String },
}

impl Disk {
    /// The provider that bills the disk, if a cloud's.
    pub fn provider(&self) -> Option<Provider> {
        match self {
            Disk::Aws { .. } => Some(Provider::Aws),
            Disk::Gcp { .. } => Some(Provider::Gcp),
            Disk::Azure { .. } => Some(Provider::Azure),
            Disk::Unknown { .. } => None,
        }
    }

    /// The disk type as shown (`gp3`, `pd-balanced`, `Premium_LRS`, `rancher.io/local-path`).
    pub fn name(&self) -> String {
        match self {
            Disk::Aws { kind, .. } | Disk::Gcp { kind, .. } => kind.clone(),
            Disk::Azure { sku, .. } => sku.clone(),
            Disk::Unknown { driver } => driver.clone(),
        }
    }
}

/// Provisioned IOPS or throughput above this is not a real disk (the largest are a few hundred
/// thousand IOPS and a few thousand MB/s): such a parameter is ignored, with a warning.
pub(crate) const ABSURD_PROVISIONED: f64 = 10_000_000.0;

fn number(v: Option<&str>) -> Option<f64> {
    v.and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|n| n.is_finite() && (0.0..=ABSURD_PROVISIONED).contains(n))
}

/// The class's IOPS or throughput parameters that are not numbers from 0 to
/// [`ABSURD_PROVISIONED`], as `key=value` (ignored when pricing).
pub(crate) fn ignored_parameters(class: &StorageClass) -> Vec<String> {
    const NUMERIC: &[&str] = &[
        "iops",
        "iopsPerGB",
        "throughput",
        "provisioned-iops-on-create",
        "DiskIOPSReadWrite",
        "DiskMBpsReadWrite",
    ];
    NUMERIC
        .iter()
        .filter_map(|k| class.parameter(k).map(|v| (*k, v)))
        .filter(|(_, v)| number(Some(v)).is_none())
        .map(|(k, v)| format!("{k}={v}"))
        .collect()
}

/// The disk a provisioner and its class's parameters make. `class` is `None` for a volume
/// without a StorageClass (its own source says the driver).
pub(crate) fn classify(
    driver: &str,
    class: Option<&StorageClass>,
    azure_sku: Option<&str>,
) -> Disk {
    let p = |k: &str| class.and_then(|c| c.parameter(k));
    match driver {
        "ebs.csi.aws.com" | "kubernetes.io/aws-ebs" => Disk::Aws {
            kind: p("type").map(str::to_ascii_lowercase).unwrap_or_else(|| {
                // The CSI driver's default is gp3; the in-tree plugin's was gp2.
                if driver == "ebs.csi.aws.com" {
                    "gp3"
                } else {
                    "gp2"
                }
                .to_owned()
            }),
            iops: number(p("iops")),
            iops_per_gb: number(p("iopsPerGB")),
            throughput: number(p("throughput")),
        },
        "pd.csi.storage.gke.io" | "kubernetes.io/gce-pd" => {
            let kind = p("type").unwrap_or("pd-standard").to_ascii_lowercase();
            let regional =
                p("replication-type").is_some_and(|r| r.eq_ignore_ascii_case("regional-pd"));
            Disk::Gcp {
                kind: if regional && kind.starts_with("pd-") {
                    format!("regional-{kind}")
                } else {
                    kind
                },
                iops: number(p("provisioned-iops-on-create")),
            }
        }
        "disk.csi.azure.com" | "kubernetes.io/azure-disk" => Disk::Azure {
            sku: p("skuName")
                .or_else(|| p("storageaccounttype"))
                .or(azure_sku)
                .map(str::to_owned)
                .unwrap_or_else(|| {
                    // The CSI driver's default SKU is StandardSSD_LRS; the in-tree plugin's
                    // was Standard_LRS.
                    if driver == "disk.csi.azure.com" {
                        "StandardSSD_LRS"
                    } else {
                        "Standard_LRS"
                    }
                    .to_owned()
                }),
            iops: number(p("DiskIOPSReadWrite")),
            mbps: number(p("DiskMBpsReadWrite")),
        },
        other => Disk::Unknown {
            driver: if other.is_empty() {
                "no provisioner".to_owned()
            } else {
                other.to_owned()
            },
        },
    }
}

/// Where prices are looked up: the tables, the disk's provider and its region.
pub(crate) struct Lookup<'a> {
    prices: &'a ServicePrices,
    provider: Provider,
    region: Option<&'a str>,
}

/// A volume's price: its lines, whether any is an estimate, and the words that say how.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Priced {
    pub lines: Vec<PriceLine>,
    pub estimate: bool,
    pub notes: Vec<String>,
    /// The user's own price: taken as it is (no discount).
    pub manual: bool,
}

impl Priced {
    fn add(&mut self, what: impl Into<String>, quantity: f64, unit: &str, usd: f64) {
        self.lines.push(PriceLine {
            what: what.into(),
            quantity,
            unit: unit.to_owned(),
            usd,
            monthly: quantity * usd,
        });
    }

    /// Adds a line priced from the table, noting how the price was found; `false` when the
    /// table has no price for it.
    fn priced(
        &mut self,
        at: &Lookup<'_>,
        item: &str,
        unit: &str,
        what: &str,
        quantity: f64,
    ) -> bool {
        let region = at.region;
        match at.prices.storage(at.provider, region, item, unit) {
            Some(p) => {
                self.estimate |= p.basis.is_estimate();
                let basis = p.basis.describe(region);
                if !basis.is_empty() {
                    self.notes.push(format!("{item} {unit}: {basis}"));
                }
                self.add(what, quantity, unit, p.usd);
                true
            }
            None => false,
        }
    }

    /// The monthly cost: the sum of the lines.
    pub fn monthly(&self) -> f64 {
        self.lines.iter().map(|l| l.monthly).sum()
    }

    fn fallback(&mut self, gib: f64, why: String) {
        self.estimate = true;
        self.notes.push(why);
        self.add(
            "capacity (fallback rate)",
            gib,
            "GiB-month",
            FALLBACK_STORAGE_GIB_MONTH,
        );
    }
}

/// AWS bills io2 IOPS in tiers: the first 32,000, the next 32,000, then the rest.
const IO2_TIER: f64 = 32_000.0;

fn price_aws(
    kind: &str,
    iops: Option<f64>,
    throughput: Option<f64>,
    gib: f64,
    at: &Lookup<'_>,
    out: &mut Priced,
) {
    if !out.priced(at, kind, "GiB-month", "capacity", gib) {
        out.fallback(
            gib,
            format!("no price for EBS type `{kind}`: OpenCost's $0.04/GiB-month"),
        );
        return;
    }
    match kind {
        "gp3" => {
            if let Some(extra) = iops.map(|i| i - 3000.0).filter(|e| *e > 0.0) {
                out.priced(
                    at,
                    "gp3",
                    "IOPS-month-above-3000",
                    "IOPS above 3,000",
                    extra,
                );
            }
            if let Some(extra) = throughput.map(|t| t - 125.0).filter(|e| *e > 0.0) {
                out.priced(at, "gp3", "MiBps-month-above-125", "MiB/s above 125", extra);
            }
        }
        "io1" => match iops {
            Some(i) => {
                out.priced(at, "io1", "IOPS-month", "provisioned IOPS", i);
            }
            None => out
                .notes
                .push("io1 without `iops` or `iopsPerGB`: IOPS not priced".to_owned()),
        },
        "io2" => match iops {
            Some(i) => {
                let tiers = [
                    ("IOPS-month:tier1", "IOPS up to 32,000", i.min(IO2_TIER)),
                    (
                        "IOPS-month:tier2",
                        "IOPS 32,001–64,000",
                        (i - IO2_TIER).clamp(0.0, IO2_TIER),
                    ),
                    (
                        "IOPS-month:tier3",
                        "IOPS above 64,000",
                        (i - 2.0 * IO2_TIER).max(0.0),
                    ),
                ];
                for (unit, what, q) in tiers.into_iter().filter(|t| t.2 > 0.0) {
                    if !out.priced(at, "io2", unit, what, q) {
                        out.estimate = true;
                        out.notes
                            .push(format!("no io2 {unit} price: those IOPS are not priced"));
                    }
                }
            }
            None => out
                .notes
                .push("io2 without `iops` or `iopsPerGB`: IOPS not priced".to_owned()),
        },
        _ => {}
    }
}

fn price_gcp(kind: &str, iops: Option<f64>, gib: f64, at: &Lookup<'_>, out: &mut Priced) {
    if !out.priced(at, kind, "GiB-month", "capacity", gib) {
        out.fallback(
            gib,
            format!("no price for GCE disk type `{kind}`: OpenCost's $0.04/GiB-month"),
        );
        return;
    }
    if matches!(kind, "pd-extreme" | "hyperdisk-extreme")
        && let Some(i) = iops
    {
        out.priced(at, kind, "IOPS-month", "provisioned IOPS", i);
    }
}

/// Azure managed disk size tiers: (tier number, GiB). Standard HDD starts at S4.
const AZURE_TIERS: &[(u32, f64)] = &[
    (1, 4.0),
    (2, 8.0),
    (3, 16.0),
    (4, 32.0),
    (6, 64.0),
    (10, 128.0),
    (15, 256.0),
    (20, 512.0),
    (30, 1024.0),
    (40, 2048.0),
    (50, 4096.0),
    (60, 8192.0),
    (70, 16384.0),
    (80, 32767.0),
];

/// The tier a disk of `gib` is billed as: the smallest at least that size.
pub(crate) fn azure_tier(gib: f64, letter: char) -> (u32, f64) {
    let min = if letter == 'S' { 4 } else { 1 };
    AZURE_TIERS
        .iter()
        .copied()
        .filter(|(n, _)| *n >= min)
        .find(|(_, size)| gib <= *size)
        .unwrap_or(AZURE_TIERS[AZURE_TIERS.len() - 1])
}

fn price_azure(
    sku: &str,
    iops: Option<f64>,
    mbps: Option<f64>,
    gib: f64,
    at: &Lookup<'_>,
    out: &mut Priced,
) {
    let upper = sku.to_ascii_uppercase();
    let zrs = upper.ends_with("_ZRS");
    let (table, letter) = match upper.trim_end_matches("_ZRS").trim_end_matches("_LRS") {
        "PREMIUM" => ("premium-ssd-lrs", 'P'),
        "STANDARDSSD" => ("standard-ssd-lrs", 'E'),
        "STANDARD" => ("standard-hdd-lrs", 'S'),
        "ULTRASSD" => {
            if out.priced(at, "ultra", "GiB-month", "capacity", gib) {
                if let Some(i) = iops {
                    out.priced(at, "ultra", "IOPS-month", "provisioned IOPS", i);
                }
                if let Some(m) = mbps {
                    out.priced(at, "ultra", "MBps-month", "provisioned MB/s", m);
                }
            }
            return;
        }
        _ => {
            out.fallback(
                gib,
                format!("no price for Azure disk SKU `{sku}`: OpenCost's $0.04/GiB-month"),
            );
            return;
        }
    };
    if zrs {
        out.estimate = true;
        out.notes.push(format!(
            "no ZRS prices in the data: {sku} priced as LRS (ZRS costs more)"
        ));
    }
    let (n, size) = azure_tier(gib, letter);
    let tier = format!("{letter}{n}");
    let unit = format!("disk-month:{tier}");
    if out.priced(at, table, &unit, &format!("{tier} tier ({size} GiB)"), 1.0) {
        return;
    }
    // No price for this tier: scale the nearest priced tier's price per GiB to this size.
    let nearest = at
        .prices
        .storage_units(Provider::Azure, table)
        .filter_map(|(u, r, usd)| {
            let t = u.strip_prefix("disk-month:")?;
            let tn: u32 = t.get(1..)?.parse().ok()?;
            let tsize = AZURE_TIERS.iter().find(|(k, _)| *k == tn)?.1;
            Some((t.to_owned(), r, usd, tsize))
        })
        .min_by(|a, b| {
            (a.3 - size)
                .abs()
                .total_cmp(&(b.3 - size).abs())
                .then_with(|| a.0.cmp(&b.0))
        });
    match nearest {
        Some((t, r, usd, tsize)) => {
            out.estimate = true;
            out.notes.push(format!(
                "no {tier} price in the data: {t}'s ${usd}/month for {tsize} GiB ({r}) scaled to {size} GiB"
            ));
            out.add(
                format!("{tier} tier ({size} GiB, scaled)"),
                size,
                "GiB-month",
                usd / tsize,
            );
        }
        None => out.fallback(
            gib,
            format!("no {table} prices: OpenCost's $0.04/GiB-month"),
        ),
    }
}

/// Prices `gib` GiB at the user's own price for `what` (a volume or a storage class).
pub(crate) fn price_manual(gib: f64, usd_per_gib_month: f64, what: &str) -> Priced {
    let mut out = Priced {
        manual: true,
        ..Priced::default()
    };
    out.add(
        "capacity (manual price)",
        gib,
        "GiB-month",
        usd_per_gib_month,
    );
    out.notes.push(format!("manual price for {what}"));
    out
}

/// Prices a disk of `gib` GiB in `region`.
pub(crate) fn price(disk: &Disk, gib: f64, region: Option<&str>, prices: &ServicePrices) -> Priced {
    let mut out = Priced::default();
    let at = Lookup {
        prices,
        provider: disk.provider().unwrap_or(Provider::Unknown),
        region,
    };
    match disk {
        Disk::Aws {
            kind,
            iops,
            iops_per_gb,
            throughput,
        } => {
            let iops = iops.or(iops_per_gb.map(|per| (per * gib).floor()));
            price_aws(kind, iops, *throughput, gib, &at, &mut out);
        }
        Disk::Gcp { kind, iops } => price_gcp(kind, *iops, gib, &at, &mut out),
        Disk::Azure { sku, iops, mbps } => price_azure(sku, *iops, *mbps, gib, &at, &mut out),
        Disk::Unknown { driver } => out.fallback(
            gib,
            format!("`{driver}` is not a cloud disk this tool prices: OpenCost's $0.04/GiB-month"),
        ),
    }
    if region.is_none() && disk.provider().is_some() {
        out.notes.push("region unknown".to_owned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(provisioner: &str, params: &[(&str, &str)]) -> StorageClass {
        StorageClass {
            name: "c".into(),
            provisioner: provisioner.into(),
            parameters: params
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect(),
            default: false,
        }
    }

    fn cents(p: &Priced) -> i64 {
        (p.monthly() * 100.0).round() as i64
    }

    #[test]
    fn gp3_with_extra_iops_and_throughput_to_the_cent() {
        let c = class(
            "ebs.csi.aws.com",
            &[("type", "gp3"), ("iops", "6000"), ("throughput", "250")],
        );
        let disk = classify(&c.provisioner, Some(&c), None);
        let p = price(&disk, 500.0, Some("us-east-1"), ServicePrices::embedded());
        // 500 × 0.08 + 3,000 × 0.005 + 125 × 0.04 = 40 + 15 + 5
        assert_eq!(cents(&p), 6000);
        assert!(!p.estimate);
    }

    #[test]
    fn csi_and_in_tree_defaults_differ() {
        assert_eq!(classify("ebs.csi.aws.com", None, None).name(), "gp3");
        assert_eq!(classify("kubernetes.io/aws-ebs", None, None).name(), "gp2");
        assert_eq!(
            classify("disk.csi.azure.com", None, None).name(),
            "StandardSSD_LRS"
        );
        let regional = class(
            "pd.csi.storage.gke.io",
            &[("type", "pd-ssd"), ("replication-type", "regional-pd")],
        );
        assert_eq!(
            classify(&regional.provisioner, Some(&regional), None).name(),
            "regional-pd-ssd"
        );
    }

    #[test]
    fn io2_iops_are_tiered() {
        let c = class("ebs.csi.aws.com", &[("type", "io2"), ("iops", "40000")]);
        let p = price(
            &classify(&c.provisioner, Some(&c), None),
            100.0,
            Some("us-east-1"),
            ServicePrices::embedded(),
        );
        let iops: Vec<f64> = p.lines.iter().skip(1).map(|l| l.quantity).collect();
        assert_eq!(iops, [32_000.0, 8_000.0]);
    }

    #[test]
    fn azure_tiers_round_up_and_unpriced_tiers_are_scaled() {
        assert_eq!(azure_tier(100.0, 'P'), (10, 128.0));
        assert_eq!(azure_tier(10.0, 'S'), (4, 32.0));
        let prices = ServicePrices::embedded();
        let p10 = price(
            &classify(
                "disk.csi.azure.com",
                Some(&class("disk.csi.azure.com", &[("skuName", "Premium_LRS")])),
                None,
            ),
            100.0,
            Some("eastus"),
            prices,
        );
        assert_eq!((cents(&p10), p10.estimate), (1971, false));
        // P30 (1,024 GiB) is not in the data: P10's 19.71/128 per GiB × 1,024.
        let p30 = price(
            &classify(
                "disk.csi.azure.com",
                Some(&class("disk.csi.azure.com", &[("skuName", "Premium_LRS")])),
                None,
            ),
            1000.0,
            Some("eastus"),
            prices,
        );
        assert_eq!((cents(&p30), p30.estimate), (15768, true));
    }

    #[test]
    fn unknown_drivers_get_the_fallback_rate() {
        let p = price(
            &classify("rancher.io/local-path", None, None),
            10.0,
            None,
            ServicePrices::embedded(),
        );
        assert_eq!((cents(&p), p.estimate), (40, true));
    }
}
