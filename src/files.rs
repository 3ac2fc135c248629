//! Moving bytes between the browser and wasm memory: files, drops, pastes, downloads.
//!
//! Inputs stay browser `Blob`s on the page (a picked file is never read there; a paste is
//! encoded by the browser); the worker reads them into wasm memory with [`read_blob`]. Nothing
//! becomes textarea content.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// How much of a `Blob` is read at a time: the whole input is never held twice (once as a JS
/// `ArrayBuffer`, once in wasm memory).
const READ_CHUNK: usize = 16 << 20;

/// Reads a `Blob` (a file, a paste, the demo) into wasm memory, 16 MiB at a time. Works on the
/// page and in a worker.
pub async fn read_blob(blob: &web_sys::Blob, name: &str) -> Result<Vec<u8>, String> {
    let size = blob.size() as usize;
    let mut out = Vec::new();
    out.try_reserve_exact(size).map_err(|_| {
        format!(
            "cannot read {name}: not enough memory for {}",
            kube_rightsize_core::format::human_bytes(size)
        )
    })?;
    while out.len() < size {
        let start = out.len();
        let end = (start + READ_CHUNK).min(size);
        let part = blob
            .slice_with_f64_and_f64(start as f64, end as f64)
            .map_err(|e| format!("cannot read {name}: {}", js_message(&e)))?;
        let buf = JsFuture::from(part.array_buffer())
            .await
            .map_err(|e| format!("cannot read {name}: {}", js_message(&e)))?;
        let chunk = js_sys::Uint8Array::new(&buf);
        let n = chunk.length() as usize;
        if n == 0 {
            return Err(format!(
                "cannot read {name}: it ended after {start} of {size} bytes (did the file change?)"
            ));
        }
        out.resize(start + n, 0);
        chunk.copy_to(&mut out[start..]);
    }
    Ok(out)
}

/// The text of a paste or drop as a `Blob` (UTF-8, encoded by the browser: the text never
/// becomes a Rust `String`); `None` when there is none or it is only whitespace.
pub fn text_blob(data: &web_sys::DataTransfer) -> Option<web_sys::Blob> {
    let get: js_sys::Function = js_sys::Reflect::get(data, &JsValue::from_str("getData"))
        .ok()?
        .dyn_into()
        .ok()?;
    let text: js_sys::JsString = get
        .call1(data, &JsValue::from_str("text"))
        .ok()?
        .dyn_into()
        .ok()?;
    if text.trim().length() == 0 {
        return None;
    }
    web_sys::Blob::new_with_str_sequence(&js_sys::Array::of1(&text)).ok()
}

/// The files of a `FileList`.
pub fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else {
        return Vec::new();
    };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// A readable message from a JS error value.
pub fn js_message(value: &wasm_bindgen::JsValue) -> String {
    if let Some(err) = value.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    value.as_string().unwrap_or_else(|| format!("{value:?}"))
}

/// Offers `bytes` as a download called `name` (a Blob URL on a temporary link; nothing is sent
/// anywhere).
pub fn download(name: &str, mime: &str, bytes: &[u8]) -> Result<(), String> {
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|e| format!("cannot create the file: {}", js_message(&e)))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|e| format!("cannot create the file: {}", js_message(&e)))?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let link: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|e| js_message(&e))?
        .dyn_into()
        .map_err(|_| "cannot create a link".to_string())?;
    link.set_href(&url);
    link.set_download(name);
    link.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// Lets the browser paint (a zero-delay timer) before long synchronous work.
pub async fn yield_to_browser() {
    gloo_timers::future::TimeoutFuture::new(0).await;
}

/// A `.zip` archive of `files` (path, contents), stored without compression: what "Download
/// all" offers for a patch set. Paths are `/`-separated and taken as UTF-8 (flag bit 11); every
/// entry is dated 1980-01-01 (the format's earliest date: the page keeps no clock of its own in
/// the files) and marked as a regular `rw-r--r--` Unix file.
///
/// A hand-written writer, not the `zip` crate: with its features off, `zip` still brings
/// getrandom (a JS crypto binding), zeroize, typed-path and indexmap, and adds about 60 KB to
/// the page's wasm for what this does in a few lines. No ZIP64: more than 65 535 entries or 4
/// GiB is refused (a patch set is far from either).
pub fn stored_zip<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a [u8])>,
) -> Result<Vec<u8>, String> {
    const TOO_BIG: &str = "the patch set is too large for a .zip file";
    // 1980-01-01 00:00:00 in MS-DOS form: date = (year - 1980) << 9 | month << 5 | day.
    const DOS_TIME: u16 = 0;
    const DOS_DATE: u16 = (1 << 5) | 1;
    const UTF8_NAMES: u16 = 1 << 11;
    const VERSION: u16 = 20;
    // Made by Unix (3, high byte) with version 2.0; the external attributes carry the mode.
    const MADE_BY: u16 = (3 << 8) | 20;
    const REGULAR_FILE_644: u32 = 0o100_644 << 16;
    let u16_of = |n: usize| u16::try_from(n).map_err(|_| TOO_BIG.to_owned());
    let u32_of = |n: usize| u32::try_from(n).map_err(|_| TOO_BIG.to_owned());
    let mut out = Vec::new();
    let mut central = Vec::new();
    let mut entries = 0usize;
    for (path, contents) in files {
        let offset = u32_of(out.len())?;
        let (name_len, size) = (u16_of(path.len())?, u32_of(contents.len())?);
        let crc = crc32fast::hash(contents);
        // The fields a local header and a central directory record share, from "version
        // needed" to "extra field length".
        let mut common = Vec::with_capacity(26);
        for half in [VERSION, UTF8_NAMES, 0 /* stored */, DOS_TIME, DOS_DATE] {
            common.extend_from_slice(&half.to_le_bytes());
        }
        for word in [crc, size, size] {
            common.extend_from_slice(&word.to_le_bytes());
        }
        common.extend_from_slice(&name_len.to_le_bytes());
        common.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&common);
        out.extend_from_slice(path.as_bytes());
        out.extend_from_slice(contents);
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&MADE_BY.to_le_bytes());
        central.extend_from_slice(&common);
        // Comment length, disk number, internal attributes.
        central.extend_from_slice(&[0; 6]);
        central.extend_from_slice(&REGULAR_FILE_644.to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(path.as_bytes());
        entries += 1;
    }
    let (count, central_at, central_len) =
        (u16_of(entries)?, u32_of(out.len())?, u32_of(central.len())?);
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    // This disk, the disk where the central directory starts.
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&central_len.to_le_bytes());
    out.extend_from_slice(&central_at.to_le_bytes());
    // Comment length.
    out.extend_from_slice(&[0; 2]);
    Ok(out)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::stored_zip;

    /// The archive opens with Python's `zipfile` (every CRC checked, names and contents as
    /// written) and passes `unzip -t`, where those tools are installed.
    #[test]
    fn stored_zip_opens_with_python_and_unzip() {
        let files: [(&str, &[u8]); 3] = [
            ("kustomization.yaml", b"resources:\n  - \"../base\"\n"),
            ("payments/deployment-api.yaml", b"kind: Deployment\n"),
            ("empty.txt", b""),
        ];
        let zip = stored_zip(files).unwrap();
        assert_eq!(&zip[..4], b"PK\x03\x04");
        let dir = std::env::temp_dir().join(format!("krs-zip-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("patches.zip");
        std::fs::write(&path, &zip).unwrap();
        let check = "import sys, zipfile\n\
                     z = zipfile.ZipFile(sys.argv[1])\n\
                     assert z.testzip() is None\n\
                     for i in z.infolist(): print(i.filename, repr(z.read(i).decode()), oct(i.external_attr >> 16))";
        match std::process::Command::new("python3")
            .args(["-c", check])
            .arg(&path)
            .output()
        {
            Ok(out) => {
                assert!(out.status.success(), "{out:?}");
                let listed = String::from_utf8(out.stdout).unwrap();
                let expected: String = files
                    .iter()
                    .map(|(n, c)| {
                        let c = std::str::from_utf8(c).unwrap().replace('\n', "\\n");
                        format!("{n} '{c}' 0o100644\n")
                    })
                    .collect();
                assert_eq!(listed, expected);
            }
            Err(e) => eprintln!("python3 not run ({e}): the zipfile check is skipped"),
        }
        match std::process::Command::new("unzip")
            .arg("-t")
            .arg(&path)
            .output()
        {
            Ok(out) => assert!(
                out.status.success() && String::from_utf8_lossy(&out.stdout).contains("No errors"),
                "{out:?}"
            ),
            Err(e) => eprintln!("unzip not run ({e}): its check is skipped"),
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_empty_zip_is_the_end_record_alone() {
        let zip = stored_zip([]).unwrap();
        assert_eq!(zip.len(), 22);
        assert_eq!(&zip[..4], b"PK\x05\x06");
    }
}
