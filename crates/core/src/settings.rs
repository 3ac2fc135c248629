//! What the user may set, typed, and the one set of rules each setting obeys.
//!
//! The CLI's flags (`--cpu-percentile 99`) and the app's fields (the settings panel, saved as
//! [`crate::preferences::Preferences`]) both end in an [`Options`], and both check each value
//! with the same rule here, so a value is refused with the same words wherever it is typed.
//! The pipeline ([`crate::pipeline`]) takes an [`Options`] and checks it once more
//! ([`Options::validate`]) before it turns it into the analysis [`Settings`].

use serde::{Deserialize, Serialize};

use crate::allocation::{AllocationSettings, IdleRule, MAX_KEYS, SharedSplit};
use crate::analysis::Settings;
use crate::bill::StorageTarget;
use crate::bill::control::ControlPlaneTier;
use crate::format::fraction_as_percent;
use crate::model::Provider;
use crate::pricing::discounts::{Commitment, Discounts};
use crate::pricing::rates::Rates;
use crate::pricing::sources::{ManualPrices, parse_usd};
use crate::recommend::StrategySettings;

/// Each setting a user can change, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Setting {
    /// `--price TYPE=USD_PER_HOUR`; the manual prices list.
    ManualPrice,
    /// `--assume-spot-discount`; "Assume spot discount".
    SpotDiscount,
    /// `--fallback-rates CPU,MEM`; the fallback rates.
    FallbackRates,
    /// `--target-utilisation`.
    TargetUtilisation,
    /// `--history-duration` (hours).
    HistoryDuration,
    /// `--timeframe-duration` (minutes).
    TimeframeDuration,
    /// `--cpu-percentile`.
    CpuPercentile,
    /// `--memory-buffer-percentage`.
    MemoryBufferPercentage,
    /// `--points-required`.
    PointsRequired,
    /// `--cpu-min` (millicores).
    CpuMin,
    /// `--mem-min` (MiB).
    MemoryMin,
    /// `--cpu-drop-factor`: a CPU request cut by more than this is a patch risk.
    CpuDropFactor,
    /// `--control-plane-tier`: the managed control plane's tier.
    ControlPlaneTier,
    /// `--group-by`: the label keys costs are grouped by.
    GroupBy,
    /// `--idle`: what happens to idle node cost in the allocation.
    IdleCost,
    /// `--shared-namespaces`: namespaces whose cost the other groups share.
    SharedNamespaces,
    /// `--shared-split`: how shared costs are spread.
    SharedSplit,
    /// `--discount PROVIDER=FRACTION`: a flat discount off a provider's list prices.
    Discount,
    /// `--commitment PROVIDER[:FAMILY]=COVERAGE@DISCOUNT`: a savings plan or reservation.
    Commitment,
    /// `--storage-price storageclass/NAME=USD` or `pv/NAME=USD`: USD per GiB-month.
    StoragePrice,
}

impl Setting {
    /// The CLI flag that sets it.
    pub fn flag(self) -> &'static str {
        match self {
            Setting::ManualPrice => "--price",
            Setting::SpotDiscount => "--assume-spot-discount",
            Setting::FallbackRates => "--fallback-rates",
            Setting::TargetUtilisation => "--target-utilisation",
            Setting::HistoryDuration => "--history-duration",
            Setting::TimeframeDuration => "--timeframe-duration",
            Setting::CpuPercentile => "--cpu-percentile",
            Setting::MemoryBufferPercentage => "--memory-buffer-percentage",
            Setting::PointsRequired => "--points-required",
            Setting::CpuMin => "--cpu-min",
            Setting::MemoryMin => "--mem-min",
            Setting::CpuDropFactor => "--cpu-drop-factor",
            Setting::ControlPlaneTier => "--control-plane-tier",
            Setting::GroupBy => "--group-by",
            Setting::IdleCost => "--idle",
            Setting::SharedNamespaces => "--shared-namespaces",
            Setting::SharedSplit => "--shared-split",
            Setting::Discount => "--discount",
            Setting::Commitment => "--commitment",
            Setting::StoragePrice => "--storage-price",
        }
    }
}

/// A value a setting cannot take. Its `message` reads the same in the CLI and the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingError {
    /// Which setting.
    pub setting: Setting,
    /// What is wrong, for people: `the CPU percentile must be above 0 and at most 100, not 0`.
    pub message: String,
}

impl std::fmt::Display for SettingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SettingError {}

fn refuse<T>(setting: Setting, message: String) -> Result<T, SettingError> {
    Err(SettingError { setting, message })
}

/// The longest history KRR-style strategies may look at: one leap year, in hours.
pub const MAX_HISTORY_HOURS: f64 = 24.0 * 366.0;

/// The largest memory buffer, in percent.
pub const MAX_MEMORY_BUFFER_PERCENTAGE: f64 = 1000.0;

/// The largest step between samples, in minutes (one day).
pub const MAX_TIMEFRAME_MINUTES: f64 = 24.0 * 60.0;

/// The largest smallest-memory recommendation, in MiB (2^30 MiB = 1 PiB).
pub const MAX_MEMORY_MIN_MIB: i64 = 1 << 30;

/// The largest smallest-CPU recommendation, in millicores (one million cores).
pub const MAX_CPU_MIN_MILLICORES: i64 = 1_000_000_000;

/// `simple`: the CPU percentile per pod, above 0 and at most 100.
pub fn cpu_percentile(p: f64) -> Result<f64, SettingError> {
    if p.is_finite() && p > 0.0 && p <= 100.0 {
        Ok(p)
    } else {
        refuse(
            Setting::CpuPercentile,
            format!("the CPU percentile must be above 0 and at most 100, not {p}"),
        )
    }
}

/// The buffer added to peak memory, 0 to [`MAX_MEMORY_BUFFER_PERCENTAGE`] percent.
pub fn memory_buffer_percentage(b: f64) -> Result<f64, SettingError> {
    if b.is_finite() && (0.0..=MAX_MEMORY_BUFFER_PERCENTAGE).contains(&b) {
        Ok(b)
    } else {
        refuse(
            Setting::MemoryBufferPercentage,
            format!(
                "the memory buffer must be between 0 and {MAX_MEMORY_BUFFER_PERCENTAGE} percent, \
                 not {b}"
            ),
        )
    }
}

/// The history looked at, above 0 and at most [`MAX_HISTORY_HOURS`] hours.
pub fn history_hours(h: f64) -> Result<f64, SettingError> {
    if h.is_finite() && h > 0.0 && h <= MAX_HISTORY_HOURS {
        Ok(h)
    } else {
        refuse(
            Setting::HistoryDuration,
            format!(
                "the history must be more than 0 and at most {MAX_HISTORY_HOURS} hours (a leap \
                 year), not {h}"
            ),
        )
    }
}

/// The step between samples, above 0 and at most [`MAX_TIMEFRAME_MINUTES`] minutes.
pub fn timeframe_minutes(t: f64) -> Result<f64, SettingError> {
    if t.is_finite() && t > 0.0 && t <= MAX_TIMEFRAME_MINUTES {
        Ok(t)
    } else {
        refuse(
            Setting::TimeframeDuration,
            format!(
                "the step between samples must be more than 0 and at most \
                 {MAX_TIMEFRAME_MINUTES} minutes, not {t}"
            ),
        )
    }
}

/// The smallest CPU recommendation, 0 to [`MAX_CPU_MIN_MILLICORES`] millicores.
pub fn cpu_min_millicores(m: i64) -> Result<i64, SettingError> {
    if (0..=MAX_CPU_MIN_MILLICORES).contains(&m) {
        Ok(m)
    } else {
        refuse(
            Setting::CpuMin,
            format!(
                "the smallest CPU recommendation must be 0 to {MAX_CPU_MIN_MILLICORES} \
                 millicores, not {m}"
            ),
        )
    }
}

/// The smallest memory recommendation, 0 to [`MAX_MEMORY_MIN_MIB`] MiB; returns bytes.
pub fn memory_min_mib(m: i64) -> Result<i64, SettingError> {
    if (0..=MAX_MEMORY_MIN_MIB).contains(&m) {
        Ok(m * 1024 * 1024)
    } else {
        refuse(
            Setting::MemoryMin,
            format!("the smallest memory recommendation must be 0 to 2^30 MiB, not {m}"),
        )
    }
}

/// The assumed spot discount, a fraction from 0 to below 1 (shown as a percentage).
pub fn spot_discount(fraction: f64) -> Result<f64, SettingError> {
    if fraction.is_finite() && (0.0..1.0).contains(&fraction) {
        Ok(fraction)
    } else {
        refuse(
            Setting::SpotDiscount,
            format!(
                "the assumed spot discount must be at least 0 % and below 100 % (a fraction from \
                 0 to below 1, e.g. 0.6 for 60 % off), not {}",
                fraction_as_percent(fraction)
            ),
        )
    }
}

/// The managed control plane's tier: `auto`, `none`, `free`, `standard`, `extended` (EKS) or
/// `premium` (AKS).
pub fn control_plane_tier(text: &str) -> Result<ControlPlaneTier, SettingError> {
    ControlPlaneTier::parse(text).ok_or_else(|| SettingError {
        setting: Setting::ControlPlaneTier,
        message: format!(
            "the control-plane tier must be one of {}, not `{}`",
            ControlPlaneTier::ALL
                .map(ControlPlaneTier::as_str)
                .join(", "),
            text.trim()
        ),
    })
}

/// The longest label key: a 253-character DNS prefix, `/` and a 63-character name.
pub const MAX_LABEL_KEY_CHARS: usize = 317;

/// One label key to group by: a Kubernetes label key (`team`, `app.kubernetes.io/part-of`):
/// an optional DNS-subdomain prefix and `/`, then a name of 1 to 63 letters, digits, `-`, `_`
/// and `.`, starting and ending with a letter or digit.
pub fn label_key(key: &str) -> Result<String, SettingError> {
    let key = key.trim();
    let bad = || {
        refuse(
            Setting::GroupBy,
            format!(
                "`{}` is not a label key (e.g. team or app.kubernetes.io/part-of)",
                crate::limits::cap(key)
            ),
        )
    };
    let (prefix, name) = match key.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    let name_ok = !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && alnum(name.chars().next())
        && alnum(name.chars().last());
    let prefix_ok = prefix.is_none_or(|p| {
        !p.is_empty()
            && p.len() <= 253
            && p.split('.').all(|l| {
                !l.is_empty()
                    && l.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    && alnum(l.chars().next())
                    && alnum(l.chars().last())
            })
    });
    if name_ok && prefix_ok && key.len() <= MAX_LABEL_KEY_CHARS {
        Ok(key.to_owned())
    } else {
        bad()
    }
}

/// The keys to group by: 1 to [`MAX_KEYS`] distinct label keys ([`label_key`]).
pub fn group_keys(keys: &[String]) -> Result<Vec<String>, SettingError> {
    let keys: Vec<String> = keys
        .iter()
        .map(|k| label_key(k))
        .collect::<Result<_, _>>()?;
    if keys.len() > MAX_KEYS {
        return refuse(
            Setting::GroupBy,
            format!(
                "at most {MAX_KEYS} label keys can be combined (e.g. team,env), not {}",
                keys.len()
            ),
        );
    }
    if keys.len() == 2 && keys[0] == keys[1] {
        return refuse(Setting::GroupBy, format!("`{}` is given twice", keys[0]));
    }
    Ok(keys)
}

/// Reads `--group-by team` or `team,env` (an empty text: no grouping).
pub fn parse_group_by(text: &str) -> Result<Vec<String>, SettingError> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let keys: Vec<String> = text.split(',').map(str::to_owned).collect();
    group_keys(&keys)
}

/// What happens to idle node cost: `separate`, `cluster` or `node`.
pub fn idle_rule(text: &str) -> Result<IdleRule, SettingError> {
    IdleRule::parse(text).ok_or_else(|| SettingError {
        setting: Setting::IdleCost,
        message: format!(
            "the idle rule must be one of {}, not `{}`",
            IdleRule::ALL.map(IdleRule::as_str).join(", "),
            crate::limits::cap(text.trim())
        ),
    })
}

/// How shared costs are spread: `proportional` or `even`.
pub fn shared_split(text: &str) -> Result<SharedSplit, SettingError> {
    SharedSplit::parse(text).ok_or_else(|| SettingError {
        setting: Setting::SharedSplit,
        message: format!(
            "the shared split must be one of {}, not `{}`",
            SharedSplit::ALL.map(SharedSplit::as_str).join(", "),
            crate::limits::cap(text.trim())
        ),
    })
}

/// A shared namespace: a DNS label (1 to 63 lower-case letters, digits and `-`, starting and
/// ending with a letter or digit).
pub fn shared_namespace(name: &str) -> Result<String, SettingError> {
    let n = name.trim();
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let ok = !n.is_empty()
        && n.len() <= 63
        && n.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && edge(n.chars().next())
        && edge(n.chars().last());
    if ok {
        Ok(n.to_owned())
    } else {
        refuse(
            Setting::SharedNamespaces,
            format!(
                "`{}` is not a namespace name (lower-case letters, digits and -, e.g. kube-system)",
                crate::limits::cap(n)
            ),
        )
    }
}

/// Reads `--shared-namespaces kube-system,monitoring` (an empty text: none is shared).
pub fn parse_shared_namespaces(text: &str) -> Result<Vec<String>, SettingError> {
    let mut out: Vec<String> = Vec::new();
    for n in text.split(',').filter(|n| !n.trim().is_empty()) {
        let n = shared_namespace(n)?;
        if !out.contains(&n) {
            out.push(n);
        }
    }
    Ok(out)
}

/// The share of a node's allocatable CPU and memory that node suggestions may fill: above 0,
/// at most 1.
pub fn target_utilisation(t: f64) -> Result<f64, SettingError> {
    if t.is_finite() && t > 0.0 && t <= 1.0 {
        Ok(t)
    } else {
        refuse(
            Setting::TargetUtilisation,
            format!(
                "the target utilisation must be a fraction above 0 and at most 1 (e.g. 0.85), not {t}"
            ),
        )
    }
}

/// The CPU cut a patch may make before it is a risk: a factor above 1 (a request cut to less
/// than `1 / factor` of its current value is flagged), at most 1000.
pub fn cpu_drop_factor(f: f64) -> Result<f64, SettingError> {
    if f.is_finite() && f > 1.0 && f <= 1000.0 {
        Ok(f)
    } else {
        refuse(
            Setting::CpuDropFactor,
            format!(
                "the CPU drop factor must be a number above 1 and at most 1000 (e.g. 4: a CPU \
                 request cut to less than a quarter is a risk), not {f}"
            ),
        )
    }
}

/// Rates for nodes without a price ([`Rates::validated`]).
pub fn fallback_rates(cpu_core_hourly: f64, memory_gib_hourly: f64) -> Result<Rates, SettingError> {
    Rates::validated(cpu_core_hourly, memory_gib_hourly).map_err(|message| SettingError {
        setting: Setting::FallbackRates,
        message,
    })
}

/// A manual price: a non-empty instance type without `=` or `#`, and a finite number of USD
/// per hour of at least 0 (a node that costs nothing, e.g. hardware already paid for, is a
/// real case).
pub fn manual_price(instance_type: &str, usd_per_hour: f64) -> Result<(), SettingError> {
    let name = instance_type.trim();
    if name.is_empty() || name.contains(['=', '#', '\n']) {
        return refuse(
            Setting::ManualPrice,
            format!(
                "`{name}` is not an instance type; expected TYPE=USD_PER_HOUR, e.g. m5.large=0.05"
            ),
        );
    }
    if !(usd_per_hour.is_finite() && usd_per_hour >= 0.0) {
        return refuse(
            Setting::ManualPrice,
            format!(
                "the price of {name} must be a number of at least 0 (USD per hour), not \
                 {usd_per_hour}"
            ),
        );
    }
    Ok(())
}

/// Reads a number typed for `setting` (a flag's value or a field).
pub fn parse_number(setting: Setting, text: &str) -> Result<f64, SettingError> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => refuse(setting, format!("`{text}` is not a number")),
    }
}

/// Reads a whole number typed for `setting`.
pub fn parse_whole(setting: Setting, text: &str) -> Result<i64, SettingError> {
    text.trim()
        .parse::<i64>()
        .or_else(|_| refuse(setting, format!("`{text}` is not a whole number")))
}

/// Reads `TYPE=USD_PER_HOUR` (`m5.large=0.05`, `$` allowed before the number).
pub fn parse_manual_price(text: &str) -> Result<(String, f64), SettingError> {
    let Some((name, price)) = text.split_once('=') else {
        return refuse(
            Setting::ManualPrice,
            format!("`{text}`: expected TYPE=USD_PER_HOUR, e.g. m5.large=0.05"),
        );
    };
    let Some(usd) = parse_usd(price) else {
        return refuse(
            Setting::ManualPrice,
            format!(
                "`{text}`: the price must be a number of at least 0 (USD per hour), e.g. \
                 m5.large=0.05"
            ),
        );
    };
    manual_price(name, usd)?;
    Ok((name.trim().to_owned(), usd))
}

const STORAGE_PRICE_EXAMPLE: &str = "storageclass/NAME=USD_PER_GIB_MONTH or \
    pv/NAME=USD_PER_GIB_MONTH, e.g. storageclass/ceph-rbd=0.05";

/// Reads `storageclass/NAME=USD` or `pv/NAME=USD` (USD per GiB-month, `$` allowed): a price
/// for every volume of a StorageClass, or for one PersistentVolume.
pub fn parse_storage_price(text: &str) -> Result<(StorageTarget, f64), SettingError> {
    let Some((target, price)) = text.split_once('=') else {
        return refuse(
            Setting::StoragePrice,
            format!("`{text}`: expected {STORAGE_PRICE_EXAMPLE}"),
        );
    };
    let Some(target) = StorageTarget::parse(target) else {
        return refuse(
            Setting::StoragePrice,
            format!(
                "`{}` is not a storage class or volume; expected {STORAGE_PRICE_EXAMPLE}",
                target.trim()
            ),
        );
    };
    match parse_usd(price) {
        Some(usd) => Ok((target, usd)),
        None => refuse(
            Setting::StoragePrice,
            format!(
                "`{text}`: the price must be a number of at least 0 (USD per GiB-month), e.g. \
                 storageclass/ceph-rbd=0.05"
            ),
        ),
    }
}

/// A fraction written as `0.15` or `15%`.
fn fraction(text: &str) -> Option<f64> {
    let t = text.trim();
    match t.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().ok().map(|v| v / 100.0),
        None => t.parse::<f64>().ok(),
    }
    .filter(|v| v.is_finite())
}

/// A provider's name, for discounts: `aws`, `gcp` or `azure` (the providers with list prices).
fn discounted_provider(name: &str, setting: Setting) -> Result<Provider, SettingError> {
    match Provider::from_name(name.trim()) {
        Some(p @ (Provider::Aws | Provider::Gcp | Provider::Azure)) => Ok(p),
        _ => refuse(
            setting,
            format!(
                "`{}` is not a provider with list prices: use aws, gcp or azure",
                name.trim()
            ),
        ),
    }
}

/// `PROVIDER=FRACTION` (`aws=0.15` or `aws=15%`): a flat discount off every list price of the
/// provider, at least 0 and below 1.
pub fn discount(text: &str) -> Result<(Provider, f64), SettingError> {
    let Some((name, value)) = text.split_once('=') else {
        return refuse(
            Setting::Discount,
            format!("`{text}` is not PROVIDER=FRACTION (e.g. aws=0.15 for 15 % off)"),
        );
    };
    let provider = discounted_provider(name, Setting::Discount)?;
    match fraction(value) {
        Some(d) if (0.0..1.0).contains(&d) => Ok((provider, d)),
        _ => refuse(
            Setting::Discount,
            format!(
                "the {} discount must be at least 0 % and below 100 % (e.g. 0.15 or 15%), not `{}`",
                provider.as_str(),
                value.trim()
            ),
        ),
    }
}

/// `PROVIDER[:FAMILY]=COVERAGE@DISCOUNT` (`aws:m5=0.6@0.28`, `gcp=80%@37%`): a commitment
/// covering `COVERAGE` (above 0, at most 1) of the on-demand usage of the provider, or of one
/// instance family, at `DISCOUNT` (at least 0, below 1) off list.
pub fn commitment(text: &str) -> Result<Commitment, SettingError> {
    let bad = || {
        refuse(
            Setting::Commitment,
            format!(
                "`{text}` is not PROVIDER[:FAMILY]=COVERAGE@DISCOUNT (e.g. aws:m5=0.6@0.28: 60 % of m5 usage at 28 % off)"
            ),
        )
    };
    let Some((scope, terms)) = text.split_once('=') else {
        return bad();
    };
    let Some((coverage, off)) = terms.split_once('@') else {
        return bad();
    };
    let (name, family) = match scope.split_once(':') {
        Some((n, f)) => (n, Some(f.trim())),
        None => (scope, None),
    };
    let provider = discounted_provider(name, Setting::Commitment)?;
    let family = match family {
        Some(f)
            if f.is_empty()
                || f.len() > 40
                || !f.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
        {
            return refuse(
                Setting::Commitment,
                format!("`{f}` is not an instance family (letters and digits, e.g. m5, n2, dsv5)"),
            );
        }
        Some(f) => Some(f.to_ascii_lowercase()),
        None => None,
    };
    let Some(coverage) = fraction(coverage).filter(|c| *c > 0.0 && *c <= 1.0) else {
        return refuse(
            Setting::Commitment,
            format!(
                "a commitment's coverage must be above 0 % and at most 100 % (e.g. 0.6 or 60%), not `{}`",
                coverage.trim()
            ),
        );
    };
    let Some(off) = fraction(off).filter(|d| (0.0..1.0).contains(d)) else {
        return refuse(
            Setting::Commitment,
            format!(
                "a commitment's discount must be at least 0 % and below 100 % (e.g. 0.28 or 28%), not `{}`",
                off.trim()
            ),
        );
    };
    Ok(Commitment {
        provider,
        family,
        coverage,
        discount: off,
    })
}

/// Checks a whole set of discounts: each value in its range, one flat discount per provider,
/// one commitment per provider and family.
pub fn discounts(d: &Discounts) -> Result<(), SettingError> {
    for (i, (p, f)) in d.flat.iter().enumerate() {
        discount(&format!("{}={f}", p.as_str()))?;
        if d.flat[..i].iter().any(|(q, _)| q == p) {
            return refuse(
                Setting::Discount,
                format!("two flat discounts for {}: give one", p.as_str()),
            );
        }
    }
    for (i, c) in d.commitments.iter().enumerate() {
        let scope = match &c.family {
            Some(f) => format!("{}:{f}", c.provider.as_str()),
            None => c.provider.as_str().to_owned(),
        };
        commitment(&format!("{scope}={}@{}", c.coverage, c.discount))?;
        if d.commitments[..i]
            .iter()
            .any(|o| o.provider == c.provider && o.family == c.family)
        {
            return refuse(
                Setting::Commitment,
                format!("two commitments for {}: give one", c.scope()),
            );
        }
    }
    Ok(())
}

/// Reads `CPU,MEM` fallback rates (`0.025,0.0033`).
pub fn parse_fallback_rates(text: &str) -> Result<Rates, SettingError> {
    let parsed = text
        .split_once(',')
        .and_then(|(c, m)| Some((c.trim().parse::<f64>().ok()?, m.trim().parse::<f64>().ok()?)));
    match parsed {
        Some((c, m)) => fallback_rates(c, m),
        None => refuse(
            Setting::FallbackRates,
            format!("`{text}` is not two numbers separated by a comma (e.g. 0.025,0.0033)"),
        ),
    }
}

/// Everything a user can set for an analysis, typed. Built from the CLI's flags or the app's
/// preferences; [`Options::validate`] holds every rule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Options {
    /// USD per hour per instance type (any region and capacity type), highest priority.
    pub manual_prices: Vec<(String, f64)>,
    /// Price spot nodes without a known spot price at on-demand × (1 − this fraction).
    pub assume_spot_discount: Option<f64>,
    /// Rates for nodes without a price; `None` = OpenCost's defaults.
    pub fallback_rates: Option<Rates>,
    /// Node suggestions' target utilisation; `None` = the default (0.85).
    pub target_utilisation: Option<f64>,
    /// KRR strategy settings for usage inputs and Prometheus (KRR's defaults unless changed).
    pub strategy: StrategySettings,
    /// Patches: a CPU request cut by more than this factor is a risk; `None` = the default (4).
    #[serde(default)]
    pub cpu_drop_factor: Option<f64>,
    /// The managed control plane's tier (`auto` by default: the service's usual tier).
    #[serde(default)]
    pub control_plane_tier: ControlPlaneTier,
    /// Costs by label: keys, idle and shared-cost rules (no keys by default: no allocation).
    #[serde(default)]
    pub allocation: AllocationSettings,
    /// Discounts off list prices (none by default).
    #[serde(default)]
    pub discounts: Discounts,
    /// Storage prices by class or volume, as typed (`storageclass/NAME=USD`, `pv/NAME=USD`;
    /// USD per GiB-month); none by default.
    #[serde(default)]
    pub storage_prices: Vec<String>,
    /// The re-packing may plan on-demand pools on spot nodes (`--repack-spot`); off by default.
    #[serde(default)]
    pub repack_spot: bool,
}

impl Options {
    /// Every value that breaks its rule (empty when all are fine).
    pub fn validate(&self) -> Vec<SettingError> {
        let s = &self.strategy;
        let mut errors: Vec<SettingError> = Vec::new();
        let mut check = |r: Result<(), SettingError>| {
            if let Err(e) = r {
                errors.push(e);
            }
        };
        for (name, usd) in &self.manual_prices {
            check(manual_price(name, *usd));
        }
        if let Some(d) = self.assume_spot_discount {
            check(spot_discount(d).map(drop));
        }
        if let Some(r) = self.fallback_rates {
            check(fallback_rates(r.cpu_core_hourly, r.memory_gib_hourly).map(drop));
        }
        if let Some(t) = self.target_utilisation {
            check(target_utilisation(t).map(drop));
        }
        if let Some(f) = self.cpu_drop_factor {
            check(cpu_drop_factor(f).map(drop));
        }
        if !self.allocation.keys.is_empty() {
            check(group_keys(&self.allocation.keys).map(drop));
        }
        for n in &self.allocation.shared_namespaces {
            check(shared_namespace(n).map(drop));
        }
        check(discounts(&self.discounts));
        for p in &self.storage_prices {
            check(parse_storage_price(p).map(drop));
        }
        check(history_hours(s.history_duration).map(drop));
        check(timeframe_minutes(s.timeframe_duration).map(drop));
        check(cpu_percentile(s.cpu_percentile).map(drop));
        check(memory_buffer_percentage(s.memory_buffer_percentage).map(drop));
        check(cpu_min_millicores(s.cpu_min_millicores).map(drop));
        if !(0..=MAX_MEMORY_MIN_MIB * 1024 * 1024).contains(&s.memory_min_bytes) {
            check(memory_min_mib(s.memory_min_bytes / (1024 * 1024)).map(drop));
        }
        errors
    }

    /// The manual prices as the price sources read them.
    pub fn manual(&self) -> ManualPrices {
        let mut m = ManualPrices::new();
        for (name, usd) in &self.manual_prices {
            // Checked by `validate`; an invalid entry is left out.
            let _ = m.set(name, *usd);
        }
        m
    }

    /// Writes these options into the analysis settings (call [`Options::validate`] first).
    pub fn apply(&self, settings: &mut Settings) {
        settings.manual_prices = self.manual();
        settings.assume_spot_discount = self.assume_spot_discount;
        if let Some(r) = self.fallback_rates {
            settings.fallback_rates = r;
        }
        if let Some(f) = self.cpu_drop_factor {
            settings.patch.cpu_drop_factor = f;
        }
        if let Some(t) = self.target_utilisation {
            settings.suggest.target_utilisation = t;
        }
        settings.strategy = self.strategy.clone();
        settings.bill.control_plane = self.control_plane_tier;
        settings.allocation = self.allocation.clone();
        settings.discounts = self.discounts.clone();
        settings.bill.storage_prices = Default::default();
        for (target, usd) in self
            .storage_prices
            .iter()
            .filter_map(|p| parse_storage_price(p).ok())
        {
            settings.bill.storage_prices.set(target, usd);
        }
        settings.ingest.group_labels = self.allocation.keys.clone();
        settings.repack_spot = self.repack_spot;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discounts_and_commitments_read_fractions_and_percentages() {
        assert_eq!(discount("aws=0.15"), Ok((Provider::Aws, 0.15)));
        assert_eq!(discount(" GCP = 20% "), Ok((Provider::Gcp, 0.2)));
        assert!(
            discount("aws=1")
                .unwrap_err()
                .message
                .contains("below 100 %")
        );
        assert!(
            discount("hetzner=0.1")
                .unwrap_err()
                .message
                .contains("aws, gcp or azure")
        );
        assert!(
            discount("aws")
                .unwrap_err()
                .message
                .contains("PROVIDER=FRACTION")
        );
        let c = commitment("aws:M5=0.6@28%").unwrap();
        assert_eq!(c.family.as_deref(), Some("m5"));
        assert!((c.coverage - 0.6).abs() < 1e-12 && (c.discount - 0.28).abs() < 1e-12);
        assert_eq!(commitment("azure=100%@0.4").unwrap().family, None);
        assert!(
            commitment("aws:m5=0@0.3")
                .unwrap_err()
                .message
                .contains("coverage")
        );
        assert!(
            commitment("aws:m5=0.5@1")
                .unwrap_err()
                .message
                .contains("discount")
        );
        assert!(
            commitment("aws:m5.large=0.5@0.3")
                .unwrap_err()
                .message
                .contains("family")
        );
        assert!(
            commitment("aws:m5=0.5")
                .unwrap_err()
                .message
                .contains("COVERAGE@DISCOUNT")
        );
        let twice = Discounts {
            flat: vec![(Provider::Aws, 0.1), (Provider::Aws, 0.2)],
            commitments: Vec::new(),
        };
        assert_eq!(discounts(&twice).unwrap_err().setting, Setting::Discount);
        let options = Options {
            discounts: Discounts {
                flat: vec![(Provider::Aws, 1.5)],
                commitments: Vec::new(),
            },
            ..Options::default()
        };
        assert_eq!(options.validate().len(), 1);
    }

    #[test]
    fn each_rule_accepts_its_range_and_names_the_value_it_refuses() {
        assert_eq!(cpu_percentile(100.0), Ok(100.0));
        assert!(cpu_percentile(0.0).unwrap_err().message.ends_with("not 0"));
        assert_eq!(memory_buffer_percentage(1000.0), Ok(1000.0));
        assert!(memory_buffer_percentage(1000.5).is_err());
        assert_eq!(history_hours(8784.0), Ok(8784.0));
        assert!(history_hours(8785.0).is_err());
        assert!(history_hours(0.0).is_err());
        assert!(timeframe_minutes(0.0).is_err());
        assert_eq!(memory_min_mib(64), Ok(64 << 20));
        assert!(cpu_min_millicores(-1).is_err());
        assert_eq!(
            control_plane_tier(" Extended"),
            Ok(ControlPlaneTier::Extended)
        );
        assert_eq!(
            control_plane_tier("gold").unwrap_err().message,
            "the control-plane tier must be one of auto, none, free, standard, extended, \
             premium, not `gold`"
        );
        assert_eq!(spot_discount(0.6), Ok(0.6));
        assert_eq!(
            spot_discount(1.5).unwrap_err().message,
            "the assumed spot discount must be at least 0 % and below 100 % (a fraction from 0 \
             to below 1, e.g. 0.6 for 60 % off), not 150 %"
        );
        assert!(target_utilisation(0.0).is_err());
        assert_eq!(cpu_drop_factor(4.0), Ok(4.0));
        for bad in [1.0, 0.5, 1000.5, f64::NAN, f64::INFINITY, -4.0] {
            let e = cpu_drop_factor(bad).unwrap_err();
            assert_eq!(e.setting, Setting::CpuDropFactor);
            assert!(
                e.message.starts_with("the CPU drop factor must be"),
                "{bad}"
            );
        }
        assert!(fallback_rates(0.0, 0.0).is_err());
        assert_eq!(manual_price("m5.large", 0.0), Ok(()));
        assert!(manual_price("m5.large", -1.0).is_err());
        assert!(manual_price("a=b", 1.0).is_err());
    }

    #[test]
    fn allocation_rules_read_keys_namespaces_and_words() {
        assert_eq!(
            parse_group_by(" team , env "),
            Ok(vec!["team".into(), "env".into()])
        );
        assert_eq!(parse_group_by(""), Ok(Vec::new()));
        assert_eq!(
            parse_group_by("app.kubernetes.io/part-of"),
            Ok(vec!["app.kubernetes.io/part-of".into()])
        );
        for bad in [
            "a,b,c",
            "team,team",
            "-team",
            "team=x",
            "Bad Key",
            "x/",
            "/x",
            "A_B.c/x",
        ] {
            let e = parse_group_by(bad).unwrap_err();
            assert_eq!(e.setting, Setting::GroupBy, "{bad}");
        }
        assert_eq!(
            parse_group_by("a,b,c").unwrap_err().message,
            "at most 2 label keys can be combined (e.g. team,env), not 3"
        );
        assert_eq!(idle_rule(" Node"), Ok(IdleRule::NodeRequests));
        assert_eq!(
            idle_rule("spread").unwrap_err().message,
            "the idle rule must be one of separate, cluster, node, not `spread`"
        );
        assert_eq!(shared_split("even"), Ok(SharedSplit::Even));
        assert!(shared_split("random").is_err());
        assert_eq!(
            parse_shared_namespaces("kube-system, monitoring,,kube-system"),
            Ok(vec!["kube-system".into(), "monitoring".into()])
        );
        assert_eq!(parse_shared_namespaces(""), Ok(Vec::new()));
        assert_eq!(
            parse_shared_namespaces("Kube_System").unwrap_err().setting,
            Setting::SharedNamespaces
        );
        let mut o = Options::default();
        o.allocation.keys = vec!["team".into(), "a b".into()];
        o.allocation.shared_namespaces = vec!["BAD".into()];
        let settings: Vec<Setting> = o.validate().iter().map(|e| e.setting).collect();
        assert_eq!(settings, [Setting::GroupBy, Setting::SharedNamespaces]);
        o.allocation.keys = vec!["team".into()];
        o.allocation.shared_namespaces = vec!["kube-system".into()];
        let mut s = Settings::default();
        o.apply(&mut s);
        assert_eq!(s.ingest.group_labels, ["team"]);
        assert_eq!(s.allocation.keys, ["team"]);
    }

    #[test]
    fn text_forms_read_the_same_values() {
        assert_eq!(
            parse_manual_price(" m5.large = $0.05"),
            Ok(("m5.large".to_owned(), 0.05))
        );
        assert!(parse_manual_price("m5.large").is_err());
        assert!(parse_manual_price("=0.05").is_err());
        let r = parse_fallback_rates("0.025, 0.0033").unwrap();
        assert_eq!((r.cpu_core_hourly, r.memory_gib_hourly), (0.025, 0.0033));
        assert!(parse_fallback_rates("0.03").is_err());
        assert_eq!(parse_number(Setting::CpuPercentile, " 99 "), Ok(99.0));
        assert!(parse_number(Setting::CpuPercentile, "NaN").is_err());
        assert_eq!(parse_whole(Setting::CpuMin, "5"), Ok(5));
    }

    #[test]
    fn validate_lists_every_broken_rule_and_apply_writes_the_rest() {
        let mut o = Options {
            manual_prices: vec![("m5.large".into(), 0.05)],
            assume_spot_discount: Some(0.6),
            target_utilisation: Some(0.7),
            ..Options::default()
        };
        assert!(o.validate().is_empty());
        let mut settings = Settings::default();
        o.apply(&mut settings);
        assert_eq!(settings.manual_prices.len(), 1);
        assert_eq!(settings.assume_spot_discount, Some(0.6));
        assert_eq!(settings.suggest.target_utilisation, 0.7);
        o.strategy.cpu_percentile = 0.0;
        o.strategy.history_duration = 9000.0;
        o.manual_prices.push(("x".into(), f64::NAN));
        let settings: Vec<Setting> = o.validate().iter().map(|e| e.setting).collect();
        assert_eq!(
            settings,
            [
                Setting::ManualPrice,
                Setting::HistoryDuration,
                Setting::CpuPercentile
            ]
        );
    }
}
