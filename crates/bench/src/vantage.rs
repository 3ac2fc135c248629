//! `krs-bench vantage --cli PATH SNAPSHOT`: how many requests `kube-rightsize analyze` sends to
//! Vantage for a snapshot, with a cold cache and then a warm one, against the fake Vantage server
//! (127.0.0.1, a free port), the way the CLI's own tests drive it.
//!
//! The fake knows a handful of EC2 types; the snapshot's other instance types are added to it
//! (priced like m5.xlarge) so that every type gets the full product + price exchange.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use kube_rightsize_core::ingest::{self, Input};
use kube_rightsize_fake_vantage::{self as fake, Config, DEFAULT_TOKEN, FakeProduct};

const TOKEN_ENV: &str = "KRS_BENCH_VANTAGE_TOKEN";

/// `krs-bench vantage`.
pub fn main(args: &[String]) -> Result<(), String> {
    let (cli, snapshot) = match args {
        [flag, cli, snapshot] if flag == "--cli" => (PathBuf::from(cli), snapshot.clone()),
        _ => return Err("usage: krs-bench vantage --cli PATH SNAPSHOT".to_owned()),
    };
    let bytes = std::fs::read(&snapshot).map_err(|e| format!("cannot read {snapshot}: {e}"))?;
    let cluster = ingest::ingest(&[Input::new(&snapshot, &bytes)]).map_err(|e| e.to_string())?;
    let types: BTreeSet<String> = cluster
        .nodes
        .iter()
        .filter_map(|n| n.instance_type.clone())
        .collect();
    let combos: BTreeSet<(String, String, String)> = cluster
        .nodes
        .iter()
        .filter_map(|n| {
            Some((
                n.instance_type.clone()?,
                n.region.clone().unwrap_or_default(),
                format!("{:?}", n.capacity_type),
            ))
        })
        .collect();

    let mut config = Config::default();
    let template = config
        .products
        .iter()
        .find(|p| p.name == "m5.xlarge")
        .cloned()
        .ok_or("the fake has no m5.xlarge")?;
    for t in &types {
        if !config.products.iter().any(|p| &p.name == t) {
            config.products.push(FakeProduct {
                name: t.clone(),
                ..template.clone()
            });
        }
    }
    let server =
        fake::start(config).map_err(|e| format!("the fake Vantage does not start: {e}"))?;
    let cache = std::env::temp_dir().join(format!("krs-bench-vantage-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&cache);
    std::fs::create_dir_all(&cache).map_err(|e| e.to_string())?;

    let url = server.url();
    let run = || -> Result<f64, String> {
        let start = Instant::now();
        let out = Command::new(&cli)
            .args(crate::measure::cli_analyze_args(&snapshot))
            .args(["--vantage-token-env", TOKEN_ENV, "--vantage-url", &url])
            .env("XDG_CACHE_HOME", &cache)
            .env(TOKEN_ENV, DEFAULT_TOKEN)
            .output()
            .map_err(|e| format!("cannot start {}: {e}", cli.display()))?;
        if !out.status.success() {
            return Err(format!(
                "kube-rightsize failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(start.elapsed().as_secs_f64() * 1e3)
    };
    let cold_ms = run()?;
    let cold = server.requests();
    server.clear_log();
    let warm_ms = run()?;
    let warm = server.requests();
    let _ = std::fs::remove_dir_all(&cache);

    let per_path = |reqs: &[fake::LoggedRequest]| {
        let products = reqs.iter().filter(|r| r.path == "/v2/products").count();
        let prices = reqs.iter().filter(|r| r.path.ends_with("/prices")).count();
        format!("{products} product look-ups, {prices} price pages")
    };
    println!();
    println!(
        "### Vantage requests: {snapshot} ({} nodes, {} instance types, {} type × region × capacity)",
        cluster.nodes.len(),
        types.len(),
        combos.len()
    );
    println!();
    println!("| run | requests | of which | wall (whole CLI, local fake) |");
    println!("|---|---|---|---|");
    println!(
        "| cold cache | {} | {} | {cold_ms:.0} ms |",
        cold.len(),
        per_path(&cold)
    );
    println!(
        "| warm cache | {} | {} | {warm_ms:.0} ms |",
        warm.len(),
        per_path(&warm)
    );
    Ok(())
}
