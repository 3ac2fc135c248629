//! The kube-rightsize web app: a thin Leptos shell over `kube-rightsize-core`.
//!
//! Components only move data between the page and the core; everything that computes lives in
//! the core crate (see ARCHITECTURE.md).

mod app;
mod changes;
pub mod engine;
mod files;
pub mod fleet;
pub mod groups;
mod input;
pub mod net;
pub mod panic;
mod patches;
mod prometheus;
pub mod report_view;
pub mod settings;
mod state;
pub mod storage;
pub mod table;
pub mod vantage;
pub mod worker;
pub mod worker_client;

pub use app::App;
pub use worker_client::{LocalEngine, LocalRun, PageHost, local_engine};

/// Mounts the app on the document body.
pub fn mount() {
    leptos::mount::mount_to_body(App);
}
