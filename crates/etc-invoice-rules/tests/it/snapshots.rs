//! Snapshots of finding messages, in both languages, for the many-findings
//! example case and a few more.

use etc_invoice_province::RuleBook;
use etc_invoice_rules::ValidationReport;
use etc_invoice_rules::case::Case;

fn render(r: &ValidationReport) -> String {
    let mut out = String::new();
    for f in r.findings() {
        out.push_str(&format!(
            "{} {} @ {}{}\n  zh: {}\n  en: {}\n",
            f.severity,
            f.code,
            f.path,
            f.value
                .as_ref()
                .map(|v| format!(" = {v}"))
                .unwrap_or_default(),
            f.message_zh,
            f.message_en
        ));
    }
    out
}

fn case(name: &str) -> ValidationReport {
    let path = format!(
        "{}/../../examples/cases/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(path).unwrap();
    Case::from_json(&bytes)
        .unwrap()
        .run(&RuleBook::builtin())
        .unwrap()
        .report
}

#[test]
fn many_findings_messages() {
    insta::assert_snapshot!(render(&case("many_findings")));
}

#[test]
fn top_up_findings_messages() {
    insta::assert_snapshot!(render(&case("top_up_conflict")));
}

#[test]
fn clean_cases_have_no_findings() {
    assert_eq!(render(&case("enterprise_ok")), "");
    assert_eq!(render(&case("personal_ok")), "");
}
