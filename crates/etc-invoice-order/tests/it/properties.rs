//! Property tests of money, transactions, import and statistics.

use etc_invoice_order::import::{
    JsonLinesReader, JsonLinesWriter, PassageCsvReader, PassageCsvWriter,
};
use etc_invoice_order::stats::Statistics;
use etc_invoice_order::strategies::transactions::{
    any_money, invalid_money_strings, passage, top_up,
};
use etc_invoice_order::{CstDateTime, Money, Passage, Record};
use proptest::prelude::*;

fn csv_of(passages: &[Passage]) -> Vec<u8> {
    let mut w = PassageCsvWriter::new(Vec::new());
    for p in passages {
        w.write(p).unwrap();
    }
    w.into_inner().unwrap()
}

/// Gives passages distinct ids, as a file would have them.
fn distinct(mut passages: Vec<Passage>) -> Vec<Passage> {
    for (i, p) in passages.iter_mut().enumerate() {
        let mut parts = p.clone().into_parts();
        parts.id = format!("P{i:06}").parse().unwrap();
        *p = Passage::new(parts).unwrap();
    }
    passages
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// A time held by its wall clock in China answers as chrono does for
    /// the same instant: date, timestamp, text, order.
    #[test]
    fn cst_times_agree_with_chrono(a in -2_000_000_000_i64..4_000_000_000, b in -2_000_000_000_i64..4_000_000_000) {
        let at = |s: i64| chrono::DateTime::from_timestamp(s, 0).unwrap();
        let (x, y) = (CstDateTime::from_datetime(&at(a)), CstDateTime::from_datetime(&at(b)));
        let fixed = at(a).with_timezone(&etc_invoice_order::cst());
        prop_assert_eq!(x.timestamp(), a);
        prop_assert_eq!(x.date(), fixed.date_naive());
        prop_assert_eq!(x.as_datetime(), fixed);
        prop_assert_eq!(x.to_utc(), at(a));
        prop_assert_eq!(x.to_string().parse::<CstDateTime>().unwrap(), x);
        prop_assert_eq!(x.cmp(&y), a.cmp(&b));
        prop_assert_eq!(x.checked_add(chrono::TimeDelta::seconds(b - a)), Some(y));
    }

    #[test]
    fn money_round_trips(m in any_money()) {
        prop_assert_eq!(m.to_string().parse::<Money>().unwrap(), m);
        let json = serde_json::to_string(&m).unwrap();
        prop_assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m);
        prop_assert_eq!(Money::try_from_fen(m.to_fen()).unwrap(), m);
    }

    /// The whole-fen arithmetic agrees with decimal arithmetic, and the
    /// result is at scale 2, like every other amount.
    #[test]
    fn fen_arithmetic_matches_decimals(a in any_money(), b in any_money()) {
        let exact = a.as_decimal().checked_add(b.as_decimal()).unwrap();
        match a.checked_add(b) {
            Ok(sum) => {
                prop_assert_eq!(sum.as_decimal(), exact);
                prop_assert_eq!(sum.as_decimal().scale(), 2);
            }
            Err(_) => prop_assert!(Money::from_decimal(exact).is_err()),
        }
        let exact = a.as_decimal().checked_sub(b.as_decimal()).unwrap();
        match a.checked_sub(b) {
            Ok(diff) => prop_assert_eq!(diff.as_decimal(), exact),
            Err(_) => prop_assert!(Money::from_decimal(exact).is_err()),
        }
        let f = Money::from_fen(a.to_fen());
        prop_assert_eq!(f, a);
        prop_assert_eq!(f.as_decimal().scale(), 2);
        prop_assert_eq!(f.to_string(), a.to_string());
    }

    #[test]
    fn near_miss_amounts_are_rejected(s in invalid_money_strings()) {
        prop_assert!(s.parse::<Money>().is_err(), "{}", s);
    }

    #[test]
    fn any_string_is_safe_to_parse_as_money(s in "\\PC{0,40}") {
        let _ = s.parse::<Money>();
    }

    #[test]
    fn sums_do_not_depend_on_order(mut v in prop::collection::vec(any_money(), 0..50)) {
        let a = Money::checked_sum(v.iter().copied());
        v.reverse();
        let b = Money::checked_sum(v.iter().copied());
        // Partial sums can overflow in one order and not in the other only
        // at the range limit; where both succeed they agree.
        if let (Ok(a), Ok(b)) = (a, b) {
            prop_assert_eq!(a, b);
        }
    }

    #[test]
    fn passages_round_trip_through_json(p in passage()) {
        let json = serde_json::to_string(&p).unwrap();
        prop_assert_eq!(serde_json::from_str::<Passage>(&json).unwrap(), p);
    }

    #[test]
    fn passages_round_trip_through_csv(ps in prop::collection::vec(passage(), 0..12)) {
        let ps = distinct(ps);
        let bytes = csv_of(&ps);
        let back: Vec<Passage> = PassageCsvReader::new(bytes.as_slice()).collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(&back, &ps);
        prop_assert_eq!(csv_of(&back), bytes);
    }

    #[test]
    fn records_round_trip_through_json_lines(
        ps in prop::collection::vec(passage(), 0..5),
        ts in prop::collection::vec(top_up(), 0..5),
    ) {
        let records: Vec<Record> = ps.into_iter().map(Record::Passage).chain(ts.into_iter().map(Record::TopUp)).collect();
        let mut w = JsonLinesWriter::new(Vec::new());
        for r in &records {
            w.write(r).unwrap();
        }
        let bytes = w.into_inner().unwrap();
        let back: Vec<Record> = JsonLinesReader::new(bytes.as_slice()).collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(back, records);
    }

    #[test]
    fn csv_reader_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        for item in PassageCsvReader::new(bytes.as_slice()) {
            let _ = item;
        }
    }

    #[test]
    fn csv_reader_never_panics_on_mangled_files(ps in prop::collection::vec(passage(), 1..4), cut in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut bytes = csv_of(&distinct(ps));
        let i = cut.index(bytes.len());
        bytes[i] = byte;
        let total: usize = PassageCsvReader::new(bytes.as_slice()).count();
        prop_assert!(total <= bytes.len());
    }

    #[test]
    fn json_lines_reader_never_panics(s in "\\PC{0,300}") {
        for item in JsonLinesReader::new(s.as_bytes()) {
            let _ = item;
        }
    }

    #[test]
    fn statistics_conserve_money_and_ignore_order(ps in prop::collection::vec(passage(), 0..20)) {
        let stats = Statistics::of_passages(&ps).unwrap();
        let total = Money::checked_sum(ps.iter().map(Passage::total_charged)).unwrap();
        prop_assert_eq!(stats.passages.amount, total);
        prop_assert_eq!(stats.passages.count, ps.len() as u64);
        for breakdown in [
            Money::checked_sum(stats.by_operator.values().map(|t| t.amount)).unwrap(),
            Money::checked_sum(stats.by_province.values().map(|t| t.amount)).unwrap(),
            Money::checked_sum(stats.by_funding.values().map(|t| t.amount)).unwrap(),
        ] {
            prop_assert_eq!(breakdown, total);
        }
        prop_assert_eq!(Money::checked_sum(stats.by_month.values().map(|t| t.amount)).unwrap(), total);
        prop_assert_eq!(Money::checked_sum(stats.by_vehicle.values().map(|t| t.amount)).unwrap(), total);
        let mut rev = ps.clone();
        rev.reverse();
        prop_assert_eq!(Statistics::of_passages(&rev).unwrap(), stats);
    }

    #[test]
    fn segments_keep_their_invariant(p in passage()) {
        for s in p.segments() {
            prop_assert_eq!(s.receivable().checked_sub(s.discount()).unwrap(), s.charged());
            prop_assert!(!s.charged().is_negative());
        }
        prop_assert!(p.entry().is_none_or(|e| e.time <= p.exit().time));
        prop_assert_eq!(p.billing_month(), p.exit().time.billing_month());
    }
}
