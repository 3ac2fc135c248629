//! Prices and instance shapes.
//!
//! [`catalogue`] holds the offline list-price catalogue for AWS, GCP and Azure (on-demand, plus
//! spot: list prices for GCP, typical prices for AWS) with vCPU/memory/GPU/architecture per
//! instance type. It is generated from the CSVs in the shared pricing snapshot by `cargo xtask catalogue` and shipped as
//! `crates/core/data/catalogue.bin`; `crates/core/data/PROVENANCE.md` says where every number
//! came from and how old it is. Live pricing APIs, when reachable, should override it.

pub mod catalogue;
pub mod discounts;
mod format;
pub mod import;
pub mod rates;
pub mod services;
pub mod sources;
pub mod vantage;
