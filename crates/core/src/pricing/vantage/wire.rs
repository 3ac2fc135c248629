//! What goes over the wire: URL building, header lookup and tolerant parsing of Vantage bodies.
//!
//! Parsing never denies unknown fields and never trusts an error body (it may be empty, `{}` or
//! not JSON). Amounts may be numbers or strings.

use serde::Deserialize;

use crate::model::{CapacityType, Provider};
use crate::pricing::import::azure_region_from_slug;
use crate::pricing::sources::parse_usd;

/// Percent-encodes one URL path segment or query value (RFC 3986 unreserved characters are kept).
pub fn encode(component: &str) -> String {
    let mut out = String::with_capacity(component.len());
    for b in component.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The first value of header `name` (ASCII case-insensitive), trimmed.
pub fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(k, _)| k.trim().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

/// `Links` of a page; every member optional and nullable.
#[derive(Debug, Default, Deserialize)]
pub struct Links {
    /// The next page's URL, absent or null on the last page.
    #[serde(default)]
    pub next: Option<String>,
}

/// A product record (only what the client reads).
#[derive(Debug, Deserialize)]
pub struct Product {
    /// Product id, e.g. `aws-ec2-m5_large`.
    pub id: String,
    /// The instance type name, e.g. `m5.large`.
    pub name: String,
}

/// `GET /v2/products` body.
#[derive(Debug, Deserialize)]
pub struct Products {
    /// Paging links (optional).
    #[serde(default)]
    pub links: Option<Links>,
    /// The products of this page.
    pub products: Vec<Product>,
}

/// `details` of a price: platform and lifecycle (both optional).
#[derive(Debug, Default, Deserialize)]
pub struct PriceDetails {
    /// `linux`, `rhel`, ...
    #[serde(default)]
    pub platform: Option<String>,
    /// `on-demand`, perhaps `spot`.
    #[serde(default)]
    pub lifecycle: Option<String>,
}

/// A price record.
#[derive(Debug, Deserialize)]
pub struct Price {
    /// `hour`.
    #[serde(default)]
    pub unit: Option<String>,
    /// `us-east-1`.
    #[serde(default)]
    pub region: Option<String>,
    /// `compute`.
    #[serde(default)]
    pub rate_type: Option<String>,
    /// `USD`.
    #[serde(default)]
    pub currency: Option<String>,
    /// The amount, a number (strings are accepted too).
    #[serde(default)]
    pub amount: Option<serde_json::Value>,
    /// Platform and lifecycle.
    #[serde(default)]
    pub details: Option<PriceDetails>,
}

/// `GET /v2/products/{id}/prices` body.
#[derive(Debug, Deserialize)]
pub struct Prices {
    /// Paging links (optional).
    #[serde(default)]
    pub links: Option<Links>,
    /// The prices of this page.
    pub prices: Vec<Price>,
}

/// A number or a decimal string as a finite non-negative USD amount.
pub fn amount(v: Option<&serde_json::Value>) -> Option<f64> {
    match v? {
        serde_json::Value::Number(n) => n.as_f64().filter(|x| x.is_finite() && *x >= 0.0),
        serde_json::Value::String(s) => parse_usd(s),
        _ => None,
    }
}

/// The capacity type a v2 price is usable for: Linux, hourly, compute, USD, and lifecycle
/// `on-demand` (or one containing `spot`).
pub fn usable_v2_price(p: &Price) -> Option<(String, CapacityType, f64)> {
    let eq = |v: &Option<String>, want: &str| v.as_deref().is_some_and(|s| s == want);
    if !eq(&p.unit, "hour") || !eq(&p.rate_type, "compute") {
        return None;
    }
    if p.currency
        .as_deref()
        .is_some_and(|c| !c.eq_ignore_ascii_case("USD"))
    {
        return None;
    }
    let details = p.details.as_ref()?;
    if details.platform.as_deref() != Some("linux") {
        return None;
    }
    let capacity = match details.lifecycle.as_deref()? {
        "on-demand" => CapacityType::OnDemand,
        l if l.contains("spot") => CapacityType::Spot,
        _ => return None,
    };
    let region = p.region.clone().filter(|r| !r.trim().is_empty())?;
    Some((region, capacity, amount(p.amount.as_ref())?))
}

/// The error messages of an error body (`{"errors": [...]}` or `{"error": "..."}`), if any.
pub fn error_text(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let mut parts: Vec<String> = Vec::new();
    if let Some(errors) = v.get("errors").and_then(|e| e.as_array()) {
        parts.extend(errors.iter().filter_map(|e| e.as_str()).map(str::to_owned));
    }
    if let Some(e) = v.get("error").and_then(|e| e.as_str()) {
        parts.push(e.to_owned());
    }
    let text = parts.join("; ");
    let text: String = text.chars().filter(|c| !c.is_control()).take(200).collect();
    (!text.trim().is_empty()).then_some(text)
}

/// The Instances API service of a provider (`ec2`, `azure`, `gcp`).
pub fn instances_service(provider: Provider) -> Option<&'static str> {
    match provider {
        Provider::Aws => Some("ec2"),
        Provider::Azure => Some("azure"),
        Provider::Gcp => Some("gcp"),
        _ => None,
    }
}

/// Linux prices `(region, capacity, usd)` of an Instances API record (instances.vantage.sh
/// format: `pricing[region][platform]` with `ondemand`, `spot`, `spot_avg`, `spot_min`,
/// `spot_max` as strings or numbers). The record may also come wrapped in an array or under
/// `data`/`instance`. `None` when the body has no `pricing` object.
pub fn instance_prices(
    provider: Provider,
    body: &serde_json::Value,
) -> Option<Vec<(String, CapacityType, f64)>> {
    let record = match body {
        serde_json::Value::Array(items) => items.first()?,
        v if v.get("pricing").is_some() => v,
        v => v.get("data").or_else(|| v.get("instance"))?,
    };
    let record = match record {
        serde_json::Value::Array(items) => items.first()?,
        r => r,
    };
    let pricing = record.get("pricing")?.as_object()?;
    let positive = |v: Option<&serde_json::Value>| amount(v).filter(|p| *p > 0.0);
    let mut out = Vec::new();
    for (region, platforms) in pricing {
        let region = if provider == Provider::Azure {
            match azure_region_from_slug(region) {
                Some(r) => r.to_owned(),
                None => continue,
            }
        } else {
            region.clone()
        };
        let Some(linux) = platforms.get("linux") else {
            continue;
        };
        if let Some(p) = positive(linux.get("ondemand")) {
            out.push((region.clone(), CapacityType::OnDemand, p));
        }
        let spot = positive(linux.get("spot"))
            .or_else(|| positive(linux.get("spot_avg")))
            .or_else(|| {
                match (
                    positive(linux.get("spot_min")),
                    positive(linux.get("spot_max")),
                ) {
                    (Some(a), Some(b)) => Some((a + b) / 2.0),
                    (a, b) => a.or(b),
                }
            });
        if let Some(p) = spot {
            out.push((region, CapacityType::Spot, p));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_components() {
        assert_eq!(encode("m5.large"), "m5.large");
        assert_eq!(encode("a b/c?d&e=é"), "a%20b%2Fc%3Fd%26e%3D%C3%A9");
    }

    #[test]
    fn error_bodies_are_optional() {
        assert_eq!(error_text(b""), None);
        assert_eq!(error_text(b"{}"), None);
        assert_eq!(error_text(b"<html>"), None);
        assert_eq!(
            error_text(br#"{"errors":["a","b"]}"#).as_deref(),
            Some("a; b")
        );
        assert_eq!(
            error_text(br#"{"code":"NOT_FOUND","error":"nope"}"#).as_deref(),
            Some("nope")
        );
    }

    #[test]
    fn instance_records_in_every_wrapping() {
        let rec = serde_json::json!({"instance_type": "d4sv5", "vcpu": 4,
            "pricing": {"us-east": {"linux": {"ondemand": 0.192, "spot_min": 0.02, "spot_max": 0.04}},
                        "atlantis": {"linux": {"ondemand": 1}}}});
        let p = instance_prices(Provider::Azure, &rec).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0], ("eastus".to_owned(), CapacityType::OnDemand, 0.192));
        assert!((p[1].2 - 0.03).abs() < 1e-12);
        let wrapped = serde_json::json!({"data": rec});
        assert_eq!(instance_prices(Provider::Azure, &wrapped).unwrap().len(), 2);
        assert!(instance_prices(Provider::Azure, &serde_json::json!({"x": 1})).is_none());
    }
}
