//! The user's saved preferences (what the web app keeps in localStorage), and how they turn into
//! analysis [`Settings`]. Pasted cluster data is never part of them.

use serde::{Deserialize, Serialize};

use crate::allocation::{IdleRule, SharedSplit};
use crate::analysis::Settings;
use crate::pricing::discounts::Discounts;
use crate::pricing::rates::Rates;
use crate::recommend::StrategySettings;
use crate::settings::{self as rules, Options, SettingError};

/// Preferences as the user entered them; serialised as JSON by the shells.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Preferences {
    /// Manual prices, one `TYPE=USD_PER_HOUR` per line (`#` starts a comment).
    pub manual_prices: String,
    /// Assumed spot discount in percent (e.g. `60`) for spot nodes without a known spot price;
    /// `None` = off (such nodes are priced on-demand with a warning).
    pub assume_spot_discount_percent: Option<f64>,
    /// USD per core-hour for nodes without a price; `None` = OpenCost's default.
    pub fallback_cpu_core_hourly: Option<f64>,
    /// USD per GiB-hour for nodes without a price; `None` = OpenCost's default.
    pub fallback_memory_gib_hourly: Option<f64>,
    /// KRR strategy settings for usage inputs and Prometheus; `None` fields keep KRR's defaults.
    pub strategy: StrategyPreferences,
    /// Patches: a CPU request cut by more than this factor is a risk; `None` = 4.
    pub cpu_drop_factor: Option<f64>,
    /// Discounts off list prices, one per line: `aws=15%` (a flat discount,
    /// [`rules::discount`]) or `aws:m5=60%@28%` (a commitment, [`rules::commitment`]); `#`
    /// starts a comment.
    pub discounts: String,
    /// Storage prices, one `storageclass/NAME=USD` or `pv/NAME=USD` (USD per GiB-month) per
    /// line ([`rules::parse_storage_price`]); `#` starts a comment.
    pub storage_prices: String,
    /// Showback: the label keys costs are grouped by, `team` or `team,env` (empty: none).
    pub group_by: String,
    /// Showback: what happens to idle node cost.
    pub idle: IdleRule,
    /// Showback: how shared costs are spread.
    pub shared_split: SharedSplit,
    /// Showback: the shared namespaces, comma-separated; `None` = the default (`kube-system`).
    pub shared_namespaces: Option<String>,
    /// The re-packing may plan on-demand pools on spot nodes (off by default).
    pub repack_spot: bool,
}

/// The KRR strategy settings a user can change (see [`StrategySettings`] for KRR's defaults).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StrategyPreferences {
    /// History looked at, in hours (KRR: 336 = 14 days).
    pub history_hours: Option<f64>,
    /// `simple`: the CPU percentile per pod (KRR: 95).
    pub cpu_percentile: Option<f64>,
    /// Added to the peak memory, in percent (KRR: 15).
    pub memory_buffer_percentage: Option<f64>,
    /// Samples needed, summed over the pods (KRR: 100).
    pub points_required: Option<u64>,
    /// The smallest CPU recommendation, in millicores (KRR: 10).
    pub cpu_min_millicores: Option<i64>,
    /// The smallest memory recommendation, in MiB (KRR: 100).
    pub memory_min_mib: Option<i64>,
    /// Recommend even for resources an HPA scales on (KRR: false).
    pub allow_hpa: bool,
    /// Take OOM-killed containers' limits into account (KRR: false).
    pub use_oomkill_data: bool,
}

impl StrategyPreferences {
    /// KRR's settings with these changes; values that break their rule
    /// ([`crate::settings`]) are returned as errors and left at KRR's defaults.
    pub fn apply(&self, s: &mut StrategySettings) -> Vec<PreferenceError> {
        let mut errors = Vec::new();
        let mut keep = |r: Result<(), SettingError>| {
            if let Err(e) = r {
                errors.push(PreferenceError::from(e));
            }
        };
        if let Some(h) = self.history_hours {
            keep(rules::history_hours(h).map(|h| s.history_duration = h));
        }
        if let Some(p) = self.cpu_percentile {
            keep(rules::cpu_percentile(p).map(|p| s.cpu_percentile = p));
        }
        if let Some(b) = self.memory_buffer_percentage {
            keep(rules::memory_buffer_percentage(b).map(|b| s.memory_buffer_percentage = b));
        }
        if let Some(n) = self.points_required {
            s.points_required = n;
        }
        if let Some(m) = self.cpu_min_millicores {
            keep(rules::cpu_min_millicores(m).map(|m| s.cpu_min_millicores = m));
        }
        if let Some(m) = self.memory_min_mib {
            keep(rules::memory_min_mib(m).map(|b| s.memory_min_bytes = b));
        }
        s.allow_hpa = self.allow_hpa;
        s.use_oomkill_data = self.use_oomkill_data;
        errors
    }
}

/// A preference that could not be applied, for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreferenceError {
    /// 1-based line of the manual price list, when it is about a manual price.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl From<SettingError> for PreferenceError {
    fn from(e: SettingError) -> PreferenceError {
        PreferenceError {
            line: None,
            message: e.message,
        }
    }
}

impl std::fmt::Display for PreferenceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "manual prices, line {l}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl Preferences {
    /// Reads saved preferences; anything unreadable gives the defaults (saved data must never
    /// stop the app from starting).
    pub fn from_json(text: &str) -> Preferences {
        serde_json::from_str(text).unwrap_or_default()
    }

    /// The JSON the shells save.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }

    /// Sets (or, with `None`, removes) the manual price of `instance_type`: an earlier line for
    /// the same type (compared case-insensitively, comments kept) is replaced in place, otherwise
    /// a line is appended. Returns an error for a value the manual price rule refuses
    /// ([`rules::manual_price`]).
    pub fn set_manual_price(
        &mut self,
        instance_type: &str,
        usd_per_hour: Option<f64>,
    ) -> Result<(), String> {
        let instance_type = instance_type.trim();
        rules::manual_price(instance_type, usd_per_hour.unwrap_or(0.0)).map_err(|e| e.message)?;
        let new_line = usd_per_hour.map(|p| format!("{instance_type}={p}"));
        let mut lines: Vec<String> = Vec::new();
        let mut replaced = false;
        for line in self.manual_prices.lines() {
            let content = line.split('#').next().unwrap_or_default();
            let is_this = content
                .split_once('=')
                .is_some_and(|(t, _)| t.trim().eq_ignore_ascii_case(instance_type));
            if !is_this {
                lines.push(line.to_owned());
            } else if !replaced {
                replaced = true;
                if let Some(l) = &new_line {
                    lines.push(l.clone());
                }
            }
        }
        if !replaced && let Some(l) = new_line {
            lines.push(l);
        }
        self.manual_prices = lines.join("\n");
        Ok(())
    }

    /// The manual price of `instance_type` as entered, if any.
    pub fn manual_price(&self, instance_type: &str) -> Option<f64> {
        self.manual_prices.lines().find_map(|line| {
            let (t, p) = line.split('#').next()?.split_once('=')?;
            t.trim()
                .eq_ignore_ascii_case(instance_type.trim())
                .then(|| crate::pricing::sources::parse_usd(p))
                .flatten()
        })
    }

    /// The typed options these preferences stand for. Values that break their rule
    /// ([`crate::settings`]) are returned as errors and left out; the rest still apply.
    pub fn to_options(&self) -> (Options, Vec<PreferenceError>) {
        let mut options = Options::default();
        let mut errors = Vec::new();
        for (i, line) in self.manual_prices.lines().enumerate() {
            let line = line.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            match rules::parse_manual_price(line) {
                Ok((name, usd)) => {
                    options.manual_prices.retain(|(n, _)| *n != name);
                    options.manual_prices.push((name, usd));
                }
                Err(e) => errors.push(PreferenceError {
                    line: Some(i + 1),
                    message: e.message,
                }),
            }
        }
        if let Some(p) = self.assume_spot_discount_percent {
            match rules::spot_discount(p / 100.0) {
                Ok(d) => options.assume_spot_discount = Some(d),
                Err(e) => errors.push(e.into()),
            }
        }
        if self.fallback_cpu_core_hourly.is_some() || self.fallback_memory_gib_hourly.is_some() {
            match rules::fallback_rates(
                self.fallback_cpu_core_hourly
                    .unwrap_or(Rates::FALLBACK.cpu_core_hourly),
                self.fallback_memory_gib_hourly
                    .unwrap_or(Rates::FALLBACK.memory_gib_hourly),
            ) {
                Ok(r) => options.fallback_rates = Some(r),
                Err(e) => errors.push(e.into()),
            }
        }
        if let Some(f) = self.cpu_drop_factor {
            match rules::cpu_drop_factor(f) {
                Ok(f) => options.cpu_drop_factor = Some(f),
                Err(e) => errors.push(e.into()),
            }
        }
        errors.extend(self.discounts_into(&mut options.discounts));
        options.repack_spot = self.repack_spot;
        for (i, line) in self.storage_prices.lines().enumerate() {
            let line = line.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            match rules::parse_storage_price(line) {
                Ok(_) => options.storage_prices.push(line.to_owned()),
                Err(e) => errors.push(PreferenceError {
                    line: None,
                    message: format!("storage prices, line {}: {}", i + 1, e.message),
                }),
            }
        }
        match rules::parse_group_by(&self.group_by) {
            Ok(keys) => options.allocation.keys = keys,
            Err(e) => errors.push(e.into()),
        }
        options.allocation.idle = self.idle;
        options.allocation.shared_split = self.shared_split;
        if let Some(ns) = &self.shared_namespaces {
            match rules::parse_shared_namespaces(ns) {
                Ok(list) => options.allocation.shared_namespaces = list,
                Err(e) => errors.push(e.into()),
            }
        }
        errors.extend(self.strategy.apply(&mut options.strategy));
        (options, errors)
    }

    /// Reads the discount lines into `d`: a later line for the same provider (and family)
    /// replaces an earlier one; lines a rule refuses are returned as errors.
    fn discounts_into(&self, d: &mut Discounts) -> Vec<PreferenceError> {
        let mut errors = Vec::new();
        for (i, line) in self.discounts.lines().enumerate() {
            let line = line.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            let read = if line.contains('@') {
                rules::commitment(line).map(|c| {
                    d.commitments
                        .retain(|o| !(o.provider == c.provider && o.family == c.family));
                    d.commitments.push(c);
                })
            } else {
                rules::discount(line).map(|(p, f)| {
                    d.flat.retain(|(o, _)| *o != p);
                    d.flat.push((p, f));
                })
            };
            if let Err(e) = read {
                errors.push(PreferenceError {
                    line: None,
                    message: format!("discounts, line {}: {}", i + 1, e.message),
                });
            }
        }
        errors
    }

    /// Applies the preferences to `settings` ([`Preferences::to_options`], then
    /// [`Options::apply`]); problems are returned and the rest still applies.
    pub fn apply(&self, settings: &mut Settings) -> Vec<PreferenceError> {
        let (options, errors) = self.to_options();
        options.apply(settings);
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_price_lines_become_options_and_bad_lines_are_named() {
        let prefs = Preferences {
            storage_prices: "storageclass/ceph=0.05 # our Ceph\n\npv/data-1=$0.2\nsc/x\n"
                .to_owned(),
            ..Preferences::default()
        };
        let (options, errors) = prefs.to_options();
        assert_eq!(
            options.storage_prices,
            ["storageclass/ceph=0.05", "pv/data-1=$0.2"]
        );
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].message.starts_with("storage prices, line 4: "),
            "{}",
            errors[0].message
        );
        let mut settings = Settings::default();
        options.apply(&mut settings);
        assert!(!settings.bill.storage_prices.is_empty());
    }

    #[test]
    fn discount_lines_become_typed_discounts_and_bad_lines_are_named() {
        let prefs = Preferences {
            discounts: "aws=10%\n# our EDP\naws=15%\naws:m5=60%@28%\ngcp=2\n".to_owned(),
            ..Preferences::default()
        };
        let (options, errors) = prefs.to_options();
        assert_eq!(
            options.discounts.flat,
            vec![(crate::model::Provider::Aws, 0.15)]
        );
        assert_eq!(options.discounts.commitments.len(), 1);
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].message.starts_with("discounts, line 5: "),
            "{}",
            errors[0]
        );
    }
    use crate::model::Provider;

    #[test]
    fn applies_prices_and_discount_and_reports_bad_lines() {
        let prefs = Preferences {
            manual_prices: "# my prices\nm5.large = 0.05\n\nbogus\nc5.xlarge=-1\n".into(),
            assume_spot_discount_percent: Some(60.0),
            ..Preferences::default()
        };
        let mut settings = Settings::default();
        let errors = prefs.apply(&mut settings);
        assert_eq!(
            settings.manual_prices.get(Provider::Aws, "m5.large"),
            Some(("m5.large", 0.05))
        );
        assert_eq!(settings.assume_spot_discount, Some(0.6));
        assert_eq!(
            errors.iter().map(|e| e.line).collect::<Vec<_>>(),
            [Some(4), Some(5)]
        );
        assert!(
            errors[0]
                .to_string()
                .starts_with("manual prices, line 4: `bogus`")
        );
    }

    #[test]
    fn bad_discount_is_reported_and_ignored() {
        let prefs = Preferences {
            assume_spot_discount_percent: Some(150.0),
            ..Preferences::default()
        };
        let mut settings = Settings::default();
        let errors = prefs.apply(&mut settings);
        assert_eq!(settings.assume_spot_discount, None);
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn fallback_rates_and_strategy_apply_and_bad_values_are_reported() {
        let prefs = Preferences {
            fallback_cpu_core_hourly: Some(0.02),
            strategy: StrategyPreferences {
                cpu_percentile: Some(99.0),
                memory_buffer_percentage: Some(-5.0),
                memory_min_mib: Some(64),
                allow_hpa: true,
                ..StrategyPreferences::default()
            },
            ..Preferences::default()
        };
        let mut settings = Settings::default();
        let errors = prefs.apply(&mut settings);
        assert_eq!(settings.fallback_rates.cpu_core_hourly, 0.02);
        assert_eq!(
            settings.fallback_rates.memory_gib_hourly,
            Rates::FALLBACK.memory_gib_hourly
        );
        assert_eq!(settings.strategy.cpu_percentile, 99.0);
        assert_eq!(settings.strategy.memory_buffer_percentage, 15.0);
        assert_eq!(settings.strategy.memory_min_bytes, 64 * 1024 * 1024);
        assert!(settings.strategy.allow_hpa);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].message.contains("memory buffer"));

        let zero = Preferences {
            fallback_cpu_core_hourly: Some(0.0),
            fallback_memory_gib_hourly: Some(0.0),
            ..Preferences::default()
        };
        let mut settings = Settings::default();
        assert_eq!(zero.apply(&mut settings).len(), 1);
        assert_eq!(settings.fallback_rates, Rates::FALLBACK);
    }

    #[test]
    fn inline_price_edits_replace_append_and_remove_lines() {
        let mut prefs = Preferences {
            manual_prices: "# mine\nM5.large = 0.05 # old\nc5.large=0.08".into(),
            ..Preferences::default()
        };
        prefs.set_manual_price("m5.large", Some(0.07)).unwrap();
        assert_eq!(prefs.manual_prices, "# mine\nm5.large=0.07\nc5.large=0.08");
        assert_eq!(prefs.manual_price("M5.LARGE"), Some(0.07));
        prefs.set_manual_price("t3.small", Some(0.02)).unwrap();
        assert!(prefs.manual_prices.ends_with("\nt3.small=0.02"));
        prefs.set_manual_price("c5.large", None).unwrap();
        assert_eq!(prefs.manual_prices, "# mine\nm5.large=0.07\nt3.small=0.02");
        assert_eq!(prefs.manual_price("c5.large"), None);
        assert!(prefs.set_manual_price("m5.large", Some(-1.0)).is_err());
        assert!(prefs.set_manual_price("m5.large", Some(f64::NAN)).is_err());
        assert!(prefs.set_manual_price("a=b", Some(1.0)).is_err());
        // What was written applies cleanly.
        let mut settings = Settings::default();
        assert!(prefs.apply(&mut settings).is_empty());
    }

    #[test]
    fn json_round_trips_and_garbage_gives_defaults() {
        let prefs = Preferences {
            manual_prices: "m5.large=0.05".into(),
            assume_spot_discount_percent: Some(55.5),
            fallback_cpu_core_hourly: Some(0.02),
            fallback_memory_gib_hourly: None,
            strategy: StrategyPreferences {
                cpu_percentile: Some(99.0),
                allow_hpa: true,
                ..StrategyPreferences::default()
            },
            cpu_drop_factor: Some(8.0),
            discounts: "azure=5%".into(),
            storage_prices: "pv/data=0.3".into(),
            group_by: "team,env".into(),
            idle: IdleRule::NodeRequests,
            shared_split: SharedSplit::Even,
            shared_namespaces: Some("kube-system,monitoring".into()),
            repack_spot: true,
        };
        assert_eq!(Preferences::from_json(&prefs.to_json()), prefs);
        let (options, errors) = prefs.to_options();
        assert!(options.repack_spot);
        assert_eq!((options.cpu_drop_factor, errors), (Some(8.0), Vec::new()));
        assert_eq!(options.allocation.keys, ["team", "env"]);
        assert_eq!(options.allocation.idle, IdleRule::NodeRequests);
        assert_eq!(
            options.allocation.shared_namespaces,
            ["kube-system", "monitoring"]
        );
        let bad = Preferences {
            cpu_drop_factor: Some(1.0),
            ..Preferences::default()
        };
        let (options, errors) = bad.to_options();
        assert_eq!(options.cpu_drop_factor, None);
        assert!(errors[0].message.starts_with("the CPU drop factor must be"));
        assert_eq!(Preferences::from_json("not json"), Preferences::default());
        assert_eq!(
            Preferences::from_json("{\"unknown\":1}"),
            Preferences::default()
        );
    }
}
