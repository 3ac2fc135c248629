//! The CLI's shell around the core's pipeline ([`kube_rightsize_core::pipeline`]): it sends
//! the requests the pipeline asks for with a blocking HTTP client (a few threads, so that
//! Prometheus queries overlap), sleeps when told to, gives the clock and prints progress on
//! standard error. Nothing here decides anything about the analysis.

use std::io::Read;
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use kube_rightsize_core::http::{Request, Response, TransportError};
use kube_rightsize_core::pipeline::{
    Failure, Fetch, Job, Now, Outcome, PROMETHEUS_CONCURRENCY, Pipeline, Progress, Stage, Step,
    Streamed,
};

/// The largest response body read, in bytes.
const MAX_BODY: u64 = 256 * 1024 * 1024;

/// How the shell reports progress.
#[derive(Debug, Clone, Copy)]
pub struct Verbosity {
    /// `-v`: every progress line.
    pub verbose: bool,
}

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

/// Sends `request` with one overall deadline (connect, send, the whole body: a per-read
/// timeout alone never fires against a server that drips one byte at a time). Requests that
/// carry credentials do not follow redirects.
pub fn send(request: &Request, timeout_ms: u32) -> Result<Response, TransportError> {
    let timeout = Duration::from_millis(u64::from(timeout_ms.max(1)));
    let credentials = request
        .headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("authorization"));
    let agent = ureq::AgentBuilder::new()
        .timeout_connect(timeout.min(Duration::from_secs(10)))
        .timeout(timeout)
        .redirects(if credentials { 0 } else { 5 })
        .build();
    let mut r = agent.request(request.method, &request.url);
    for (k, v) in &request.headers {
        r = r.set(k, v);
    }
    let resp = match r.call() {
        Ok(resp) | Err(ureq::Error::Status(_, resp)) => resp,
        Err(ureq::Error::Transport(t)) if is_timeout(&t) => return Err(TransportError::Timeout),
        Err(ureq::Error::Transport(t)) => return Err(TransportError::Network(root_cause(&t))),
    };
    let status = resp.status();
    let mut headers = Vec::new();
    for name in resp.headers_names() {
        for value in resp.all(&name) {
            headers.push((name.clone(), value.to_owned()));
        }
    }
    let mut body = Vec::new();
    match resp.into_reader().take(MAX_BODY).read_to_end(&mut body) {
        Ok(_) => Ok(Response {
            status,
            headers,
            body,
        }),
        Err(e) if is_timeout(&e) => Err(TransportError::Timeout),
        Err(e) => Err(TransportError::Network(format!(
            "the connection closed mid-answer ({e})"
        ))),
    }
}

/// The clock the pipeline is given.
fn now(start: Instant) -> Now {
    Now {
        ms: start.elapsed().as_secs_f64() * 1000.0,
        unix_seconds: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2))
            .unwrap_or(0),
    }
}

fn show(p: &Progress, v: Verbosity) {
    match (p.stage, p.count) {
        (Stage::Prometheus, Some((0, total))) => {
            eprintln!("prometheus: {total} queries");
        }
        (Stage::Prometheus, Some((done, total)))
            if v.verbose || done == total || done.is_multiple_of(50) =>
        {
            eprintln!("prometheus: {done}/{total} queries");
        }
        (Stage::Prometheus, Some(_)) => {}
        (Stage::Vantage, _) => eprintln!("{}", p.text),
        _ if v.verbose => eprintln!("{}", p.text),
        _ => {}
    }
}

/// Runs `job` to the end: the outcome, or the input that could not be read.
pub fn run<'a>(
    job: Job<'a>,
    streamed: Vec<Streamed<'a>>,
    v: Verbosity,
) -> Result<Box<Outcome>, Failure> {
    let start = Instant::now();
    let mut pipeline = Pipeline::new(job).with_streamed(streamed);
    let (work_tx, work_rx) = mpsc::channel::<Fetch>();
    let work_rx = std::sync::Mutex::new(work_rx);
    let (done_tx, done_rx) = mpsc::channel::<(u64, Result<Response, TransportError>)>();
    std::thread::scope(|s| {
        for _ in 0..PROMETHEUS_CONCURRENCY {
            let done_tx = done_tx.clone();
            let work_rx = &work_rx;
            s.spawn(move || {
                loop {
                    let next = work_rx.lock().map(|rx| rx.recv());
                    let Ok(Ok(fetch)) = next else { break };
                    let answer = send(&fetch.request, fetch.timeout_ms);
                    if done_tx.send((fetch.id, answer)).is_err() {
                        break;
                    }
                }
            });
        }
        let result = loop {
            match pipeline.next_step(now(start)) {
                Step::Progress(p) => show(&p, v),
                Step::Fetch(f) => {
                    // The workers live as long as this loop: sending cannot fail.
                    let _ = work_tx.send(f);
                }
                Step::Wait { seconds, reason } => {
                    eprintln!("{reason}");
                    std::thread::sleep(Duration::from_secs(seconds));
                }
                Step::Pending => match done_rx.recv() {
                    Ok((id, answer)) => pipeline.receive(id, now(start), answer),
                    Err(_) => unreachable!("the workers hold a sender until the loop ends"),
                },
                Step::Done(outcome) => break Ok(outcome),
                Step::Failed(f) => break Err(f),
            }
        };
        drop(work_tx);
        result
    })
}
