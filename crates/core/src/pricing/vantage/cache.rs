//! The price cache the shells persist between runs (a file for the CLI, localStorage for the
//! browser). It holds prices only — never the token — each product with its fetch time.

use serde::{Deserialize, Serialize};

use crate::model::{CapacityType, Provider};
use crate::pricing::sources::azure_slug;

/// The `schema` of a serialized cache.
pub const CACHE_SCHEMA: &str = "kube-rightsize/vantage-cache/v1";

/// How long cached prices are used by default: 24 hours.
pub const DEFAULT_TTL_SECONDS: i64 = 24 * 3600;

/// One cached price of a product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedPrice {
    /// Region (`us-east-1`; Azure ARM names such as `eastus`).
    pub region: String,
    /// `on_demand` or `spot`.
    pub capacity_type: String,
    /// USD per hour.
    pub usd_per_hour: f64,
}

/// Everything fetched for one instance type from one API at one base URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CacheEntry {
    /// Which API and base URL answered (`v2 https://api.vantage.sh`).
    pub origin: String,
    /// `aws`, `gcp`, `azure`.
    pub provider: String,
    /// The instance type as the cluster names it.
    pub instance_type: String,
    /// When it was fetched (Unix seconds).
    pub fetched_at: i64,
    /// False when Vantage has no such product (a cached "not found").
    pub found: bool,
    /// The Linux hourly prices per region and capacity type.
    #[serde(default)]
    pub prices: Vec<CachedPrice>,
}

impl CacheEntry {
    /// The cached price for `region` and `capacity` (Azure regions compare case-insensitively).
    pub fn price(&self, provider: Provider, region: &str, capacity: CapacityType) -> Option<f64> {
        self.prices
            .iter()
            .find(|p| {
                let same_region = if provider == Provider::Azure {
                    p.region.eq_ignore_ascii_case(region.trim())
                } else {
                    p.region == region.trim()
                };
                same_region && CapacityType::from_name(&p.capacity_type) == Some(capacity)
            })
            .map(|p| p.usd_per_hour)
    }
}

/// The cache: serialize with [`PriceCache::to_json`], read back with [`PriceCache::from_json`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriceCache {
    /// Always [`CACHE_SCHEMA`].
    pub schema: String,
    /// Cached products.
    #[serde(default)]
    pub entries: Vec<CacheEntry>,
}

impl Default for PriceCache {
    fn default() -> PriceCache {
        PriceCache {
            schema: CACHE_SCHEMA.to_owned(),
            entries: Vec::new(),
        }
    }
}

fn same_type(provider: Provider, a: &str, b: &str) -> bool {
    if provider == Provider::Azure {
        azure_slug(a) == azure_slug(b)
    } else {
        a == b
    }
}

impl PriceCache {
    /// Reads a cache written by [`PriceCache::to_json`]. Anything unreadable (or of another
    /// schema) gives an empty cache and the reason, so a damaged file only costs a refetch.
    pub fn from_json(bytes: &[u8]) -> (PriceCache, Option<String>) {
        match serde_json::from_slice::<PriceCache>(bytes) {
            Ok(c) if c.schema == CACHE_SCHEMA => (c, None),
            Ok(c) => (
                PriceCache::default(),
                Some(format!(
                    "the Vantage price cache has schema `{}`, not `{CACHE_SCHEMA}`; ignored",
                    c.schema
                )),
            ),
            Err(e) => (
                PriceCache::default(),
                Some(format!(
                    "the Vantage price cache is unreadable ({e}); ignored"
                )),
            ),
        }
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// The fresh entry (fetched at most `ttl_seconds` before `now`, not in the future) for
    /// `instance_type` of `provider` from `origin`.
    pub fn get(
        &self,
        origin: &str,
        provider: Provider,
        instance_type: &str,
        now: i64,
        ttl_seconds: i64,
    ) -> Option<&CacheEntry> {
        self.entries.iter().find(|e| {
            e.origin == origin
                && Provider::from_name(&e.provider) == Some(provider)
                && same_type(provider, &e.instance_type, instance_type)
                && e.fetched_at <= now
                && now.saturating_sub(e.fetched_at) <= ttl_seconds
        })
    }

    /// Adds `entry`, replacing an older one for the same origin, provider and type.
    pub fn put(&mut self, entry: CacheEntry) {
        let provider = Provider::from_name(&entry.provider).unwrap_or(Provider::Unknown);
        self.entries.retain(|e| {
            !(e.origin == entry.origin
                && e.provider == entry.provider
                && same_type(provider, &e.instance_type, &entry.instance_type))
        });
        self.entries.push(entry);
    }

    /// Drops entries older than `ttl_seconds` (or from the future) at `now`.
    pub fn prune(&mut self, now: i64, ttl_seconds: i64) {
        self.entries
            .retain(|e| e.fetched_at <= now && now.saturating_sub(e.fetched_at) <= ttl_seconds);
    }
}
