//! The analysis worker: a Web Worker that runs [`kube_rightsize_app::engine`] off the page's
//! thread (built by Trunk from `index.html`'s `data-type="worker"` link).

fn main() {
    kube_rightsize_app::worker::start();
}
