//! `--prometheus URL`: KRR's queries over HTTP. The core plans the queries and parses the
//! answers ([`kube_rightsize_core::prometheus`]); this module only moves bytes, with a few
//! threads and progress on standard error.

use std::io::Read;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use kube_rightsize_core::cluster::Cluster;
use kube_rightsize_core::prometheus::{Plan, QueryFailure};
use kube_rightsize_core::recommend::{RecommendationInput, StrategyName, StrategySettings};

use crate::Failure;

/// One answer: the status and body, or why there is none.
type Answer = Result<(u16, Vec<u8>), QueryFailure>;

/// Queries in flight at once.
const CONCURRENCY: usize = 4;

/// The largest response body read, in bytes.
const MAX_BODY: u64 = 256 * 1024 * 1024;

/// True when `e` (or what caused it) is a timeout.
fn is_timeout(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(e);
    while let Some(e) = cur {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            )
        {
            return true;
        }
        cur = e.source();
    }
    false
}

/// The innermost cause of `e`, for people (`connection refused`, ...).
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    match cur.downcast_ref::<std::io::Error>() {
        Some(io) if io.kind() != std::io::ErrorKind::Other => io.kind().to_string(),
        _ => cur.to_string(),
    }
}

fn timeout_failure(base: &str, timeout: u64) -> QueryFailure {
    QueryFailure::Timeout(format!(
        "Prometheus at {base} did not answer within {timeout} s — is it overloaded? Raise \
         --prometheus-timeout or shorten --history-duration"
    ))
}

fn fetch(
    agent: &ureq::Agent,
    base: &str,
    url: &str,
    headers: &[(String, String)],
    timeout: u64,
) -> Answer {
    let mut r = agent.get(url);
    for (k, v) in headers {
        r = r.set(k, v);
    }
    let resp = match r.call() {
        Ok(resp) | Err(ureq::Error::Status(_, resp)) => resp,
        Err(ureq::Error::Transport(t)) => {
            if is_timeout(&t) {
                return Err(timeout_failure(base, timeout));
            }
            return Err(QueryFailure::Unreachable(format!(
                "cannot reach Prometheus at {base}: {} — is `kubectl port-forward \
                 svc/prometheus 9090` running, and are the URL and --prometheus-header right?",
                root_cause(&t)
            )));
        }
    };
    let status = resp.status();
    let mut body = Vec::new();
    if let Err(e) = resp.into_reader().take(MAX_BODY).read_to_end(&mut body) {
        return Err(if is_timeout(&e) {
            timeout_failure(base, timeout)
        } else {
            QueryFailure::Unreachable(format!(
                "Prometheus at {base} closed the connection mid-answer: {e} — check its logs \
                 and any proxy in between"
            ))
        });
    }
    Ok((status, body))
}

/// Queries Prometheus at `url` for the snapshot's workloads and runs `strategy` over the
/// results. Prometheus failing (unreachable, errors, timeouts) is not an error here: the cells
/// it leaves without data are `?` and the recommendations carry warnings, each also printed on
/// standard error, so the cost report is still made (the run exits 0). Only a worker panic is
/// an error.
pub fn load(
    url: &str,
    headers: &[String],
    timeout: u64,
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
        .timeout_connect(Duration::from_secs(timeout.min(10)))
        .timeout(Duration::from_secs(timeout))
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
                    let r = fetch(&agent, url, u, &headers, timeout);
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
                        // Stop early: a Prometheus that cannot be reached or does not answer
                        // in time will not do better for the next queries (the core treats
                        // the unsent ones like this failure).
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
        match r {
            Some(Ok((status, body))) => {
                // An unusable answer is recorded by the plan and reported as a warning.
                let _ = plan.handle(i, status, &body);
            }
            Some(Err(f)) => plan.fail(i, f),
            None => {}
        }
    }
    let set = plan.finish(cluster, url);
    for w in &set.warnings {
        eprintln!("warning: {}", w.message);
    }
    Ok(RecommendationInput::Ready(set))
}
