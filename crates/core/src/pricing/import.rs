//! Imported price files: bytes in, a [`PriceTable`] and warnings out (sans-IO).
//!
//! Three formats are recognised automatically ([`detect_format`]):
//!
//! 1. **CSV** with the header `provider,instance_type,region,capacity_type,usd_per_hour`
//!    (the layout of the shared pricing snapshot's `prices.csv`), optionally followed by a
//!    `gpu_usd_per_hour` column (one GPU's price per hour; empty when unknown). Blank lines and
//!    lines starting with `#` are skipped; fields may be quoted (RFC 4180).
//! 2. **instances.vantage.sh feeds**: the JSON arrays served as `/instances.json` (EC2),
//!    `/azure/instances.json` and `/gcp/instances.json`. Only Linux prices are read:
//!    `ondemand`, and for spot `spot`, else `spot_avg`, else the midpoint of `spot_min` and
//!    `spot_max`, else whichever of those exists. Prices may be strings or numbers; `"0"`,
//!    empty and `"N/A"` mean missing. Azure sizes are slugs (`d2sv3`) and regions are slugs
//!    (`us-east`), translated to ARM names (`eastus`) with a built-in table.
//! 3. **kube-rightsize price files** ([`PRICES_SCHEMA`]), written by [`write_price_file`]:
//!    `{"schema": "kube-rightsize/prices/v1", "generated_at": ..., "prices": [{"provider",
//!    "instance_type", "region", "capacity_type", "usd_per_hour", "source", "fetched_at",
//!    "gpu_usd_per_hour"}]}` (`gpu_usd_per_hour` optional).
//!
//! 4. **Item CSV** with the header `provider,region,item,unit,usd` (or `storage_type` for `item`:
//!    the layout of the embedded `storage.csv` and `services.csv`): prices of disks, load
//!    balancers and control planes ([`ItemRow`]). A kube-rightsize price file may carry the same
//!    rows as `items: [{"provider", "region", "item", "unit", "usd"}]`.
//!
//! Bad rows are errors located by line and column ([`ImportError`]); odd but usable content
//! (duplicates, records without a Linux price, unknown Azure regions) gives warnings.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};

use crate::diagnostics::Warning;
use crate::limits::{self, Shortened};
use crate::model::{CapacityType, Provider};
use crate::pricing::services::{ItemRow, ServicePrices};
use crate::pricing::sources::{PriceEntry, PriceTable, parse_usd};

/// The `schema` of kube-rightsize price files.
pub const PRICES_SCHEMA: &str = "kube-rightsize/prices/v1";

/// The CSV header a CSV price file must start with.
pub const CSV_HEADER: &str = "provider,instance_type,region,capacity_type,usd_per_hour";

/// The optional sixth CSV column: USD per hour of one of the instance type's GPUs.
pub const CSV_GPU_COLUMN: &str = "gpu_usd_per_hour";

/// The header of an item CSV (disks, load balancers, control planes); `storage_type` may stand
/// for `item`.
pub const CSV_ITEMS_HEADER: &str = "provider,region,item,unit,usd";

/// Which kind of price file was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceFileFormat {
    /// `provider,instance_type,region,capacity_type,usd_per_hour` CSV.
    Csv,
    /// instances.vantage.sh EC2 feed (`instances.json`).
    VantageEc2,
    /// instances.vantage.sh Azure feed (`azure/instances.json`).
    VantageAzure,
    /// instances.vantage.sh GCP feed (`gcp/instances.json`).
    VantageGcp,
    /// A kube-rightsize price file ([`PRICES_SCHEMA`]).
    KubeRightsize,
    /// `provider,region,item,unit,usd` CSV: disks, load balancers, control planes.
    ItemsCsv,
}

impl PriceFileFormat {
    /// A short description for people.
    pub fn describe(self) -> &'static str {
        match self {
            PriceFileFormat::Csv => "CSV price file",
            PriceFileFormat::VantageEc2 => "instances.vantage.sh EC2 feed",
            PriceFileFormat::VantageAzure => "instances.vantage.sh Azure feed",
            PriceFileFormat::VantageGcp => "instances.vantage.sh GCP feed",
            PriceFileFormat::KubeRightsize => "kube-rightsize price file",
            PriceFileFormat::ItemsCsv => "CSV price file of disks and services",
        }
    }
}

/// A price file that could not be read: where, what, and what to do about it.
///
/// Displayed as `file:line:column: message`, then `hint: ...` on the next line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// The file's name.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (characters).
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )?;
        if let Some(hint) = &self.hint {
            write!(f, "\nhint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ImportError {}

/// A successfully read price file.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedPrices {
    /// Which format it was.
    pub format: PriceFileFormat,
    /// The prices.
    pub table: PriceTable,
    /// Prices of disks, load balancers and control planes, in file order.
    pub items: Vec<ItemRow>,
    /// Odd but usable content.
    pub warnings: Vec<Warning>,
}

const FORMATS_HINT: &str = "a price file is a CSV with the header \
    `provider,instance_type,region,capacity_type,usd_per_hour` (nodes) or \
    `provider,region,item,unit,usd` (disks and services), an instances.vantage.sh \
    instances.json feed, or a kube-rightsize/prices/v1 JSON file";

fn error(file: &str, line: usize, column: usize, message: impl Into<String>) -> ImportError {
    ImportError {
        file: file.to_owned(),
        line,
        column,
        message: message.into(),
        hint: None,
    }
}

fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Which format `bytes` are, judging by their first characters and (for JSON arrays) the first
/// records; `None` when they are not text or look like none of them.
pub fn detect_format(bytes: &[u8]) -> Option<PriceFileFormat> {
    let text = strip_bom(std::str::from_utf8(bytes).ok()?);
    match text.trim_start().chars().next()? {
        '{' => Some(PriceFileFormat::KubeRightsize),
        '[' => {
            let records: Vec<VantageRecord> = serde_json::from_str(text).ok()?;
            Some(vantage_kind(&records))
        }
        _ => {
            let first = text
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty() && !l.starts_with('#'))?;
            if items_header(first) {
                return Some(PriceFileFormat::ItemsCsv);
            }
            csv_header_fields(first).map(|_| PriceFileFormat::Csv)
        }
    }
}

/// Reads a price file of any supported format. `name` is used in descriptions and errors.
pub fn import_prices(name: &str, bytes: &[u8]) -> Result<ImportedPrices, ImportError> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => strip_bom(t),
        Err(e) => {
            let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or("");
            let (line, column) = line_col(valid, valid.len());
            return Err(ImportError {
                hint: Some("save the price file as UTF-8 text".to_owned()),
                ..error(name, line, column, "the price file is not UTF-8 text")
            });
        }
    };
    let Some(first) = text.trim_start().chars().next() else {
        return Err(ImportError {
            hint: Some(FORMATS_HINT.to_owned()),
            ..error(name, 1, 1, "the price file is empty")
        });
    };
    match first {
        '{' => import_kube_rightsize(name, text),
        '[' => import_vantage(name, text),
        _ if text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .is_some_and(items_header) =>
        {
            import_items_csv(name, text)
        }
        _ => import_csv(name, text),
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, text[start..offset].chars().count() + 1)
}

/// Converts a serde_json error into a located import error (without serde_json's own
/// "at line L column C" suffix).
fn json_error(name: &str, e: &serde_json::Error) -> ImportError {
    let (line, column) = (e.line().max(1), e.column().max(1));
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = full.strip_suffix(&suffix).unwrap_or(&full).to_owned();
    let hint = match e.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            Some("the file is not valid JSON; re-download or re-export it".to_owned())
        }
        _ => None,
    };
    ImportError {
        hint,
        ..error(name, line, column, message)
    }
}

// ---------------------------------------------------------------- field types with checks

/// A named column of a price row (`provider`, `capacity_type`), read with the same check and
/// message from a CSV field and from a JSON string ([`Checked`]).
trait Column: Sized {
    /// The column's name.
    const NAME: &'static str;
    /// The names it takes, for the message about an unknown one.
    const EXPECTED: &'static str;

    /// The value of a known name.
    fn known(name: &str) -> Option<Self>;

    /// Reads the column's `text` (trimmed).
    fn from_text(text: &str) -> Result<Self, String> {
        Self::known(text.trim()).ok_or_else(|| {
            format!(
                "unknown {} `{text}`; expected {}",
                Self::NAME,
                Self::EXPECTED
            )
        })
    }
}

impl Column for Provider {
    const NAME: &'static str = "provider";
    const EXPECTED: &'static str = "a name such as aws, gcp or azure";

    fn known(name: &str) -> Option<Provider> {
        Provider::from_name(name).filter(|p| *p != Provider::Unknown)
    }
}

impl Column for CapacityType {
    const NAME: &'static str = "capacity_type";
    const EXPECTED: &'static str = "on_demand, spot or reserved";

    fn known(name: &str) -> Option<CapacityType> {
        CapacityType::from_name(name).filter(|c| *c != CapacityType::Unknown)
    }
}

fn usd_from(text: &str) -> Result<f64, String> {
    parse_usd(text).ok_or_else(|| {
        format!("usd_per_hour `{text}` is not a non-negative number of USD per hour")
    })
}

/// An optional GPU price: empty is unknown.
fn gpu_usd_from(text: &str) -> Result<Option<f64>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    parse_usd(text).map(Some).ok_or_else(|| {
        format!("gpu_usd_per_hour `{text}` is not a non-negative number of USD per GPU-hour")
    })
}

/// A JSON string field checked as its CSV column is ([`Column::from_text`]).
struct Checked<T>(T);

impl<'de, T: Column> Deserialize<'de> for Checked<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        T::from_text(&s).map(Checked).map_err(de::Error::custom)
    }
}

/// A JSON string or number.
#[derive(Deserialize)]
#[serde(untagged)]
enum StringOrNumber {
    Number(f64),
    String(String),
}

struct UsdField(f64);

impl<'de> Deserialize<'de> for UsdField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match StringOrNumber::deserialize(d)? {
            StringOrNumber::Number(n) if n.is_finite() && n >= 0.0 => Ok(UsdField(n)),
            StringOrNumber::Number(n) => Err(de::Error::custom(format!(
                "usd_per_hour `{n}` is not a non-negative number of USD per hour"
            ))),
            StringOrNumber::String(s) => usd_from(&s).map(UsdField).map_err(de::Error::custom),
        }
    }
}

struct SchemaField;

impl<'de> Deserialize<'de> for SchemaField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s == PRICES_SCHEMA {
            Ok(SchemaField)
        } else {
            Err(de::Error::custom(format!(
                "unsupported price file schema `{s}`; expected `{PRICES_SCHEMA}`"
            )))
        }
    }
}

// ---------------------------------------------------------------- kube-rightsize/prices/v1

#[derive(Deserialize)]
struct Probe {
    schema: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct PriceFileIn {
    #[allow(dead_code)]
    schema: SchemaField,
    #[serde(default)]
    generated_at: Option<String>,
    prices: Vec<PriceRowIn>,
    #[serde(default)]
    items: Vec<ItemRowIn>,
    #[serde(default)]
    warnings: Vec<WarningIn>,
}

#[derive(Deserialize)]
struct ItemRowIn {
    provider: Checked<Provider>,
    region: String,
    item: String,
    unit: String,
    usd: ItemUsdField,
}

struct ItemUsdField(f64);

impl<'de> Deserialize<'de> for ItemUsdField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match StringOrNumber::deserialize(d)? {
            StringOrNumber::Number(n) if n.is_finite() && n >= 0.0 => Ok(ItemUsdField(n)),
            StringOrNumber::Number(n) => Err(de::Error::custom(format!(
                "usd `{n}` is not a non-negative number of USD per unit"
            ))),
            StringOrNumber::String(s) => item_usd_from(&s)
                .map(ItemUsdField)
                .map_err(de::Error::custom),
        }
    }
}

/// A warning recorded when the file was written (e.g. a Vantage lookup that failed).
#[derive(Deserialize)]
struct WarningIn {
    code: String,
    #[serde(default)]
    message: String,
}

/// A recorded warning as it enters the report: a code of lower-case letters, digits and `_`
/// (else `price_file_warning`), the message capped like every string read.
fn recorded_warning(name: &str, w: WarningIn) -> Warning {
    let code_ok = !w.code.is_empty()
        && w.code.len() <= 64
        && w.code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    let code = if code_ok {
        w.code
    } else {
        "price_file_warning".to_owned()
    };
    Warning::new(
        &code,
        "",
        format!("{name}: {}", limits::cap_string(w.message)),
    )
}

#[derive(Deserialize)]
struct PriceRowIn {
    provider: Checked<Provider>,
    instance_type: String,
    region: String,
    capacity_type: Checked<CapacityType>,
    usd_per_hour: UsdField,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    fetched_at: Option<String>,
    #[serde(default)]
    gpu_usd_per_hour: Option<UsdField>,
}

fn import_kube_rightsize(name: &str, text: &str) -> Result<ImportedPrices, ImportError> {
    let probe: Probe = serde_json::from_str(text).map_err(|e| json_error(name, &e))?;
    if probe.schema.is_none() {
        let at = text.len() - text.trim_start().len();
        let (line, column) = line_col(text, at);
        return Err(ImportError {
            hint: Some(FORMATS_HINT.to_owned()),
            ..error(
                name,
                line,
                column,
                format!(
                    "a JSON object without `schema` is not a price file (expected `{PRICES_SCHEMA}`)"
                ),
            )
        });
    }
    let file: PriceFileIn = serde_json::from_str(text).map_err(|e| json_error(name, &e))?;
    let mut table = PriceTable::new(format!("price file {name}"));
    table.as_of = file.generated_at.clone().map(limits::cap_string);
    let mut warnings = Vec::new();
    let mut duplicates = Vec::new();
    let mut shortened = Shortened::default();
    for (i, row) in file.prices.into_iter().enumerate() {
        if row.instance_type.trim().is_empty() || row.region.trim().is_empty() {
            warnings.push(Warning::new(
                "price_row_skipped",
                "",
                format!("{name}: prices[{i}] has an empty instance_type or region; skipped"),
            ));
            continue;
        }
        let entry = PriceEntry {
            provider: row.provider.0,
            instance_type: shortened.cap(
                row.instance_type.trim().to_owned(),
                String::new,
                &format!("prices[{i}].instance_type"),
            ),
            region: shortened.cap(
                row.region.trim().to_owned(),
                String::new,
                &format!("prices[{i}].region"),
            ),
            capacity_type: row.capacity_type.0,
            usd_per_hour: row.usd_per_hour.0,
            source: row
                .source
                .filter(|s| !s.is_empty())
                .map(|s| shortened.cap(s, String::new, &format!("prices[{i}].source"))),
            fetched_at: row
                .fetched_at
                .filter(|s| !s.is_empty())
                .map(|s| shortened.cap(s, String::new, &format!("prices[{i}].fetched_at"))),
            gpu_usd_per_hour: row.gpu_usd_per_hour.map(|g| g.0),
        };
        let key = describe_key(&entry);
        if table.insert(entry).is_some() {
            duplicates.push(format!("prices[{i}] ({key})"));
        }
    }
    push_duplicates(name, &duplicates, &mut warnings);
    let mut items = Vec::new();
    for (i, row) in file.items.into_iter().enumerate() {
        let fields = [&row.region, &row.item, &row.unit];
        if fields.iter().any(|f| f.trim().is_empty()) {
            warnings.push(Warning::new(
                "price_row_skipped",
                "",
                format!("{name}: items[{i}] has an empty region, item or unit; skipped"),
            ));
            continue;
        }
        let [region, item, unit] =
            fields.map(|f| shortened.cap(f.trim().to_owned(), String::new, &format!("items[{i}]")));
        items.push(ItemRow {
            provider: row.provider.0,
            region,
            item,
            unit,
            usd: row.usd.0,
        });
    }
    push_unknown_items(name, &items, &mut warnings);
    warnings.extend(shortened.warning(name));
    warnings.extend(file.warnings.into_iter().map(|w| recorded_warning(name, w)));
    Ok(ImportedPrices {
        format: PriceFileFormat::KubeRightsize,
        table,
        items,
        warnings,
    })
}

fn describe_key(e: &PriceEntry) -> String {
    format!(
        "{} {} {} {}",
        e.provider.as_str(),
        e.instance_type,
        e.region,
        e.capacity_type.as_str()
    )
}

fn push_duplicates(name: &str, duplicates: &[String], warnings: &mut Vec<Warning>) {
    if let Some(first) = duplicates.first() {
        let more = if duplicates.len() > 1 {
            format!(" and {} more", duplicates.len() - 1)
        } else {
            String::new()
        };
        warnings.push(Warning::new(
            "duplicate_price",
            "",
            format!(
                "{name}: {first}{more} repeat an earlier price for the same provider, type, \
                 region and capacity type; the later one is used"
            ),
        ));
    }
}

/// One row of a kube-rightsize price file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceFileRow<'a> {
    /// `aws`, `gcp`, `azure`, ...
    pub provider: &'static str,
    /// Instance type.
    pub instance_type: &'a str,
    /// Region.
    pub region: &'a str,
    /// `on_demand`, `spot` or `reserved`.
    pub capacity_type: &'static str,
    /// USD per hour.
    pub usd_per_hour: f64,
    /// Where the price came from.
    pub source: Option<&'a str>,
    /// When it was fetched.
    pub fetched_at: Option<&'a str>,
    /// USD per hour of one GPU, when known; left out otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpu_usd_per_hour: Option<f64>,
}

/// A kube-rightsize price file ([`PRICES_SCHEMA`]), ready to serialize.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceFile<'a> {
    /// Always [`PRICES_SCHEMA`].
    pub schema: &'static str,
    /// When the file was written (RFC 3339).
    pub generated_at: &'a str,
    /// The prices.
    pub prices: Vec<PriceFileRow<'a>>,
    /// What went wrong while the prices were fetched (e.g. `vantage_timeout`), so that a
    /// report made from the file still says it; left out when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<PriceFileWarning<'a>>,
}

/// A warning recorded in a price file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceFileWarning<'a> {
    /// Its code (`vantage_timeout`).
    pub code: &'a str,
    /// For people.
    pub message: &'a str,
}

/// Writes `table` as a kube-rightsize price file (pretty JSON, ends with a newline).
pub fn write_price_file(table: &PriceTable, generated_at: &str, warnings: &[Warning]) -> String {
    let file = PriceFile {
        schema: PRICES_SCHEMA,
        generated_at,
        warnings: warnings
            .iter()
            .map(|w| PriceFileWarning {
                code: &w.code,
                message: &w.message,
            })
            .collect(),
        prices: table
            .iter()
            .map(|e| PriceFileRow {
                provider: e.provider.as_str(),
                instance_type: &e.instance_type,
                region: &e.region,
                capacity_type: e.capacity_type.as_str(),
                usd_per_hour: e.usd_per_hour,
                source: e.source.as_deref(),
                fetched_at: e.fetched_at.as_deref(),
                gpu_usd_per_hour: e.gpu_usd_per_hour,
            })
            .collect(),
    };
    let mut out = serde_json::to_string_pretty(&file).unwrap_or_default();
    out.push('\n');
    out
}

// ---------------------------------------------------------------- CSV

/// The number of fields of a CSV price file header: 5 ([`CSV_HEADER`]) or 6 (with
/// [`CSV_GPU_COLUMN`]); `None` when `line` is not one.
fn csv_header_fields(line: &str) -> Option<usize> {
    let fields: Vec<String> = line
        .split(',')
        .map(|f| f.trim().trim_matches('"').to_ascii_lowercase())
        .collect();
    let names: Vec<&str> = fields.iter().map(String::as_str).collect();
    let base: Vec<&str> = CSV_HEADER.split(',').collect();
    if names == base {
        Some(5)
    } else if names.len() == 6 && names[..5] == base[..] && names[5] == CSV_GPU_COLUMN {
        Some(6)
    } else {
        None
    }
}

/// Splits one CSV line into (field, 1-based character column) pairs, honouring RFC 4180 quotes
/// (a quoted field may contain commas and doubled quotes, not line breaks). `Err` gives the
/// column of an unterminated quote.
fn split_csv_line(line: &str) -> Result<Vec<(String, usize)>, usize> {
    let mut fields = Vec::new();
    let mut chars = line.chars().peekable();
    let mut column = 1;
    loop {
        let start = column;
        let mut field = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            column += 1;
            loop {
                match chars.next() {
                    None => return Err(start),
                    Some('"') => {
                        column += 1;
                        if chars.peek() == Some(&'"') {
                            chars.next();
                            column += 1;
                            field.push('"');
                        } else {
                            break;
                        }
                    }
                    Some(c) => {
                        column += 1;
                        field.push(c);
                    }
                }
            }
        }
        // Up to the next comma (after a closing quote: anything there is kept as written).
        while let Some(&c) = chars.peek() {
            if c == ',' {
                break;
            }
            field.push(c);
            chars.next();
            column += 1;
        }
        fields.push((field, start));
        match chars.next() {
            Some(',') => column += 1,
            _ => return Ok(fields),
        }
    }
}

/// The warning for a CSV with a header and no rows.
fn header_only(name: &str) -> Warning {
    Warning::new(
        "price_file_empty",
        "",
        format!("{name}: the CSV has a header but no prices"),
    )
}

/// One CSV row split into (field, column) pairs, with as many fields as `header` has.
fn csv_row(
    name: &str,
    line_no: usize,
    line: &str,
    header: &str,
) -> Result<Vec<(String, usize)>, ImportError> {
    let fields = split_csv_line(line)
        .map_err(|col| error(name, line_no, col, "a quoted field is not closed"))?;
    let expected = header.split(',').count();
    if fields.len() != expected {
        return Err(error(
            name,
            line_no,
            1,
            format!(
                "expected {expected} fields ({header}), found {}",
                fields.len()
            ),
        ));
    }
    Ok(fields)
}

fn import_csv(name: &str, text: &str) -> Result<ImportedPrices, ImportError> {
    let mut table = PriceTable::new(format!("price file {name}"));
    let mut header_fields: Option<usize> = None;
    let mut duplicates = Vec::new();
    let mut warnings = Vec::new();
    let mut shortened = Shortened::default();
    for (i, raw) in text.split('\n').enumerate() {
        let line_no = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let Some(expected) = header_fields else {
            header_fields = csv_header_fields(trimmed);
            if header_fields.is_none() {
                let shown: String = trimmed.chars().take(60).collect();
                return Err(ImportError {
                    hint: Some(FORMATS_HINT.to_owned()),
                    ..error(
                        name,
                        line_no,
                        1,
                        format!("expected the CSV header `{CSV_HEADER}`, found `{shown}`"),
                    )
                });
            }
            continue;
        };
        let header = if expected == 6 {
            format!("{CSV_HEADER},{CSV_GPU_COLUMN}")
        } else {
            CSV_HEADER.to_owned()
        };
        let fields = csv_row(name, line_no, line, &header)?;
        let at = |k: usize| (fields[k].0.trim(), fields[k].1);
        let (provider, col) = at(0);
        let provider = Provider::from_text(provider).map_err(|m| error(name, line_no, col, m))?;
        let (instance_type, col) = at(1);
        if instance_type.is_empty() {
            return Err(error(name, line_no, col, "instance_type is empty"));
        }
        let (region, col) = at(2);
        if region.is_empty() {
            return Err(error(name, line_no, col, "region is empty"));
        }
        let (capacity, col) = at(3);
        let capacity =
            CapacityType::from_text(capacity).map_err(|m| error(name, line_no, col, m))?;
        let (usd, col) = at(4);
        let usd = usd_from(usd).map_err(|m| error(name, line_no, col, m))?;
        let gpu = match fields.get(5) {
            Some((text, col)) => {
                gpu_usd_from(text.trim()).map_err(|m| error(name, line_no, *col, m))?
            }
            None => None,
        };
        let entry = PriceEntry {
            provider,
            instance_type: shortened.cap(
                instance_type.to_owned(),
                String::new,
                &format!("line {line_no} instance_type"),
            ),
            region: shortened.cap(
                region.to_owned(),
                String::new,
                &format!("line {line_no} region"),
            ),
            capacity_type: capacity,
            usd_per_hour: usd,
            source: None,
            fetched_at: None,
            gpu_usd_per_hour: gpu,
        };
        let key = describe_key(&entry);
        if table.insert(entry).is_some() {
            duplicates.push(format!("line {line_no} ({key})"));
        }
    }
    if header_fields.is_none() {
        return Err(ImportError {
            hint: Some(FORMATS_HINT.to_owned()),
            ..error(
                name,
                1,
                1,
                "the price file has only comments and blank lines",
            )
        });
    }
    push_duplicates(name, &duplicates, &mut warnings);
    warnings.extend(shortened.warning(name));
    if table.is_empty() {
        warnings.push(header_only(name));
    }
    Ok(ImportedPrices {
        format: PriceFileFormat::Csv,
        table,
        items: Vec::new(),
        warnings,
    })
}

/// True when `line` is an item CSV's header ([`CSV_ITEMS_HEADER`], `storage_type` allowed for
/// `item`).
fn items_header(line: &str) -> bool {
    let names: Vec<String> = line
        .split(',')
        .map(|f| f.trim().trim_matches('"').to_ascii_lowercase())
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    matches!(
        names.as_slice(),
        ["provider", "region", "item" | "storage_type", "unit", "usd"]
    )
}

fn item_usd_from(text: &str) -> Result<f64, String> {
    parse_usd(text)
        .ok_or_else(|| format!("usd `{text}` is not a non-negative number of USD per unit"))
}

/// A warning naming the rows whose item and unit the tool never asks for (a typo, or an item
/// it does not price), so that a price that changes nothing does not pass unnoticed.
fn push_unknown_items(name: &str, items: &[ItemRow], warnings: &mut Vec<Warning>) {
    let known = ServicePrices::embedded();
    let unknown: Vec<String> = items
        .iter()
        .filter(|r| !known.knows(r.provider, &r.item, &r.unit))
        .map(|r| format!("{} {} {}", r.provider.as_str(), r.item, r.unit))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if !unknown.is_empty() {
        warnings.push(Warning::new(
            "price_item_unknown",
            "",
            format!(
                "{name}: {} {} not an item and unit the embedded tables price, so nothing \
                 uses {}; the known ones are listed in docs/cost-model.md, §6",
                crate::format::fmt_list(&unknown, 5),
                if unknown.len() == 1 { "is" } else { "are" },
                if unknown.len() == 1 { "it" } else { "them" },
            ),
        ));
    }
}

fn import_items_csv(name: &str, text: &str) -> Result<ImportedPrices, ImportError> {
    let mut items = Vec::new();
    let mut header = false;
    let mut shortened = Shortened::default();
    for (i, raw) in text.split('\n').enumerate() {
        let line_no = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if !header {
            header = true;
            continue;
        }
        let fields = csv_row(name, line_no, line, CSV_ITEMS_HEADER)?;
        let at = |k: usize| (fields[k].0.trim(), fields[k].1);
        let (provider, col) = at(0);
        let provider = Provider::from_text(provider).map_err(|m| error(name, line_no, col, m))?;
        let mut text_field = |k: usize, what: &str| -> Result<String, ImportError> {
            let (value, col) = at(k);
            if value.is_empty() {
                return Err(error(name, line_no, col, format!("{what} is empty")));
            }
            Ok(shortened.cap(
                value.to_owned(),
                String::new,
                &format!("line {line_no} {what}"),
            ))
        };
        let region = text_field(1, "region")?;
        let item = text_field(2, "item")?;
        let unit = text_field(3, "unit")?;
        let (usd, col) = at(4);
        let usd = item_usd_from(usd).map_err(|m| error(name, line_no, col, m))?;
        items.push(ItemRow {
            provider,
            region,
            item,
            unit,
            usd,
        });
    }
    let mut warnings = Vec::new();
    push_unknown_items(name, &items, &mut warnings);
    warnings.extend(shortened.warning(name));
    if items.is_empty() {
        warnings.push(header_only(name));
    }
    Ok(ImportedPrices {
        format: PriceFileFormat::ItemsCsv,
        table: PriceTable::new(format!("price file {name}")),
        items,
        warnings,
    })
}

// ---------------------------------------------------------------- instances.vantage.sh feeds

#[derive(Deserialize)]
struct VantageRecord {
    #[serde(default)]
    instance_type: Option<String>,
    #[serde(default, rename = "vCPU")]
    vcpu_upper: Option<de::IgnoredAny>,
    #[serde(default, rename = "vcpu")]
    vcpu_lower: Option<de::IgnoredAny>,
    #[serde(default)]
    pricing: Option<BTreeMap<String, serde_json::Value>>,
}

fn vantage_kind(records: &[VantageRecord]) -> PriceFileFormat {
    let lower = records
        .iter()
        .filter(|r| r.vcpu_lower.is_some() && r.vcpu_upper.is_none())
        .count();
    let dotted = records
        .iter()
        .filter(|r| r.instance_type.as_deref().is_some_and(|t| t.contains('.')))
        .count();
    if lower > 0 && lower * 2 >= records.len() {
        PriceFileFormat::VantageAzure
    } else if dotted > 0 && dotted * 2 >= records.len() {
        PriceFileFormat::VantageEc2
    } else {
        PriceFileFormat::VantageGcp
    }
}

/// A price in a feed: a string or number; `0`, empty, `N/A` (anything unparsable) mean missing.
fn feed_price(v: Option<&serde_json::Value>) -> Option<f64> {
    let p = match v? {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => parse_usd(s),
        _ => None,
    }?;
    (p.is_finite() && p > 0.0).then_some(p)
}

fn feed_spot(prices: &serde_json::Value) -> Option<f64> {
    let get = |k: &str| feed_price(prices.get(k));
    get("spot")
        .or_else(|| get("spot_avg"))
        .or_else(|| match (get("spot_min"), get("spot_max")) {
            (Some(a), Some(b)) => Some((a + b) / 2.0),
            (a, b) => a.or(b),
        })
}

/// instances.vantage.sh Azure region slug → ARM location name.
const AZURE_REGIONS: &[(&str, &str)] = &[
    ("asia-pacific-east", "eastasia"),
    ("asia-pacific-southeast", "southeastasia"),
    ("australia-central", "australiacentral"),
    ("australia-central-2", "australiacentral2"),
    ("australia-east", "australiaeast"),
    ("australia-southeast", "australiasoutheast"),
    ("austria-east", "austriaeast"),
    ("belgium-central", "belgiumcentral"),
    ("brazil-south", "brazilsouth"),
    ("brazil-southeast", "brazilsoutheast"),
    ("canada-central", "canadacentral"),
    ("canada-east", "canadaeast"),
    ("central-india", "centralindia"),
    ("chile-central", "chilecentral"),
    ("denmark-east", "denmarkeast"),
    ("europe-north", "northeurope"),
    ("europe-west", "westeurope"),
    ("france-central", "francecentral"),
    ("france-south", "francesouth"),
    ("germany-north", "germanynorth"),
    ("germany-west-central", "germanywestcentral"),
    ("indonesia-central", "indonesiacentral"),
    ("israel-central", "israelcentral"),
    ("italy-north", "italynorth"),
    ("japan-east", "japaneast"),
    ("japan-west", "japanwest"),
    ("korea-central", "koreacentral"),
    ("korea-south", "koreasouth"),
    ("malaysia-west", "malaysiawest"),
    ("mexico-central", "mexicocentral"),
    ("new-zealand-north", "newzealandnorth"),
    ("norway-east", "norwayeast"),
    ("norway-west", "norwaywest"),
    ("poland-central", "polandcentral"),
    ("qatar-central", "qatarcentral"),
    ("south-africa-north", "southafricanorth"),
    ("south-africa-west", "southafricawest"),
    ("south-india", "southindia"),
    ("spain-central", "spaincentral"),
    ("sweden-central", "swedencentral"),
    ("sweden-south", "swedensouth"),
    ("switzerland-north", "switzerlandnorth"),
    ("switzerland-west", "switzerlandwest"),
    ("uae-central", "uaecentral"),
    ("uae-north", "uaenorth"),
    ("united-kingdom-south", "uksouth"),
    ("united-kingdom-west", "ukwest"),
    ("us-central", "centralus"),
    ("us-east", "eastus"),
    ("us-east-2", "eastus2"),
    ("us-north-central", "northcentralus"),
    ("us-south-central", "southcentralus"),
    ("us-west", "westus"),
    ("us-west-2", "westus2"),
    ("us-west-3", "westus3"),
    ("us-west-central", "westcentralus"),
    ("usgov-arizona", "usgovarizona"),
    ("usgov-texas", "usgovtexas"),
    ("usgov-virginia", "usgovvirginia"),
    ("west-india", "westindia"),
];

/// The ARM location name (`eastus`) of an instances.vantage.sh Azure region slug (`us-east`);
/// ARM names are returned unchanged.
pub fn azure_region_from_slug(slug: &str) -> Option<&'static str> {
    let s = slug.trim();
    AZURE_REGIONS
        .iter()
        .find(|(k, v)| k.eq_ignore_ascii_case(s) || v.eq_ignore_ascii_case(s))
        .map(|(_, v)| *v)
}

fn import_vantage(name: &str, text: &str) -> Result<ImportedPrices, ImportError> {
    let records: Vec<VantageRecord> = serde_json::from_str(text).map_err(|e| {
        let mut err = json_error(name, &e);
        if err.hint.is_none() {
            err.hint = Some(FORMATS_HINT.to_owned());
        }
        err
    })?;
    let format = vantage_kind(&records);
    let (provider, label) = match format {
        PriceFileFormat::VantageEc2 => (Provider::Aws, "EC2"),
        PriceFileFormat::VantageAzure => (Provider::Azure, "Azure"),
        _ => (Provider::Gcp, "GCP"),
    };
    let mut table = PriceTable::new(format!("instances.vantage.sh {label} feed {name}"));
    let mut warnings = Vec::new();
    let mut no_price = 0usize;
    let mut unknown_regions: BTreeSet<String> = BTreeSet::new();
    let mut empty_regions = 0usize;
    let mut shortened = Shortened::default();
    for (i, record) in records.iter().enumerate() {
        let Some(instance_type) = record
            .instance_type
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        else {
            no_price += 1;
            continue;
        };
        let instance_type = shortened.cap(
            instance_type.to_owned(),
            String::new,
            &format!("[{i}].instance_type"),
        );
        let mut priced = false;
        for (region, platforms) in record.pricing.iter().flatten() {
            let Some(linux) = platforms.get("linux") else {
                continue;
            };
            let region = region.trim();
            if region.is_empty() {
                // A price nobody's nodes can match, and that a price file cannot hold.
                empty_regions += 1;
                continue;
            }
            let region_name = if provider == Provider::Azure {
                match azure_region_from_slug(region) {
                    Some(r) => r.to_owned(),
                    None => {
                        unknown_regions.insert(limits::cap(region).into_owned());
                        continue;
                    }
                }
            } else {
                shortened.cap(region.to_owned(), String::new, &format!("[{i}].pricing"))
            };
            let mut add = |capacity_type, usd_per_hour| {
                table.insert(PriceEntry {
                    provider,
                    instance_type: instance_type.clone(),
                    region: region_name.clone(),
                    capacity_type,
                    usd_per_hour,
                    source: Some("instances.vantage.sh".to_owned()),
                    fetched_at: None,
                    gpu_usd_per_hour: None,
                });
            };
            if let Some(p) = feed_price(linux.get("ondemand")) {
                add(CapacityType::OnDemand, p);
                priced = true;
            }
            if let Some(p) = feed_spot(linux) {
                add(CapacityType::Spot, p);
                priced = true;
            }
        }
        if !priced {
            no_price += 1;
        }
    }
    if no_price > 0 {
        warnings.push(Warning::new(
            "price_row_skipped",
            "",
            format!(
                "{name}: {no_price} of {} records have no Linux on-demand or spot price; skipped",
                records.len()
            ),
        ));
    }
    if empty_regions > 0 {
        warnings.push(Warning::new(
            "price_row_skipped",
            "",
            format!("{name}: {empty_regions} prices under an empty region name were skipped"),
        ));
    }
    warnings.extend(shortened.warning(name));
    if !unknown_regions.is_empty() {
        let list: Vec<&str> = unknown_regions.iter().map(String::as_str).collect();
        warnings.push(Warning::new(
            "unknown_region",
            "",
            format!(
                "{name}: Azure region slugs without a known ARM name were skipped: {}",
                list.join(", ")
            ),
        ));
    }
    Ok(ImportedPrices {
        format,
        table,
        items: Vec::new(),
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A price file remembers what went wrong while its prices were fetched, so a report made
    /// from it says so too (the app's Vantage panel and `kube-rightsize prices` write them).
    #[test]
    fn warnings_written_into_a_price_file_come_back_as_report_warnings() {
        let mut table = PriceTable::new("Vantage");
        table.insert_price(
            Provider::Aws,
            "m5.large",
            "us-east-1",
            CapacityType::OnDemand,
            0.096,
        );
        let written = write_price_file(
            &table,
            "2026-01-01T00:00:00Z",
            &[Warning::new(
                "vantage_timeout",
                "",
                "Vantage did not answer in time",
            )],
        );
        let read = import_prices("prices.json", written.as_bytes()).expect("round trip");
        assert_eq!(read.table.len(), 1);
        assert_eq!(read.warnings.len(), 1);
        assert_eq!(read.warnings[0].code, "vantage_timeout");
        assert_eq!(
            read.warnings[0].message,
            "prices.json: Vantage did not answer in time"
        );
        // Without warnings the file is as before; an odd code is not taken as given.
        assert!(!write_price_file(&table, "2026-01-01T00:00:00Z", &[]).contains("warnings"));
        let odd = br#"{"schema":"kube-rightsize/prices/v1","prices":[],
                      "warnings":[{"code":"<b>","message":"m"}]}"#;
        let read = import_prices("p.json", odd).unwrap();
        assert_eq!(read.warnings[0].code, "price_file_warning");
    }

    /// Found by the `prices` fuzz target: a feed record under the region `""` was imported,
    /// and the price file written from it did not import back (the v1 reader refuses empty
    /// regions). Empty regions and blank instance types are now skipped with a warning.
    #[test]
    fn feed_prices_under_an_empty_region_are_skipped_and_files_round_trip() {
        let feed = br#"[
  {"instance_type": "d4sv5", "pretty_": 8, "pricing": {"": {"linux": {"ondemand": 0.096}}}},
  {"instance_type": "m5.large", "pricing": {" ": {"linux": {"ondemand": 0.1}},
                                            "us-east-1": {"linux": {"ondemand": 0.096}}}},
  {"instance_type": "  ", "pricing": {"us-east-1": {"linux": {"ondemand": 0.5}}}}
]"#;
        let imported = import_prices("feed.json", feed).expect("the usable price imports");
        assert_eq!(imported.table.len(), 1);
        let entry = imported.table.iter().next().expect("one price");
        assert_eq!(
            (entry.instance_type.as_str(), entry.region.as_str()),
            ("m5.large", "us-east-1")
        );
        assert!(
            imported
                .warnings
                .iter()
                .any(|w| w.message == "feed.json: 2 prices under an empty region name were skipped"),
            "{:?}",
            imported.warnings
        );
        let written = write_price_file(&imported.table, "2026-01-01T00:00:00Z", &[]);
        let again = import_prices("written.json", written.as_bytes()).expect("round trip");
        assert_eq!(again.table.len(), imported.table.len());
    }

    #[test]
    fn long_instance_types_are_shortened_and_round_trip() {
        let long = "t".repeat(3000);
        let csv = format!(
            "provider,instance_type,region,capacity_type,usd_per_hour\naws,{long},us-east-1,on_demand,0.5\n"
        );
        let imported = import_prices("p.csv", csv.as_bytes()).unwrap();
        let capped = limits::cap(&long).into_owned();
        let entry = imported.table.iter().next().expect("one price");
        assert_eq!(entry.instance_type, capped);
        assert_eq!(imported.warnings.len(), 1);
        assert_eq!(imported.warnings[0].code, "string_shortened");
        assert!(
            imported.warnings[0]
                .message
                .contains("(the first: `line 2 instance_type`)"),
            "{}",
            imported.warnings[0].message
        );
        // Written back and read again: the same (shortened) type, nothing shortened twice.
        let written = write_price_file(&imported.table, "2026-01-01T00:00:00Z", &[]);
        let again = import_prices("p.json", written.as_bytes()).unwrap();
        let entry = again.table.iter().next().expect("one price");
        assert_eq!(entry.instance_type, capped);
        assert_eq!(again.warnings, vec![]);
    }

    #[test]
    fn csv_line_splitting() {
        assert_eq!(
            split_csv_line("a,\"b,c\",\"d\"\"e\",").unwrap(),
            vec![
                ("a".to_owned(), 1),
                ("b,c".to_owned(), 3),
                ("d\"e".to_owned(), 9),
                (String::new(), 16)
            ]
        );
        assert_eq!(split_csv_line("a,\"b"), Err(3));
    }

    #[test]
    fn azure_regions() {
        assert_eq!(azure_region_from_slug("us-east"), Some("eastus"));
        assert_eq!(azure_region_from_slug("europe-west"), Some("westeurope"));
        assert_eq!(azure_region_from_slug("WestEurope"), Some("westeurope"));
        assert_eq!(azure_region_from_slug("mars"), None);
    }
}
