//! The sans-IO Vantage client driven with canned responses.

use kube_rightsize_core::analysis::{self, Settings};
use kube_rightsize_core::ingest::{self, Input};
use kube_rightsize_core::model::{CapacityType, Provider};
use kube_rightsize_core::pricing::sources::PriceSource;
use kube_rightsize_core::pricing::vantage::cache::PriceCache;
use kube_rightsize_core::pricing::vantage::{
    ApiKind, Client, Config, Outcome, PriceKey, Request, Response, Step, Token, TransportError,
    TypeState, check_ping, me_request, parse_me, ping_request, wanted_prices,
};
use serde_json::{Value, json};

const TOKEN: &str = "vntg_tkn_SECRET42";
const BASE: &str = "http://127.0.0.1:9999";
const NOW: i64 = 1_780_000_000;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/vantage/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn key(t: &str, region: &str, cap: CapacityType) -> PriceKey {
    PriceKey {
        provider: Provider::Aws,
        instance_type: t.to_owned(),
        region: region.to_owned(),
        capacity_type: cap,
    }
}

fn config() -> Config {
    let mut c = Config::new(ApiKind::V2, Some(BASE));
    c.retry_backoff_seconds = 1;
    c
}

fn ok(body: Value) -> Result<Response, TransportError> {
    status(200, body.to_string().as_bytes())
}

fn status(code: u16, body: &[u8]) -> Result<Response, TransportError> {
    Ok(Response {
        status: code,
        headers: vec![
            ("X-Rate-Limit-Limit".to_owned(), "1000".to_owned()),
            ("x-rate-limit-remaining".to_owned(), "900".to_owned()),
            ("x-rate-limit-reset".to_owned(), (NOW + 30).to_string()),
        ],
        body: body.to_vec(),
    })
}

fn product(name: &str) -> Value {
    json!({"products": [{"id": format!("aws-ec2-{}", name.replace('.', "_")), "category": "compute",
        "name": name, "service_id": "aws-ec2", "provider_id": "aws", "details": {}}],
        "links": {"next": null}})
}

fn price(region: &str, platform: &str, lifecycle: &str, amount: f64) -> Value {
    json!({"id": "x", "unit": "hour", "region": region, "rate_type": "compute", "currency": "USD",
           "amount": amount, "details": {"platform": platform, "lifecycle": lifecycle}})
}

/// Drives `client`, answering each request with `answer`; time advances by every wait.
fn drive(
    mut client: Client,
    mut answer: impl FnMut(&Request) -> Result<Response, TransportError>,
) -> (Vec<Step>, Outcome) {
    let mut steps = Vec::new();
    let mut now = NOW;
    for _ in 0..1000 {
        let step = client.next_step();
        steps.push(step.clone());
        match step {
            Step::Send(r) => {
                let result = answer(&r);
                client.receive(now, result);
            }
            Step::Wait { seconds, .. } => now += i64::try_from(seconds).unwrap(),
            Step::Progress(_) => {}
            Step::Done => return (steps, client.finish()),
        }
    }
    panic!("the client did not finish");
}

fn sent(steps: &[Step]) -> Vec<&Request> {
    steps
        .iter()
        .filter_map(|s| match s {
            Step::Send(r) => Some(r),
            _ => None,
        })
        .collect()
}

fn progress(steps: &[Step]) -> Vec<String> {
    steps
        .iter()
        .filter_map(|s| match s {
            Step::Progress(m) => Some(m.clone()),
            _ => None,
        })
        .collect()
}

fn assert_token_only_in_authorization(steps: &[Step]) {
    for r in sent(steps) {
        assert!(r.url.starts_with(BASE), "{}", r.url);
        assert!(
            !r.url.contains(TOKEN) && !r.url.contains("SECRET"),
            "{}",
            r.url
        );
        for (k, v) in &r.headers {
            if k == "Authorization" {
                assert_eq!(v, &format!("Bearer {TOKEN}"));
            } else {
                assert!(!v.contains("SECRET"));
            }
        }
        assert!(!format!("{r:?}").contains("SECRET"));
    }
}

fn client(wanted: Vec<PriceKey>, cache: PriceCache) -> Client {
    Client::new(config(), Token::new(TOKEN), wanted, cache, NOW)
}

#[test]
fn happy_path_with_the_documented_bodies() {
    let c = client(
        vec![key("c5.xlarge", "us-east-1", CapacityType::OnDemand)],
        PriceCache::default(),
    );
    let (steps, out) = drive(c, |r| {
        if r.url.contains("/prices") {
            status(200, &fixture("prices-c5.xlarge.json"))
        } else {
            status(200, &fixture("products-c5.xlarge.json"))
        }
    });
    let urls: Vec<&str> = sent(&steps).iter().map(|r| r.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            format!("{BASE}/v2/products?service_id=aws-ec2&name=c5.xlarge&limit=1000"),
            format!("{BASE}/v2/products/aws-ec2-c5_xlarge/prices?limit=1000&page=1"),
        ]
    );
    assert_eq!(
        progress(&steps),
        ["Querying cost for c5.xlarge in us-east-1"]
    );
    assert_token_only_in_authorization(&steps);
    assert_eq!(out.requests, 2);
    let e = out
        .table
        .get(
            Provider::Aws,
            "c5.xlarge",
            "us-east-1",
            CapacityType::OnDemand,
        )
        .unwrap();
    assert_eq!(e.usd_per_hour, 0.17);
    assert_eq!(e.source.as_deref(), Some("vantage"));
    assert_eq!(e.fetched_at.as_deref(), Some("2026-05-28T20:26:40Z"));
    assert_eq!(out.table.as_of.as_deref(), Some("2026-05-28"));
    assert_eq!(out.statuses.len(), 1);
    assert_eq!(out.statuses[0].state, TypeState::Fetched);
    assert_eq!(out.statuses[0].usd_per_hour, Some(0.17));
    assert_eq!(out.statuses[0].source, "vantage");
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    assert_eq!(out.cache.entries.len(), 1);
    assert!(!out.cache.to_json().contains("SECRET"));
}

#[test]
fn one_lookup_per_type_selection_and_spot() {
    let wanted = vec![
        key("m5.large", "us-east-1", CapacityType::OnDemand),
        key("m5.large", "us-west-2", CapacityType::Spot),
        key("m5.large", "eu-central-1", CapacityType::Spot),
        key("t3.medium", "us-east-1", CapacityType::Reserved),
    ];
    let (steps, out) = drive(client(wanted, PriceCache::default()), |r| {
        if r.url.contains("m5_large/prices") {
            ok(json!({"prices": [
                // Decoys first: wrong unit, rate type, platform, currency.
                {"id": "a", "unit": "gb-month", "region": "us-east-1", "rate_type": "compute",
                 "currency": "USD", "amount": 9.0, "details": {"platform": "linux", "lifecycle": "on-demand"}},
                {"id": "b", "unit": "hour", "region": "us-east-1", "rate_type": "storage",
                 "currency": "USD", "amount": 8.0, "details": {"platform": "linux", "lifecycle": "on-demand"}},
                price("us-east-1", "rhel", "on-demand", 7.0),
                {"id": "c", "unit": "hour", "region": "us-east-1", "rate_type": "compute",
                 "currency": "EUR", "amount": 6.0, "details": {"platform": "linux", "lifecycle": "on-demand"}},
                price("us-east-1", "linux", "on-demand", 0.096),
                price("us-west-2", "linux", "on-demand", 0.097),
                price("us-west-2", "linux", "spot", 0.034),
                price("eu-central-1", "linux", "on-demand", 0.111),
                {"id": "d", "unit": "hour", "region": "ap-south-1", "rate_type": "compute",
                 "currency": "USD", "amount": "0.05", "details": {}},
            ], "links": {"next": null}}))
        } else if r.url.contains("t3_medium/prices") {
            ok(json!({"prices": [price("us-east-1", "linux", "on-demand", 0.0416)]}))
        } else if r.url.contains("name=m5.large") {
            ok(product("m5.large"))
        } else {
            ok(product("t3.medium"))
        }
    });
    assert_eq!(out.requests, 4, "two per distinct type, not per node");
    assert_eq!(
        progress(&steps),
        [
            "Querying cost for m5.large in eu-central-1, us-east-1, us-west-2",
            "Querying cost for t3.medium in us-east-1"
        ]
    );
    let get = |t: &str, r: &str, c| {
        out.table
            .get(Provider::Aws, t, r, c)
            .map(|e| e.usd_per_hour)
    };
    assert_eq!(
        get("m5.large", "us-east-1", CapacityType::OnDemand),
        Some(0.096)
    );
    assert_eq!(
        get("m5.large", "us-west-2", CapacityType::Spot),
        Some(0.034)
    );
    assert_eq!(get("m5.large", "eu-central-1", CapacityType::Spot), None);
    assert_eq!(
        get("t3.medium", "us-east-1", CapacityType::OnDemand),
        Some(0.0416)
    );
    let eu = out
        .statuses
        .iter()
        .find(|s| s.region == "eu-central-1")
        .unwrap();
    assert_eq!(eu.usd_per_hour, Some(0.111));
    assert!(eu.message.as_deref().unwrap().contains("no spot price"));
    assert!(out.statuses.iter().all(|s| s.state == TypeState::Fetched));
}

#[test]
fn pagination_is_rebuilt_on_the_base_url() {
    let (steps, out) = drive(
        client(
            vec![key("m5.large", "us-west-2", CapacityType::OnDemand)],
            PriceCache::default(),
        ),
        |r| {
            if r.url.contains("page=1") {
                ok(
                    json!({"prices": [price("us-east-1", "linux", "on-demand", 0.096)],
                          "links": {"next": "https://api.vantage.sh/v2/products/aws-ec2-m5_large/prices?limit=1000&page=2"}}),
                )
            } else if r.url.contains("page=2") {
                ok(
                    json!({"prices": [price("us-west-2", "linux", "on-demand", 0.097)],
                          "links": {"next": "https://api.vantage.sh/v2/products/aws-ec2-m5_large/prices?limit=1000&page=3"}}),
                )
            } else if r.url.contains("page=3") {
                ok(json!({"prices": [], "links": {"next": null, "prev": "x"}}))
            } else {
                ok(product("m5.large"))
            }
        },
    );
    assert_eq!(out.requests, 4);
    assert_token_only_in_authorization(&steps);
    assert!(
        sent(&steps)[3]
            .url
            .ends_with("/v2/products/aws-ec2-m5_large/prices?limit=1000&page=3")
    );
    assert_eq!(out.statuses[0].usd_per_hour, Some(0.097));
}

#[test]
fn endless_or_repeating_pagination_is_capped() {
    let mut cfg = config();
    cfg.max_pages = 5;
    let c = Client::new(
        cfg,
        Token::new(TOKEN),
        vec![key("m5.large", "us-east-1", CapacityType::OnDemand)],
        PriceCache::default(),
        NOW,
    );
    let mut n = 0;
    let (_, out) = drive(c, |r| {
        if r.url.contains("/prices") {
            n += 1;
            ok(
                json!({"prices": [price("us-east-1", "linux", "on-demand", 0.096)],
                      "links": {"next": format!("https://x/next?page={}", n + 1)}}),
            )
        } else {
            ok(product("m5.large"))
        }
    });
    assert_eq!(out.requests, 1 + 5);
    assert!(
        out.warnings
            .iter()
            .any(|w| w.code == "vantage_pagination_capped")
    );
    assert_eq!(out.statuses[0].usd_per_hour, Some(0.096));

    // A `next` that repeats stops at once.
    let (_, out) = drive(
        client(
            vec![key("m5.large", "us-east-1", CapacityType::OnDemand)],
            PriceCache::default(),
        ),
        |r| {
            if r.url.contains("/prices") {
                ok(json!({"prices": [], "links": {"next": "https://x/same"}}))
            } else {
                ok(product("m5.large"))
            }
        },
    );
    assert_eq!(out.requests, 3);
    assert!(out.warnings[0].message.contains("repeated a page link"));
    assert_eq!(out.statuses[0].state, TypeState::NoPrice);
}

#[test]
fn unauthorized_stops_everything_without_a_panic() {
    let wanted = vec![
        key("m5.large", "us-east-1", CapacityType::OnDemand),
        key("t3.medium", "us-east-1", CapacityType::OnDemand),
    ];
    let (steps, out) = drive(client(wanted, PriceCache::default()), |_| status(401, b""));
    assert_eq!(out.requests, 1);
    assert!(out.table.is_empty());
    assert_eq!(out.warnings.len(), 1);
    assert_eq!(out.warnings[0].code, "vantage_unauthorized");
    assert!(
        out.warnings[0]
            .message
            .starts_with("Vantage rejected the token (401)")
    );
    assert!(!out.warnings[0].message.contains("SECRET"));
    assert!(out.statuses.iter().all(|s| s.state == TypeState::Skipped));
    assert_token_only_in_authorization(&steps);

    let (_, out) = drive(
        client(
            vec![key("m5.large", "us-east-1", CapacityType::OnDemand)],
            PriceCache::default(),
        ),
        |_| status(403, br#"{"errors": ["token lacks scope"]}"#),
    );
    assert!(
        out.warnings[0]
            .message
            .contains("(403) (token lacks scope)")
    );
}

#[test]
fn not_found_falls_back_and_the_others_continue() {
    let wanted = vec![
        key("m5.large", "us-east-1", CapacityType::OnDemand),
        key("m5.large", "ap-south-2", CapacityType::OnDemand),
        key("x9.huge", "us-east-1", CapacityType::OnDemand),
        key("y9.huge", "us-east-1", CapacityType::OnDemand),
    ];
    let (_, out) = drive(client(wanted, PriceCache::default()), |r| {
        if r.url.contains("name=x9.huge") {
            ok(json!({"products": [{"id": "aws-ec2-x9_huge_2", "name": "x9.huge2"}]}))
        } else if r.url.contains("name=y9.huge") {
            status(404, b"not json")
        } else if r.url.contains("/prices") {
            ok(json!({"prices": [price("us-east-1", "linux", "on-demand", 0.096)]}))
        } else {
            ok(product("m5.large"))
        }
    });
    assert_eq!(out.requests, 4);
    let msgs: Vec<&str> = out.warnings.iter().map(|w| w.message.as_str()).collect();
    assert!(msgs.contains(&"Vantage has no price for m5.large in ap-south-2"));
    assert!(msgs.contains(&"Vantage has no price for x9.huge in us-east-1"));
    assert!(msgs.contains(&"Vantage has no price for y9.huge in us-east-1"));
    let states: Vec<TypeState> = out.statuses.iter().map(|s| s.state).collect();
    assert_eq!(
        states,
        [
            TypeState::NoPrice,
            TypeState::Fetched,
            TypeState::NoPrice,
            TypeState::NoPrice
        ]
    );
    assert_eq!(out.statuses[0].source, "next price source");
    // Not-found is cached too: a second run asks nothing.
    let (_, again) = drive(
        client(
            vec![key("y9.huge", "us-east-1", CapacityType::OnDemand)],
            out.cache,
        ),
        |_| panic!("no request expected"),
    );
    assert_eq!(again.requests, 0);
}

#[test]
fn rate_limited_waits_until_the_reset_then_resends() {
    let mut calls = 0;
    let (steps, out) = drive(
        client(
            vec![key("m5.large", "us-east-1", CapacityType::OnDemand)],
            PriceCache::default(),
        ),
        |r| {
            calls += 1;
            if calls == 1 {
                Ok(Response {
                    status: 429,
                    headers: vec![
                        ("x-rate-limit-remaining".to_owned(), "0".to_owned()),
                        ("x-rate-limit-reset".to_owned(), (NOW + 12).to_string()),
                    ],
                    body: Vec::new(),
                })
            } else if r.url.contains("/prices") {
                ok(json!({"prices": [price("us-east-1", "linux", "on-demand", 0.096)]}))
            } else {
                ok(product("m5.large"))
            }
        },
    );
    let waits: Vec<&Step> = steps
        .iter()
        .filter(|s| matches!(s, Step::Wait { .. }))
        .collect();
    assert_eq!(
        waits,
        [&Step::Wait {
            seconds: 12,
            reason: "Vantage rate limit reached (429): waiting 12 s until it resets".to_owned()
        }]
    );
    let reqs = sent(&steps);
    assert_eq!(reqs[0], reqs[1], "the same request is sent again");
    assert_eq!(out.requests, 3);
    assert_eq!(out.statuses[0].usd_per_hour, Some(0.096));
}

#[test]
fn rate_limit_with_a_far_reset_stops_and_a_spent_budget_is_not_used_up() {
    let (_, out) = drive(
        client(
            vec![key("m5.large", "us-east-1", CapacityType::OnDemand)],
            PriceCache::default(),
        ),
        |_| {
            Ok(Response {
                status: 429,
                headers: vec![("x-rate-limit-reset".to_owned(), (NOW + 3000).to_string())],
                body: b"{}".to_vec(),
            })
        },
    );
    assert_eq!(out.requests, 1);
    assert_eq!(out.warnings[0].code, "vantage_rate_limited");
    assert!(out.warnings[0].message.contains("resets in 3000 s"));

    // remaining reaches the reserve (5) with a far reset: stop before spending the rest.
    let wanted = vec![
        key("m5.large", "us-east-1", CapacityType::OnDemand),
        key("t3.medium", "us-east-1", CapacityType::OnDemand),
    ];
    let (_, out) = drive(client(wanted, PriceCache::default()), |r| {
        let mut resp = if r.url.contains("/prices") {
            ok(json!({"prices": [price("us-east-1", "linux", "on-demand", 0.096)]}))
        } else {
            ok(product("m5.large"))
        }
        .unwrap();
        resp.headers = vec![
            ("x-rate-limit-limit".to_owned(), "1000".to_owned()),
            ("x-rate-limit-remaining".to_owned(), "5".to_owned()),
            ("x-rate-limit-reset".to_owned(), (NOW + 3000).to_string()),
        ];
        Ok(resp)
    });
    assert_eq!(out.requests, 1);
    assert_eq!(out.warnings[0].code, "vantage_budget");
    assert!(
        out.warnings[0]
            .message
            .contains("(5 of 1000 requests left, resets in 3000 s)")
    );
    assert!(out.statuses.iter().all(|s| s.state == TypeState::Skipped));
}

#[test]
fn server_errors_and_timeouts_are_retried_a_bounded_number_of_times() {
    let mut calls = 0;
    let (steps, out) = drive(
        client(
            vec![key("m5.large", "us-east-1", CapacityType::OnDemand)],
            PriceCache::default(),
        ),
        |r| {
            calls += 1;
            match calls {
                1 => status(503, b"<html>"),
                2 => Err(TransportError::Timeout),
                _ if r.url.contains("/prices") => {
                    ok(json!({"prices": [price("us-east-1", "linux", "on-demand", 0.096)]}))
                }
                _ => ok(product("m5.large")),
            }
        },
    );
    assert_eq!(out.requests, 4);
    let waits: Vec<u64> = steps
        .iter()
        .filter_map(|s| match s {
            Step::Wait { seconds, .. } => Some(*seconds),
            _ => None,
        })
        .collect();
    assert_eq!(waits, [1, 2]);
    assert_eq!(out.statuses[0].state, TypeState::Fetched);

    let wanted = vec![
        key("m5.large", "us-east-1", CapacityType::OnDemand),
        key("t3.medium", "us-east-1", CapacityType::OnDemand),
    ];
    let (_, out) = drive(client(wanted, PriceCache::default()), |r| {
        if r.url.contains("m5.large") {
            status(500, br#"{"errors": ["boom"]}"#)
        } else if r.url.contains("/prices") {
            ok(json!({"prices": [price("us-east-1", "linux", "on-demand", 0.04)]}))
        } else {
            ok(product("t3.medium"))
        }
    });
    assert_eq!(out.requests, 3 + 2);
    assert_eq!(out.statuses[0].state, TypeState::Failed);
    assert_eq!(
        out.statuses[0].message.as_deref(),
        Some(
            "no Vantage price for m5.large: Vantage answered HTTP 500 (boom) (after 3 attempts); \
             its nodes use the next price source"
        )
    );
    assert_eq!(out.statuses[1].state, TypeState::Fetched);
}

#[test]
fn malformed_bodies_fail_that_type_only() {
    let wanted = vec![
        key("m5.large", "us-east-1", CapacityType::OnDemand),
        key("t3.medium", "us-east-1", CapacityType::OnDemand),
    ];
    for bad in [&b"<html>oops</html>"[..], b"", b"{}", b"\xff\xfe", b"null"] {
        let (_, out) = drive(client(wanted.clone(), PriceCache::default()), |r| {
            if r.url.contains("m5_large/prices") {
                status(200, bad)
            } else if r.url.contains("/prices") {
                ok(json!({"prices": [price("us-east-1", "linux", "on-demand", 0.04)]}))
            } else if r.url.contains("m5.large") {
                ok(product("m5.large"))
            } else {
                ok(product("t3.medium"))
            }
        });
        assert_eq!(out.statuses[0].state, TypeState::Failed, "{bad:?}");
        assert!(
            out.statuses[0]
                .message
                .as_deref()
                .unwrap()
                .contains("unreadable price page 1"),
            "{:?}",
            out.statuses[0]
        );
        assert_eq!(out.statuses[1].state, TypeState::Fetched);
    }
}

#[test]
fn warm_cache_sends_nothing_and_expires_after_the_ttl() {
    let wanted = vec![
        key("m5.large", "us-east-1", CapacityType::OnDemand),
        key("m5.large", "us-west-2", CapacityType::OnDemand),
    ];
    let (_, first) = drive(client(wanted.clone(), PriceCache::default()), |r| {
        if r.url.contains("/prices") {
            ok(
                json!({"prices": [price("us-east-1", "linux", "on-demand", 0.096),
                                 price("us-west-2", "linux", "on-demand", 0.097)]}),
            )
        } else {
            ok(product("m5.large"))
        }
    });
    assert_eq!(first.requests, 2);
    let json = first.cache.to_json();
    assert!(!json.contains("SECRET"));
    let (cache, problem) = PriceCache::from_json(json.as_bytes());
    assert_eq!(problem, None);

    let (steps, warm) = drive(client(wanted.clone(), cache.clone()), |_| {
        panic!("no request expected")
    });
    assert_eq!(warm.requests, 0);
    assert_eq!(progress(&steps), ["Cost data cached for m5.large"]);
    assert_eq!(warm.statuses[1].state, TypeState::Cached);
    assert_eq!(warm.statuses[1].source, "vantage cache");
    assert_eq!(warm.table.len(), 2);
    assert_eq!(
        warm.table.iter().next().unwrap().fetched_at.as_deref(),
        Some("2026-05-28T20:26:40Z")
    );

    // 25 hours later the entry is stale: fetched again.
    let later = Client::new(
        config(),
        Token::new(TOKEN),
        wanted.clone(),
        cache.clone(),
        NOW + 25 * 3600,
    );
    let (_, stale) = drive(later, |r| {
        if r.url.contains("/prices") {
            ok(json!({"prices": []}))
        } else {
            ok(product("m5.large"))
        }
    });
    assert_eq!(stale.requests, 2);

    // Another base URL does not share the entries.
    let other = Client::new(
        Config::new(ApiKind::V2, Some("http://127.0.0.1:1")),
        Token::new(TOKEN),
        wanted,
        cache,
        NOW,
    );
    let (_, out) = drive(other, |_| Err(TransportError::Network("refused".into())));
    assert_eq!(out.requests, 1);
    assert_eq!(out.warnings[0].code, "vantage_unreachable");

    for junk in [&b""[..], b"[]", b"{\"schema\": \"other\"}", b"\x00"] {
        let (c, problem) = PriceCache::from_json(junk);
        assert!(c.entries.is_empty() && problem.is_some());
    }
}

#[test]
fn a_blocked_browser_request_explains_cors() {
    let (_, out) = drive(
        client(
            vec![key("m5.large", "us-east-1", CapacityType::OnDemand)],
            PriceCache::default(),
        ),
        |_| Err(TransportError::Blocked),
    );
    assert_eq!(out.warnings[0].code, "vantage_blocked");
    assert_eq!(
        out.warnings[0].message,
        format!(
            "the browser blocked the request to {BASE} (CORS). Use `trunk serve` (its /vantage/ \
             proxy), point the base URL at a proxy, or run `kube-rightsize prices SNAPSHOT... \
             --vantage-token-env VAR -o prices.json` and import the file"
        )
    );
}

#[test]
fn v2_does_not_ask_for_other_clouds_and_the_instances_api_does() {
    let gcp = PriceKey {
        provider: Provider::Gcp,
        instance_type: "n2-standard-4".into(),
        region: "us-central1".into(),
        capacity_type: CapacityType::Spot,
    };
    let azure = PriceKey {
        provider: Provider::Azure,
        instance_type: "Standard_D4s_v5".into(),
        region: "eastus".into(),
        capacity_type: CapacityType::OnDemand,
    };
    let (_, out) = drive(
        client(vec![gcp.clone(), azure.clone()], PriceCache::default()),
        |_| panic!("no request expected"),
    );
    assert_eq!(out.requests, 0);
    assert!(
        out.statuses
            .iter()
            .all(|s| s.state == TypeState::NotCovered)
    );
    assert_eq!(out.warnings.len(), 2);

    let cfg = Config::new(ApiKind::Instances, Some(BASE));
    let aws = key("m5.large", "us-east-1", CapacityType::OnDemand);
    let c = Client::new(
        cfg,
        Token::new(TOKEN),
        vec![gcp, azure, aws],
        PriceCache::default(),
        NOW,
    );
    let (steps, out) = drive(c, |r| {
        let path = r.url.strip_prefix(BASE).unwrap();
        match path {
            "/api/v1/instances/azure/Standard_D4s_v5/global" => status(
                404,
                br#"{"code": "NOT_FOUND", "error": "Instance not found"}"#,
            ),
            "/api/v1/instances/azure/d4sv5/global" => ok(json!({"instance_type": "d4sv5",
                "vcpu": 4, "pricing": {"us-east": {"linux": {"ondemand": 0.192}}}})),
            "/api/v1/instances/gcp/n2-standard-4/global" => ok(json!({"pricing":
                {"us-central1": {"linux": {"ondemand": "0.1942", "spot": "0.0471"}}}})),
            "/api/v1/instances/ec2/m5.large/global" => ok(json!([{"instance_type": "m5.large",
                "pricing": {"us-east-1": {"linux": {"ondemand": "0.096", "spot_avg": "N/A"}}}}])),
            other => panic!("unexpected {other}"),
        }
    });
    assert_token_only_in_authorization(&steps);
    assert_eq!(out.requests, 4);
    let prices: Vec<(String, Option<f64>)> = out
        .statuses
        .iter()
        .map(|s| (s.instance_type.clone(), s.usd_per_hour))
        .collect();
    assert_eq!(
        prices,
        [
            ("m5.large".to_owned(), Some(0.096)),
            ("n2-standard-4".to_owned(), Some(0.0471)),
            ("Standard_D4s_v5".to_owned(), Some(0.192)),
        ]
    );
}

#[test]
fn token_checks() {
    let cfg = config();
    let t = Token::new(TOKEN);
    let ping = ping_request(&cfg, &t);
    assert_eq!(ping.url, format!("{BASE}/v2/ping"));
    assert_eq!(me_request(&cfg, &t).url, format!("{BASE}/v2/me"));
    assert!(check_ping(&status(200, b"").unwrap()).is_ok());
    let e = check_ping(&status(401, b"").unwrap()).unwrap_err();
    assert!(e.message.starts_with("Vantage rejected the token (401)"));
    let me = parse_me(
        &ok(json!({"bearer_token": {"description": "ci", "scope": ["read", "write"]}})).unwrap(),
    )
    .unwrap();
    assert_eq!(me.description.as_deref(), Some("ci"));
    assert_eq!(me.warnings()[0].code, "vantage_token_write_scope");
    let read_only = parse_me(&ok(json!({"bearer_token": {"scope": ["read"]}})).unwrap()).unwrap();
    assert!(read_only.warnings().is_empty());
    assert!(parse_me(&status(200, b"nope").unwrap()).is_err());
}

#[test]
fn never_panics_on_odd_answers() {
    let bodies: [&[u8]; 8] = [
        b"",
        b"[]",
        b"{\"products\": null}",
        b"{\"products\": [{\"id\": 1, \"name\": []}]}",
        b"{\"products\": [{\"id\": \"p\", \"name\": \"m5.large\"}], \"links\": 5}",
        b"{\"prices\": [{\"amount\": -1, \"unit\": \"hour\"}]}",
        b"\"string\"",
        b"{\"prices\": [], \"links\": {\"next\": \"\"}}",
    ];
    for (i, a) in bodies.iter().enumerate() {
        for (j, b) in bodies.iter().enumerate() {
            for code in [200u16, 204, 301, 400, 404, 418, 429, 502] {
                let c = client(
                    vec![key("m5.large", "us-east-1", CapacityType::OnDemand)],
                    PriceCache::default(),
                );
                let (_, out) = drive(c, |r| {
                    let body = if r.url.contains("/prices") { b } else { a };
                    if code == 429 {
                        status(200, body)
                    } else if i == j {
                        status(code, body)
                    } else {
                        status(200, body)
                    }
                });
                assert_eq!(out.statuses.len(), 1);
            }
        }
    }
}

#[test]
fn vantage_prices_reach_the_report() {
    let snapshot = std::fs::read(format!(
        "{}/tests/fixtures/eks-managed-ondemand.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let cluster = ingest::ingest(&[Input::new("eks.json", &snapshot)]).unwrap();
    let wanted = wanted_prices(&cluster, &Default::default());
    assert!(!wanted.is_empty());
    let types: std::collections::BTreeSet<String> =
        wanted.iter().map(|k| k.instance_type.clone()).collect();
    let (_, out) = drive(client(wanted.clone(), PriceCache::default()), |r| {
        if r.url.contains("/prices") {
            let regions: Vec<Value> = wanted
                .iter()
                .map(|k| price(&k.region, "linux", "on-demand", 1.2345))
                .collect();
            ok(json!({ "prices": regions }))
        } else {
            let name = types
                .iter()
                .find(|t| r.url.contains(&format!("name={t}&")))
                .unwrap();
            ok(product(name))
        }
    });
    assert_eq!(out.requests as usize, 2 * types.len());
    let settings = Settings {
        vantage: out.table,
        ..Settings::default()
    };
    let analysis = analysis::analyze_cluster(cluster, &settings, None, "2026-05-28T00:00:00Z");
    let priced: Vec<PriceSource> = analysis
        .costs
        .nodes
        .iter()
        .map(|n| n.price.source)
        .collect();
    assert!(priced.contains(&PriceSource::Vantage), "{priced:?}");
    for n in &analysis.costs.nodes {
        if n.price.source == PriceSource::Vantage {
            assert_eq!(n.hourly_price, 1.2345);
        }
    }
}

#[test]
fn a_server_that_lets_every_attempt_time_out_stops_the_run() {
    // Without this, a hung server costs (1 + retries) × timeout for every instance type.
    let wanted = vec![
        key("m5.large", "us-east-1", CapacityType::OnDemand),
        key("t3.medium", "us-east-1", CapacityType::OnDemand),
        key("c5.xlarge", "us-east-1", CapacityType::OnDemand),
    ];
    let (_, out) = drive(client(wanted, PriceCache::default()), |_| {
        Err(TransportError::Timeout)
    });
    assert_eq!(out.requests, 3, "one type's attempts, then stop");
    assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
    assert_eq!(out.warnings[0].code, "vantage_timeout");
    assert!(
        out.warnings[0]
            .message
            .contains("did not answer in time (3 attempts for m5.large)"),
        "{}",
        out.warnings[0].message
    );
    assert!(out.statuses.iter().all(|s| s.state == TypeState::Skipped));
    assert!(out.table.is_empty());
}
