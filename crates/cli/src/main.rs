//! kube-rightsize command line: the same analysis as the web app, for CI pipelines and scripts.
//!
//! Exit codes: 0 success, 1 usage or input error (message on stderr, located for bad input),
//! 2 internal error.

mod args;
mod clock;
mod prometheus;
mod recommend;
mod vantage;

use std::ffi::OsString;
use std::io::{Read, Write};
use std::process::ExitCode;

use anyhow::Context;
use clap::CommandFactory;
use kube_rightsize_core::analysis::{self, Settings};
use kube_rightsize_core::ingest::Input;
use kube_rightsize_core::nodes;
use kube_rightsize_core::pricing::catalogue::Catalogue;
use kube_rightsize_core::pricing::import::import_prices;
use kube_rightsize_core::pricing::sources::PriceTable;
use kube_rightsize_core::report::{csv, html, json, table};

use args::{AnalyzeArgs, Cli, Command, Format};

/// Why the command failed, deciding the exit code.
enum Failure {
    /// Bad command line: exit 1 with clap's message (usage line, no whole help).
    Usage(clap::Error),
    /// Unreadable or invalid input: exit 1.
    Input(String),
    /// Anything else: exit 2.
    Internal(anyhow::Error),
}

fn main() -> ExitCode {
    let result = std::panic::catch_unwind(|| run(std::env::args_os()));
    match result {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(Failure::Usage(e))) => {
            eprint!("{}", e.render());
            ExitCode::from(1)
        }
        Ok(Err(Failure::Input(message))) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
        Ok(Err(Failure::Internal(e))) => {
            eprintln!("internal error: {e:#}");
            ExitCode::from(2)
        }
        Err(_) => {
            eprintln!("internal error: the analysis panicked; please report this with the input");
            ExitCode::from(2)
        }
    }
}

fn run(argv: impl Iterator<Item = OsString>) -> Result<(), Failure> {
    let cli = match args::parse(argv) {
        Ok(cli) => cli,
        // `--help` and `--version`: to standard output, exit 0.
        Err(e) if !e.use_stderr() => {
            return write_output(None, &e.render().to_string()).map_err(Failure::Internal);
        }
        Err(e) => return Err(Failure::Usage(e)),
    };
    match cli.command {
        Command::Analyze(a) => analyze(&a),
        Command::Prices(p) => vantage::run_prices(&p),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "kube-rightsize", &mut script);
            write_output(None, &String::from_utf8_lossy(&script)).map_err(Failure::Internal)
        }
    }
}

fn read_input(path: &str) -> Result<Vec<u8>, Failure> {
    if path == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| Failure::Input(format!("cannot read standard input: {e}")))?;
        Ok(buf)
    } else {
        std::fs::read(path).map_err(|e| Failure::Input(format!("cannot read {path}: {e}")))
    }
}

fn display_name(path: &str) -> &str {
    if path == "-" { "<stdin>" } else { path }
}

fn analyze(a: &AnalyzeArgs) -> Result<(), Failure> {
    let mut settings = Settings::default();
    for assignment in &a.manual_prices {
        settings
            .manual_prices
            .set_assignment(assignment)
            .map_err(|e| Failure::Input(format!("--price: {e}")))?;
    }
    settings.assume_spot_discount = a.assume_spot_discount;
    if let Some(r) = a.fallback_rates {
        settings.fallback_rates = r;
    }
    if let Some(t) = a.target_utilisation {
        settings.suggest.target_utilisation = t;
    }
    let mut file_prices = PriceTable::default();
    for path in &a.prices {
        let bytes = read_input(path)?;
        let imported = import_prices(path, &bytes).map_err(|e| Failure::Input(e.to_string()))?;
        if a.verbose {
            eprintln!(
                "{path}: {} with {} prices",
                imported.format.describe(),
                imported.table.len()
            );
        }
        file_prices.merge(imported.table);
        settings.price_file_warnings.extend(imported.warnings);
    }
    settings.price_file = file_prices;

    let contents: Vec<(String, Vec<u8>)> = a
        .files
        .iter()
        .map(|p| Ok((display_name(p).to_owned(), read_input(p)?)))
        .collect::<Result<_, Failure>>()?;
    let inputs: Vec<Input<'_>> = contents
        .iter()
        .map(|(name, bytes)| Input::new(name, bytes))
        .collect();

    let catalogue = Catalogue::try_embedded().map_err(|e| {
        Failure::Internal(anyhow::anyhow!(
            "the embedded price catalogue does not decode: {e}"
        ))
    })?;
    let generated_at = a.generated_at.clone().unwrap_or_else(clock::now_rfc3339);
    let cluster = kube_rightsize_core::ingest::ingest_with(&inputs, &settings.ingest)
        .map_err(|e| Failure::Input(e.to_string()))?;
    if a.vantage.enabled() {
        vantage::fill_settings(&a.vantage, &cluster, &mut settings, a.verbose)?;
    }
    settings.recommendations = recommend::load(&a.recommend, &cluster, a.verbose)?;
    let analysis = analysis::analyze_cluster(cluster, &settings, Some(catalogue), &generated_at);

    if a.verbose {
        for (node, cost) in analysis.cluster.nodes.iter().zip(&analysis.costs.nodes) {
            eprintln!("{}", nodes::describe(node));
            eprintln!("  price: {}", cost.explanation);
        }
        eprintln!("{}", analysis.report.pricing.summary);
        eprintln!("{} warnings", analysis.warnings.len());
    }

    // `--anonymize`: the HTML renderer anonymises itself (names, inputs, cluster name).
    let key = a.anonymize.then(random_key);
    let anonymised = match &key {
        Some(k) if a.format != Format::Html => Some(analysis.report.anonymised(k)),
        _ => None,
    };
    let report = anonymised.as_ref().unwrap_or(&analysis.report);
    let text = match a.format {
        Format::Table => table::render(
            report,
            &table::TableOptions {
                explain_nodes: a.verbose,
                ..table::TableOptions::default()
            },
        ),
        Format::Json => json::to_json(report),
        Format::Csv => csv::workloads_csv(report),
        Format::CsvNodes => csv::nodes_csv(report),
        Format::CsvNamespaces => csv::namespaces_csv(report),
        Format::Html => html::render_html(
            &analysis.report,
            &html::HtmlOptions {
                cluster_name: a.cluster_name.clone(),
                inputs: analysis.cluster.inputs.clone(),
                anonymise_key: key,
                ..html::HtmlOptions::default()
            },
        ),
    };
    write_output(a.output.as_deref(), &text).map_err(Failure::Internal)
}

/// A fresh key for `--anonymize`: 32 bytes from `/dev/urandom`, else from std's randomly seeded
/// hashers mixed with the time (no `rand` crate needed for a pseudonym key).
fn random_key() -> Vec<u8> {
    let mut key = vec![0u8; 32];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom")
        && f.read_exact(&mut key).is_ok()
    {
        return key;
    }
    use std::hash::{BuildHasher, Hasher};
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    key.clear();
    for i in 0..4u64 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(i);
        h.write_u128(nanos);
        h.write_u32(std::process::id());
        key.extend(h.finish().to_le_bytes());
    }
    key
}

fn write_output(path: Option<&str>, text: &str) -> anyhow::Result<()> {
    match path {
        Some(p) if p != "-" => std::fs::write(p, text).with_context(|| format!("cannot write {p}")),
        _ => {
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                // A closed pipe (`| head`) is not an error worth reporting.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => other.context("cannot write to standard output"),
            }
        }
    }
}
