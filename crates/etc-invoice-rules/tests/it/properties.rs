//! Properties of planning (money conserved, every segment once, net + tax
//! = gross, order independence, byte-identical JSON) and of hostile input
//! (never a panic).

use std::collections::BTreeMap;
use std::sync::Arc;

use etc_invoice_order::{Operator, Passage, TollSegment};
use etc_invoice_province::RuleBook;
use etc_invoice_rules::{
    Context, InvoiceApplication, InvoicePlan, MemoryContext, Validator, plan_invoices,
};
use proptest::prelude::*;
use serde_json::json;

use crate::fixtures::*;

/// A month of passages: per passage, its exit day and hour and segments
/// (road index, charged fen). The first segment is never zero.
/// One passage: exit day, exit hour, segments (road index, charged fen).
type Spec = (u32, u32, Vec<(usize, i64)>);

fn month() -> impl Strategy<Value = Vec<Spec>> {
    prop::collection::vec(
        (
            1_u32..=28,
            0_u32..24,
            (0..ROADS.len(), 1_i64..50_000),
            prop::collection::vec(
                (0..ROADS.len(), prop_oneof![Just(0_i64), 0_i64..50_000]),
                0..5,
            ),
        )
            .prop_map(|(day, hour, first, mut rest)| {
                rest.insert(0, first);
                (day, hour, rest)
            }),
        1..25,
    )
}

/// The passages of `spec`, each segment with an operator of its own, or
/// (`shared`) with one `Arc` per operator, as the importer gives them.
fn passages_of(spec: &[Spec], shared: bool) -> Vec<Passage> {
    let mut arcs: Vec<Arc<Operator>> = Vec::new();
    spec.iter()
        .enumerate()
        .map(|(i, (day, hour, segs))| {
            let exit = format!("2024-03-{day:02}T{hour:02}:30:00+08:00");
            let segs: Vec<(Road, i64)> = segs.iter().map(|(r, f)| (ROADS[*r], *f)).collect();
            let p = passage(&format!("P{i:03}"), &exit, &segs);
            if !shared {
                return p;
            }
            let mut parts = p.into_parts();
            for s in &mut parts.segments {
                let mut seg = s.parts().clone();
                let arc = match arcs.iter().find(|a| **a == seg.operator) {
                    Some(a) => Arc::clone(a),
                    None => {
                        arcs.push(Arc::clone(&seg.operator));
                        Arc::clone(&seg.operator)
                    }
                };
                seg.operator = arc;
                *s = TollSegment::new(seg).unwrap();
            }
            Passage::new(parts).unwrap()
        })
        .collect()
}

fn build(spec: &[Spec]) -> (MemoryContext, Vec<String>, BTreeMap<String, Vec<i64>>) {
    let passages = passages_of(spec, false);
    let ids: Vec<String> = passages.iter().map(|p| p.id().to_string()).collect();
    let charged = ids
        .iter()
        .zip(spec)
        .map(|(id, (_, _, segs))| (id.clone(), segs.iter().map(|(_, f)| *f).collect()))
        .collect();
    (context(records(&passages)), ids, charged)
}

fn plan_for(book: &RuleBook, ctx: &MemoryContext, ids: &[String], monthly: bool) -> InvoicePlan {
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let mut v = app_json(&refs);
    if monthly {
        v = set(v, "/mergeMode", json!("monthly"));
    }
    let r = validate_with(book, &v, ctx);
    assert!(r.passed(), "{:#?}", r.errors());
    plan_invoices(r.validated().unwrap(), ctx, book).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn plan_properties(
        spec in month(),
        monthly in any::<bool>(),
        max_lines in prop_oneof![Just(100_u32), 1_u32..4],
        seed in any::<u64>(),
    ) {
        let (ctx, ids, charged) = build(&spec);
        let book = book_with(&format!("applications.max_lines_per_invoice = {max_lines}"));
        let plan = plan_for(&book, &ctx, &ids, monthly);

        // Money is conserved.
        let selected: i64 = charged.values().flatten().sum();
        let invoiced: i64 = plan.invoices.iter().map(|d| d.total_gross.to_fen()).sum();
        prop_assert_eq!(invoiced, selected);
        prop_assert_eq!(plan.totals.gross.to_fen(), selected);

        // Every charged segment is in exactly one line; zero ones in none.
        let mut seen: BTreeMap<(String, u32), usize> = BTreeMap::new();
        for d in &plan.invoices {
            prop_assert!(d.lines.len() <= max_lines as usize);
            prop_assert!(!d.lines.is_empty());
            for l in &d.lines {
                for s in l.sources() {
                    *seen.entry((s.transaction.to_string(), s.segment)).or_default() += 1;
                }
                let sum: i64 = l.segments.as_slice().iter()
                    .map(|s| charged[l.transaction.as_str()][*s as usize])
                    .sum();
                prop_assert_eq!(sum, l.gross.to_fen());
            }
        }
        for (id, segs) in &charged {
            for (k, fen) in segs.iter().enumerate() {
                let n = seen.get(&(id.clone(), k as u32)).copied().unwrap_or(0);
                prop_assert_eq!(n, usize::from(*fen != 0), "{} segment {}", id, k);
            }
        }

        // net + tax = gross on every line and every total.
        for d in &plan.invoices {
            for l in &d.lines {
                prop_assert_eq!(l.net.checked_add(l.tax).unwrap(), l.gross);
            }
            prop_assert_eq!(d.total_net.checked_add(d.total_tax).unwrap(), d.total_gross);
            let net: i64 = d.lines.iter().map(|l| l.net.to_fen()).sum();
            prop_assert_eq!(net, d.total_net.to_fen());
            if let Some(rate) = d.rate {
                let dev = etc_invoice_rules::tax_deviation(d.total_net, d.total_tax, rate);
                prop_assert!(dev.abs() <= rust_decimal::Decimal::new(127, 2));
            }
        }
        prop_assert_eq!(plan.totals.net.checked_add(plan.totals.tax).unwrap(), plan.totals.gross);

        // The order of the selection does not matter, and the JSON is
        // byte-identical.
        let mut shuffled = ids.clone();
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let again = plan_for(&book, &ctx, &shuffled, monthly);
        prop_assert_eq!(&again, &plan);
        prop_assert_eq!(serde_json::to_string(&again).unwrap(), serde_json::to_string(&plan).unwrap());

        // Nor whether segments share their operators (compared by address)
        // or each hold their own (compared by value).
        let shared = context(records(&passages_of(&spec, true)));
        let again = plan_for(&book, &shared, &ids, monthly);
        prop_assert_eq!(serde_json::to_string(&again).unwrap(), serde_json::to_string(&plan).unwrap());
    }

    #[test]
    fn from_json_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = InvoiceApplication::from_json(&bytes);
    }

    #[test]
    fn validate_never_panics(
        applicant in ".{0,80}",
        card in prop_oneof![Just(CARD.to_owned()), "[0-9]{0,24}", ".{0,30}"],
        month in prop_oneof![Just("2024-03".to_owned()), ".{0,10}"],
        selected in prop::collection::vec(prop_oneof![Just("P1".to_owned()), Just("P2".to_owned()), ".{0,70}"], 0..20),
        kind in prop::sample::select(vec!["consumption", "topUp", "statement"]),
        title_kind in prop::sample::select(vec!["personal", "enterprise"]),
        name in ".{0,120}",
        taxpayer in prop::option::of(".{0,25}"),
        phone in prop::option::of(".{0,20}"),
        account in prop::option::of("[0-9 ]{0,40}"),
        bank in prop::option::of(".{0,20}"),
        email in ".{0,40}",
        mode in prop::sample::select(vec!["perTrip", "monthly"]),
        channel in prop::sample::select(vec!["miniProgram", "app", "web", "bankCounter"]),
    ) {
        let v = json!({
            "id": APP_ID, "applicant": applicant, "card": card, "month": month,
            "requestedAt": "2024-04-12T09:30:00+08:00", "kind": kind, "selected": selected,
            "title": {"kind": title_kind, "name": name, "taxpayerId": taxpayer, "phone": phone,
                      "bankAccount": account, "bankName": bank,
                      "effectiveFrom": "2024-03-05T12:00:00+08:00"},
            "delivery": {"email": email, "phone": phone},
            "mergeMode": mode, "channel": channel,
        });
        let app = InvoiceApplication::from_json(serde_json::to_vec(&v).unwrap()).unwrap();
        let ctx = context(records(&march()));
        let book = RuleBook::builtin();
        let r = Validator::new(&book).validate(&app, &Context::new(&ctx), time(NOW));
        for f in r.findings() {
            prop_assert!(f.value.as_ref().is_none_or(|v| v.chars().count() <= 66));
        }
        if let Some(v) = r.validated() {
            let plan = plan_invoices(v, &ctx, &book).unwrap();
            prop_assert!(plan.totals.gross.is_positive());
        }
    }
}
