//! Builders for consistent test data: a Guangdong debit card bound to one
//! applicant, passages over a handful of operators, and applications.

use etc_invoice_order::{
    CstDateTime, Passage, PassageParts, Record, Recovery, RecoveryParts, SegmentParts, Statement,
    StatementLine, StatementLineKind, StatementParts, TollSegment, TopUp, TopUpParts, Visit,
};
use etc_invoice_order::{Funding, Money, Operator, RoadKind, TaxMethod};
use etc_invoice_province::RuleBook;
use etc_invoice_rules::{Context, InvoiceApplication, MemoryContext, ValidationReport, Validator};
use serde_json::{Value, json};

pub const APPLICANT: &str = "user-10086";
pub const CARD: &str = "44019912345678900011";
pub const STORED_CARD: &str = "44019912345678900022";
pub const OTHER_CARD: &str = "44019912345678900033";
pub const APP_ID: &str = "6f1c1f8e-3a57-4b8e-9a35-2d2f5b1f0c11";
pub const NOW: &str = "2024-04-12T10:00:00+08:00";

/// The kinds of road the fixtures' operators run.
#[derive(Debug, Clone, Copy)]
pub enum Road {
    /// Expressway, simplified method: 3 %.
    Old,
    /// Expressway, general method, built after 2016: 9 %.
    New,
    /// A toll bridge, simplified: 5 %.
    Bridge,
    /// Government-repaid: a fiscal e-bill.
    Gov,
    /// Hunan, simplified expressway: 3 %.
    Hunan,
}

pub const ROADS: [Road; 5] = [Road::Old, Road::New, Road::Bridge, Road::Gov, Road::Hunan];

pub fn operator(road: Road) -> Operator {
    let (id, name, tin) = match road {
        Road::Old => (
            "GD-EXP-OLD",
            "广东示例高速公路有限公司",
            "91440100618400014K",
        ),
        Road::New => (
            "GD-EXP-NEW",
            "广东示例新干线高速有限公司",
            "91440300MA5G00027H",
        ),
        Road::Bridge => ("GD-BRIDGE", "广东示例大桥有限公司", "91440000190345674D"),
        Road::Gov => (
            "GD-GOV",
            "广东示例政府还贷公路管理中心",
            "12440000455600010B",
        ),
        Road::Hunan => (
            "HN-EXP-OLD",
            "湖南示例高速公路集团有限公司",
            "91430100183700041P",
        ),
    };
    Operator {
        id: id.parse().unwrap(),
        name: name.parse().unwrap(),
        taxpayer_id: tin.parse().unwrap(),
    }
}

pub fn issuer() -> Operator {
    Operator {
        id: "GD-ISSUER".parse().unwrap(),
        name: "广东示例联合电子服务股份有限公司".parse().unwrap(),
        taxpayer_id: "91440000MA5G00035W".parse().unwrap(),
    }
}

/// A segment of `road`'s kind, charged by another operator.
pub fn segment_by(operator: Operator, road: Road, charged_fen: i64) -> TollSegment {
    let mut parts = segment(road, charged_fen).parts().clone();
    parts.operator = operator.into();
    TollSegment::new(parts).unwrap()
}

pub fn segment(road: Road, charged_fen: i64) -> TollSegment {
    let (province, road_kind, funding, tax_method, start) = match road {
        Road::Old => (
            "粤",
            RoadKind::Expressway,
            Funding::Operating,
            TaxMethod::Simplified,
            "2009-06-18",
        ),
        Road::New => (
            "粤",
            RoadKind::Expressway,
            Funding::Operating,
            TaxMethod::General,
            "2017-03-01",
        ),
        Road::Bridge => (
            "粤",
            RoadKind::Bridge,
            Funding::Operating,
            TaxMethod::Simplified,
            "2001-01-01",
        ),
        Road::Gov => (
            "粤",
            RoadKind::FirstClass,
            Funding::GovernmentRepaid,
            TaxMethod::General,
            "2012-01-01",
        ),
        Road::Hunan => (
            "湘",
            RoadKind::Expressway,
            Funding::Operating,
            TaxMethod::Simplified,
            "2010-11-02",
        ),
    };
    let charged = Money::from_fen(charged_fen);
    TollSegment::new(SegmentParts {
        operator: operator(road).into(),
        province: province.parse().unwrap(),
        road_kind,
        funding,
        tax_method,
        construction_start: Some(start.parse().unwrap()),
        receivable: charged,
        discount: Money::ZERO,
        charged,
    })
    .unwrap()
}

pub fn time(s: &str) -> CstDateTime {
    s.parse().unwrap()
}

/// A settled passage on `card` exiting at `exit`.
pub fn passage_on(id: &str, card: &str, exit: &str, segments: &[(Road, i64)]) -> Passage {
    let segments = segments.iter().map(|(r, f)| segment(*r, *f)).collect();
    passage_of(id, card, exit, segments)
}

/// A passage over the given segments.
pub fn passage_of(id: &str, card: &str, exit: &str, segments: Vec<TollSegment>) -> Passage {
    let exit_time = time(exit);
    Passage::new(PassageParts {
        id: id.parse().unwrap(),
        card: card.parse().unwrap(),
        card_type: if card == STORED_CARD { "22" } else { "23" }
            .parse()
            .unwrap(),
        vehicle: "粤B12345_0".parse().unwrap(),
        vehicle_class: "1".parse().unwrap(),
        medium: "obu".parse().unwrap(),
        entry: Some(Visit {
            station: "深圳南山".parse().unwrap(),
            time: exit_time.checked_add(chrono::TimeDelta::hours(-1)).unwrap(),
        }),
        exit: Visit {
            station: "广州北".parse().unwrap(),
            time: exit_time,
        },
        settled_at: exit_time.checked_add(chrono::TimeDelta::days(2)),
        segments,
    })
    .unwrap()
}

pub fn passage(id: &str, exit: &str, segments: &[(Road, i64)]) -> Passage {
    passage_on(id, CARD, exit, segments)
}

pub fn unsettled(p: Passage) -> Passage {
    let mut parts = p.into_parts();
    parts.settled_at = None;
    Passage::new(parts).unwrap()
}

pub fn top_up(id: &str, card: &str, at: &str, amount_fen: i64) -> TopUp {
    TopUp::new(TopUpParts {
        id: id.parse().unwrap(),
        card: card.parse().unwrap(),
        card_type: "22".parse().unwrap(),
        time: time(at),
        amount: Money::from_fen(amount_fen),
    })
    .unwrap()
}

pub fn recovery(id: &str, at: &str, amount_fen: i64, segments: &[(Road, i64)]) -> Recovery {
    Recovery::new(RecoveryParts {
        id: id.parse().unwrap(),
        card: CARD.parse().unwrap(),
        card_type: "23".parse().unwrap(),
        vehicle: "粤B12345_0".parse().unwrap(),
        vehicle_class: "1".parse().unwrap(),
        time: time(at),
        original: None,
        amount: Money::from_fen(amount_fen),
        segments: segments.iter().map(|(r, f)| segment(*r, *f)).collect(),
    })
    .unwrap()
}

/// A statement over March 2024 of `CARD` with the passages as lines.
pub fn statement(id: &str, passages: &[&Passage], extra: Vec<StatementLine>) -> Statement {
    let mut lines: Vec<StatementLine> = passages
        .iter()
        .map(|p| StatementLine {
            transaction: p.id().clone(),
            kind: StatementLineKind::Passage,
            time: p.exit().time,
            amount: p.total_charged(),
        })
        .collect();
    lines.extend(extra);
    let total = Money::checked_sum(lines.iter().map(|l| l.amount)).unwrap();
    Statement::new(StatementParts {
        id: id.parse().unwrap(),
        card: CARD.parse().unwrap(),
        issuer: "示例银行广州分行".parse().unwrap(),
        period_start: "2024-03-01".parse().unwrap(),
        period_end: "2024-03-31".parse().unwrap(),
        time: time("2024-04-02T08:00:00+08:00"),
        lines,
        total,
    })
    .unwrap()
}

/// Three March passages on `CARD`: P1 crosses the old expressway twice and
/// the new one; P2 the bridge and a government-repaid road; P3 Hunan.
pub fn march() -> Vec<Passage> {
    vec![
        passage(
            "P1",
            "2024-03-05T10:00:00+08:00",
            &[(Road::Old, 1053), (Road::New, 561), (Road::Old, 1919)],
        ),
        passage(
            "P2",
            "2024-03-06T11:00:00+08:00",
            &[(Road::Bridge, 648), (Road::Gov, 2000)],
        ),
        passage("P3", "2024-03-04T09:00:00+08:00", &[(Road::Hunan, 23276)]),
    ]
}

/// A context with the records, the card bound, and the Guangdong issuer.
pub fn context(records: impl IntoIterator<Item = Record>) -> MemoryContext {
    let mut ctx = MemoryContext::new();
    ctx.extend(records);
    ctx.bind(APPLICANT, CARD.parse().unwrap());
    ctx.bind(APPLICANT, STORED_CARD.parse().unwrap());
    ctx.set_issuer("粤".parse().unwrap(), issuer());
    ctx
}

pub fn records(passages: &[Passage]) -> Vec<Record> {
    passages.iter().cloned().map(Record::Passage).collect()
}

/// A clean enterprise consumption application for `selected`.
pub fn app_json(selected: &[&str]) -> Value {
    json!({
        "id": APP_ID,
        "applicant": APPLICANT,
        "card": CARD,
        "month": "2024-03",
        "requestedAt": "2024-04-12T09:30:00+08:00",
        "kind": "consumption",
        "selected": selected,
        "title": {
            "kind": "enterprise",
            "name": "某某物流有限公司",
            "taxpayerId": "91110000600037341L",
            "address": "广州市天河区某路1号",
            "phone": "020-12345678",
            "bankName": "某银行广州分行",
            "bankAccount": "6222020200112233445",
            "effectiveFrom": "2024-01-01T00:00:00+08:00"
        },
        "delivery": { "email": "finance@example.com", "phone": "13800138000" },
        "mergeMode": "perTrip",
        "channel": "miniProgram"
    })
}

pub fn app(v: &Value) -> InvoiceApplication {
    InvoiceApplication::from_json(serde_json::to_vec(v).unwrap()).unwrap()
}

/// Sets a field by JSON pointer (`/title/name`), creating it if needed.
pub fn set(mut v: Value, pointer: &str, new: Value) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let target = if parent.is_empty() {
        &mut v
    } else {
        v.pointer_mut(parent).unwrap()
    };
    target.as_object_mut().unwrap().insert(key.to_owned(), new);
    v
}

/// Removes a field by JSON pointer.
pub fn unset(mut v: Value, pointer: &str) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let target = if parent.is_empty() {
        &mut v
    } else {
        v.pointer_mut(parent).unwrap()
    };
    target.as_object_mut().unwrap().remove(key);
    v
}

pub fn book() -> RuleBook {
    RuleBook::builtin()
}

/// The built-in book with a Guangdong overlay from `toml` (the period
/// header is added).
pub fn book_with(toml: &str) -> RuleBook {
    let text = format!(
        "version = 1\nprovince = \"广东\"\n[[period]]\neffective_from = 2018-01-01\n{toml}\n"
    );
    RuleBook::builtin()
        .overlay_toml_str("test.toml", &text)
        .unwrap()
}

pub fn validate_with(book: &RuleBook, v: &Value, ctx: &MemoryContext) -> ValidationReport {
    Validator::new(book).validate(&app(v), &Context::new(ctx), time(NOW))
}

pub fn validate(v: &Value, ctx: &MemoryContext) -> ValidationReport {
    validate_with(&book(), v, ctx)
}

/// The codes of the report's findings, errors then warnings.
pub fn codes(r: &ValidationReport) -> Vec<&'static str> {
    r.findings().map(|f| f.code.as_str()).collect()
}

/// `code@path` of each finding.
pub fn at(r: &ValidationReport) -> Vec<String> {
    r.findings()
        .map(|f| format!("{}@{}", f.code, f.path))
        .collect()
}
