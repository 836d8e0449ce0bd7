//! The example cases under `examples/cases`, and the case format's errors.

use etc_invoice_province::RuleBook;
use etc_invoice_rules::case::{Case, CaseError, MAX_CASE_BYTES};

fn read(name: &str) -> Case {
    let path = format!(
        "{}/../../examples/cases/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    Case::from_json(std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn example_cases_behave_as_described() {
    let book = RuleBook::builtin();
    for (name, passes) in [
        ("enterprise_ok", true),
        ("personal_ok", true),
        ("top_up_ok", true),
        ("many_findings", false),
        ("top_up_conflict", false),
    ] {
        let case = read(name);
        assert!(case.description.is_some(), "{name}");
        let out = case.run(&book).unwrap();
        assert_eq!(
            out.report.passed(),
            passes,
            "{name}: {:#?}",
            out.report.errors()
        );
        match out.plan {
            Some(plan) => {
                let plan = plan.unwrap();
                assert!(plan.totals.gross.is_positive(), "{name}");
            }
            None => assert!(!passes),
        }
    }
}

#[test]
fn many_findings_finds_many() {
    let out = read("many_findings").run(&RuleBook::builtin()).unwrap();
    let mut codes: Vec<&str> = out.report.findings().map(|f| f.code.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    assert!(codes.len() >= 15, "{codes:?}");
}

#[test]
fn case_errors_name_their_path() {
    let e = Case::from_json(r#"{"now": "2024-04-20T10:00:00+08:00", "application": {"kind": 3}}"#)
        .unwrap_err();
    match e {
        CaseError::Invalid { path, .. } => assert_eq!(path, "application.kind"),
        other => panic!("{other}"),
    }
    let e = Case::from_json(r#"{"now": "soon"}"#).unwrap_err();
    assert!(e.to_string().starts_with("invalid case at `now`"), "{e}");
    let big = vec![b' '; MAX_CASE_BYTES + 1];
    assert!(matches!(
        Case::from_json(&big),
        Err(CaseError::TooLarge { .. })
    ));
    let mut case = read("enterprise_ok");
    case.rules = Some("version = 2".to_owned());
    assert!(matches!(
        case.run(&RuleBook::builtin()),
        Err(CaseError::Rules(_))
    ));
}

#[test]
fn case_rules_overlay_applies() {
    let mut case = read("enterprise_ok");
    case.rules = Some(
        "version = 1\nprovince = \"广东\"\n[[period]]\neffective_from = 2018-01-01\napplications.merge_modes = [\"monthly\"]\n"
            .to_owned(),
    );
    let out = case.run(&RuleBook::builtin()).unwrap();
    let codes: Vec<&str> = out.report.findings().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["MERGE_MODE_NOT_ALLOWED"]);
}
