//! KRR's JSON result (`krr simple -f json`, also `simple_limit`), read with typed serde structs.
//!
//! Values may be floats (cores, bytes), `"?"` (undefined), `null` (unset) or, in older output,
//! quantity strings (`"50m"`, `"2048Mi"`). Floats are converted exactly through their shortest
//! decimal form and [`Quantity`], then rounded up to whole millicores and bytes (so `0.025`
//! cores is exactly 25m, never 26m from `0.025 × 1000` in floating point); strings are parsed
//! as [`Quantity`].

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::{
    GivenSeverities, Pair, ReadError, Recommendation, RecommendationSet, Severity, Source,
    StrategySettings, Value,
};
use crate::limits::{self, Shortened};
use crate::quantity::Quantity;

#[derive(Deserialize)]
struct RawResult {
    scans: Vec<RawScan>,
    #[serde(default)]
    score: Option<f64>,
    #[serde(default)]
    strategy: Option<RawStrategy>,
}

#[derive(Deserialize)]
struct RawStrategy {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    settings: Option<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Deserialize)]
struct RawScan {
    object: RawObject,
    #[serde(default)]
    recommended: Option<RawRecommended>,
    #[serde(default)]
    severity: Option<String>,
}

#[derive(Deserialize)]
struct RawObject {
    name: String,
    container: String,
    namespace: String,
    kind: String,
    #[serde(default)]
    hpa: Option<IgnoredAny>,
    #[serde(default)]
    allocations: Option<RawAllocations>,
}

#[derive(Deserialize)]
struct RawAllocations {
    #[serde(default)]
    requests: Option<RawPair>,
    #[serde(default)]
    limits: Option<RawPair>,
}

#[derive(Deserialize)]
struct RawPair {
    #[serde(default)]
    cpu: Option<RawValue>,
    #[serde(default)]
    memory: Option<RawValue>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawValue {
    Number(f64),
    Text(String),
}

#[derive(Deserialize)]
struct RawRecommended {
    #[serde(default)]
    requests: Option<RawRecPair>,
    #[serde(default)]
    limits: Option<RawRecPair>,
    #[serde(default)]
    info: Option<RawInfo>,
}

#[derive(Deserialize)]
struct RawRecPair {
    #[serde(default)]
    cpu: Option<RawCell>,
    #[serde(default)]
    memory: Option<RawCell>,
}

#[derive(Deserialize)]
struct RawCell {
    #[serde(default)]
    value: Option<RawValue>,
    #[serde(default)]
    severity: Option<String>,
}

#[derive(Deserialize)]
struct RawInfo {
    #[serde(default)]
    cpu: Option<String>,
    #[serde(default)]
    memory: Option<String>,
}

#[derive(Clone, Copy)]
enum Unit {
    Millicores,
    Bytes,
}

/// Converts one KRR value to millicores or bytes, rounding up. `Err` says what is wrong.
fn convert(v: Option<&RawValue>, unit: Unit) -> Result<Value, String> {
    let q = match v {
        None => return Ok(Value::Unset),
        Some(RawValue::Text(t)) if t.trim() == "?" => return Ok(Value::Unknown),
        Some(RawValue::Text(t)) => Quantity::parse(t.trim())
            .map_err(|e| format!("{e} (expected a number, \"?\" or null)"))?,
        Some(RawValue::Number(f)) => {
            if !f.is_finite() {
                return Err(format!("{f} is not a finite number"));
            }
            // `{}` prints the shortest decimal that reads back as `f`, never with an exponent.
            Quantity::parse(&format!("{f}")).map_err(|e| e.to_string())?
        }
    };
    if q.is_negative() {
        return Err(format!("{q} is negative"));
    }
    Ok(Value::Set(match unit {
        Unit::Millicores => q.millis_ceil(),
        Unit::Bytes => q.units_ceil(),
    }))
}

fn pair(p: Option<&RawPair>, at: &str) -> Result<Pair, String> {
    let Some(p) = p else {
        return Ok(Pair::default());
    };
    Ok(Pair {
        cpu: convert(p.cpu.as_ref(), Unit::Millicores).map_err(|e| format!("{at}.cpu: {e}"))?,
        memory: convert(p.memory.as_ref(), Unit::Bytes).map_err(|e| format!("{at}.memory: {e}"))?,
    })
}

fn rec_pair(
    p: Option<&RawRecPair>,
    at: &str,
) -> Result<(Pair, Option<Severity>, Option<Severity>), String> {
    let Some(p) = p else {
        return Ok((Pair::default(), None, None));
    };
    let cell =
        |c: Option<&RawCell>, unit, what: &str| -> Result<(Value, Option<Severity>), String> {
            let Some(c) = c else {
                return Ok((Value::Unset, None));
            };
            let v =
                convert(c.value.as_ref(), unit).map_err(|e| format!("{at}.{what}.value: {e}"))?;
            Ok((v, c.severity.as_deref().and_then(Severity::parse)))
        };
    let (cpu, cs) = cell(p.cpu.as_ref(), Unit::Millicores, "cpu")?;
    let (memory, ms) = cell(p.memory.as_ref(), Unit::Bytes, "memory")?;
    Ok((Pair { cpu, memory }, cs, ms))
}

fn settings_from(map: &serde_json::Map<String, serde_json::Value>) -> StrategySettings {
    let mut s = StrategySettings::default();
    let num = |k: &str| map.get(k).and_then(serde_json::Value::as_f64);
    let flag = |k: &str| map.get(k).and_then(serde_json::Value::as_bool);
    if let Some(v) = num("history_duration") {
        s.history_duration = v;
    }
    if let Some(v) = num("timeframe_duration") {
        s.timeframe_duration = v;
    }
    if let Some(v) = num("cpu_percentile") {
        s.cpu_percentile = v;
    }
    if let Some(v) = num("cpu_request") {
        s.cpu_request = v;
    }
    if let Some(v) = num("cpu_limit") {
        s.cpu_limit = v;
    }
    if let Some(v) = num("memory_buffer_percentage") {
        s.memory_buffer_percentage = v;
    }
    if let Some(v) = num("points_required").filter(|v| *v >= 0.0 && v.is_finite()) {
        s.points_required = v.ceil() as u64;
    }
    if let Some(v) = flag("allow_hpa") {
        s.allow_hpa = v;
    }
    if let Some(v) = flag("use_oomkill_data") {
        s.use_oomkill_data = v;
    }
    if let Some(v) = num("oom_memory_buffer_percentage") {
        s.oom_memory_buffer_percentage = v;
    }
    s
}

/// Reads KRR's JSON result. Errors name the input, the line (for JSON syntax errors) or the
/// scan and field (for bad values).
pub fn parse(name: &str, bytes: &[u8]) -> Result<RecommendationSet, ReadError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let raw: RawResult = serde_json::from_slice(bytes).map_err(|e| ReadError {
        input: name.to_owned(),
        line: (e.line() > 0).then_some(e.line()),
        message: format!("not a KRR JSON result (`krr simple -f json`): {e}"),
    })?;
    let error = |message: String| ReadError {
        input: name.to_owned(),
        line: None,
        message,
    };
    let mut items = Vec::with_capacity(raw.scans.len());
    let mut shortened = Shortened::default();
    for (i, scan) in raw.scans.into_iter().enumerate() {
        let o = &scan.object;
        let at = format!("scans[{i}]");
        let alloc = o.allocations.as_ref();
        let current_requests = pair(
            alloc.and_then(|a| a.requests.as_ref()),
            &format!("{at}.object.allocations.requests"),
        )
        .map_err(error)?;
        let current_limits = pair(
            alloc.and_then(|a| a.limits.as_ref()),
            &format!("{at}.object.allocations.limits"),
        )
        .map_err(error)?;
        let rec = scan.recommended.as_ref();
        let (requests, rcs, rms) = rec_pair(
            rec.and_then(|r| r.requests.as_ref()),
            &format!("{at}.recommended.requests"),
        )
        .map_err(error)?;
        let (limits, lcs, lms) = rec_pair(
            rec.and_then(|r| r.limits.as_ref()),
            &format!("{at}.recommended.limits"),
        )
        .map_err(error)?;
        let info = rec.and_then(|r| r.info.as_ref());
        // Names are shortened the way the snapshot's are, so long ones still match.
        let mut cap = |s: &str, field: &str| {
            shortened.cap(s.to_owned(), String::new, &format!("{at}.object.{field}"))
        };
        let namespace = cap(&o.namespace, "namespace");
        let kind = cap(&o.kind, "kind");
        let name = cap(&o.name, "name");
        let container = cap(&o.container, "container");
        let info_cpu = info
            .and_then(|i| i.cpu.as_deref())
            .map(|s| cap(s, "info.cpu"));
        let info_memory = info
            .and_then(|i| i.memory.as_deref())
            .map(|s| cap(s, "info.memory"));
        items.push(Recommendation {
            namespace,
            kind,
            name,
            container,
            current_requests: Some(current_requests),
            current_limits: Some(current_limits),
            requests,
            limits,
            given: GivenSeverities {
                requests_cpu: rcs,
                requests_memory: rms,
                limits_cpu: lcs,
                limits_memory: lms,
                row: scan.severity.as_deref().and_then(Severity::parse),
            },
            info_cpu,
            info_memory,
            hpa: o.hpa.is_some(),
            low_confidence: false,
            note: None,
            memory_peak_bytes: None,
        });
    }
    let strategy = raw.strategy.as_ref();
    Ok(RecommendationSet {
        source: Source::Krr,
        input_name: name.to_owned(),
        strategy: strategy
            .and_then(|s| s.name.clone())
            .map_or_else(|| "simple".to_owned(), limits::cap_string),
        settings: strategy
            .and_then(|s| s.settings.as_ref())
            .map(settings_from)
            .unwrap_or_default(),
        items,
        given_score: raw
            .score
            .filter(|s| s.is_finite() && s.abs() < 1e15)
            .map(|s| s.trunc() as i64),
        warnings: shortened.warning(name).into_iter().collect(),
    })
}
