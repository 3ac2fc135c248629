//! Proof that the shells agree (issue 22, item 6), the app's half (wasm-bindgen-test in headless
//! Chromium): every case of the matrix runs through the worker's path, [`engine::run`] (here on
//! the page's thread, with a `FakeHost` for the catalogue and Prometheus), and its report,
//! exported as JSON as the app's export bar does it (`report::export::render`), must equal
//! `tests/matrix/<case>.json`, the file `crates/cli/tests/matrix.rs` requires the CLI's
//! `--format json` to equal. Both equal one file, so the shells agree.
//!
//! The cases are the CLI half's, with the same bytes under the names the CLI gives them (the
//! file name). Prometheus answers come from `tests/matrix/inputs/prometheus-answers.json`, as
//! the CLI half's fake server serves them. Vantage answers come from the fake Vantage itself:
//! its `Responder` is what the CLI half's server answers with, here called without a socket
//! (`http://vantage.test`, the URL the CLI half writes its server's as), a fresh one per case.
//! The prices' fetch time (the clock during the run) is written as `<fetch time>`, as the CLI
//! half does.
//!
//! Also here: the CronJob drift (the CLI table's pod count against the app's Workloads table),
//! and the types with a manual price not asked of Vantage (the fake's request log).
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;

use kube_rightsize_app::engine::{
    self, Host, PrometheusRequest, Reply, Request, Secret, VantageRequest,
};
use kube_rightsize_core::http::{Request as HttpRequest, Response, TransportError};
use kube_rightsize_core::preferences::Preferences;
use kube_rightsize_core::pricing::vantage::ApiKind;
use kube_rightsize_core::prometheus::percent_encode;
use kube_rightsize_core::recommend::StrategyName;
use kube_rightsize_core::time::rfc3339_utc;
use kube_rightsize_fake_vantage::{self as fake_vantage, DEFAULT_TOKEN, LoggedRequest, Responder};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const GENERATED_AT: &str = "2026-01-31T12:00:00Z";
/// The Prometheus URL of the reports (the CLI half writes its fake server's URL like this).
const PROMETHEUS_URL: &str = "http://prometheus.test";
const CATALOGUE: &[u8] = include_bytes!("../crates/core/data/catalogue.bin");
const ANSWERS: &str = include_str!("matrix/inputs/prometheus-answers.json");
/// The Vantage base URL of the reports (the CLI half writes its fake server's URL like this).
const VANTAGE_URL: &str = "http://vantage.test";
/// How the reports show the time the Vantage prices were fetched (the CLI half's too).
const FETCHED_AT: &str = "<fetch time>";

const MIXED: &[u8] = include_bytes!("../crates/core/tests/fixtures/cost/mixed.json");
const KRR_CLUSTER: &[u8] = include_bytes!("../crates/core/tests/fixtures/krr/cluster.json");
const KRR_SMALL: &[u8] = include_bytes!("../crates/core/tests/fixtures/krr/small.json");
const METRICS: &[u8] = include_bytes!("../crates/core/tests/fixtures/usage/metrics.json");
const TOP: &[u8] = include_bytes!("../crates/core/tests/fixtures/usage/top-all.txt");
/// The core's price file fixture without its first line, a `#` comment (see
/// [`a_price_file_with_a_comment_first_is_a_price_file`]).
const PRICES_CSV: &[u8] = include_bytes!("matrix/inputs/prices.csv");
const PRICES_CSV_COMMENTED: &[u8] = include_bytes!("../crates/core/tests/fixtures/cost/prices.csv");
const CRONJOB: &[u8] = include_bytes!("matrix/inputs/cronjob.json");

/// One case: its name (golden file `tests/matrix/<name>.json`, included), its inputs (name,
/// bytes) in the CLI's order, the manual prices field, whether Prometheus is the source and
/// whether Vantage is asked (the fake's default token, at [`VANTAGE_URL`], no cache).
struct Case {
    name: &'static str,
    golden: &'static str,
    inputs: Vec<(&'static str, &'static [u8])>,
    manual_prices: &'static str,
    prometheus: bool,
    vantage: bool,
}

/// The matrix: the CLI half's cases (`crates/cli/tests/matrix.rs`), in the same order.
fn cases() -> Vec<Case> {
    let case = |name, golden, inputs| Case {
        name,
        golden,
        inputs,
        manual_prices: "",
        prometheus: false,
        vantage: false,
    };
    vec![
        // 1. A snapshot alone.
        case(
            "snapshot",
            include_str!("matrix/snapshot.json"),
            vec![("mixed.json", MIXED)],
        ),
        // 2. With KRR's result for it.
        case(
            "krr",
            include_str!("matrix/krr.json"),
            vec![("cluster.json", KRR_CLUSTER), ("small.json", KRR_SMALL)],
        ),
        // 3. With one usage sample (metrics API, `kubectl top`).
        case(
            "usage-metrics",
            include_str!("matrix/usage-metrics.json"),
            vec![("cluster.json", KRR_CLUSTER), ("metrics.json", METRICS)],
        ),
        case(
            "usage-top",
            include_str!("matrix/usage-top.json"),
            vec![("cluster.json", KRR_CLUSTER), ("top-all.txt", TOP)],
        ),
        // 4. With a price file.
        case(
            "price-file",
            include_str!("matrix/price-file.json"),
            vec![("mixed.json", MIXED), ("prices.csv", PRICES_CSV)],
        ),
        // 5. With manual prices (the CLI: `--price m5.large=0.05 --price n2-standard-4=0.2`).
        Case {
            manual_prices: "m5.large=0.05\nn2-standard-4=0.2",
            ..case(
                "manual-prices",
                include_str!("matrix/manual-prices.json"),
                vec![("mixed.json", MIXED)],
            )
        },
        // 6. With Prometheus: empty answers, and a recorded series for payments/api's app.
        Case {
            prometheus: true,
            ..case(
                "prometheus-empty",
                include_str!("matrix/prometheus-empty.json"),
                vec![("mixed.json", MIXED)],
            )
        },
        Case {
            prometheus: true,
            ..case(
                "prometheus-series",
                include_str!("matrix/prometheus-series.json"),
                vec![("cluster.json", KRR_CLUSTER)],
            )
        },
        // 7. With Vantage from the fake (API v2): the AWS types it sells priced by it; and
        //    with a manual price for m5.large, which Vantage is then not asked for.
        Case {
            vantage: true,
            ..case(
                "vantage",
                include_str!("matrix/vantage.json"),
                vec![("mixed.json", MIXED)],
            )
        },
        Case {
            vantage: true,
            manual_prices: "m5.large=0.05",
            ..case(
                "vantage-manual-price",
                include_str!("matrix/vantage-manual-price.json"),
                vec![("mixed.json", MIXED)],
            )
        },
        //
        // The CronJob drift's snapshot.
        case(
            "cronjob",
            include_str!("matrix/cronjob.json"),
            vec![("cronjob.json", CRONJOB)],
        ),
    ]
}

/// The catalogue as the page serves it, Prometheus from the recorded answers, Vantage from the
/// fake Vantage's [`Responder`]; any other request fails the test.
struct FakeHost {
    vantage: RefCell<Responder>,
}

impl FakeHost {
    fn new() -> FakeHost {
        FakeHost {
            vantage: RefCell::new(Responder::new(fake_vantage::Config::default(), VANTAGE_URL)),
        }
    }
}

fn unix_seconds() -> i64 {
    (js_sys::Date::now() / 1000.0).floor() as i64
}

/// The recorded body for a Prometheus query URL (the CLI half's fake server's rule).
fn answer(url: &str) -> String {
    let answers: serde_json::Value = serde_json::from_str(ANSWERS).expect("answers JSON");
    let body = answers["answers"]
        .as_array()
        .expect("answers")
        .iter()
        .find(|a| {
            a["when"]
                .as_array()
                .expect("when")
                .iter()
                .all(|w| url.contains(&percent_encode(w.as_str().expect("a string"))))
        })
        .map_or(&answers["default"], |a| &a["body"]);
    body.to_string()
}

impl Host for FakeHost {
    async fn fetch(
        &self,
        request: &HttpRequest,
        _timeout_ms: u32,
    ) -> Result<Response, TransportError> {
        let url = request.url.as_str();
        if let Some(target) = url.strip_prefix(VANTAGE_URL).filter(|t| t.starts_with('/')) {
            let answer = self.vantage.borrow_mut().respond(
                request.method,
                target,
                request.headers.clone(),
                u64::try_from(unix_seconds()).unwrap_or(0),
            );
            let mut headers = answer.headers;
            if !answer.body.is_empty() {
                headers.push(("Content-Type".to_owned(), answer.content_type.to_owned()));
            }
            return Ok(Response {
                status: answer.status,
                headers,
                body: answer.body,
            });
        }
        let body = if url == engine::CATALOGUE_URL {
            CATALOGUE.to_vec()
        } else {
            assert!(
                url.starts_with(&format!("{PROMETHEUS_URL}/api/v1/query?query=")),
                "{url}"
            );
            answer(url).into_bytes()
        };
        Ok(Response {
            status: 200,
            headers: Vec::new(),
            body,
        })
    }
    async fn progress(&self, _progress: &kube_rightsize_app::engine::Progress) -> Result<(), ()> {
        Ok(())
    }
    fn now(&self) -> f64 {
        kube_rightsize_app::net::now_ms()
    }
}

/// `None` when equal, else where the texts first differ (line number, a few lines before it,
/// both versions of the line).
fn first_difference(want: &str, got: &str) -> Option<String> {
    if want == got {
        return None;
    }
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let Some(i) = (0..w.len().max(g.len())).find(|&i| w.get(i) != g.get(i)) else {
        return Some("the texts differ only in their line endings".to_owned());
    };
    let context: String = w[i.saturating_sub(3)..i.min(w.len())]
        .iter()
        .map(|l| format!("    {l}\n"))
        .collect();
    Some(format!(
        "first difference at line {} (- the file, + this run):\n{context}  - {}\n  + {}",
        i + 1,
        w.get(i).unwrap_or(&"<end of file>"),
        g.get(i).unwrap_or(&"<end of output>")
    ))
}

/// `json` with the time stamps of the seconds `from..=to` (the run's: the Vantage prices' fetch
/// time) written as [`FETCHED_AT`], as the CLI half does.
fn fetch_times_hidden(json: &str, from: i64, to: i64) -> String {
    (from..=to).fold(json.to_owned(), |json, t| {
        json.replace(&rfc3339_utc(t), FETCHED_AT)
    })
}

/// The report JSON of `case` through the worker's path, as the page receives it (fetch times
/// hidden), and the requests the fake Vantage saw; or why the engine stopped.
async fn app_report(case: &Case) -> Result<(String, Vec<LoggedRequest>), String> {
    let request = Request {
        input_names: case.inputs.iter().map(|(n, _)| (*n).to_owned()).collect(),
        preferences: Preferences {
            manual_prices: case.manual_prices.to_owned(),
            ..Preferences::default()
        }
        .to_json(),
        vantage_prices: None,
        vantage: case.vantage.then(|| VantageRequest {
            api: ApiKind::V2,
            base_url: VANTAGE_URL.to_owned(),
            token: Secret(DEFAULT_TOKEN.to_owned()),
            cache: None,
        }),
        prometheus: case.prometheus.then(|| PrometheusRequest {
            url: format!("{PROMETHEUS_URL}/"),
            strategy: StrategyName::Simple,
            cluster: None,
        }),
        generated_at: GENERATED_AT.to_owned(),
        clusters: Default::default(),
    };
    let inputs: Vec<(String, Vec<u8>)> = case
        .inputs
        .iter()
        .map(|(n, b)| ((*n).to_owned(), b.to_vec()))
        .collect();
    let host = FakeHost::new();
    let from = unix_seconds();
    let reply = engine::run(&request, &inputs, &host)
        .await
        .map_err(|e| format!("{}: the engine stopped: {e:?}", case.name))?;
    let to = unix_seconds();
    assert!(
        reply.preference_errors.is_empty(),
        "{}: {:?}",
        case.name,
        reply.preference_errors
    );
    // The worker posts the reply as JSON; the page reads it back.
    let posted = serde_json::to_string(&reply).expect("reply JSON");
    let page: Reply = serde_json::from_str(&posted).expect("reply from JSON");
    let requests = host.vantage.borrow().requests().to_vec();
    // As the export bar renders it (no name typed: the cluster is named from the inputs).
    let json = kube_rightsize_core::report::export::render(
        &page.report,
        &kube_rightsize_core::report::export::ExportOptions {
            format: kube_rightsize_core::report::export::ExportFormat::Json,
            cluster_name: None,
            inputs: page.inputs.clone(),
            anonymise_key: None,
            explain_nodes: false,
        },
    );
    Ok((fetch_times_hidden(&json, from, to), requests))
}

/// What the fake Vantage saw in `case` (the CLI half checks its server's log the same way):
/// nothing without Vantage; with it, only answered requests with the token, and never one for
/// the type with a manual price (the core's `wanted_prices`). A failure for people, if any.
fn check_vantage_requests(case: &Case, requests: &[LoggedRequest]) -> Option<String> {
    let bearer = format!("Bearer {DEFAULT_TOKEN}");
    let want: &[&str] = match case.name {
        _ if !case.vantage => &[],
        "vantage-manual-price" => &["c5.large", "m5.xlarge", "t3.medium"],
        _ => &["c5.large", "m5.large", "m5.xlarge", "t3.medium"],
    };
    let asked = fake_vantage::products_asked(requests);
    let fine = asked == want
        && requests.iter().all(|r| {
            r.status == 200
                && r.headers
                    .iter()
                    .any(|(k, v)| k.eq_ignore_ascii_case("authorization") && *v == bearer)
        })
        && (case.manual_prices.is_empty()
            || requests
                .iter()
                .all(|r| !r.path.contains("m5_large") && !r.query.contains("m5.large")));
    (!fine).then(|| {
        let seen: Vec<String> = requests
            .iter()
            .map(|r| format!("{} {}?{} → {}", r.method, r.path, r.query, r.status))
            .collect();
        format!(
            "{}: the fake Vantage saw product lookups for {asked:?}, not {want:?}, or a request \
             that was not answered or had no token, or one for the manually priced m5.large: \
             {seen:#?}",
            case.name
        )
    })
}

/// `case`'s report against its golden file, and the requests Vantage saw: mismatches for
/// people, if any.
async fn check(case: &Case) -> Option<String> {
    match app_report(case).await {
        Ok((got, requests)) => {
            let report = first_difference(case.golden, &got).map(|d| {
                format!(
                    "{}: the app's report is not tests/matrix/{}.json, which the CLI gives; {d}",
                    case.name, case.name
                )
            });
            let failures: Vec<String> = report
                .into_iter()
                .chain(check_vantage_requests(case, &requests))
                .collect();
            (!failures.is_empty()).then(|| failures.join("\n"))
        }
        Err(e) => Some(e),
    }
}

#[wasm_bindgen_test]
async fn the_worker_path_gives_the_matrix_reports() {
    let mut failures = Vec::new();
    for case in cases() {
        failures.extend(check(&case).await);
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

/// The core's price file fixture starts with a `#` comment line: the CLI reads it with
/// `--prices` (its half checks it gives `price-file.json` too), the app must recognise it as a
/// price file from its bytes.
#[wasm_bindgen_test]
async fn a_price_file_with_a_comment_first_is_a_price_file() {
    let case = Case {
        name: "price-file (with a comment line first)",
        golden: include_str!("matrix/price-file.json"),
        inputs: vec![("mixed.json", MIXED), ("prices.csv", PRICES_CSV_COMMENTED)],
        manual_prices: "",
        prometheus: false,
        vantage: false,
    };
    if let Some(failure) = check(&case).await {
        panic!("{failure}");
    }
}

// ── The CronJob drift: the CLI table's pod count against the app's Workloads table ────────

fn host() -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    host.unchecked_into()
}

async fn tick(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Polls `done` every 10 ms until it holds or 60 s pass; returns whether it held.
async fn until(mut done: impl FnMut() -> bool) -> bool {
    let performance = web_sys::window().unwrap().performance().unwrap();
    let deadline = performance.now() + 60_000.0;
    while performance.now() < deadline {
        if done() {
            return true;
        }
        tick(10).await;
    }
    done()
}

fn paste_text(host: &web_sys::HtmlElement, text: &str) {
    let data = web_sys::DataTransfer::new().unwrap();
    data.set_data("text", text).unwrap();
    let init = web_sys::ClipboardEventInit::new();
    init.set_clipboard_data(Some(&data));
    init.set_bubbles(true);
    init.set_cancelable(true);
    let paste = web_sys::ClipboardEvent::new_with_event_init_dict("paste", &init).unwrap();
    host.query_selector("#paste")
        .unwrap()
        .unwrap()
        .dispatch_event(&paste)
        .unwrap();
}

/// The cells of each row of `#<id>-table`'s body.
fn table_rows(host: &web_sys::HtmlElement, id: &str) -> Vec<Vec<String>> {
    let rows = host
        .query_selector_all(&format!("#{id}-table tbody tr"))
        .unwrap();
    (0..rows.length())
        .filter_map(|i| rows.item(i))
        .map(|row| {
            let cells = row.unchecked_into::<web_sys::Element>().children();
            (0..cells.length())
                .filter_map(|j| cells.item(j))
                .map(|c| c.text_content().unwrap_or_default())
                .collect()
        })
        .collect()
}

/// Drift (b) of issue 22: the CronJob of `tests/matrix/inputs/cronjob.json` (two pods, one
/// finished) has the same pod count in the app's Workloads table as in the CLI's table
/// (`tests/matrix/cronjob.table.txt`, checked against the CLI by its half).
#[wasm_bindgen_test]
async fn the_cronjobs_pod_count_is_the_cli_tables() {
    let table = include_str!("matrix/cronjob.table.txt");
    let cli_row = table
        .lines()
        .find(|l| l.contains(" CronJob ") && l.contains(" nightly "))
        .expect("the CLI table has the CronJob's row");
    // NAMESPACE KIND WORKLOAD PODS …, where PODS may read `1 of 2`.
    let words: Vec<&str> = cli_row.split_whitespace().collect();
    let cli_pods = if words.get(4) == Some(&"of") {
        words[3..6].join(" ")
    } else {
        words[3].to_owned()
    };

    let host = host();
    let handle = leptos::mount::mount_to(host.clone(), || {
        provide_context(kube_rightsize_app::local_engine());
        view! { <kube_rightsize_app::App /> }
    });
    paste_text(&host, std::str::from_utf8(CRONJOB).unwrap());
    assert!(
        until(|| host.query_selector(".chip").unwrap().is_some()).await,
        "the paste became an input"
    );
    host.query_selector("#analyze")
        .unwrap()
        .expect("Analyze")
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
    assert!(
        until(|| host.query_selector("#workloads-table").unwrap().is_some()).await,
        "the Workloads table is shown"
    );
    let header: Vec<String> = {
        let list = host
            .query_selector_all("#workloads-table thead th")
            .unwrap();
        (0..list.length())
            .filter_map(|i| list.item(i))
            .map(|n| n.text_content().unwrap_or_default())
            .collect()
    };
    let pods_column = header
        .iter()
        .position(|h| h.trim_start().starts_with("Pods"))
        .unwrap_or_else(|| panic!("a Pods column in {header:?}"));
    let rows = table_rows(&host, "workloads");
    let row = rows
        .iter()
        .find(|r| r.iter().any(|c| c == "CronJob") && r.iter().any(|c| c == "nightly"))
        .unwrap_or_else(|| panic!("the CronJob's row in {rows:?}"));
    assert_eq!(
        row[pods_column], cli_pods,
        "the CronJob's pods: app {row:?}, CLI `{cli_row}`"
    );
    drop(handle);
}
