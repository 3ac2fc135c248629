//! Browser entry point: mounts the app on `<body>`.

fn main() {
    kube_rightsize_app::panic::install();
    kube_rightsize_app::mount();
    // The app is mounted and its handlers are live: the page is interactive. Benchmarks read
    // this mark (ms since navigation start; BENCHMARKS.md, "Page load").
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark("kube-rightsize-interactive");
    }
}
