//! Strategies for the identifier types: plates, vehicle ids and classes,
//! cards and OBUs, credit codes and taxpayer ids, and personal data.
//!
//! Every `xxx()` strategy yields valid values of every shape the type
//! accepts; every `invalid_xxx_strings()` strategy yields near misses —
//! a valid value with one character changed or one part broken — that the
//! parser must reject.

use proptest::prelude::*;
use proptest::sample::{Index, select};

use crate::personal::resident_check_char;
use crate::uscc::{ALPHABET, gb11714_check_char, uscc_check_char};
use crate::{
    BankAccount, CardNumber, CardType, Email, IdNumber, IdType, ObuId, PhoneNumber, PlateColor,
    PlateKind, PlateNumber, Province, TaxpayerId, Uscc, VehicleClass, VehicleId,
};

const DIGITS: &[char] = &['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/// Letters allowed in a plate sequence: `A`–`Z` except `I` and `O`.
const SEQUENCE_LETTERS: &[char] = &[
    'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'J', 'K', 'L', 'M', 'N', 'P', 'Q', 'R', 'S', 'T', 'U',
    'V', 'W', 'X', 'Y', 'Z',
];

/// Issuing-authority letters: `A`–`Z` except `I`.
const AUTHORITY_LETTERS: &[char] = &[
    'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'J', 'K', 'L', 'M', 'N', 'O', 'P', 'Q', 'R', 'S', 'T',
    'U', 'V', 'W', 'X', 'Y', 'Z',
];

/// New-energy letters: `A`–`K` except `I`.
const NEW_ENERGY_LETTERS: &[char] = &['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'J', 'K'];

fn digit() -> impl Strategy<Value = char> {
    select(DIGITS)
}

fn digits(n: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(digit(), n).prop_map(|v| v.into_iter().collect())
}

/// A digit or a sequence letter.
fn sequence_char() -> impl Strategy<Value = char> {
    prop_oneof![digit(), select(SEQUENCE_LETTERS)]
}

fn sequence(n: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(sequence_char(), n).prop_map(|v| v.into_iter().collect())
}

/// Any of the 31 provinces.
pub fn province() -> impl Strategy<Value = Province> {
    select(Province::ALL.as_slice())
}

/// A province abbreviation and an authority letter, never `粤Z` (kept for
/// cross-border plates).
fn plate_prefix() -> impl Strategy<Value = String> {
    (province(), select(AUTHORITY_LETTERS)).prop_map(|(p, a)| {
        let a = if p == Province::Guangdong && a == 'Z' {
            'B'
        } else {
            a
        };
        format!("{}{a}", p.abbreviation())
    })
}

/// Any plate kind.
pub fn plate_kind() -> impl Strategy<Value = PlateKind> {
    select(PlateKind::ALL)
}

/// The text of a valid plate of `kind`, in upper case.
pub fn plate_string_of_kind(kind: PlateKind) -> BoxedStrategy<String> {
    match kind {
        PlateKind::Ordinary => (
            plate_prefix(),
            digits(5),
            proptest::collection::vec((0..5usize, select(SEQUENCE_LETTERS)), 0..=2),
        )
            .prop_map(|(prefix, digits, letters)| {
                let mut seq: Vec<char> = digits.chars().collect();
                for (i, letter) in letters {
                    if let Some(slot) = seq.get_mut(i) {
                        *slot = letter;
                    }
                }
                format!("{prefix}{}", seq.into_iter().collect::<String>())
            })
            .boxed(),
        PlateKind::NewEnergySmall => (
            plate_prefix(),
            select(NEW_ENERGY_LETTERS),
            sequence_char(),
            digits(4),
        )
            .prop_map(|(prefix, first, second, rest)| format!("{prefix}{first}{second}{rest}"))
            .boxed(),
        PlateKind::NewEnergyLarge => (plate_prefix(), digits(5), select(NEW_ENERGY_LETTERS))
            .prop_map(|(prefix, digits, last)| format!("{prefix}{digits}{last}"))
            .boxed(),
        PlateKind::HongKong | PlateKind::Macau => {
            let suffix = kind.suffix().unwrap_or('港');
            sequence(4)
                .prop_map(move |seq| format!("粤Z{seq}{suffix}"))
                .boxed()
        }
        PlateKind::Embassy => digits(6).prop_map(|d| format!("{d}使")).boxed(),
        PlateKind::Consulate => (province(), digits(4), sequence_char())
            .prop_map(|(p, d, last)| format!("{}{d}{last}领", p.abbreviation()))
            .boxed(),
        PlateKind::Trailer
        | PlateKind::Coach
        | PlateKind::Police
        | PlateKind::Test
        | PlateKind::Oversize => {
            let suffix = kind.suffix().unwrap_or('挂');
            (plate_prefix(), sequence(4))
                .prop_map(move |(prefix, seq)| format!("{prefix}{seq}{suffix}"))
                .boxed()
        }
    }
}

/// A valid plate of `kind`.
pub fn plate_number_of_kind(kind: PlateKind) -> impl Strategy<Value = PlateNumber> {
    plate_string_of_kind(kind).prop_filter_map("valid by construction", |s| s.parse().ok())
}

/// A valid plate of any kind (kinds equally likely).
pub fn plate_number() -> impl Strategy<Value = PlateNumber> {
    plate_kind().prop_flat_map(plate_number_of_kind)
}

/// The text of a valid plate with its ASCII letters in random case; it
/// parses to the upper-case plate.
pub fn mixed_case_plate_strings() -> impl Strategy<Value = String> {
    (plate_number(), proptest::collection::vec(any::<bool>(), 9)).prop_map(|(p, lower)| {
        p.as_str()
            .chars()
            .zip(lower.into_iter().chain(std::iter::repeat(false)))
            .map(|(c, l)| if l { c.to_ascii_lowercase() } else { c })
            .collect()
    })
}

/// Replaces the character at `index` (taken modulo the length) of `s`;
/// returns the 0-based index replaced and the new text.
fn replace_char(s: &str, index: &Index, replacement: char) -> (usize, String) {
    let n = s.chars().count().max(1);
    let i = index.index(n);
    let out = s
        .chars()
        .enumerate()
        .map(|(j, c)| if j == i { replacement } else { c })
        .collect();
    (i, out)
}

/// A valid plate with one character replaced by one that can never stand
/// there (`I` anywhere, `O` after the authority letter, punctuation, a
/// space, full-width or Chinese characters that are neither a province
/// nor a suffix).
pub fn invalid_plate_strings() -> impl Strategy<Value = String> {
    (
        plate_number(),
        any::<Index>(),
        select(&['I', 'O', '-', ' ', '假', '·', 'i', '０'][..]),
    )
        .prop_map(|(plate, index, bad)| {
            let (i, s) = replace_char(plate.as_str(), &index, bad);
            // `O` is an authority letter: never put it there.
            if i == 1 && bad == 'O' {
                replace_char(plate.as_str(), &index, 'I').1
            } else {
                s
            }
        })
}

/// Any plate colour.
pub fn plate_color() -> impl Strategy<Value = PlateColor> {
    select(PlateColor::ALL)
}

/// Any vehicle class.
pub fn vehicle_class() -> impl Strategy<Value = VehicleClass> {
    select(VehicleClass::ALL)
}

/// A valid vehicle id: any plate with any colour.
pub fn vehicle_id() -> impl Strategy<Value = VehicleId> {
    (plate_number(), plate_color()).prop_map(|(p, c)| VehicleId::new(p, c))
}

/// A valid plate joined to an unknown or non-numeric colour code, or with
/// no separator.
pub fn invalid_vehicle_id_strings() -> impl Strategy<Value = String> {
    (
        plate_number(),
        select(&["8", "10", "13", "99", "01", "", "蓝", " 1", "1 "][..]),
        any::<bool>(),
    )
        .prop_map(|(plate, color, separator)| {
            if separator {
                format!("{plate}_{color}")
            } else {
                format!("{plate}1")
            }
        })
}

/// A valid card number of any province.
pub fn card_number() -> impl Strategy<Value = CardNumber> {
    card_number_of(province())
}

/// A valid card number issued in one of the provinces `provinces` yields.
pub fn card_number_of(
    provinces: impl Strategy<Value = Province>,
) -> impl Strategy<Value = CardNumber> {
    (provinces, digits(16)).prop_filter_map("valid by construction", |(p, d)| {
        format!("{}{d}", p.network_code()).parse().ok()
    })
}

/// A valid card number with one digit replaced by a non-digit, an unknown
/// network code, or one digit too many or too few.
pub fn invalid_card_number_strings() -> impl Strategy<Value = String> {
    (
        card_number(),
        any::<Index>(),
        select(&['A', 'x', '-', ' ', '０', '粤'][..]),
        0..4u8,
        select(&["0000", "9901", "4402", "7101", "8101", "1100"][..]),
    )
        .prop_map(|(card, index, bad, how, code)| match how {
            0 => replace_char(card.as_str(), &index, bad).1,
            1 => format!("{code}{}", card.internal_number()),
            2 => format!("{card}{}", index.index(10)),
            _ => card.as_str().get(1..).unwrap_or_default().to_owned(),
        })
}

/// Any card type.
pub fn card_type() -> impl Strategy<Value = CardType> {
    select(CardType::ALL)
}

/// A valid OBU id of 16 or 20 digits.
pub fn obu_id() -> impl Strategy<Value = ObuId> {
    prop_oneof![digits(16), digits(20)].prop_filter_map("valid by construction", |s| s.parse().ok())
}

/// A character of the credit-code alphabet.
fn uscc_char() -> impl Strategy<Value = char> {
    select(ALPHABET.as_slice()).prop_map(char::from)
}

/// The text of a nine-character organisation code over the credit-code
/// alphabet whose GB 11714 check character is right (`valid`) or wrong.
fn organisation_code_string(valid: bool) -> impl Strategy<Value = String> {
    (
        proptest::collection::vec(uscc_char(), 8),
        select(&['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'X'][..]),
    )
        .prop_map(move |(body, other)| {
            let body: String = body.into_iter().collect();
            let check = gb11714_check_char(body.as_bytes()).unwrap_or('0');
            let check = match (valid, other == check) {
                (true, _) => check,
                (false, false) => other,
                (false, true) if check == '0' => '1',
                (false, true) => '0',
            };
            format!("{body}{check}")
        })
}

fn uscc_with_organisation_code(valid: bool) -> impl Strategy<Value = Uscc> {
    (
        uscc_char(),
        uscc_char(),
        prop_oneof![
            (province(), digits(4)).prop_map(|(p, d)| format!("{}{d}", p.gb2260_prefix())),
            digits(6),
        ],
        organisation_code_string(valid),
    )
        .prop_filter_map("valid by construction", |(a, c, division, org)| {
            let first17 = format!("{a}{c}{division}{org}");
            let check = uscc_check_char(&first17)?;
            format!("{first17}{check}").parse().ok()
        })
}

/// A valid unified social credit code with any registration authority and
/// category, a division code (mostly of a province), and an organisation
/// code that passes its own check.
pub fn uscc() -> impl Strategy<Value = Uscc> {
    uscc_with_organisation_code(true)
}

/// A unified social credit code that passes its own check but whose
/// embedded organisation code fails the GB 11714 check: it parses, and
/// [`Uscc::organisation_code_check`] reports it.
pub fn uscc_with_bad_organisation_code() -> impl Strategy<Value = Uscc> {
    uscc_with_organisation_code(false)
}

/// A valid credit code with one character changed: to another character
/// of the alphabet (which the check always catches, since every weight is
/// non-zero modulo the prime 31), or to one outside it.
pub fn invalid_uscc_strings() -> impl Strategy<Value = String> {
    (
        uscc(),
        any::<Index>(),
        prop_oneof![
            uscc_char(),
            select(&['I', 'O', 'S', 'V', 'Z', '-', ' ', '统'][..])
        ],
    )
        .prop_map(|(code, index, replacement)| {
            let (i, s) = replace_char(code.as_str(), &index, replacement);
            if s != code.as_str() {
                return s;
            }
            // The same character was drawn: take the next one of the alphabet.
            let original = code.as_str().as_bytes().get(i).copied().unwrap_or(b'0');
            let next = ALPHABET
                .iter()
                .position(|&b| b == original)
                .and_then(|p| ALPHABET.get((p + 1) % ALPHABET.len()))
                .copied()
                .unwrap_or(b'I');
            replace_char(code.as_str(), &index, char::from(next)).1
        })
}

/// The text of a legacy taxpayer id: 15, 17 or 20 digits and upper-case letters.
pub fn legacy_taxpayer_id_string() -> impl Strategy<Value = String> {
    select(&[15usize, 17, 20][..]).prop_flat_map(|n| {
        proptest::collection::vec(prop_oneof![3 => digit(), 1 => select(SEQUENCE_LETTERS)], n)
            .prop_map(|v| v.into_iter().collect::<String>())
    })
}

/// A valid taxpayer id: a credit code or a legacy id.
pub fn taxpayer_id() -> impl Strategy<Value = TaxpayerId> {
    prop_oneof![
        uscc().prop_map(TaxpayerId::from),
        legacy_taxpayer_id_string().prop_filter_map("valid by construction", |s| s.parse().ok()),
    ]
}

/// A valid mainland mobile or landline number.
pub fn phone_number() -> impl Strategy<Value = PhoneNumber> {
    prop_oneof![
        (select(&['3', '4', '5', '6', '7', '8', '9'][..]), digits(9))
            .prop_map(|(second, rest)| format!("1{second}{rest}")),
        (
            prop_oneof![digits(1), digits(2)],
            select(&['1', '2', '3', '4', '5', '6', '7', '8', '9'][..]),
            prop_oneof![digits(7), digits(8)]
        )
            .prop_map(|(area, first, subscriber)| format!("0{first}{area}-{subscriber}")),
    ]
    .prop_filter_map("valid by construction", |s| s.parse().ok())
}

/// A mobile number made wrong: the second digit 0–2, a digit too many or
/// too few, or a space inside.
pub fn invalid_phone_strings() -> impl Strategy<Value = String> {
    (digits(9), select(&['0', '1', '2'][..]), 0..4u8).prop_map(|(rest, second, how)| match how {
        0 => format!("1{second}{rest}"),
        1 => format!("13{rest}0"),
        2 => format!("13{}", rest.get(1..).unwrap_or_default()),
        _ => format!("138 {rest}"),
    })
}

/// A valid email address.
pub fn email() -> impl Strategy<Value = Email> {
    (
        "[a-zA-Z0-9._%+-]{1,20}",
        "[a-z0-9-]{1,15}",
        proptest::collection::vec("[a-z]{2,6}", 1..=2),
    )
        .prop_filter_map("valid by construction", |(local, host, labels)| {
            format!("{local}@{host}.{}", labels.join(".")).parse().ok()
        })
}

/// Any id type.
pub fn id_type() -> impl Strategy<Value = IdType> {
    select(IdType::ALL)
}

/// The text of a valid 18-character resident id number.
pub fn resident_id_string() -> impl Strategy<Value = String> {
    (
        (province(), digits(4)).prop_map(|(p, d)| format!("{}{d}", p.gb2260_prefix())),
        1900i32..2030,
        1u32..=12,
        1u32..=28,
        digits(3),
    )
        .prop_map(|(area, year, month, day, seq)| {
            let first17 = format!("{area}{year:04}{month:02}{day:02}{seq}");
            let check = resident_check_char(first17.as_bytes());
            format!("{first17}{check}")
        })
}

/// A resident id number with its check character changed, or with a birth
/// date that does not exist (month 13).
pub fn invalid_resident_id_strings() -> impl Strategy<Value = String> {
    const CHECKS: &[char] = &['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'X'];
    (resident_id_string(), 0..10usize, any::<bool>()).prop_map(|(id, shift, date)| {
        if date {
            return id
                .chars()
                .enumerate()
                .map(|(i, c)| match i {
                    10 => '1',
                    11 => '3',
                    _ => c,
                })
                .collect();
        }
        let first17: String = id.chars().take(17).collect();
        let last = id.chars().nth(17).unwrap_or('0');
        let p = CHECKS.iter().position(|&c| c == last).unwrap_or(0);
        let wrong = CHECKS.get((p + 1 + shift) % 11).copied().unwrap_or('0');
        format!("{first17}{wrong}")
    })
}

/// A valid id number of `id_type`.
pub fn id_number_of_type(id_type: IdType) -> BoxedStrategy<IdNumber> {
    let number: BoxedStrategy<String> = match id_type {
        IdType::ResidentId => resident_id_string().boxed(),
        IdType::UsccCertificate => uscc().prop_map(String::from).boxed(),
        IdType::OrganisationCode => (organisation_code_string(true), any::<bool>())
            .prop_map(|(code, hyphen)| match (hyphen, code.split_at_checked(8)) {
                (true, Some((body, check))) => format!("{body}-{check}"),
                _ => code,
            })
            .boxed(),
        _ => "[A-Z0-9]{6,18}".boxed(),
    };
    number
        .prop_filter_map("valid by construction", move |n| {
            IdNumber::new(id_type, &n).ok()
        })
        .boxed()
}

/// A valid id number of any type.
pub fn id_number() -> impl Strategy<Value = IdNumber> {
    id_type().prop_flat_map(id_number_of_type)
}

/// A valid bank account number of 8 to 32 digits.
pub fn bank_account() -> impl Strategy<Value = BankAccount> {
    (8usize..=32)
        .prop_flat_map(digits)
        .prop_filter_map("valid by construction", |s| s.parse().ok())
}

/// The text of a valid bank account number written in groups of four
/// separated by single spaces.
pub fn grouped_bank_account_strings() -> impl Strategy<Value = String> {
    bank_account().prop_map(|a| {
        let digits: Vec<char> = a.as_str().chars().collect();
        digits
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// A bank account number with a non-digit, a double space, a leading or
/// trailing space, or too few digits.
pub fn invalid_bank_account_strings() -> impl Strategy<Value = String> {
    (bank_account(), any::<Index>(), 0..5u8).prop_map(|(a, index, how)| {
        let s = a.as_str();
        match how {
            0 => replace_char(s, &index, 'A').1,
            1 => format!(
                "{}  {}",
                s.get(..4).unwrap_or_default(),
                s.get(4..).unwrap_or_default()
            ),
            2 => format!(" {s}"),
            3 => format!("{s} "),
            _ => s.get(..index.index(8)).unwrap_or_default().to_owned(),
        }
    })
}
