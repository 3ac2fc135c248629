//! Command-line parsing (by hand: a handful of options does not need a parser crate).

use std::fmt;

/// Top-level help.
pub const HELP: &str = "\
kube-rightsize: Kubernetes right-sizing and cost report from a cluster snapshot

Usage:
  kube-rightsize analyze FILE... [OPTIONS]
  kube-rightsize prices SNAPSHOT... --vantage-token-env VAR [-o prices.json]
  kube-rightsize --help | --version

Commands:
  analyze   Price the nodes of a `kubectl get nodes,pods -A -o json` snapshot and split their
            cost over workloads and namespaces
  prices    Fetch the Vantage prices a snapshot's nodes need into a price file

Run `kube-rightsize analyze --help` for the options.

Exit codes: 0 success, 1 usage or input error, 2 internal error.
";

/// Help of `analyze`.
pub const ANALYZE_HELP: &str = "\
kube-rightsize analyze: cost report of a cluster snapshot

Usage:
  kube-rightsize analyze FILE... [OPTIONS]

Arguments:
  FILE...   Output of `kubectl get nodes,pods -A -o json` (or -o yaml); several files are
            merged. `-` reads standard input.

Options:
  --format FORMAT               table (default), json, csv (workloads, one row per container),
                                csv-nodes, csv-namespaces, or html (a self-contained page to
                                share: charts, tables, how the numbers were computed)
  -o, --output PATH             Write the report to PATH instead of standard output
  --cluster-name NAME           The cluster's name in the HTML report's title (default: the
                                first input's file name)
  --anonymize                   Replace namespace, workload, container, node and pool names by
                                pseudonyms keyed by a fresh random key (every format)
  --prices FILE                 Import prices (repeatable; later files win): a CSV with the header
                                provider,instance_type,region,capacity_type,usd_per_hour, an
                                instances.vantage.sh instances.json feed (EC2, Azure or GCP), or a
                                kube-rightsize/prices/v1 JSON file
  --price TYPE=USD_PER_HOUR     Set the hourly price of an instance type for every region and
                                capacity type (repeatable), e.g. --price m5.large=0.05
  --assume-spot-discount F      Price spot nodes without a known spot price at on-demand x (1 - F),
                                marked as estimates (F between 0 and 1, e.g. 0.6; off by default)
  --fallback-rates CPU,MEM      USD per core-hour and per GiB-hour for nodes without a price
                                (default OpenCost's 0.031611,0.004237; set your own for
                                on-premises clusters), e.g. --fallback-rates 0.025,0.0033
  --target-utilisation F        Size node suggestions so requests fill at most F of each node's
                                allocatable CPU and memory (0 < F <= 1; default 0.85)
  --vantage-token-env VAR       Price nodes from Vantage with the token in the environment
                                variable VAR (never on the command line; use a read-only token).
                                Prices are cached for 24 h under $XDG_CACHE_HOME/kube-rightsize
  --vantage-url URL             Vantage base URL (default https://api.vantage.sh)
  --vantage-api API             v2 (console token; AWS) or instances (Instances API key; AWS,
                                Azure, GCP); default v2
  --vantage-timeout SECONDS     Give up on a Vantage request after this long (default 30); a
                                server that lets every retry time out stops the Vantage lookups
  --krr FILE | --usage FILE | --prometheus URL
                                Right-sizing recommendations, priced: KRR's JSON result, one
                                usage sample (kubectl top / metrics API), or Prometheus history;
                                see Recommendations below for the strategy options
  --generated-at RFC3339        Timestamp written in the report (default: now, UTC)
  -v, --verbose                 Print how each node was mapped and priced to standard error
  -h, --help                    Show this help

Recommendations (at most one source):
  --prometheus-header 'N: V'    Extra HTTP header for Prometheus (repeatable)
  --prometheus-timeout SECONDS  Give up on a Prometheus query after this long (default 60); a
                                Prometheus that fails leaves `?` recommendations and a warning,
                                the rest of the report is made
  --strategy NAME               simple (default) or simple_limit
  --cpu-percentile N            simple: CPU percentile per pod (default 95)
  --memory-buffer-percentage N  Added to peak memory, percent (default 15)
  --history-duration HOURS      History to look at (default 336)
  --timeframe-duration MINUTES  Step between samples (default 1.25)
  --points-required N           Samples needed over all pods (default 100)
  --allow-hpa                   Recommend even for resources an HPA scales on
  --use-oomkill-data            Take OOM-killed containers' limits into account (Prometheus:
                                kube-state-metrics; memory ≥ OOM-killed limit × 1.25)
  --cpu-min MILLICORES          Smallest CPU recommendation (default 10)
  --mem-min MIB                 Smallest memory recommendation (default 100)
  With --krr the file's own strategy and settings are used; only --allow-hpa applies (to HPAs
  found in the snapshot).

Price sources, highest first: --price, Vantage (--vantage-token-env), --prices files, the embedded
catalogue, then fallback rates ($0.031611 per core-hour, $0.004237 per GiB-hour). Every output
says which prices were used and how old they are.

Examples:
  kubectl get nodes,pods -A -o json | kube-rightsize analyze -
  kube-rightsize analyze cluster.json --format json -o report.json
  kube-rightsize analyze cluster.json --prices prices.csv --price m5.large=0.05
";

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Plain-text report.
    Table,
    /// `kube-rightsize/report/v1` JSON.
    Json,
    /// Workloads CSV, one row per container.
    Csv,
    /// Nodes CSV.
    CsvNodes,
    /// Namespaces CSV.
    CsvNamespaces,
    /// Self-contained HTML page.
    Html,
}

impl Format {
    fn parse(s: &str) -> Option<Format> {
        match s {
            "table" => Some(Format::Table),
            "json" => Some(Format::Json),
            "csv" | "csv-workloads" => Some(Format::Csv),
            "csv-nodes" => Some(Format::CsvNodes),
            "csv-namespaces" => Some(Format::CsvNamespaces),
            "html" => Some(Format::Html),
            _ => None,
        }
    }
}

/// `analyze` options.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalyzeArgs {
    /// Input files (`-` is standard input).
    pub files: Vec<String>,
    /// Price files.
    pub prices: Vec<String>,
    /// `TYPE=USD` assignments.
    pub manual_prices: Vec<String>,
    /// Output format.
    pub format: Format,
    /// Output path.
    pub output: Option<String>,
    /// `--cluster-name`: the HTML report's title.
    pub cluster_name: Option<String>,
    /// `--anonymize`: pseudonyms instead of names.
    pub anonymize: bool,
    /// Print node diagnostics.
    pub verbose: bool,
    /// Assumed spot discount.
    pub assume_spot_discount: Option<f64>,
    /// Target utilisation for node suggestions.
    pub target_utilisation: Option<f64>,
    /// `--fallback-rates CPU,MEM`: rates for nodes without a price.
    pub fallback_rates: Option<kube_rightsize_core::cost::Rates>,
    /// Report timestamp.
    pub generated_at: Option<String>,
    /// `--vantage-*` options.
    pub vantage: crate::vantage::VantageArgs,
    /// `--krr`, `--usage`, `--prometheus` and strategy options.
    pub recommend: crate::recommend::RecommendArgs,
}

/// What to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Print this text to stdout and exit 0.
    Help(&'static str),
    /// Print the version and exit 0.
    Version,
    /// Run the analysis (boxed: the options are much larger than the other variants).
    Analyze(Box<AnalyzeArgs>),
    /// Fetch Vantage prices into a price file.
    Prices(crate::vantage::PricesArgs),
}

/// A command line that cannot be run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError {
    /// What is wrong.
    pub message: String,
    /// The usage text to show with it.
    pub usage: &'static str,
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

fn usage_error(message: impl Into<String>, usage: &'static str) -> UsageError {
    UsageError {
        message: message.into(),
        usage,
    }
}

/// Checks the shape of an RFC 3339 timestamp: `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
pub fn is_rfc3339(s: &str) -> bool {
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

/// Parses the arguments after the program name.
pub fn parse(args: &[String]) -> Result<Command, UsageError> {
    let Some(first) = args.first() else {
        return Err(usage_error("no command given", HELP));
    };
    match first.as_str() {
        "-h" | "--help" | "help" => return Ok(Command::Help(HELP)),
        "-V" | "--version" => return Ok(Command::Version),
        "analyze" => {}
        "prices" => return crate::vantage::parse_prices(&args[1..]),
        other if other.starts_with('-') && other != "-" => {
            return Err(usage_error(format!("unknown option `{other}`"), HELP));
        }
        other => {
            return Err(usage_error(format!("unknown command `{other}`"), HELP));
        }
    }
    let mut a = AnalyzeArgs {
        files: Vec::new(),
        prices: Vec::new(),
        manual_prices: Vec::new(),
        format: Format::Table,
        output: None,
        cluster_name: None,
        anonymize: false,
        verbose: false,
        assume_spot_discount: None,
        target_utilisation: None,
        fallback_rates: None,
        generated_at: None,
        vantage: crate::vantage::VantageArgs::default(),
        recommend: crate::recommend::RecommendArgs::default(),
    };
    let mut rest = args[1..].iter();
    let mut only_files = false;
    while let Some(arg) = rest.next() {
        if only_files || arg == "-" || !arg.starts_with('-') {
            a.files.push(arg.clone());
            continue;
        }
        if arg == "--" {
            only_files = true;
            continue;
        }
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_owned())),
            _ => (arg.as_str(), None),
        };
        let mut value = |what: &str| -> Result<String, UsageError> {
            match inline.clone() {
                Some(v) => Ok(v),
                None => rest.next().cloned().ok_or_else(|| {
                    usage_error(format!("`{name}` needs a value ({what})"), ANALYZE_HELP)
                }),
            }
        };
        match name {
            "-h" | "--help" => return Ok(Command::Help(ANALYZE_HELP)),
            "-v" | "--verbose" => a.verbose = true,
            "--format" | "-f" => {
                let v = value("table, json, csv, csv-nodes, csv-namespaces or html")?;
                a.format = Format::parse(&v).ok_or_else(|| {
                    usage_error(
                        format!(
                            "unknown format `{v}`: use table, json, csv, csv-nodes, csv-namespaces or html"
                        ),
                        ANALYZE_HELP,
                    )
                })?;
            }
            "--output" | "-o" => a.output = Some(value("a file path")?),
            "--cluster-name" => a.cluster_name = Some(value("a name")?),
            "--anonymize" | "--anonymise" => a.anonymize = true,
            "--prices" => a.prices.push(value("a price file")?),
            "--price" => a.manual_prices.push(value("TYPE=USD_PER_HOUR")?),
            "--assume-spot-discount" => {
                let v = value("a fraction between 0 and 1")?;
                let d = v
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|d| d.is_finite() && (0.0..1.0).contains(d))
                    .ok_or_else(|| {
                        usage_error(
                            format!(
                                "--assume-spot-discount `{v}` is not a fraction between 0 and 1 (e.g. 0.6 for 60% off)"
                            ),
                            ANALYZE_HELP,
                        )
                    })?;
                a.assume_spot_discount = Some(d);
            }
            "--fallback-rates" => {
                let v = value("CPU,MEM (USD per core-hour and per GiB-hour)")?;
                let parsed = v
                    .split_once(',')
                    .and_then(|(c, m)| {
                        Some((c.trim().parse::<f64>().ok()?, m.trim().parse::<f64>().ok()?))
                    })
                    .ok_or_else(|| format!("`{v}` is not two numbers separated by a comma"))
                    .and_then(|(c, m)| kube_rightsize_core::cost::Rates::validated(c, m));
                a.fallback_rates = Some(parsed.map_err(|e| {
                    usage_error(
                        format!("--fallback-rates: {e} (e.g. --fallback-rates 0.025,0.0033)"),
                        ANALYZE_HELP,
                    )
                })?);
            }
            "--target-utilisation" | "--target-utilization" => {
                let v = value("a fraction above 0 and at most 1")?;
                let t = v
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|t| t.is_finite() && *t > 0.0 && *t <= 1.0)
                    .ok_or_else(|| {
                        usage_error(
                            format!(
                                "--target-utilisation `{v}` is not a fraction above 0 and at most 1 (e.g. 0.85)"
                            ),
                            ANALYZE_HELP,
                        )
                    })?;
                a.target_utilisation = Some(t);
            }
            "--vantage-token-env" | "--vantage-url" | "--vantage-api" | "--vantage-timeout" => {
                let v = value("an environment variable name, a URL, v2|instances, or seconds")?;
                a.vantage.set(name, v, ANALYZE_HELP)?;
            }
            "--generated-at" => {
                let v = value("an RFC 3339 timestamp")?;
                if !is_rfc3339(&v) {
                    return Err(usage_error(
                        format!(
                            "--generated-at `{v}` is not an RFC 3339 timestamp (e.g. 2026-01-31T12:00:00Z)"
                        ),
                        ANALYZE_HELP,
                    ));
                }
                a.generated_at = Some(v);
            }
            n if crate::recommend::is_switch(n) => a.recommend.set_switch(n),
            n if crate::recommend::takes_value(n) => {
                let v = value("see `kube-rightsize analyze --help`")?;
                a.recommend.set(n, v, ANALYZE_HELP)?;
            }
            other => {
                return Err(usage_error(
                    format!("unknown option `{other}`"),
                    ANALYZE_HELP,
                ));
            }
        }
    }
    a.recommend.validate(ANALYZE_HELP)?;
    if a.files.is_empty() {
        return Err(usage_error(
            "no input file: give the output of `kubectl get nodes,pods -A -o json` as FILE, or `-` for standard input",
            ANALYZE_HELP,
        ));
    }
    if a.files.iter().filter(|f| *f == "-").count() > 1 {
        return Err(usage_error(
            "standard input (`-`) can be read only once",
            ANALYZE_HELP,
        ));
    }
    if a.prices.iter().any(|f| f == "-") {
        return Err(usage_error(
            "--prices reads a file; standard input is for the cluster snapshot",
            ANALYZE_HELP,
        ));
    }
    Ok(Command::Analyze(Box::new(a)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn parses_analyze() {
        let c = parse(&args(&[
            "analyze",
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
        ]))
        .unwrap();
        let Command::Analyze(a) = c else {
            panic!("not analyze")
        };
        assert_eq!(a.files, ["a.json", "-"]);
        assert_eq!(a.format, Format::Json);
        assert_eq!(a.prices, ["p.csv"]);
        assert_eq!(a.manual_prices, ["m5.large=0.05"]);
        assert!(a.verbose);
        assert_eq!(a.assume_spot_discount, Some(0.6));
        assert_eq!(a.output.as_deref(), Some("out.json"));
        assert_eq!(a.target_utilisation, None);
        let Ok(Command::Analyze(t)) = parse(&args(&["analyze", "a", "--target-utilisation=0.7"]))
        else {
            panic!("not analyze")
        };
        assert_eq!(t.target_utilisation, Some(0.7));
    }

    #[test]
    fn parses_fallback_rates() {
        let Command::Analyze(a) = parse(&args(&[
            "analyze",
            "a",
            "--fallback-rates",
            "0.025, 0.0033",
        ]))
        .unwrap() else {
            panic!("not analyze")
        };
        let r = a.fallback_rates.expect("rates");
        assert_eq!((r.cpu_core_hourly, r.memory_gib_hourly), (0.025, 0.0033));
    }

    #[test]
    fn parses_html_options() {
        let c = parse(&args(&[
            "analyze",
            "a.json",
            "--format",
            "html",
            "--cluster-name=prod eu",
            "--anonymize",
        ]))
        .unwrap();
        let Command::Analyze(a) = c else {
            panic!("not analyze")
        };
        assert_eq!(a.format, Format::Html);
        assert_eq!(a.cluster_name.as_deref(), Some("prod eu"));
        assert!(a.anonymize);
        assert!(parse(&args(&["analyze", "a", "--cluster-name"])).is_err());
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
            &["analyze", "-", "-"],
            &["analyze", "a", "--prices"],
            &["frobnicate"],
            &[],
        ] {
            assert!(parse(&args(bad)).is_err(), "{bad:?}");
        }
        assert_eq!(
            parse(&args(&["analyze", "--help"])),
            Ok(Command::Help(ANALYZE_HELP))
        );
        assert_eq!(parse(&args(&["--help"])), Ok(Command::Help(HELP)));
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
