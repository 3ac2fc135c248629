//! Both ends of the analysis worker: [`start`] runs inside the worker (`src/bin/worker.rs`),
//! [`WorkerHandle`] is the page's side.
//!
//! Messages (plain JS objects):
//!
//! ```text
//! page → worker  {request: "<engine::Request JSON>", inputs: [Blob, …]}  (Blobs pass by reference)
//!                {slice: id, bytes: ArrayBuffer}     (transferred) or {slice: id, error: "…"}
//! worker → page  {kind: "ready"}                     once its wasm is running
//!                {kind: "warm"}                      after its warm-up (`engine::warm_up`)
//!                {kind: "read", id, input, start, end}  read bytes start..end of input's Blob
//!                {kind: "progress", progress: "<engine::Progress JSON>"}
//!                {kind: "done", reply: "<engine::Reply JSON>"}
//!                {kind: "failed", failure: "<engine::Failure JSON>"}
//!                {kind: "panic", message: "…"}       from the worker's panic hook
//! ```
//!
//! The worker asks the page to read a snapshot's slices: a `Blob` read finishes on the thread
//! that started it, and the worker's thread is busy parsing the slice before, so reads the
//! worker started itself would wait for each parse; the page's thread is free meanwhile
//! (BENCHMARKS.md, *Reading while parsing*).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::engine::{self, Host, Progress, Request, Stopped};

fn object(pairs: &[(&str, &JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o.into()
}

fn field(v: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(v, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

fn scope() -> web_sys::DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(kind: &str, key: &str, value: &str) {
    let _ = scope().post_message(&object(&[
        ("kind", &JsValue::from_str(kind)),
        (key, &JsValue::from_str(value)),
    ]));
}

fn post_progress(progress: &Progress) {
    post(
        "progress",
        "progress",
        &serde_json::to_string(progress).unwrap_or_default(),
    );
}

thread_local! {
    /// The slices asked of the page and not yet answered: id → (resolve, reject).
    static SLICES: RefCell<std::collections::BTreeMap<u32, (js_sys::Function, js_sys::Function)>> =
        const { RefCell::new(std::collections::BTreeMap::new()) };
    static NEXT_SLICE: Cell<u32> = const { Cell::new(0) };
}

/// Asks the page for bytes `start..end` of the request's input `input`; the future gets them
/// as an `ArrayBuffer` (or the page's error).
fn page_slice(input: usize, start: usize, end: usize) -> wasm_bindgen_futures::JsFuture {
    let id = NEXT_SLICE.replace(NEXT_SLICE.get().wrapping_add(1));
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        SLICES.with_borrow_mut(|s| s.insert(id, (resolve, reject)));
    });
    let _ = scope().post_message(&object(&[
        ("kind", &JsValue::from_str("read")),
        ("id", &JsValue::from(id)),
        ("input", &JsValue::from(input as u32)),
        ("start", &JsValue::from(start as f64)),
        ("end", &JsValue::from(end as f64)),
    ]));
    wasm_bindgen_futures::JsFuture::from(promise)
}

/// The page's answer to [`page_slice`]; false when `data` is not one.
fn slice_answered(data: &JsValue) -> bool {
    let Some(id) = field(data, "slice").as_f64() else {
        return false;
    };
    if let Some((resolve, reject)) = SLICES.with_borrow_mut(|s| s.remove(&(id as u32))) {
        let bytes = field(data, "bytes");
        let _ = if bytes.is_undefined() {
            reject.call1(&JsValue::NULL, &field(data, "error"))
        } else {
            resolve.call1(&JsValue::NULL, &bytes)
        };
    }
    true
}

struct WorkerHost;

impl Host for WorkerHost {
    async fn progress(&self, progress: &Progress) -> Result<(), ()> {
        // The page cancels by terminating the worker.
        post_progress(progress);
        Ok(())
    }
    fn now(&self) -> f64 {
        crate::net::now_ms()
    }
}

async fn handle(data: JsValue) {
    let request: Request = match field(&data, "request")
        .as_string()
        .and_then(|j| serde_json::from_str(&j).ok())
    {
        Some(r) => r,
        None => {
            post(
                "panic",
                "message",
                "the worker got a request it cannot read",
            );
            return;
        }
    };
    let blobs: js_sys::Array = field(&data, "inputs").unchecked_into();
    let sizes: usize = (0..request.input_names.len())
        .map(|i| blobs.get(i as u32).unchecked_into::<web_sys::Blob>().size() as usize)
        .sum();
    if sizes >= engine::WARM_UP_FROM_BYTES {
        // Before reading: a snapshot is parsed while it is read.
        engine::warm_up_cached();
    }
    // Snapshots are parsed as they are read, with the options the analysis reads them with.
    let ingest = engine::ingest_options(&request);
    let reading = crate::net::now_ms();
    let mut inputs: Vec<(String, Vec<u8>)> = Vec::with_capacity(request.input_names.len());
    let mut streamed = Vec::new();
    for (i, name) in request.input_names.iter().enumerate() {
        let blob: web_sys::Blob = blobs.get(i as u32).unchecked_into();
        let size = kube_rightsize_core::format::human_bytes(blob.size() as usize);
        post_progress(&Progress::Line(format!("Loading {name} ({size})")));
        let shown = Cell::new(0usize);
        let progress = |done: usize, total: usize| {
            // A line per 64 MiB or so: enough to see it move, few messages.
            if done == total || done - shown.get() >= 64 << 20 {
                shown.set(done);
                post_progress(&Progress::Line(format!(
                    "Reading {name}: {} of {size}",
                    kube_rightsize_core::format::human_bytes(done)
                )));
            }
        };
        let read = |start, end| page_slice(i, start, end);
        match crate::files::stream_blob(&blob, name, &ingest, &progress, &read).await {
            Ok(crate::files::Streamed::Snapshot(s)) => streamed.push(*s),
            Ok(crate::files::Streamed::Whole(bytes)) => inputs.push((name.clone(), bytes)),
            Err(message) => {
                let failure = engine::Failure {
                    hint: Some("load it again (pick the file or paste it once more)".into()),
                    ..engine::Failure::input(name, &message)
                };
                post(
                    "failed",
                    "failure",
                    &serde_json::to_string(&failure).unwrap_or_default(),
                );
                return;
            }
        }
    }
    drop(blobs);
    // Reading the snapshots was parsing them: the engine's time includes it.
    let streaming_ms = if streamed.is_empty() {
        0.0
    } else {
        crate::net::now_ms() - reading
    };
    let result = engine::run_streamed(&request, &inputs, streamed, &WorkerHost).await;
    drop(inputs);
    match result {
        Ok(mut reply) => {
            reply.elapsed_ms += streaming_ms;
            reply.memory_bytes = wasm_bindgen::memory()
                .dyn_into::<js_sys::WebAssembly::Memory>()
                .ok()
                .map(|m| {
                    m.buffer()
                        .unchecked_into::<js_sys::ArrayBuffer>()
                        .byte_length() as u64
                });
            let json =
                serde_json::to_string(&reply).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
            drop(reply);
            post("done", "reply", &json);
        }
        Err(Stopped::Failed(f)) => post(
            "failed",
            "failure",
            &serde_json::to_string(&f).unwrap_or_default(),
        ),
        Err(Stopped::Cancelled) => {}
    }
}

/// Runs inside the worker: installs a panic hook that tells the page, listens for requests and
/// says it is ready.
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        // Release builds abort after the hook (panic = "abort"): the page learns of it here,
        // then terminates this worker and starts a fresh one next time.
        post("panic", "message", &info.to_string());
    }));
    let on_message = Closure::<dyn Fn(web_sys::MessageEvent)>::new(|ev: web_sys::MessageEvent| {
        let data = ev.data();
        if !slice_answered(&data) {
            wasm_bindgen_futures::spawn_local(handle(data));
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post("ready", "text", "");
    // Before any request is handled (they queue meanwhile): analyse the built-in tiny snapshot
    // so V8 optimises the hot functions before a real analysis enters them. The page starts
    // the worker with the first input, so this usually happens before Analyze is pressed.
    engine::warm_up(None);
    post("warm", "text", "");
}

/// What the worker said, for the page.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkerEvent {
    /// A progress line.
    Progress(Progress),
    /// The reply JSON ([`engine::Reply`]).
    Done(String),
    /// The failure JSON ([`engine::Failure`]).
    Failed(String),
    /// The worker panicked (its panic message).
    Panic(String),
    /// The worker could not start (its script or wasm failed to load).
    Unavailable(String),
    /// The worker stopped with an error after it started.
    Crashed(String),
}

/// The URL of the worker's loader script, from `<meta name="kube-rightsize-worker">` in
/// `index.html`; `None` where there is none (wasm-bindgen tests, which run the engine on the
/// page through [`crate::worker_client::LocalEngine`]).
pub fn worker_url() -> Option<String> {
    web_sys::window()?
        .document()?
        .query_selector("meta[name=kube-rightsize-worker]")
        .ok()??
        .get_attribute("content")
        .filter(|u| !u.is_empty())
}

/// A running worker, from the page's side.
pub struct WorkerHandle {
    worker: web_sys::Worker,
    /// The last request's inputs, whose slices the worker asks for.
    inputs: Rc<RefCell<Vec<web_sys::Blob>>>,
    ready: Rc<Cell<bool>>,
    queued: Rc<RefCell<Option<JsValue>>>,
    _on_message: Closure<dyn Fn(web_sys::MessageEvent)>,
    _on_error: Closure<dyn Fn(web_sys::Event)>,
}

impl WorkerHandle {
    /// Starts the worker at `url`; `on_event` gets everything it says.
    pub fn spawn(url: &str, on_event: Rc<dyn Fn(WorkerEvent)>) -> Result<WorkerHandle, String> {
        let worker = web_sys::Worker::new(url).map_err(|e| format!("{e:?}"))?;
        let ready = Rc::new(Cell::new(false));
        let queued: Rc<RefCell<Option<JsValue>>> = Rc::new(RefCell::new(None));
        let inputs: Rc<RefCell<Vec<web_sys::Blob>>> = Rc::new(RefCell::new(Vec::new()));
        let on_message = {
            let (ready, queued, worker, on_event, inputs) = (
                Rc::clone(&ready),
                Rc::clone(&queued),
                worker.clone(),
                Rc::clone(&on_event),
                Rc::clone(&inputs),
            );
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                let data = ev.data();
                let text = |k: &str| field(&data, k).as_string().unwrap_or_default();
                match text("kind").as_str() {
                    "ready" => {
                        ready.set(true);
                        if let Some(msg) = queued.borrow_mut().take() {
                            let _ = worker.post_message(&msg);
                        }
                    }
                    // Said on the worker's `<meta>` (`data-warm`), for the benchmarks that
                    // press Analyze when a user would: after the warm-up.
                    "warm" => {
                        if let Some(meta) = web_sys::window()
                            .and_then(|w| w.document())
                            .and_then(|d| d.query_selector("meta[name=kube-rightsize-worker]").ok())
                            .flatten()
                        {
                            let _ = meta.set_attribute("data-warm", "true");
                        }
                    }
                    "progress" => {
                        if let Ok(p) = serde_json::from_str(&text("progress")) {
                            on_event(WorkerEvent::Progress(p));
                        }
                    }
                    "read" => {
                        let number = |k: &str| field(&data, k).as_f64().unwrap_or(0.0);
                        let blob = inputs.borrow().get(number("input") as usize).cloned();
                        serve_slice(&worker, blob, number("id"), number("start"), number("end"));
                    }
                    "done" => on_event(WorkerEvent::Done(text("reply"))),
                    "failed" => on_event(WorkerEvent::Failed(text("failure"))),
                    "panic" => on_event(WorkerEvent::Panic(text("message"))),
                    _ => {}
                }
            })
        };
        let on_error = {
            let ready = Rc::clone(&ready);
            // A script that throws gives an `ErrorEvent`; a script that cannot be fetched (404,
            // blocked) gives a plain `Event` with no message.
            Closure::<dyn Fn(web_sys::Event)>::new(move |ev: web_sys::Event| {
                ev.prevent_default();
                let m = field(&ev, "message").as_string().unwrap_or_default();
                let m = if m.is_empty() {
                    "its script or wasm did not load".to_owned()
                } else {
                    m
                };
                on_event(if ready.get() {
                    WorkerEvent::Crashed(m)
                } else {
                    WorkerEvent::Unavailable(m)
                });
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(WorkerHandle {
            worker,
            inputs,
            ready,
            queued,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Sends a request with the inputs' `Blob`s (structured-cloned by reference: nothing is
    /// copied on the page, whatever the size).
    pub fn send(&self, request: &Request, inputs: &[web_sys::Blob]) {
        *self.inputs.borrow_mut() = inputs.to_vec();
        let blobs: js_sys::Array = inputs.iter().collect();
        let json = serde_json::to_string(request).unwrap_or_default();
        let msg = object(&[("request", &JsValue::from_str(&json)), ("inputs", &blobs)]);
        if self.ready.get() {
            let _ = self.worker.post_message(&msg);
        } else {
            *self.queued.borrow_mut() = Some(msg);
        }
    }

    /// Stops the worker at once (cancel); start a new one for the next request.
    pub fn terminate(&self) {
        self.worker.terminate();
    }
}

/// Reads bytes `start..end` of `blob` on the page and hands them to `worker` (transferred, not
/// copied), or says why they could not be read.
fn serve_slice(
    worker: &web_sys::Worker,
    blob: Option<web_sys::Blob>,
    id: f64,
    start: f64,
    end: f64,
) {
    let worker = worker.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let read = match &blob {
            Some(b) => crate::files::read_slice(b, start as usize, end as usize).await,
            None => Err(JsValue::from_str("the input is no longer there")),
        };
        let id = JsValue::from(id);
        let _ = match read {
            Ok(bytes) => worker.post_message_with_transfer(
                &object(&[("slice", &id), ("bytes", &bytes)]),
                &js_sys::Array::of1(&bytes),
            ),
            Err(e) => worker.post_message(&object(&[
                ("slice", &id),
                ("error", &JsValue::from_str(&crate::files::read_failure(&e))),
            ])),
        };
    });
}
