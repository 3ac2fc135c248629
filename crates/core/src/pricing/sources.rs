//! Price sources and the lookup that picks each node's hourly price.
//!
//! Sources, highest priority first:
//!
//! 1. [`ManualPrices`]: a USD/hour price per instance type entered by the user; it applies to
//!    every region and capacity type.
//! 2. Vantage: a [`PriceTable`] filled from the Vantage API (`pricing::vantage`; the CLI fills it, empty otherwise).
//! 3. An imported price file ([`crate::pricing::import`]), also a [`PriceTable`].
//! 4. The embedded catalogue ([`Catalogue`]), when loaded.
//! 5. Fallback rates (see [`crate::cost`]): the node is priced by its allocatable CPU and memory.
//!
//! Spot nodes look for a spot price in every source first (in the order above); when none has
//! one they get the on-demand price and a `spot_price_unknown` warning, or, with
//! [`PriceSources::assume_spot_discount`], on-demand × (1 − discount) marked as an estimate.
//! Reserved nodes (reserved capacity, EC2 capacity blocks) get the on-demand list price with a
//! `reserved_price_not_modelled` warning. Unknown capacity types are priced on-demand.
//!
//! Azure instance types and regions compare ASCII case-insensitively everywhere; Azure instance
//! types also match the instances.vantage.sh slug form (`d4sv5` for `Standard_D4s_v5`).

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::model::{CapacityType, Provider};
use crate::pricing::catalogue::Catalogue;
use crate::pricing::discounts::Discounts;

/// Where a node's price came from. Serialized as `manual`, `vantage`, `file`, `embedded` or
/// `fallback`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum PriceSource {
    /// A user-entered price per instance type.
    Manual,
    /// The Vantage API.
    Vantage,
    /// An imported price file.
    File,
    /// The catalogue embedded in (or fetched by) the application.
    Embedded,
    /// No price: the OpenCost default per-core and per-GiB rates on the node's allocatable.
    Fallback,
}

impl PriceSource {
    /// The stable name used in reports: `manual`, `vantage`, `file`, `embedded`, `fallback`.
    pub fn as_str(self) -> &'static str {
        match self {
            PriceSource::Manual => "manual",
            PriceSource::Vantage => "vantage",
            PriceSource::File => "file",
            PriceSource::Embedded => "embedded",
            PriceSource::Fallback => "fallback",
        }
    }
}

impl fmt::Display for PriceSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The instances.vantage.sh slug of an Azure size: lower case, without the `standard_` prefix
/// and without underscores (`Standard_D2s_v3` → `d2sv3`).
pub fn azure_slug(instance_type: &str) -> String {
    let lower = instance_type.trim().to_ascii_lowercase();
    let rest = lower.strip_prefix("standard_").unwrap_or(&lower);
    rest.replace('_', "")
}

/// The key a price is stored under: Azure names are folded (slug form, lower-case region);
/// other providers' names are kept exactly.
fn table_key(provider: Provider, instance_type: &str, region: &str) -> (String, String) {
    if provider == Provider::Azure {
        (
            azure_slug(instance_type),
            region.trim().to_ascii_lowercase(),
        )
    } else {
        (instance_type.trim().to_owned(), region.trim().to_owned())
    }
}

fn same_type(provider: Provider, a: &str, b: &str) -> bool {
    if provider == Provider::Azure {
        azure_slug(a) == azure_slug(b)
    } else {
        a == b
    }
}

/// One price of a [`PriceTable`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceEntry {
    /// Cloud provider.
    pub provider: Provider,
    /// Instance type as written in the source.
    pub instance_type: String,
    /// Region as written in the source (Azure feed slugs are translated to ARM names).
    pub region: String,
    /// Capacity type the price is for.
    pub capacity_type: CapacityType,
    /// USD per hour.
    pub usd_per_hour: f64,
    /// Where this price came from, when the file says (e.g. `vantage-instances`).
    pub source: Option<String>,
    /// When this price was fetched, when the file says.
    pub fetched_at: Option<String>,
    /// USD per hour of one of the instance type's GPUs, when the source says (a price file's
    /// optional `gpu_usd_per_hour`); the cost model then splits only the rest of the price over
    /// CPU and memory.
    pub gpu_usd_per_hour: Option<f64>,
}

/// A set of prices keyed by (provider, instance type, region, capacity type): the Vantage slot
/// and imported price files.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PriceTable {
    /// What the prices are, for people (e.g. `price file prices.csv`).
    pub description: String,
    /// When the prices were current, if known (e.g. a price file's `generated_at`).
    pub as_of: Option<String>,
    entries: BTreeMap<(Provider, String, String, CapacityType), PriceEntry>,
}

impl PriceTable {
    /// An empty table described as `description`.
    pub fn new(description: impl Into<String>) -> PriceTable {
        PriceTable {
            description: description.into(),
            as_of: None,
            entries: BTreeMap::new(),
        }
    }

    /// Adds (or replaces) a price; returns the price it replaced.
    pub fn insert(&mut self, entry: PriceEntry) -> Option<PriceEntry> {
        let (t, r) = table_key(entry.provider, &entry.instance_type, &entry.region);
        self.entries
            .insert((entry.provider, t, r, entry.capacity_type), entry)
    }

    /// Adds (or replaces) a plain price without source or date.
    pub fn insert_price(
        &mut self,
        provider: Provider,
        instance_type: &str,
        region: &str,
        capacity_type: CapacityType,
        usd_per_hour: f64,
    ) -> Option<PriceEntry> {
        self.insert(PriceEntry {
            provider,
            instance_type: instance_type.to_owned(),
            region: region.to_owned(),
            capacity_type,
            usd_per_hour,
            source: None,
            fetched_at: None,
            gpu_usd_per_hour: None,
        })
    }

    /// The price of `instance_type` in `region` for `capacity_type`, if the table has it.
    pub fn get(
        &self,
        provider: Provider,
        instance_type: &str,
        region: &str,
        capacity_type: CapacityType,
    ) -> Option<&PriceEntry> {
        let (t, r) = table_key(provider, instance_type, region);
        self.entries.get(&(provider, t, r, capacity_type))
    }

    /// Number of prices.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the table has no price.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every price, ordered by provider, instance type, region and capacity type.
    pub fn iter(&self) -> impl Iterator<Item = &PriceEntry> + '_ {
        self.entries.values()
    }

    /// True when the table has any price for `provider`.
    pub fn has_provider(&self, provider: Provider) -> bool {
        self.entries.keys().any(|k| k.0 == provider)
    }

    /// True when the table has any price for `instance_type` of `provider` (any region).
    pub fn has_type(&self, provider: Provider, instance_type: &str) -> bool {
        self.entries
            .values()
            .any(|e| e.provider == provider && same_type(provider, &e.instance_type, instance_type))
    }

    /// Adds every price of `other`, replacing prices this table already has; descriptions are
    /// joined with `, ` and the as-of dates too when they differ.
    pub fn merge(&mut self, other: PriceTable) {
        if self.description.is_empty() {
            self.description = other.description;
        } else if !other.description.is_empty() {
            self.description = format!("{}, {}", self.description, other.description);
        }
        self.as_of = match (self.as_of.take(), other.as_of) {
            (Some(a), Some(b)) if a != b => Some(format!("{a}, {b}")),
            (Some(a), _) => Some(a),
            (None, b) => b,
        };
        self.entries.extend(other.entries);
    }
}

/// Why a manual price was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManualPriceError {
    /// The text that was refused.
    pub input: String,
    /// What is wrong with it.
    pub reason: String,
}

impl fmt::Display for ManualPriceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid price `{}`: {}", self.input, self.reason)
    }
}

impl std::error::Error for ManualPriceError {}

/// Parses a USD/hour amount: a finite, non-negative decimal number, optionally preceded by `$`.
pub fn parse_usd(text: &str) -> Option<f64> {
    let t = text.trim();
    let t = t.strip_prefix('$').unwrap_or(t);
    if t.is_empty()
        || !t
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+')
    {
        return None;
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0)
}

/// User-entered prices per instance type (USD per hour, any region and capacity type).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ManualPrices {
    prices: BTreeMap<String, f64>,
}

impl ManualPrices {
    /// No manual prices.
    pub fn new() -> ManualPrices {
        ManualPrices::default()
    }

    /// Sets the price of `instance_type`; refuses negative, infinite and NaN prices and empty
    /// names.
    pub fn set(&mut self, instance_type: &str, usd_per_hour: f64) -> Result<(), ManualPriceError> {
        let name = instance_type.trim();
        if name.is_empty() {
            return Err(ManualPriceError {
                input: format!("{instance_type}={usd_per_hour}"),
                reason: "the instance type is empty".to_owned(),
            });
        }
        if !usd_per_hour.is_finite() || usd_per_hour < 0.0 {
            return Err(ManualPriceError {
                input: format!("{instance_type}={usd_per_hour}"),
                reason: "the price must be a non-negative number of USD per hour".to_owned(),
            });
        }
        self.prices.insert(name.to_owned(), usd_per_hour);
        Ok(())
    }

    /// Parses and sets `TYPE=USD_PER_HOUR` (e.g. `m5.large=0.05`).
    pub fn set_assignment(&mut self, assignment: &str) -> Result<(), ManualPriceError> {
        let err = |reason: &str| ManualPriceError {
            input: assignment.to_owned(),
            reason: reason.to_owned(),
        };
        let (name, price) = assignment
            .split_once('=')
            .ok_or_else(|| err("expected TYPE=USD_PER_HOUR, e.g. m5.large=0.05"))?;
        if name.trim().is_empty() {
            return Err(err(
                "the instance type is empty; expected TYPE=USD_PER_HOUR",
            ));
        }
        let usd = parse_usd(price)
            .ok_or_else(|| err("the price must be a non-negative number of USD per hour"))?;
        self.set(name, usd)
    }

    /// The manual price for `instance_type` on a node of `provider`: the exact name first, then
    /// (Azure) a case-insensitive / slug match. Returns the name as entered and the price.
    pub fn get(&self, provider: Provider, instance_type: &str) -> Option<(&str, f64)> {
        if let Some((k, v)) = self.prices.get_key_value(instance_type.trim()) {
            return Some((k.as_str(), *v));
        }
        if provider == Provider::Azure {
            let slug = azure_slug(instance_type);
            return self
                .prices
                .iter()
                .find(|(k, _)| azure_slug(k) == slug)
                .map(|(k, v)| (k.as_str(), *v));
        }
        None
    }

    /// Number of manual prices.
    pub fn len(&self) -> usize {
        self.prices.len()
    }

    /// True when there is none.
    pub fn is_empty(&self) -> bool {
        self.prices.is_empty()
    }

    /// Every manual price, by instance type.
    pub fn iter(&self) -> impl Iterator<Item = (&str, f64)> + '_ {
        self.prices.iter().map(|(k, v)| (k.as_str(), *v))
    }
}

/// What is being priced: a node's provider, instance type, region and capacity type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriceQuery<'q> {
    /// Cloud provider.
    pub provider: Provider,
    /// Instance type, if known.
    pub instance_type: Option<&'q str>,
    /// Region, if known.
    pub region: Option<&'q str>,
    /// How the capacity is bought.
    pub capacity_type: CapacityType,
}

/// A problem found while pricing, turned into a [`crate::diagnostics::Warning`] by the caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PriceIssue {
    /// Stable warning code (`spot_price_unknown`, `price_unknown`, ...).
    pub code: &'static str,
    /// What happened, for people.
    pub message: String,
}

/// The outcome of a lookup: the price (or none, meaning fallback rates), where it came from and
/// how much to trust it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceLookup {
    /// USD per hour; `None` when no source has a price ([`PriceSource::Fallback`]).
    pub usd_per_hour: Option<f64>,
    /// Which source priced the node.
    pub source: PriceSource,
    /// The capacity type whose price was used (on-demand for a spot node without a spot
    /// price); for manual prices, the node's own capacity type.
    pub priced_as: CapacityType,
    /// True when the price is a guess: fallback rates, or an assumed spot discount.
    pub estimate: bool,
    /// When the price was current, if known (for the embedded catalogue, the date that applies
    /// to the node's region).
    pub as_of: Option<String>,
    /// The source for people: `the embedded catalogue`, `price file prices.csv`, ...
    pub source_description: String,
    /// How the price was chosen when it is not simply the list price of the node's own
    /// capacity type (e.g. `on-demand price: no spot price known`), for explanations.
    pub note: Option<String>,
    /// Why the node has no price (set for [`PriceSource::Fallback`]).
    pub unpriced_reason: Option<String>,
    /// Problems to report as warnings.
    pub issues: Vec<PriceIssue>,
    /// USD per hour of one GPU when the source knows it (price files' `gpu_usd_per_hour`;
    /// scaled like the price under an assumed spot discount and the user's discounts).
    pub gpu_usd_per_hour: Option<f64>,
    /// The list price, USD per hour, when the user's discounts made `usd_per_hour` lower
    /// ([`crate::pricing::discounts`]); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_usd_per_hour: Option<f64>,
    /// The discounts applied, for people (`10% aws discount and 60% of aws m5 on-demand usage
    /// committed at 28% off`); absent when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<String>,
}

/// Every price source, borrowed, ready for lookups.
#[derive(Debug, Clone, Copy)]
pub struct PriceSources<'a> {
    /// User-entered prices per instance type.
    pub manual: &'a ManualPrices,
    /// Prices from the Vantage API (empty until that source exists).
    pub vantage: &'a PriceTable,
    /// Prices from imported price files.
    pub file: &'a PriceTable,
    /// The price catalogue, when loaded.
    pub catalogue: Option<&'a Catalogue>,
    /// When set (a fraction in `[0, 1)`), spot nodes without a known spot price are priced at
    /// on-demand × (1 − discount) and marked as estimates.
    pub assume_spot_discount: Option<f64>,
    /// USD per core-hour and per GiB-hour for nodes without a price (OpenCost's defaults unless
    /// the user set their own, e.g. for on-premises clusters).
    pub fallback: crate::pricing::rates::Rates,
    /// The user's discounts, applied to on-demand list prices ([`crate::pricing::discounts`]).
    pub discounts: &'a Discounts,
}

/// The as-of date that applies to `region` in a catalogue as-of string such as
/// `2026-07-20 for us-east-1, us-gov-east-1 and us-gov-west-1; 2025-04-04 for all other regions`.
/// Strings without `for` clauses are returned whole.
pub fn as_of_for_region(as_of: &str, region: &str) -> String {
    let mut other = None;
    for clause in as_of.split(';').map(str::trim) {
        let Some((date, list)) = clause.split_once(" for ") else {
            continue;
        };
        let list = list.trim();
        if list.starts_with("all other") {
            other = Some(date.trim());
            continue;
        }
        let listed = list
            .split([',', ' '])
            .map(str::trim)
            .any(|r| r.eq_ignore_ascii_case(region));
        if listed {
            return date.trim().to_owned();
        }
    }
    other.map_or_else(|| as_of.trim().to_owned(), str::to_owned)
}

/// A price found in a source: USD per hour, the source, its as-of date, its description and
/// the GPU price, when the source has one.
type Found = (f64, PriceSource, Option<String>, String, Option<f64>);

impl<'a> PriceSources<'a> {
    /// Sources with only the catalogue (no manual prices, price files or Vantage).
    pub fn catalogue_only(catalogue: Option<&'a Catalogue>) -> PriceSources<'a> {
        static EMPTY_MANUAL: ManualPrices = ManualPrices {
            prices: BTreeMap::new(),
        };
        static NO_DISCOUNTS: Discounts = Discounts::NONE;
        static EMPTY_TABLE: PriceTable = PriceTable {
            description: String::new(),
            as_of: None,
            entries: BTreeMap::new(),
        };
        PriceSources {
            manual: &EMPTY_MANUAL,
            vantage: &EMPTY_TABLE,
            file: &EMPTY_TABLE,
            catalogue,
            assume_spot_discount: None,
            fallback: crate::pricing::rates::Rates::FALLBACK,
            discounts: &NO_DISCOUNTS,
        }
    }

    /// The first source (Vantage, file, catalogue) with a price for exactly this capacity type.
    fn find(
        &self,
        provider: Provider,
        instance_type: &str,
        region: &str,
        capacity: CapacityType,
    ) -> Option<Found> {
        for (table, source) in [
            (self.vantage, PriceSource::Vantage),
            (self.file, PriceSource::File),
        ] {
            if let Some(e) = table.get(provider, instance_type, region, capacity) {
                let desc = if table.description.is_empty() {
                    match source {
                        PriceSource::Vantage => "Vantage".to_owned(),
                        _ => "an imported price file".to_owned(),
                    }
                } else {
                    table.description.clone()
                };
                let as_of = e.fetched_at.clone().or_else(|| table.as_of.clone());
                return Some((e.usd_per_hour, source, as_of, desc, e.gpu_usd_per_hour));
            }
        }
        let cat = self.catalogue?;
        let price = cat.price(provider, instance_type, region, capacity)?;
        let typical = cat
            .typical_spot_as_of(provider)
            .filter(|_| capacity == CapacityType::Spot);
        let (as_of, desc) = match typical {
            Some(date) => (
                Some(date.to_owned()),
                "typical spot prices in the embedded catalogue",
            ),
            None => (
                cat.as_of(provider).map(|a| as_of_for_region(a, region)),
                "the embedded catalogue",
            ),
        };
        Some((price, PriceSource::Embedded, as_of, desc.to_owned(), None))
    }

    fn fallback(&self, reason: String) -> PriceLookup {
        PriceLookup {
            usd_per_hour: None,
            source: PriceSource::Fallback,
            priced_as: CapacityType::OnDemand,
            estimate: true,
            as_of: None,
            source_description: "fallback rates".to_owned(),
            note: None,
            issues: vec![PriceIssue {
                code: "price_unknown",
                message: format!(
                    "{reason}; priced with the fallback rates $0.031611/core-hour and \
                     $0.004237/GiB-hour on its allocatable CPU and memory (an estimate)"
                ),
            }],
            unpriced_reason: Some(reason),
            gpu_usd_per_hour: None,
            list_usd_per_hour: None,
            discount: None,
        }
    }

    /// Why no source has an on-demand price for `instance_type` in `region`.
    fn why_unpriced(&self, provider: Provider, instance_type: &str, region: &str) -> String {
        let tables_have_provider =
            self.vantage.has_provider(provider) || self.file.has_provider(provider);
        let cat_has_provider = self
            .catalogue
            .is_some_and(|c| c.providers().any(|p| p == provider));
        if !tables_have_provider && !cat_has_provider {
            return match (provider, self.catalogue) {
                (Provider::Unknown, _) => format!(
                    "the provider of instance type {instance_type} is unknown, so no price \
                     source covers it"
                ),
                (_, None) => format!(
                    "no price source covers provider {} (and the catalogue is not loaded)",
                    provider.as_str()
                ),
                _ => format!("no price source covers provider {}", provider.as_str()),
            };
        }
        let cat_has_type = self
            .catalogue
            .is_some_and(|c| c.canonical_type(provider, instance_type).is_some());
        let tables_have_type = self.vantage.has_type(provider, instance_type)
            || self.file.has_type(provider, instance_type);
        if cat_has_type || tables_have_type {
            format!(
                "{} {instance_type} has no on-demand price for region {region} in the catalogue \
                 or any price file",
                provider.as_str()
            )
        } else {
            format!(
                "{} instance type {instance_type} is not in the catalogue or any price file",
                provider.as_str()
            )
        }
    }

    /// Prices one node. Never fails: without a price the result is [`PriceSource::Fallback`]
    /// with the reason and a `price_unknown` issue. The price is net of the user's discounts
    /// where they apply ([`crate::pricing::discounts`]), with the list price kept beside it.
    pub fn lookup(&self, query: PriceQuery<'_>) -> PriceLookup {
        let mut l = self.list_lookup(query);
        let discounted = matches!(
            l.source,
            PriceSource::Vantage | PriceSource::File | PriceSource::Embedded
        ) && l.priced_as == CapacityType::OnDemand
            && query.capacity_type != CapacityType::Spot;
        if let (true, Some(list), Some(instance_type)) =
            (discounted, l.usd_per_hour, query.instance_type)
        {
            let applied = self.discounts.factor(query.provider, instance_type);
            if let Some(description) = applied.description {
                l.usd_per_hour = Some(list * applied.factor);
                l.gpu_usd_per_hour = l.gpu_usd_per_hour.map(|g| g * applied.factor);
                l.list_usd_per_hour = Some(list);
                l.discount = Some(description);
            }
        }
        l
    }

    /// [`PriceSources::lookup`] at list price.
    fn list_lookup(&self, query: PriceQuery<'_>) -> PriceLookup {
        let Some(instance_type) = query.instance_type.filter(|t| !t.trim().is_empty()) else {
            return self.fallback("the node has no instance type".to_owned());
        };
        if let Some((name, usd)) = self.manual.get(query.provider, instance_type) {
            return PriceLookup {
                usd_per_hour: Some(usd),
                source: PriceSource::Manual,
                priced_as: query.capacity_type,
                estimate: false,
                as_of: None,
                source_description: "a manual price".to_owned(),
                note: (name != instance_type).then(|| format!("manual price for {name}")),
                unpriced_reason: None,
                issues: Vec::new(),
                gpu_usd_per_hour: None,
                list_usd_per_hour: None,
                discount: None,
            };
        }
        let Some(region) = query.region.filter(|r| !r.trim().is_empty()) else {
            return self.fallback(format!(
                "the node's region is unknown, so instance type {instance_type} cannot be looked up"
            ));
        };
        let provider = query.provider;
        let found = |price: Found,
                     priced_as: CapacityType,
                     note: Option<String>,
                     issues: Vec<PriceIssue>| PriceLookup {
            usd_per_hour: Some(price.0),
            source: price.1,
            priced_as,
            estimate: false,
            as_of: price.2,
            source_description: price.3,
            note,
            unpriced_reason: None,
            issues,
            gpu_usd_per_hour: price.4,
            list_usd_per_hour: None,
            discount: None,
        };
        match query.capacity_type {
            CapacityType::Spot => {
                if let Some(p) = self.find(provider, instance_type, region, CapacityType::Spot) {
                    let typical = p.1 == PriceSource::Embedded
                        && self
                            .catalogue
                            .and_then(|c| c.typical_spot_as_of(provider))
                            .is_some();
                    if typical {
                        // Not today's price: AWS's 30-day average saving applied to on-demand.
                        let mut l = found(
                            p,
                            CapacityType::Spot,
                            Some(
                                "a typical spot price: on-demand less the Spot Instance \
                                 Advisor's 30-day average saving"
                                    .to_owned(),
                            ),
                            Vec::new(),
                        );
                        l.estimate = true;
                        return l;
                    }
                    return found(p, CapacityType::Spot, None, Vec::new());
                }
                let Some(od) = self.find(provider, instance_type, region, CapacityType::OnDemand)
                else {
                    return self.fallback(self.why_unpriced(provider, instance_type, region));
                };
                let od_price = od.0;
                match self
                    .assume_spot_discount
                    .filter(|d| d.is_finite() && (0.0..1.0).contains(d))
                {
                    Some(d) => {
                        let pct = crate::format::trim_decimal(d * 100.0, 2);
                        let mut l = found(
                            od,
                            CapacityType::Spot,
                            Some(format!(
                                "on-demand {} less an assumed {pct}% spot discount",
                                crate::format::fmt_hourly(od_price)
                            )),
                            vec![PriceIssue {
                                code: "spot_price_estimated",
                                message: format!(
                                    "no spot price known for {instance_type} in {region}; \
                                     estimated as the on-demand {} less the assumed {pct}% \
                                     spot discount",
                                    crate::format::fmt_hourly(od_price)
                                ),
                            }],
                        );
                        l.usd_per_hour = Some(od_price * (1.0 - d));
                        l.gpu_usd_per_hour = l.gpu_usd_per_hour.map(|g| g * (1.0 - d));
                        l.estimate = true;
                        l
                    }
                    None => found(
                        od,
                        CapacityType::OnDemand,
                        Some("on-demand price: no spot price known".to_owned()),
                        vec![PriceIssue {
                            code: "spot_price_unknown",
                            message: format!(
                                "spot node, but no spot price is known for {instance_type} in \
                                 {region}; priced at the on-demand {} (an upper bound): import a \
                                 price file with spot prices, or set an assumed spot discount",
                                crate::format::fmt_hourly(od_price)
                            ),
                        }],
                    ),
                }
            }
            CapacityType::Reserved => {
                match self.find(provider, instance_type, region, CapacityType::OnDemand) {
                    Some(p) => found(
                        p,
                        CapacityType::OnDemand,
                        Some("on-demand list price: reserved pricing is not modelled".to_owned()),
                        vec![PriceIssue {
                            code: "reserved_price_not_modelled",
                            message: format!(
                                "reserved or capacity-block node: reserved pricing is not \
                                 modelled; priced at the on-demand list price of \
                                 {instance_type} in {region}"
                            ),
                        }],
                    ),
                    None => self.fallback(self.why_unpriced(provider, instance_type, region)),
                }
            }
            CapacityType::OnDemand | CapacityType::Unknown => {
                match self.find(provider, instance_type, region, CapacityType::OnDemand) {
                    Some(p) => found(
                        p,
                        CapacityType::OnDemand,
                        (query.capacity_type == CapacityType::Unknown)
                            .then(|| "on-demand price: capacity type unknown".to_owned()),
                        Vec::new(),
                    ),
                    None => self.fallback(self.why_unpriced(provider, instance_type, region)),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_as_of() {
        assert_eq!(azure_slug("Standard_D2s_v3"), "d2sv3");
        assert_eq!(azure_slug("standard_d4s_v5"), "d4sv5");
        assert_eq!(azure_slug("d4sv5"), "d4sv5");
        let s = "2026-07-20 for us-east-1, us-gov-east-1 and us-gov-west-1; 2025-04-04 for all other regions";
        assert_eq!(as_of_for_region(s, "us-east-1"), "2026-07-20");
        assert_eq!(as_of_for_region(s, "us-gov-west-1"), "2026-07-20");
        assert_eq!(as_of_for_region(s, "eu-west-1"), "2025-04-04");
        assert_eq!(as_of_for_region("2026-07-30", "x"), "2026-07-30");
    }

    #[test]
    fn manual_prices() {
        let mut m = ManualPrices::new();
        m.set_assignment("m5.large=0.05").unwrap();
        m.set_assignment("Standard_D4s_v5=$0.2").unwrap();
        assert_eq!(m.get(Provider::Aws, "m5.large"), Some(("m5.large", 0.05)));
        assert_eq!(m.get(Provider::Aws, "M5.LARGE"), None);
        assert_eq!(
            m.get(Provider::Azure, "standard_d4s_v5"),
            Some(("Standard_D4s_v5", 0.2))
        );
        for bad in [
            "m5.large",
            "=1",
            "m5.large=-1",
            "m5.large=abc",
            "m5.large=inf",
            "x=NaN",
        ] {
            assert!(m.set_assignment(bad).is_err(), "{bad}");
        }
        assert_eq!(
            m.set_assignment("m5.large=x").unwrap_err().to_string(),
            "invalid price `m5.large=x`: the price must be a non-negative number of USD per hour"
        );
    }

    #[test]
    fn table_lookup_folds_azure_only() {
        let mut t = PriceTable::new("t");
        t.insert_price(
            Provider::Azure,
            "Standard_D4s_v5",
            "EastUS",
            CapacityType::OnDemand,
            0.2,
        );
        t.insert_price(
            Provider::Aws,
            "m5.large",
            "us-east-1",
            CapacityType::Spot,
            0.03,
        );
        assert!(
            t.get(Provider::Azure, "d4sv5", "eastus", CapacityType::OnDemand)
                .is_some()
        );
        assert!(
            t.get(Provider::Aws, "M5.large", "us-east-1", CapacityType::Spot)
                .is_none()
        );
        assert!(t.has_type(Provider::Azure, "STANDARD_D4S_V5"));
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn lookup_order_and_spot() {
        let manual = ManualPrices::new();
        let vantage = PriceTable::new("Vantage");
        let mut file = PriceTable::new("price file p.csv");
        file.insert_price(
            Provider::Aws,
            "m5.large",
            "us-east-1",
            CapacityType::OnDemand,
            0.1,
        );
        let mut s = PriceSources::catalogue_only(None);
        s.manual = &manual;
        s.vantage = &vantage;
        s.file = &file;
        let q = |cap| PriceQuery {
            provider: Provider::Aws,
            instance_type: Some("m5.large"),
            region: Some("us-east-1"),
            capacity_type: cap,
        };
        let l = s.lookup(q(CapacityType::OnDemand));
        assert_eq!((l.usd_per_hour, l.source), (Some(0.1), PriceSource::File));
        let l = s.lookup(q(CapacityType::Spot));
        assert_eq!(l.usd_per_hour, Some(0.1));
        assert_eq!(l.issues[0].code, "spot_price_unknown");
        s.assume_spot_discount = Some(0.6);
        let l = s.lookup(q(CapacityType::Spot));
        assert!((l.usd_per_hour.unwrap() - 0.04).abs() < 1e-12);
        assert!(l.estimate);
        let l = s.lookup(q(CapacityType::Reserved));
        assert_eq!(l.issues[0].code, "reserved_price_not_modelled");
        let l = s.lookup(PriceQuery {
            instance_type: None,
            ..q(CapacityType::OnDemand)
        });
        assert_eq!(l.source, PriceSource::Fallback);
        let l = s.lookup(PriceQuery {
            provider: Provider::Kind,
            ..q(CapacityType::OnDemand)
        });
        assert_eq!(
            l.unpriced_reason.as_deref(),
            Some("no price source covers provider kind (and the catalogue is not loaded)")
        );
    }
}
