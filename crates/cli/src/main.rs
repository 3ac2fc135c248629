//! kube-rightsize command line: the same analysis as the web app, for CI pipelines and scripts.
//!
//! Exit codes: 0 success, 1 usage or input error (message on stderr, located for bad input),
//! 2 internal error.

mod args;
mod clock;
mod drive;
mod vantage;

use std::ffi::OsString;
use std::io::{Read, Write};
use std::process::ExitCode;

use anyhow::Context;
use clap::CommandFactory;
use kube_rightsize_core::ingest::{CHUNK_BYTES, IngestOptions, StreamIngest};
use kube_rightsize_core::inputs;
use kube_rightsize_core::nodes;
use kube_rightsize_core::pipeline::{
    self, CatalogueSource, Clusters, Failure as PipelineFailure, Job, JobInput, PrometheusSource,
    Role, Shell,
};
use kube_rightsize_core::pricing::catalogue::Catalogue;
use kube_rightsize_core::pricing::discounts::Discounts;
use kube_rightsize_core::report::export::{self, ExportOptions};
use kube_rightsize_core::settings::Options;

use args::{AnalysisArgs, AnalyzeArgs, Cli, Command, DiffArgs, MergeArgs, OutputArgs, PatchesArgs};
use kube_rightsize_core::patch::render::{self, Selection};

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
        Command::Patches(p) => patches(&p),
        Command::Merge(m) => merge(&m),
        Command::Diff(d) => diff(&d),
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

/// The files given on the command line, read: each with the name the report shows (the file
/// name, never the directories it was typed with, which would end up in a forwarded report;
/// the path as typed when two files share a name; `<stdin>` for `-`), its path as typed (for
/// messages on this terminal), its bytes and its role.
pub(crate) struct Files {
    files: Vec<(String, String, Vec<u8>, Role)>,
    /// Snapshots read in chunks by the streaming reader ([`Files::read_streaming`]); their
    /// entries in `files` have no bytes and are left out of [`Files::inputs`].
    streamed: std::cell::RefCell<Vec<pipeline::Streamed<'static>>>,
    /// The indices in `files` of the streamed snapshots.
    streamed_at: Vec<usize>,
}

fn open_input(path: &str) -> Result<Box<dyn Read>, Failure> {
    if path == "-" {
        Ok(Box::new(std::io::stdin().lock()))
    } else {
        let file = std::fs::File::open(path)
            .map_err(|e| Failure::Input(format!("cannot read {path}: {e}")))?;
        Ok(Box::new(file))
    }
}

/// Fills `buf` from `r` as far as it goes: the bytes read (fewer only at the end).
fn read_some(r: &mut dyn Read, buf: &mut [u8], path: &str) -> Result<usize, Failure> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                let what = if path == "-" {
                    "standard input".to_owned()
                } else {
                    path.to_owned()
                };
                return Err(Failure::Input(format!("cannot read {what}: {e}")));
            }
        }
    }
    Ok(n)
}

/// A snapshot read in 1 MiB chunks into the core's streaming reader, never held whole; a
/// saved report given as a snapshot (which the pipeline refuses with a hint) is read whole.
fn stream_snapshot(
    path: &str,
    name: &str,
    ingest: &'static IngestOptions,
) -> Result<Result<pipeline::Streamed<'static>, Vec<u8>>, Failure> {
    let mut r = open_input(path)?;
    let mut buf = vec![0u8; CHUNK_BYTES];
    let n = read_some(&mut *r, &mut buf, path)?;
    if !inputs::streams(&buf[..n], Role::Snapshot) {
        buf.truncate(n);
        r.read_to_end(&mut buf)
            .map_err(|e| Failure::Input(format!("cannot read {path}: {e}")))?;
        return Ok(Err(buf));
    }
    let mut s = StreamIngest::new(name, ingest);
    let mut total = n;
    s.feed(&buf[..n]);
    loop {
        let n = read_some(&mut *r, &mut buf, path)?;
        if n == 0 {
            break;
        }
        s.feed(&buf[..n]);
        total += n;
    }
    Ok(Ok(pipeline::Streamed {
        bytes: total,
        read: s.finish(),
    }))
}

impl Files {
    pub(crate) fn read(paths: &[(&str, Role)]) -> Result<Files, Failure> {
        Files::read_with(paths, None)
    }

    /// [`Files::read`], the snapshots streamed (read in chunks, never whole) with `ingest`,
    /// the options the analysis reads snapshots with (the labels `--group-by` keeps).
    pub(crate) fn read_streaming(
        paths: &[(&str, Role)],
        ingest: &'static IngestOptions,
    ) -> Result<Files, Failure> {
        Files::read_with(paths, Some(ingest))
    }

    fn read_with(
        paths: &[(&str, Role)],
        stream: Option<&'static IngestOptions>,
    ) -> Result<Files, Failure> {
        let base = |p: &str| -> String {
            if p == "-" {
                return "<stdin>".to_owned();
            }
            std::path::Path::new(p)
                .file_name()
                .map_or_else(|| p.to_owned(), |n| n.to_string_lossy().into_owned())
        };
        let mut files = Vec::new();
        let mut streamed = Vec::new();
        let mut streamed_at = Vec::new();
        for (path, role) in paths {
            let shared = paths.iter().filter(|(q, _)| base(q) == base(path)).count() > 1;
            let name = if shared && *path != "-" {
                (*path).to_owned()
            } else {
                base(path)
            };
            let bytes = match stream.filter(|_| *role == Role::Snapshot) {
                Some(ingest) => match stream_snapshot(path, &name, ingest)? {
                    Ok(read) => {
                        streamed.push(read);
                        streamed_at.push(files.len());
                        Vec::new()
                    }
                    Err(bytes) => bytes,
                },
                None => read_input(path)?,
            };
            files.push((name, (*path).to_owned(), bytes, *role));
        }
        Ok(Files {
            files,
            streamed: std::cell::RefCell::new(streamed),
            streamed_at,
        })
    }

    /// The streamed snapshots, for the pipeline (once).
    pub(crate) fn take_streamed(&self) -> Vec<pipeline::Streamed<'static>> {
        std::mem::take(&mut *self.streamed.borrow_mut())
    }

    pub(crate) fn inputs(&self) -> Vec<JobInput<'_>> {
        self.files
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.streamed_at.contains(i))
            .map(|(_, (name, _, bytes, role))| JobInput {
                name,
                bytes,
                role: *role,
            })
            .collect()
    }

    /// The failure as printed here: its input named by the path as typed.
    pub(crate) fn locate(&self, mut f: PipelineFailure) -> Failure {
        if let Some((_, path, _, _)) = self.files.iter().find(|(n, ..)| *n == f.input)
            && path != "-"
        {
            f.input.clone_from(path);
        }
        Failure::Input(f.to_string())
    }
}

/// The catalogue compiled into this binary.
pub(crate) fn embedded_catalogue() -> Result<CatalogueSource, Failure> {
    Catalogue::try_embedded()
        .map(CatalogueSource::Embedded)
        .map_err(|e| {
            Failure::Internal(anyhow::anyhow!(
                "the embedded price catalogue does not decode: {e}"
            ))
        })
}

/// Reads the inputs, runs the pipeline (Vantage, Prometheus) and says on standard error what
/// the network did; what `analyze` and `patches` share.
fn run_analysis(
    a: &AnalysisArgs,
    out: &OutputArgs,
    clusters: Clusters,
) -> Result<Box<pipeline::Outcome>, Failure> {
    let mut paths: Vec<(&str, Role)> = a
        .files
        .iter()
        .map(|f| (f.as_str(), Role::Snapshot))
        .collect();
    paths.extend(a.prices.iter().map(|f| (f.as_str(), Role::Prices)));
    paths.extend(a.recommend.krr.iter().map(|f| (f.as_str(), Role::Krr)));
    paths.extend(a.recommend.usage.iter().map(|f| (f.as_str(), Role::Usage)));
    // The snapshots are read as the pipeline would read them: with the settings' ingest
    // options. The streaming reader borrows them for the rest of this one-shot process.
    let mut settings = kube_rightsize_core::analysis::Settings::default();
    options_of(a).apply(&mut settings);
    let ingest: &'static IngestOptions = Box::leak(Box::new(settings.ingest));
    let files = Files::read_streaming(&paths, ingest)?;
    run_files(a, out, &files, clusters)
}

/// The typed options of `analyze`'s flags (checked by the core's settings rules).
fn options_of(a: &AnalysisArgs) -> Options {
    Options {
        manual_prices: a.manual_prices.clone(),
        assume_spot_discount: a.assume_spot_discount,
        fallback_rates: a.fallback_rates,
        target_utilisation: a.target_utilisation,
        control_plane_tier: a.control_plane_tier.unwrap_or_default(),
        strategy: a.recommend.options.settings(),
        cpu_drop_factor: a.cpu_drop_factor,
        allocation: a.allocation(),
        discounts: Discounts {
            flat: a.discounts.clone(),
            commitments: a.commitments.clone(),
        },
        storage_prices: a.storage_prices.clone(),
        repack_spot: a.repack_spot,
    }
}

/// [`run_analysis`] of files already read (`a.files` only says their options).
fn run_files(
    a: &AnalysisArgs,
    out: &OutputArgs,
    files: &Files,
    clusters: Clusters,
) -> Result<Box<pipeline::Outcome>, Failure> {
    let options = options_of(a);
    let vantage = if a.vantage.enabled() {
        Some(vantage::source(&a.vantage)?)
    } else {
        None
    };
    let job = Job {
        inputs: files.inputs(),
        options,
        catalogue: embedded_catalogue()?,
        vantage,
        prometheus: a.recommend.prometheus.as_ref().map(|url| PrometheusSource {
            url: url.clone(),
            strategy: a.recommend.options.strategy,
            headers: a.recommend.headers(),
            timeout_ms: u32::try_from(a.recommend.prometheus_timeout * 1000).unwrap_or(u32::MAX),
            cluster: a.recommend.prometheus_cluster.clone(),
        }),
        generated_at: out.timestamp(),
        shell: Shell::Cli,
        clusters,
    };
    let outcome = drive::run(
        job,
        files.take_streamed(),
        drive::Verbosity {
            verbose: out.verbose,
        },
    )
    .map_err(|f| files.locate(f))?;
    if let Some(v) = &outcome.vantage {
        vantage::finish(v, out.verbose);
    }
    for w in pipeline::network_warnings(&outcome) {
        if !w.code.starts_with("vantage_") {
            eprintln!("warning: {}", w.message);
        }
    }
    let analysis = &outcome.analysis;
    if out.verbose {
        for (name, held) in &outcome.held {
            eprintln!("{name}: {held}");
        }
        for (node, cost) in analysis.cluster.nodes.iter().zip(&analysis.costs.nodes) {
            eprintln!("{}", nodes::describe(node));
            eprintln!("  price: {}", cost.explanation);
        }
        eprintln!("{}", analysis.report.pricing.summary);
        eprintln!("{} warnings", analysis.warnings.len());
    }
    Ok(outcome)
}

/// Prints `warnings` on standard error unless the output shows them itself (the text format
/// on the terminal lists them).
fn warn_unless_shown(
    format: args::Format,
    out: &OutputArgs,
    warnings: &[kube_rightsize_core::diagnostics::Warning],
) {
    if format != args::Format::Table || out.output.as_deref().is_some_and(|o| o != "-") {
        for w in warnings {
            eprintln!("warning: {}", w.message);
        }
    }
}

fn analyze(a: &AnalyzeArgs) -> Result<(), Failure> {
    let clusters = if a.fleet {
        Clusters::PerSnapshot(Default::default())
    } else {
        Clusters::One
    };
    // Not dropped: the process ends after the report is written, and freeing the cluster
    // model object by object took 4% of a 30,000-pod run (the system takes it back at once).
    let outcome = std::mem::ManuallyDrop::new(run_analysis(&a.input, &a.out, clusters)?);
    if let Some(fleet) = &outcome.fleet {
        use kube_rightsize_core::report::fleet::render;
        if a.cluster_name.is_some() {
            eprintln!(
                "warning: --cluster-name is not used: the snapshots are {} clusters, each named \
                 from its file",
                fleet.reports.len()
            );
        }
        warn_unless_shown(a.format, &a.out, &fleet.warnings);
        let text = render::render(
            fleet,
            &render::FleetExport {
                format: a.format.into(),
                anonymise_key: a.anonymize.then(random_key),
            },
        );
        return a.out.write(&text);
    }
    let analysis = &outcome.analysis;
    let text = export::render(
        &analysis.report,
        &ExportOptions {
            format: a.format.into(),
            cluster_name: a.cluster_name.clone(),
            inputs: analysis.cluster.inputs.clone(),
            anonymise_key: a.anonymize.then(random_key),
            explain_nodes: a.out.verbose,
        },
    );
    a.out.write(&text)
}

/// `diff`: two reports (or snapshots, analysed first) of one cluster compared; or two fleets
/// (`merge`'s JSON; a report on one side is a fleet of one), cluster by cluster.
fn diff(a: &DiffArgs) -> Result<(), Failure> {
    use kube_rightsize_core::report::diff::{fleet, render};
    let [before, after] = a.input.files.as_slice() else {
        return Err(Failure::Input(
            "diff compares two files: BEFORE and AFTER".to_owned(),
        ));
    };
    let before = members_of(a, before, true)?;
    let after = members_of(a, after, false)?;
    let at = a.out.timestamp();
    let (text, warnings) = match fleet::compare_members(before, after, &at) {
        fleet::Comparison::Cluster(diff) => (render::render(&diff, a.format.into()), diff.warnings),
        fleet::Comparison::Fleet(diff) => (fleet::render(&diff, a.format.into()), diff.warnings),
    };
    warn_unless_shown(a.format, &a.out, &warnings);
    a.out.write(&text)
}

/// The reports in `path`: read back when it holds reports (one, or a fleet's), else the snapshot
/// analysed with `a`'s options (its recommendations only when `recommend`).
fn members_of(
    a: &DiffArgs,
    path: &str,
    recommend: bool,
) -> Result<Vec<kube_rightsize_core::report::fleet::Member>, Failure> {
    use kube_rightsize_core::report::fleet::{Member, read};
    let files = Files::read(&[(path, Role::Snapshot)])?;
    let (name, _, bytes, _) = &files.files[0];
    if read::looks_like_report(bytes) {
        let members = read::read(name, bytes).map_err(|mut e| {
            if path != "-" {
                e.input = path.to_owned();
            }
            Failure::Input(e.to_string())
        })?;
        for w in members.iter().flat_map(|m| &m.warnings) {
            eprintln!("warning: {}", w.message);
        }
        return Ok(members);
    }
    let input = name.clone();
    let mut options = a.input.clone();
    if !recommend {
        options.recommend.krr = None;
        options.recommend.usage = None;
        options.recommend.prometheus = None;
    }
    let mut files = files;
    let mut extra: Vec<(&str, Role)> = options
        .prices
        .iter()
        .map(|f| (f.as_str(), Role::Prices))
        .collect();
    extra.extend(
        options
            .recommend
            .krr
            .iter()
            .map(|f| (f.as_str(), Role::Krr)),
    );
    extra.extend(
        options
            .recommend
            .usage
            .iter()
            .map(|f| (f.as_str(), Role::Usage)),
    );
    files.files.extend(Files::read(&extra)?.files);
    // A snapshot's report names no cluster (a file name is not one), as in the app: the
    // comparison is the same in both shells.
    let outcome = run_files(&options, &a.out, &files, Clusters::One)?;
    Ok(vec![Member {
        input,
        report: outcome.analysis.report.clone(),
        warnings: Vec::new(),
    }])
}

/// `merge`: saved reports → one fleet report.
fn merge(a: &MergeArgs) -> Result<(), Failure> {
    use kube_rightsize_core::report::fleet::{self, read, render};
    let paths: Vec<(&str, Role)> = a
        .files
        .iter()
        .map(|f| (f.as_str(), Role::Snapshot))
        .collect();
    let files = Files::read(&paths)?;
    let mut members = Vec::new();
    for (name, path, bytes, _) in &files.files {
        let read = read::read(name, bytes).map_err(|mut e| {
            if path != "-" {
                e.input.clone_from(path);
            }
            Failure::Input(e.to_string())
        })?;
        if a.out.verbose {
            for m in &read {
                let s = &m.report.summary;
                eprintln!(
                    "{}: cluster {}, {} nodes, {} pods, generated {}",
                    m.input,
                    m.report.cluster.as_deref().unwrap_or("(unnamed)"),
                    s.nodes,
                    s.pods,
                    m.report.generated_at
                );
            }
        }
        members.extend(read);
    }
    let fleet = fleet::merge(members, &a.out.timestamp());
    // The text report lists them itself; elsewhere they would go unseen on this terminal.
    warn_unless_shown(a.format, &a.out, &fleet.warnings);
    let text = render::render(
        &fleet,
        &render::FleetExport {
            format: a.format.into(),
            anonymise_key: a.anonymize.then(random_key),
        },
    );
    a.out.write(&text)
}

/// `patches`: the recommendations' patches as files in a directory, or printed.
fn patches(a: &PatchesArgs) -> Result<(), Failure> {
    if !a.input.recommend.given() {
        return Err(Failure::Input(
            "patches need recommendations: give --krr FILE, --usage FILE or --prometheus URL"
                .to_owned(),
        ));
    }
    let outcome = run_analysis(&a.input, &a.out, Clusters::One)?;
    let Some(patches) = &outcome.analysis.report.patches else {
        return Err(Failure::Internal(anyhow::anyhow!(
            "the analysis made no patches although it had recommendations"
        )));
    };
    let selection = Selection {
        safe_only: a.safe_only,
    };
    let files = render::files(patches, a.format.into(), selection, &a.kustomize_resources);
    let c = patches.counts(selection);
    let (chosen, risky, blocked) = (c.shown, c.risky, c.not_patchable);
    eprintln!(
        "{chosen} patch{} ({risky} with risks{}), {blocked} workload{} not patchable, {} unchanged",
        if chosen == 1 { "" } else { "es" },
        if a.safe_only { ", left out" } else { "" },
        if blocked == 1 { "" } else { "s" },
        patches.unchanged
    );
    match a.out.output.as_deref() {
        Some(zip) if zip.ends_with(".zip") => {
            let bytes =
                kube_rightsize_core::patch::zip::stored_zip(&files).map_err(Failure::Input)?;
            std::fs::write(zip, bytes)
                .with_context(|| format!("cannot write {zip}"))
                .map_err(Failure::Internal)?;
            eprintln!("wrote {} files into {zip}", files.len());
            Ok(())
        }
        Some(dir) if dir != "-" => write_files(dir, &files),
        _ => {
            let mut text = String::new();
            for f in &files {
                if files.len() > 1 {
                    text.push_str(&format!("# ==> {} <==\n", f.path));
                }
                text.push_str(&f.contents);
                if files.len() > 1 {
                    text.push('\n');
                }
            }
            a.out.write(&text)
        }
    }
}

/// Writes `files` under `dir` (created, with the files' folders).
fn write_files(dir: &str, files: &[render::PatchFile]) -> Result<(), Failure> {
    let root = std::path::Path::new(dir);
    for f in files {
        let path = root.join(&f.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))
                .map_err(Failure::Internal)?;
        }
        std::fs::write(&path, &f.contents)
            .with_context(|| format!("cannot write {}", path.display()))
            .map_err(Failure::Internal)?;
    }
    eprintln!(
        "wrote {} file{} to {dir}",
        files.len(),
        if files.len() == 1 { "" } else { "s" }
    );
    Ok(())
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

impl args::OutputArgs {
    /// The time the result states: `--generated-at`, else now.
    pub(crate) fn timestamp(&self) -> String {
        self.generated_at.clone().unwrap_or_else(clock::now_rfc3339)
    }

    /// Writes the result to `-o PATH`, else to standard output.
    pub(crate) fn write(&self, text: &str) -> Result<(), Failure> {
        write_output(self.output.as_deref(), text).map_err(Failure::Internal)
    }
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
