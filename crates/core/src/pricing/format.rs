//! Byte layout of the price catalogue (`crates/core/data/catalogue.bin`) and its low-level
//! decoder.
//!
//! This file is compiled twice: as `kube_rightsize_core::pricing::format` (private), and into the
//! `xtask` converter via `#[path]`, so that `cargo xtask catalogue` verifies the file it writes
//! with exactly this decoder. Keep it self-contained: `std` only, no `crate::` paths.
//!
//! # Format version 1
//!
//! All integers are unsigned LEB128 varints (`var`) unless noted; `str` is `var` byte length +
//! UTF-8; `fstr` is a front-coded string: `var` length of the prefix shared with the previous
//! string of the same list, `var` suffix length, suffix bytes.
//!
//! ```text
//! file      = magic "KRPC" · version u8 (=1) · body · checksum (u64 LE, FNV-1a 64 of all preceding bytes)
//! body      = note:str · provider_count:var · provider*
//! provider  = name:str ("aws"|"gcp"|"azure") · as_of:str · source:str
//!             · capacity_count:u8 · capacity:u8* (0 = on_demand, 1 = spot; strictly increasing)
//!             · region_count:var · region:fstr*   (strictly increasing, byte order)
//!             · type_count:var   · type:fstr*     (strictly increasing, byte order)
//!             · spec*  (one per type)
//!             · row_count:var
//!             · bitmap* (one per (type, capacity), type-major; ceil(region_count/8) bytes,
//!                        LSB first; bit r set = a price exists for region r; padding bits 0)
//!             · price*  (one per set bit, in bitmap order)
//! spec      = 0                      (no spec row)
//!           | 1 · vcpu:var · memory:var (1/10 000 GiB) · gpu:var (0 = unknown, else count + 1)
//!               · arch:u8 (0 = unknown, 1 = amd64, 2 = arm64)
//! price     = var: zig-zag-decimal code of (units − previous units of the same (type, capacity)
//!             group, 0 at the start of a group); units are 1e-10 USD per hour
//! ```
//!
//! The zig-zag-decimal code of a signed delta `d` is `2·n + (d < 0)` with `n = 11·m + k` where
//! `|d| = m·10^k` and `k ≤ 10` is as large as possible: list prices such as `0.096` USD
//! (960 000 000 units) become small numbers (`96·11 + 7`).

use std::fmt;

/// The four bytes every catalogue starts with.
pub const MAGIC: [u8; 4] = *b"KRPC";
/// The format version this decoder reads.
pub const VERSION: u8 = 1;
/// Price units per US dollar: prices are stored as integer multiples of 1e-10 USD per hour.
pub const PRICE_UNITS_PER_USD: u64 = 10_000_000_000;
/// Memory units per GiB: memory is stored as an integer multiple of 1/10 000 GiB.
pub const MEMORY_UNITS_PER_GIB: u64 = 10_000;
/// Largest accepted price in units (2^53), so that every price converts to `f64` exactly
/// rounded.
pub const MAX_PRICE_UNITS: u64 = 1 << 53;
/// Capacity code for on-demand prices.
pub const CAPACITY_ON_DEMAND: u8 = 0;
/// Capacity code for spot prices.
pub const CAPACITY_SPOT: u8 = 1;
/// Architecture code: not known.
pub const ARCH_UNKNOWN: u8 = 0;
/// Architecture code: x86-64.
pub const ARCH_AMD64: u8 = 1;
/// Architecture code: 64-bit ARM.
pub const ARCH_ARM64: u8 = 2;

const HEADER_LEN: usize = MAGIC.len() + 1;
const CHECKSUM_LEN: usize = 8;

/// Why catalogue bytes were rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogueError {
    /// Fewer bytes than the fixed header and checksum need.
    TooShort {
        /// The number of bytes given.
        len: usize,
    },
    /// The bytes do not start with the catalogue magic.
    BadMagic,
    /// The file was written in a format version this build cannot read.
    UnsupportedVersion(u8),
    /// The trailing checksum does not match the content (corrupt or truncated file).
    ChecksumMismatch,
    /// The content ended in the middle of a field.
    Truncated {
        /// Byte offset at which more data was needed.
        offset: usize,
    },
    /// A field holds an impossible value.
    Malformed {
        /// Byte offset of the field.
        offset: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A provider name that this build does not know.
    UnknownProvider(String),
    /// The content is well-formed but inconsistent (e.g. two instance types of a provider whose
    /// names are compared case-insensitively differ only in case).
    Invalid {
        /// What is inconsistent.
        reason: &'static str,
    },
}

impl fmt::Display for CatalogueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CatalogueError::TooShort { len } => {
                write!(f, "price catalogue too short ({len} bytes)")
            }
            CatalogueError::BadMagic => f.write_str("not a price catalogue (bad magic bytes)"),
            CatalogueError::UnsupportedVersion(v) => {
                write!(
                    f,
                    "unsupported price catalogue format version {v} (expected {VERSION})"
                )
            }
            CatalogueError::ChecksumMismatch => {
                f.write_str("price catalogue checksum mismatch (corrupt or truncated)")
            }
            CatalogueError::Truncated { offset } => {
                write!(f, "price catalogue truncated at byte {offset}")
            }
            CatalogueError::Malformed { offset, reason } => {
                write!(f, "malformed price catalogue at byte {offset}: {reason}")
            }
            CatalogueError::UnknownProvider(name) => {
                write!(f, "price catalogue names unknown provider {name:?}")
            }
            CatalogueError::Invalid { reason } => write!(f, "invalid price catalogue: {reason}"),
        }
    }
}

impl std::error::Error for CatalogueError {}

/// FNV-1a 64-bit hash (the trailing checksum).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// Decodes a zig-zag-decimal code into (negative, magnitude); `None` on overflow.
pub fn zigzag_decimal_decode(code: u64) -> Option<(bool, u64)> {
    let negative = code & 1 == 1;
    let n = code >> 1;
    let k = u32::try_from(n % 11).ok()?;
    let magnitude = (n / 11).checked_mul(10u64.checked_pow(k)?)?;
    Some((negative, magnitude))
}

/// One row of `instances.csv`, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawSpec {
    /// Virtual CPUs.
    pub vcpu: u32,
    /// Memory in 1/10 000 GiB.
    pub memory_units: u64,
    /// GPU count, `None` if the source did not say.
    pub gpu: Option<u32>,
    /// Architecture code (`ARCH_*`).
    pub arch: u8,
}

/// Everything stored for one provider, in file order.
#[derive(Debug, Clone, Default)]
pub struct RawProvider {
    /// Provider name (`aws`, `gcp`, `azure`).
    pub name: String,
    /// When the prices were current (free text, dates first).
    pub as_of: String,
    /// Where the prices and specs came from.
    pub source: String,
    /// Capacity codes present, strictly increasing.
    pub capacities: Vec<u8>,
    /// Region names, strictly increasing.
    pub regions: Vec<String>,
    /// Instance type names, strictly increasing.
    pub types: Vec<String>,
    /// Spec per type (same index as `types`).
    pub specs: Vec<Option<RawSpec>>,
    /// Row range of group `g = type * capacities.len() + capacity` is
    /// `group_starts[g]..group_starts[g + 1]`; length `types × capacities + 1`.
    pub group_starts: Vec<u32>,
    /// Region index per price row (strictly increasing within a group).
    pub row_regions: Vec<u16>,
    /// Price per row in 1e-10 USD per hour.
    pub row_units: Vec<u64>,
}

/// A decoded catalogue file.
#[derive(Debug, Clone, Default)]
pub struct RawCatalogue {
    /// A one-paragraph description of the whole catalogue.
    pub note: String,
    /// Per-provider tables, in file order.
    pub providers: Vec<RawProvider>,
}

/// Decodes and validates catalogue bytes. Never panics.
pub fn decode(bytes: &[u8]) -> Result<RawCatalogue, CatalogueError> {
    if bytes.len() < HEADER_LEN + CHECKSUM_LEN {
        return Err(CatalogueError::TooShort { len: bytes.len() });
    }
    if bytes[..MAGIC.len()] != MAGIC {
        return Err(CatalogueError::BadMagic);
    }
    let version = bytes[MAGIC.len()];
    if version != VERSION {
        return Err(CatalogueError::UnsupportedVersion(version));
    }
    let (content, checksum) = bytes.split_at(bytes.len() - CHECKSUM_LEN);
    let mut stored = [0u8; CHECKSUM_LEN];
    stored.copy_from_slice(checksum);
    if fnv1a64(content) != u64::from_le_bytes(stored) {
        return Err(CatalogueError::ChecksumMismatch);
    }
    let mut r = Reader {
        bytes: content,
        pos: HEADER_LEN,
    };
    let note = r.string()?;
    let provider_count = r.count(1)?;
    let mut providers: Vec<RawProvider> = Vec::with_capacity(provider_count);
    for _ in 0..provider_count {
        let at = r.pos;
        let provider = decode_provider(&mut r)?;
        if providers.iter().any(|p| p.name == provider.name) {
            return Err(r.malformed_at(at, "provider listed twice"));
        }
        providers.push(provider);
    }
    if r.pos != content.len() {
        return Err(r.malformed("trailing bytes after the last provider"));
    }
    Ok(RawCatalogue { note, providers })
}

fn decode_provider(r: &mut Reader<'_>) -> Result<RawProvider, CatalogueError> {
    let name = r.string()?;
    let as_of = r.string()?;
    let source = r.string()?;

    let capacity_count = usize::from(r.u8()?);
    let mut capacities = Vec::with_capacity(capacity_count);
    for _ in 0..capacity_count {
        let code = r.u8()?;
        if code > CAPACITY_SPOT {
            return Err(r.malformed("unknown capacity code"));
        }
        if capacities.last().is_some_and(|&last| last >= code) {
            return Err(r.malformed("capacity codes not strictly increasing"));
        }
        capacities.push(code);
    }

    let regions = r.sorted_strings()?;
    if regions.len() > usize::from(u16::MAX) {
        return Err(r.malformed("too many regions"));
    }
    let types = r.sorted_strings()?;

    let mut specs = Vec::with_capacity(types.len());
    for _ in 0..types.len() {
        specs.push(match r.u8()? {
            0 => None,
            1 => {
                let vcpu = u32::try_from(r.varint()?).map_err(|_| r.malformed("vcpu too large"))?;
                let memory_units = r.varint()?;
                let gpu = match r.varint()? {
                    0 => None,
                    n => Some(u32::try_from(n - 1).map_err(|_| r.malformed("gpu too large"))?),
                };
                let arch = r.u8()?;
                if arch > ARCH_ARM64 {
                    return Err(r.malformed("unknown architecture code"));
                }
                Some(RawSpec {
                    vcpu,
                    memory_units,
                    gpu,
                    arch,
                })
            }
            _ => return Err(r.malformed("unknown spec tag")),
        });
    }

    let row_count_at = r.pos;
    let row_count = r.count(1)?;
    if u32::try_from(row_count).is_err() {
        return Err(r.malformed_at(row_count_at, "too many price rows"));
    }
    let bitmap_len = regions.len().div_ceil(8);
    let group_count = types
        .len()
        .checked_mul(capacities.len())
        .ok_or_else(|| r.malformed("too many groups"))?;
    let bitmaps_len = group_count
        .checked_mul(bitmap_len)
        .ok_or_else(|| r.malformed("too many groups"))?;
    let bitmaps_at = r.pos;
    let bitmaps = r.take(bitmaps_len)?;
    let padding_mask: u8 = match regions.len() % 8 {
        0 => 0,
        used => 0xff << used,
    };
    let mut bits = 0usize;
    for bitmap in bitmaps.chunks_exact(bitmap_len.max(1)) {
        if bitmap.last().is_some_and(|&b| b & padding_mask != 0) {
            return Err(r.malformed_at(bitmaps_at, "region bitmap padding bits set"));
        }
        bits += bitmap
            .iter()
            .map(|b| b.count_ones() as usize)
            .sum::<usize>();
    }
    if bits != row_count {
        return Err(r.malformed_at(row_count_at, "row count does not match region bitmaps"));
    }

    let mut group_starts = Vec::with_capacity(group_count + 1);
    let mut row_regions = Vec::with_capacity(row_count);
    let mut row_units = Vec::with_capacity(row_count);
    group_starts.push(0u32);
    for bitmap in bitmaps.chunks_exact(bitmap_len.max(1)).take(group_count) {
        let mut previous: u64 = 0;
        for (byte_index, &byte) in bitmap.iter().enumerate() {
            for bit in 0..8 {
                if byte & (1 << bit) == 0 {
                    continue;
                }
                let (negative, magnitude) = zigzag_decimal_decode(r.varint()?)
                    .ok_or_else(|| r.malformed("price code overflows"))?;
                let units = if negative {
                    previous.checked_sub(magnitude)
                } else {
                    previous.checked_add(magnitude)
                }
                .filter(|&u| u <= MAX_PRICE_UNITS)
                .ok_or_else(|| r.malformed("price out of range"))?;
                previous = units;
                // Cannot fail: `regions.len() <= u16::MAX` and padding bits are zero.
                let region = u16::try_from(byte_index * 8 + bit)
                    .map_err(|_| r.malformed("region index too large"))?;
                row_regions.push(region);
                row_units.push(units);
            }
        }
        // Cannot fail: `row_count` fits in u32 and equals the number of set bits.
        group_starts
            .push(u32::try_from(row_units.len()).map_err(|_| r.malformed("too many price rows"))?);
    }
    // Bitmaps of zero length (no regions) still give one (empty) group per (type, capacity).
    while group_starts.len() < group_count + 1 {
        group_starts.push(0);
    }

    Ok(RawProvider {
        name,
        as_of,
        source,
        capacities,
        regions,
        types,
        specs,
        group_starts,
        row_regions,
        row_units,
    })
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn malformed(&self, reason: &'static str) -> CatalogueError {
        self.malformed_at(self.pos, reason)
    }

    fn malformed_at(&self, offset: usize, reason: &'static str) -> CatalogueError {
        CatalogueError::Malformed { offset, reason }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], CatalogueError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len())
            .ok_or(CatalogueError::Truncated {
                offset: self.bytes.len(),
            })?;
        let slice = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    fn u8(&mut self) -> Result<u8, CatalogueError> {
        Ok(self.take(1)?[0])
    }

    fn varint(&mut self) -> Result<u64, CatalogueError> {
        let start = self.pos;
        let mut value: u64 = 0;
        for shift in (0..64).step_by(7) {
            let byte = self.u8()?;
            let low = u64::from(byte & 0x7f);
            if shift == 63 && low > 1 {
                return Err(self.malformed_at(start, "varint overflows 64 bits"));
            }
            value |= low << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(self.malformed_at(start, "varint longer than 10 bytes"))
    }

    /// A count of items that each take at least `min_item_len` bytes (bounds allocations).
    fn count(&mut self, min_item_len: usize) -> Result<usize, CatalogueError> {
        let at = self.pos;
        let n = usize::try_from(self.varint()?)
            .map_err(|_| self.malformed_at(at, "count too large"))?;
        let remaining = self.bytes.len() - self.pos;
        if n.checked_mul(min_item_len)
            .is_none_or(|need| need > remaining)
        {
            return Err(self.malformed_at(at, "count exceeds remaining bytes"));
        }
        Ok(n)
    }

    fn len(&mut self) -> Result<usize, CatalogueError> {
        self.count(1)
    }

    fn string(&mut self) -> Result<String, CatalogueError> {
        let len = self.len()?;
        let at = self.pos;
        let bytes = self.take(len)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| self.malformed_at(at, "invalid UTF-8"))
    }

    /// A count-prefixed list of front-coded, strictly increasing strings.
    fn sorted_strings(&mut self) -> Result<Vec<String>, CatalogueError> {
        let n = self.count(2)?;
        let mut out: Vec<String> = Vec::with_capacity(n);
        let mut previous: Vec<u8> = Vec::new();
        for _ in 0..n {
            let at = self.pos;
            let shared = self.len()?;
            if shared > previous.len() {
                return Err(self.malformed_at(at, "shared prefix longer than previous string"));
            }
            let suffix_len = self.len()?;
            let suffix = self.take(suffix_len)?;
            let mut bytes = previous[..shared].to_vec();
            bytes.extend_from_slice(suffix);
            if !out.is_empty() && bytes <= previous {
                return Err(self.malformed_at(at, "names not strictly increasing"));
            }
            let text = String::from_utf8(bytes.clone())
                .map_err(|_| self.malformed_at(at, "invalid UTF-8"))?;
            out.push(text);
            previous = bytes;
        }
        Ok(out)
    }
}
