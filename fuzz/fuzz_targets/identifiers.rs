//! Every identifier and code parsed from arbitrary text: no panic, and what
//! parses survives its text form and its JSON form unchanged.
#![no_main]

use std::fmt::{Debug, Display};
use std::str::FromStr;

use etc_invoice::order::{
    BankAccount, BillingMonth, CardNumber, CardType, CstDateTime, DocumentKind, Email, Funding,
    IdType, Medium, Money, Name, ObuId, OperatorId, PhoneNumber, PlateColor, PlateKind,
    PlateNumber, Province, RoadKind, StatementLineKind, TaxMethod, TaxRate, TaxpayerId,
    TransactionId, Uscc, VehicleClass, VehicleId,
};
use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// `s` parsed as `T`: when it parses, its display text parses back to it.
fn text<T>(s: &str) -> Option<T>
where
    T: FromStr + Display + PartialEq + Debug + Serialize + DeserializeOwned,
{
    let v = s.parse::<T>().ok()?;
    let again: T = v
        .to_string()
        .parse()
        .unwrap_or_else(|_| panic!("{v:?} does not parse from its own text"));
    assert_eq!(again, v, "text round trip of {s:?}");
    json(&v);
    Some(v)
}

/// `v` survives JSON.
fn json<T>(v: &T)
where
    T: PartialEq + Debug + Serialize + DeserializeOwned,
{
    let text = serde_json::to_string(v).expect("serialises");
    let back: T = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{v:?} does not read back from {text}: {e}"));
    assert_eq!(&back, v, "JSON round trip");
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    text::<PlateNumber>(s);
    text::<CardNumber>(s);
    text::<CardType>(s);
    text::<ObuId>(s);
    text::<TransactionId>(s);
    text::<OperatorId>(s);
    text::<Name>(s);
    text::<Money>(s);
    text::<Province>(s);
    text::<TaxRate>(s);
    text::<DocumentKind>(s);
    text::<BillingMonth>(s);
    text::<CstDateTime>(s);
    text::<Uscc>(s);
    text::<TaxpayerId>(s);
    text::<VehicleClass>(s);
    text::<VehicleId>(s);
    text::<PlateColor>(s);
    text::<PlateKind>(s);
    text::<Funding>(s);
    text::<Medium>(s);
    text::<RoadKind>(s);
    text::<TaxMethod>(s);
    text::<StatementLineKind>(s);
    text::<IdType>(s);
    // Personal data prints redacted: only its stored form round-trips.
    if let Ok(v) = s.parse::<Email>() {
        json(&v);
    }
    if let Ok(v) = s.parse::<PhoneNumber>() {
        json(&v);
    }
    if let Ok(v) = s.parse::<BankAccount>() {
        json(&v);
    }
    // Money's arithmetic on what parsed: checked, never a panic.
    if let Some((a, b)) = s.split_once(' ')
        && let (Ok(a), Ok(b)) = (a.parse::<Money>(), b.parse::<Money>())
    {
        let _ = a.checked_add(b);
        let _ = a.checked_sub(b);
        if let Ok(rate) = b.to_string().parse::<TaxRate>() {
            let _ = etc_invoice::rules::split_gross(a, rate);
        }
    }
});
