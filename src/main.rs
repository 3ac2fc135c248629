//! Browser entry point: mounts the app on `<body>`.

fn main() {
    console_error_panic_hook::set_once();
    kube_rightsize_app::mount();
}
