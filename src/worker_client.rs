//! The page's side of the analysis: the worker's lifecycle and what it says, as [`Event`]s.
//!
//! The worker is started on the first input (its wasm compiles and V8 warms up while the user
//! is still choosing what to analyse) and reused. [`Analyser::run`] posts a request with the
//! inputs' Blobs; a run replaces one in progress. [`Analyser::cancel`] terminates the worker
//! (a fresh one starts next time), so a cancelled 250 MB parse stops at once. Where the
//! worker cannot start, the run goes to the page's own engine when there is one (component
//! tests provide a [`LocalEngine`]; the built app does not, so its page wasm does not link the
//! engine), else the page explains why and keeps the inputs; the next run tries again.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::engine::{self, Failure, Host, Progress, Reply, Request, Stopped};
use crate::input::LoadedInput;
use crate::net::now_ms;
use crate::worker::{WorkerEvent, WorkerHandle, worker_url};

/// How the last analysis went, for the timing line (and BENCHMARKS.md).
#[derive(Clone, Debug, PartialEq)]
pub struct Timing {
    /// Bytes analysed.
    pub bytes: usize,
    /// The engine's time for reading and analysing (ms).
    pub engine_ms: f64,
    /// From the click to the report being decoded on the page (ms).
    pub total_ms: f64,
    /// Time the page's thread spent decoding the worker's reply (ms; 0 on the page).
    pub decode_ms: f64,
    /// Size of the worker's reply JSON (0 on the page).
    pub reply_bytes: usize,
    /// True when a Web Worker did the work.
    pub in_worker: bool,
    /// The worker's wasm memory after the analysis (its peak), when known.
    pub memory_bytes: Option<u64>,
}

/// What happened to the analysis, for the page.
#[derive(Clone, Debug)]
pub enum Event {
    /// A run started.
    Started {
        /// When (`performance.now()`).
        started_ms: f64,
        /// The Vantage base URL, when this run asks Vantage.
        vantage_base: Option<String>,
    },
    /// What it is doing.
    Progress(Progress),
    /// It finished.
    Done(Box<Reply>, Timing),
    /// An input could not be read (or no worker could start).
    Failed(Failure),
    /// The user cancelled it, or a new run replaced it.
    Cancelled,
    /// The worker panicked or stopped (for the error panel).
    Crashed(String),
}

/// What a [`LocalEngine`] runs: the request, the inputs' bytes, the page's host.
pub type LocalRun = fn(
    Request,
    Vec<(String, Vec<u8>)>,
    PageHost,
) -> Pin<Box<dyn Future<Output = Result<Reply, Stopped>>>>;

/// Runs the analysis on the page's own thread when no worker can start. Only component tests
/// provide one (as Leptos context, from [`local_engine`]).
#[derive(Clone, Copy)]
pub struct LocalEngine(pub LocalRun);

/// [`engine::run`] on the page, for component tests: `provide_context(local_engine())` before
/// mounting [`crate::App`].
pub fn local_engine() -> LocalEngine {
    LocalEngine(|request, parts, host| {
        Box::pin(async move { engine::run(&request, &parts, &host).await })
    })
}

/// The page's own [`Host`] for a [`LocalEngine`]: fetch, progress as events (yielding so the
/// browser paints), cancelled when the run is no longer the current one.
pub struct PageHost {
    id: u64,
    client: Rc<Client>,
}

impl Host for PageHost {
    async fn progress(&self, progress: &Progress) -> Result<(), ()> {
        if !self.client.is_current(self.id) {
            return Err(());
        }
        self.client.tell(Event::Progress(progress.clone()));
        crate::files::yield_to_browser().await;
        if !self.client.is_current(self.id) {
            return Err(());
        }
        Ok(())
    }
    fn now(&self) -> f64 {
        now_ms()
    }
}

/// The analysis client, as a `Copy` handle for components and callbacks.
#[derive(Clone, Copy)]
pub struct Analyser(StoredValue<Rc<Client>, LocalStorage>);

impl Analyser {
    /// A client that tells `sink` everything; `local` is the tests' page engine.
    pub fn new(local: Option<LocalEngine>, sink: impl Fn(Event) + 'static) -> Analyser {
        Analyser(StoredValue::new_local(Rc::new(Client {
            sink: Box::new(sink),
            local,
            next_id: Cell::new(0),
            worker: RefCell::new(None),
            broken: Cell::new(false),
            running: RefCell::new(None),
        })))
    }

    fn client(&self) -> Option<Rc<Client>> {
        self.0.try_with_value(Rc::clone)
    }

    /// Starts the worker now if there is none (and it has not failed to load).
    pub fn prepare(&self) {
        if let Some(c) = self.client()
            && !c.broken.get()
            && let Some(url) = worker_url()
        {
            let _ = c.ensure_worker(&url);
        }
    }

    /// Analyses `inputs` as `request` says, replacing a run in progress.
    pub fn run(&self, request: Request, inputs: Vec<LoadedInput>) {
        if let Some(c) = self.client() {
            c.run(request, inputs);
        }
    }

    /// Stops the run in progress (terminating the worker).
    pub fn cancel(&self) {
        if let Some(c) = self.client() {
            c.cancel();
        }
    }
}

/// One run: what was asked and when.
#[derive(Clone)]
struct Run {
    id: u64,
    request: Request,
    inputs: Vec<LoadedInput>,
    started_ms: f64,
}

impl Run {
    fn timing(&self, reply: &Reply, in_worker: bool, decode_ms: f64, reply_bytes: usize) -> Timing {
        Timing {
            bytes: self.inputs.iter().map(|i| i.size).sum(),
            engine_ms: reply.elapsed_ms,
            total_ms: now_ms() - self.started_ms,
            decode_ms,
            reply_bytes,
            in_worker,
            memory_bytes: reply.memory_bytes,
        }
    }
}

/// The client's state (see the module documentation).
struct Client {
    sink: Box<dyn Fn(Event)>,
    local: Option<LocalEngine>,
    next_id: Cell<u64>,
    worker: RefCell<Option<WorkerHandle>>,
    broken: Cell<bool>,
    /// The run in progress; the worker's answer (or its failure to load) is for this one.
    running: RefCell<Option<Run>>,
}

impl Client {
    fn tell(&self, event: Event) {
        (self.sink)(event);
    }

    fn is_current(&self, id: u64) -> bool {
        self.running.borrow().as_ref().is_some_and(|r| r.id == id)
    }

    /// Ends the run in progress with `event`.
    fn finish(&self, event: Event) {
        self.running.borrow_mut().take();
        self.tell(event);
    }

    fn stop_worker(&self) {
        if let Some(w) = self.worker.borrow_mut().take() {
            w.terminate();
        }
    }

    fn cancel(&self) {
        let cancelled = self.running.borrow_mut().take().is_some();
        if cancelled {
            self.stop_worker();
            self.tell(Event::Cancelled);
        }
    }

    fn run(self: &Rc<Self>, request: Request, inputs: Vec<LoadedInput>) {
        self.cancel();
        let id = self.next_id.get() + 1;
        self.next_id.set(id);
        let run = Run {
            id,
            request,
            inputs,
            started_ms: now_ms(),
        };
        *self.running.borrow_mut() = Some(run.clone());
        self.tell(Event::Started {
            started_ms: run.started_ms,
            vantage_base: run.request.vantage.as_ref().map(|v| v.base_url.clone()),
        });
        let Some(url) = worker_url() else {
            return self.on_page(run, "no worker in this build".into());
        };
        if self.broken.get() && self.local.is_some() {
            return self.on_page(run, String::new());
        }
        if let Err(why) = self.ensure_worker(&url) {
            self.broken.set(true);
            return self.on_page(run, why);
        }
        let blobs: Vec<web_sys::Blob> = run.inputs.iter().map(|i| i.blob.clone()).collect();
        if let Some(w) = self.worker.borrow().as_ref() {
            w.send(&run.request, &blobs);
        }
    }

    fn ensure_worker(self: &Rc<Self>, url: &str) -> Result<(), String> {
        if self.worker.borrow().is_some() {
            return Ok(());
        }
        let client = Rc::downgrade(self);
        let on_event: Rc<dyn Fn(WorkerEvent)> = Rc::new(move |event| {
            if let Some(c) = Weak::upgrade(&client) {
                c.on_worker(event);
            }
        });
        let w = WorkerHandle::spawn(url, on_event)?;
        *self.worker.borrow_mut() = Some(w);
        Ok(())
    }

    fn on_worker(self: &Rc<Self>, event: WorkerEvent) {
        let running = self.running.borrow().clone();
        match event {
            WorkerEvent::Progress(p) if running.is_some() => self.tell(Event::Progress(p)),
            WorkerEvent::Progress(_) => {}
            WorkerEvent::Done(json) => {
                let Some(run) = running else { return };
                let t0 = now_ms();
                let reply = serde_json::from_str::<Reply>(&json);
                let decode_ms = now_ms() - t0;
                self.finish(match reply {
                    Ok(reply) => {
                        let timing = run.timing(&reply, true, decode_ms, json.len());
                        Event::Done(Box::new(reply), timing)
                    }
                    Err(e) => {
                        Event::Crashed(format!("the page could not read the worker's reply: {e}"))
                    }
                });
            }
            WorkerEvent::Failed(json) => {
                self.finish(match serde_json::from_str::<Failure>(&json) {
                    Ok(f) => Event::Failed(f),
                    Err(e) => {
                        Event::Crashed(format!("the page could not read the worker's failure: {e}"))
                    }
                })
            }
            WorkerEvent::Panic(message) => {
                self.stop_worker();
                self.finish(Event::Crashed(format!("in the analysis worker: {message}")));
            }
            WorkerEvent::Crashed(message) => {
                self.stop_worker();
                if running.is_some() {
                    self.finish(Event::Crashed(format!(
                        "the analysis worker stopped: {message}"
                    )));
                }
            }
            WorkerEvent::Unavailable(why) => {
                // Its script did not load: say so (or, in tests, run on the page). The next
                // run tries a fresh worker.
                self.broken.set(true);
                self.stop_worker();
                if let Some(run) = running {
                    self.on_page(run, why);
                }
            }
        }
    }

    /// No worker: the page runs the engine itself when it has one (tests), or says why not.
    fn on_page(self: &Rc<Self>, run: Run, why: String) {
        let Some(LocalEngine(run_local)) = self.local else {
            return self.finish(Event::Failed(no_worker(&why)));
        };
        let client = Rc::clone(self);
        spawn_local(async move {
            let mut parts: Vec<(String, Vec<u8>)> = Vec::with_capacity(run.inputs.len());
            for input in &run.inputs {
                match crate::files::read_blob(&input.blob, &input.name).await {
                    Ok(b) => parts.push((input.name.clone(), b)),
                    Err(message) => {
                        if client.is_current(run.id) {
                            client.finish(Event::Failed(Failure::input(&input.name, &message)));
                        }
                        return;
                    }
                }
            }
            let host = PageHost {
                id: run.id,
                client: Rc::clone(&client),
            };
            let result = run_local(run.request.clone(), parts, host).await;
            if !client.is_current(run.id) {
                return;
            }
            match result {
                Ok(reply) => {
                    let timing = run.timing(&reply, false, 0.0, 0);
                    client.finish(Event::Done(Box::new(reply), timing));
                }
                Err(Stopped::Failed(f)) => client.finish(Event::Failed(f)),
                Err(Stopped::Cancelled) => {}
            }
        });
    }
}

/// Why an analysis cannot start without a worker, display-ready.
fn no_worker(detail: &str) -> Failure {
    Failure {
        heading: "The analysis could not start: ".into(),
        input: "worker_loader.js".into(),
        line: None,
        column: None,
        message: format!("this browser could not start the analysis worker ({detail})."),
        hint: Some(
            "kube-rightsize analyses in a Web Worker. Open it over http(s) (trunk serve or a \
             static server), not as a file, and check that no extension or \
             Content-Security-Policy blocks worker_loader.js and worker_bg.wasm; then press \
             Analyze again."
                .into(),
        ),
    }
}
