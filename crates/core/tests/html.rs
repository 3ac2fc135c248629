//! The HTML report: snapshots, escaping, CSP hashes, secrets, determinism and anonymisation.
//!
//! Snapshots live in `tests/snapshots/*.html`; `UPDATE_SNAPSHOTS=1 cargo test -p
//! kube-rightsize-core --test html` rewrites them (review the diff before committing).
//!
//! `fixtures/html/hostile.json` is hand-built: script, attribute, URL and `</style>` payloads and
//! a right-to-left override in node, pool, instance type, zone, region, namespace, pod, workload
//! and container names, and `s3cr3t` in env values, annotations and an unshown label.

use std::path::PathBuf;

use kube_rightsize_core::analysis::{Analysis, Settings, analyze};
use kube_rightsize_core::ingest::Input;
use kube_rightsize_core::pricing::catalogue::Catalogue;
use kube_rightsize_core::report::html::assets::{CSS, SCRIPT, csp_hash};
use kube_rightsize_core::report::html::{HtmlOptions, render_html};
use kube_rightsize_core::report::{Report, csv, json};

const MIXED: &[u8] = include_bytes!("fixtures/cost/mixed.json");
const HOSTILE: &[u8] = include_bytes!("fixtures/html/hostile.json");
const AT: &str = "2026-01-31T12:00:00Z";
const KEY: &[u8] = b"fixed test key, never use a constant key in a shell";

const PAYLOADS: &[&str] = &[
    "<script>alert(1)</script>",
    "\" onmouseover=\"x",
    "<b>big</b>",
    "'single'",
];

fn catalogue() -> Catalogue {
    Catalogue::from_bytes(include_bytes!("../data/catalogue.bin")).expect("catalogue decodes")
}

fn run(name: &str, bytes: &[u8]) -> Analysis {
    analyze(
        &[Input::new(name, bytes)],
        &Settings::default(),
        Some(&catalogue()),
        AT,
    )
    .expect("fixture ingests")
}

fn options(a: &Analysis) -> HtmlOptions {
    HtmlOptions {
        inputs: a.cluster.inputs.clone(),
        ..HtmlOptions::default()
    }
}

/// Compares `actual` with `tests/snapshots/<name>`, or rewrites it with `UPDATE_SNAPSHOTS=1`.
fn snapshot(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, actual).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with UPDATE_SNAPSHOTS=1 to create it",
            path.display()
        )
    });
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs at line {}:\nexpected: {:?}\nactual:   {:?}\nrun with UPDATE_SNAPSHOTS=1 to accept",
            path.display(),
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

/// The content of the first `<tag>…</tag>` element.
fn element<'a>(html: &'a str, tag: &str) -> &'a str {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = html.find(&open).expect("element") + open.len();
    let end = start + html[start..].find(&close).expect("close");
    &html[start..end]
}

#[test]
fn snapshot_mixed() {
    let a = run("mixed.json", MIXED);
    let opts = HtmlOptions {
        cluster_name: Some("prod <eu> & \"friends\"".into()),
        ..options(&a)
    };
    snapshot("mixed.html", &render_html(&a.report, &opts));
}

#[test]
fn snapshot_hostile() {
    let a = run("hostile.json", HOSTILE);
    snapshot("hostile.html", &render_html(&a.report, &options(&a)));
}

#[test]
fn snapshot_mixed_anonymised() {
    let a = run("mixed.json", MIXED);
    let opts = HtmlOptions {
        anonymise_key: Some(KEY.to_vec()),
        ..options(&a)
    };
    snapshot("mixed-anonymised.html", &render_html(&a.report, &opts));
}

/// Every string of the hostile fixture lands escaped, in text or quoted attribute values only.
#[test]
fn hostile_strings_are_escaped() {
    let a = run("hostile.json", HOSTILE);
    // The payloads did reach the report (so the test is not vacuous).
    let js = json::to_json(&a.report);
    for p in [
        "<script>alert(1)</script>",
        "\\\" onmouseover=\\\"x",
        "</style>",
    ] {
        assert!(js.contains(p), "fixture lost {p}");
    }
    assert!(js.contains("javascript:alert(1)"));
    for anonymise in [false, true] {
        let html = render_html(
            &a.report,
            &HtmlOptions {
                anonymise_key: anonymise.then(|| KEY.to_vec()),
                ..options(&a)
            },
        );
        for p in PAYLOADS {
            assert!(!html.contains(p), "raw {p:?} in the page");
        }
        assert!(!html.contains('\u{202e}'), "RTL override in the page");
        assert_eq!(html.matches("<script").count(), 1, "one script element");
        assert_eq!(html.matches("</script>").count(), 1);
        assert_eq!(html.matches("<style").count(), 1, "one style element");
        assert_eq!(html.matches("</style>").count(), 1);
        assert!(!html.contains(" style="), "no style attributes");
        assert!(!html.contains(" src="), "no external resources");
        assert!(!html.contains("url("), "no CSS URLs");
        assert!(!html.contains("@import"));
        for href in html.split("href=\"").skip(1) {
            assert!(
                href.starts_with('#') || href.starts_with("data:,\""),
                "only in-page links: {}",
                &href[..20]
            );
        }
        // `on…=` event handler attributes never appear unescaped inside a tag.
        for tag in html.split('<').skip(1) {
            let inside = tag.split('>').next().unwrap_or("");
            let handler = inside.match_indices(" on").any(|(i, _)| {
                let rest = &inside[i + 3..];
                let name_end = rest
                    .find(|c: char| !c.is_ascii_alphabetic())
                    .unwrap_or(rest.len());
                rest[name_end..].starts_with('=')
            });
            assert!(!handler, "event handler in <{inside}>");
        }
        if !anonymise {
            assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
            assert!(html.contains("&quot; onmouseover=&quot;x"));
            assert!(html.contains("javascript:alert(1)"), "kept as plain text");
            assert!(html.contains("evil\u{fffd}gnp.exe"));
        }
    }
}

#[test]
fn csp_hashes_match_the_inline_style_and_script() {
    // Known answer: SHA-256 of the empty string.
    assert_eq!(
        csp_hash(""),
        "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
    );
    let a = run("mixed.json", MIXED);
    let html = render_html(&a.report, &options(&a));
    let style = element(&html, "style");
    let script = element(&html, "script");
    assert_eq!(style, CSS);
    assert_eq!(script, SCRIPT);
    let meta = html
        .split("<meta http-equiv=\"Content-Security-Policy\" content=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("CSP meta");
    assert_eq!(
        meta,
        format!(
            "default-src 'none'; style-src {}; script-src {}; img-src data:; base-uri 'none'; form-action 'none'",
            csp_hash(style),
            csp_hash(script)
        )
    );
    assert!(!meta.contains("unsafe"));
}

#[test]
fn secrets_appear_in_no_export() {
    let a = run("hostile.json", HOSTILE);
    let anon = a.report.anonymised(KEY);
    for r in [&a.report, &anon] {
        for (what, text) in [
            ("html", render_html(r, &options(&a))),
            ("json", json::to_json(r)),
            ("workloads csv", csv::workloads_csv(r)),
            ("nodes csv", csv::nodes_csv(r)),
            ("namespaces csv", csv::namespaces_csv(r)),
        ] {
            assert!(!text.contains("s3cr3t"), "secret in {what}");
            assert!(!text.contains("secret-label"), "unshown label in {what}");
            assert!(!text.contains("team-secret"), "unshown label in {what}");
        }
    }
}

#[test]
fn rendering_is_deterministic() {
    let a = run("mixed.json", MIXED);
    let b = run("mixed.json", MIXED);
    let o = options(&a);
    assert_eq!(render_html(&a.report, &o), render_html(&b.report, &o));
    let anon = HtmlOptions {
        anonymise_key: Some(KEY.to_vec()),
        ..o
    };
    assert_eq!(render_html(&a.report, &anon), render_html(&b.report, &anon));
}

fn names(r: &Report) -> Vec<String> {
    let mut out = Vec::new();
    out.extend(r.nodes.iter().map(|n| n.name.clone()));
    out.extend(r.nodes.iter().filter_map(|n| n.pool.clone()));
    out.extend(r.namespaces.iter().map(|n| n.name.clone()));
    out.extend(r.workloads.iter().map(|w| w.name.clone()));
    out.extend(
        r.workloads
            .iter()
            .flat_map(|w| w.containers.iter().map(|c| c.name.clone())),
    );
    out.sort();
    out.dedup();
    out
}

#[test]
fn anonymised_reports_hide_names_and_keep_numbers() {
    let a = run("mixed.json", MIXED);
    let r = &a.report;
    let anon = r.anonymised(KEY);
    assert_eq!(anon.summary, r.summary);
    assert_eq!(anon.pricing, r.pricing);
    let costs = |r: &Report| {
        let mut v: Vec<(String, u64)> = r
            .workloads
            .iter()
            .map(|w| (w.kind.clone(), w.monthly_cost.to_bits()))
            .collect();
        v.sort();
        v
    };
    assert_eq!(costs(&anon), costs(r));
    let types = |r: &Report| {
        r.nodes
            .iter()
            .map(|n| {
                (
                    n.instance_type.clone(),
                    n.region.clone(),
                    n.monthly_cost.to_bits(),
                )
            })
            .collect::<std::collections::BTreeSet<_>>()
    };
    assert_eq!(types(&anon), types(r));

    let exports = |r: &Report| {
        [
            render_html(r, &HtmlOptions::default()),
            json::to_json(r),
            csv::workloads_csv(r),
            csv::nodes_csv(r),
            csv::namespaces_csv(r),
        ]
        .concat()
    };
    let text = exports(&anon);
    // Pool names that are also capacity types (`spot`, `reserved`) stay as capacity types.
    for name in names(r)
        .into_iter()
        .filter(|n| !["spot", "reserved", "on_demand", "unknown"].contains(&n.as_str()))
    {
        // Match whole names as they appear in quoted JSON strings.
        assert!(
            !json::to_json(&anon).contains(&format!("\"{name}\"")),
            "{name} survives in JSON"
        );
        if name.len() > 4 {
            assert!(!text.contains(&name), "{name} survives");
        }
    }
    for kept in ["m5.large", "us-east-1", "n2-standard-4", "Deployment"] {
        assert!(text.contains(kept), "{kept} is kept");
    }
    // Same key, same pseudonyms; another key, other pseudonyms.
    assert_eq!(r.anonymised(KEY), anon);
    let other = r.anonymised(b"another key");
    assert_ne!(names(&other), names(&anon));
    assert!(
        names(&other).iter().all(|n| !names(&anon).contains(n)),
        "pseudonyms of different keys do not overlap"
    );
    // The page says it is anonymised and uses the same pseudonyms as the JSON.
    let html = render_html(
        r,
        &HtmlOptions {
            anonymise_key: Some(KEY.to_vec()),
            ..options(&a)
        },
    );
    assert!(html.contains("anonymised"));
    assert!(html.contains(&anon.namespaces[0].name));
    assert!(!html.contains("mixed.json"), "input names are replaced");
    assert!(html.contains("input 1"));
}

#[test]
fn large_tables_collapse_into_details() {
    let a = run("mixed.json", MIXED);
    let html = render_html(
        &a.report,
        &HtmlOptions {
            top_rows: 2,
            ..options(&a)
        },
    );
    assert!(html.contains("<details><summary>Workloads 3–"));
    assert!(html.contains("<details><summary>Nodes 3–8 of 8</summary>"));
    assert!(html.contains("The first 2 of 8; the rest below."));
}

#[test]
fn empty_and_odd_reports_render() {
    let a = run(
        "empty.json",
        br#"{"kind":"List","items":[{"kind":"Node","metadata":{"name":"n"}}]}"#,
    );
    let html = render_html(&a.report, &HtmlOptions::default());
    assert!(html.contains("Kubernetes cost report: cluster"));
    assert!(html.ends_with("</html>\n"));
    let mut r = a.report.clone();
    r.summary.monthly_cost = f64::NAN;
    r.summary.idle_monthly_cost = f64::INFINITY;
    r.generated_at = "é".into();
    let html = render_html(&r, &HtmlOptions::default());
    assert!(html.contains("$NaN"));
}

#[test]
fn summary_figures_are_in_the_page() {
    let a = run("mixed.json", MIXED);
    let html = render_html(&a.report, &options(&a));
    let s = &a.report.summary;
    for (id, v) in [
        (
            "sum-monthly-cost",
            kube_rightsize_core::format::fmt_usd(s.monthly_cost),
        ),
        ("sum-nodes", s.nodes.to_string()),
        ("sum-pods", s.pods.to_string()),
        ("sum-workloads", s.workloads.to_string()),
    ] {
        assert!(
            html.contains(&format!("id=\"{id}\">{v}</dd>")),
            "{id} = {v}"
        );
    }
    assert!(html.contains("Kubernetes cost report: mixed"));
}

/// Size and time of a large page: `KRS_HTML_BENCH=/tmp/snap.json cargo test --release -p
/// kube-rightsize-core --test html -- --ignored --nocapture bench` (numbers in BENCHMARKS.md).
#[test]
#[ignore = "benchmark: needs KRS_HTML_BENCH=<snapshot>"]
fn bench_large_report() {
    let Some(path) = std::env::var_os("KRS_HTML_BENCH") else {
        return;
    };
    let bytes = std::fs::read(&path).expect("snapshot");
    let t = std::time::Instant::now();
    let a = run("snapshot.json", &bytes);
    let analysis = t.elapsed();
    let o = options(&a);
    let t = std::time::Instant::now();
    let html = render_html(&a.report, &o);
    let render = t.elapsed();
    let t = std::time::Instant::now();
    let anon = render_html(
        &a.report,
        &HtmlOptions {
            anonymise_key: Some(KEY.to_vec()),
            ..o
        },
    );
    let render_anon = t.elapsed();
    let t = std::time::Instant::now();
    let js = json::to_json(&a.report);
    let json_time = t.elapsed();
    println!(
        "workloads {} nodes {}: analysis {analysis:?}; html {} bytes in {render:?}; anonymised html {} bytes in {render_anon:?}; json {} bytes in {json_time:?}",
        a.report.workloads.len(),
        a.report.nodes.len(),
        html.len(),
        anon.len(),
        js.len()
    );
}

#[test]
fn charts_section_alone_matches_the_full_page() {
    let analysis = kube_rightsize_core::analysis::analyze(
        &[kube_rightsize_core::ingest::Input::new(
            "mixed.json",
            include_bytes!("fixtures/cost/mixed.json"),
        )],
        &kube_rightsize_core::analysis::Settings::default(),
        None,
        "2026-01-31T12:00:00Z",
    )
    .expect("analysis");
    let charts = kube_rightsize_core::report::html::render_charts(&analysis.report);
    assert!(charts.starts_with("<section id=\"charts\">"), "{charts}");
    assert!(charts.contains("<svg"));
    let page = kube_rightsize_core::report::html::render_html(
        &analysis.report,
        &kube_rightsize_core::report::html::HtmlOptions::default(),
    );
    assert!(
        page.contains(&charts),
        "the app shows the same charts as the report"
    );
}

/// The Patches section: each applicable patch in its own collapsed `<details>` (readable
/// without JavaScript) with its risks and the escaped command; anonymised reports have none.
#[test]
fn patches_are_collapsible_with_their_risks() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let snapshot = std::fs::read(root.join("static/demo/cluster.json")).expect("demo");
    let krr = std::fs::read(root.join("static/demo/krr.json")).expect("demo KRR");
    let settings = Settings {
        recommendations: Some(
            kube_rightsize_core::recommend::read_input("krr.json", &krr, &Default::default())
                .expect("KRR reads"),
        ),
        ..Settings::default()
    };
    let a = analyze(
        &[Input::new("cluster.json", &snapshot)],
        &settings,
        Some(&catalogue()),
        AT,
    )
    .expect("demo ingests");
    let patches = a.report.patches.as_ref().expect("patches");
    let html = render_html(&a.report, &options(&a));
    let section = &html[html.find("<section id=\"patches\">").expect("section")..];
    let section = &section[..section.find("</section>").expect("end")];
    let applicable: Vec<_> = patches.applicable().collect();
    assert_eq!(
        section.matches("<details class=\"patch\">").count(),
        applicable.len()
    );
    let risky = applicable.iter().filter(|p| !p.risks.is_empty()).count();
    assert!(risky > 0 && risky < applicable.len());
    assert_eq!(
        section.matches("<span class=\"rec\">safe</span>").count(),
        applicable.len() - risky
    );
    for p in &applicable {
        let cmd = kube_rightsize_core::patch::render::kubectl_command(p).expect("command");
        let escaped = kube_rightsize_core::report::html::escape::escape(&cmd);
        assert!(
            section.contains(&format!("<pre>{escaped}</pre>")),
            "{}",
            p.key()
        );
        for r in &p.risks {
            assert!(
                section.contains(&kube_rightsize_core::report::html::escape::escape(
                    &r.message
                ))
            );
        }
    }
    assert!(section.contains("Not patchable (1)"), "{section}");
    assert!(html.contains("<a href=\"#patches\">Patches</a>"));
    let anonymised = render_html(
        &a.report,
        &HtmlOptions {
            anonymise_key: Some(KEY.to_vec()),
            ..options(&a)
        },
    );
    assert!(anonymised.contains("Not in anonymised reports: a patch names the real objects."));
    assert!(!anonymised.contains("kubectl patch deployment"));
}

/// The `<section id="repack">` element of a page (empty when there is none).
fn repack_section(html: &str) -> &str {
    let Some(start) = html.find("<section id=\"repack\">") else {
        return "";
    };
    let end = start + html[start..].find("</section>").expect("closed");
    &html[start..end]
}

/// "Right-size and re-pack" sits between the node pools and the bill, shows the core's figure,
/// breakdown, lower bound, every pool's plan, the drainable nodes, the pods that kept their
/// node and the notes; it is absent from a report without a re-packing.
#[test]
fn repack_section_shows_the_plan_after_the_pools() {
    use kube_rightsize_core::format::fmt_usd;
    use kube_rightsize_core::report::columns::plan_text;
    use kube_rightsize_core::report::html::escape::escape;
    let a = run("mixed.json", MIXED);
    let html = render_html(&a.report, &options(&a));
    let rp = a.report.repack.as_ref().expect("the analysis re-packs");
    let at = |s: &str| html.find(s).unwrap_or_else(|| panic!("no {s}"));
    assert!(at("<section id=\"pools\">") < at("<section id=\"repack\">"));
    assert!(at("<section id=\"repack\">") < at("<section id=\"bill\">"));
    assert!(html.contains("<a href=\"#repack\">Re-pack</a>"));
    let section = repack_section(&html);
    for (id, v) in [
        ("repack-cost", rp.monthly_cost),
        ("repack-current", rp.current_monthly_cost),
        ("repack-savings", rp.monthly_savings),
        ("repack-from-requests", rp.breakdown.from_requests),
        ("repack-from-shapes", rp.breakdown.from_shapes),
        ("repack-from-drained", rp.breakdown.from_drained_nodes),
        ("repack-lower-bound", rp.lower_bound_monthly_cost),
        ("repack-gap", rp.gap_monthly_cost),
    ] {
        let card = format!("id=\"{id}\">{}</dd>", fmt_usd(v));
        assert!(section.contains(&card), "{card}");
    }
    // The fixture has re-shaped pools, a pool that keeps its nodes, a drainable node and a pod
    // without a controller (so none of the checks below is vacuous).
    assert!(rp.pools.iter().any(|p| !p.keeps_current_nodes));
    assert!(rp.pools.iter().any(|p| p.reason.is_some()));
    assert!(!rp.drainable_nodes.is_empty() && rp.blocked_total > 0);
    let rows: Vec<&str> = section
        .split("<h3 id=\"repack-pools\">")
        .nth(1)
        .expect("the plans")
        .split("</table>")
        .next()
        .unwrap()
        .split("<tr>")
        .skip(2)
        .collect();
    assert_eq!(rows.len(), rp.pools.len(), "one row per pool");
    for (row, p) in rows.iter().zip(&rp.pools) {
        for cell in [
            escape(&p.pool),
            escape(&plan_text(&p.current)),
            escape(&plan_text(&p.plan)),
            fmt_usd(p.monthly_cost),
        ] {
            assert!(row.contains(&format!(">{cell}</td>")), "{cell} in {row}");
        }
        if let Some(reason) = &p.reason {
            assert!(row.contains(&escape(reason)), "{reason}");
        }
    }
    let drainable = format!(
        "<p id=\"repack-drainable\">{}</p>",
        escape(&rp.drainable_nodes.join(", "))
    );
    assert!(section.contains(&drainable), "{drainable}");
    for b in &rp.blocked {
        assert!(section.contains(&format!(
            "<tr><td>{}</td><td>{}</td>",
            escape(&b.pod),
            escape(&b.node)
        )));
    }
    for n in &rp.notes {
        assert!(section.contains(&format!("<li>{}</li>", escape(n))), "{n}");
    }

    // More pods kept their node than are listed: the line says so.
    let mut r = a.report.clone();
    r.repack.as_mut().unwrap().blocked_total = 1234;
    let html = render_html(&r, &options(&a));
    let line = format!(
        "1,234 pods cannot move and keep their nodes ({} listed).",
        rp.blocked.len()
    );
    assert!(repack_section(&html).contains(&line), "{line}");

    // Without a re-packing (a report saved before it), neither the section nor its link.
    r.repack = None;
    let html = render_html(&r, &options(&a));
    assert!(!html.contains("id=\"repack"));
    assert!(!html.contains("#repack"));
}

/// Hostile pool, node, pod and instance type names reach the re-packing and land escaped.
#[test]
fn repack_section_escapes_hostile_names() {
    let a = run("hostile.json", HOSTILE);
    let rp = a.report.repack.as_ref().expect("the analysis re-packs");
    let pools: Vec<&str> = rp.pools.iter().map(|p| p.pool.as_str()).collect();
    assert!(pools.contains(&"<script>alert(1)</script>"), "{pools:?}");
    assert!(pools.contains(&"\" onmouseover=\"x"), "{pools:?}");
    assert!(
        rp.pools
            .iter()
            .any(|p| p.plan.iter().any(|i| i.instance_type == "<b>big</b>"))
    );
    assert!(rp.blocked.iter().any(|b| b.node.contains('\u{202e}')));
    let html = render_html(&a.report, &options(&a));
    let section = repack_section(&html);
    for p in PAYLOADS {
        assert!(!section.contains(p), "raw {p:?} in the section");
    }
    assert!(!section.contains('\u{202e}'));
    assert!(section.contains("<td class=\"w\">&lt;script&gt;alert(1)&lt;/script&gt;</td>"));
    assert!(section.contains("<td>&quot; onmouseover=&quot;x</td>"));
    assert!(section.contains("1 × &lt;b&gt;big&lt;/b&gt;"));
    assert!(section.contains("<td>evil\u{fffd}gnp.exe</td>"));
}
