//! ZIP archives of documents, written with the [`zip`] crate: an invoice's
//! PDF and XML in one file, as the invoicing platforms deliver them, and the
//! documents of several invoices and summary sheets in one download
//! ([`InvoiceService::download`](crate::InvoiceService::download)).
//!
//! Every entry is compressed with deflate and dated with the time given;
//! entries keep the order given. The same documents and time give the same
//! bytes.

use std::collections::BTreeSet;
use std::io::{Cursor, Write as _};

use etc_invoice_order::CstDateTime;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::Document;
use crate::clock::fields;

/// The longest entry name, in bytes.
const MAX_NAME: usize = 255;

/// Why documents could not be packed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ArchiveError {
    /// Two documents have the same file name.
    #[error("two documents are named `{0}`")]
    DuplicateName(String),
    /// A file name is empty, longer than 255 bytes, a path (`/`, `\`, `.`
    /// or `..`), or has a control character.
    #[error("document name `{0}` is not a plain file name")]
    BadName(String),
    /// The archive could not be written.
    #[error("cannot write the archive")]
    Write(#[source] zip::result::ZipError),
}

/// Checks the names: plain, distinct file names.
fn check_names(documents: &[Document]) -> Result<(), ArchiveError> {
    let mut seen = BTreeSet::new();
    for doc in documents {
        let name = doc.file_name.as_str();
        let plain = !name.is_empty()
            && name.len() <= MAX_NAME
            && name != "."
            && name != ".."
            && !name.contains(['/', '\\'])
            && !name.chars().any(char::is_control);
        if !plain {
            return Err(ArchiveError::BadName(name.chars().take(64).collect()));
        }
        if !seen.insert(name) {
            return Err(ArchiveError::DuplicateName(name.to_owned()));
        }
    }
    Ok(())
}

/// A ZIP's date and time (to two seconds, from 1980 to 2107): `t`, or the
/// format's earliest date when `t` is out of its range.
fn zip_time(t: CstDateTime) -> zip::DateTime {
    let (year, [month, day, hour, minute, second]) = fields(t);
    year.and_then(|year| {
        zip::DateTime::from_date_and_time(year, month, day, hour, minute, second.min(58)).ok()
    })
    .unwrap_or_default()
}

/// Packs `documents` into a ZIP, in the order given, each entry named by
/// its file name and dated `modified`.
///
/// ```
/// use etc_invoice_platform::{Document, MediaType, archive::zip_documents};
///
/// let docs = [Document {
///     media_type: MediaType::Xml,
///     file_name: "24442000000000000001.xml".into(),
///     bytes: b"<EInvoice/>".to_vec(),
/// }];
/// let zip = zip_documents(&docs, "2024-04-15 10:00:00".parse()?)?;
/// assert!(zip.starts_with(b"PK"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`ArchiveError::BadName`] for a name that is not a plain file name;
/// [`ArchiveError::DuplicateName`]; [`ArchiveError::Write`] when the archive
/// cannot be written (more than 65,535 entries, say).
pub fn zip_documents(
    documents: &[Document],
    modified: CstDateTime,
) -> Result<Vec<u8>, ArchiveError> {
    check_names(documents)?;
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(zip_time(modified))
        .unix_permissions(0o644);
    let size: usize = documents.iter().map(|d| d.bytes.len() / 2 + 128).sum();
    let mut zip = ZipWriter::new(Cursor::new(Vec::with_capacity(size)));
    for doc in documents {
        zip.start_file(doc.file_name.as_str(), options)
            .map_err(ArchiveError::Write)?;
        zip.write_all(&doc.bytes)
            .map_err(|e| ArchiveError::Write(e.into()))?;
    }
    Ok(zip.finish().map_err(ArchiveError::Write)?.into_inner())
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use proptest::prelude::*;

    use super::*;
    use crate::MediaType;

    fn doc(name: &str, bytes: &[u8]) -> Document {
        Document {
            media_type: MediaType::Xml,
            file_name: name.to_owned(),
            bytes: bytes.to_vec(),
        }
    }

    fn time() -> CstDateTime {
        "2024-04-15 10:20:31".parse().unwrap()
    }

    /// The entries of a ZIP: name, contents and modification time.
    fn entries(zip: &[u8]) -> Vec<(String, Vec<u8>, zip::DateTime)> {
        let mut archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
        (0..archive.len())
            .map(|i| {
                let mut file = archive.by_index(i).unwrap();
                let mut bytes = Vec::new();
                file.read_to_end(&mut bytes).unwrap();
                let modified = file.last_modified().unwrap();
                (file.name().to_owned(), bytes, modified)
            })
            .collect()
    }

    #[test]
    fn packs_documents_in_order_dated() {
        let docs = [doc("b.xml", b"<b/>"), doc("a.pdf", &[0, 1, 2, 255])];
        let zip = zip_documents(&docs, time()).unwrap();
        let got = entries(&zip);
        assert_eq!(got.len(), 2);
        assert_eq!(
            (got[0].0.as_str(), got[0].1.as_slice()),
            ("b.xml", &b"<b/>"[..])
        );
        assert_eq!(
            (got[1].0.as_str(), got[1].1.as_slice()),
            ("a.pdf", &[0, 1, 2, 255][..])
        );
        let t = got[0].2;
        assert_eq!(
            (
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            ),
            (2024, 4, 15, 10, 20, 30)
        );
        assert_eq!(zip_documents(&docs, time()).unwrap(), zip);
    }

    #[test]
    fn empty_is_a_valid_archive() {
        assert!(entries(&zip_documents(&[], time()).unwrap()).is_empty());
    }

    #[test]
    fn refuses_bad_and_repeated_names() {
        for bad in ["", ".", "..", "a/b.xml", "..\\x", "a\nb", &"x".repeat(256)] {
            let err = zip_documents(&[doc(bad, b"")], time()).unwrap_err();
            assert!(matches!(err, ArchiveError::BadName(_)), "{bad:?}: {err:?}");
        }
        let err = zip_documents(&[doc("a.xml", b"1"), doc("a.xml", b"2")], time()).unwrap_err();
        assert_eq!(err.to_string(), "two documents are named `a.xml`");
        assert_eq!(
            zip_documents(&[doc("a/b", b"")], time())
                .unwrap_err()
                .to_string(),
            "document name `a/b` is not a plain file name"
        );
    }

    #[test]
    fn dates_outside_the_format_fall_back_to_its_first_day() {
        let early: CstDateTime = "1970-01-01 00:00:00".parse().unwrap();
        let zip = zip_documents(&[doc("a", b"")], early).unwrap();
        assert_eq!(entries(&zip)[0].2.year(), 1980);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// Whatever the (distinct, plain) names and contents, the archive
        /// reads back as given.
        #[test]
        fn round_trip(files in prop::collection::btree_map("[a-z0-9发票_.-]{1,20}", prop::collection::vec(any::<u8>(), 0..2000), 0..8)) {
            let docs: Vec<Document> = files
                .iter()
                .filter(|(name, _)| *name != "." && *name != "..")
                .map(|(name, bytes)| doc(name, bytes))
                .collect();
            let zip = zip_documents(&docs, time()).unwrap();
            let got = entries(&zip);
            prop_assert_eq!(got.len(), docs.len());
            for (d, (name, bytes, _)) in docs.iter().zip(got) {
                prop_assert_eq!(&d.file_name, &name);
                prop_assert_eq!(&d.bytes, &bytes);
            }
        }
    }
}
