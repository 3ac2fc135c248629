//! The current time as RFC 3339 UTC, with std only.

use std::time::{SystemTime, UNIX_EPOCH};

use kube_rightsize_core::time::rfc3339_utc;

/// Now, as `YYYY-MM-DDTHH:MM:SSZ` (the epoch if the clock is before 1970).
pub fn now_rfc3339() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2))
        .unwrap_or(0);
    rfc3339_utc(secs)
}
