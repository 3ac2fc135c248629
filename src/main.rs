//! Browser entry point: mounts the app on `<body>`.

fn main() {
    kube_rightsize_app::panic::install();
    kube_rightsize_app::mount();
}
