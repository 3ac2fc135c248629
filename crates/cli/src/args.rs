//! The command line, declared with clap (derive): the commands, their options and help, how a
//! usage error is shown. The value checks are small `value_parser` functions grouped at the end
//! of this file ("Value checks"); they know nothing of clap.

use std::ffi::OsString;

use clap::builder::StyledStr;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, Args, CommandFactory, Parser, Subcommand, ValueEnum, ValueHint};
use kube_rightsize_core::allocation::{AllocationSettings, IdleRule, SharedSplit};
use kube_rightsize_core::bill::control::ControlPlaneTier;
use kube_rightsize_core::model::Provider;
use kube_rightsize_core::patch::render::PatchFormat;
use kube_rightsize_core::pricing::discounts::Commitment;
use kube_rightsize_core::pricing::rates::Rates;
use kube_rightsize_core::pricing::vantage::ApiKind;
use kube_rightsize_core::recommend::{StrategyName, StrategySettings};
use kube_rightsize_core::report::export::ExportFormat;
use kube_rightsize_core::settings::{self as rules, Setting};

/// Seconds a Vantage request may take (connect, send, and the whole answer) by default.
pub const DEFAULT_VANTAGE_TIMEOUT: u64 = 30;

/// Seconds a Prometheus query may take when `--prometheus-timeout` is not given.
pub const DEFAULT_PROMETHEUS_TIMEOUT: u64 = 60;

const MIB: i64 = 1_048_576;

const EXIT_CODES: &str = "Exit codes: 0 success, 1 usage or input error, 2 internal error.";

const TOP_AFTER_HELP: &str = "\
Run `kube-rightsize analyze --help` for the options.

Exit codes: 0 success, 1 usage or input error, 2 internal error.";

const ANALYZE_AFTER_LONG_HELP: &str = "\
Price sources, highest first: --price, Vantage (--vantage-token-env), --prices files, the \
embedded catalogue, then fallback rates ($0.031611 per core-hour, $0.004237 per GiB-hour). Every \
output says which prices were used and how old they are.

Examples:
  kubectl get nodes,pods -A -o json | kube-rightsize analyze -
  kube-rightsize analyze cluster.json --format json -o report.json
  kube-rightsize analyze cluster.json --prices prices.csv --price m5.large=0.05
  kube-rightsize analyze cluster.json --krr krr.json --format html -o report.html
  kube-rightsize analyze cluster.json --prometheus http://localhost:9090

Exit codes: 0 success, 1 usage or input error, 2 internal error.";

const PRICES_AFTER_LONG_HELP: &str = "\
The file is a kube-rightsize/prices/v1 JSON price file: give it to `analyze --prices FILE`. \
Prices are cached for 24 hours in $XDG_CACHE_HOME/kube-rightsize/vantage-prices.json (else \
~/.cache/...): a second run sends no request.

Example:
  export VANTAGE_TOKEN=...   # a read-only token
  kube-rightsize prices cluster.json --vantage-token-env VANTAGE_TOKEN -o prices.json

Exit codes: 0 success, 1 usage or input error, 2 internal error.";

const PATCHES_AFTER_LONG_HELP: &str = "\
Reads what `analyze` reads and needs recommendations (--krr, --usage or --prometheus). Only the \
cells that change appear; limits follow the strategy (`simple` sets no CPU limit, so an existing \
one is removed). Deployments, StatefulSets, DaemonSets and CronJobs are patched; other kinds are \
listed with why. Each patch names its risks (memory below the peak seen, OOM kills, a CPU cut \
beyond --cpu-drop-factor, one replica, missing or one-sample data, an HPA, a request left above \
its limit); --safe-only keeps the others. Without -o, the files are printed one after another.

Examples:
  kube-rightsize patches cluster.json --krr krr.json                 # a script of kubectl patch commands
  kube-rightsize patches cluster.json --krr krr.json -f kustomize -o rightsize/ --kustomize-resource ../base
  kube-rightsize patches cluster.json --prometheus http://localhost:9090 -f yaml --safe-only -o patches/

Exit codes: 0 success, 1 usage or input error, 2 internal error.";

const MERGE_AFTER_LONG_HELP: &str = "\
Each input is a kube-rightsize/report/v1 JSON report (`analyze --format json`, or the app's JSON \
export) or a fleet file written by `merge --format json`. Each cluster keeps its report's figures \
exactly; the fleet's totals are their sums. A report's cluster is the name it records \
(`analyze --cluster-name`), else its file's name. Reports made with different price dates, \
catalogues or settings are merged with a warning naming the differences.

Examples:
  kube-rightsize analyze prod.json --cluster-name prod --format json -o reports/prod.json
  kube-rightsize merge reports/*.json --format html -o fleet.html
  kube-rightsize merge reports/*.json --format csv -o fleet-workloads.csv

Exit codes: 0 success, 1 usage or input error, 2 internal error.";

const DIFF_AFTER_LONG_HELP: &str = "\
BEFORE and AFTER are each a kube-rightsize/report/v1 JSON report (`analyze --format json`) or a \
snapshot, which is analysed first with the price options given; --krr, --usage and --prometheus \
apply to BEFORE only (its recommendations are the ones followed up). The comparison shows each \
summary figure before and after, cost changes by workload, node pool and namespace, workloads \
added and removed, containers whose requests or limits changed, and the savings realised: the \
earlier recommendations now applied (a request within 10% of its recommendation), with the money \
they save at the earlier prices and pod counts, and the ones still open. When either side is a \
fleet (`merge --format json`; a report on the other side is a fleet of one), the clusters are \
matched by name and compared one by one (kube-rightsize/fleet-diff/v1): the fleet's totals, each \
cluster's cost change, clusters added and removed, and every cluster's own comparison.

Examples:
  kube-rightsize diff reports/2026-11-01.json reports/2026-12-01.json
  kube-rightsize diff november-fleet.json december-fleet.json --format html -o fleet.html
  kube-rightsize diff november.json cluster-now.json --format html -o changes.html
  kube-rightsize diff before.json after.json --krr krr.json --format csv   # snapshots

Formats: table, json (kube-rightsize/diff/v1), html, csv (workloads, with realised and open \
savings), csv-nodes (node pools), csv-namespaces.

Exit codes: 0 success, 1 usage or input error, 2 internal error.";

const COMPLETIONS_AFTER_HELP: &str = "\
Examples:
  kube-rightsize completions bash > ~/.local/share/bash-completion/completions/kube-rightsize
  kube-rightsize completions zsh > ~/.zfunc/_kube-rightsize    # with fpath+=(~/.zfunc) in ~/.zshrc
  kube-rightsize completions fish > ~/.config/fish/completions/kube-rightsize.fish";

/// kube-rightsize: Kubernetes right-sizing and cost report from a cluster snapshot.
#[derive(Debug, Parser)]
#[command(
    name = "kube-rightsize",
    bin_name = "kube-rightsize",
    version,
    arg_required_else_help = false,
    max_term_width = 100,
    after_help = TOP_AFTER_HELP
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Price the nodes of a `kubectl get nodes,pods -A -o json` snapshot and split their cost
    /// over workloads and namespaces
    #[command(
        after_help = "See --help for the price sources, examples and exit codes.",
        after_long_help = ANALYZE_AFTER_LONG_HELP
    )]
    Analyze(Box<AnalyzeArgs>),
    /// Turn the recommendations into ready-to-apply patches: kubectl commands, strategic-merge
    /// YAML, a kustomize patch set or Helm values, each with its risks
    #[command(after_help = EXIT_CODES, after_long_help = PATCHES_AFTER_LONG_HELP)]
    Patches(Box<PatchesArgs>),
    /// Merge saved JSON reports of several clusters into one fleet report
    #[command(after_help = EXIT_CODES, after_long_help = MERGE_AFTER_LONG_HELP)]
    Merge(MergeArgs),
    /// Compare two reports (or snapshots) of one cluster, or two fleets cluster by cluster: what
    /// changed, and which recommendations were applied with the money they save
    #[command(after_help = EXIT_CODES, after_long_help = DIFF_AFTER_LONG_HELP)]
    Diff(Box<DiffArgs>),
    /// Fetch the Vantage prices a snapshot's nodes need into a price file
    #[command(after_help = EXIT_CODES, after_long_help = PRICES_AFTER_LONG_HELP)]
    Prices(PricesArgs),
    /// Print a shell completion script to standard output
    #[command(after_help = COMPLETIONS_AFTER_HELP)]
    Completions {
        /// The shell to complete for
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// Output formats of `analyze`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Plain-text report for people
    Table,
    /// `kube-rightsize/report/v1` JSON
    Json,
    /// Workloads CSV, one row per container
    #[value(alias = "csv-workloads")]
    Csv,
    /// Nodes CSV
    CsvNodes,
    /// Namespaces CSV
    CsvNamespaces,
    /// Showback groups CSV (with --group-by; `diff` writes its JSON)
    CsvGroups,
    /// Re-packing CSV: one row per node pool, its plan and what it saves (`diff` writes its JSON)
    CsvRepack,
    /// A self-contained HTML page to share: charts, tables, how the numbers were computed
    Html,
    /// FOCUS 1.0 cost rows (CSV) for FinOps tools; `diff` writes its JSON
    Focus,
}

impl From<Format> for ExportFormat {
    fn from(f: Format) -> ExportFormat {
        match f {
            Format::Table => ExportFormat::Table,
            Format::Json => ExportFormat::Json,
            Format::Csv => ExportFormat::WorkloadsCsv,
            Format::CsvNodes => ExportFormat::NodesCsv,
            Format::CsvNamespaces => ExportFormat::NamespacesCsv,
            Format::CsvGroups => ExportFormat::GroupsCsv,
            Format::CsvRepack => ExportFormat::RepackCsv,
            Format::Html => ExportFormat::Html,
            Format::Focus => ExportFormat::Focus,
        }
    }
}

/// Patch formats of `patches`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PatchFormatArg {
    /// A shell script of `kubectl patch --type strategic` commands (patches.sh)
    Kubectl,
    /// A strategic-merge YAML file per workload (`kubectl patch --patch-file`)
    Yaml,
    /// kustomization.yaml plus the YAML files
    Kustomize,
    /// Helm values: a `resources:` block per container
    Helm,
}

impl From<PatchFormatArg> for PatchFormat {
    fn from(f: PatchFormatArg) -> PatchFormat {
        match f {
            PatchFormatArg::Kubectl => PatchFormat::Kubectl,
            PatchFormatArg::Yaml => PatchFormat::Yaml,
            PatchFormatArg::Kustomize => PatchFormat::Kustomize,
            PatchFormatArg::Helm => PatchFormat::Helm,
        }
    }
}

/// `patches` options.
#[derive(Debug, Clone, Args)]
#[command(mut_args(with_help(&[
    ("output", "Write the files into directory PATH (created if needed), or into one .zip file when PATH ends in .zip, instead of printing them"),
    ("generated_at", "Timestamp of the analysis (default: now, UTC)"),
    ("verbose", "Print how each node was mapped and priced to standard error"),
])))]
pub struct PatchesArgs {
    /// Patch format
    #[arg(
        short,
        long,
        value_enum,
        default_value_t = PatchFormatArg::Kubectl,
        overrides_with = "format"
    )]
    pub format: PatchFormatArg,

    /// Only patches without risks
    #[arg(long, overrides_with = "safe_only")]
    pub safe_only: bool,

    /// kustomize: a resource the patches apply to (repeatable; default ../base)
    #[arg(long = "kustomize-resource", value_name = "PATH")]
    pub kustomize_resources: Vec<String>,

    /// `-o`, `--generated-at`, `-v`.
    #[command(flatten)]
    pub out: OutputArgs,

    /// The snapshots, prices and recommendations (with help headings of their own: keep last).
    #[command(flatten)]
    pub input: AnalysisArgs,
}

/// `analyze` options.
#[derive(Debug, Clone, Args)]
#[command(mut_args(with_help(&[
    ("output", "Write the report to PATH instead of standard output"),
    ("generated_at", "Timestamp written in the report (default: now, UTC)"),
    ("verbose", "Print how each node was mapped and priced to standard error"),
])))]
pub struct AnalyzeArgs {
    /// Output format
    #[arg(
        short,
        long,
        value_enum,
        default_value_t = Format::Table,
        overrides_with = "format"
    )]
    pub format: Format,

    /// `-o`, `--generated-at`, `-v`.
    #[command(flatten)]
    pub out: OutputArgs,

    /// The cluster's name in the JSON report and the HTML title (default: the first file's name)
    #[arg(long, value_name = "NAME", overrides_with = "cluster_name")]
    pub cluster_name: Option<String>,

    /// Replace namespace, workload, container, node and pool names by pseudonyms
    ///
    /// The pseudonyms are keyed by a fresh random key on every run (every format), so two
    /// reports cannot be joined.
    #[arg(long, visible_alias = "anonymise", overrides_with = "anonymize")]
    pub anonymize: bool,

    /// Analyse each snapshot FILE with nodes as a cluster of its own, and report them as a fleet
    ///
    /// Each cluster is named from its file (`prod.json` is `prod`); a FILE without nodes joins
    /// the cluster its pods run on; a --krr or --usage file joins the cluster whose workloads
    /// it names; price files apply to every cluster; --prometheus is queried for one cluster
    /// (--prometheus-cluster, else the first). The output is what `merge` gives for the
    /// clusters' reports (every format), and --cluster-name is not used. With one cluster, the
    /// usual report.
    #[arg(long, overrides_with = "fleet")]
    pub fleet: bool,

    /// The snapshots, prices and recommendations (with help headings of their own: keep last).
    #[command(flatten)]
    pub input: AnalysisArgs,
}

/// `diff` options.
#[derive(Debug, Clone, Args)]
#[command(
    mut_args(with_help(&[
        ("output", "Write the comparison to PATH instead of standard output"),
        ("generated_at", "Timestamp written in the comparison (default: now, UTC)"),
        ("verbose", "Print how each node of an analysed snapshot was priced to standard error"),
    ])),
    mut_arg("files", |a| a
        .num_args(2)
        .value_names(["BEFORE", "AFTER"])
        .help("The earlier and the later report or snapshot (`-` reads standard input)")
        .long_help(
            "The earlier and the later report (kube-rightsize/report/v1 JSON) or snapshot \
             (`kubectl get nodes,pods -A -o json`, analysed first). `-` reads standard input \
             (once)."
        ))
)]
pub struct DiffArgs {
    /// Output format
    #[arg(
        short,
        long,
        value_enum,
        default_value_t = Format::Table,
        overrides_with = "format"
    )]
    pub format: Format,

    /// `-o`, `--generated-at`, `-v`.
    #[command(flatten)]
    pub out: OutputArgs,

    /// How snapshots are analysed (BEFORE and AFTER are its two files; keep last).
    #[command(flatten)]
    pub input: AnalysisArgs,
}

/// `merge` options.
#[derive(Debug, Clone, Args)]
#[command(mut_args(with_help(&[
    ("output", "Write the fleet report to PATH instead of standard output"),
    ("generated_at", "Timestamp written in the fleet report (default: now, UTC)"),
    ("verbose", "Print each report read to standard error"),
])))]
pub struct MergeArgs {
    /// Saved reports (`-` reads standard input)
    ///
    /// JSON reports from `analyze --format json` or the app, or fleet files from `merge --format
    /// json`. `-` reads standard input (once).
    #[arg(value_name = "REPORT", required = true, value_hint = ValueHint::FilePath)]
    pub files: Vec<String>,

    /// Output format (CSVs get a leading `cluster` column)
    #[arg(
        short,
        long,
        value_enum,
        default_value_t = Format::Table,
        overrides_with = "format"
    )]
    pub format: Format,

    /// `-o`, `--generated-at`, `-v`.
    #[command(flatten)]
    pub out: OutputArgs,

    /// Replace cluster, namespace, workload, container, node and pool names by pseudonyms
    ///
    /// Keyed by a fresh random key on every run, so two fleet reports cannot be joined.
    #[arg(long, visible_alias = "anonymise", overrides_with = "anonymize")]
    pub anonymize: bool,
}

/// What `analyze` and `patches` read: snapshots, prices, settings, recommendations.
#[derive(Debug, Clone, Args)]
pub struct AnalysisArgs {
    /// Cluster snapshots (`-` reads standard input)
    ///
    /// Output of `kubectl get nodes,pods -A -o json` (or -o yaml); several files are merged.
    /// `-` reads standard input (once).
    #[arg(value_name = "FILE", required = true, value_hint = ValueHint::FilePath)]
    pub files: Vec<String>,

    /// Import prices from FILE (repeatable; later files win)
    ///
    /// A CSV with the header provider,instance_type,region,capacity_type,usd_per_hour (and
    /// optionally gpu_usd_per_hour, one GPU's price), an
    /// instances.vantage.sh instances.json feed (EC2, Azure or GCP), or a
    /// kube-rightsize/prices/v1 JSON file (from `kube-rightsize prices`).
    #[arg(
        long,
        value_name = "FILE",
        value_parser = file_not_stdin,
        value_hint = ValueHint::FilePath
    )]
    pub prices: Vec<String>,

    /// Set the hourly price of an instance type (repeatable), e.g. --price m5.large=0.05
    ///
    /// The price applies in every region and to every capacity type, above every other price
    /// source.
    #[arg(long = "price", value_name = "TYPE=USD_PER_HOUR", value_parser = price_assignment)]
    pub manual_prices: Vec<(String, f64)>,

    /// Price spot nodes without a known spot price at on-demand × (1 - F)
    ///
    /// Such prices are marked as estimates. F is between 0 and 1, e.g. 0.6 for 60% off; off
    /// by default.
    #[arg(
        long,
        value_name = "F",
        value_parser = spot_discount,
        allow_negative_numbers = true,
        overrides_with = "assume_spot_discount"
    )]
    pub assume_spot_discount: Option<f64>,

    /// USD per core-hour and per GiB-hour for nodes without a price
    ///
    /// Default: OpenCost's 0.031611,0.004237; set your own for on-premises clusters, e.g.
    /// --fallback-rates 0.025,0.0033.
    #[arg(
        long,
        value_name = "CPU,MEM",
        value_parser = fallback_rates,
        overrides_with = "fallback_rates"
    )]
    pub fallback_rates: Option<Rates>,

    /// Size node suggestions so requests fill at most F of each node (default 0.85)
    ///
    /// F applies to each node's allocatable CPU and memory; 0 < F <= 1.
    #[arg(
        long = "target-utilisation",
        visible_alias = "target-utilization",
        value_name = "F",
        value_parser = target_utilisation,
        allow_negative_numbers = true,
        overrides_with = "target_utilisation"
    )]
    pub target_utilisation: Option<f64>,

    /// Re-packing: let on-demand pools' new nodes be spot nodes (interruption-tolerant
    /// workloads only)
    ///
    /// Off by default: every pool keeps its capacity type. With it, new nodes of on-demand pools
    /// are priced and labelled as spot (on AKS with its spot taint); pods that select on-demand
    /// capacity or do not tolerate the taint get on-demand nodes.
    #[arg(long = "repack-spot")]
    pub repack_spot: bool,

    /// Patches: flag a CPU request cut to less than 1/F of its current value (default 4)
    ///
    /// F is above 1 and at most 1000. Such patches are marked risky (`cpu-drop`).
    #[arg(
        long,
        value_name = "F",
        value_parser = cpu_drop_factor,
        allow_negative_numbers = true,
        overrides_with = "cpu_drop_factor"
    )]
    pub cpu_drop_factor: Option<f64>,

    /// The managed control plane's tier (default auto: EKS standard support, GKE's fee, AKS Free)
    ///
    /// One of auto, none, free, standard, extended (EKS extended support), premium (AKS).
    #[arg(
        long,
        value_name = "TIER",
        value_parser = control_plane_tier,
        overrides_with = "control_plane_tier"
    )]
    pub control_plane_tier: Option<ControlPlaneTier>,

    /// Group costs by one or two label keys (showback), e.g. team or team,env
    ///
    /// A pod's group is its own label, else its workload's, else its namespace's (a snapshot
    /// with `ns`), else `unallocated`. Adds a "Costs by" section and the JSON's `allocation`.
    #[arg(
        long,
        value_name = "KEY[,KEY]",
        value_parser = group_by,
        overrides_with = "group_by"
    )]
    pub group_by: Option<String>,

    /// With --group-by: idle node cost kept separate, or shared by requests cluster-wide or per node
    ///
    /// One of separate (default), cluster (in proportion to each group's compute cost), node
    /// (each node's idle cost by the groups' compute cost on that node).
    #[arg(long, value_name = "RULE", value_parser = idle, overrides_with = "idle")]
    pub idle: Option<IdleRule>,

    /// With --group-by: namespaces whose cost the other groups share (default kube-system; "" for none)
    #[arg(
        long,
        value_name = "NS[,NS…]",
        value_parser = shared_namespaces,
        overrides_with = "shared_namespaces"
    )]
    pub shared_namespaces: Option<String>,

    /// With --group-by: shared costs spread in proportion to each group's cost, or evenly
    ///
    /// One of proportional (default), even. The control plane is shared the same way.
    #[arg(
        long,
        value_name = "SPLIT",
        value_parser = shared_split,
        overrides_with = "shared_split"
    )]
    pub shared_split: Option<SharedSplit>,

    /// A flat discount off a provider's list prices, e.g. aws=0.15 (repeatable)
    ///
    /// An enterprise or reseller discount: every node price, disk, load balancer and
    /// control-plane fee of the provider costs list × (1 - F). F from 0 to below 1, or a
    /// percentage (aws=15%). Spot prices and manual prices are taken as they are.
    #[arg(long = "discount", value_name = "PROVIDER=F", value_parser = discount)]
    pub discounts: Vec<(Provider, f64)>,

    /// A savings plan or reservation, e.g. aws:m5=0.6@0.28 (repeatable)
    ///
    /// COVERAGE of the provider's on-demand node usage (or of one instance family: aws m5,
    /// gcp n2, azure dsv5) is billed DISCOUNT below list, so those nodes cost
    /// list × (1 - COVERAGE × DISCOUNT). A family's commitment wins over the provider's.
    #[arg(
        long = "commitment",
        value_name = "PROVIDER[:FAMILY]=COVERAGE@DISCOUNT",
        value_parser = commitment
    )]
    pub commitments: Vec<Commitment>,

    /// Your own storage price, e.g. storageclass/ceph-rbd=0.05 or pv/pvc-1234=0.12 (repeatable)
    ///
    /// USD per GiB-month for every volume of a StorageClass, or for one PersistentVolume (a
    /// volume's own price wins over its class's). The highest-priority price, like --price for
    /// nodes: used as given (no discount), for cloud disks and for storage the tool cannot
    /// price (local-path, NFS, Ceph).
    #[arg(
        long = "storage-price",
        value_name = "storageclass/NAME=USD",
        value_parser = storage_price
    )]
    pub storage_prices: Vec<String>,

    /// Vantage options (their help heading applies to the options after them: keep these two
    /// last).
    #[command(flatten)]
    pub vantage: VantageArgs,

    /// Recommendation options.
    #[command(flatten)]
    pub recommend: RecommendArgs,
}

impl AnalysisArgs {
    /// The allocation's settings from `--group-by`, `--idle`, `--shared-namespaces` and
    /// `--shared-split` (each already checked by its rule).
    pub fn allocation(&self) -> AllocationSettings {
        let mut a = AllocationSettings::default();
        if let Some(keys) = &self.group_by {
            a.keys = rules::parse_group_by(keys).unwrap_or_default();
        }
        if let Some(idle) = self.idle {
            a.idle = idle;
        }
        if let Some(ns) = &self.shared_namespaces {
            a.shared_namespaces = rules::parse_shared_namespaces(ns).unwrap_or_default();
        }
        if let Some(split) = self.shared_split {
            a.shared_split = split;
        }
        a
    }
}

/// The `--vantage-*` options (of `analyze` and `prices`).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Vantage prices")]
pub struct VantageArgs {
    /// Price nodes from Vantage with the token in the environment variable VAR
    ///
    /// VAR is the NAME of the variable: the token is never taken from the command line. Use a
    /// read-only token. Prices are cached for 24 h under $XDG_CACHE_HOME/kube-rightsize (else
    /// ~/.cache/kube-rightsize).
    #[arg(
        long = "vantage-token-env",
        value_name = "VAR",
        value_parser = env_var_name,
        overrides_with = "token_env"
    )]
    pub token_env: Option<String>,

    /// Vantage base URL (default https://api.vantage.sh, or https://instances-api.vantage.sh
    /// with --vantage-api instances)
    #[arg(
        long = "vantage-url",
        value_name = "URL",
        value_hint = ValueHint::Url,
        overrides_with = "url"
    )]
    pub url: Option<String>,

    /// v2 (a console API token; AWS) or instances (an Instances API key; AWS, Azure, GCP)
    #[arg(
        long = "vantage-api",
        value_name = "API",
        value_parser = vantage_api,
        default_value = "v2",
        overrides_with = "api"
    )]
    pub api: ApiKind,

    /// Give up on a Vantage request after this long
    ///
    /// A server that lets every retry time out stops the Vantage lookups.
    #[arg(
        long = "vantage-timeout",
        value_name = "SECONDS",
        value_parser = vantage_timeout,
        allow_negative_numbers = true,
        default_value_t = DEFAULT_VANTAGE_TIMEOUT,
        overrides_with = "timeout"
    )]
    pub timeout: u64,
}

impl VantageArgs {
    /// True when `--vantage-token-env` was given.
    pub fn enabled(&self) -> bool {
        self.token_env.is_some()
    }
}

/// `--krr`, `--usage`, `--prometheus` and the KRR strategy options of `analyze`.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Recommendations (at most one of --krr, --usage, --prometheus)")]
pub struct RecommendArgs {
    /// KRR's JSON result (`krr simple -f json`), priced
    ///
    /// The file's own strategy and settings are used; of the strategy options only
    /// --allow-hpa applies (to HPAs found in the snapshot).
    #[arg(
        long,
        value_name = "FILE",
        value_parser = file_not_stdin,
        value_hint = ValueHint::FilePath,
        group = "source"
    )]
    pub krr: Option<String>,

    /// One usage sample: `kubectl top` or metrics API output
    ///
    /// The output of `kubectl top pod -A --containers` or a metrics API PodMetricsList. One
    /// sample gives low-confidence recommendations.
    #[arg(
        long,
        value_name = "FILE",
        value_parser = file_not_stdin,
        value_hint = ValueHint::FilePath,
        group = "source"
    )]
    pub usage: Option<String>,

    /// Prometheus history, e.g. http://localhost:9090
    ///
    /// KRR's queries, e.g. at http://localhost:9090 after `kubectl port-forward
    /// svc/prometheus 9090`. A Prometheus that fails leaves `?`
    /// recommendations and a warning; the rest of the report is made.
    #[arg(
        long,
        value_name = "URL",
        value_parser = prometheus_url,
        value_hint = ValueHint::Url,
        group = "source"
    )]
    pub prometheus: Option<String>,

    /// Extra HTTP header for Prometheus (repeatable)
    ///
    /// `Name: value`, e.g. --prometheus-header 'Authorization: Bearer …'.
    #[arg(
        long = "prometheus-header",
        value_name = "HEADER",
        value_parser = prometheus_header,
        requires = "prometheus"
    )]
    pub prometheus_headers: Vec<String>,

    /// Give up on a Prometheus query after this long
    ///
    /// A Prometheus that does not answer in time leaves `?` recommendations and a warning.
    #[arg(
        long,
        value_name = "SECONDS",
        value_parser = prometheus_timeout,
        allow_negative_numbers = true,
        default_value_t = DEFAULT_PROMETHEUS_TIMEOUT,
        requires = "prometheus"
    )]
    pub prometheus_timeout: u64,

    /// With `analyze --fleet`: the cluster --prometheus serves (default: the first)
    #[arg(long, value_name = "NAME", requires = "prometheus")]
    pub prometheus_cluster: Option<String>,

    /// The strategy options.
    #[command(flatten)]
    pub options: StrategyArgs,
}

impl RecommendArgs {
    /// True when a recommendation source (`--krr`, `--usage`, `--prometheus`) was given.
    pub fn given(&self) -> bool {
        self.krr.is_some() || self.usage.is_some() || self.prometheus.is_some()
    }

    /// The `--prometheus-header` values as (name, value).
    pub fn headers(&self) -> Vec<(String, String)> {
        self.prometheus_headers
            .iter()
            .filter_map(|h| {
                let (k, v) = h.split_once(':')?;
                Some((k.trim().to_owned(), v.trim().to_owned()))
            })
            .collect()
    }
}

/// KRR's strategy and its settings (for `--krr`, only `--allow-hpa`): each needs one of
/// `--krr`, `--usage`, `--prometheus`.
#[derive(Debug, Clone, Args)]
#[group(requires = "source")]
pub struct StrategyArgs {
    /// KRR's strategy: simple or simple_limit
    #[arg(
        long,
        value_name = "NAME",
        value_parser = strategy,
        default_value = "simple",
        overrides_with = "strategy"
    )]
    pub strategy: StrategyName,

    /// simple: the CPU percentile per pod
    #[arg(
        long,
        value_name = "N",
        value_parser = cpu_percentile,
        allow_negative_numbers = true,
        default_value_t = StrategySettings::default().cpu_percentile,
        overrides_with = "cpu_percentile"
    )]
    pub cpu_percentile: f64,

    /// Added to peak memory, in percent
    #[arg(
        long,
        value_name = "N",
        value_parser = memory_buffer_percentage,
        allow_negative_numbers = true,
        default_value_t = StrategySettings::default().memory_buffer_percentage,
        overrides_with = "memory_buffer_percentage"
    )]
    pub memory_buffer_percentage: f64,

    /// History to look at, in hours
    #[arg(
        long,
        value_name = "HOURS",
        value_parser = history_duration,
        allow_negative_numbers = true,
        default_value_t = StrategySettings::default().history_duration,
        overrides_with = "history_duration"
    )]
    pub history_duration: f64,

    /// Step between samples, in minutes
    #[arg(
        long,
        value_name = "MINUTES",
        value_parser = timeframe_duration,
        allow_negative_numbers = true,
        default_value_t = StrategySettings::default().timeframe_duration,
        overrides_with = "timeframe_duration"
    )]
    pub timeframe_duration: f64,

    /// Samples needed over all pods
    #[arg(
        long,
        value_name = "N",
        value_parser = points_required,
        allow_negative_numbers = true,
        default_value_t = StrategySettings::default().points_required,
        overrides_with = "points_required"
    )]
    pub points_required: u64,

    /// Smallest CPU recommendation, in millicores
    #[arg(
        long,
        value_name = "MILLICORES",
        value_parser = cpu_min,
        allow_negative_numbers = true,
        default_value_t = StrategySettings::default().cpu_min_millicores,
        overrides_with = "cpu_min"
    )]
    pub cpu_min: i64,

    /// Smallest memory recommendation, in MiB
    #[arg(
        long,
        value_name = "MIB",
        value_parser = mem_min,
        allow_negative_numbers = true,
        default_value_t = StrategySettings::default().memory_min_bytes / MIB,
        overrides_with = "mem_min"
    )]
    pub mem_min: i64,

    /// Recommend even for resources an HPA scales on
    #[arg(long, overrides_with = "allow_hpa")]
    pub allow_hpa: bool,

    /// Take OOM-killed containers' limits into account
    ///
    /// Memory is then at least the OOM-killed limit × 1.25 (with --prometheus: from
    /// kube-state-metrics).
    #[arg(long, overrides_with = "use_oomkill_data")]
    pub use_oomkill_data: bool,

    /// Recommend for this namespace only (repeatable; KRR's -n)
    ///
    /// By default every namespace but kube-system, as KRR: name kube-system to include it.
    /// Applies to --prometheus and --usage; a KRR result keeps the scope KRR chose.
    #[arg(
        short = 'n',
        long = "namespace",
        value_name = "NAMESPACE",
        value_parser = namespace
    )]
    pub namespaces: Vec<String>,
}

impl StrategyArgs {
    /// The strategy settings the options give (KRR's defaults otherwise).
    pub fn settings(&self) -> StrategySettings {
        StrategySettings {
            history_duration: self.history_duration,
            timeframe_duration: self.timeframe_duration,
            cpu_percentile: self.cpu_percentile,
            memory_buffer_percentage: self.memory_buffer_percentage,
            points_required: self.points_required,
            allow_hpa: self.allow_hpa,
            use_oomkill_data: self.use_oomkill_data,
            cpu_min_millicores: self.cpu_min,
            namespaces: self.namespaces.clone(),
            memory_min_bytes: self.mem_min * MIB,
            ..StrategySettings::default()
        }
    }
}

/// `-o`, `--generated-at` and `-v`, the options `analyze` and `prices` share: where the result
/// goes, the time it states, and what is said on standard error meanwhile. Each command sets
/// their help, which names what it writes ([`with_help`]).
#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    #[arg(
        short,
        long,
        value_name = "PATH",
        value_hint = ValueHint::FilePath,
        overrides_with = "output"
    )]
    pub output: Option<String>,

    #[arg(
        long,
        value_name = "RFC3339",
        value_parser = generated_at,
        overrides_with = "generated_at"
    )]
    pub generated_at: Option<String>,

    #[arg(short, long, overrides_with = "verbose")]
    pub verbose: bool,
}

/// `prices` options.
#[derive(Debug, Clone, Args)]
#[command(
    mut_args(with_help(&[
        ("output", "Write the price file to PATH instead of standard output"),
        ("generated_at", "Timestamp written in the file (default: now, UTC)"),
        ("verbose", "Print a status line per instance type to standard error"),
    ])),
    mut_arg("token_env", |a| a.required(true))
)]
pub struct PricesArgs {
    /// Cluster snapshots (`-` reads standard input)
    ///
    /// Output of `kubectl get nodes,pods -A -o json` (or -o yaml); `-` reads standard input
    /// (once). Only the nodes' instance types and regions are used.
    #[arg(value_name = "SNAPSHOT", required = true, value_hint = ValueHint::FilePath)]
    pub files: Vec<String>,

    /// `-o`, `--generated-at`, `-v`.
    #[command(flatten)]
    pub out: OutputArgs,

    /// Vantage options (`--vantage-token-env` is required). Last: their help heading applies
    /// to the options after them.
    #[command(flatten)]
    pub vantage: VantageArgs,
}

/// Sets the help of the options named by id (`(id, help)`), leaving the others and the order
/// as they are: for the shared options whose help names what a command writes.
fn with_help(helps: &'static [(&'static str, &'static str)]) -> impl FnMut(Arg) -> Arg {
    move |a| match helps.iter().find(|(id, _)| a.get_id() == *id) {
        Some((_, help)) => a.help(*help),
        None => a,
    }
}

/// Parses a command line (program name first). `Err` is clap's error: help and version
/// (`use_stderr()` false, exit 0) or a usage error (exit 1), ready to print with `render()`.
pub fn parse<I, T>(argv: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = Cli::try_parse_from(argv).map_err(with_hints)?;
    let (name, files) = match &cli.command {
        Command::Analyze(a) => ("analyze", &a.input.files),
        Command::Patches(p) => ("patches", &p.input.files),
        Command::Prices(p) => ("prices", &p.files),
        Command::Merge(m) => ("merge", &m.files),
        Command::Diff(d) => ("diff", &d.input.files),
        Command::Completions { .. } => return Ok(cli),
    };
    if files.iter().filter(|f| *f == "-").count() > 1 {
        let mut cmd = Cli::command();
        cmd.build();
        let sub = cmd
            .find_subcommand_mut(name)
            .expect("the subcommand exists");
        return Err(sub.error(
            ErrorKind::ArgumentConflict,
            "standard input (`-`) can be read only once",
        ));
    }
    Ok(cli)
}

/// Adds what clap cannot know to its errors: the value of `--vantage-token-env` is never shown
/// (it may be a token pasted by mistake), and a bad `--prometheus` URL gets a corrected one.
fn with_hints(mut e: clap::Error) -> clap::Error {
    if e.kind() != ErrorKind::ValueValidation {
        return e;
    }
    let arg = match e.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(s)) => s.split(' ').next().unwrap_or_default().to_owned(),
        _ => return e,
    };
    match arg.as_str() {
        "--vantage-token-env" => {
            e.insert(
                ContextKind::InvalidValue,
                ContextValue::String("(not shown)".to_owned()),
            );
        }
        "--prometheus" => {
            if let Some(ContextValue::String(value)) = e.get(ContextKind::InvalidValue) {
                let hint = StyledStr::from(prometheus_url_hint(value));
                e.insert(ContextKind::Suggested, ContextValue::StyledStrs(vec![hint]));
            }
        }
        _ => {}
    }
    e
}

// # Value checks
//
// One function per option value: `&str` in, the typed value or a message out. clap prefixes the
// message with "invalid value 'VALUE' for '--OPTION <NAME>': ". (Numeric options set
// `allow_negative_numbers`, so that `-5` reaches its check instead of being read as a flag.)

/// `--prices`, `--krr`, `--usage`: a file, not standard input.
fn file_not_stdin(s: &str) -> Result<String, String> {
    if s == "-" {
        return Err("this option reads a file; standard input is for the cluster snapshot".into());
    }
    Ok(s.to_owned())
}

/// `--price TYPE=USD_PER_HOUR` ([`rules::parse_manual_price`]).
fn price_assignment(s: &str) -> Result<(String, f64), String> {
    rules::parse_manual_price(s).map_err(|e| e.message)
}

/// Reads a number for `setting` and checks it with `rule` (the core's rule for it).
fn checked<T>(
    setting: Setting,
    s: &str,
    rule: impl Fn(f64) -> Result<T, rules::SettingError>,
) -> Result<T, String> {
    rules::parse_number(setting, s)
        .and_then(rule)
        .map_err(|e| e.message)
}

/// Reads a whole number for `setting` and checks it with `rule`.
fn checked_whole<T>(
    setting: Setting,
    s: &str,
    rule: impl Fn(i64) -> Result<T, rules::SettingError>,
) -> Result<T, String> {
    rules::parse_whole(setting, s)
        .and_then(rule)
        .map_err(|e| e.message)
}

/// `--assume-spot-discount F` ([`rules::spot_discount`]).
fn spot_discount(s: &str) -> Result<f64, String> {
    checked(Setting::SpotDiscount, s, rules::spot_discount)
}

/// `--fallback-rates CPU,MEM` ([`rules::parse_fallback_rates`]).
fn fallback_rates(s: &str) -> Result<Rates, String> {
    rules::parse_fallback_rates(s).map_err(|e| e.message)
}

/// `--cpu-drop-factor F` ([`rules::cpu_drop_factor`]).
fn cpu_drop_factor(s: &str) -> Result<f64, String> {
    checked(Setting::CpuDropFactor, s, rules::cpu_drop_factor)
}

/// `--group-by KEY[,KEY]` ([`rules::parse_group_by`]); the text, read again by
/// [`AnalysisArgs::allocation`].
fn group_by(s: &str) -> Result<String, String> {
    rules::parse_group_by(s)
        .map(|_| s.to_owned())
        .map_err(|e| e.message)
}

/// `--idle RULE` ([`rules::idle_rule`]).
fn idle(s: &str) -> Result<IdleRule, String> {
    rules::idle_rule(s).map_err(|e| e.message)
}

/// `--shared-namespaces NS,…` ([`rules::parse_shared_namespaces`]).
fn shared_namespaces(s: &str) -> Result<String, String> {
    rules::parse_shared_namespaces(s)
        .map(|_| s.to_owned())
        .map_err(|e| e.message)
}

/// `--discount PROVIDER=F` ([`rules::discount`]).
fn discount(s: &str) -> Result<(Provider, f64), String> {
    rules::discount(s).map_err(|e| e.message)
}

/// `--storage-price storageclass/NAME=USD` ([`rules::parse_storage_price`]).
fn storage_price(s: &str) -> Result<String, String> {
    rules::parse_storage_price(s)
        .map(|_| s.to_owned())
        .map_err(|e| e.message)
}

/// `--commitment PROVIDER[:FAMILY]=COVERAGE@DISCOUNT` ([`rules::commitment`]).
fn commitment(s: &str) -> Result<Commitment, String> {
    rules::commitment(s).map_err(|e| e.message)
}

/// `--shared-split SPLIT` ([`rules::shared_split`]).
fn shared_split(s: &str) -> Result<SharedSplit, String> {
    rules::shared_split(s).map_err(|e| e.message)
}

/// `--control-plane-tier TIER` ([`rules::control_plane_tier`]).
fn control_plane_tier(s: &str) -> Result<ControlPlaneTier, String> {
    rules::control_plane_tier(s).map_err(|e| e.message)
}

/// `--target-utilisation F` ([`rules::target_utilisation`]).
fn target_utilisation(s: &str) -> Result<f64, String> {
    checked(Setting::TargetUtilisation, s, rules::target_utilisation)
}

/// `--generated-at RFC3339`.
fn generated_at(s: &str) -> Result<String, String> {
    if is_rfc3339(s) {
        Ok(s.to_owned())
    } else {
        Err("not an RFC 3339 timestamp (e.g. 2026-01-31T12:00:00Z)".to_owned())
    }
}

/// Checks the shape of an RFC 3339 timestamp: `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    if !(digits(0..4)
        && at(4, b'-')
        && digits(5..7)
        && at(7, b'-')
        && digits(8..10)
        && (at(10, b'T') || at(10, b't') || at(10, b' '))
        && digits(11..13)
        && at(13, b':')
        && digits(14..16)
        && at(16, b':')
        && digits(17..19))
    {
        return false;
    }
    let num =
        |r: std::ops::Range<usize>| s.get(r).and_then(|t| t.parse::<u32>().ok()).unwrap_or(99);
    if !(1..=12).contains(&num(5..7))
        || !(1..=31).contains(&num(8..10))
        || num(11..13) > 23
        || num(14..16) > 59
        || num(17..19) > 60
    {
        return false;
    }
    let mut i = 19;
    if at(i, b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match b.get(i) {
        Some(b'Z' | b'z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            i + 6 == b.len() && digits(i + 1..i + 3) && at(i + 3, b':') && digits(i + 4..i + 6)
        }
        _ => false,
    }
}

/// `--vantage-token-env VAR`: the name of an environment variable, not a token. (The value is
/// never echoed: [`with_hints`] hides it.)
fn env_var_name(s: &str) -> Result<String, String> {
    if s.to_ascii_lowercase().starts_with("vntg_") || s.len() > 64 {
        return Err(
            "takes the NAME of an environment variable; the value given looks like a \
                    token: put the token in a variable and pass its name"
                .to_owned(),
        );
    }
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(
            "takes the NAME of an environment variable (letters, digits, _), not the \
                    token itself"
                .to_owned(),
        );
    }
    Ok(s.to_owned())
}

/// `--vantage-api v2|instances`.
fn vantage_api(s: &str) -> Result<ApiKind, String> {
    ApiKind::from_name(s).ok_or_else(|| "use v2 or instances".to_owned())
}

/// `--vantage-timeout SECONDS`: 1 to 3600.
fn vantage_timeout(s: &str) -> Result<u64, String> {
    s.parse::<u64>()
        .ok()
        .filter(|t| (1..=3600).contains(t))
        .ok_or_else(|| "not a whole number of seconds from 1 to 3600".to_owned())
}

/// `--prometheus URL`: http:// or https:// with a host. (A URL that cannot work is a usage
/// error, unlike a Prometheus that fails at run time: a report with warnings.)
fn prometheus_url(s: &str) -> Result<String, String> {
    let lower = s.trim().to_ascii_lowercase();
    let rest = lower
        .strip_prefix("http://")
        .or_else(|| lower.strip_prefix("https://"));
    if rest.is_none_or(|r| r.is_empty() || r.starts_with('/')) {
        return Err("not an http:// or https:// URL".to_owned());
    }
    Ok(s.to_owned())
}

/// What to give instead of a `--prometheus` value that [`prometheus_url`] refuses: the same
/// host with `http://` (`127.0.0.1:9090` → `http://127.0.0.1:9090`).
fn prometheus_url_hint(s: &str) -> String {
    let s = s.trim();
    let host = s.split_once("://").map_or(s, |(_, rest)| rest);
    let host = host.trim_start_matches('/');
    let host = if host.is_empty() {
        "localhost:9090"
    } else {
        host
    };
    format!("use http://{host} (after `kubectl port-forward svc/prometheus 9090`)")
}

/// `--prometheus-header 'Name: value'`.
fn prometheus_header(s: &str) -> Result<String, String> {
    if s.contains(':') {
        Ok(s.to_owned())
    } else {
        Err("not `Name: value`".to_owned())
    }
}

/// `--prometheus-timeout SECONDS`: 1 to 86400.
fn prometheus_timeout(s: &str) -> Result<u64, String> {
    s.trim()
        .parse::<u64>()
        .ok()
        .filter(|t| (1..=24 * 3600).contains(t))
        .ok_or_else(|| "not a whole number of seconds (1 to 86400)".to_owned())
}

/// `--strategy simple|simple_limit`.
fn strategy(s: &str) -> Result<StrategyName, String> {
    StrategyName::parse(s.trim()).ok_or_else(|| "use simple or simple_limit".to_owned())
}

/// `-n/--namespace NAMESPACE`: a Kubernetes namespace name.
fn namespace(s: &str) -> Result<String, String> {
    let n = s.trim();
    if n.is_empty() || n.len() > 63 || !n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(
            "not a namespace name (up to 63 letters, digits and dashes, e.g. payments)".to_owned(),
        );
    }
    Ok(n.to_ascii_lowercase())
}

/// `--cpu-percentile N` ([`rules::cpu_percentile`]).
fn cpu_percentile(s: &str) -> Result<f64, String> {
    checked(Setting::CpuPercentile, s, rules::cpu_percentile)
}

/// `--memory-buffer-percentage N` ([`rules::memory_buffer_percentage`]).
fn memory_buffer_percentage(s: &str) -> Result<f64, String> {
    checked(
        Setting::MemoryBufferPercentage,
        s,
        rules::memory_buffer_percentage,
    )
}

/// `--history-duration HOURS` ([`rules::history_hours`]).
fn history_duration(s: &str) -> Result<f64, String> {
    checked(Setting::HistoryDuration, s, rules::history_hours)
}

/// `--timeframe-duration MINUTES` ([`rules::timeframe_minutes`]).
fn timeframe_duration(s: &str) -> Result<f64, String> {
    checked(Setting::TimeframeDuration, s, rules::timeframe_minutes)
}

/// `--points-required N`: any whole number of samples.
fn points_required(s: &str) -> Result<u64, String> {
    checked_whole(Setting::PointsRequired, s, |n| {
        u64::try_from(n).map_err(|_| rules::SettingError {
            setting: Setting::PointsRequired,
            message: format!("the samples required cannot be negative, not {n}"),
        })
    })
}

/// `--cpu-min MILLICORES` ([`rules::cpu_min_millicores`]).
fn cpu_min(s: &str) -> Result<i64, String> {
    checked_whole(Setting::CpuMin, s, rules::cpu_min_millicores)
}

/// `--mem-min MIB` ([`rules::memory_min_mib`]; the value stays in MiB).
fn mem_min(s: &str) -> Result<i64, String> {
    checked_whole(Setting::MemoryMin, s, |m| {
        rules::memory_min_mib(m).map(|_| m)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_args(s: &[&str]) -> Result<Cli, clap::Error> {
        parse(std::iter::once("kube-rightsize").chain(s.iter().copied()))
    }

    #[test]
    fn patches_options() {
        let argv = [
            "patches",
            "c.json",
            "--krr",
            "k.json",
            "-f",
            "kustomize",
            "-o",
            "out",
            "--safe-only",
            "--kustomize-resource",
            "../base",
            "--cpu-drop-factor",
            "8",
        ];
        let Ok(Cli {
            command: Command::Patches(p),
        }) = parse_args(&argv)
        else {
            panic!("patches parse");
        };
        assert_eq!(p.format, PatchFormatArg::Kustomize);
        assert_eq!(PatchFormat::from(p.format), PatchFormat::Kustomize);
        assert!(p.safe_only);
        assert_eq!(p.kustomize_resources, ["../base"]);
        assert_eq!(p.out.output.as_deref(), Some("out"));
        assert_eq!(p.input.cpu_drop_factor, Some(8.0));
        assert_eq!(analyze(&["a"]).input.cpu_drop_factor, None);
        let e = parse_args(&["analyze", "a", "--cpu-drop-factor", "1"]).unwrap_err();
        assert!(
            e.render()
                .to_string()
                .contains("the CPU drop factor must be a number above 1"),
            "{}",
            e.render()
        );
        let e = parse_args(&["patches", "-", "-"]).unwrap_err();
        assert!(
            e.render()
                .to_string()
                .contains("standard input (`-`) can be read only once")
        );
    }

    fn analyze(s: &[&str]) -> AnalyzeArgs {
        let mut argv = vec!["analyze"];
        argv.extend_from_slice(s);
        match parse_args(&argv) {
            Ok(Cli {
                command: Command::Analyze(a),
            }) => *a,
            Ok(other) => panic!("not analyze: {other:?}"),
            Err(e) => panic!("{argv:?}: {}", e.render()),
        }
    }

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_analyze() {
        let a = analyze(&[
            "a.json",
            "-",
            "--format=json",
            "--prices",
            "p.csv",
            "--price",
            "m5.large=0.05",
            "-v",
            "--assume-spot-discount",
            "0.6",
            "--generated-at",
            "2026-01-31T12:00:00Z",
            "-o",
            "out.json",
        ]);
        assert_eq!(a.input.files, ["a.json", "-"]);
        assert_eq!(a.format, Format::Json);
        assert_eq!(a.input.prices, ["p.csv"]);
        assert_eq!(a.input.manual_prices, [("m5.large".to_owned(), 0.05)]);
        assert!(a.out.verbose);
        assert_eq!(a.input.assume_spot_discount, Some(0.6));
        assert_eq!(a.out.generated_at.as_deref(), Some("2026-01-31T12:00:00Z"));
        assert_eq!(a.out.output.as_deref(), Some("out.json"));
        assert_eq!(a.input.target_utilisation, None);
        assert!(!a.input.vantage.enabled());
        assert_eq!(a.input.recommend.krr, None);
        assert_eq!(
            analyze(&["a", "--target-utilisation=0.7"])
                .input
                .target_utilisation,
            Some(0.7)
        );
        assert_eq!(
            analyze(&["a", "--target-utilization", "0.6"])
                .input
                .target_utilisation,
            Some(0.6)
        );
    }

    #[test]
    fn defaults_and_aliases() {
        let a = analyze(&["a"]);
        assert_eq!(a.format, Format::Table);
        assert!(!a.anonymize && !a.out.verbose);
        assert_eq!(a.input.vantage.api, ApiKind::V2);
        assert_eq!(a.input.vantage.timeout, DEFAULT_VANTAGE_TIMEOUT);
        assert_eq!(
            a.input.recommend.prometheus_timeout,
            DEFAULT_PROMETHEUS_TIMEOUT
        );
        assert_eq!(a.input.recommend.options.strategy, StrategyName::Simple);
        assert_eq!(
            a.input.recommend.options.settings(),
            StrategySettings::default()
        );
        assert_eq!(analyze(&["a", "-f", "csv-workloads"]).format, Format::Csv);
        assert_eq!(
            analyze(&["a", "--format", "csv-nodes"]).format,
            Format::CsvNodes
        );
        assert!(analyze(&["a", "--anonymise"]).anonymize);
        // `--` ends the options: what follows is a file, even if it starts with `-`.
        assert_eq!(
            analyze(&["a", "--", "-v", "--x"]).input.files,
            ["a", "-v", "--x"]
        );
        // A single-valued option given twice: the last one wins, as before.
        assert_eq!(
            analyze(&["a", "-f", "json", "-f", "html"]).format,
            Format::Html
        );
        assert!(analyze(&["a", "-v", "-v"]).out.verbose);
    }

    #[test]
    fn parses_fallback_rates() {
        let r = analyze(&["a", "--fallback-rates", "0.025, 0.0033"])
            .input
            .fallback_rates
            .expect("rates");
        assert_eq!((r.cpu_core_hourly, r.memory_gib_hourly), (0.025, 0.0033));
    }

    #[test]
    fn parses_html_options() {
        let a = analyze(&[
            "a.json",
            "--format",
            "html",
            "--cluster-name=prod eu",
            "--anonymize",
        ]);
        assert_eq!(a.format, Format::Html);
        assert_eq!(a.cluster_name.as_deref(), Some("prod eu"));
        assert!(a.anonymize);
        assert!(parse_args(&["analyze", "a", "--cluster-name"]).is_err());
    }

    #[test]
    fn parses_recommendation_options() {
        let a = analyze(&[
            "a",
            "--prometheus",
            "http://localhost:9090",
            "--prometheus-header",
            "Authorization: Bearer x",
            "--prometheus-timeout",
            "5",
            "--strategy",
            "simple_limit",
            "--cpu-percentile",
            "99",
            "--memory-buffer-percentage=20",
            "--history-duration",
            "24",
            "--timeframe-duration",
            "5",
            "--points-required",
            "10",
            "--cpu-min",
            "5",
            "--mem-min",
            "64",
            "--allow-hpa",
            "--use-oomkill-data",
        ]);
        let r = &a.input.recommend;
        assert_eq!(r.prometheus.as_deref(), Some("http://localhost:9090"));
        assert_eq!(r.prometheus_headers, ["Authorization: Bearer x"]);
        assert_eq!(r.prometheus_timeout, 5);
        assert_eq!(r.options.strategy, StrategyName::SimpleLimit);
        let s = r.options.settings();
        assert_eq!(
            (
                s.cpu_percentile,
                s.memory_buffer_percentage,
                s.history_duration
            ),
            (99.0, 20.0, 24.0)
        );
        assert_eq!((s.timeframe_duration, s.points_required), (5.0, 10));
        assert_eq!((s.cpu_min_millicores, s.memory_min_bytes), (5, 64 * MIB));
        assert!(s.allow_hpa && s.use_oomkill_data);
        let k = analyze(&["a", "--krr", "k.json", "--allow-hpa"]);
        assert_eq!(k.input.recommend.krr.as_deref(), Some("k.json"));
        assert!(k.input.recommend.options.settings().allow_hpa);
    }

    #[test]
    fn parses_vantage_and_prices() {
        let a = analyze(&[
            "a",
            "--vantage-token-env",
            "VANTAGE_TOKEN",
            "--vantage-url",
            "http://127.0.0.1:9",
            "--vantage-api",
            "instances",
            "--vantage-timeout",
            "5",
        ]);
        assert!(a.input.vantage.enabled());
        assert_eq!(a.input.vantage.url.as_deref(), Some("http://127.0.0.1:9"));
        assert_eq!(
            (a.input.vantage.api, a.input.vantage.timeout),
            (ApiKind::Instances, 5)
        );
        let Ok(Cli {
            command: Command::Prices(p),
        }) = parse_args(&[
            "prices",
            "c.json",
            "--vantage-token-env=T",
            "-o",
            "p.json",
            "-v",
        ])
        else {
            panic!("not prices")
        };
        assert_eq!(p.files, ["c.json"]);
        assert_eq!(p.vantage.token_env.as_deref(), Some("T"));
        assert_eq!(p.out.output.as_deref(), Some("p.json"));
        assert!(p.out.verbose);
    }

    #[test]
    fn rejects_bad_usage() {
        for bad in [
            &["analyze"][..],
            &["analyze", "a", "--bogus"],
            &["analyze", "a", "--format", "xml"],
            &["analyze", "a", "--assume-spot-discount", "1.5"],
            &["analyze", "a", "--target-utilisation", "0"],
            &["analyze", "a", "--target-utilisation", "1.2"],
            &["analyze", "a", "--fallback-rates", "0.03"],
            &["analyze", "a", "--fallback-rates", "0.03,-1"],
            &["analyze", "a", "--fallback-rates", "0,0"],
            &["analyze", "a", "--fallback-rates", "NaN,0.004"],
            &["analyze", "a", "--generated-at", "yesterday"],
            &["analyze", "a", "--price", "m5.large"],
            &["analyze", "-", "-"],
            &["analyze", "a", "--prices"],
            &["analyze", "a", "--prices", "-"],
            &["analyze", "a", "--krr", "-"],
            &["analyze", "a", "--usage", "-"],
            &["analyze", "a", "--krr", "k", "--usage", "u"],
            &["analyze", "a", "--krr", "k", "--krr", "k"],
            &["analyze", "a", "--prometheus", "localhost:9090"],
            &["analyze", "a", "--prometheus", "ftp://x"],
            &["analyze", "a", "--prometheus", "http://"],
            &["analyze", "a", "--prometheus-header", "X: y"],
            &["analyze", "a", "--prometheus-timeout", "5"],
            &[
                "analyze",
                "a",
                "--prometheus",
                "http://p",
                "--prometheus-header",
                "X",
            ],
            &[
                "analyze",
                "a",
                "--prometheus",
                "http://p",
                "--prometheus-timeout",
                "0",
            ],
            &["analyze", "a", "--cpu-percentile", "95"],
            &["analyze", "a", "--allow-hpa"],
            &["analyze", "a", "--krr", "k", "--strategy", "fancy"],
            &["analyze", "a", "--krr", "k", "--cpu-percentile", "101"],
            &["analyze", "a", "--krr", "k", "--timeframe-duration", "0"],
            &["analyze", "a", "--krr", "k", "--mem-min", "lots"],
            &["analyze", "a", "--krr", "k", "--cpu-min=-1"],
            &["analyze", "a", "--vantage-token-env", "vntg_tkn_abc"],
            &["analyze", "a", "--vantage-token-env", "MY-VAR"],
            &["analyze", "a", "--vantage-api", "v3"],
            &["analyze", "a", "--vantage-timeout", "0"],
            &["prices", "c.json"],
            &["prices", "-", "-", "--vantage-token-env", "T"],
            &["completions", "tcsh"],
            &["frobnicate"],
            &[],
        ] {
            let e = parse_args(bad).expect_err(&format!("{bad:?}"));
            assert!(e.use_stderr(), "{bad:?}: {}", e.render());
        }
    }

    #[test]
    fn help_and_version_are_not_errors() {
        for argv in [
            &["--help"][..],
            &["-h"],
            &["help"],
            &["help", "analyze"],
            &["analyze", "--help"],
            &["prices", "-h"],
            &["completions", "--help"],
            &["--version"],
            &["-V"],
        ] {
            let e = parse_args(argv).expect_err(&format!("{argv:?}"));
            assert!(!e.use_stderr(), "{argv:?}: {}", e.render());
        }
    }

    #[test]
    fn errors_are_short_and_helpful() {
        let text = |argv: &[&str]| parse_args(argv).expect_err("an error").render().to_string();
        let e = text(&["analyze", "a", "--formt", "json"]);
        assert!(e.contains("'--format'"), "{e}");
        assert!(e.contains("For more information, try '--help'."), "{e}");
        let e = text(&["analyze", "a", "--prometheus", "127.0.0.1:9090"]);
        assert!(e.contains("not an http:// or https:// URL"), "{e}");
        assert!(
            e.contains("use http://127.0.0.1:9090 (after `kubectl port-forward"),
            "{e}"
        );
        assert!(!e.contains("Recommendations"), "the whole help: {e}");
        let e = text(&["analyze", "a", "--vantage-token-env", "vntg_tkn_secret"]);
        assert!(e.contains("looks like a token"), "{e}");
        assert!(!e.contains("vntg_tkn_secret"), "{e}");
        let e = text(&["analyze", "-", "-"]);
        assert!(
            e.contains("standard input (`-`) can be read only once"),
            "{e}"
        );
        assert!(e.contains("Usage: kube-rightsize analyze"), "{e}");
    }

    #[test]
    fn prometheus_url_hints() {
        assert_eq!(
            prometheus_url_hint("127.0.0.1:9090"),
            "use http://127.0.0.1:9090 (after `kubectl port-forward svc/prometheus 9090`)"
        );
        assert!(prometheus_url_hint("ftp://x").starts_with("use http://x "));
        assert!(prometheus_url_hint("http://").starts_with("use http://localhost:9090 "));
    }

    #[test]
    fn rfc3339_shapes() {
        assert!(is_rfc3339("2026-01-31T12:00:00Z"));
        assert!(is_rfc3339("2026-01-31T12:00:00.123+02:00"));
        assert!(!is_rfc3339("2026-13-31T12:00:00Z"));
        assert!(!is_rfc3339("2026-01-31"));
        assert!(!is_rfc3339("2026-01-31T12:00:00"));
        assert!(!is_rfc3339("2026-01-31T12:00:00Zjunk"));
    }
}
