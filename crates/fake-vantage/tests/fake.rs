//! The fake speaks the documented API (checked with a raw HTTP/1.1 client on 127.0.0.1).

use std::io::{Read, Write};
use std::net::TcpStream;

use kube_rightsize_fake_vantage::{Config, Cors, DEFAULT_TOKEN, ErrorBody, start};
use serde_json::Value;

struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("JSON body")
    }
}

fn call(url: &str, method: &str, path: &str, token: Option<&str>) -> Answer {
    let addr = url.strip_prefix("http://").unwrap();
    let mut s = TcpStream::connect(addr).unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines.next().unwrap().split_whitespace().nth(1).unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Answer {
        status: status.parse().unwrap(),
        headers,
        body: body.to_owned(),
    }
}

fn get(url: &str, path: &str) -> Answer {
    call(url, "GET", path, Some(DEFAULT_TOKEN))
}

#[test]
fn products_and_prices_as_documented() {
    let fake = start(Config {
        max_page_size: 5,
        ..Config::default()
    })
    .unwrap();
    let url = fake.url();
    let a = get(
        &url,
        "/v2/products?service_id=aws-ec2&name=m5.large&limit=1000",
    );
    assert_eq!(a.status, 200);
    let v = a.json();
    assert_eq!(v["products"].as_array().unwrap().len(), 1);
    assert_eq!(v["products"][0]["id"], "aws-ec2-m5_large");
    assert_eq!(v["links"]["next"], Value::Null);
    assert!(
        v["links"]["self"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{url}/v2/products?"))
    );
    // Exact names only.
    let v = get(&url, "/v2/products?name=m5").json();
    assert!(v["products"].as_array().unwrap().is_empty());

    // 19 prices in pages of 5: 4 pages, absolute links, next null on the last.
    let p1 = get(
        &url,
        "/v2/products/aws-ec2-m5_large/prices?limit=1000&page=1",
    )
    .json();
    assert_eq!(p1["prices"].as_array().unwrap().len(), 5);
    assert_eq!(
        p1["links"]["next"],
        format!("{url}/v2/products/aws-ec2-m5_large/prices?limit=1000&page=2")
    );
    assert_eq!(p1["links"]["prev"], Value::Null);
    let p4 = get(
        &url,
        "/v2/products/aws-ec2-m5_large/prices?limit=1000&page=4",
    )
    .json();
    assert_eq!(p4["prices"].as_array().unwrap().len(), 4);
    assert_eq!(p4["links"]["next"], Value::Null);
    let price = &p1["prices"][1];
    let id = price["id"].as_str().unwrap();
    assert_eq!(
        get(&url, &format!("/v2/products/aws-ec2-m5_large/prices/{id}")).json()["id"],
        id
    );
    assert_eq!(get(&url, "/v2/products/aws-ec2-nope/prices").status, 404);
    assert_eq!(
        get(&url, "/v2/products/aws-ec2-m5_large/prices/nope").status,
        404
    );
    assert_eq!(get(&url, "/v2/products/aws-ec2-m5_large").status, 200);
    assert_eq!(get(&url, "/v2/products?limit=1001").status, 400);
    assert_eq!(get(&url, "/v2/ping").status, 200);
    assert_eq!(
        get(&url, "/v2/me").json()["bearer_token"]["scope"],
        serde_json::json!(["read"])
    );
    assert_eq!(
        get(&url, "/api/v1/instances/azure/d4sv5/global").json()["instance_type"],
        "d4sv5"
    );
    let nf = get(&url, "/api/v1/instances/azure/Standard_D4s_v5/global");
    assert_eq!(nf.status, 404);
    assert_eq!(nf.json()["code"], "NOT_FOUND");
    assert_eq!(fake.count("/v2/products"), 9);
}

#[test]
fn auth_rate_limits_and_cors() {
    let fake = start(Config {
        budget: 2,
        ..Config::default()
    })
    .unwrap();
    let url = fake.url();
    let a = call(&url, "GET", "/v2/ping", None);
    assert_eq!(a.status, 401);
    assert_eq!(a.json()["errors"][0], "Unauthorized");
    assert_eq!(call(&url, "GET", "/v2/ping", Some("wrong")).status, 401);
    let a = get(&url, "/v2/ping");
    assert_eq!(a.header("x-rate-limit-limit"), Some("2"));
    assert_eq!(a.header("x-rate-limit-remaining"), Some("1"));
    assert!(
        a.header("x-rate-limit-reset")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > 1_700_000_000
    );
    assert_eq!(a.header("access-control-allow-origin"), Some("*"));
    assert!(
        a.header("access-control-expose-headers")
            .unwrap()
            .contains("x-rate-limit-remaining")
    );
    assert_eq!(get(&url, "/v2/ping").status, 200);
    let limited = get(&url, "/v2/ping");
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("x-rate-limit-remaining"), Some("0"));

    let pre = call(&url, "OPTIONS", "/v2/products", None);
    assert_eq!(pre.status, 204);
    assert!(
        pre.header("access-control-allow-headers")
            .unwrap()
            .contains("authorization")
    );
    fake.configure(|c| c.cors = Cors::RejectPreflight);
    assert_eq!(call(&url, "OPTIONS", "/v2/products", None).status, 405);
    fake.configure(|c| c.cors = Cors::Off);
    let off = call(&url, "OPTIONS", "/v2/products", None);
    assert_eq!(off.header("access-control-allow-origin"), None);
    // The log saw every request and its headers.
    let log = fake.requests();
    assert_eq!(log.len(), 8);
    assert_eq!(
        log[2]
            .headers
            .iter()
            .filter(|(k, _)| k == "Authorization")
            .count(),
        1
    );
}

#[test]
fn switchable_failures_and_tolerance_cases() {
    let fake = start(Config {
        fail_first: 1,
        fail_status: 503,
        error_body: ErrorBody::Empty,
        missing_links: true,
        unknown_fields: true,
        empty_details: true,
        write_scope: true,
        ..Config::default()
    })
    .unwrap();
    let url = fake.url();
    let a = get(&url, "/v2/products?name=m5.large");
    assert_eq!((a.status, a.body.as_str()), (503, ""));
    let v = get(&url, "/v2/products?name=m5.large").json();
    assert!(v.get("links").is_none());
    assert!(v.get("meta").is_some());
    assert_eq!(v["products"][0]["details"], serde_json::json!({}));
    assert_eq!(
        get(&url, "/v2/me").json()["bearer_token"]["scope"],
        serde_json::json!(["read", "write"])
    );
    fake.configure(|c| {
        c.missing_links = false;
        c.endless_pages = true;
    });
    let v = get(&url, "/v2/products/aws-ec2-m5_large/prices?page=50").json();
    assert!(v["links"]["next"].as_str().unwrap().ends_with("page=51"));
    fake.configure(|c| {
        c.malformed_prices = true;
        c.force_status = None;
    });
    let a = get(&url, "/v2/products/aws-ec2-m5_large/prices");
    assert_eq!(a.status, 200);
    assert!(serde_json::from_str::<Value>(&a.body).is_err());
    fake.configure(|c| {
        c.force_status = Some(500);
        c.error_body = ErrorBody::Text;
    });
    let a = get(&url, "/v2/ping");
    assert_eq!(a.status, 500);
    assert!(a.body.starts_with("<html>"));
}
