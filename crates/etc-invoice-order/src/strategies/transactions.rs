//! Strategies for money, time and transactions.

use chrono::{Duration, NaiveDate};
use proptest::prelude::*;

use crate::{
    BillingMonth, CardNumber, CardType, CstDateTime, Funding, Medium, Money, Name, Operator,
    OperatorId, Passage, PassageParts, Province, RoadKind, SegmentParts, TaxMethod, TaxRate,
    TaxpayerId, TollSegment, TopUp, TopUpParts, TransactionId, VehicleClass, VehicleId, Visit,
};

/// Amounts from 0.00 to `max_fen` fen.
pub fn money_up_to(max_fen: i64) -> impl Strategy<Value = Money> {
    (0..=max_fen).prop_map(Money::from_fen)
}

/// Any amount in the range `Money` allows, either sign.
pub fn any_money() -> impl Strategy<Value = Money> {
    (-1_000_000_000_000_000i64..=1_000_000_000_000_000).prop_map(Money::from_fen)
}

/// The tax rates seen on toll invoices and in the rate schedule.
pub fn toll_rate() -> impl Strategy<Value = TaxRate> {
    prop::sample::select(vec![3u32, 5, 9, 10, 11])
        .prop_filter_map("rate", |p| TaxRate::from_percent(p).ok())
}

/// Times from 2018 to 2027, China time, to the second.
pub fn cst_time() -> impl Strategy<Value = CstDateTime> {
    (0i64..(10 * 365 * 86_400)).prop_filter_map("time", |secs| {
        let base = NaiveDate::from_ymd_opt(2018, 1, 1)?.and_hms_opt(0, 0, 0)?;
        CstDateTime::from_naive(base + Duration::seconds(secs)).ok()
    })
}

/// Billing months from 2018-01 to 2027-12.
pub fn billing_month() -> impl Strategy<Value = BillingMonth> {
    (2018u16..=2027, 1u8..=12).prop_filter_map("month", |(y, m)| BillingMonth::new(y, m).ok())
}

/// Transaction ids such as `P000123`.
pub fn transaction_id() -> impl Strategy<Value = TransactionId> {
    "[A-Z][0-9A-Z_.:-]{0,20}".prop_filter_map("id", |s| s.parse().ok())
}

/// Card numbers of any province.
pub fn card_number() -> impl Strategy<Value = CardNumber> {
    (prop::sample::select(Province::ALL.to_vec()), "[0-9]{16}")
        .prop_filter_map("card", |(p, rest)| {
            format!("{}{rest}", p.network_code()).parse().ok()
        })
}

/// Ordinary plates with a colour: `粤B12345_0`.
pub fn vehicle_id() -> impl Strategy<Value = VehicleId> {
    (
        prop::sample::select(Province::ALL.to_vec()),
        "[A-HJ-Z]",
        "[0-9]{5}",
        prop::sample::select(vec![0u8, 1, 2, 4, 5]),
    )
        .prop_filter_map("vehicle", |(p, letter, digits, colour)| {
            format!("{}{letter}{digits}_{colour}", p.abbreviation())
                .parse()
                .ok()
        })
}

/// Toll vehicle classes.
pub fn vehicle_class() -> impl Strategy<Value = VehicleClass> {
    prop::sample::select(vec![
        1u8, 2, 3, 4, 11, 12, 13, 14, 15, 16, 21, 22, 23, 24, 25, 26,
    ])
    .prop_filter_map("class", |c| c.to_string().parse().ok())
}

/// A few fixed, valid operators (sellers), so that segments share sellers
/// the way real data does.
pub fn operator() -> impl Strategy<Value = Operator> {
    prop::sample::select(vec![
        (
            "GD-EXP-OLD",
            "广东示例高速公路有限公司",
            "91440100618400014K",
        ),
        (
            "GD-EXP-NEW",
            "广东示例新干线高速有限公司",
            "91440300MA5G00027H",
        ),
        ("GD-GOV-G1", "广东省示例公路事务中心", "91110000600037341L"),
        (
            "HN-BRIDGE",
            "湖南示例湘江大桥有限公司",
            "91340600MA2PBMA74B",
        ),
    ])
    .prop_filter_map("operator", |(id, name, tid)| {
        Some(Operator {
            id: id.parse::<OperatorId>().ok()?,
            name: name.parse::<Name>().ok()?,
            taxpayer_id: tid.parse::<TaxpayerId>().ok()?,
        })
    })
}

/// Valid segments: amounts up to 500.00, charged = receivable − discount.
pub fn toll_segment() -> impl Strategy<Value = TollSegment> {
    (
        operator(),
        prop::sample::select(Province::ALL.to_vec()),
        prop::sample::select(RoadKind::ALL.to_vec()),
        prop::sample::select(Funding::ALL.to_vec()),
        prop::sample::select(TaxMethod::ALL.to_vec()),
        prop::option::of((2000i32..2024, 1u32..=12, 1u32..=28)),
        0i64..=50_000,
        0i64..=100,
    )
        .prop_filter_map(
            "segment",
            |(operator, province, road_kind, funding, tax_method, start, receivable, pct)| {
                let discount = receivable * pct / 100;
                TollSegment::new(SegmentParts {
                    operator: std::sync::Arc::new(operator),
                    province,
                    road_kind,
                    funding,
                    tax_method,
                    construction_start: start
                        .and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d)),
                    receivable: Money::from_fen(receivable),
                    discount: Money::from_fen(discount),
                    charged: Money::from_fen(receivable - discount),
                })
                .ok()
            },
        )
}

/// Valid passages of one to five segments.
pub fn passage() -> impl Strategy<Value = Passage> {
    (
        transaction_id(),
        card_number(),
        prop::sample::select(vec![
            "22".parse::<CardType>().ok(),
            "23".parse::<CardType>().ok(),
        ]),
        vehicle_id(),
        vehicle_class(),
        prop::sample::select(Medium::ALL.to_vec()),
        cst_time(),
        prop::option::of(0i64..86_400),
        prop::option::of(0i64..(10 * 86_400)),
        prop::collection::vec(toll_segment(), 1..=5),
    )
        .prop_filter_map(
            "passage",
            |(
                id,
                card,
                card_type,
                vehicle,
                vehicle_class,
                medium,
                exit,
                before,
                settle,
                segments,
            )| {
                let entry = match before {
                    Some(secs) => Some(Visit {
                        station: "入口站".parse().ok()?,
                        time: exit.checked_add(Duration::seconds(-secs))?,
                    }),
                    None => None,
                };
                Passage::new(PassageParts {
                    id,
                    card,
                    card_type: card_type?,
                    vehicle,
                    vehicle_class,
                    medium,
                    entry,
                    exit: Visit {
                        station: "出口站".parse().ok()?,
                        time: exit,
                    },
                    settled_at: match settle {
                        Some(secs) => Some(exit.checked_add(Duration::seconds(secs))?),
                        None => None,
                    },
                    segments,
                })
                .ok()
            },
        )
}

/// Valid top-ups of 0.01 to 5,000.00.
pub fn top_up() -> impl Strategy<Value = TopUp> {
    (transaction_id(), card_number(), cst_time(), 1i64..=500_000).prop_filter_map(
        "top-up",
        |(id, card, time, fen)| {
            TopUp::new(TopUpParts {
                id,
                card,
                card_type: "22".parse::<CardType>().ok()?,
                time,
                amount: Money::from_fen(fen),
            })
            .ok()
        },
    )
}

/// Strings that look like amounts but are not exact two-decimal amounts.
pub fn invalid_money_strings() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{1,6}\\.[0-9]{2}[1-9]",
        "[0-9]{1,3}e[0-9]",
        "[0-9]{1,3},[0-9]{3}",
        "\\.[0-9]{1,2}",
        "[0-9]{1,3}\\.",
        " [0-9]{1,3}",
    ]
}
