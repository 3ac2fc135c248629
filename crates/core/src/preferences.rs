//! The user's saved preferences (what the web app keeps in localStorage), and how they turn into
//! analysis [`Settings`]. Pasted cluster data is never part of them.

use serde::{Deserialize, Serialize};

use crate::analysis::Settings;

/// Preferences as the user entered them; serialised as JSON by the shells.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Preferences {
    /// Manual prices, one `TYPE=USD_PER_HOUR` per line (`#` starts a comment).
    pub manual_prices: String,
    /// Assumed spot discount in percent (e.g. `60`) for spot nodes without a known spot price;
    /// `None` = off (such nodes are priced on-demand with a warning).
    pub assume_spot_discount_percent: Option<f64>,
}

/// A preference that could not be applied, for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreferenceError {
    /// 1-based line of the manual price list, when it is about a manual price.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
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

    /// Applies the preferences to `settings`; problems are returned and the rest still applies.
    pub fn apply(&self, settings: &mut Settings) -> Vec<PreferenceError> {
        let mut errors = Vec::new();
        for (i, line) in self.manual_prices.lines().enumerate() {
            let line = line.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            if let Err(e) = settings.manual_prices.set_assignment(line) {
                errors.push(PreferenceError {
                    line: Some(i + 1),
                    message: format!("`{}`: {}", e.input, e.reason),
                });
            }
        }
        match self.assume_spot_discount_percent {
            None => {}
            Some(p) if p.is_finite() && (0.0..100.0).contains(&p) => {
                settings.assume_spot_discount = Some(p / 100.0);
            }
            Some(p) => errors.push(PreferenceError {
                line: None,
                message: format!("the spot discount must be between 0 and 100 percent, not {p}"),
            }),
        }
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Provider;

    #[test]
    fn applies_prices_and_discount_and_reports_bad_lines() {
        let prefs = Preferences {
            manual_prices: "# my prices\nm5.large = 0.05\n\nbogus\nc5.xlarge=-1\n".into(),
            assume_spot_discount_percent: Some(60.0),
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
    fn json_round_trips_and_garbage_gives_defaults() {
        let prefs = Preferences {
            manual_prices: "m5.large=0.05".into(),
            assume_spot_discount_percent: Some(55.5),
        };
        assert_eq!(Preferences::from_json(&prefs.to_json()), prefs);
        assert_eq!(Preferences::from_json("not json"), Preferences::default());
        assert_eq!(
            Preferences::from_json("{\"unknown\":1}"),
            Preferences::default()
        );
    }
}
