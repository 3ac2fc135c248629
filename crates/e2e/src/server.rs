//! A small static file server on 127.0.0.1 (random free port) for the built app.
//!
//! Only `GET`/`HEAD` of files under the root; correct content types (the browser compiles wasm
//! streaming only with `application/wasm`); `/` serves `index.html`. Every request path is
//! recorded so tests can assert what the page fetched.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread;

/// A running static server; it stops when the test process exits.
pub struct StaticServer {
    port: u16,
    log: Arc<Mutex<Vec<String>>>,
}

impl StaticServer {
    /// Serves `root` on a free port of 127.0.0.1, with `Cache-Control: no-store` (every test
    /// sees what the page really fetched).
    pub fn start(root: &Path) -> std::io::Result<StaticServer> {
        StaticServer::start_with(root, "no-store")
    }

    /// Serves `root` with `Cache-Control: max-age=3600`, as a static deployment would: the
    /// second load of the page is a warm one (for the page-load benchmark).
    pub fn start_cached(root: &Path) -> std::io::Result<StaticServer> {
        StaticServer::start_with(root, "max-age=3600")
    }

    fn start_with(root: &Path, cache_control: &'static str) -> std::io::Result<StaticServer> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let root = root.to_path_buf();
        let thread_log = Arc::clone(&log);
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let root = root.clone();
                let log = Arc::clone(&thread_log);
                thread::spawn(move || {
                    let _ = handle(stream, &root, &log, cache_control);
                });
            }
        });
        Ok(StaticServer { port, log })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Request lines seen so far (`GET /index.html`).
    pub fn requests(&self) -> Vec<String> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

fn handle(
    stream: TcpStream,
    root: &Path,
    log: &Mutex<Vec<String>>,
    cache_control: &str,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut stream = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line)? == 0 {
            return Ok(());
        }
        // Skip headers.
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header)? == 0 || header == "\r\n" || header == "\n" {
                break;
            }
        }
        let mut parts = request_line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_string();
        let target = parts.next().unwrap_or("/").to_string();
        if let Ok(mut l) = log.lock() {
            l.push(format!("{method} {target}"));
        }
        let path = target.split(['?', '#']).next().unwrap_or("/");
        let (status, content_type, body) = match (method.as_str(), resolve(root, path)) {
            ("GET" | "HEAD", Some(file)) => match std::fs::read(&file) {
                Ok(bytes) => ("200 OK", content_type(&file), bytes),
                Err(_) => ("404 Not Found", "text/plain", b"not found".to_vec()),
            },
            ("GET" | "HEAD", None) => ("404 Not Found", "text/plain", b"not found".to_vec()),
            _ => (
                "405 Method Not Allowed",
                "text/plain",
                b"method not allowed".to_vec(),
            ),
        };
        write!(
            stream,
            "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: {cache_control}\r\n\r\n",
            body.len()
        )?;
        if method != "HEAD" {
            stream.write_all(&body)?;
        }
        stream.flush()?;
    }
}

/// Maps a URL path to a file under `root`, refusing `..` and absolute components.
fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let rel = url_path.trim_start_matches('/');
    let rel = if rel.is_empty() { "index.html" } else { rel };
    let rel = Path::new(rel);
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let full = root.join(rel);
    full.is_file().then_some(full)
}

fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
    {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript",
        "wasm" => "application/wasm",
        "css" => "text/css",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "bin" => "application/octet-stream",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_outside_the_root() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        assert!(resolve(&root, "/../Cargo.toml").is_none());
        assert!(resolve(&root, "/Cargo.toml").is_some());
        assert!(resolve(&root, "/missing.txt").is_none());
    }

    #[test]
    fn serves_files_with_content_types() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let server = StaticServer::start(&root).unwrap();
        let resp = ureq::get(&format!("{}/Cargo.toml", server.url()))
            .call()
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert!(resp.into_string().unwrap().contains("kube-rightsize-e2e"));
        let missing = ureq::get(&format!("{}/nope", server.url())).call();
        assert!(matches!(missing, Err(ureq::Error::Status(404, _))));
        assert_eq!(server.requests(), vec!["GET /Cargo.toml", "GET /nope"]);
        assert_eq!(content_type(Path::new("a/app_bg.wasm")), "application/wasm");
    }
}
