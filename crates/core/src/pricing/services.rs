//! Prices of what is not a node: block storage (`storage.csv`) and load balancers and managed
//! control planes (`services.csv`), from the shared pricing snapshot (copied into
//! `crates/core/data` by `cargo xtask catalogue`; `crates/core/data/SOURCES.md`, "Additions",
//! says where each row comes from and how old it is).
//!
//! A lookup answers with the price and how it was found ([`Basis`]): the item in the asked
//! region, the provider's reference region (`us-east-1`, `us-central1`, `eastus`) or the only
//! region the data has for it, or OpenCost's documented default. Everything but the first is an
//! estimate and is said to be one.
//!
//! A user's price file may add rows of the same shape ([`ItemRow`], `provider,region,item,unit,usd`):
//! [`ServicePrices::with_items`] puts them before the embedded tables, so for every item the
//! order is the file's price in the region, the embedded price in the region, then the file's
//! and the embedded price elsewhere, then OpenCost's default (the nodes' order: price file >
//! embedded > fallback).

use std::borrow::Cow;
use std::sync::OnceLock;

use serde::Serialize;

use crate::model::Provider;

static STORAGE_CSV: &str = include_str!("../../data/storage.csv");
static SERVICES_CSV: &str = include_str!("../../data/services.csv");

/// OpenCost's default price of storage it cannot identify, per GiB-month
/// (`0.00005479452` per GB-hour × 730).
pub const FALLBACK_STORAGE_GIB_MONTH: f64 = 0.04;

/// When each table's prices were current, for explanations.
pub fn as_of(provider: Provider, storage: bool) -> &'static str {
    match (provider, storage) {
        (Provider::Aws, true) => "AWS EBS pricing page, 2024-07-18",
        (Provider::Gcp, true) => "Cloud Billing Catalog via Cyclenerd, 2026-07-30",
        (Provider::Azure, true) => "Infracost test outputs, eastus only, 2024–2025",
        (_, true) => "none",
        (_, false) => "Infracost test outputs 2024-07 to 2026-07; OpenCost defaults 2024-10-24",
    }
}

/// How a price was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "region", rename_all = "snake_case")]
pub enum Basis {
    /// The item's price in the asked region (or its global price).
    Region,
    /// The item's price in the asked region (or its global price), from the user's price file.
    PriceFile,
    /// The data has no price in the asked region: this region's price is used instead.
    OtherRegion(String),
    /// OpenCost's hard-coded default (not a list price).
    OpenCostDefault,
}

impl Basis {
    /// True unless the price is the item's own price in its region.
    pub fn is_estimate(&self) -> bool {
        !matches!(self, Basis::Region | Basis::PriceFile)
    }

    /// A few words for explanations (`us-east-1 price used for eu-west-1`).
    pub fn describe(&self, asked: Option<&str>) -> String {
        match self {
            Basis::Region => String::new(),
            Basis::PriceFile => "from the price file".to_owned(),
            Basis::OtherRegion(r) => match asked {
                Some(a) => format!("{r} price used for {a}"),
                None => format!("{r} price used (region unknown)"),
            },
            Basis::OpenCostDefault => "OpenCost's default".to_owned(),
        }
    }
}

/// A price and how it was found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemPrice {
    /// USD per unit (`GiB-month`, `lb-hour`, …).
    pub usd: f64,
    /// How it was found.
    pub basis: Basis,
}

#[derive(Debug, Clone)]
struct Row {
    provider: Provider,
    region: Cow<'static, str>,
    item: Cow<'static, str>,
    unit: Cow<'static, str>,
    usd: f64,
}

/// One price of a user's price file for something that is not a node: a disk type's unit
/// (`gp3`, `GiB-month`), a load balancer's hour (`nlb`, `lb-hour`), a control plane's hour
/// (`eks-cluster-standard-support`, `cluster-hour`). The items and units are those of the
/// embedded `storage.csv` and `services.csv` (listed in `docs/cost-model.md`, §6).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemRow {
    /// The cloud.
    pub provider: Provider,
    /// The region (`global` for a price that holds everywhere).
    pub region: String,
    /// The disk type or service item.
    pub item: String,
    /// The unit.
    pub unit: String,
    /// USD per unit.
    pub usd: f64,
}

/// The storage and service price tables, and the user's price-file rows before them.
#[derive(Debug, Clone, Default)]
pub struct ServicePrices {
    storage: Vec<Row>,
    services: Vec<Row>,
    /// The user's rows, later files' rows last (searched last to first: later files win).
    file: Vec<Row>,
}

/// The provider's reference region: where the data is most complete.
pub fn reference_region(provider: Provider) -> Option<&'static str> {
    match provider {
        Provider::Aws => Some("us-east-1"),
        Provider::Gcp => Some("us-central1"),
        Provider::Azure => Some("eastus"),
        _ => None,
    }
}

fn parse(text: &'static str) -> Vec<Row> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let mut f = line.split(',');
            let provider = match f.next()? {
                "aws" => Provider::Aws,
                "gcp" => Provider::Gcp,
                "azure" => Provider::Azure,
                _ => return None,
            };
            let (region, item, unit) = (f.next()?, f.next()?, f.next()?);
            let usd: f64 = f.next()?.parse().ok()?;
            (usd.is_finite() && usd >= 0.0).then_some(Row {
                provider,
                region: Cow::Borrowed(region),
                item: Cow::Borrowed(item),
                unit: Cow::Borrowed(unit),
                usd,
            })
        })
        .collect()
}

impl ServicePrices {
    /// The tables shipped with the core.
    pub fn embedded() -> &'static ServicePrices {
        static TABLES: OnceLock<ServicePrices> = OnceLock::new();
        TABLES.get_or_init(|| ServicePrices {
            storage: parse(STORAGE_CSV),
            services: parse(SERVICES_CSV),
            file: Vec::new(),
        })
    }

    /// These tables with a user's price-file rows before them (the embedded tables alone when
    /// `items` is empty).
    pub fn with_items(&self, items: &[ItemRow]) -> ServicePrices {
        let mut out = self.clone();
        out.file.extend(items.iter().map(|r| Row {
            provider: r.provider,
            region: Cow::Owned(r.region.clone()),
            item: Cow::Owned(r.item.clone()),
            unit: Cow::Owned(r.unit.clone()),
            usd: r.usd,
        }));
        out
    }

    /// The price of `unit` of disk type `storage_type` in `region`: that region's, else the
    /// reference region's.
    pub fn storage(
        &self,
        provider: Provider,
        region: Option<&str>,
        storage_type: &str,
        unit: &str,
    ) -> Option<ItemPrice> {
        lookup(
            &self.file,
            &self.storage,
            provider,
            region,
            storage_type,
            unit,
        )
    }

    /// The price of `unit` of service item `item` (`nlb`, `eks-cluster-standard-support`, …) in
    /// `region`: that region's or the global price, else the reference region's, else the only
    /// region the data has; `opencost-default:<item>` rows give [`Basis::OpenCostDefault`].
    pub fn service(
        &self,
        provider: Provider,
        region: Option<&str>,
        item: &str,
        unit: &str,
    ) -> Option<ItemPrice> {
        if let Some(p) = lookup(&self.file, &self.services, provider, region, item, unit) {
            return Some(p);
        }
        let default = format!("opencost-default:{item}");
        self.services
            .iter()
            .find(|r| r.provider == provider && r.item == default.as_str() && r.unit == unit)
            .map(|r| ItemPrice {
                usd: r.usd,
                basis: Basis::OpenCostDefault,
            })
    }

    /// True when the embedded tables price `item` in `unit` for `provider` (OpenCost's
    /// defaults count as the item they stand for).
    pub fn knows(&self, provider: Provider, item: &str, unit: &str) -> bool {
        self.storage.iter().chain(self.services.iter()).any(|r| {
            r.provider == provider
                && r.unit == unit
                && (r.item == item || r.item.strip_prefix("opencost-default:") == Some(item))
        })
    }

    /// The rows of a provider's storage type (`disk-month:P10`, …) as (unit, region, usd):
    /// the price file's first, then the embedded ones.
    pub fn storage_units(
        &self,
        provider: Provider,
        storage_type: &str,
    ) -> impl Iterator<Item = (&str, &str, f64)> + '_ {
        let storage_type = storage_type.to_owned();
        self.file
            .iter()
            .rev()
            .chain(self.storage.iter())
            .filter(move |r| r.provider == provider && r.item == storage_type)
            .map(|r| (r.unit.as_ref(), r.region.as_ref(), r.usd))
    }
}

/// The file's row in the region, the embedded row in the region, the file's row in the
/// reference region or its only region, then the embedded one likewise.
fn lookup(
    file: &[Row],
    embedded: &[Row],
    provider: Provider,
    region: Option<&str>,
    item: &str,
    unit: &str,
) -> Option<ItemPrice> {
    let matches = |r: &&Row| r.provider == provider && r.item == item && r.unit == unit;
    // Later files win: their rows come last.
    let file: Vec<&Row> = file.iter().rev().filter(matches).collect();
    let embedded: Vec<&Row> = embedded.iter().filter(matches).collect();
    let here = |r: &&&Row| Some(r.region.as_ref()) == region || r.region == "global";
    if let Some(r) = file.iter().find(here) {
        return Some(ItemPrice {
            usd: r.usd,
            basis: Basis::PriceFile,
        });
    }
    if let Some(r) = embedded.iter().find(here) {
        return Some(ItemPrice {
            usd: r.usd,
            basis: Basis::Region,
        });
    }
    let reference = reference_region(provider);
    let elsewhere = |rows: &[&Row]| {
        rows.iter()
            .find(|r| Some(r.region.as_ref()) == reference)
            .or_else(|| rows.iter().find(|r| r.region != "*"))
            .map(|r| ItemPrice {
                usd: r.usd,
                basis: Basis::OtherRegion(r.region.to_string()),
            })
    };
    elsewhere(&file).or_else(|| elsewhere(&embedded))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_read_and_answer_with_their_basis() {
        let t = ServicePrices::embedded();
        assert!(t.storage.len() > 800, "{}", t.storage.len());
        assert!(t.services.len() > 20);
        let gp3 = t
            .storage(Provider::Aws, Some("us-east-1"), "gp3", "GiB-month")
            .unwrap();
        assert_eq!((gp3.usd, gp3.basis), (0.08, Basis::Region));
        let far = t
            .storage(Provider::Aws, Some("mars-1"), "gp3", "GiB-month")
            .unwrap();
        assert_eq!(far.basis, Basis::OtherRegion("us-east-1".into()));
        let p10 = t
            .storage(
                Provider::Azure,
                Some("westeurope"),
                "premium-ssd-lrs",
                "disk-month:P10",
            )
            .unwrap();
        assert_eq!((p10.usd, p10.basis.is_estimate()), (19.71, true));
        let nlb = t
            .service(Provider::Aws, Some("us-east-1"), "nlb", "lb-hour")
            .unwrap();
        assert_eq!((nlb.usd, nlb.basis), (0.022507, Basis::Region));
        let gke = t
            .service(
                Provider::Gcp,
                Some("europe-west1"),
                "gke-cluster-management-fee",
                "cluster-hour",
            )
            .unwrap();
        assert_eq!((gke.usd, gke.basis), (0.1, Basis::Region));
        let azure_lb = t
            .service(Provider::Azure, Some("eastus"), "lb", "lb-hour")
            .unwrap();
        assert_eq!(
            (azure_lb.usd, azure_lb.basis),
            (0.005, Basis::OpenCostDefault)
        );
        assert!(
            t.service(Provider::Aws, None, "teleporter", "hour")
                .is_none()
        );
    }
}
