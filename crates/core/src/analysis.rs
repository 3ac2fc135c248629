//! The analysis facade: inputs and settings in, the cluster model, its costs and the report out.
//!
//! ```text
//! analyze(inputs, settings, catalogue, generated_at)
//!   → ingest (Cluster + warnings)
//!   → price every node (manual > Vantage > price file > catalogue > fallback)
//!   → cost model (nodes, pods, workloads, namespaces, pools)
//!   → the rest of the bill (volumes, load balancers, control plane)
//!   → Report (kube-rightsize/report/v1)
//! ```
//!
//! Time is an input (`generated_at`): the core has no clock.

use serde::Serialize;

use crate::cluster::Cluster;
use crate::cost::{self, CostModel};
use crate::diagnostics::Warning;
use crate::ingest::{self, IngestError, IngestOptions, Input};
use crate::pricing::catalogue::Catalogue;
use crate::pricing::sources::{ManualPrices, PriceSources, PriceTable};
use crate::report::Report;

/// What the user chose: price overrides, imported prices and assumptions.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// What the ingest keeps (pod labels).
    pub ingest: IngestOptions,
    /// User-entered USD/hour per instance type (highest priority, any region and capacity).
    pub manual_prices: ManualPrices,
    /// Prices from the Vantage API ([`crate::pricing::vantage`]; empty by default).
    pub vantage: PriceTable,
    /// Prices from imported price files ([`crate::pricing::import`]), merged.
    pub price_file: PriceTable,
    /// Prices of disks, load balancers and control planes from imported price files, in the
    /// order read (later ones win; [`crate::pricing::services::ItemRow`]).
    pub price_items: Vec<crate::pricing::services::ItemRow>,
    /// When set (a fraction in `[0, 1)`), spot nodes without a known spot price are priced at
    /// on-demand × (1 − discount) and marked as estimates. Off by default.
    pub assume_spot_discount: Option<f64>,
    /// Warnings from reading the price files (see
    /// [`crate::pricing::import::ImportedPrices::warnings`]), carried into the report.
    pub price_file_warnings: Vec<Warning>,
    /// How node shape suggestions are sized ([`crate::suggest`]).
    pub suggest: crate::suggest::SuggestSettings,
    /// The re-packing may put new spot nodes into on-demand pools
    /// ([`crate::repack::Inputs::allow_spot`]); off by default.
    pub repack_spot: bool,
    /// Rates for nodes without a price (OpenCost's defaults, [`crate::pricing::rates::Rates::FALLBACK`],
    /// unless the user set their own).
    pub fallback_rates: crate::pricing::rates::Rates,
    /// The KRR strategy settings used to read usage inputs (KRR's defaults unless the user
    /// changed them). KRR results carry their own.
    pub strategy: crate::recommend::StrategySettings,
    /// Right-sizing recommendations or usage to apply ([`crate::recommend`]): a KRR result, a
    /// usage snapshot, or recommendations computed from Prometheus. `None` by default.
    pub recommendations: Option<crate::recommend::RecommendationInput>,
    /// How the recommendations' patches are checked ([`crate::patch`]).
    pub patch: crate::patch::PatchSettings,
    /// The bill beyond the nodes: the control plane's tier ([`crate::bill`]).
    pub bill: crate::bill::BillSettings,
    /// Costs by label ([`crate::allocation`]); no keys by default: no allocation.
    pub allocation: crate::allocation::AllocationSettings,
    /// Discounts off list prices ([`crate::pricing::discounts`]); none by default.
    pub discounts: crate::pricing::discounts::Discounts,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            ingest: IngestOptions::default(),
            manual_prices: ManualPrices::default(),
            vantage: PriceTable::default(),
            price_file: PriceTable::default(),
            price_items: Vec::new(),
            assume_spot_discount: None,
            price_file_warnings: Vec::new(),
            suggest: crate::suggest::SuggestSettings::default(),
            repack_spot: false,
            fallback_rates: crate::pricing::rates::Rates::FALLBACK,
            strategy: crate::recommend::StrategySettings::default(),
            recommendations: None,
            patch: crate::patch::PatchSettings::default(),
            bill: crate::bill::BillSettings::default(),
            allocation: crate::allocation::AllocationSettings::default(),
            discounts: crate::pricing::discounts::Discounts::default(),
        }
    }
}

/// Everything the analysis found.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    /// The parsed cluster.
    pub cluster: Cluster,
    /// Costs per node, pod, workload, namespace and pool.
    pub costs: CostModel,
    /// All warnings: the ingest's, then the settings', then pricing's and the cost model's.
    pub warnings: Vec<Warning>,
    /// The machine-readable report.
    pub report: Report,
    /// The recommendations matched to the snapshot and what matched nothing (also in
    /// `report.recommendations`); `None` without recommendations.
    #[serde(skip)]
    pub recommendations: Option<crate::recommend::Resolved>,
    /// The re-packing with its placements ([`crate::repack`]; its figures are also in
    /// `report.repack`).
    #[serde(skip)]
    pub repack: crate::repack::Outcome,
}

/// Parses `inputs`, prices the nodes with `settings` and `catalogue` (which the web app fetches
/// and the CLI embeds; `None` when not loaded), and builds the report stamped `generated_at`.
///
/// Fails only when the inputs cannot be read (see [`ingest::ingest_with`]).
pub fn analyze(
    inputs: &[Input<'_>],
    settings: &Settings,
    catalogue: Option<&Catalogue>,
    generated_at: &str,
) -> Result<Analysis, IngestError> {
    let cluster = ingest::ingest_with(inputs, &settings.ingest)?;
    Ok(analyze_cluster(cluster, settings, catalogue, generated_at))
}

/// Like [`analyze`], for an already parsed cluster.
pub fn analyze_cluster(
    cluster: Cluster,
    settings: &Settings,
    catalogue: Option<&Catalogue>,
    generated_at: &str,
) -> Analysis {
    let mut analysis = analyze_cluster_before_repack(cluster, settings, catalogue, generated_at);
    repack_into(&mut analysis, settings, catalogue);
    analysis
}

/// The assumed spot discount when it is a fraction in `[0, 1)`.
fn valid_spot_discount(settings: &Settings) -> Option<f64> {
    settings
        .assume_spot_discount
        .filter(|d| d.is_finite() && (0.0..1.0).contains(d))
}

/// The price sources the settings and the catalogue make.
fn price_sources<'a>(settings: &'a Settings, catalogue: Option<&'a Catalogue>) -> PriceSources<'a> {
    PriceSources {
        manual: &settings.manual_prices,
        vantage: &settings.vantage,
        file: &settings.price_file,
        catalogue,
        assume_spot_discount: valid_spot_discount(settings),
        fallback: settings.fallback_rates,
        discounts: &settings.discounts,
    }
}

/// Everything [`analyze_cluster`] does but the re-packing, which [`repack_into`] then adds: the
/// pipeline runs them as two steps, so that a shell can show the re-packing in progress.
pub fn analyze_cluster_before_repack(
    cluster: Cluster,
    settings: &Settings,
    catalogue: Option<&Catalogue>,
    generated_at: &str,
) -> Analysis {
    let mut warnings = cluster.warnings.clone();
    warnings.extend(settings.price_file_warnings.iter().cloned());
    let discount = valid_spot_discount(settings);
    if let Some(d) = settings.assume_spot_discount.filter(|_| discount.is_none()) {
        warnings.push(Warning::new(
            "invalid_setting",
            "",
            format!("the assumed spot discount {d} is not a fraction between 0 and 1; ignored"),
        ));
    }
    if catalogue.is_none() && !cluster.nodes.is_empty() {
        warnings.push(Warning::new(
            "catalogue_not_loaded",
            "",
            "the price catalogue is not loaded: nodes are priced only from manual prices, \
             imported price files and fallback rates",
        ));
    }
    let sources = price_sources(settings, catalogue);
    let costs = cost::compute(&cluster, &sources);
    warnings.extend(costs.warnings.iter().cloned());
    let node_suggestions =
        crate::suggest::suggest(&cluster, &costs, &sources, &settings.suggest, None);
    warnings.extend(node_suggestions.warnings.iter().cloned());
    let service_prices =
        crate::pricing::services::ServicePrices::embedded().with_items(&settings.price_items);
    let bill = crate::bill::compute(
        &cluster,
        &service_prices,
        &settings.bill,
        &settings.discounts,
        generated_at,
    );
    warnings.extend(bill.warnings.iter().cloned());
    let recommendations = settings
        .recommendations
        .as_ref()
        .map(|input| crate::recommend::resolve(&cluster, &costs, input));
    if let Some(r) = &recommendations {
        warnings.extend(r.warnings.iter().cloned());
    }
    let warnings =
        crate::diagnostics::cap_per_code(warnings, crate::diagnostics::MAX_WARNINGS_PER_CODE);
    let mut report = Report::build(&cluster, &costs, &warnings, generated_at, discount);
    report.pricing.discounts = settings.discounts.describe();
    report.pricing.flat_discounts = settings.discounts.flat.iter().copied().collect();
    crate::report::suggestions::attach(&mut report, &node_suggestions);
    crate::report::bill::attach(&mut report, &cluster, &bill);
    if let Some(r) = &recommendations {
        crate::report::recommendations::apply_to_report(&mut report, &cluster, &costs, r);
        let savings = workload_savings(&report, &cluster);
        report.patches = Some(crate::patch::build(
            &cluster,
            &costs,
            r,
            &settings.patch,
            &|w| savings.get(&w).copied().unwrap_or(0.0),
        ));
    }
    let savings = workload_savings(&report, &cluster);
    report.allocation =
        crate::allocation::allocate(&cluster, &costs, &bill, &settings.allocation, &|w| {
            savings.get(&w).copied().unwrap_or(0.0)
        });
    Analysis {
        cluster,
        costs,
        warnings,
        report,
        recommendations,
        repack: Default::default(),
    }
}

/// Re-packs the analysed cluster ([`crate::repack`]) and puts the result into the analysis and
/// its report (`report.repack`).
pub fn repack_into(analysis: &mut Analysis, settings: &Settings, catalogue: Option<&Catalogue>) {
    let sources = price_sources(settings, catalogue);
    let recommended = analysis
        .recommendations
        .as_ref()
        .map(|r| crate::recommend::apply::recommended_requests(&analysis.cluster, r));
    let report = &analysis.report;
    let repack = crate::repack::repack(
        &analysis.cluster,
        &analysis.costs,
        &crate::repack::Inputs {
            prices: &sources,
            target: report.node_recommendations.target_utilisation,
            recommended: recommended.as_deref(),
            requests_savings: report.summary.monthly_savings,
            shapes_savings: report.node_recommendations.total_monthly_savings,
            allow_spot: settings.repack_spot,
            spot_savings: report.node_recommendations.spot_monthly_savings,
        },
    );
    analysis.report.repack = Some(repack.repack.clone());
    analysis.repack = repack;
}

/// Each recommended workload's monthly savings as the report computed them, by index into
/// [`Cluster::workloads`].
fn workload_savings(report: &Report, cluster: &Cluster) -> std::collections::HashMap<usize, f64> {
    report
        .workloads
        .iter()
        .filter_map(|row| {
            let key = (row.namespace.clone(), row.kind.clone(), row.name.clone());
            cluster
                .workload_index
                .get(&key)
                .map(|&w| (w, row.monthly_savings))
        })
        .collect()
}
