//! Moving bytes between the browser and wasm memory: files, drops, pastes, downloads.
//!
//! Inputs stay browser `Blob`s on the page (a picked file is never read there; a paste is
//! encoded by the browser); the worker reads them into wasm memory with [`read_blob`]. Nothing
//! becomes textarea content.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// How much of a `Blob` is read at a time: the whole input is never held twice (once as a JS
/// `ArrayBuffer`, once in wasm memory).
const READ_CHUNK: usize = 16 << 20;

/// What [`stream_blob`] made of a `Blob`.
pub enum Streamed<'o> {
    /// A snapshot, read as a stream: its bytes were never held whole.
    Snapshot(Box<kube_rightsize_core::pipeline::Streamed<'o>>),
    /// Any other input (a report, KRR, usage, prices), read whole.
    Whole(Vec<u8>),
}

/// How many slices [`stream_blob`] asks for before it parses the first of them: reading goes
/// on while a slice is parsed.
const SLICES_AHEAD: usize = 2;

/// Reads a `Blob` the way the CLI reads a file: a snapshot is fed to the core's streaming
/// reader 16 MiB at a time, anything else is read whole ([`read_blob`]). `read(start, end)`
/// starts reading bytes `start..end` (the worker asks the page, whose thread is free, so that
/// reading goes on while this one parses: a `Blob` read in a busy thread waits for it);
/// [`SLICES_AHEAD`] slices are asked for before the first is parsed. `progress(read, size)` is
/// called after each slice.
pub async fn stream_blob<'o>(
    blob: &web_sys::Blob,
    name: &str,
    ingest: &'o kube_rightsize_core::ingest::IngestOptions,
    progress: &dyn Fn(usize, usize),
    read: &dyn Fn(usize, usize) -> JsFuture,
) -> Result<Streamed<'o>, String> {
    let size = blob.size() as usize;
    let failed = |e: JsValue| read_error(name, &e);
    let head_end = size.min(READ_CHUNK);
    let head = read(0, head_end).await.map_err(failed)?;
    let head = js_sys::Uint8Array::new(&head).to_vec();
    if !kube_rightsize_core::inputs::streams(&head, kube_rightsize_core::inputs::Role::Auto) {
        drop(head);
        return read_blob(blob, name).await.map(Streamed::Whole);
    }
    let mut reader = kube_rightsize_core::ingest::StreamIngest::new(name, ingest);
    let mut done = head.len();
    let mut asked = done;
    let mut pending = std::collections::VecDeque::new();
    let mut ask = |pending: &mut std::collections::VecDeque<(usize, JsFuture)>| {
        while pending.len() < SLICES_AHEAD && asked < size {
            let end = (asked + READ_CHUNK).min(size);
            pending.push_back((end - asked, read(asked, end)));
            asked = end;
        }
    };
    ask(&mut pending);
    reader.feed(&head);
    drop(head);
    progress(done, size);
    let mut buf = Vec::new();
    while let Some((expected, slice)) = pending.pop_front() {
        let part = slice.await.map_err(failed)?;
        ask(&mut pending);
        let chunk = js_sys::Uint8Array::new(&part);
        let n = chunk.length() as usize;
        if n != expected {
            return Err(format!(
                "cannot read {name}: it ended after {} of {size} bytes (did the file change?)",
                done + n
            ));
        }
        buf.resize(n, 0);
        chunk.copy_to(&mut buf);
        drop(part);
        done += n;
        reader.feed(&buf);
        progress(done, size);
    }
    Ok(Streamed::Snapshot(Box::new(
        kube_rightsize_core::pipeline::Streamed {
            bytes: done,
            read: reader.finish(),
        },
    )))
}

/// Starts reading bytes `start..end` of `blob` (awaiting the future gets them as an
/// `ArrayBuffer`); a slice that cannot be made is a failed future.
pub fn read_slice(blob: &web_sys::Blob, start: usize, end: usize) -> JsFuture {
    match blob.slice_with_f64_and_f64(start as f64, end as f64) {
        Ok(part) => JsFuture::from(part.array_buffer()),
        Err(e) => JsFuture::from(js_sys::Promise::reject(&e)),
    }
}

/// Reads a `Blob` (a file, a paste, the demo) into wasm memory, 16 MiB at a time. Works on the
/// page and in a worker.
pub async fn read_blob(blob: &web_sys::Blob, name: &str) -> Result<Vec<u8>, String> {
    let size = blob.size() as usize;
    let mut out = Vec::new();
    out.try_reserve_exact(size).map_err(|_| {
        format!(
            "cannot read {name}: not enough memory for {}",
            kube_rightsize_core::format::human_bytes(size)
        )
    })?;
    while out.len() < size {
        let start = out.len();
        let end = (start + READ_CHUNK).min(size);
        let part = blob
            .slice_with_f64_and_f64(start as f64, end as f64)
            .map_err(|e| read_error(name, &e))?;
        let buf = JsFuture::from(part.array_buffer())
            .await
            .map_err(|e| read_error(name, &e))?;
        let chunk = js_sys::Uint8Array::new(&buf);
        let n = chunk.length() as usize;
        if n == 0 {
            return Err(format!(
                "cannot read {name}: it ended after {start} of {size} bytes (did the file change?)"
            ));
        }
        out.resize(start + n, 0);
        chunk.copy_to(&mut out[start..]);
    }
    Ok(out)
}

/// The text of a paste or drop as a `Blob` (UTF-8, encoded by the browser: the text never
/// becomes a Rust `String`); `None` when there is none or it is only whitespace.
pub fn text_blob(data: &web_sys::DataTransfer) -> Option<web_sys::Blob> {
    let get: js_sys::Function = js_sys::Reflect::get(data, &JsValue::from_str("getData"))
        .ok()?
        .dyn_into()
        .ok()?;
    let text: js_sys::JsString = get
        .call1(data, &JsValue::from_str("text"))
        .ok()?
        .dyn_into()
        .ok()?;
    if text.trim().length() == 0 {
        return None;
    }
    web_sys::Blob::new_with_str_sequence(&js_sys::Array::of1(&text)).ok()
}

/// The files of a `FileList`.
pub fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else {
        return Vec::new();
    };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// Why `name` could not be read, from the browser's error ([`read_failure`]).
fn read_error(name: &str, e: &JsValue) -> String {
    format!("cannot read {name}: {}", read_failure(e))
}

/// Why a `Blob` could not be read, for people. A file changed, moved or deleted after it was
/// picked is a `NotReadableError` whose message speaks of permissions: say what usually
/// happened instead. (The page gives the worker this text for a slice it could not read.)
pub fn read_failure(e: &JsValue) -> String {
    let not_readable = js_sys::Reflect::get(e, &JsValue::from_str("name"))
        .ok()
        .and_then(|n| n.as_string())
        .is_some_and(|n| n == "NotReadableError");
    if not_readable {
        "the browser can no longer read the file (was it changed, moved or deleted after it was \
         picked?)"
            .to_owned()
    } else {
        js_message(e)
    }
}

/// A readable message from a JS error value.
pub fn js_message(value: &wasm_bindgen::JsValue) -> String {
    if let Some(err) = value.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    value.as_string().unwrap_or_else(|| format!("{value:?}"))
}

/// Offers `bytes` as a download called `name` (a Blob URL on a temporary link; nothing is sent
/// anywhere).
pub fn download(name: &str, mime: &str, bytes: &[u8]) -> Result<(), String> {
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|e| format!("cannot create the file: {}", js_message(&e)))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|e| format!("cannot create the file: {}", js_message(&e)))?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let link: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|e| js_message(&e))?
        .dyn_into()
        .map_err(|_| "cannot create a link".to_string())?;
    link.set_href(&url);
    link.set_download(name);
    link.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// Lets the browser paint (a zero-delay timer) before long synchronous work.
pub async fn yield_to_browser() {
    gloo_timers::future::TimeoutFuture::new(0).await;
}
