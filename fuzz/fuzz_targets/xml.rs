//! Invoice and summary-sheet XML from arbitrary bytes: no panic; what reads
//! renders as HTML and PDF, and survives being written and read again.
#![no_main]

use etc_invoice::platform::html::{invoice_html, summary_html};
use etc_invoice::platform::pdf::{invoice_pdf, summary_pdf};
use etc_invoice::platform::{InvoiceXml, SummaryXml};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = InvoiceXml::from_xml(data) {
        invoice_html(&doc);
        invoice_pdf(&doc);
        if let Ok(text) = doc.to_xml() {
            let again = InvoiceXml::from_xml(text.as_bytes())
                .unwrap_or_else(|e| panic!("written invoice XML does not read back: {e}"));
            assert_eq!(again, doc, "invoice XML round trip");
        }
    }
    if let Ok(sheet) = SummaryXml::from_xml(data) {
        summary_html(&sheet);
        summary_pdf(&sheet);
        if let Ok(text) = sheet.to_xml() {
            let again = SummaryXml::from_xml(text.as_bytes())
                .unwrap_or_else(|e| panic!("written summary XML does not read back: {e}"));
            assert_eq!(again, sheet, "summary XML round trip");
        }
    }
});
