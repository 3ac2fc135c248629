//! # kube-rightsize core
//!
//! The pure analysis library behind the kube-rightsize web app and CLI: it parses cluster snapshots,
//! maps nodes to cloud instances, groups pods into workloads, prices nodes, splits their cost over
//! workloads and renders reports.
//!
//! Invariants (see ARCHITECTURE.md): no I/O, no clock, no randomness, no browser crates, no
//! `unsafe`. Inputs are bytes, outputs are plain data. Quantities are exact integers.
#![forbid(unsafe_code)]

pub mod allocation;
pub mod analysis;
pub mod bill;
pub mod cluster;
pub mod cost;
pub mod diagnostics;
pub mod format;
pub mod http;
pub mod ingest;
pub mod inputs;
pub mod limits;
pub mod model;
pub mod nodes;
pub mod patch;
pub mod pipeline;
pub mod pods;
pub mod preferences;
pub mod pricing;
pub mod prometheus;
pub mod quantity;
pub mod recommend;
pub mod repack;
pub mod report;
pub mod scheduling;
pub mod services;
pub mod settings;
pub mod suggest;
pub mod time;
pub mod volumes;
pub mod workloads;
