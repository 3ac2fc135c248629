//! `cargo xtask catalogue`: converts the shared pricing snapshot (`prices.csv`, `instances.csv`,
//! `SOURCES.md`) into the compact binary catalogue the core crate embeds
//! (`crates/core/data/catalogue.bin`), plus `PROVENANCE.md` and a verbatim copy of `SOURCES.md`.
//!
//! Every CSV row is validated (errors name `file:line`), every price must be exactly
//! representable in 1e-10 USD and every memory size in 1/10 000 GiB, and after writing, the file
//! is read back and decoded with the core crate's own decoder (`format.rs`, included below) and
//! compared with the CSVs row by row.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use anyhow::{Context, Result, anyhow, bail, ensure};

/// The core crate's decoder, compiled into the converter so that the round-trip check uses the
/// very code that reads the file at run time. (Some of its items are only used by the core.)
#[allow(dead_code)]
#[path = "../../crates/core/src/pricing/format.rs"]
mod format;

use format::{
    ARCH_AMD64, ARCH_ARM64, ARCH_UNKNOWN, CAPACITY_ON_DEMAND, CAPACITY_SPOT, MAGIC,
    MAX_PRICE_UNITS, MEMORY_UNITS_PER_GIB, PRICE_UNITS_PER_USD, RawSpec, VERSION,
};

/// Decimal digits of the price unit (1e-10 USD) and of the memory unit (1e-4 GiB).
const PRICE_DECIMALS: usize = 10;
const MEMORY_DECIMALS: usize = 4;
const _: () = assert!(PRICE_UNITS_PER_USD == 10u64.pow(PRICE_DECIMALS as u32));
const _: () = assert!(MEMORY_UNITS_PER_GIB == 10u64.pow(MEMORY_DECIMALS as u32));

// ---- metadata --------------------------------------------------------------------------------
// Hand-copied from /work/shared/pricing/SOURCES.md (copied verbatim to crates/core/data/SOURCES.md
// by this converter). `SOURCES_ANCHORS` makes the converter fail if SOURCES.md no longer
// mentions the snapshots these strings describe: then review and update the strings.

/// One paragraph about the whole catalogue (SOURCES.md, introduction and "Caveats").
const NOTE: &str = "Public list prices in USD per hour for Linux, shared tenancy, without \
discounts (no sustained-use, committed-use, reserved or savings-plan rates), extracted on \
2026-11-26 from public repositories (see crates/core/data/SOURCES.md). Snapshot ages differ by \
provider, and for AWS by region; treat them as defaults to be overridden by live pricing APIs \
when reachable.";

struct ProviderMeta {
    name: &'static str,
    as_of: &'static str,
    source: &'static str,
}

/// Per-provider metadata (SOURCES.md sections "AWS (EC2)", "GCP (Compute Engine)",
/// "Azure (Virtual Machines)" and "Caveats"). File order.
const PROVIDERS: [ProviderMeta; 3] = [
    ProviderMeta {
        name: "aws",
        as_of: "2026-07-20 for us-east-1, us-gov-east-1 and us-gov-west-1; 2025-04-04 for all \
other regions; spot 2025-06-28",
        source: "EC2 Linux on-demand list prices. us-east-1 and GovCloud: \
aws/karpenter-provider-aws @ 1d927085 pkg/providers/pricing/zz_generated.pricing_aws*.go (AWS \
Price List API, generated 2026-07-20). Other regions, types Karpenter does not list, and \
shared-tenancy bare-metal prices: yeo/ec2.shop @ 74c9fd8a copies of the aws.amazon.com EC2 \
pricing-page JSON (published 2025-04-04). Spot: typical prices, the on-demand price less the \
AWS Spot Instance Advisor's 30-day average saving per type and region (alexei-led/spotinfo @ \
05e93313, data of 2025-06-28; no GovCloud). Specs: Karpenter's instance-type \
reference docs, then kubernetes/autoscaler @ 55c37cd5 ec2_instance_types.go, then ec2.shop \
(vCPU and memory only).",
    },
    ProviderMeta {
        name: "gcp",
        as_of: "2026-07-30",
        source: "Compute Engine list prices from Cyclenerd/google-cloud-pricing-cost-calculator \
@ fd66b26f pricing.yml (Cloud Billing Catalog API SKUs, generated 2026-07-30): `hour` as \
on-demand (no sustained-use discount), `hour_spot` as spot. Specs: its tools/machinetypes.csv \
(a gcloud machine-types export); GPU counts from its accelerator fields; arm64 for the a4x, \
c4a, n4a and t2a families.",
    },
    ProviderMeta {
        name: "azure",
        as_of: "2026-06-18",
        source: "Virtual Machines Linux pay-as-you-go list prices from \
Azure/karpenter-provider-azure @ 352646f5 pkg/providers/pricing/zz_generated.pricing.go (Azure \
Retail Prices API, generated 2026-06-18), Standard_* sizes with a price above zero. No spot \
prices. Specs: kubernetes/autoscaler @ 55c37cd5 azure_instance_types.go (some newer sizes have \
no spec).",
    },
];

/// Strings SOURCES.md must contain for the metadata above to still be accurate.
const SOURCES_ANCHORS: &[&str] = &[
    "Extracted on 2026-11-26",
    "1d927085dd81a9df9301e613f371dac5b4d16bfe",
    "generated at 2026-07-20T13:44:30Z",
    "74c9fd8ab5acfd9511cd6535f914d47071601ad2",
    "hawkFilePublicationDate` = 2025-04-04",
    "fd66b26ff84fee5cdd94f341ea89206e76c06b99",
    "Thu Jul 30 06:13:17 2026",
    "352646f599290c3a6d2f9710fb535a7b288f88ed",
    "generated at 2026-06-18T03:43:41Z",
    "55c37cd5eb550756c5ccc5a89e9068d77797e575",
    "05e933139449b888c78795b28af8e9370429a031",
    "prices-spot-aws.csv",
];

const PRICES_HEADER: &str = "provider,instance_type,region,capacity_type,usd_per_hour";
const INSTANCES_HEADER: &str = "provider,instance_type,vcpu,memory_gib,gpu,arch";

// ---- parsed input ----------------------------------------------------------------------------

/// A price as parsed from the CSV: exact units, the CSV text, and where it came from.
struct Price {
    units: u64,
    text: String,
    line: usize,
}

/// One provider's rows.
#[derive(Default)]
struct ProviderData {
    /// instance type → (spec, line).
    specs: BTreeMap<String, (RawSpec, usize)>,
    /// (instance type, capacity code, region) → price; iteration order is file order.
    prices: BTreeMap<(String, u8, String), Price>,
}

impl ProviderData {
    fn types(&self) -> BTreeSet<&str> {
        self.specs
            .keys()
            .map(String::as_str)
            .chain(self.prices.keys().map(|(t, _, _)| t.as_str()))
            .collect()
    }

    fn regions(&self) -> BTreeSet<&str> {
        self.prices.keys().map(|(_, _, r)| r.as_str()).collect()
    }

    fn capacities(&self) -> BTreeSet<u8> {
        self.prices.keys().map(|(_, c, _)| *c).collect()
    }
}

/// Converts the snapshot in `shared_pricing_dir` into `out_dir/catalogue.bin`,
/// `out_dir/PROVENANCE.md` and `out_dir/SOURCES.md` (normally `crates/core/data`), and verifies
/// the written catalogue against the CSVs.
pub fn run(shared_pricing_dir: &Path, out_dir: &Path) -> Result<()> {
    let sources_path = shared_pricing_dir.join("SOURCES.md");
    let sources =
        fs::read(&sources_path).with_context(|| format!("reading {}", sources_path.display()))?;
    let sources_text = std::str::from_utf8(&sources)
        .with_context(|| format!("{} is not UTF-8", sources_path.display()))?;
    for anchor in SOURCES_ANCHORS {
        ensure!(
            sources_text.contains(anchor),
            "{} no longer mentions {anchor:?}: review the metadata strings in \
             xtask/src/catalogue.rs against it",
            sources_path.display()
        );
    }

    let mut data: [ProviderData; 3] = Default::default();
    let instances_path = shared_pricing_dir.join("instances.csv");
    let spec_rows = read_instances(&instances_path, &mut data)?;
    let prices_path = shared_pricing_dir.join("prices.csv");
    let mut price_rows = read_prices(&prices_path, &mut data)?;
    // Typical AWS spot prices (SOURCES.md: the Spot Instance Advisor's 30-day average savings ×
    // on-demand): the catalogue's only AWS spot rows.
    let spot_path = shared_pricing_dir.join("prices-spot-aws.csv");
    let before = data.iter().map(|d| d.prices.len()).collect::<Vec<_>>();
    price_rows += read_prices(&spot_path, &mut data)?;
    for (i, (meta, d)) in PROVIDERS.iter().zip(&data).enumerate() {
        let added = d.prices.len() - before[i];
        ensure!(
            meta.name == "aws" || added == 0,
            "{} has {added} rows for {}: only AWS spot prices belong there",
            spot_path.display(),
            meta.name
        );
    }
    for (meta, d) in PROVIDERS.iter().zip(&data) {
        check_case_insensitive_unique(meta.name, d)?;
    }

    let bytes = encode(&data)?;
    fs::create_dir_all(out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    let bin_path = out_dir.join("catalogue.bin");
    fs::write(&bin_path, &bytes).with_context(|| format!("writing {}", bin_path.display()))?;

    let written =
        fs::read(&bin_path).with_context(|| format!("re-reading {}", bin_path.display()))?;
    verify(&written, &data)
        .with_context(|| format!("round-trip check of {} failed", bin_path.display()))?;

    // Block storage and service prices: small tables the core reads as text
    // (`pricing::services`), copied verbatim after checking their headers.
    for (file, header) in [
        ("storage.csv", "provider,region,storage_type,unit,usd"),
        ("services.csv", "provider,region,item,unit,usd"),
    ] {
        let from = shared_pricing_dir.join(file);
        let text =
            fs::read_to_string(&from).with_context(|| format!("reading {}", from.display()))?;
        ensure!(
            text.lines().next() == Some(header),
            "{} does not start with {header:?}",
            from.display()
        );
        let to = out_dir.join(file);
        fs::write(&to, &text).with_context(|| format!("writing {}", to.display()))?;
    }

    let sources_copy = out_dir.join("SOURCES.md");
    fs::write(&sources_copy, &sources)
        .with_context(|| format!("writing {}", sources_copy.display()))?;
    let provenance_path = out_dir.join("PROVENANCE.md");
    fs::write(&provenance_path, provenance(&data, bytes.len()))
        .with_context(|| format!("writing {}", provenance_path.display()))?;

    println!(
        "catalogue: {price_rows} prices, {spec_rows} specs -> {} ({} bytes), round trip exact",
        bin_path.display(),
        bytes.len()
    );
    Ok(())
}

// ---- CSV parsing -----------------------------------------------------------------------------

/// The data lines of a CSV file as (1-based line number, fields), after checking the header.
fn csv_lines<'a>(
    path: &Path,
    text: &'a str,
    header: &str,
    fields: usize,
) -> Result<Vec<(usize, Vec<&'a str>)>> {
    let body = text.strip_suffix('\n').unwrap_or(text);
    let mut out = Vec::new();
    for (index, line) in body.split('\n').enumerate() {
        let line_no = index + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if index == 0 {
            ensure!(
                line == header,
                "{}:1: expected header {header:?}, found {line:?}",
                path.display()
            );
            continue;
        }
        let row: Vec<&str> = line.split(',').collect();
        ensure!(
            row.len() == fields,
            "{}:{line_no}: expected {fields} comma-separated fields, found {} in {line:?}",
            path.display(),
            row.len()
        );
        out.push((line_no, row));
    }
    Ok(out)
}

fn provider_index(name: &str) -> Result<usize, String> {
    PROVIDERS
        .iter()
        .position(|p| p.name == name)
        .ok_or_else(|| format!("unknown provider {name:?} (expected aws, gcp or azure)"))
}

/// Instance types and regions: non-empty ASCII letters, digits, `.`, `_`, `-` once surrounding
/// spaces are trimmed (the source has 9 Azure rows `"Standard_NM16ads_MA35D  "`; node labels
/// never carry such spaces). Returns the trimmed name; reports trimming on stderr.
fn check_name<'a>(what: &str, name: &'a str, path: &Path, line: usize) -> Result<&'a str> {
    let trimmed = name.trim_matches(' ');
    if trimmed.is_empty()
        || !trimmed
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        bail!("{}:{line}: invalid {what} {name:?}", path.display());
    }
    if trimmed.len() != name.len() {
        eprintln!(
            "warning: {}:{line}: trimmed spaces from {what} {name:?}",
            path.display()
        );
    }
    Ok(trimmed)
}

/// Parses a plain non-negative decimal (`123`, `0.5`) into an integer count of `10^-decimals`,
/// failing unless the value is exactly representable.
fn parse_fixed(text: &str, decimals: usize) -> Result<u64, String> {
    let (int, frac) = match text.split_once('.') {
        Some((int, frac)) if !frac.is_empty() => (int, frac),
        Some(_) => return Err(format!("{text:?} is not a plain decimal number")),
        None => (text, ""),
    };
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(format!("{text:?} is not a plain decimal number"));
    }
    let (kept, extra) = frac.split_at(frac.len().min(decimals));
    if extra.bytes().any(|b| b != b'0') {
        return Err(format!(
            "{text:?} has more than {decimals} decimals and is not exactly representable"
        ));
    }
    let overflow = || format!("{text:?} is too large");
    let mut value: u64 = 0;
    for b in int.bytes().chain(kept.bytes()) {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(b - b'0')))
            .ok_or_else(overflow)?;
    }
    let scale = 10u64.pow((decimals - kept.len()) as u32);
    value.checked_mul(scale).ok_or_else(overflow)
}

/// The canonical decimal text of `value × 10^-decimals` (no trailing fractional zeros).
fn format_fixed(value: u64, decimals: usize) -> String {
    let scale = 10u64.pow(decimals as u32);
    let (int, frac) = (value / scale, value % scale);
    if frac == 0 {
        return int.to_string();
    }
    let frac = format!("{frac:0decimals$}");
    format!("{int}.{}", frac.trim_end_matches('0'))
}

/// `text` with trailing fractional zeros (and a then-trailing `.`) removed.
fn canonical_decimal(text: &str) -> &str {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        text
    }
}

fn read_instances(path: &Path, data: &mut [ProviderData; 3]) -> Result<usize> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let rows = csv_lines(path, &text, INSTANCES_HEADER, 6)?;
    for (line, row) in &rows {
        let at = |e: String| anyhow!("{}:{line}: {e}", path.display());
        let &[provider, instance_type, vcpu, memory_gib, gpu, arch] = row.as_slice() else {
            bail!("{}:{line}: wrong field count", path.display());
        };
        let p = provider_index(provider).map_err(at)?;
        let instance_type = check_name("instance type", instance_type, path, *line)?;
        let vcpu: u32 = vcpu
            .parse()
            .ok()
            .filter(|&v| v > 0 && !vcpu.starts_with('+'))
            .ok_or_else(|| at(format!("invalid vcpu {vcpu:?}")))?;
        let memory_units =
            parse_fixed(memory_gib, MEMORY_DECIMALS).map_err(|e| at(format!("memory_gib: {e}")))?;
        if memory_units == 0 {
            // Kept as in the source (e.g. azure Standard_B1ls, really 0.5 GiB); the core
            // documents 0 as "unknown".
            eprintln!(
                "warning: {}:{line}: {instance_type} has memory_gib 0",
                path.display()
            );
        }
        let gpu = match gpu {
            "" => None,
            g => Some(
                g.parse::<u32>()
                    .ok()
                    .filter(|_| g.bytes().all(|b| b.is_ascii_digit()))
                    .ok_or_else(|| at(format!("invalid gpu {g:?}")))?,
            ),
        };
        let arch = match arch {
            "" => ARCH_UNKNOWN,
            "amd64" => ARCH_AMD64,
            "arm64" => ARCH_ARM64,
            a => {
                return Err(at(format!(
                    "invalid arch {a:?} (expected amd64, arm64 or empty)"
                )));
            }
        };
        let spec = RawSpec {
            vcpu,
            memory_units,
            gpu,
            arch,
        };
        if let Some((_, first)) = data[p]
            .specs
            .insert(instance_type.to_string(), (spec, *line))
        {
            bail!(
                "{}:{line}: duplicate {provider} instance type {instance_type:?} (first on line \
                 {first})",
                path.display()
            );
        }
    }
    Ok(rows.len())
}

fn read_prices(path: &Path, data: &mut [ProviderData; 3]) -> Result<usize> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let rows = csv_lines(path, &text, PRICES_HEADER, 5)?;
    for (line, row) in &rows {
        let at = |e: String| anyhow!("{}:{line}: {e}", path.display());
        let &[provider, instance_type, region, capacity, usd] = row.as_slice() else {
            bail!("{}:{line}: wrong field count", path.display());
        };
        let p = provider_index(provider).map_err(at)?;
        let instance_type = check_name("instance type", instance_type, path, *line)?;
        let region = check_name("region", region, path, *line)?;
        let cap = match capacity {
            "on_demand" => CAPACITY_ON_DEMAND,
            "spot" => CAPACITY_SPOT,
            c => return Err(at(format!("invalid capacity_type {c:?}"))),
        };
        let units =
            parse_fixed(usd, PRICE_DECIMALS).map_err(|e| at(format!("usd_per_hour: {e}")))?;
        ensure!(
            units > 0 && units <= MAX_PRICE_UNITS,
            "{}:{line}: usd_per_hour {usd} out of range (must be > 0 and <= {})",
            path.display(),
            format_fixed(MAX_PRICE_UNITS, PRICE_DECIMALS)
        );
        let key = (instance_type.to_string(), cap, region.to_string());
        let price = Price {
            units,
            text: usd.to_string(),
            line: *line,
        };
        if let Some(first) = data[p].prices.insert(key, price) {
            bail!(
                "{}:{line}: duplicate price for {provider} {instance_type} {region} {capacity} \
                 (first on line {})",
                path.display(),
                first.line
            );
        }
    }
    Ok(rows.len())
}

/// Azure names are looked up case-insensitively: no two may differ only in case.
fn check_case_insensitive_unique(provider: &str, d: &ProviderData) -> Result<()> {
    if provider != "azure" {
        return Ok(());
    }
    for (what, names) in [("instance types", d.types()), ("regions", d.regions())] {
        let mut seen: HashMap<String, &str> = HashMap::new();
        for name in names {
            if let Some(other) = seen.insert(name.to_ascii_lowercase(), name) {
                bail!("{provider} {what} {other:?} and {name:?} differ only in case");
            }
        }
    }
    Ok(())
}

// ---- encoding --------------------------------------------------------------------------------

fn write_varint(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn write_len(out: &mut Vec<u8>, len: usize) {
    write_varint(out, len as u64);
}

fn write_str(out: &mut Vec<u8>, text: &str) {
    write_len(out, text.len());
    out.extend_from_slice(text.as_bytes());
}

/// Count, then front-coded strings (`names` must be sorted and unique).
fn write_sorted_strings<'a>(out: &mut Vec<u8>, names: impl ExactSizeIterator<Item = &'a str>) {
    write_len(out, names.len());
    let mut previous: &[u8] = &[];
    for name in names {
        let name = name.as_bytes();
        let shared = previous
            .iter()
            .zip(name)
            .take_while(|(a, b)| a == b)
            .count();
        write_len(out, shared);
        write_len(out, name.len() - shared);
        out.extend_from_slice(&name[shared..]);
        previous = name;
    }
}

/// The zig-zag-decimal code of a signed delta (see `format.rs`): `2·(11·m + k) + (d < 0)` with
/// `|d| = m·10^k`, `k ≤ 10` maximal.
fn zigzag_decimal_encode(delta: i128) -> Option<u64> {
    let mut magnitude = delta.unsigned_abs();
    let mut k: u128 = 0;
    while k < 10 && magnitude != 0 && magnitude.is_multiple_of(10) {
        magnitude /= 10;
        k += 1;
    }
    let code = magnitude
        .checked_mul(11)?
        .checked_add(k)?
        .checked_mul(2)?
        .checked_add(u128::from(delta < 0))?;
    u64::try_from(code).ok()
}

fn encode(data: &[ProviderData; 3]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    out.extend_from_slice(&MAGIC);
    out.push(VERSION);
    write_str(&mut out, NOTE);
    write_len(&mut out, PROVIDERS.len());
    for (meta, d) in PROVIDERS.iter().zip(data) {
        write_str(&mut out, meta.name);
        write_str(&mut out, meta.as_of);
        write_str(&mut out, meta.source);

        let capacities: Vec<u8> = d.capacities().into_iter().collect();
        out.push(u8::try_from(capacities.len())?);
        out.extend_from_slice(&capacities);

        let regions = d.regions();
        ensure!(
            regions.len() <= usize::from(u16::MAX),
            "too many {} regions",
            meta.name
        );
        let region_index: HashMap<&str, usize> =
            regions.iter().enumerate().map(|(i, r)| (*r, i)).collect();
        write_sorted_strings(&mut out, regions.iter().copied());
        let types = d.types();
        write_sorted_strings(&mut out, types.iter().copied());

        for t in &types {
            match d.specs.get(*t) {
                None => out.push(0),
                Some((spec, _)) => {
                    out.push(1);
                    write_varint(&mut out, u64::from(spec.vcpu));
                    write_varint(&mut out, spec.memory_units);
                    write_varint(&mut out, spec.gpu.map_or(0, |g| u64::from(g) + 1));
                    out.push(spec.arch);
                }
            }
        }

        write_len(&mut out, d.prices.len());
        let bitmap_len = regions.len().div_ceil(8);
        let mut codes = Vec::new();
        for t in &types {
            for &c in &capacities {
                let mut bitmap = vec![0u8; bitmap_len];
                let mut previous: u64 = 0;
                // BTreeMap order within (type, capacity) is region byte order = region index.
                let group = d.prices.range(
                    ((*t).to_string(), c, String::new())..((*t).to_string(), c + 1, String::new()),
                );
                for ((_, _, region), price) in group {
                    let r = region_index[region.as_str()];
                    bitmap[r / 8] |= 1 << (r % 8);
                    let delta = i128::from(price.units) - i128::from(previous);
                    let code = zigzag_decimal_encode(delta)
                        .ok_or_else(|| anyhow!("price delta {delta} does not fit the encoding"))?;
                    write_varint(&mut codes, code);
                    previous = price.units;
                }
                out.extend_from_slice(&bitmap);
            }
        }
        out.extend_from_slice(&codes);
    }
    let checksum = format::fnv1a64(&out);
    out.extend_from_slice(&checksum.to_le_bytes());
    Ok(out)
}

// ---- verification ----------------------------------------------------------------------------

/// Decodes `bytes` with the core decoder and compares everything with the parsed CSVs.
fn verify(bytes: &[u8], data: &[ProviderData; 3]) -> Result<()> {
    let raw =
        format::decode(bytes).map_err(|e| anyhow!("written catalogue does not decode: {e}"))?;
    ensure!(raw.note == NOTE, "note differs");
    ensure!(
        raw.providers.len() == PROVIDERS.len(),
        "provider count differs"
    );
    for ((meta, d), p) in PROVIDERS.iter().zip(data).zip(&raw.providers) {
        let name = meta.name;
        ensure!(
            p.name == name && p.as_of == meta.as_of && p.source == meta.source,
            "{name}: metadata differs"
        );
        ensure!(
            p.regions.iter().map(String::as_str).eq(d.regions()),
            "{name}: regions differ"
        );
        ensure!(
            p.types.iter().map(String::as_str).eq(d.types()),
            "{name}: instance types differ"
        );
        ensure!(
            p.capacities.iter().copied().eq(d.capacities()),
            "{name}: capacity types differ"
        );

        // Specs: every instances.csv row, and nothing else.
        ensure!(
            p.specs.len() == p.types.len(),
            "{name}: spec table size differs"
        );
        let decoded_specs = p
            .types
            .iter()
            .zip(&p.specs)
            .filter_map(|(t, s)| Some((t, (*s)?)));
        let mut spec_count = 0;
        for (t, spec) in decoded_specs {
            let (want, line) = d
                .specs
                .get(t)
                .ok_or_else(|| anyhow!("{name} {t}: decoded a spec that instances.csv lacks"))?;
            ensure!(
                spec == *want,
                "instances.csv:{line}: {name} {t}: decoded {spec:?}, expected {want:?}"
            );
            spec_count += 1;
        }
        ensure!(spec_count == d.specs.len(), "{name}: spec count differs");

        // Prices: rebuild rows in file order; the BTreeMap iterates in the same order.
        let caps = p.capacities.len();
        ensure!(
            p.group_starts.len() == p.types.len() * caps + 1,
            "{name}: group table size differs"
        );
        let mut expected = d.prices.iter();
        let mut rows = 0usize;
        for (t, type_name) in p.types.iter().enumerate() {
            for (c, &cap) in p.capacities.iter().enumerate() {
                let g = t * caps + c;
                for row in p.group_starts[g] as usize..p.group_starts[g + 1] as usize {
                    let region = &p.regions[usize::from(p.row_regions[row])];
                    let units = p.row_units[row];
                    let ((want_t, want_c, want_r), price) = expected
                        .next()
                        .ok_or_else(|| anyhow!("{name}: decoded more price rows than the CSV"))?;
                    ensure!(
                        (type_name, cap, region) == (want_t, *want_c, want_r),
                        "prices.csv:{}: {name}: decoded row {type_name} {cap} {region}, \
                         expected {want_t} {want_c} {want_r}",
                        price.line
                    );
                    ensure!(
                        units == price.units,
                        "prices.csv:{}: {name} {type_name} {region}: decoded {units} units, \
                         expected {}",
                        price.line,
                        price.units
                    );
                    // Exactness, independently of the parser: the units print back as the CSV
                    // text, and the f64 the core returns is the one nearest to the CSV text.
                    ensure!(
                        format_fixed(units, PRICE_DECIMALS) == canonical_decimal(&price.text),
                        "prices.csv:{}: {} does not print back as {}",
                        price.line,
                        units,
                        price.text
                    );
                    let as_f64 = units as f64 / PRICE_UNITS_PER_USD as f64;
                    ensure!(
                        price.text.parse::<f64>().ok() == Some(as_f64),
                        "prices.csv:{}: {} decodes to f64 {as_f64}",
                        price.line,
                        price.text
                    );
                    rows += 1;
                }
            }
        }
        ensure!(
            expected.next().is_none() && rows == d.prices.len(),
            "{name}: decoded fewer price rows than the CSV"
        );
    }
    Ok(())
}

// ---- PROVENANCE.md ---------------------------------------------------------------------------

fn provenance(data: &[ProviderData; 3], file_len: usize) -> String {
    let mut s = String::new();
    let total_prices: usize = data.iter().map(|d| d.prices.len()).sum();
    let total_specs: usize = data.iter().map(|d| d.specs.len()).sum();
    let _ = write!(
        s,
        "# Price catalogue provenance

**Generated by `cargo xtask catalogue` (xtask/src/catalogue.rs) — do not edit `catalogue.bin`,
`PROVENANCE.md` or `SOURCES.md` here by hand.**

`catalogue.bin` ({file_len} bytes) is the offline price catalogue of kube-rightsize: {total_prices}
hourly list prices (USD) and {total_specs} instance specs (vCPU, memory, GPU count, architecture)
for AWS, GCP and Azure. The core crate embeds it (`include_bytes!`, cargo feature
`embedded-catalogue`, on by default) and decodes it with
`kube_rightsize_core::pricing::catalogue::Catalogue`; the web app disables the feature and fetches
the same file as a static asset.

{NOTE}

## Contents

| provider | prices as of | on-demand rows | spot rows | regions | instance types | with spec |
|---|---|---|---|---|---|---|
"
    );
    for (meta, d) in PROVIDERS.iter().zip(data) {
        let count = |cap| d.prices.keys().filter(|(_, c, _)| *c == cap).count();
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} |",
            meta.name,
            meta.as_of,
            count(CAPACITY_ON_DEMAND),
            count(CAPACITY_SPOT),
            d.regions().len(),
            d.types().len(),
            d.specs.len()
        );
    }
    let _ = write!(
        s,
        "
Instance types and regions are matched exactly for AWS and GCP, ASCII case-insensitively for
Azure. Prices are exact: every CSV value is stored as an integer number of 1e-10 USD per hour,
and the converter checks after writing that decoding reproduces every row of `prices.csv` and
`instances.csv` exactly.

## Sources

Summarised from `SOURCES.md` (a verbatim copy of the snapshot's source notes, beside this file);
see it for commits, file paths, row counts by source, cross-checks and caveats.

"
    );
    for meta in &PROVIDERS {
        let _ = writeln!(
            s,
            "- **{}** (as of {}): {}\n",
            meta.name, meta.as_of, meta.source
        );
    }
    let _ = write!(
        s,
        "Caveats (from `SOURCES.md`): AWS spot prices are typical (30-day averages of June 2025, \
not today's), and outside us-east-1/GovCloud only
types that existed in April 2025 are priced (the June 2025 P4/P5 GPU price cuts are missing
there); Azure has no spot prices; GCP spot prices may change up to once every 30 days; some
Azure sizes have a price but no spec, and some GCP types a spec but no price. Memory is the
provider-reported size; allocatable memory on a node is lower. `instances.csv` gives azure
`Standard_B1ls` 0 GiB of memory (really 0.5 GiB); it is kept as 0, which readers treat as
unknown, and some GPU counts and architectures are blank (unknown) in the source. Spaces
around names are trimmed (`prices.csv` spells azure `Standard_NM16ads_MA35D` with two trailing
spaces).

## Format (version {VERSION})

Documented in full in `crates/core/src/pricing/format.rs`. In brief: magic `KRPC`, a version
byte, a free-text note, then per provider: name, as-of and source strings, the capacity types
present, front-coded sorted region and instance-type names, one spec record per type (vCPU,
memory in 1/10 000 GiB, GPU count + 1 or 0 if unknown, arch code), the row count, one region
bitmap per (type, capacity type), and one varint per price: the difference from the previous
price of the same type and capacity type in zig-zag-decimal form (`2·(11·m + k) + sign` for
`|delta| = m·10^k`), prices being integers of 1e-10 USD. The file ends with an FNV-1a 64
checksum. All integers are LEB128 varints.

## Regenerating

With the shared pricing snapshot (`prices.csv`, `instances.csv`, `SOURCES.md`) available, run
`cargo xtask catalogue`. The output is deterministic: the same inputs give the same bytes. If
`SOURCES.md` changed, the converter refuses to run until the metadata strings in
`xtask/src/catalogue.rs` have been reviewed.
"
    );
    s
}
