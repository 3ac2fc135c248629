//! What the page keeps in localStorage (with `gloo-storage`, values as JSON): the preferences,
//! the Vantage price cache and, only while "Remember on this device" is ticked, the Vantage
//! token. Pasted cluster data is never stored. Every call is best effort: where the browser
//! refuses storage (private modes, blocked site data) nothing is kept and nothing fails.

use gloo_storage::{LocalStorage, Storage};
use kube_rightsize_core::preferences::Preferences;

/// The key of the saved preferences.
pub const PREFERENCES_KEY: &str = "kube-rightsize.preferences.v1";

/// The key of the remembered Vantage token (only while "Remember on this device" is ticked).
pub const TOKEN_KEY: &str = "kube-rightsize.vantage-token.v1";

/// The key of the Vantage price cache (prices and fetch times only, never the token).
pub const CACHE_KEY: &str = "kube-rightsize.vantage-cache.v1";

/// gloo-storage throws where the browser has no localStorage; ask first.
fn available() -> bool {
    web_sys::window().is_some_and(|w| matches!(w.local_storage(), Ok(Some(_))))
}

/// The saved preferences, or the defaults (saved data never stops the app from starting).
pub fn preferences() -> Preferences {
    if !available() {
        return Preferences::default();
    }
    LocalStorage::get(PREFERENCES_KEY).unwrap_or_default()
}

/// Saves the preferences.
pub fn save_preferences(prefs: &Preferences) {
    if available() {
        let _ = LocalStorage::set(PREFERENCES_KEY, prefs);
    }
}

/// The remembered token, if any. A value that cannot be read is removed, so a token never
/// stays stored where the panel would not show it as remembered.
pub fn remembered_token() -> Option<String> {
    if !available() {
        return None;
    }
    match LocalStorage::get::<String>(TOKEN_KEY) {
        Ok(token) => Some(token).filter(|t| !t.trim().is_empty()),
        Err(_) => {
            LocalStorage::delete(TOKEN_KEY);
            None
        }
    }
}

/// Remembers `token` (trimmed), or forgets it when it is `None` or blank.
pub fn remember_token(token: Option<&str>) {
    if !available() {
        return;
    }
    match token.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => {
            let _ = LocalStorage::set(TOKEN_KEY, t);
        }
        None => LocalStorage::delete(TOKEN_KEY),
    }
}

/// The Vantage price cache as JSON text, for the worker (which reads it with the core's
/// `PriceCache::from_json` and says when it is unusable).
pub fn vantage_cache() -> Option<String> {
    if !available() {
        return None;
    }
    LocalStorage::get::<serde_json::Value>(CACHE_KEY)
        .ok()
        .map(|v| v.to_string())
}

/// Keeps the price cache a fetch handed back (`VantageReply::cache`).
pub fn save_vantage_cache(json: &str) {
    if available()
        && let Ok(value) = serde_json::from_str::<serde_json::Value>(json)
    {
        let _ = LocalStorage::set(CACHE_KEY, value);
    }
}

/// Forgets the price cache (the next fetch asks Vantage again).
pub fn clear_vantage_cache() {
    if available() {
        LocalStorage::delete(CACHE_KEY);
    }
}
