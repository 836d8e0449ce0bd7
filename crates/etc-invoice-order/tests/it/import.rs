//! The CSV and JSON Lines readers and writers.

use etc_invoice_order::import::{
    ImportErrorKind, JsonLinesReader, JsonLinesWriter, PassageCsvReader, PassageCsvWriter,
    check_unique_ids,
};
use etc_invoice_order::stats::Statistics;
use etc_invoice_order::{Money, Passage, Record};

const SAMPLE_CSV: &str = include_str!("../../../../examples/data/passages-2024-03.csv");
const SAMPLE_JSONL: &str = include_str!("../../../../examples/data/records-2024-03.jsonl");

const HEADER: &str = "passage_id,card_number,card_type,vehicle_id,vehicle_class,medium,entry_station,entry_time,exit_station,exit_time,settled_at,operator_id,operator_name,operator_taxpayer_id,province,road_kind,funding,tax_method,construction_start,receivable,discount,charged";

fn row(id: &str, op: &str, receivable: &str, discount: &str, charged: &str) -> String {
    format!(
        "{id},44019912345678900011,23,粤B12345_0,1,obu,广州北,2024-03-05 08:00:00,深圳机场,2024-03-05 09:30:00,,{op},示例高速公司,91110000600037341L,粤,expressway,operating,simplified,2009-01-01,{receivable},{discount},{charged}"
    )
}

fn read(csv: &str) -> Vec<Result<Passage, etc_invoice_order::import::ImportError>> {
    PassageCsvReader::new(csv.as_bytes()).collect()
}

#[test]
fn sample_month_imports_cleanly() {
    let passages: Vec<Passage> = PassageCsvReader::new(SAMPLE_CSV.as_bytes())
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(passages.len() >= 60);
    let rows = SAMPLE_CSV.lines().count() - 1;
    assert_eq!(
        passages.iter().map(|p| p.segments().len()).sum::<usize>(),
        rows
    );
    assert!(passages.iter().any(|p| p.segments().len() >= 3));
    let stats = Statistics::of_passages(&passages).unwrap();
    assert_eq!(stats.by_vehicle.len(), 3);
    assert_eq!(stats.by_province.len(), 2);
    let by_op = Money::checked_sum(stats.by_operator.values().map(|t| t.amount)).unwrap();
    assert_eq!(by_op, stats.passages.amount);

    let records: Vec<Record> = JsonLinesReader::new(SAMPLE_JSONL.as_bytes())
        .collect::<Result<_, _>>()
        .unwrap();
    let kinds: Vec<&str> = records.iter().map(Record::kind).collect();
    for k in ["topUp", "refund", "recovery", "statement"] {
        assert!(kinds.contains(&k), "{k}");
    }
}

#[test]
fn csv_round_trip_is_exact() {
    let passages: Vec<Passage> = PassageCsvReader::new(SAMPLE_CSV.as_bytes())
        .collect::<Result<_, _>>()
        .unwrap();
    let mut w = PassageCsvWriter::new(Vec::new());
    for p in &passages {
        w.write(p).unwrap();
    }
    let bytes = w.into_inner().unwrap();
    let again: Vec<Passage> = PassageCsvReader::new(bytes.as_slice())
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(again, passages);
    // Writing what was read gives the same bytes.
    let mut w2 = PassageCsvWriter::new(Vec::new());
    for p in &again {
        w2.write(p).unwrap();
    }
    assert_eq!(w2.into_inner().unwrap(), bytes);
}

#[test]
fn jsonl_round_trip_is_exact() {
    let passages =
        PassageCsvReader::new(SAMPLE_CSV.as_bytes()).map(|p| Record::Passage(p.unwrap()));
    let others = JsonLinesReader::new(SAMPLE_JSONL.as_bytes()).map(Result::unwrap);
    let records: Vec<Record> = passages.chain(others).collect();
    let mut w = JsonLinesWriter::new(Vec::new());
    for r in &records {
        w.write(r).unwrap();
    }
    let bytes = w.into_inner().unwrap();
    let again: Vec<Record> = JsonLinesReader::new(bytes.as_slice())
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(again, records);
}

#[test]
fn rows_group_into_passages() {
    let csv = format!(
        "{HEADER}\n{}\n{}\n{}\n",
        row("P1", "OP1", "10.00", "0.50", "9.50"),
        row("P1", "OP2", "5.00", "0.00", "5.00"),
        row("P2", "OP1", "1.00", "0.00", "1.00"),
    );
    let got: Vec<Passage> = read(&csv).into_iter().map(Result::unwrap).collect();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].segments().len(), 2);
    assert_eq!(got[0].total_charged().to_string(), "14.50");
    assert_eq!(got[1].id().as_str(), "P2");
}

#[test]
fn a_bad_row_drops_its_passage_and_reading_goes_on() {
    let csv = format!(
        "{HEADER}\n{}\n{}\n{}\n",
        row("P1", "OP1", "10.00", "0.50", "9.50"),
        row("P1", "OP2", "5.00", "0.00", "5.0x"),
        row("P2", "OP1", "1.00", "0.00", "1.00"),
    );
    let got = read(&csv);
    assert_eq!(got.len(), 2, "{got:?}");
    let err = got[0].as_ref().unwrap_err();
    assert_eq!(err.line(), 3);
    assert_eq!(err.column(), Some("charged"));
    assert_eq!(err.value(), Some("5.0x"));
    assert!(
        err.to_string()
            .starts_with("line 3, column `charged`, value `5.0x`: "),
        "{err}"
    );
    assert_eq!(got[1].as_ref().unwrap().id().as_str(), "P2");
}

#[test]
fn inconsistent_passage_columns_are_errors() {
    let second = row("P1", "OP2", "5.00", "0.00", "5.00").replace("粤B12345_0", "粤B12346_0");
    let csv = format!(
        "{HEADER}\n{}\n{second}\n",
        row("P1", "OP1", "10.00", "0.50", "9.50")
    );
    let got = read(&csv);
    assert_eq!(got.len(), 1);
    let err = got[0].as_ref().unwrap_err();
    assert_eq!(err.column(), Some("vehicle_id"));
    assert!(matches!(
        err.kind(),
        ImportErrorKind::Inconsistent { first_line: 2, .. }
    ));
}

#[test]
fn amounts_must_agree() {
    let csv = format!("{HEADER}\n{}\n", row("P1", "OP1", "10.00", "0.50", "9.00"));
    let got = read(&csv);
    let err = got[0].as_ref().unwrap_err();
    assert!(
        matches!(err.kind(), ImportErrorKind::Transaction(_)),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("charged `9.00` is not receivable `10.00` minus discount `0.50`")
    );
}

#[test]
fn header_problems() {
    let missing = HEADER.replace(",charged", "");
    let got = read(&format!("{missing}\n"));
    assert!(matches!(
        got[0].as_ref().unwrap_err().kind(),
        ImportErrorKind::MissingColumn("charged")
    ));
    let unknown = format!("{HEADER},colour");
    let got = read(&format!("{unknown}\n"));
    assert!(
        matches!(got[0].as_ref().unwrap_err().kind(), ImportErrorKind::UnknownColumn(c) if c == "colour")
    );
    let repeated = format!("{HEADER},charged");
    assert!(read(&format!("{repeated}\n"))[0].is_err());
    assert!(read("")[0].is_err());
    assert_eq!(read(&format!("{HEADER}\n")).len(), 0);
}

#[test]
fn broken_csv_is_an_error_with_a_line() {
    let csv = format!(
        "{HEADER}\n{}\nP2,only,three\n{}\n",
        row("P1", "OP1", "10.00", "0.50", "9.50"),
        row("P3", "OP1", "1.00", "0.00", "1.00")
    );
    let got = read(&csv);
    assert!(
        got.iter().any(|r| r.as_ref().is_err_and(|e| e.line() == 3)),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|r| r.as_ref().is_ok_and(|p| p.id().as_str() == "P3"))
    );
    // P1 might have continued on the broken row: it is dropped, not half-imported.
    assert!(
        !got.iter()
            .any(|r| r.as_ref().is_ok_and(|p| p.id().as_str() == "P1"))
    );
}

#[test]
fn entry_needs_both_station_and_time() {
    let r = row("P1", "OP1", "10.00", "0.50", "9.50").replace("2024-03-05 08:00:00", "");
    let got = read(&format!("{HEADER}\n{r}\n"));
    assert_eq!(got[0].as_ref().unwrap_err().column(), Some("entry_time"));
}

#[test]
fn exit_before_entry_is_an_error() {
    let r = row("P1", "OP1", "10.00", "0.50", "9.50")
        .replace("2024-03-05 08:00:00", "2024-03-05 10:00:00");
    let got = read(&format!("{HEADER}\n{r}\n"));
    let err = got[0].as_ref().unwrap_err();
    assert_eq!(err.column(), Some("exit_time"));
}

#[test]
fn issuer_card_type_codes_are_normalised() {
    let r = row("P1", "OP1", "10.00", "0.50", "9.50").replace(",23,", ",1,");
    let got = read(&format!("{HEADER}\n{r}\n"));
    let p = got[0].as_ref().unwrap();
    assert!(p.card_type().is_debit());
}

#[test]
fn json_lines_errors_name_line_and_path() {
    let good = SAMPLE_JSONL.lines().next().unwrap();
    let bad_amount = good.replace("\"500.00\"", "\"5.001\"");
    let input = format!("{good}\n\n{bad_amount}\nnot json\n{{\"type\":\"spaceship\"}}\n{good}\n");
    let got: Vec<_> = JsonLinesReader::new(input.as_bytes()).collect();
    assert_eq!(got.len(), 5);
    assert!(got[0].is_ok());
    let e = got[1].as_ref().unwrap_err();
    assert_eq!(e.line(), 3);
    assert_eq!(e.column(), Some("amount"));
    assert_eq!(got[2].as_ref().unwrap_err().line(), 4);
    assert_eq!(got[3].as_ref().unwrap_err().line(), 5);
    assert!(got[4].is_ok());
}

#[test]
fn json_lines_refuse_overlong_lines_without_holding_them() {
    let good = SAMPLE_JSONL.lines().next().unwrap();
    let long = "x".repeat(10_000);
    let input = format!("{long}\n{good}\n");
    let got: Vec<_> = JsonLinesReader::with_max_line(input.as_bytes(), 1024).collect();
    assert_eq!(got.len(), 2);
    assert!(matches!(
        got[0].as_ref().unwrap_err().kind(),
        ImportErrorKind::LineTooLong(1024)
    ));
    assert!(got[1].is_ok());
}

#[test]
fn duplicate_ids_are_caught_on_request() {
    let csv = format!(
        "{HEADER}\n{}\n{}\n{}\n",
        row("P1", "OP1", "10.00", "0.50", "9.50"),
        row("P2", "OP1", "1.00", "0.00", "1.00"),
        row("P1", "OP1", "10.00", "0.50", "9.50"),
    );
    let got: Vec<_> = check_unique_ids(PassageCsvReader::new(csv.as_bytes())).collect();
    assert!(got[0].is_ok() && got[1].is_ok());
    assert!(matches!(
        got[2].as_ref().unwrap_err().kind(),
        ImportErrorKind::DuplicateId(1)
    ));
}

#[test]
fn invalid_utf8_names_its_column() {
    let mut bytes = format!("{HEADER}\n").into_bytes();
    let good = row("P1", "OP1", "10.00", "0.50", "9.50");
    bytes.extend(
        good.replace("示例高速公司", "\u{1}")
            .bytes()
            .map(|b| if b == 1 { 0xFF } else { b }),
    );
    bytes.push(b'\n');
    let got: Vec<_> = PassageCsvReader::new(bytes.as_slice()).collect();
    let err = got[0].as_ref().unwrap_err();
    assert_eq!(err.column(), Some("operator_name"));
    assert!(matches!(err.kind(), ImportErrorKind::Utf8));
}

#[test]
fn cached_roads_do_not_hide_bad_values() {
    let bad = row("P2", "OP1", "1.00", "0.00", "1.00")
        .replace("91110000600037341L", "91110000600037341N");
    let csv = format!(
        "{HEADER}\n{}\n{bad}\n",
        row("P1", "OP1", "10.00", "0.50", "9.50")
    );
    let got = read(&csv);
    assert!(got[0].is_ok());
    assert_eq!(
        got[1].as_ref().unwrap_err().column(),
        Some("operator_taxpayer_id")
    );
}

#[test]
fn segments_of_one_operator_share_it() {
    // P1 and P2 on the same road; P3 by the same operator on another road
    // (a bridge); P4 by another operator.
    let other_road = row("P3", "OP1", "2.00", "0.00", "2.00").replace("expressway", "bridge");
    let other_operator = row("P4", "OP2", "3.00", "0.00", "3.00");
    let csv = format!(
        "{HEADER}\n{}\n{}\n{other_road}\n{other_operator}\n",
        row("P1", "OP1", "10.00", "0.50", "9.50"),
        row("P2", "OP1", "1.00", "0.00", "1.00"),
    );
    let passages: Vec<Passage> = read(&csv).into_iter().map(Result::unwrap).collect();
    let operators: Vec<_> = passages
        .iter()
        .map(|p| &p.segments()[0].parts().operator)
        .collect();
    assert!(std::sync::Arc::ptr_eq(operators[0], operators[1]));
    assert!(std::sync::Arc::ptr_eq(operators[0], operators[2]));
    assert!(!std::sync::Arc::ptr_eq(operators[0], operators[3]));
    assert_eq!(operators[3].id.as_str(), "OP2");
}
