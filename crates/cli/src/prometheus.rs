//! `--prometheus URL`: KRR's queries over HTTP. The core plans the queries and parses the
//! answers ([`kube_rightsize_core::prometheus`]); this module only moves bytes, with a few
//! threads and progress on standard error.

use std::io::Read;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use kube_rightsize_core::cluster::Cluster;
use kube_rightsize_core::prometheus::Plan;
use kube_rightsize_core::recommend::{RecommendationInput, StrategyName, StrategySettings};

use crate::Failure;

/// One answer: the status and body, or a transport error.
type Answer = Result<(u16, Vec<u8>), String>;

/// Queries in flight at once.
const CONCURRENCY: usize = 4;

/// The largest response body read, in bytes.
const MAX_BODY: u64 = 256 * 1024 * 1024;

fn fetch(agent: &ureq::Agent, url: &str, headers: &[(String, String)]) -> Answer {
    let mut r = agent.get(url);
    for (k, v) in headers {
        r = r.set(k, v);
    }
    let resp = match r.call() {
        Ok(resp) | Err(ureq::Error::Status(_, resp)) => resp,
        Err(ureq::Error::Transport(t)) => return Err(t.to_string()),
    };
    let status = resp.status();
    let mut body = Vec::new();
    resp.into_reader()
        .take(MAX_BODY)
        .read_to_end(&mut body)
        .map_err(|e| e.to_string())?;
    Ok((status, body))
}

/// Queries Prometheus at `url` for the snapshot's workloads and runs `strategy` over the
/// results.
pub fn load(
    url: &str,
    headers: &[String],
    strategy: StrategyName,
    settings: &StrategySettings,
    cluster: &Cluster,
    verbose: bool,
) -> Result<RecommendationInput, Failure> {
    let headers: Vec<(String, String)> = headers
        .iter()
        .filter_map(|h| {
            let (k, v) = h.split_once(':')?;
            Some((k.trim().to_owned(), v.trim().to_owned()))
        })
        .collect();
    let mut plan = Plan::new(cluster, strategy, settings);
    let urls: Vec<String> = plan.queries().iter().map(|q| q.url(url)).collect();
    let total = urls.len();
    eprintln!(
        "prometheus: {total} queries for {} containers at {url}",
        plan.targets.len()
    );
    let agent = ureq::AgentBuilder::new()
        .timeout_connect(Duration::from_secs(10))
        .timeout_read(Duration::from_secs(120))
        .build();
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Answer>>> = Mutex::new(vec![None; total]);
    std::thread::scope(|s| {
        for _ in 0..CONCURRENCY.min(total.max(1)) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(u) = urls.get(i) else {
                        break;
                    };
                    let r = fetch(&agent, u, &headers);
                    let failed = r.is_err();
                    if let Ok(mut all) = results.lock()
                        && let Some(slot) = all.get_mut(i)
                    {
                        *slot = Some(r);
                    }
                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if verbose || n == total || n.is_multiple_of(50) {
                        eprintln!("prometheus: {n}/{total} queries");
                    }
                    if failed {
                        // Stop early: the first transport error is reported below.
                        next.store(total, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    let results = results
        .into_inner()
        .map_err(|_| Failure::Internal(anyhow::anyhow!("a Prometheus worker panicked")))?;
    for (i, r) in results.into_iter().enumerate() {
        let Some(r) = r else {
            continue;
        };
        let (status, body) = r.map_err(|e| Failure::Input(format!("--prometheus {url}: {e}")))?;
        plan.handle(i, status, &body).map_err(|e| {
            Failure::Input(format!("--prometheus {url}: query {} failed: {e}", i + 1))
        })?;
    }
    let pending = plan.pending();
    if !pending.is_empty() {
        return Err(Failure::Input(format!(
            "--prometheus {url}: {} queries got no answer",
            pending.len()
        )));
    }
    Ok(RecommendationInput::Ready(plan.finish(cluster, url)))
}
