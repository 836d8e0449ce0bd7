//! The documents a user downloads: an invoice's PDF, a summary sheet's PDF
//! with a month of transactions, the HTML rendering as a baseline, and the
//! ZIP of an invoice's XML and PDF.
//!
//! Run: `cargo bench --bench documents -- --warm-up-time 1 --measurement-time 3`

#![expect(
    missing_docs,
    reason = "criterion_main! generates an undocumented public main"
)]
#![expect(
    clippy::unwrap_used,
    reason = "a benchmark fails loudly on setup errors"
)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use etc_invoice_platform::archive::zip_documents;
use etc_invoice_platform::html::invoice_html;
use etc_invoice_platform::pdf::{invoice_pdf, summary_pdf};
use etc_invoice_platform::xml::{sample, sample_summary};
use etc_invoice_platform::{Document, MediaType, SummaryXml};

fn documents(c: &mut Criterion) {
    let invoice = sample();
    let sheet = SummaryXml {
        transactions: (0..300).map(|n| format!("P2024031{n:07}")).collect(),
        ..sample_summary()
    };
    let mut group = c.benchmark_group("documents");
    group.bench_function("invoice_html", |b| {
        b.iter(|| invoice_html(black_box(&invoice)));
    });
    group.bench_function("invoice_pdf", |b| {
        b.iter(|| invoice_pdf(black_box(&invoice)));
    });
    group.bench_function("summary_pdf_300_transactions", |b| {
        b.iter(|| summary_pdf(black_box(&sheet)));
    });
    let files = [
        Document {
            media_type: MediaType::Xml,
            file_name: "24442000000000000001.xml".into(),
            bytes: invoice.to_xml().unwrap().into_bytes(),
        },
        Document {
            media_type: MediaType::Pdf,
            file_name: "24442000000000000001.pdf".into(),
            bytes: invoice_pdf(&invoice),
        },
    ];
    let at = invoice.supervision.issued_at;
    group.bench_function("zip_xml_and_pdf", |b| {
        b.iter(|| zip_documents(black_box(&files), at).unwrap());
    });
    group.finish();
}

criterion_group!(benches, documents);
criterion_main!(benches);
