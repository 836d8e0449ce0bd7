//! The identifier newtypes: test vectors, hand-picked cases and proptests.

use std::collections::BTreeSet;
use std::fmt::Debug;

use etc_invoice_order::{
    BankAccount, CardError, CardNumber, CardType, CardTypeError, Email, IdNumber, IdType,
    IdTypeError, ObuId, ObuIdError, OrganisationCodeError, PersonalDataError, PhoneNumber,
    PlateColor, PlateColorError, PlateError, PlateKind, PlateKindError, PlateNumber, Province,
    TaxpayerId, TaxpayerIdError, Uscc, UsccError, VehicleClass, VehicleClassError, VehicleId,
    VehicleIdError,
};
use proptest::prelude::*;

const PLATES_VALID: &str = include_str!("../vectors/plates_valid.txt");
const PLATES_INVALID: &str = include_str!("../vectors/plates_invalid.txt");
const USCC_VALID: &str = include_str!("../vectors/uscc_valid.txt");
const USCC_INVALID: &str = include_str!("../vectors/uscc_invalid.txt");

/// The data lines of a vector file, split at tabs.
fn vector_lines(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').collect())
}

#[test]
fn public_types_are_send_sync_debug() {
    fn check<T: Send + Sync + Debug>() {}
    fn error<T: Send + Sync + Debug + std::error::Error + 'static>() {}
    check::<PlateNumber>();
    check::<PlateKind>();
    check::<PlateColor>();
    check::<VehicleId>();
    check::<VehicleClass>();
    check::<CardNumber>();
    check::<CardType>();
    check::<ObuId>();
    check::<Uscc>();
    check::<TaxpayerId>();
    check::<PhoneNumber>();
    check::<Email>();
    check::<IdType>();
    check::<IdNumber>();
    check::<BankAccount>();
    error::<PlateError>();
    error::<PlateKindError>();
    error::<PlateColorError>();
    error::<VehicleIdError>();
    error::<VehicleClassError>();
    error::<CardError>();
    error::<CardTypeError>();
    error::<ObuIdError>();
    error::<UsccError>();
    error::<OrganisationCodeError>();
    error::<TaxpayerIdError>();
    error::<PersonalDataError>();
    error::<IdTypeError>();
}

#[test]
fn plate_vectors_valid() {
    let mut kinds = BTreeSet::new();
    let mut count = 0;
    for fields in vector_lines(PLATES_VALID) {
        let [plate, kind, ..] = fields.as_slice() else {
            panic!("bad vector line {fields:?}");
        };
        let kind_name = kind.split_whitespace().next().unwrap();
        let expected: PlateKind = kind_name.parse().unwrap();
        let p: PlateNumber = plate
            .parse()
            .unwrap_or_else(|e| panic!("{plate} should be valid: {e}"));
        assert_eq!(p.kind(), expected, "{plate}");
        assert_eq!(p.as_str(), *plate);
        assert_eq!(
            p.province().is_none(),
            expected == PlateKind::Embassy,
            "{plate}"
        );
        kinds.insert(expected);
        count += 1;
    }
    assert_eq!(count, 15);
    assert!(kinds.len() >= 6);
}

#[test]
fn plate_vectors_invalid() {
    let mut count = 0;
    for fields in vector_lines(PLATES_INVALID) {
        let [plate, reason, ..] = fields.as_slice() else {
            panic!("bad vector line {fields:?}");
        };
        let err = plate
            .parse::<PlateNumber>()
            .expect_err(&format!("{plate} ({reason}) should be rejected"));
        assert_eq!(err.input(), *plate);
        assert!(err.to_string().contains(plate), "{err}");
        count += 1;
    }
    assert_eq!(count, 19);
}

#[test]
fn plate_vector_reasons() {
    // The reasons given in the invalid file, checked one by one.
    let e = |s: &str| s.parse::<PlateNumber>().unwrap_err();
    let at = |s: &str| {
        let err = e(s);
        match err {
            PlateError::Char { position, ch, .. } => (position, ch),
            other => panic!("{s}: {other:?}"),
        }
    };
    assert!(matches!(
        e("假E12345"),
        PlateError::Province { ch: '假', .. }
    ));
    assert_eq!(at("粤E1234+"), (7, '+'));
    assert_eq!(at("粤E12O3"), (5, 'O'));
    assert_eq!(
        e("粤E12I3").to_string(),
        "`I` at position 5 of `粤E12I3` is not allowed in a plate sequence"
    );
    assert_eq!(at("粤E12O34"), (5, 'O'));
    assert_eq!(at("粤E1I234"), (4, 'I'));
    assert_eq!(at("粤ED1A234"), (5, 'A'));
    assert_eq!(at("粤EZ12345"), (3, 'Z'));
    assert_eq!(at("粤E1234DD"), (7, 'D'));
    assert_eq!(at("粤ED1234D"), (8, 'D'));
    for z in ["粤Z0000警", "粤Z0000挂", "粤Z0000超"] {
        assert!(matches!(e(z), PlateError::GuangdongZ { .. }), "{z}");
    }
    for nev in ["粤ED12345挂", "粤ED12345超"] {
        assert!(
            matches!(e(nev), PlateError::NewEnergySuffix { position: 9, .. }),
            "{nev}"
        );
    }
    assert_eq!(at("22457A使"), (6, 'A'));
    assert_eq!(at("沪22-78领"), (4, '-'));
    assert_eq!(at("沪2247I领"), (6, 'I'));
    assert!(matches!(
        e("浙苏H6F681"),
        PlateError::Authority { ch: '苏', .. }
    ));
}

#[test]
fn plates_more_cases() {
    for (plate, kind) in [
        ("京A00000", PlateKind::Ordinary),
        ("京AZZ000", PlateKind::Ordinary),
        ("新Q1Y2B3", PlateKind::Ordinary),
        ("藏AAB123", PlateKind::Ordinary),
        ("青O00000", PlateKind::Ordinary),
        ("渝O12345", PlateKind::Ordinary),
        ("黑AF00000", PlateKind::NewEnergySmall),
        ("琼ADA0000", PlateKind::NewEnergySmall),
        ("宁A00000K", PlateKind::NewEnergyLarge),
        ("川A0000挂", PlateKind::Trailer),
        ("鲁B1234学", PlateKind::Coach),
        ("苏A0001警", PlateKind::Police),
        ("浙AA123试", PlateKind::Test),
        ("湘A1234超", PlateKind::Oversize),
        ("粤Z12AB港", PlateKind::HongKong),
        ("粤ZAB12澳", PlateKind::Macau),
        ("000001使", PlateKind::Embassy),
        ("京1234A领", PlateKind::Consulate),
    ] {
        let p: PlateNumber = plate.parse().unwrap_or_else(|e| panic!("{plate}: {e}"));
        assert_eq!(p.kind(), kind, "{plate}");
        assert_eq!(
            p.kind().suffix(),
            plate.chars().last().filter(|c| !c.is_ascii())
        );
    }
    for plate in [
        "京A12345 ",
        " 京A12345",
        "京A1234",
        "京A1234567",
        "京AABC12",
        "京A12345I",
        "粤Z1234",
        "京Z1234港",
        "京A1234使",
        "1234567使",
        "京A123456挂",
        "京A12挂34",
        "京AI2345",
        "京I12345",
        "京A12345\n",
        "京A·12345",
        "京Ａ12345",
        "港A12345",
        "使A12345",
    ] {
        let err = plate.parse::<PlateNumber>().expect_err(plate);
        assert!(
            err.position().is_some() || matches!(err, PlateError::Length { .. }),
            "{plate}: {err}"
        );
    }
    let p: PlateNumber = "京a12345".parse().unwrap();
    assert_eq!(p.as_str(), "京A12345");
}

#[test]
fn uscc_vectors_valid() {
    let mut count = 0;
    for fields in vector_lines(USCC_VALID) {
        let [code, ..] = fields.as_slice() else {
            panic!("bad vector line {fields:?}");
        };
        let u: Uscc = code
            .parse()
            .unwrap_or_else(|e| panic!("{code} should be valid: {e}"));
        assert_eq!(u.as_str(), *code);
        assert_eq!(
            format!(
                "{}{}{}{}{}",
                u.registration_authority(),
                u.organisation_category(),
                u.division_code(),
                u.organisation_code(),
                u.check_char()
            ),
            *code
        );
        assert!(u.province().is_some(), "{code}");
        let lower: Uscc = code.to_ascii_lowercase().parse().unwrap();
        assert_eq!(lower, u);
        let t: TaxpayerId = code.parse().unwrap();
        assert_eq!(t.as_uscc(), Some(&u));
        count += 1;
    }
    assert_eq!(count, 101);
}

#[test]
fn uscc_vectors_invalid() {
    let mut count = 0;
    for fields in vector_lines(USCC_INVALID) {
        let [code, verdict, ..] = fields.as_slice() else {
            panic!("bad vector line {fields:?}");
        };
        let err = code
            .parse::<Uscc>()
            .expect_err(&format!("{code} should be rejected"));
        let expected_kind = match *verdict {
            "InvalidLength" => matches!(err, UsccError::Length { .. }),
            "InvalidFormat" => matches!(err, UsccError::Char { .. }),
            "InvalidChecksum" => matches!(err, UsccError::Checksum { .. }),
            other => panic!("unknown verdict {other}"),
        };
        assert!(expected_kind, "{code}: {verdict} but got {err:?}");
        assert!(code.parse::<TaxpayerId>().is_err());
        count += 1;
    }
    assert_eq!(count, 3);
}

#[test]
fn uscc_organisation_code_check_on_vectors() {
    // The published codes all pass the inner GB 11714 check as well.
    let failing: Vec<String> = vector_lines(USCC_VALID)
        .filter_map(|f| f.first().map(|c| c.parse::<Uscc>().unwrap()))
        .filter(|u| u.organisation_code_check().is_err())
        .map(|u| u.to_string())
        .collect();
    assert!(failing.is_empty(), "{failing:?}");
}

#[test]
fn uscc_authorities_beyond_python_stdnum() {
    // GB 32100 allows A, N and Y; a code built for each parses.
    for a in ['1', '5', '9', 'A', 'N', 'Y'] {
        let first17 = format!("{a}1440300715267267");
        let check = "0123456789ABCDEFGHJKLMNPQRTUWXY"
            .chars()
            .find(|c| format!("{first17}{c}").parse::<Uscc>().is_ok())
            .unwrap_or_else(|| panic!("no check char for {first17}"));
        let u: Uscc = format!("{first17}{check}").parse().unwrap();
        assert_eq!(u.registration_authority(), a);
    }
}

#[test]
fn spreadsheet_truncation() {
    // Every all-digit code in the valid vectors, cut to 15 significant digits.
    let mut seen = 0;
    for fields in vector_lines(USCC_VALID) {
        let code = fields[0];
        if !code.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let truncated = format!("{}000", &code[..15]);
        if truncated == code {
            continue;
        }
        let err = truncated.parse::<Uscc>().unwrap_err();
        assert!(
            matches!(err, UsccError::Truncated { .. }),
            "{truncated}: {err}"
        );
        assert!(err.is_spreadsheet_damage());
        assert!(err.to_string().contains("15 significant digits"));
        seen += 1;
    }
    assert!(seen >= 3);
}

#[test]
fn cards_and_obus() {
    for p in Province::ALL {
        let c: CardNumber = format!("{}0000000000000001", p.network_code())
            .parse()
            .unwrap();
        assert_eq!(c.province(), p);
    }
    assert!(matches!(
        "44011234567890123456 ".parse::<CardNumber>(),
        Err(CardError::Char { position: 21, .. })
    ));
    assert_eq!(
        CardType::from_issuer_code("2").unwrap(),
        CardType::StoredValue
    );
    assert!("4401123456789012".parse::<ObuId>().is_ok());
    assert!("440112345678901".parse::<ObuId>().is_err());
}

#[test]
fn vehicles() {
    let v: VehicleId = "粤BD12345_4".parse().unwrap();
    assert_eq!(v.plate().kind(), PlateKind::NewEnergySmall);
    assert_eq!(v.color(), PlateColor::GradientGreen);
    assert_eq!(VehicleClass::from_code(16), Some(VehicleClass::Truck6));
    assert_eq!(VehicleClass::Truck6.invoice_label(), "货车");
}

#[test]
fn personal_data_debug_is_redacted() {
    let phone: PhoneNumber = "13812345678".parse().unwrap();
    let email: Email = "zhangsan@example.com".parse().unwrap();
    let id = IdNumber::new(IdType::ResidentId, "11010519491231002X").unwrap();
    let account: BankAccount = "6222021234567890".parse().unwrap();
    let debug = format!("{phone:?} {email:?} {id:?} {account:?}");
    for secret in ["1234", "zhangsan", "19491231", "62220212"] {
        assert!(!debug.contains(secret), "{debug} shows {secret}");
    }
    // Serialisation carries the real values: platforms need them.
    let json = serde_json::to_string(&(&phone, &email, &id, &account)).unwrap();
    assert_eq!(
        json,
        r#"["13812345678","zhangsan@example.com",{"idType":"101","number":"11010519491231002X"},"6222021234567890"]"#
    );
}

/// Parses `s` with every parser; none may panic.
fn parse_everything(s: &str) {
    let _ = s.parse::<PlateNumber>();
    let _ = s.parse::<PlateKind>();
    let _ = s.parse::<PlateColor>();
    let _ = s.parse::<VehicleId>();
    let _ = s.parse::<VehicleClass>();
    let _ = s.parse::<CardNumber>();
    let _ = s.parse::<CardType>();
    let _ = CardType::from_issuer_code(s);
    let _ = s.parse::<ObuId>();
    let _ = s.parse::<Uscc>();
    let _ = s.parse::<TaxpayerId>();
    let _ = s.parse::<PhoneNumber>();
    let _ = s.parse::<Email>();
    let _ = s.parse::<IdType>();
    for t in IdType::ALL {
        let _ = IdNumber::new(*t, s);
    }
    let _ = s.parse::<BankAccount>();
    let _ = serde_json::from_value::<PlateNumber>(serde_json::Value::String(s.to_owned()));
}

#[test]
fn hostile_inputs_never_panic() {
    let megabyte = "粤".repeat(350_000);
    let digits = "9".repeat(1 << 20);
    for s in [
        "",
        " ",
        "\0",
        "\u{FEFF}粤E12345",
        "🚗",
        "粤",
        "使",
        "_",
        "__",
        "@",
        "@@",
        "-",
        "0-",
        "1",
        megabyte.as_str(),
        digits.as_str(),
    ] {
        parse_everything(s);
    }
    // Long inputs are cut to 64 characters in messages.
    let err = megabyte.parse::<PlateNumber>().unwrap_err();
    assert_eq!(err.input().chars().count(), 64);
    assert!(err.to_string().chars().count() < 200);
    assert_eq!(digits.parse::<Uscc>().unwrap_err().input().len(), 64);
    assert_eq!(digits.parse::<TaxpayerId>().unwrap_err().input().len(), 64);
    assert_eq!(digits.parse::<CardNumber>().unwrap_err().input().len(), 64);
}

/// Round trips and near misses over the crate's own strategies (feature
/// `proptest`).
#[cfg(feature = "proptest")]
mod with_strategies {
    use etc_invoice_order::strategies::identifiers as strat;

    use super::*;

    proptest! {
        #[test]
        fn plate_round_trip(p in strat::plate_number()) {
            prop_assert_eq!(p.to_string().parse::<PlateNumber>().unwrap(), p.clone());
            let json = serde_json::to_string(&p).unwrap();
            prop_assert_eq!(serde_json::from_str::<PlateNumber>(&json).unwrap(), p);
        }

        #[test]
        fn plate_kinds_are_told_apart(
            (kind, p) in strat::plate_kind().prop_flat_map(|k| (Just(k), strat::plate_number_of_kind(k)))
        ) {
            prop_assert_eq!(p.kind(), kind);
            prop_assert_eq!(p.province().is_none(), kind == PlateKind::Embassy);
        }

        #[test]
        fn mixed_case_plates_normalise(s in strat::mixed_case_plate_strings()) {
            let p: PlateNumber = s.parse().unwrap();
            prop_assert_eq!(p.as_str(), s.to_ascii_uppercase());
        }

        #[test]
        fn near_miss_plates_are_rejected(s in strat::invalid_plate_strings()) {
            prop_assert!(s.parse::<PlateNumber>().is_err(), "{} parsed", s);
        }

        #[test]
        fn vehicle_round_trip(
            v in strat::vehicle_id(),
            c in strat::vehicle_class(),
            k in strat::plate_color(),
        ) {
            prop_assert_eq!(v.to_string().parse::<VehicleId>().unwrap(), v.clone());
            prop_assert_eq!(c.to_string().parse::<VehicleClass>().unwrap(), c);
            prop_assert_eq!(c.label().parse::<VehicleClass>().unwrap(), c);
            prop_assert_eq!(k.to_string().parse::<PlateColor>().unwrap(), k);
            let json = serde_json::to_string(&v).unwrap();
            prop_assert_eq!(serde_json::from_str::<VehicleId>(&json).unwrap(), v);
        }

        #[test]
        fn near_miss_vehicle_ids_are_rejected(s in strat::invalid_vehicle_id_strings()) {
            prop_assert!(s.parse::<VehicleId>().is_err(), "{} parsed", s);
        }

        #[test]
        fn card_round_trip(c in strat::card_number(), t in strat::card_type(), o in strat::obu_id()) {
            prop_assert_eq!(c.to_string().parse::<CardNumber>().unwrap(), c);
            prop_assert_eq!(c.network_code(), c.province().network_code());
            prop_assert_eq!(t.to_string().parse::<CardType>().unwrap(), t);
            prop_assert_eq!(o.to_string().parse::<ObuId>().unwrap(), o);
            let json = serde_json::to_string(&c).unwrap();
            prop_assert_eq!(serde_json::from_str::<CardNumber>(&json).unwrap(), c);
        }

        #[test]
        fn near_miss_cards_are_rejected(s in strat::invalid_card_number_strings()) {
            prop_assert!(s.parse::<CardNumber>().is_err(), "{} parsed", s);
        }

        #[test]
        fn uscc_round_trip(u in strat::uscc()) {
            prop_assert_eq!(u.to_string().parse::<Uscc>().unwrap(), u);
            prop_assert_eq!(u.as_str().to_ascii_lowercase().parse::<Uscc>().unwrap(), u);
            prop_assert!(u.organisation_code_check().is_ok());
            let json = serde_json::to_string(&u).unwrap();
            prop_assert_eq!(serde_json::from_str::<Uscc>(&json).unwrap(), u);
        }

        #[test]
        fn inner_check_is_separate(u in strat::uscc_with_bad_organisation_code()) {
            prop_assert!(u.to_string().parse::<Uscc>().is_ok());
            prop_assert!(u.organisation_code_check().is_err());
        }

        #[test]
        fn near_miss_usccs_are_rejected(s in strat::invalid_uscc_strings()) {
            prop_assert!(s.parse::<Uscc>().is_err(), "{} parsed", s);
            prop_assert!(s.parse::<TaxpayerId>().is_err(), "{} parsed", s);
        }

        #[test]
        fn taxpayer_round_trip(t in strat::taxpayer_id()) {
            prop_assert_eq!(t.to_string().parse::<TaxpayerId>().unwrap(), t.clone());
            prop_assert_eq!(t.is_legacy(), t.as_uscc().is_none());
            let json = serde_json::to_string(&t).unwrap();
            prop_assert_eq!(serde_json::from_str::<TaxpayerId>(&json).unwrap(), t);
        }

        #[test]
        fn personal_round_trip(
            p in strat::phone_number(),
            e in strat::email(),
            id in strat::id_number(),
            a in strat::bank_account(),
        ) {
            prop_assert_eq!(p.to_string().parse::<PhoneNumber>().unwrap(), p.clone());
            prop_assert_eq!(e.to_string().parse::<Email>().unwrap(), e.clone());
            let text = id.to_string();
            prop_assert_eq!(IdNumber::new(id.id_type(), &text).unwrap(), id.clone());
            prop_assert_eq!(a.to_string().parse::<BankAccount>().unwrap(), a.clone());
            let json = serde_json::to_string(&id).unwrap();
            prop_assert_eq!(serde_json::from_str::<IdNumber>(&json).unwrap(), id.clone());
            // Debug never shows the middle of the value.
            let (phone_debug, account_debug) = (format!("{p:?}"), format!("{a:?}"));
            prop_assert!(!phone_debug.contains(&p.as_str()[3..7]), "{}", phone_debug);
            prop_assert!(!account_debug.contains(a.as_str()), "{}", account_debug);
            prop_assert_eq!(format!("{e:?}"), format!("Email(***@{})", e.domain()));
        }

        #[test]
        fn grouped_bank_accounts_normalise(s in strat::grouped_bank_account_strings()) {
            let a: BankAccount = s.parse().unwrap();
            prop_assert_eq!(a.as_str(), s.replace(' ', ""));
        }

        #[test]
        fn near_miss_personal_data_is_rejected(
            phone in strat::invalid_phone_strings(),
            resident in strat::invalid_resident_id_strings(),
            account in strat::invalid_bank_account_strings(),
        ) {
            prop_assert!(phone.parse::<PhoneNumber>().is_err(), "{} parsed", phone);
            prop_assert!(IdNumber::new(IdType::ResidentId, &resident).is_err(), "{} parsed", resident);
            prop_assert!(account.parse::<BankAccount>().is_err(), "{} parsed", account);
        }

        #[test]
        fn resident_ids_parse(s in strat::resident_id_string()) {
            prop_assert!(IdNumber::new(IdType::ResidentId, &s).is_ok(), "{}", s);
        }
    }
}

proptest! {
    #[test]
    fn arbitrary_strings_never_panic(s in any::<String>()) {
        parse_everything(&s);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        parse_everything(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn plate_like_strings_never_panic(s in "[粤京沪港澳使领挂学警试超0-9A-Za-z_ -]{0,12}") {
        parse_everything(&s);
        if let Ok(p) = s.parse::<PlateNumber>() {
            prop_assert_eq!(p.as_str(), s.to_ascii_uppercase());
        }
    }
}
