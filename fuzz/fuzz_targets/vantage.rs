//! The Vantage client (API v2 and the Instances API) driven to the end with arbitrary
//! responses: statuses, rate-limit headers, bodies and transport errors. It must finish in a
//! bounded number of steps, ask for bounded waits, and never put the token anywhere but the
//! `Authorization` header.
#![no_main]

use std::sync::OnceLock;

use kube_rightsize_core::analysis::{Settings, analyze_cluster};
use kube_rightsize_core::cluster::Cluster;
use kube_rightsize_core::ingest::{Input, ingest};
use kube_rightsize_core::pricing::vantage::cache::PriceCache;
use kube_rightsize_core::pricing::vantage::{
    ApiKind, Client, Config, Response, Step, Token, TransportError, check_ping, parse_me,
    wanted_prices,
};
use libfuzzer_sys::fuzz_target;

const TOKEN: &str = "vntg_tkn_FUZZSECRET42";
const CLUSTER: &[u8] = include_bytes!("../../crates/core/tests/fixtures/cost/mixed.json");

fn cluster() -> &'static Cluster {
    static C: OnceLock<Cluster> = OnceLock::new();
    C.get_or_init(|| ingest(&[Input::new("mixed.json", CLUSTER)]).expect("fixture ingests"))
}

/// One answer: a control byte, then the body up to the next separator. The control byte picks
/// the status (or a transport error) and the rate-limit headers.
fn response(part: &[u8]) -> Result<Response, TransportError> {
    let Some((&c, body)) = part.split_first() else {
        return Err(TransportError::Network("fuzz input exhausted".to_owned()));
    };
    let status = match c % 16 {
        0..=7 => 200,
        8 => return Err(TransportError::Timeout),
        9 => return Err(TransportError::Blocked),
        10 => 429,
        11 => 404,
        12 => 500 + u16::from(c >> 4),
        13 => 401 + u16::from(c >> 7) * 2,
        14 => 300 + u16::from(c),
        _ => u16::from(c) * 3,
    };
    let mut headers = Vec::new();
    if c & 0x10 != 0 {
        headers.push(("x-rate-limit-remaining".to_owned(), (c >> 5).to_string()));
        headers.push(("X-Rate-Limit-Limit".to_owned(), "100".to_owned()));
    }
    if c & 0x20 != 0 {
        // Sometimes a reset in the past, sometimes far away, sometimes not a number.
        let reset = match c >> 6 {
            0 => "0".to_owned(),
            1 => "1700000030".to_owned(),
            2 => "99999999999999999999".to_owned(),
            _ => "soon".to_owned(),
        };
        headers.push(("x-rate-limit-reset".to_owned(), reset));
    }
    Ok(Response {
        status,
        headers,
        body: body.to_vec(),
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&head, rest)) = data.split_first() else {
        return;
    };
    let api = if head & 1 == 0 {
        ApiKind::V2
    } else {
        ApiKind::Instances
    };
    let config = Config::new(api, Some("http://127.0.0.1:1/vantage"));
    let token = Token::new(TOKEN);
    let parts = kube_rightsize_fuzz::split(rest, 200);
    let mut answers = parts.into_iter();

    // The token check endpoints on the first answer.
    if let Some(first) = answers.clone().next()
        && let Ok(r) = response(first)
    {
        if let Err(e) = check_ping(&r) {
            assert!(!format!("{e:?}").contains(TOKEN));
        }
        if let Ok(info) = parse_me(&r) {
            let _ = info.warnings();
        }
    }

    // The same bytes as a price cache file.
    let (cache, _) = PriceCache::from_json(rest);
    let _ = cache.to_json();

    let now = 1_700_000_000;
    let mut client = Client::new(
        config.clone(),
        token,
        wanted_prices(cluster(), &Default::default()),
        PriceCache::default(),
        now,
    );
    let mut steps = 0u32;
    loop {
        steps += 1;
        assert!(steps < 10_000, "the client does not finish");
        match client.next_step() {
            Step::Send(request) => {
                assert!(!request.url.contains(TOKEN), "token in a URL");
                assert!(!format!("{request:?}").contains(TOKEN), "token in Debug");
                let result = match answers.next() {
                    Some(part) => response(part),
                    None => Err(TransportError::Network("no more answers".to_owned())),
                };
                client.receive(now + i64::from(steps), result);
            }
            Step::Wait { seconds, reason } => {
                assert!(
                    seconds <= config.max_wait_seconds,
                    "waits {seconds} s: {reason}"
                );
            }
            Step::Progress(message) => assert!(!message.contains(TOKEN)),
            Step::Done => break,
        }
    }
    let outcome = client.finish();
    // Whatever came back prices the cluster without breaking any output.
    let analysis = analyze_cluster(
        cluster().clone(),
        &Settings {
            vantage: outcome.table.clone(),
            ..Settings::default()
        },
        None,
        "2026-01-01T00:00:00Z",
    );
    kube_rightsize_fuzz::render_everything(&analysis.report);
    let shown = format!("{outcome:?}");
    assert!(!shown.contains(TOKEN), "token in the outcome");
    assert!(
        !outcome.cache.to_json().contains(TOKEN),
        "token in the cache"
    );
    for entry in outcome.table.iter() {
        assert!(
            entry.usd_per_hour.is_finite() && entry.usd_per_hour > 0.0,
            "Vantage price {entry:?}"
        );
    }
});
