//! Invoice and summary-sheet XML from arbitrary bytes: no panic; what reads
//! renders as HTML and PDF, and survives being written and read again.
#![no_main]

use std::fmt::Debug;

use etc_invoice::platform::html::{invoice_html, summary_html};
use etc_invoice::platform::pdf::{invoice_pdf, summary_pdf};
use etc_invoice::platform::{InvoiceXml, SummaryXml, XmlError};
use libfuzzer_sys::fuzz_target;

/// `data` read as one kind of document: rendered, and written and read
/// back unchanged.
fn document<T: PartialEq + Debug>(
    data: &[u8],
    read: fn(&[u8]) -> Result<T, XmlError>,
    write: fn(&T) -> Result<String, XmlError>,
    render: fn(&T),
) {
    let Ok(doc) = read(data) else {
        return;
    };
    render(&doc);
    if let Ok(text) = write(&doc) {
        let again =
            read(text.as_bytes()).unwrap_or_else(|e| panic!("written XML does not read back: {e}"));
        assert_eq!(again, doc, "XML round trip");
    }
}

fuzz_target!(|data: &[u8]| {
    document(data, InvoiceXml::from_xml, InvoiceXml::to_xml, |d| {
        invoice_html(d);
        invoice_pdf(d);
    });
    document(data, SummaryXml::from_xml, SummaryXml::to_xml, |s| {
        summary_html(s);
        summary_pdf(s);
    });
});
