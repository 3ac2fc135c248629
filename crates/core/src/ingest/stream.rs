//! Streaming JSON ingest: an input read chunk by chunk, never held whole.
//!
//! [`StreamIngest`] is a push parser (sans-IO: the shell feeds the bytes as they arrive, in
//! chunks split anywhere, inside strings, escapes or UTF-8 characters). A small scanner tracks
//! strings, escapes and nesting, finds each element of a top-level list's `items` array, each
//! element of a bare top-level array and each top-level object document, buffers only that
//! value's bytes, and walks it with the same serde machinery as the whole-input path
//! (`walk.rs`, borrowed from the buffer) into the same [`Collector`]. Memory: the largest
//! value plus a chunk, plus the items of a list whose `kind` comes after `items` and that
//! have no `kind` of their own (kept as bytes until the list's kind is known, as today).
//!
//! Everything else (the list's own keys, separators, the text around the documents) goes to
//! a small *skeleton*: the input's text with each streamed value replaced by `[]` and the
//! runs of `[], ` between items folded away. At the end the skeleton is parsed by the
//! whole-input path's `json::parse`, whose located errors map back to the input's lines and
//! columns through the skeleton's segments; an error inside a streamed value is located by
//! offsetting its local position by the value's start. Errors come from
//! [`StreamIngest::finish`], as the whole-input path gives them (an invalid UTF-8 byte
//! anywhere wins over a syntax error before it, as there).
//!
//! Read whole at the end instead (the whole-input path, exactly): YAML, UTF-16, text whose
//! start is not told within its first 64 KiB, JSON that starts like YAML flow syntax
//! (`{kind: Node}`), and JSON in which nothing was streamed. The whole-input path reads JSON
//! with a syntax error in its first document again as YAML flow syntax only when this reader
//! would have read it whole ([`would_stream`]), so the two agree on every input.

use super::collect::Collector;
use super::error::{IngestError, IngestErrorKind, Locate};
use super::raw::Text;
use super::walk::{FlatObject, Walker, list_item_kind};
use super::{
    IngestOptions, Input, Read, ReadInput, detect, ingest_read, invalid_utf8, is_utf16, json,
    read_whole, skipped_warning,
};
use crate::cluster::{Cluster, InputFormat};

/// The chunk size the shells read with (1 MiB).
pub const CHUNK_BYTES: usize = 1 << 20;

/// The start of the content must be told within this many bytes, else the input is read whole.
const HEAD_LIMIT: usize = 64 * 1024;

/// What a streamed value is in the skeleton.
const PLACEHOLDER: &[u8] = b"[]";

/// A place in the input: byte offset, 1-based line, characters since the line's start and how
/// many of them are trailing `\r` (which [`super::error::line_col`] does not count).
#[derive(Debug, Clone, Copy)]
struct Pos {
    offset: usize,
    line: usize,
    chars: usize,
    crs: usize,
}

impl Pos {
    const START: Pos = Pos {
        offset: 0,
        line: 1,
        chars: 0,
        crs: 0,
    };

    /// Moves past `bytes` (UTF-8, possibly split inside a character).
    fn advance(&mut self, bytes: &[u8]) {
        self.offset += bytes.len();
        let newlines = count_newlines(bytes);
        let tail = if newlines > 0 {
            self.line += newlines;
            self.chars = 0;
            self.crs = 0;
            let last = bytes.iter().rposition(|&b| b == b'\n').unwrap_or(0);
            &bytes[last + 1..]
        } else {
            bytes
        };
        // Every byte but UTF-8 continuation bytes starts a character.
        self.chars += tail.iter().filter(|&&b| (b as i8) >= -0x40).count();
        let crs = tail.iter().rev().take_while(|&&b| b == b'\r').count();
        self.crs = if crs == tail.len() {
            self.crs + crs
        } else {
            crs
        };
    }

    fn advanced(mut self, bytes: &[u8]) -> Pos {
        self.advance(bytes);
        self
    }

    fn line_col(self) -> (usize, usize) {
        (self.line, self.chars - self.crs + 1)
    }
}

/// `offset` moved back to a character boundary of `text`.
fn boundary(text: &str, offset: usize) -> usize {
    let mut o = offset.min(text.len());
    while !text.is_char_boundary(o) {
        o -= 1;
    }
    o
}

/// A run of the skeleton: from skeleton byte `at`, the input's text from `pos` on, or (with
/// `first`) a streamed value that started at `pos` with the character `first`.
#[derive(Debug, Clone, Copy)]
struct Seg {
    at: usize,
    pos: Pos,
    first: Option<char>,
}

/// Places the skeleton's offsets in the input.
struct SkelLoc<'a> {
    segs: &'a [Seg],
}

impl SkelLoc<'_> {
    fn seg(&self, offset: usize) -> Seg {
        let i = self.segs.partition_point(|s| s.at <= offset);
        self.segs[i.saturating_sub(1)]
    }

    fn pos(&self, text: &str, offset: usize) -> Pos {
        let o = boundary(text, offset);
        let seg = self.seg(o);
        if seg.first.is_some() {
            return seg.pos;
        }
        seg.pos.advanced(&text.as_bytes()[seg.at.min(o)..o])
    }
}

impl Locate for SkelLoc<'_> {
    fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        self.pos(text, offset).line_col()
    }

    fn char_at(&self, text: &str, offset: usize) -> Option<char> {
        let o = boundary(text, offset);
        let seg = self.seg(o);
        match seg.first {
            Some(c) if seg.at == o => Some(c),
            _ => text.get(o..).and_then(|r| r.chars().next()),
        }
    }
}

/// Places a streamed value's offsets in the input.
struct ValueLoc {
    start: Pos,
}

impl Locate for ValueLoc {
    fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let o = boundary(text, offset);
        self.start.advanced(&text.as_bytes()[..o]).line_col()
    }

    fn char_at(&self, text: &str, offset: usize) -> Option<char> {
        text.get(boundary(text, offset)..)
            .and_then(|r| r.chars().next())
    }
}

/// Nesting, string and escape state of the value being scanned.
#[derive(Debug, Default)]
struct Scan {
    depth: usize,
    in_str: bool,
    esc: bool,
}

impl Scan {
    /// Scans `bytes` until the nesting falls to `floor`: the bytes used, or `None` when all
    /// were used and the value goes on.
    fn skim(&mut self, bytes: &[u8], floor: usize) -> Option<usize> {
        let mut i = 0;
        while i < bytes.len() {
            if self.in_str {
                match self.string_end(&bytes[i..]) {
                    Some(n) => i += n,
                    None => return None,
                }
                continue;
            }
            // Whitespace, numbers and literals between the structural bytes, eight at a time.
            i += next_structural(&bytes[i..]);
            if i >= bytes.len() {
                return None;
            }
            match bytes[i] {
                b'"' => self.in_str = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => {
                    self.depth = self.depth.saturating_sub(1);
                    if self.depth <= floor {
                        return Some(i + 1);
                    }
                }
                _ => {}
            }
            i += 1;
        }
        None
    }

    /// Inside a string: the bytes up to and with its closing quote, or `None` when all were used.
    fn string_end(&mut self, bytes: &[u8]) -> Option<usize> {
        let mut i = 0;
        loop {
            if self.esc {
                if i >= bytes.len() {
                    return None;
                }
                self.esc = false;
                i += 1;
            }
            let j = memchr::memchr2(b'"', b'\\', &bytes[i..])?;
            i += j;
            if bytes[i] == b'"' {
                self.in_str = false;
                return Some(i + 1);
            }
            self.esc = true;
            i += 1;
        }
    }
}

/// The part of a chunk that is valid UTF-8: from its first character boundary (a chunk may start
/// inside a character split by the one before) to its first byte that is not UTF-8 or its end.
struct ValidText<'c> {
    start: usize,
    text: &'c str,
}

impl<'c> ValidText<'c> {
    fn of(chunk: &'c [u8]) -> ValidText<'c> {
        let start = chunk
            .iter()
            .take(3)
            .take_while(|&&b| (b as i8) < -0x40)
            .count();
        let text = match std::str::from_utf8(&chunk[start..]) {
            Ok(t) => t,
            Err(e) => std::str::from_utf8(&chunk[start..start + e.valid_up_to()]).unwrap_or(""),
        };
        ValidText { start, text }
    }

    /// The text from chunk offset `i` on, if `i` is a character boundary in it.
    fn from(&self, i: usize) -> Option<&'c str> {
        self.text.get(i.checked_sub(self.start)?..)
    }
}

/// `0x0101…01`: a byte of ones in every lane of a `u64`.
const LANES: u64 = u64::from_le_bytes([1; 8]);

/// Lanes of `v` that are zero have their top bit set in the result; lanes above the first zero
/// lane may be set too (a borrow), so only the lowest set lane is exact.
fn zero_lanes(v: u64) -> u64 {
    v.wrapping_sub(LANES) & !v & (LANES << 7)
}

/// How many bytes of `bytes` come before the first `"`, `{`, `}`, `[` or `]` (all of them when
/// there is none). Eight bytes at a time: `[` and `]` differ from `{` and `}` in bit 5 only.
fn next_structural(bytes: &[u8]) -> usize {
    let mut i = 0;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let w = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let folded = w | (LANES * 0x20);
        let hits = zero_lanes(w ^ (LANES * u64::from(b'"')))
            | zero_lanes(folded ^ (LANES * u64::from(b'{')))
            | zero_lanes(folded ^ (LANES * u64::from(b'}')));
        if hits != 0 {
            return i + (hits.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i + bytes[i..]
        .iter()
        .position(|b| matches!(b, b'"' | b'{' | b'}' | b'[' | b']'))
        .unwrap_or(bytes.len() - i)
}

/// How many bytes of `bytes` are `\n`. Natively in blocks of 255 bytes, each counted into
/// one byte, which LLVM turns into vector compares and subtractions (16 or 32 bytes a step:
/// the count was 5% of a streamed analysis eight bytes at a time); in wasm32, which the worker
/// builds without SIMD, eight at a time in a `u64`.
fn count_newlines(bytes: &[u8]) -> usize {
    #[cfg(not(target_arch = "wasm32"))]
    {
        bytes
            .chunks(255)
            .map(|block| {
                let n = block
                    .iter()
                    .fold(0u8, |n, &b| n.wrapping_add(u8::from(b == b'\n')));
                usize::from(n)
            })
            .sum()
    }
    #[cfg(target_arch = "wasm32")]
    {
        count_newlines_swar(bytes)
    }
}

/// [`count_newlines`] eight bytes at a time.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn count_newlines_swar(bytes: &[u8]) -> usize {
    let mut chunks = bytes.chunks_exact(8);
    let mut n = 0;
    for chunk in &mut chunks {
        let w = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let x = w ^ (LANES * u64::from(b'\n'));
        // Exact per lane (no borrow): the top bit of each lane is set when the lane is zero.
        let nonzero =
            ((x & !(LANES << 7)).wrapping_add(!(LANES << 7) & (LANES * 0x7f)) | x) & (LANES << 7);
        n += 8 - nonzero.count_ones() as usize;
    }
    n + chunks.remainder().iter().filter(|&&b| b == b'\n').count()
}

/// Where the key tracking of a top-level object is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum KeyAt {
    /// Before a key (or the end).
    #[default]
    Key,
    /// In a key's string.
    InKey,
    /// After a key, before `:`.
    Colon,
    /// Before a value.
    Value,
    /// In a string value.
    InString,
    /// After a value (or in a number or literal).
    After,
}

/// What a byte at the top-level object's own level meant.
enum KeyStep {
    Go,
    /// A nested value starts.
    Nested,
    /// The `[` of `items` starts.
    Items,
    /// The object ends.
    End,
}

/// The top-level object's keys: which key a value belongs to, and the latest `kind`.
#[derive(Debug, Default)]
struct Keys {
    at: KeyAt,
    esc: bool,
    key: Vec<u8>,
    kind_raw: Vec<u8>,
    in_kind: bool,
    /// The object's `kind` as read so far (as the walker reads it: the latest, capped).
    kind: Option<String>,
}

/// The longest key kept for comparing (`items` spelled with escapes fits).
const MAX_KEY: usize = 64;

/// True when the raw (JSON-escaped) key `raw` is `want`.
fn key_is(raw: &[u8], want: &str) -> bool {
    if !raw.contains(&b'\\') {
        return raw == want.as_bytes();
    }
    let mut quoted = Vec::with_capacity(raw.len() + 2);
    quoted.push(b'"');
    quoted.extend_from_slice(raw);
    quoted.push(b'"');
    serde_json::from_slice::<String>(&quoted).is_ok_and(|k| k == want)
}

impl Keys {
    fn step(&mut self, b: u8) -> KeyStep {
        let ws = matches!(b, b' ' | b'\t' | b'\n' | b'\r');
        match self.at {
            KeyAt::InKey | KeyAt::InString => {
                let in_key = self.at == KeyAt::InKey;
                if !self.esc && b == b'"' {
                    if in_key {
                        self.at = KeyAt::Colon;
                    } else {
                        if self.in_kind {
                            self.kind = self.decode_kind();
                        }
                        self.at = KeyAt::After;
                    }
                    return KeyStep::Go;
                }
                self.esc = !self.esc && b == b'\\';
                if in_key && self.key.len() <= MAX_KEY {
                    self.key.push(b);
                } else if !in_key && self.in_kind {
                    self.kind_raw.push(b);
                }
            }
            KeyAt::Key | KeyAt::After if b == b'}' => return KeyStep::End,
            KeyAt::Key if b == b'"' => {
                self.key.clear();
                self.esc = false;
                self.at = KeyAt::InKey;
            }
            KeyAt::After if b == b',' => self.at = KeyAt::Key,
            KeyAt::Colon if b == b':' => self.at = KeyAt::Value,
            KeyAt::Value if ws => {}
            KeyAt::Value => {
                let kind = key_is(&self.key, "kind");
                self.in_kind = kind && b == b'"';
                if kind && b != b'"' {
                    self.kind = None;
                }
                self.at = KeyAt::After;
                match b {
                    b'[' if key_is(&self.key, "items") => return KeyStep::Items,
                    b'{' | b'[' => return KeyStep::Nested,
                    b'"' => {
                        self.kind_raw.clear();
                        self.esc = false;
                        self.at = KeyAt::InString;
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        KeyStep::Go
    }

    fn decode_kind(&self) -> Option<String> {
        let mut quoted = Vec::with_capacity(self.kind_raw.len() + 2);
        quoted.push(b'"');
        quoted.extend_from_slice(&self.kind_raw);
        quoted.push(b'"');
        serde_json::from_slice::<Text<'_>>(&quoted)
            .ok()
            .map(|t| t.as_str().to_owned())
    }
}

/// Where the scanner is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    /// Between top-level documents.
    Between,
    /// In a top-level object: buffered as one value until it shows an `items` array, then in
    /// the skeleton.
    Object,
    /// At the element level of `items` or of a bare top-level array (the skeleton).
    Elements,
    /// In a string element (the skeleton).
    ElementString,
    /// In a streamed element.
    Item,
    /// After the documents: the rest is text for the skeleton.
    Tail,
}

/// An input that could not be read: the error, and whether it is about UTF-8 (at `offset`).
struct Failed {
    error: IngestError,
    utf8_at: Option<usize>,
    /// UTF-8 check of the rest of the input.
    rest: Utf8Rest,
}

/// Checks the UTF-8 of the input after a failure (the first bad byte wins over any error).
struct Utf8Rest {
    carry: Vec<u8>,
    pos: Pos,
    bad: Option<(Pos, u8)>,
}

impl Utf8Rest {
    fn feed(&mut self, chunk: &[u8]) {
        if self.bad.is_some() {
            return;
        }
        let mut buf = std::mem::take(&mut self.carry);
        buf.extend_from_slice(chunk);
        match std::str::from_utf8(&buf) {
            Ok(_) => self.pos.advance(&buf),
            Err(e) => {
                let valid = e.valid_up_to();
                let at = self.pos.advanced(&buf[..valid]);
                if e.error_len().is_none() {
                    self.pos = at;
                    self.carry = buf[valid..].to_vec();
                } else {
                    self.bad = Some((at, buf[valid]));
                }
            }
        }
    }

    fn finish(&mut self) {
        if self.bad.is_none()
            && let Some(&b) = self.carry.first()
        {
            self.bad = Some((self.pos, b));
        }
    }
}

/// The streaming state of a JSON input.
struct Streamer<'o> {
    name: String,
    options: &'o IngestOptions,
    out: Collector<'o>,
    /// Where the content starts (detect's offset, in the skeleton, which starts with the input's
    /// first bytes) and what was skipped before it.
    start: usize,
    head_skipped: Vec<String>,
    skel: Vec<u8>,
    segs: Vec<Seg>,
    /// The input's place of the next byte not yet in the skeleton or a finished value.
    pos: Pos,
    at: At,
    scan: Scan,
    keys: Keys,
    /// The top-level object shows an `items` array (its bytes go to the skeleton).
    list: bool,
    /// The elements are those of a bare top-level array.
    bare: bool,
    /// The kind of the current list's items, from a `kind` before `items`.
    item_kind: Option<String>,
    value: Vec<u8>,
    value_start: Pos,
    /// Items without a kind, waiting for their list's (their bytes).
    pending: Vec<Vec<u8>>,
    /// The skeleton offset and segment index of the last item's / document's placeholder.
    last_item: Option<(usize, usize)>,
    last_doc: Option<(usize, usize)>,
    folded_docs: usize,
    /// Values streamed.
    cuts: usize,
    unrecognised: Vec<((usize, usize), Vec<String>)>,
    failed: Option<Box<Failed>>,
    high_water: usize,
}

impl<'o> Streamer<'o> {
    fn new(
        name: &str,
        options: &'o IngestOptions,
        head: &[u8],
        start: usize,
        doc: usize,
        skipped: Vec<String>,
    ) -> Self {
        let mut s = Streamer {
            name: name.to_owned(),
            options,
            out: Collector::new(options),
            start,
            head_skipped: skipped,
            skel: Vec::new(),
            segs: vec![Seg {
                at: 0,
                pos: Pos::START,
                first: None,
            }],
            pos: Pos::START,
            at: At::Between,
            scan: Scan::default(),
            keys: Keys::default(),
            list: false,
            bare: false,
            item_kind: None,
            value: Vec::new(),
            value_start: Pos::START,
            pending: Vec::new(),
            last_item: None,
            last_doc: None,
            folded_docs: 0,
            cuts: 0,
            unrecognised: Vec::new(),
            failed: None,
            high_water: 0,
        };
        s.push_skel(&head[..doc]);
        s.feed(&head[doc..]);
        s
    }

    fn held(&self) -> usize {
        self.skel.len()
            + self.value.len()
            + self.pending.iter().map(Vec::len).sum::<usize>()
            + self.failed.as_ref().map_or(0, |f| f.rest.carry.len())
    }

    fn note_high_water(&mut self) {
        self.high_water = self.high_water.max(self.held());
    }

    fn push_skel(&mut self, bytes: &[u8]) {
        self.skel.extend_from_slice(bytes);
        self.pos.advance(bytes);
    }

    fn feed(&mut self, chunk: &[u8]) {
        let text = ValidText::of(chunk);
        let mut i = 0;
        while i < chunk.len() {
            if let Some(f) = &mut self.failed {
                f.rest.feed(&chunk[i..]);
                break;
            }
            let rest = &chunk[i..];
            i += match self.at {
                At::Between => self.between(rest),
                At::Object => self.object(rest),
                At::Elements => self.elements(rest, |j| text.from(i + j)),
                At::ElementString => match self.scan.string_end(rest) {
                    Some(n) => {
                        self.push_skel(&rest[..n]);
                        self.at = At::Elements;
                        n
                    }
                    None => {
                        self.push_skel(rest);
                        rest.len()
                    }
                },
                At::Item => match self.scan.skim(rest, 0) {
                    Some(n) => {
                        self.value.extend_from_slice(&rest[..n]);
                        self.item_done();
                        n
                    }
                    None => {
                        self.value.extend_from_slice(rest);
                        rest.len()
                    }
                },
                At::Tail => {
                    self.push_skel(rest);
                    rest.len()
                }
            };
        }
        self.note_high_water();
    }

    /// Between documents: whitespace, then a document or the tail.
    fn between(&mut self, rest: &[u8]) -> usize {
        let n = rest
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            .unwrap_or(rest.len());
        self.push_skel(&rest[..n]);
        match rest.get(n) {
            None => n,
            Some(b'{') => {
                self.at = At::Object;
                self.list = false;
                self.keys = Keys::default();
                self.scan = Scan {
                    depth: 1,
                    ..Scan::default()
                };
                self.value.clear();
                self.value.push(b'{');
                self.value_start = self.pos;
                n + 1
            }
            Some(b'[') => {
                self.push_skel(b"[");
                self.last_doc = None;
                self.at = At::Elements;
                self.bare = true;
                self.item_kind = None;
                n + 1
            }
            Some(_) => {
                self.at = At::Tail;
                n
            }
        }
    }

    /// In a top-level object.
    fn object(&mut self, rest: &[u8]) -> usize {
        let mut i = 0;
        while i < rest.len() {
            if self.scan.depth > 1 {
                let (n, done) = match self.scan.skim(&rest[i..], 1) {
                    Some(n) => (n, true),
                    None => (rest.len() - i, false),
                };
                self.object_bytes(&rest[i..i + n]);
                i += n;
                if !done {
                    return i;
                }
                continue;
            }
            let b = rest[i];
            self.object_bytes(&rest[i..=i]);
            i += 1;
            match self.keys.step(b) {
                KeyStep::Go => {}
                KeyStep::Nested => self.scan.depth = 2,
                KeyStep::Items => {
                    self.items_start();
                    return i;
                }
                KeyStep::End => {
                    self.object_end();
                    return i;
                }
            }
        }
        i
    }

    fn object_bytes(&mut self, bytes: &[u8]) {
        if self.list {
            self.push_skel(bytes);
        } else {
            self.value.extend_from_slice(bytes);
        }
    }

    /// The `[` of a top-level `items` was read.
    fn items_start(&mut self) {
        if !self.list {
            let prefix = std::mem::take(&mut self.value);
            self.push_skel(&prefix);
            self.list = true;
            self.last_doc = None;
        }
        self.item_kind = self
            .keys
            .kind
            .as_deref()
            .and_then(list_item_kind)
            .map(str::to_owned);
        self.at = At::Elements;
        self.bare = false;
    }

    /// The top-level object closed.
    fn object_end(&mut self) {
        self.scan = Scan::default();
        self.at = At::Between;
        if self.list {
            let kind = self.keys.kind.as_deref().and_then(list_item_kind);
            self.resolve_pending(kind.map(str::to_owned).as_deref());
            self.last_doc = None;
        } else {
            self.document_done();
        }
    }

    /// At the element level of an array. `text(i)` is the chunk's text from `rest[i]` on, as
    /// far as it is valid UTF-8.
    fn elements<'t>(&mut self, rest: &[u8], text: impl Fn(usize) -> Option<&'t str>) -> usize {
        for (i, &b) in rest.iter().enumerate() {
            match b {
                b'{' | b'[' => {
                    self.push_skel(&rest[..i]);
                    self.value.clear();
                    self.value_start = self.pos;
                    if b == b'{'
                        && let Some(n) = text(i).and_then(|t| self.item_in_place(t))
                    {
                        return i + n;
                    }
                    self.scan = Scan::default();
                    self.at = At::Item;
                    return i;
                }
                b']' => {
                    self.push_skel(&rest[..=i]);
                    self.last_item = None;
                    if self.bare {
                        self.resolve_pending(None);
                        self.last_doc = None;
                        self.at = At::Between;
                    } else {
                        self.at = At::Object;
                        self.keys.at = KeyAt::After;
                        self.scan = Scan {
                            depth: 1,
                            ..Scan::default()
                        };
                    }
                    return i + 1;
                }
                b'"' => {
                    self.push_skel(&rest[..=i]);
                    self.scan = Scan {
                        in_str: true,
                        ..Scan::default()
                    };
                    self.at = At::ElementString;
                    return i + 1;
                }
                _ => {}
            }
        }
        self.push_skel(rest);
        rest.len()
    }

    /// Walks the value just read (an item, or a document of its own): whether it waits for
    /// its list's kind (items) and its keys when it is no Kubernetes object (documents); on
    /// failure, the reader has failed and `None` is returned.
    fn walk_value(&mut self, document: bool) -> Option<(bool, Option<Vec<String>>)> {
        let start = self.value_start;
        let text = match std::str::from_utf8(&self.value) {
            Ok(t) => t,
            Err(e) => {
                let valid = e.valid_up_to();
                let at = start.advanced(&self.value[..valid]);
                let byte = self.value.get(valid).copied().unwrap_or(0);
                let error = invalid_utf8(&self.name, at.line_col(), byte);
                self.fail(error, Some(at.offset));
                self.place(document);
                return None;
            }
        };
        let mut de = serde_json::Deserializer::from_str(text);
        let mut walker = Walker::new(&mut self.out);
        let walked = if document {
            walker.walk(&mut de)
        } else {
            walker.walk_item(&mut de, self.item_kind.as_deref())
        }
        .and_then(|()| de.end());
        let pending = walker.has_pending();
        let unrecognised = walker.unrecognised.take();
        drop(walker);
        match walked {
            Ok(()) => Some((pending, unrecognised)),
            Err(e) => {
                let f = json::failure(&self.name, text, 0, &e, false, &ValueLoc { start });
                self.fail(f.error, None);
                // Its placeholder ends the skeleton, so that an error before it (a missing
                // comma) is found first, as the whole-input path finds it.
                self.place(document);
                None
            }
        }
    }

    fn fail(&mut self, error: IngestError, utf8_at: Option<usize>) {
        let pos = self.value_start.advanced(&self.value);
        self.failed = Some(Box::new(Failed {
            error,
            utf8_at,
            rest: Utf8Rest {
                carry: Vec::new(),
                pos,
                bad: None,
            },
        }));
    }

    /// Reads the object element at the start of `text` where it lies, without scanning or
    /// copying it first: the common case of an item that ends in the chunk being fed. Returns
    /// its length, or `None` having changed nothing when it does not end within `text` (the
    /// chunk's end, or bytes that are not UTF-8), is not valid JSON, or holds a list of its own:
    /// the scanner then reads it as before, and any error comes from there, located as always.
    ///
    /// Nothing is collected from an object before its closing brace has been read (the walker
    /// converts an object once it has all of it), and a list inside the item stops the walk
    /// before any of its elements is collected, so a failed attempt leaves no trace.
    fn item_in_place(&mut self, text: &str) -> Option<usize> {
        let mut items = serde_json::Deserializer::from_str(text).into_iter::<FlatObject<'_>>();
        let FlatObject(obj) = items.next()?.ok()?;
        let value = &text.as_bytes()[..items.byte_offset()];
        let mut walker = Walker::new(&mut self.out);
        walker.collect_item(obj, self.item_kind.as_deref());
        let pending = walker.has_pending();
        drop(walker);
        if pending {
            self.pending.push(value.to_vec());
        }
        self.place_value(false, value);
        Some(value.len())
    }

    /// An element of `items` (or of a bare array) was read whole.
    fn item_done(&mut self) {
        self.high_water = self.high_water.max(self.held());
        let Some((pending, _)) = self.walk_value(false) else {
            return;
        };
        if pending {
            self.pending.push(self.value.clone());
        }
        self.place(false);
        self.at = At::Elements;
    }

    /// A top-level object without `items` was read whole: a document of its own.
    fn document_done(&mut self) {
        self.high_water = self.high_water.max(self.held());
        let Some((_, unrecognised)) = self.walk_value(true) else {
            return;
        };
        if let Some(keys) = unrecognised {
            self.unrecognised.push((self.value_start.line_col(), keys));
        }
        self.place(true);
    }

    /// Puts the placeholder of the value just read into the skeleton, folding away the one
    /// before it when only a separator lies between them.
    fn place(&mut self, document: bool) {
        let mut value = std::mem::take(&mut self.value);
        self.place_value(document, &value);
        value.clear();
        self.value = value;
    }

    /// [`Self::place`] for a value read from `value`.
    fn place_value(&mut self, document: bool, value: &[u8]) {
        let last = if document {
            self.last_doc
        } else {
            self.last_item
        };
        if let Some((at, seg)) = last {
            let between = &self.skel[at + PLACEHOLDER.len()..];
            let ws = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
            let commas = between.iter().filter(|&&b| b == b',').count();
            let foldable =
                between.iter().all(|b| ws(b) || *b == b',') && commas == usize::from(!document);
            if foldable {
                self.skel.truncate(at);
                self.segs.truncate(seg);
                if document {
                    self.folded_docs += 1;
                }
            }
        }
        if self
            .segs
            .last()
            .is_some_and(|s| s.first.is_none() && s.at == self.skel.len())
        {
            self.segs.pop();
        }
        let mark = (self.skel.len(), self.segs.len());
        self.segs.push(Seg {
            at: self.skel.len(),
            pos: self.value_start,
            first: Some(char::from(value.first().copied().unwrap_or(b'{'))),
        });
        self.skel.extend_from_slice(PLACEHOLDER);
        self.pos = self.value_start.advanced(value);
        self.segs.push(Seg {
            at: self.skel.len(),
            pos: self.pos,
            first: None,
        });
        if document {
            self.last_doc = Some(mark);
        } else {
            self.last_item = Some(mark);
        }
        self.cuts += 1;
    }

    /// Converts the items that waited for their list's kind.
    fn resolve_pending(&mut self, item_kind: Option<&str>) {
        for bytes in std::mem::take(&mut self.pending) {
            let Ok(text) = std::str::from_utf8(&bytes) else {
                continue;
            };
            let mut de = serde_json::Deserializer::from_str(text);
            let mut walker = Walker::new(&mut self.out);
            if walker.walk_item(&mut de, item_kind).is_ok() {
                walker.flush_pending(None);
            }
        }
    }

    fn finish(mut self) -> Result<ReadInput<'o>, IngestError> {
        let failed = self.failed.take();
        if failed.is_none() && (self.at == At::Item || self.at == At::Object && !self.list) {
            // The value being read when the input ended: text, for the skeleton's error.
            let value = std::mem::take(&mut self.value);
            self.pos = self.value_start;
            self.push_skel(&value);
        }
        if let Some(e) = self.utf8_error(failed.as_deref()) {
            return Err(e);
        }
        let Ok(text) = std::str::from_utf8(&self.skel) else {
            // Checked by `utf8_error`.
            return Err(invalid_utf8(&self.name, (1, 1), 0));
        };
        if self.cuts == 0 && failed.is_none() {
            // Nothing was streamed: the skeleton is the input.
            return read_whole(&Input::new(&self.name, text.as_bytes()), self.options);
        }
        let mut scratch = Collector::new(self.options);
        let loc = SkelLoc { segs: &self.segs };
        let parsed = json::parse(&self.name, text, self.start, &mut scratch, &loc);
        if let Some(f) = failed {
            return Err(match parsed {
                Err(p) if p.error.kind != IngestErrorKind::Truncated => p.error,
                _ => f.error,
            });
        }
        let parsed = parsed.map_err(|f| f.error)?;
        let mut warnings = Vec::new();
        if !self.head_skipped.is_empty() {
            warnings.push(skipped_warning(&self.name, &self.head_skipped));
        }
        if !parsed.skipped.is_empty() {
            warnings.push(skipped_warning(&self.name, &parsed.skipped));
        }
        let mut unrecognised = std::mem::take(&mut self.unrecognised);
        unrecognised.extend(parsed.unrecognised);
        unrecognised.sort_by_key(|(at, _)| *at);
        Read {
            out: self.out,
            format: InputFormat::Json,
            documents: parsed.documents + self.folded_docs,
            unrecognised,
            warnings,
        }
        .finish(&self.name)
    }

    /// The first byte of the input that is not UTF-8, as an error.
    fn utf8_error(&self, failed: Option<&Failed>) -> Option<IngestError> {
        let mut found: Vec<(usize, IngestError)> = Vec::new();
        if let Err(e) = std::str::from_utf8(&self.skel) {
            let valid = e.valid_up_to();
            // The valid prefix locates the byte as the whole-input path does.
            let prefix = std::str::from_utf8(&self.skel[..valid]).unwrap_or("");
            let pos = SkelLoc { segs: &self.segs }.pos(prefix, valid);
            let byte = self.skel.get(valid).copied().unwrap_or(0);
            found.push((pos.offset, invalid_utf8(&self.name, pos.line_col(), byte)));
        }
        if let Some(f) = failed {
            if let Some(at) = f.utf8_at {
                found.push((at, f.error.clone()));
            }
            let mut rest = Utf8Rest {
                carry: f.rest.carry.clone(),
                pos: f.rest.pos,
                bad: f.rest.bad,
            };
            rest.finish();
            if let Some((pos, byte)) = rest.bad {
                found.push((pos.offset, invalid_utf8(&self.name, pos.line_col(), byte)));
            }
        }
        found.into_iter().min_by_key(|(at, _)| *at).map(|(_, e)| e)
    }
}

/// How the first document starts, from the head: `Some(Ok(offset))` of the document (after a
/// stray `{`), `Some(Err(()))` when it does not look like JSON objects (read whole), `None`
/// when more bytes are needed.
fn first_document(bytes: &[u8], offset: usize) -> Option<Result<usize, ()>> {
    let next = |from: usize| {
        bytes
            .get(from..)?
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            .map(|i| from + i)
    };
    let object_start = |at: usize| -> Option<bool> {
        let n = next(at + 1)?;
        Some(matches!(bytes[n], b'"' | b'}'))
    };
    let n = next(offset + 1)?;
    let ok = match (bytes[offset], bytes[n]) {
        (b'{', b'"' | b'}') | (b'[', b']') => Some(offset),
        (b'{', b'{') => object_start(n)?.then_some(n),
        (b'[', b'{') => object_start(n)?.then_some(offset),
        _ => None,
    };
    Some(ok.ok_or(()))
}

/// True when [`StreamIngest`] streams the whole input `bytes` (rather than reading it whole at
/// the end): the whole-input path reads such JSON only as JSON, never again as YAML.
pub(crate) fn would_stream(bytes: &[u8]) -> bool {
    matches!(decide(bytes, true), Decision::Stream { .. })
}

/// What the first bytes of an input say about reading it.
enum Decision {
    Wait,
    Whole,
    Stream {
        start: usize,
        doc: usize,
        skipped: Vec<String>,
    },
}

/// The decision looks at the first [`HEAD_LIMIT`] bytes only, so that it does not depend on how
/// the input was split into chunks.
fn decide(head: &[u8], at_end: bool) -> Decision {
    let at_end = at_end && head.len() <= HEAD_LIMIT;
    let head = &head[..head.len().min(HEAD_LIMIT)];
    let undecided = if at_end || head.len() >= HEAD_LIMIT {
        Decision::Whole
    } else {
        Decision::Wait
    };
    if head.len() < 2 {
        return undecided;
    }
    if is_utf16(head) {
        return Decision::Whole;
    }
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return Decision::Whole,
    };
    let start = match detect::find_start(text) {
        Ok(s) if s.format == InputFormat::Json => s,
        Ok(_) => return Decision::Whole,
        Err(_) => return undecided,
    };
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let line_start = text[..start.offset].rfind('\n').map_or(bom, |i| i + 1);
    let clean = text[line_start.min(start.offset)..start.offset]
        .trim()
        .is_empty();
    if !clean && !text[start.offset..].contains('\n') {
        return undecided;
    }
    match first_document(text.as_bytes(), start.offset) {
        Some(Ok(doc)) => Decision::Stream {
            start: start.offset,
            doc,
            skipped: start.skipped,
        },
        Some(Err(())) => Decision::Whole,
        None => undecided,
    }
}

enum Mode<'o> {
    /// The first bytes, until the start of the content is told.
    Head(Vec<u8>),
    /// Read whole at the end.
    Whole(Vec<u8>),
    Stream(Box<Streamer<'o>>),
}

/// One input read from chunks of bytes (a push parser; see the module's documentation).
///
/// ```
/// use kube_rightsize_core::ingest::{IngestOptions, StreamIngest, ingest_read};
/// let options = IngestOptions::default();
/// let mut s = StreamIngest::new("cluster.json", &options);
/// for chunk in br#"{"kind": "List", "items": [{"kind": "Node", "metadata": {"name": "n"}}]}"#
///     .chunks(7)
/// {
///     s.feed(chunk);
/// }
/// let cluster = ingest_read(vec![s.finish().unwrap()]).unwrap();
/// assert_eq!(cluster.nodes.len(), 1);
/// ```
pub struct StreamIngest<'o> {
    name: String,
    options: &'o IngestOptions,
    mode: Mode<'o>,
    high_water: usize,
}

impl<'o> StreamIngest<'o> {
    /// A reader for the input called `name`.
    pub fn new(name: &str, options: &'o IngestOptions) -> Self {
        StreamIngest {
            name: name.to_owned(),
            options,
            mode: Mode::Head(Vec::new()),
            high_water: 0,
        }
    }

    /// Reads the next bytes of the input. Problems are reported by [`StreamIngest::finish`]
    /// (a later invalid UTF-8 byte wins over an earlier syntax error, as in the whole-input
    /// path), so every byte should be fed.
    pub fn feed(&mut self, chunk: &[u8]) {
        match &mut self.mode {
            Mode::Head(head) => {
                head.extend_from_slice(chunk);
                self.high_water = self.high_water.max(head.len());
                self.decide(false);
            }
            Mode::Whole(all) => {
                all.extend_from_slice(chunk);
                self.high_water = self.high_water.max(all.len());
            }
            Mode::Stream(s) => {
                s.feed(chunk);
                self.high_water = self.high_water.max(s.high_water);
            }
        }
    }

    fn decide(&mut self, at_end: bool) {
        let Mode::Head(head) = &mut self.mode else {
            return;
        };
        match decide(head, at_end) {
            Decision::Wait => {}
            Decision::Whole => self.mode = Mode::Whole(std::mem::take(head)),
            Decision::Stream {
                start,
                doc,
                skipped,
            } => {
                let head = std::mem::take(head);
                let s = Streamer::new(&self.name, self.options, &head, start, doc, skipped);
                self.high_water = self.high_water.max(head.len()).max(s.high_water);
                self.mode = Mode::Stream(Box::new(s));
            }
        }
    }

    /// The most bytes of the input held at once so far (the skeleton, the value being read,
    /// items waiting for their list's kind; the whole input when read whole).
    pub fn high_water_bytes(&self) -> usize {
        self.high_water
    }

    /// True when the input is streamed (JSON), false while it is buffered to be read whole.
    pub fn is_streaming(&self) -> bool {
        matches!(self.mode, Mode::Stream(_))
    }

    /// Ends the input: what it held, or why it cannot be read (located as the whole-input
    /// path locates it).
    pub fn finish(mut self) -> Result<ReadInput<'o>, IngestError> {
        self.decide(true);
        match self.mode {
            Mode::Head(bytes) | Mode::Whole(bytes) => {
                read_whole(&Input::new(&self.name, &bytes), self.options)
            }
            Mode::Stream(s) => s.finish(),
        }
    }
}

/// Parses and merges inputs given as chunks of bytes, each streamed ([`StreamIngest`]); the
/// same cluster and errors as [`super::ingest_with`] on the whole inputs.
pub fn ingest_streams<'c, N, C>(
    inputs: impl IntoIterator<Item = (N, C)>,
    options: &IngestOptions,
) -> Result<Cluster, IngestError>
where
    N: AsRef<str>,
    C: IntoIterator<Item = &'c [u8]>,
{
    let mut read = Vec::new();
    for (name, chunks) in inputs {
        let mut s = StreamIngest::new(name.as_ref(), options);
        for chunk in chunks {
            s.feed(chunk);
        }
        read.push(s.finish()?);
    }
    ingest_read(read)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_characters_and_carriage_returns() {
        let text = "ab\r\ncé\nx\r\r";
        for split in 0..=text.len() {
            let mut p = Pos::START;
            p.advance(&text.as_bytes()[..split]);
            if text.is_char_boundary(split) {
                assert_eq!(
                    p.line_col(),
                    super::super::error::line_col(text, split),
                    "{split}"
                );
            }
        }
        let mut p = Pos::START;
        for b in text.as_bytes() {
            p.advance(std::slice::from_ref(b));
        }
        assert_eq!(
            p.line_col(),
            super::super::error::line_col(text, text.len())
        );
    }

    #[test]
    fn structural_bytes_and_newlines_are_found_eight_at_a_time() {
        let cases: &[&[u8]] = &[
            b"",
            b"   ",
            b"          \"a\"",
            b"12345678{",
            b"1234567]",
            b"\x02\x5b",
            b"\x7f\x80\xff\x01\x00 , : 9 [",
            b"true, false, null, 1.5e10,      }",
            b"\x1b\x3b\x3d\x5d",
        ];
        for &c in cases {
            let want = c
                .iter()
                .position(|b| matches!(b, b'"' | b'{' | b'}' | b'[' | b']'))
                .unwrap_or(c.len());
            assert_eq!(next_structural(c), want, "{c:?}");
        }
        for len in 0..40 {
            for at in 0..len {
                let mut v = vec![b' '; len];
                v[at] = b']';
                assert_eq!(next_structural(&v), at);
                v[at] = b'\n';
                if at + 3 < len {
                    v[at + 3] = b'\n';
                }
                let want = v.iter().filter(|&&b| b == b'\n').count();
                assert_eq!(count_newlines(&v), want, "{v:?}");
                assert_eq!(count_newlines_swar(&v), want, "{v:?}");
            }
        }
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(count_newlines(&all), 1);
        assert_eq!(count_newlines(&[b'\n'; 17]), 17);
        // Across the native count's blocks of 255 bytes, each of which may be all newlines.
        for len in [254, 255, 256, 510, 511, 1000] {
            let all = vec![b'\n'; len];
            assert_eq!(
                (count_newlines(&all), count_newlines_swar(&all)),
                (len, len)
            );
            let every_7th: Vec<u8> = (0..len)
                .map(|i| if i % 7 == 0 { b'\n' } else { b'x' })
                .collect();
            let want = len.div_ceil(7);
            assert_eq!(count_newlines(&every_7th), want);
            assert_eq!(count_newlines_swar(&every_7th), want);
        }
    }

    #[test]
    fn skim_finds_the_end_across_chunks() {
        let v = br#"{"a": "x\"}\\", "b": [1, {"c": "]"}]} tail"#;
        for split in 0..v.len() {
            let mut s = Scan::default();
            let end = match s.skim(&v[..split], 0) {
                Some(n) => n,
                None => split + s.skim(&v[split..], 0).expect("an end"),
            };
            assert_eq!(&v[..end], &v[..v.len() - 5], "{split}");
        }
    }
}
