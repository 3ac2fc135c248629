//! A minimal W3C WebDriver client for headless Chromium through chromedriver.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

/// The element reference key of the W3C protocol.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Flags for headless Chromium on a machine without outside network, as root.
pub const CHROME_ARGS: [&str; 12] = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--window-size=1280,900",
];

/// Errors from the WebDriver conversation, with the command that failed.
#[derive(Debug)]
pub struct WebDriverError(pub String);

impl std::fmt::Display for WebDriverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for WebDriverError {}

type Result<T> = std::result::Result<T, WebDriverError>;

/// A chromedriver process and one browser session; both end on drop.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    agent: ureq::Agent,
    /// Chromium's profile directory, removed with the browser.
    profile: PathBuf,
}

/// An element found on the page.
#[derive(Debug, Clone)]
pub struct Element(String);

impl Browser {
    /// Starts chromedriver (`CHROMEDRIVER` or `chromedriver` on PATH) on a free port and opens a
    /// headless Chromium session with a fresh profile.
    pub fn start() -> Result<Browser> {
        Browser::start_with(&[])
    }

    /// Like [`Browser::start`], with extra Chromium flags (e.g. `--blink-settings=scriptEnabled=false`).
    pub fn start_with(extra_args: &[&str]) -> Result<Browser> {
        Browser::start_with_options(extra_args, None)
    }

    /// Like [`Browser::start_with`]; downloads go to `download_dir` without asking.
    pub fn start_with_options(extra_args: &[&str], download_dir: Option<&Path>) -> Result<Browser> {
        let port = free_port().map_err(|e| WebDriverError(format!("no free port: {e}")))?;
        let program = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let driver = Command::new(&program)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| WebDriverError(format!("cannot start {program}: {e}")))?;
        let base = format!("http://127.0.0.1:{port}");
        let agent = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(120))
            .build();
        let mut browser = Browser {
            driver,
            base,
            session: String::new(),
            agent,
            profile: std::env::temp_dir().join(format!("krs-e2e-profile-{port}")),
        };
        browser.wait_ready()?;
        let mut args: Vec<String> = CHROME_ARGS.iter().map(|s| s.to_string()).collect();
        args.extend(extra_args.iter().map(|s| s.to_string()));
        args.push(format!("--user-data-dir={}", browser.profile.display()));
        let mut chrome = json!({ "args": args });
        if let Some(dir) = download_dir {
            chrome["prefs"] = json!({
                "download.default_directory": dir.display().to_string(),
                "download.prompt_for_download": false,
                "safebrowsing.enabled": false,
            });
        }
        if let Ok(binary) = std::env::var("CHROME_BINARY") {
            chrome["binary"] = json!(binary);
        } else if Path::new("/usr/bin/chromium").exists() {
            chrome["binary"] = json!("/usr/bin/chromium");
        }
        let caps = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": chrome,
                "goog:loggingPrefs": { "browser": "ALL" },
            }}
        });
        let value = browser.post("/session", &caps)?;
        browser.session = value["sessionId"]
            .as_str()
            .ok_or_else(|| WebDriverError(format!("no sessionId in {value}")))?
            .to_string();
        Ok(browser)
    }

    fn wait_ready(&self) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(resp) = self.agent.get(&format!("{}/status", self.base)).call()
                && let Ok(v) = resp.into_json::<Value>()
                && v["value"]["ready"] == json!(true)
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(WebDriverError(
                    "chromedriver did not become ready within 30 s".into(),
                ));
            }
            sleep(Duration::from_millis(100));
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/session/{}{}", self.base, self.session, path)
    }

    fn post(&self, path: &str, body: &Value) -> Result<Value> {
        let full = if path == "/session" {
            format!("{}{}", self.base, path)
        } else {
            self.url(path)
        };
        decode(path, self.agent.post(&full).send_json(body.clone()))
    }

    fn get(&self, path: &str) -> Result<Value> {
        decode(path, self.agent.get(&self.url(path)).call())
    }

    /// Navigates to `url` and waits for the load.
    pub fn goto(&self, url: &str) -> Result<()> {
        self.post("/url", &json!({ "url": url })).map(|_| ())
    }

    /// Finds the first element matching a CSS selector, now.
    pub fn find(&self, css: &str) -> Result<Element> {
        let v = self.post(
            "/element",
            &json!({ "using": "css selector", "value": css }),
        )?;
        v[ELEMENT_KEY]
            .as_str()
            .map(|id| Element(id.to_string()))
            .ok_or_else(|| WebDriverError(format!("no element id for {css}: {v}")))
    }

    /// All elements matching a CSS selector, now.
    pub fn find_all(&self, css: &str) -> Result<Vec<Element>> {
        let v = self.post(
            "/elements",
            &json!({ "using": "css selector", "value": css }),
        )?;
        Ok(v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e[ELEMENT_KEY].as_str().map(|s| Element(s.to_string())))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Waits (polling, up to `timeout`) for an element matching `css`.
    pub fn wait_for(&self, css: &str, timeout: Duration) -> Result<Element> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.find(css) {
                Ok(e) => return Ok(e),
                Err(err) if Instant::now() > deadline => {
                    return Err(WebDriverError(format!(
                        "timed out after {timeout:?} waiting for `{css}`: {err}"
                    )));
                }
                Err(_) => sleep(Duration::from_millis(100)),
            }
        }
    }

    /// Clicks an element.
    pub fn click(&self, el: &Element) -> Result<()> {
        self.post(&format!("/element/{}/click", el.0), &json!({}))
            .map(|_| ())
    }

    /// Types `text` into an element (for a file input: newline-separated absolute paths).
    pub fn send_keys(&self, el: &Element, text: &str) -> Result<()> {
        self.post(
            &format!("/element/{}/value", el.0),
            &json!({ "text": text }),
        )
        .map(|_| ())
    }

    /// The rendered text of an element.
    pub fn text(&self, el: &Element) -> Result<String> {
        let v = self.get(&format!("/element/{}/text", el.0))?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    /// The computed value of CSS `property` of an element (works with JavaScript off).
    pub fn css_value(&self, el: &Element, property: &str) -> Result<String> {
        let v = self.get(&format!("/element/{}/css/{property}", el.0))?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    /// Emulates `prefers-color-scheme: dark` (or light) through Chromium's DevTools protocol
    /// (chromedriver's `goog/cdp/execute`).
    pub fn emulate_color_scheme(&self, scheme: &str) -> Result<()> {
        self.post(
            "/goog/cdp/execute",
            &json!({
                "cmd": "Emulation.setEmulatedMedia",
                "params": { "features": [{ "name": "prefers-color-scheme", "value": scheme }] }
            }),
        )
        .map(|_| ())
    }

    /// Pastes `text` into the app's paste area as a user would (a `paste` event carrying the
    /// text in its clipboard data).
    pub fn paste(&self, text: &str) -> Result<()> {
        self.execute(
            "const dt = new DataTransfer(); dt.setData('text', arguments[0]);
             const ev = new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true});
             document.querySelector('#paste').dispatchEvent(ev);",
            json!([text]),
        )
        .map(|_| ())
    }

    /// Runs a script in the page and returns its result.
    pub fn execute(&self, script: &str, args: Value) -> Result<Value> {
        self.post("/execute/sync", &json!({ "script": script, "args": args }))
    }

    /// The page's visible text (`document.body.innerText`).
    pub fn body_text(&self) -> Result<String> {
        let v = self.execute("return document.body.innerText;", json!([]))?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    /// Saves a PNG screenshot of the viewport to `path`.
    pub fn screenshot(&self, path: &Path) -> Result<()> {
        let v = self.get("/screenshot")?;
        let b64 = v
            .as_str()
            .ok_or_else(|| WebDriverError("screenshot: no data".into()))?;
        let png = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|e| WebDriverError(format!("screenshot: bad base64: {e}")))?;
        std::fs::write(path, png)
            .map_err(|e| WebDriverError(format!("cannot write {}: {e}", path.display())))
    }

    /// Browser console messages since the last call (Chromium's `goog:loggingPrefs`).
    pub fn console_log(&self) -> Result<Vec<String>> {
        let v = self.post("/se/log", &json!({ "type": "browser" }))?;
        Ok(v.as_array()
            .map(|a| {
                a.iter()
                    .map(|e| {
                        format!(
                            "{} {}",
                            e["level"].as_str().unwrap_or_default(),
                            e["message"].as_str().unwrap_or_default()
                        )
                    })
                    .collect()
            })
            .unwrap_or_default())
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self
                .agent
                .delete(&format!("{}/session/{}", self.base, self.session))
                .call();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // Chromium has exited with its session; its profile would stay in the temporary
        // directory otherwise (a few MB per test).
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn decode(path: &str, resp: std::result::Result<ureq::Response, ureq::Error>) -> Result<Value> {
    let body: Value = match resp {
        Ok(r) => r
            .into_json()
            .map_err(|e| WebDriverError(format!("{path}: bad JSON: {e}")))?,
        Err(ureq::Error::Status(code, r)) => {
            let text = r.into_string().unwrap_or_default();
            return Err(WebDriverError(format!("{path}: HTTP {code}: {text}")));
        }
        Err(e) => return Err(WebDriverError(format!("{path}: {e}"))),
    };
    Ok(body.get("value").cloned().unwrap_or(body))
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}
