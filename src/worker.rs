//! Both ends of the analysis worker: [`start`] runs inside the worker (`src/bin/worker.rs`),
//! [`WorkerHandle`] is the page's side.
//!
//! Messages (plain JS objects):
//!
//! ```text
//! page → worker  {request: "<engine::Request JSON>", inputs: [ArrayBuffer, …]}  (buffers transferred)
//! worker → page  {kind: "ready"}                     once its wasm is running
//!                {kind: "progress", text: "Analysing"}
//!                {kind: "done", reply: "<engine::Reply JSON>"}
//!                {kind: "failed", failure: "<engine::Failure JSON>"}
//!                {kind: "panic", message: "…"}       from the worker's panic hook
//! ```

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::engine::{self, Host, Request, Stopped};

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

struct WorkerHost;

impl Host for WorkerHost {
    async fn fetch(
        &self,
        url: &str,
        timeout_ms: u32,
    ) -> Result<(u16, Vec<u8>), engine::FetchError> {
        engine::browser::fetch(url, timeout_ms).await
    }
    async fn progress(&self, text: &str) -> Result<(), ()> {
        // The page cancels by terminating the worker.
        post("progress", "text", text);
        Ok(())
    }
    fn now(&self) -> f64 {
        engine::browser::now()
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
    let buffers: js_sys::Array = field(&data, "inputs").unchecked_into();
    let inputs: Vec<(String, Vec<u8>)> = request
        .input_names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            (
                name.clone(),
                js_sys::Uint8Array::new(&buffers.get(i as u32)).to_vec(),
            )
        })
        .collect();
    drop(buffers);
    let result = engine::run(&request, &inputs, &WorkerHost).await;
    drop(inputs);
    match result {
        Ok(reply) => {
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
        wasm_bindgen_futures::spawn_local(handle(ev.data()));
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post("ready", "text", "");
}

/// What the worker said, for the page.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkerEvent {
    /// A progress line.
    Progress(String),
    /// The reply JSON ([`engine::Reply`]).
    Done(String),
    /// The failure JSON ([`engine::Failure`]).
    Failed(String),
    /// The worker panicked (its panic message).
    Panic(String),
    /// The worker could not start (its script or wasm failed to load) — run on the page instead.
    Unavailable(String),
    /// The worker stopped with an error after it started.
    Crashed(String),
}

/// The URL of the worker's loader script, from `<meta name="kube-rightsize-worker">` in
/// `index.html`; `None` where there is none (wasm-bindgen tests), so the page runs the engine
/// itself.
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
    ready: Rc<Cell<bool>>,
    queued: Rc<RefCell<Option<(JsValue, js_sys::Array)>>>,
    _on_message: Closure<dyn Fn(web_sys::MessageEvent)>,
    _on_error: Closure<dyn Fn(web_sys::ErrorEvent)>,
}

impl WorkerHandle {
    /// Starts the worker at `url`; `on_event` gets everything it says.
    pub fn spawn(url: &str, on_event: Rc<dyn Fn(WorkerEvent)>) -> Result<WorkerHandle, String> {
        let worker = web_sys::Worker::new(url).map_err(|e| format!("{e:?}"))?;
        let ready = Rc::new(Cell::new(false));
        let queued: Rc<RefCell<Option<(JsValue, js_sys::Array)>>> = Rc::new(RefCell::new(None));
        let on_message = {
            let (ready, queued, worker, on_event) = (
                Rc::clone(&ready),
                Rc::clone(&queued),
                worker.clone(),
                Rc::clone(&on_event),
            );
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                let data = ev.data();
                let text = |k: &str| field(&data, k).as_string().unwrap_or_default();
                match text("kind").as_str() {
                    "ready" => {
                        ready.set(true);
                        if let Some((msg, transfer)) = queued.borrow_mut().take() {
                            let _ = worker.post_message_with_transfer(&msg, &transfer);
                        }
                    }
                    "progress" => on_event(WorkerEvent::Progress(text("text"))),
                    "done" => on_event(WorkerEvent::Done(text("reply"))),
                    "failed" => on_event(WorkerEvent::Failed(text("failure"))),
                    "panic" => on_event(WorkerEvent::Panic(text("message"))),
                    _ => {}
                }
            })
        };
        let on_error = {
            let ready = Rc::clone(&ready);
            Closure::<dyn Fn(web_sys::ErrorEvent)>::new(move |ev: web_sys::ErrorEvent| {
                ev.prevent_default();
                let m = ev.message();
                let m = if m.is_empty() {
                    "the worker failed to load".to_owned()
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
            ready,
            queued,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Sends a request; each input's bytes are copied into a fresh `ArrayBuffer` that is
    /// transferred (moved, not copied again) to the worker. The page keeps its own bytes.
    pub fn send(&self, request: &Request, inputs: &[&[u8]]) {
        let buffers = js_sys::Array::new();
        for bytes in inputs {
            buffers.push(&js_sys::Uint8Array::from(*bytes).buffer());
        }
        let json = serde_json::to_string(request).unwrap_or_default();
        let msg = object(&[("request", &JsValue::from_str(&json)), ("inputs", &buffers)]);
        if self.ready.get() {
            let _ = self.worker.post_message_with_transfer(&msg, &buffers);
        } else {
            *self.queued.borrow_mut() = Some((msg, buffers));
        }
    }

    /// Stops the worker at once (cancel); start a new one for the next request.
    pub fn terminate(&self) {
        self.worker.terminate();
    }
}
