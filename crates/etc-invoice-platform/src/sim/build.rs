//! Building the simulator's documents from a plan.

use etc_invoice_order::{CstDateTime, DocumentKind, Money, Province, TransactionId};
use etc_invoice_province::TitleKind;
use etc_invoice_rules::{InvoiceApplication, InvoiceDraft, Title};

use crate::amount_in_capitals;
use crate::xml::{
    AdditionalInformation, BasicInformation, Buyer, E_INVOICE, EInvoiceData, FISCAL_E_BILL, Header,
    InherentLabel, InvoiceXml, Item, Label, ORDINARY, Seller, SpecificInformation, SummaryInvoice,
    SummaryXml, TOLL_TAX_CLASSIFICATION_CODE, TaxSupervisionInfo, TollInformation,
};
use crate::{IssuedInvoice, PlatformError};

/// The province of a taxpayer id's registration, from the division code in
/// a unified social credit code (characters 3–4); `None` for legacy ids.
pub(super) fn province_of_taxpayer(id: &str) -> Option<Province> {
    if id.chars().count() != 18 {
        return None;
    }
    // The third and fourth characters, read as `str::parse::<u8>` reads
    // them (which takes a leading `+`), without collecting them first.
    let mut prefix = id.chars().skip(2);
    let (first, second) = (prefix.next()?, prefix.next()?.to_digit(10)?);
    let value = match first {
        '+' => second,
        _ => first.to_digit(10)? * 10 + second,
    };
    u8::try_from(value)
        .ok()
        .and_then(Province::from_gb2260_prefix)
}

/// The province of an ETC card, from its network code (the first four
/// digits).
pub(super) fn province_of_card(card: &str) -> Option<Province> {
    card.get(0..4).and_then(Province::from_network_code)
}

/// The tax bureau (or, for a fiscal e-bill, the finance department) that
/// supervises documents of `province`: `(code, name)` \[I\].
pub(super) fn bureau(province: Province, document: DocumentKind) -> (String, String) {
    match document {
        DocumentKind::FiscalEBill => (
            format!("2{:02}00000000", province.gb2260_prefix()),
            format!("{}财政厅", province.full_name()),
        ),
        DocumentKind::VatInvoice | DocumentKind::NonTaxableInvoice => (
            format!("1{:02}00000000", province.gb2260_prefix()),
            format!("国家税务总局{}税务局", province.full_name()),
        ),
    }
}

/// The transactions a draft covers, in id order, each once.
pub(super) fn draft_transactions(draft: &InvoiceDraft) -> Vec<TransactionId> {
    let mut out: Vec<TransactionId> = draft.lines.iter().map(|l| l.transaction.clone()).collect();
    out.sort();
    out.dedup();
    out
}

/// Everything about one issue that is not in the draft.
pub(super) struct IssueFacts<'a> {
    pub(super) number: &'a str,
    pub(super) issued_at: CstDateTime,
    pub(super) province: Province,
    pub(super) drawer: &'a str,
}

/// The blue invoice document for a draft.
pub(super) fn invoice_doc(
    application: &InvoiceApplication,
    draft: &InvoiceDraft,
    facts: &IssueFacts<'_>,
) -> InvoiceXml {
    let (bureau_code, bureau_name) = bureau(facts.province, draft.document);
    let fiscal = draft.document == DocumentKind::FiscalEBill;
    let invoice_type = Label::of(if fiscal { FISCAL_E_BILL } else { E_INVOICE });
    let taxation = if draft.document.is_taxable() {
        Label::new("1", "征税")
    } else {
        Label::new("0", "不征税")
    };
    let mut items = Vec::with_capacity(draft.lines.len());
    let mut tolls = Vec::with_capacity(draft.lines.len());
    for (n, line) in (1u32..).zip(&draft.lines) {
        items.push(Item {
            number: n,
            name: line.item_name.to_string(),
            net: line.net,
            rate: Item::rate_text(line.rate),
            tax: line.tax,
            gross: line.gross,
            tax_classification_code: TOLL_TAX_CLASSIFICATION_CODE.to_owned(),
        });
        tolls.push(TollInformation {
            number: n,
            plate: line
                .plate
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            vehicle_type: line.vehicle_type.map_or("", |t| t.label()).to_owned(),
            date_from: line.date_from.format("%Y%m%d").to_string(),
            date_to: line.date_to.format("%Y%m%d").to_string(),
        });
    }
    let buyer = &draft.buyer;
    InvoiceXml {
        header: Header {
            number: facts.number.to_owned(),
            tag: (!fiscal).then(|| format!("SWEI{:02}00", facts.province.gb2260_prefix())),
            version: "1.0".to_owned(),
            labels: InherentLabel {
                blue_red: Label::blue(),
                invoice_type,
                general_or_special: (!fiscal).then(|| Label::of(ORDINARY)),
                special_business: Some(Label::new("06", "通行费")),
                taxation: Some(taxation),
            },
        },
        data: EInvoiceData {
            seller: Seller {
                id_number: draft.seller.taxpayer_id.to_string(),
                name: draft.seller.name.to_string(),
                address: None,
                phone: None,
                bank_name: None,
                bank_account: None,
            },
            buyer: Buyer {
                id_number: buyer.taxpayer_id.as_ref().map(ToString::to_string),
                name: buyer.name.clone(),
                address: buyer.address.clone(),
                phone: buyer.phone.as_ref().map(ToString::to_string),
                bank_name: buyer.bank_name.clone(),
                bank_account: buyer.bank_account.as_ref().map(ToString::to_string),
            },
            basic: BasicInformation {
                total_net: draft.total_net,
                total_tax: draft.total_tax,
                total_gross: draft.total_gross,
                total_gross_in_capitals: amount_in_capitals(draft.total_gross),
                drawer: facts.drawer.to_owned(),
                request_time: application.requested_at,
            },
            items,
            specific: SpecificInformation { tolls },
            additional: AdditionalInformation {
                card: Some(application.card.clone()),
                application: Some(application.id.to_string()),
                original: None,
                red_reason: None,
                remark: (draft.parts > 1)
                    .then(|| format!("第{}张，共{}张", draft.part, draft.parts)),
            },
        },
        supervision: TaxSupervisionInfo {
            number: facts.number.to_owned(),
            issued_at: facts.issued_at,
            bureau_code,
            bureau_name,
        },
    }
}

/// The red invoice reversing `blue`: every amount negated.
pub(super) fn red_doc(
    blue: &InvoiceXml,
    number: &str,
    issued_at: CstDateTime,
    reason: &str,
) -> InvoiceXml {
    let mut red = blue.clone();
    red.header.number = number.to_owned();
    red.header.labels.blue_red = Label::red();
    for item in &mut red.data.items {
        item.net = -item.net;
        item.tax = -item.tax;
        item.gross = -item.gross;
    }
    let basic = &mut red.data.basic;
    basic.total_net = -basic.total_net;
    basic.total_tax = -basic.total_tax;
    basic.total_gross = -basic.total_gross;
    basic.total_gross_in_capitals = amount_in_capitals(basic.total_gross);
    red.data.additional.original = Some(blue.header.number.clone());
    red.data.additional.red_reason = Some(reason.to_owned());
    red.supervision.number = number.to_owned();
    red.supervision.issued_at = issued_at;
    red
}

/// A reissue of `old` under a new buyer.
pub(super) fn reissued_doc(
    old: &InvoiceXml,
    number: &str,
    issued_at: CstDateTime,
    buyer: Buyer,
) -> InvoiceXml {
    let mut doc = old.clone();
    doc.header.number = number.to_owned();
    doc.data.buyer = buyer;
    doc.data.additional.original = Some(old.header.number.clone());
    doc.supervision.number = number.to_owned();
    doc.supervision.issued_at = issued_at;
    doc
}

/// The buyer block for a new title.
///
/// # Errors
/// [`PlatformError::InvalidRequest`] for a blank name, or an enterprise
/// title without a readable taxpayer id.
pub(super) fn buyer_of_title(title: &Title) -> Result<Buyer, PlatformError> {
    if title.name.trim().is_empty() {
        return Err(PlatformError::InvalidRequest {
            message: "the title's name is blank".to_owned(),
        });
    }
    let id_number = match (&title.kind, &title.taxpayer_id) {
        (TitleKind::Enterprise, None) => {
            return Err(PlatformError::InvalidRequest {
                message: "an enterprise title needs a taxpayer id".to_owned(),
            });
        }
        (_, Some(id)) => {
            let parsed: etc_invoice_order::TaxpayerId =
                id.trim()
                    .parse()
                    .map_err(|_| PlatformError::InvalidRequest {
                        message: format!(
                            "taxpayer id `{}` is invalid",
                            id.chars().take(64).collect::<String>()
                        ),
                    })?;
            Some(parsed.to_string())
        }
        (TitleKind::Personal, None) => None,
    };
    Ok(Buyer {
        id_number,
        name: title.name.trim().to_owned(),
        address: title.address.clone(),
        phone: title.phone.clone(),
        bank_name: title.bank_name.clone(),
        bank_account: title.bank_account.clone(),
    })
}

/// What a summary sheet says besides its invoices.
pub(super) struct SheetFacts<'a> {
    pub(super) number: &'a str,
    pub(super) issued_at: CstDateTime,
    pub(super) card: &'a str,
    pub(super) buyer: &'a str,
    pub(super) trip: Option<String>,
    pub(super) transactions: Vec<String>,
    pub(super) replaces: Option<String>,
}

/// A summary sheet binding `invoices`; the total is their sum.
pub(super) fn summary_doc(facts: SheetFacts<'_>, invoices: Vec<SummaryInvoice>) -> SummaryXml {
    let total = Money::checked_sum(invoices.iter().map(|i| i.gross)).unwrap_or(Money::ZERO);
    SummaryXml {
        number: facts.number.to_owned(),
        issued_at: facts.issued_at,
        card: facts.card.to_owned(),
        buyer: facts.buyer.to_owned(),
        trip: facts.trip,
        transactions: facts.transactions,
        invoices,
        total,
        total_in_capitals: amount_in_capitals(total),
        replaces: facts.replaces,
    }
}

/// How a bound invoice appears on a summary sheet.
pub(super) fn summary_line(meta: &IssuedInvoice) -> SummaryInvoice {
    SummaryInvoice {
        number: meta.number.clone(),
        document: meta.document.label().to_owned(),
        seller: meta.seller_name.clone(),
        gross: meta.gross,
    }
}
