//! Patch sets as one `.zip` file.

use super::render::PatchFile;

/// A `.zip` archive of `files` (path, contents), stored without compression: what the app's
/// "Download all" offers for a patch set, and what `kube-rightsize patches -o set.zip` writes. Paths are `/`-separated and taken as UTF-8 (flag bit 11); every
/// entry is dated 1980-01-01 (the format's earliest date: the core has no clock, and the same
/// inputs give the same bytes) and marked as a regular `rw-r--r--` Unix file.
///
/// A hand-written writer, not the `zip` crate: with its features off, `zip` still brings
/// getrandom (a JS crypto binding), zeroize, typed-path and indexmap, and adds about 60 KB to
/// the page's wasm (measured) for what this does in a few lines. No ZIP64: more than 65 535 entries or 4
/// GiB is refused (a patch set is far from either).
pub fn stored_zip(files: &[PatchFile]) -> Result<Vec<u8>, String> {
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
    for f in files {
        let (path, contents) = (f.path.as_str(), f.contents.as_bytes());
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

#[cfg(test)]
mod tests {
    use super::{PatchFile, stored_zip};

    /// The archive opens with Python's `zipfile` (every CRC checked, names, contents and modes
    /// as written).
    #[test]
    fn stored_zip_opens_with_python() {
        let files: Vec<PatchFile> = [
            ("kustomization.yaml", "resources:\n  - \"../base\"\n"),
            ("payments/deployment-api.yaml", "kind: Deployment\n"),
            ("empty.txt", ""),
        ]
        .iter()
        .map(|(p, c)| PatchFile {
            path: (*p).to_owned(),
            contents: (*c).to_owned(),
        })
        .collect();
        let zip = stored_zip(&files).unwrap();
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
                    .map(|f| {
                        let c = f.contents.replace('\n', "\\n");
                        format!("{} '{c}' 0o100644\n", f.path)
                    })
                    .collect();
                assert_eq!(listed, expected);
            }
            Err(e) => panic!("python3 does not run ({e}): the archive cannot be checked"),
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_empty_zip_is_the_end_record_alone() {
        let zip = stored_zip(&[]).unwrap();
        assert_eq!(zip.len(), 22);
        assert_eq!(&zip[..4], b"PK\x05\x06");
    }
}
