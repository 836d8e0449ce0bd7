//! The structured documents: a fully digital (数电) toll invoice and an
//! electronic summary sheet, written and read as XML with `quick-xml`'s
//! serde support (never by pasting strings), and checked for consistent
//! totals.
//!
//! # The invoice layout
//!
//! Shaped like a 数电 invoice's XML (DOMAIN.md §4) [I: element names follow
//! the public samples' structure; the exact schema is not public]:
//!
//! ```xml
//! <?xml version="1.0" encoding="UTF-8"?>
//! <EInvoice>
//!   <Header>
//!     <EIid>24442000000000000001</EIid>          <!-- the 20-digit number -->
//!     <EInvoiceTag>SWEI4400</EInvoiceTag>         <!-- SWEI + province code + 00 -->
//!     <Version>1.0</Version>
//!     <InherentLabel>
//!       <InIssuType><LabelCode>Y</LabelCode><LabelName>是否蓝字发票标志</LabelName></InIssuType>
//!       <EInvoiceType><LabelCode>01</LabelCode><LabelName>电子发票</LabelName></EInvoiceType>
//!       <GeneralOrSpecialVAT><LabelCode>02</LabelCode><LabelName>普通发票</LabelName></GeneralOrSpecialVAT>
//!       <SpecialBusiness><LabelCode>06</LabelCode><LabelName>通行费</LabelName></SpecialBusiness>
//!       <Taxation><LabelCode>1</LabelCode><LabelName>征税</LabelName></Taxation>
//!     </InherentLabel>
//!   </Header>
//!   <EInvoiceData>
//!     <SellerInformation><SellerIdNum/><SellerName/>…</SellerInformation>
//!     <BuyerInformation><BuyerIdNum/><BuyerName/>…</BuyerInformation>
//!     <BasicInformation>
//!       <TotalAmWithoutTax>225.98</TotalAmWithoutTax><TotalTaxAm>6.78</TotalTaxAm>
//!       <TotalTax-includedAmount>232.76</TotalTax-includedAmount>
//!       <TotalTax-includedAmountInChinese>贰佰叁拾贰圆柒角陆分</TotalTax-includedAmountInChinese>
//!       <Drawer/><RequestTime/>
//!     </BasicInformation>
//!     <IssuItemInformation>                       <!-- one per line -->
//!       <ItemNo>1</ItemNo><ItemName>*经营租赁*通行费</ItemName>
//!       <Amount/><TaxRate>0.03</TaxRate><ComTaxAm/><TotaltaxIncludedAmount/>
//!       <TaxClassificationCode>3040502020301000000</TaxClassificationCode>
//!     </IssuItemInformation>
//!     <SpecificInformation>
//!       <Toll>                                    <!-- one per line -->
//!         <ItemNo>1</ItemNo><PlateNumber/><VehicleType>货车</VehicleType>
//!         <StartDatesOfPassage>20240305</StartDatesOfPassage><EndDatesOfPassage/>
//!       </Toll>
//!     </SpecificInformation>
//!     <AdditionalInformation>…</AdditionalInformation>
//!   </EInvoiceData>
//!   <TaxSupervisionInfo>
//!     <InvoiceNumber/><IssueTime/><TaxBureauCode/><TaxBureauName/>
//!   </TaxSupervisionInfo>
//! </EInvoice>
//! ```
//!
//! Every toll line carries the tax classification code of expressway tolls,
//! [`TOLL_TAX_CLASSIFICATION_CODE`].
//!
//! # Reading real invoices
//!
//! [`InvoiceXml::from_xml`] also reads the XML of a 数电 toll invoice as the
//! tax system issues it (a fleet's expense system receives those), where
//! it differs from what this crate writes:
//!
//! - no `ItemNo` in the lines or the toll entries: they are numbered by
//!   position, the toll entries following the lines;
//! - no `SpecialBusiness`, `Taxation` or `AdditionalInformation`: absent;
//! - times as `2026-09-14 12:51:03` (China time) or a bare date (its
//!   midnight), besides RFC 3339;
//! - passage times as `yyyyMMddHHmmssSSS`: kept as written. A plan line
//!   carries the passage dates only, so this crate writes `yyyyMMdd`, the
//!   first eight digits of that text;
//! - the element names this crate wrote before (`TollInformation`,
//!   `PassageDateStart`, `PassageDateEnd`, `TotalTaxIncludedAmount`).

use std::borrow::Cow;

use etc_invoice_order::{CstDateTime, Money, MoneyError, TaxRate};
use serde::{Deserialize, Serialize};

use crate::{amount_in_capitals, capitals_agree};

/// The tax classification code (税收分类编码) of toll lines:
/// `3040502020301000000`, the code a real 数电 expressway toll invoice
/// carries (道路通行服务 → 高速公路通行费) \[I\]. Not `3040502020200000000`,
/// which is 车辆停放服务 (parking), as invoicing integrations use it for
/// 停车费. Tolls of bridges and first- or second-class roads have a sibling
/// code (…0302…) \[I\]; a plan line does not carry its road kind, so the
/// simulator writes this one for every toll line.
pub const TOLL_TAX_CLASSIFICATION_CODE: &str = "3040502020301000000";

/// What the tax column of a non-taxable line shows.
pub const NON_TAXABLE: &str = "不征税";

/// Why a document could not be written, read or trusted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum XmlError {
    /// The document could not be written.
    #[error("cannot write the document as xml")]
    Write(#[source] quick_xml::SeError),
    /// The bytes are not UTF-8.
    #[error("document is not utf-8 ({} bytes)", .raw.len())]
    Utf8 {
        /// The bytes as given.
        raw: Vec<u8>,
        /// Where decoding failed.
        #[source]
        source: std::str::Utf8Error,
    },
    /// The bytes are not a document of this shape.
    #[error("cannot read the document xml ({} bytes)", .raw.len())]
    Read {
        /// The bytes as given.
        raw: Vec<u8>,
        /// Why.
        #[source]
        source: quick_xml::DeError,
    },
    /// A total does not match its parts.
    #[error("{what} is `{found}`, but its parts give `{expected}`")]
    Totals {
        /// Which total (`total without tax`, `amount in capitals`, …).
        what: String,
        /// What the parts give.
        expected: String,
        /// What the document says.
        found: String,
    },
    /// A line's rate cannot be read.
    #[error("line {line} has tax rate `{rate}`, which is not a rate or `不征税`")]
    Rate {
        /// The line's number.
        line: u32,
        /// The text.
        rate: String,
    },
    /// A sum is out of range.
    #[error("document amounts out of range")]
    Amount(#[source] MoneyError),
}

/// Serde for money as its decimal text (`232.76`, `-6.78`).
mod money_text {
    use etc_invoice_order::Money;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(m: &Money, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(m)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        let s = String::deserialize(d)?;
        s.trim().parse().map_err(serde::de::Error::custom)
    }
}

/// Serde for the documents' times: written as RFC 3339; read as that, as
/// `2026-09-14 12:51:03` (China time) or as a bare date (`2026-09-14` or
/// `20260914`, its midnight), as the tax system writes them.
mod time_text {
    use etc_invoice_order::CstDateTime;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(super) fn serialize<S: Serializer>(t: &CstDateTime, s: S) -> Result<S::Ok, S::Error> {
        t.serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<CstDateTime, D::Error> {
        let s = String::deserialize(d)?;
        let s = s.trim();
        s.parse().or_else(|e| {
            etc_invoice_order::parse_date(s)
                .map(CstDateTime::start_of)
                .map_err(|_| serde::de::Error::custom(e))
        })
    }
}

/// A labelled code (`<LabelCode>02</LabelCode><LabelName>普通发票</LabelName>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    /// The code.
    #[serde(rename = "LabelCode")]
    pub code: String,
    /// Its name.
    #[serde(rename = "LabelName")]
    pub name: String,
}

impl Label {
    /// A label from a code and a name.
    pub fn new(code: &str, name: &str) -> Label {
        Label {
            code: code.to_owned(),
            name: name.to_owned(),
        }
    }

    /// A label from a `(code, name)` pair such as [`E_INVOICE`].
    pub fn of((code, name): (&str, &str)) -> Label {
        Label::new(code, name)
    }

    /// The blue-or-red label of a blue invoice.
    pub fn blue() -> Label {
        Label::new(BLUE, BLUE_RED_NAME)
    }

    /// The blue-or-red label of a red invoice.
    pub fn red() -> Label {
        Label::new(RED, BLUE_RED_NAME)
    }
}

/// The code of [`InherentLabel::blue_red`] on a blue invoice …
pub const BLUE: &str = "Y";
/// … and on a red one.
pub const RED: &str = "N";
/// The name of [`InherentLabel::blue_red`].
const BLUE_RED_NAME: &str = "是否蓝字发票标志";

/// The invoice's fixed labels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InherentLabel {
    /// Blue (`Y`) or red (`N`), labelled 是否蓝字发票标志 (whether blue), as
    /// 数电 invoices' XML has it.
    #[serde(rename = "InIssuType")]
    pub blue_red: Label,
    /// The document type: `01` 电子发票 (a 数电 invoice) \[I\]; `31`
    /// 财政电子票据 for a fiscal e-bill in this simulator's rendering.
    #[serde(rename = "EInvoiceType")]
    pub invoice_type: Label,
    /// Ordinary (`02` 普通发票) or special (`01` 增值税专用发票) \[I\];
    /// absent on a fiscal e-bill.
    #[serde(
        rename = "GeneralOrSpecialVAT",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub general_or_special: Option<Label>,
    /// The special business (`06` 通行费) \[I\]; real invoices' XML may
    /// leave it out.
    #[serde(
        rename = "SpecialBusiness",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub special_business: Option<Label>,
    /// Taxed (`1` 征税) or not (`0` 不征税); real invoices' XML may leave
    /// it out.
    #[serde(rename = "Taxation", default, skip_serializing_if = "Option::is_none")]
    pub taxation: Option<Label>,
}

/// [`InherentLabel::invoice_type`] of a 数电 invoice.
pub const E_INVOICE: (&str, &str) = ("01", "电子发票");
/// [`InherentLabel::invoice_type`] of a fiscal e-bill (this simulator's
/// rendering).
pub const FISCAL_E_BILL: (&str, &str) = ("31", "财政电子票据");
/// [`InherentLabel::general_or_special`] of an ordinary invoice, which
/// toll invoices are.
pub const ORDINARY: (&str, &str) = ("02", "普通发票");

/// The header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// The invoice number.
    #[serde(rename = "EIid")]
    pub number: String,
    /// The tag of the issuing tax system: `SWEI` and the province's
    /// two-digit division code, then `00` (`SWEI4400` in Guangdong) \[I\];
    /// absent on a fiscal e-bill.
    #[serde(
        rename = "EInvoiceTag",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub tag: Option<String>,
    /// The layout version (`1.0`).
    #[serde(rename = "Version")]
    pub version: String,
    /// The labels.
    #[serde(rename = "InherentLabel")]
    pub labels: InherentLabel,
}

/// The seller (销售方).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seller {
    /// 统一社会信用代码/纳税人识别号.
    #[serde(rename = "SellerIdNum")]
    pub id_number: String,
    /// 名称.
    #[serde(rename = "SellerName")]
    pub name: String,
    /// 地址.
    #[serde(
        rename = "SellerAddr",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub address: Option<String>,
    /// 电话.
    #[serde(
        rename = "SellerTelNum",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub phone: Option<String>,
    /// 开户银行.
    #[serde(
        rename = "SellerBankName",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub bank_name: Option<String>,
    /// 银行账号.
    #[serde(
        rename = "SellerBankAccNum",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub bank_account: Option<String>,
}

/// The buyer (购买方).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Buyer {
    /// 统一社会信用代码/纳税人识别号; absent for a personal title.
    #[serde(
        rename = "BuyerIdNum",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub id_number: Option<String>,
    /// 名称.
    #[serde(rename = "BuyerName")]
    pub name: String,
    /// 地址.
    #[serde(rename = "BuyerAddr", default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// 电话.
    #[serde(
        rename = "BuyerTelNum",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub phone: Option<String>,
    /// 开户银行.
    #[serde(
        rename = "BuyerBankName",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub bank_name: Option<String>,
    /// 银行账号.
    #[serde(
        rename = "BuyerBankAccNum",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub bank_account: Option<String>,
}

/// Totals and issue details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasicInformation {
    /// 合计金额 (without tax).
    #[serde(rename = "TotalAmWithoutTax", with = "money_text")]
    pub total_net: Money,
    /// 合计税额.
    #[serde(rename = "TotalTaxAm", with = "money_text")]
    pub total_tax: Money,
    /// 价税合计 (小写).
    #[serde(rename = "TotalTax-includedAmount", with = "money_text")]
    pub total_gross: Money,
    /// 价税合计 (大写).
    #[serde(rename = "TotalTax-includedAmountInChinese")]
    pub total_gross_in_capitals: String,
    /// 开票人.
    #[serde(rename = "Drawer")]
    pub drawer: String,
    /// When the application asked for it.
    #[serde(rename = "RequestTime", with = "time_text")]
    pub request_time: CstDateTime,
}

/// One item line (项目).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// The line's number, from 1 (by position where the XML has none).
    #[serde(rename = "ItemNo", default)]
    pub number: u32,
    /// 项目名称 (`*经营租赁*通行费`).
    #[serde(rename = "ItemName")]
    pub name: String,
    /// 金额 (without tax).
    #[serde(rename = "Amount", with = "money_text")]
    pub net: Money,
    /// 税率/征收率 as a decimal (`0.03`), as 数电 invoices' XML writes it
    /// (`3%` reads too), or `不征税`; [`Item::rate_label`] prints it.
    #[serde(rename = "TaxRate")]
    pub rate: String,
    /// 税额.
    #[serde(rename = "ComTaxAm", with = "money_text")]
    pub tax: Money,
    /// Amount with tax, as `TotaltaxIncludedAmount` (sic: real invoices'
    /// XML spells it so).
    #[serde(
        rename = "TotaltaxIncludedAmount",
        alias = "TotalTaxIncludedAmount",
        with = "money_text"
    )]
    pub gross: Money,
    /// 税收分类编码.
    #[serde(rename = "TaxClassificationCode")]
    pub tax_classification_code: String,
}

impl Item {
    /// The text [`Item::rate`] holds for `rate`: the decimal (`0.03`), or
    /// `不征税` for none.
    pub fn rate_text(rate: Option<TaxRate>) -> String {
        rate.map_or_else(
            || NON_TAXABLE.to_owned(),
            |r| r.as_decimal().normalize().to_string(),
        )
    }

    /// The rate as an invoice prints it: `3%`, or `不征税`; the text itself
    /// when it is not a rate.
    pub fn rate_label(&self) -> Cow<'_, str> {
        match self.tax_rate() {
            Ok(Some(r)) => Cow::Owned(r.to_string()),
            Ok(None) | Err(_) => Cow::Borrowed(&self.rate),
        }
    }

    /// The line's rate: `None` for `不征税`.
    ///
    /// # Errors
    /// [`XmlError::Rate`] for any other text that is not a rate.
    pub fn tax_rate(&self) -> Result<Option<TaxRate>, XmlError> {
        if self.rate == NON_TAXABLE {
            return Ok(None);
        }
        self.rate.parse().map(Some).map_err(|_| XmlError::Rate {
            line: self.number,
            rate: self.rate.clone(),
        })
    }
}

/// The toll details of one line (a `Toll` entry of the 通行费 block).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TollInformation {
    /// The item line it belongs to (by position where the XML has none).
    #[serde(rename = "ItemNo", default)]
    pub number: u32,
    /// 车牌号.
    #[serde(rename = "PlateNumber")]
    pub plate: String,
    /// 车辆类型 (`客车`, `货车`, `专项作业车`).
    #[serde(rename = "VehicleType")]
    pub vehicle_type: String,
    /// 通行日期起: `yyyyMMdd` as this crate writes it, `yyyyMMddHHmmssSSS`
    /// as the tax system does.
    #[serde(rename = "StartDatesOfPassage", alias = "PassageDateStart")]
    pub date_from: String,
    /// 通行日期止, the same way.
    #[serde(rename = "EndDatesOfPassage", alias = "PassageDateEnd")]
    pub date_to: String,
}

impl TollInformation {
    /// A passage date of this block (`20240305` or `20240305094742000`)
    /// as invoices print it, its first eight digits (`20240305`); the text
    /// itself when it does not start with eight digits.
    pub fn date_label(text: &str) -> &str {
        match text.get(..8) {
            Some(day) if day.bytes().all(|b| b.is_ascii_digit()) => day,
            _ => text,
        }
    }
}

/// The business-specific block.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecificInformation {
    /// One per item line.
    #[serde(rename = "Toll", alias = "TollInformation", default)]
    pub tolls: Vec<TollInformation>,
}

/// Remarks and references.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdditionalInformation {
    /// The ETC card (this crate's; not in the tax system's XML).
    #[serde(
        rename = "CardNumber",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub card: Option<String>,
    /// The application it was issued for (this crate's; not in the tax
    /// system's XML).
    #[serde(
        rename = "ApplicationId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub application: Option<String>,
    /// On a red invoice, the blue one it reverses; on a reissued invoice,
    /// the one it replaces.
    #[serde(
        rename = "OriginalInvoiceNumber",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub original: Option<String>,
    /// On a red invoice, why.
    #[serde(rename = "RedReason", default, skip_serializing_if = "Option::is_none")]
    pub red_reason: Option<String>,
    /// 备注.
    #[serde(rename = "Remark", default, skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
}

/// The invoice's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EInvoiceData {
    /// The seller.
    #[serde(rename = "SellerInformation")]
    pub seller: Seller,
    /// The buyer.
    #[serde(rename = "BuyerInformation")]
    pub buyer: Buyer,
    /// Totals.
    #[serde(rename = "BasicInformation")]
    pub basic: BasicInformation,
    /// The lines.
    #[serde(rename = "IssuItemInformation", default)]
    pub items: Vec<Item>,
    /// The toll block.
    #[serde(rename = "SpecificInformation", default)]
    pub specific: SpecificInformation,
    /// Remarks and references.
    #[serde(rename = "AdditionalInformation", default)]
    pub additional: AdditionalInformation,
}

/// Tax supervision information.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxSupervisionInfo {
    /// 发票号码.
    #[serde(rename = "InvoiceNumber")]
    pub number: String,
    /// 开票日期.
    #[serde(rename = "IssueTime", with = "time_text")]
    pub issued_at: CstDateTime,
    /// 税务机关代码.
    #[serde(rename = "TaxBureauCode")]
    pub bureau_code: String,
    /// 税务机关名称.
    #[serde(rename = "TaxBureauName")]
    pub bureau_name: String,
}

/// A toll invoice document: what its XML holds.
///
/// ```
/// # fn sample() -> etc_invoice_platform::InvoiceXml { etc_invoice_platform::xml::sample() }
/// use etc_invoice_platform::InvoiceXml;
///
/// let doc = sample();
/// let xml = doc.to_xml()?;
/// assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
/// let back = InvoiceXml::from_xml(xml.as_bytes())?;
/// assert_eq!(back, doc);
/// back.check()?;
/// # Ok::<(), etc_invoice_platform::XmlError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "EInvoice")]
pub struct InvoiceXml {
    /// The header.
    #[serde(rename = "Header")]
    pub header: Header,
    /// The data.
    #[serde(rename = "EInvoiceData")]
    pub data: EInvoiceData,
    /// Tax supervision.
    #[serde(rename = "TaxSupervisionInfo")]
    pub supervision: TaxSupervisionInfo,
}

const DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

fn write_xml<T: Serialize>(root: &str, value: &T) -> Result<String, XmlError> {
    let mut out = String::from(DECLARATION);
    let mut ser =
        quick_xml::se::Serializer::with_root(&mut out, Some(root)).map_err(XmlError::Write)?;
    ser.indent(' ', 2);
    value.serialize(ser).map_err(XmlError::Write)?;
    out.push('\n');
    Ok(out)
}

fn read_xml<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, XmlError> {
    let text = std::str::from_utf8(bytes).map_err(|source| XmlError::Utf8 {
        raw: bytes.to_vec(),
        source,
    })?;
    quick_xml::de::from_str(text).map_err(|source| XmlError::Read {
        raw: bytes.to_vec(),
        source,
    })
}

fn expect_equal(what: &str, expected: impl ToString, found: impl ToString) -> Result<(), XmlError> {
    let (expected, found) = (expected.to_string(), found.to_string());
    if expected == found {
        Ok(())
    } else {
        Err(XmlError::Totals {
            what: what.to_owned(),
            expected,
            found,
        })
    }
}

/// Checks that `text` writes `amount` in capitals, in this crate's writing
/// or another one [`capitals_agree`] reads (元 for 圆, …).
fn expect_capitals(what: &str, amount: Money, text: &str) -> Result<(), XmlError> {
    if capitals_agree(amount, text) {
        Ok(())
    } else {
        Err(XmlError::Totals {
            what: what.to_owned(),
            expected: amount_in_capitals(amount),
            found: text.to_owned(),
        })
    }
}

/// Numbers `entries` 1, 2, … by position when none has a number (all 0).
fn number_unnumbered<T>(entries: &mut [T], number: impl Fn(&mut T) -> &mut u32) {
    if entries.iter_mut().all(|e| *number(e) == 0) {
        for (n, e) in (1..).zip(entries) {
            *number(e) = n;
        }
    }
}

impl InvoiceXml {
    /// The document as UTF-8 XML with a declaration, indented by two spaces.
    ///
    /// # Errors
    /// [`XmlError::Write`] (not expected: every field is text).
    pub fn to_xml(&self) -> Result<String, XmlError> {
        write_xml("EInvoice", self)
    }

    /// Reads a document written by [`InvoiceXml::to_xml`] (or any XML of the
    /// same shape; unknown elements are ignored).
    ///
    /// # Errors
    /// [`XmlError::Utf8`] or [`XmlError::Read`], keeping the bytes.
    pub fn from_xml(bytes: &[u8]) -> Result<InvoiceXml, XmlError> {
        let mut doc: InvoiceXml = read_xml(bytes)?;
        doc.number_by_position();
        Ok(doc)
    }

    /// Numbers the lines and toll entries the XML left unnumbered (the
    /// tax system's XML numbers neither) by their position, from 1.
    fn number_by_position(&mut self) {
        number_unnumbered(&mut self.data.items, |i| &mut i.number);
        number_unnumbered(&mut self.data.specific.tolls, |t| &mut t.number);
    }

    /// The title the invoice prints: 通行费财政电子票据 for a fiscal e-bill;
    /// else 电子发票 with its kind, as in 电子发票（普通发票）.
    pub fn title(&self) -> String {
        let labels = &self.header.labels;
        if labels.invoice_type.code == FISCAL_E_BILL.0 {
            return format!("通行费{}", FISCAL_E_BILL.1);
        }
        let kind = labels
            .general_or_special
            .as_ref()
            .map_or(ORDINARY.1, |l| l.name.as_str());
        format!("{}（{kind}）", labels.invoice_type.name)
    }

    /// Whether red (negative).
    pub fn is_red(&self) -> bool {
        self.header.labels.blue_red.code == RED
    }

    /// Checks that the document is consistent: the number is the same in
    /// the header and the supervision block; every line's net + tax is its
    /// gross and its tax is within 0.06 of net × rate (zero when not
    /// taxable); the totals are the sums of the lines; the total with tax is
    /// net + tax and its capitals say the same; the toll block has one entry
    /// per line.
    ///
    /// # Errors
    /// [`XmlError::Totals`] naming the first mismatch; [`XmlError::Rate`];
    /// [`XmlError::Amount`] for sums out of range.
    pub fn check(&self) -> Result<(), XmlError> {
        expect_equal(
            "supervision invoice number",
            &self.header.number,
            &self.supervision.number,
        )?;
        let tolerance = Money::from_fen(6);
        for item in &self.data.items {
            let sum = item.net.checked_add(item.tax).map_err(XmlError::Amount)?;
            expect_equal(
                &format!("line {} amount with tax", item.number),
                sum,
                item.gross,
            )?;
            let expected_tax = match item.tax_rate()? {
                None => Money::ZERO,
                Some(rate) => item
                    .net
                    .as_decimal()
                    .checked_mul(rate.as_decimal())
                    .ok_or(MoneyError::Overflow)
                    .and_then(Money::from_decimal_rounded)
                    .map_err(XmlError::Amount)?,
            };
            let off = item
                .tax
                .checked_sub(expected_tax)
                .map_err(XmlError::Amount)?
                .abs();
            if off > tolerance {
                return Err(XmlError::Totals {
                    what: format!("line {} tax", item.number),
                    expected: expected_tax.to_string(),
                    found: item.tax.to_string(),
                });
            }
        }
        let basic = &self.data.basic;
        let net =
            Money::checked_sum(self.data.items.iter().map(|i| i.net)).map_err(XmlError::Amount)?;
        let tax =
            Money::checked_sum(self.data.items.iter().map(|i| i.tax)).map_err(XmlError::Amount)?;
        let gross = Money::checked_sum(self.data.items.iter().map(|i| i.gross))
            .map_err(XmlError::Amount)?;
        expect_equal("total without tax", net, basic.total_net)?;
        expect_equal("total tax", tax, basic.total_tax)?;
        expect_equal("total with tax", gross, basic.total_gross)?;
        let sum = basic
            .total_net
            .checked_add(basic.total_tax)
            .map_err(XmlError::Amount)?;
        expect_equal("total with tax", sum, basic.total_gross)?;
        expect_capitals(
            "amount in capitals",
            basic.total_gross,
            &basic.total_gross_in_capitals,
        )?;
        expect_equal(
            "toll entries",
            self.data.items.len(),
            self.data.specific.tolls.len(),
        )?;
        Ok(())
    }
}

/// One invoice a summary sheet binds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryInvoice {
    /// The invoice number.
    #[serde(rename = "InvoiceNumber")]
    pub number: String,
    /// The kind of document, in Chinese (`征税发票`).
    #[serde(rename = "DocumentKind")]
    pub document: String,
    /// The seller.
    #[serde(rename = "SellerName")]
    pub seller: String,
    /// Its amount with tax.
    #[serde(rename = "Amount", with = "money_text")]
    pub gross: Money,
}

/// An electronic summary sheet (电子汇总单): what its XML holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "SummarySheet")]
pub struct SummaryXml {
    /// The 16-digit number.
    #[serde(rename = "SheetNumber")]
    pub number: String,
    /// When it was issued.
    #[serde(rename = "IssueTime")]
    pub issued_at: CstDateTime,
    /// The ETC card.
    #[serde(rename = "CardNumber")]
    pub card: String,
    /// The buyer's name.
    #[serde(rename = "BuyerName")]
    pub buyer: String,
    /// The trip, for a per-trip sheet.
    #[serde(rename = "TripId", default, skip_serializing_if = "Option::is_none")]
    pub trip: Option<String>,
    /// The transactions covered.
    #[serde(rename = "TransactionId", default)]
    pub transactions: Vec<String>,
    /// The invoices bound.
    #[serde(rename = "Invoice", default)]
    pub invoices: Vec<SummaryInvoice>,
    /// Σ amount with tax.
    #[serde(rename = "TotalAmount", with = "money_text")]
    pub total: Money,
    /// The same in capitals.
    #[serde(rename = "TotalAmountInChinese")]
    pub total_in_capitals: String,
    /// The sheet it replaces.
    #[serde(rename = "Replaces", default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<String>,
}

impl SummaryXml {
    /// The sheet as UTF-8 XML with a declaration.
    ///
    /// # Errors
    /// [`XmlError::Write`] (not expected).
    pub fn to_xml(&self) -> Result<String, XmlError> {
        write_xml("SummarySheet", self)
    }

    /// Reads a sheet.
    ///
    /// # Errors
    /// [`XmlError::Utf8`] or [`XmlError::Read`], keeping the bytes.
    pub fn from_xml(bytes: &[u8]) -> Result<SummaryXml, XmlError> {
        read_xml(bytes)
    }

    /// Checks that the total is the sum of the invoices and its capitals
    /// say the same.
    ///
    /// # Errors
    /// [`XmlError::Totals`]; [`XmlError::Amount`].
    pub fn check(&self) -> Result<(), XmlError> {
        let sum =
            Money::checked_sum(self.invoices.iter().map(|i| i.gross)).map_err(XmlError::Amount)?;
        expect_equal("summary total", sum, self.total)?;
        expect_capitals(
            "summary amount in capitals",
            self.total,
            &self.total_in_capitals,
        )
    }
}

/// A small, valid summary sheet for examples and tests: two invoices.
#[doc(hidden)]
pub fn sample_summary() -> SummaryXml {
    SummaryXml {
        number: "4420240400000001".into(),
        issued_at: sample().supervision.issued_at,
        card: "44019912345678900011".into(),
        buyer: "某某物流有限公司".into(),
        trip: Some("P1".into()),
        transactions: vec!["P1".into()],
        invoices: vec![
            SummaryInvoice {
                number: "1".into(),
                document: "征税发票".into(),
                seller: "甲".into(),
                gross: Money::from_fen(1053),
            },
            SummaryInvoice {
                number: "2".into(),
                document: "征税发票".into(),
                seller: "乙".into(),
                gross: Money::from_fen(561),
            },
        ],
        total: Money::from_fen(1614),
        total_in_capitals: amount_in_capitals(Money::from_fen(1614)),
        replaces: None,
    }
}

/// A small, valid invoice document for examples and tests.
#[doc(hidden)]
pub fn sample() -> InvoiceXml {
    let m = |fen: i64| Money::from_fen(fen);
    let issued_at =
        CstDateTime::start_of(chrono::NaiveDate::from_ymd_opt(2024, 4, 15).unwrap_or_default());
    InvoiceXml {
        header: Header {
            number: "24442000000000000001".into(),
            tag: Some("SWEI4400".into()),
            version: "1.0".into(),
            labels: InherentLabel {
                blue_red: Label::blue(),
                invoice_type: Label::of(E_INVOICE),
                general_or_special: Some(Label::of(ORDINARY)),
                special_business: Some(Label::new("06", "通行费")),
                taxation: Some(Label::new("1", "征税")),
            },
        },
        data: EInvoiceData {
            seller: Seller {
                id_number: "91440000190346157Q".into(),
                name: "广东某高速公路有限公司 & <子公司>".into(),
                address: None,
                phone: None,
                bank_name: None,
                bank_account: None,
            },
            buyer: Buyer {
                id_number: Some("91110000600037341L".into()),
                name: "某某物流有限公司".into(),
                address: Some("广州市天河区某路1号".into()),
                phone: None,
                bank_name: None,
                bank_account: None,
            },
            basic: BasicInformation {
                total_net: m(22_598),
                total_tax: m(678),
                total_gross: m(23_276),
                total_gross_in_capitals: "贰佰叁拾贰圆柒角陆分".into(),
                drawer: "系统".into(),
                request_time: issued_at,
            },
            items: vec![Item {
                number: 1,
                name: "*经营租赁*通行费".into(),
                net: m(22_598),
                rate: "0.03".into(),
                tax: m(678),
                gross: m(23_276),
                tax_classification_code: TOLL_TAX_CLASSIFICATION_CODE.into(),
            }],
            specific: SpecificInformation {
                tolls: vec![TollInformation {
                    number: 1,
                    plate: "粤A12345".into(),
                    vehicle_type: "货车".into(),
                    date_from: "20240305".into(),
                    date_to: "20240305".into(),
                }],
            },
            additional: AdditionalInformation {
                card: Some("44019912345678900011".into()),
                application: Some("00000000-0000-0000-0000-000000000001".into()),
                original: None,
                red_reason: None,
                remark: None,
            },
        },
        supervision: TaxSupervisionInfo {
            number: "24442000000000000001".into(),
            issued_at,
            bureau_code: "14400000000".into(),
            bureau_name: "国家税务总局广东省税务局".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_escapes() {
        let doc = sample();
        let xml = doc.to_xml().unwrap();
        assert!(xml.contains("&amp; &lt;子公司&gt;"), "{xml}");
        assert!(xml.contains("<TaxClassificationCode>3040502020301000000</TaxClassificationCode>"));
        assert!(xml.contains("<TotalTax-includedAmountInChinese>贰佰叁拾贰圆柒角陆分</TotalTax-includedAmountInChinese>"));
        for element in [
            "<EInvoiceTag>SWEI4400</EInvoiceTag>",
            "<EInvoiceType>\n        <LabelCode>01</LabelCode>\n        <LabelName>电子发票</LabelName>",
            "<GeneralOrSpecialVAT>\n        <LabelCode>02</LabelCode>\n        <LabelName>普通发票</LabelName>",
            "<TotaltaxIncludedAmount>232.76</TotaltaxIncludedAmount>",
            "<Toll>\n        <ItemNo>1</ItemNo>",
            "<StartDatesOfPassage>20240305</StartDatesOfPassage>",
            "<EndDatesOfPassage>20240305</EndDatesOfPassage>",
        ] {
            assert!(xml.contains(element), "{element} in {xml}");
        }
        let back = InvoiceXml::from_xml(xml.as_bytes()).unwrap();
        assert_eq!(back, doc);
        back.check().unwrap();
    }

    /// A two-line toll invoice laid out as the tax system issues them
    /// (element names and formats as in real 数电 toll invoices; the
    /// parties and amounts are made up): no line numbers, no
    /// `SpecialBusiness` / `Taxation` / `AdditionalInformation`, times
    /// without an offset, a bare issue date, passage times to the
    /// millisecond, and 元 in the capitals.
    const TAX_SYSTEM_TOLL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<EInvoice>
  <Header>
    <EIid>26337000000000000042</EIid>
    <EInvoiceTag>SWEI3300</EInvoiceTag>
    <Version>0.32</Version>
    <InherentLabel>
      <InIssuType><LabelCode>Y</LabelCode><LabelName>是否蓝字发票标志</LabelName></InIssuType>
      <EInvoiceType><LabelCode>01</LabelCode><LabelName>电子发票</LabelName></EInvoiceType>
      <GeneralOrSpecialVAT><LabelCode>02</LabelCode><LabelName>普通发票</LabelName></GeneralOrSpecialVAT>
    </InherentLabel>
  </Header>
  <EInvoiceData>
    <SellerInformation>
      <SellerIdNum>91330000000000001X</SellerIdNum>
      <SellerName>示例高速公路股份有限公司</SellerName>
      <SellerBankName>示例银行某支行</SellerBankName>
    </SellerInformation>
    <BuyerInformation>
      <BuyerIdNum>91110000600037341L</BuyerIdNum>
      <BuyerName>某某物流有限公司</BuyerName>
    </BuyerInformation>
    <BasicInformation>
      <TotalAmWithoutTax>24.92</TotalAmWithoutTax>
      <TotalTaxAm>0.75</TotalTaxAm>
      <TotalTax-includedAmount>25.67</TotalTax-includedAmount>
      <TotalTax-includedAmountInChinese>贰拾伍元陆角柒分</TotalTax-includedAmountInChinese>
      <Drawer>张三</Drawer>
      <RequestTime>2026-03-02 08:15:30</RequestTime>
    </BasicInformation>
    <IssuItemInformation>
      <ItemName>*经营租赁*通行费</ItemName>
      <UnPrice>18.63</UnPrice>
      <Amount>18.63</Amount>
      <TaxRate>0.03</TaxRate>
      <ComTaxAm>0.56</ComTaxAm>
      <TotaltaxIncludedAmount>19.19</TotaltaxIncludedAmount>
      <TaxClassificationCode>3040502020301000000</TaxClassificationCode>
    </IssuItemInformation>
    <IssuItemInformation>
      <ItemName>*经营租赁*通行费</ItemName>
      <UnPrice>6.29</UnPrice>
      <Amount>6.29</Amount>
      <TaxRate>0.03</TaxRate>
      <ComTaxAm>0.19</ComTaxAm>
      <TotaltaxIncludedAmount>6.48</TotaltaxIncludedAmount>
      <TaxClassificationCode>3040502020301000000</TaxClassificationCode>
    </IssuItemInformation>
    <SpecificInformation>
      <Toll>
        <PlateNumber>浙A12345</PlateNumber>
        <VehicleType>客车</VehicleType>
        <StartDatesOfPassage>20260228213005000</StartDatesOfPassage>
        <EndDatesOfPassage>20260301001210000</EndDatesOfPassage>
      </Toll>
      <Toll>
        <PlateNumber>浙A12345</PlateNumber>
        <VehicleType>客车</VehicleType>
        <StartDatesOfPassage>20260301094742000</StartDatesOfPassage>
        <EndDatesOfPassage>20260301094742000</EndDatesOfPassage>
      </Toll>
    </SpecificInformation>
  </EInvoiceData>
  <TaxSupervisionInfo>
    <InvoiceNumber>26337000000000000042</InvoiceNumber>
    <IssueTime>2026-03-02</IssueTime>
    <TaxBureauCode>13300000000</TaxBureauCode>
    <TaxBureauName>国家税务总局浙江省税务局</TaxBureauName>
  </TaxSupervisionInfo>
</EInvoice>
"#;

    #[test]
    fn reads_a_toll_invoice_as_the_tax_system_issues_it() {
        let doc = InvoiceXml::from_xml(TAX_SYSTEM_TOLL.as_bytes()).unwrap();
        doc.check().unwrap();
        assert!(!doc.is_red());
        assert_eq!(doc.header.tag.as_deref(), Some("SWEI3300"));
        assert_eq!(doc.title(), "电子发票（普通发票）");
        assert_eq!(doc.header.labels.special_business, None);
        let numbers: Vec<u32> = doc.data.items.iter().map(|i| i.number).collect();
        assert_eq!(numbers, [1, 2]);
        let tolls: Vec<u32> = doc.data.specific.tolls.iter().map(|t| t.number).collect();
        assert_eq!(tolls, [1, 2]);
        assert_eq!(doc.data.items[1].gross, Money::from_fen(648));
        let toll = &doc.data.specific.tolls[0];
        assert_eq!(toll.date_from, "20260228213005000");
        assert_eq!(TollInformation::date_label(&toll.date_from), "20260228");
        assert_eq!(TollInformation::date_label(&toll.date_to), "20260301");
        assert_eq!(TollInformation::date_label("2026-03-01"), "2026-03-01");
        assert_eq!(
            doc.data.basic.request_time,
            "2026-03-02T08:15:30+08:00".parse().unwrap()
        );
        assert_eq!(
            doc.supervision.issued_at,
            "2026-03-02T00:00:00+08:00".parse().unwrap()
        );
        assert_eq!(doc.data.additional, AdditionalInformation::default());
        // Written again in this crate's layout, it reads back the same.
        let back = InvoiceXml::from_xml(doc.to_xml().unwrap().as_bytes()).unwrap();
        assert_eq!(back, doc);
        // And the renderings take it.
        let html = crate::html::invoice_html(&doc);
        assert!(html.contains("<td>20260228</td>"), "{html}");
        assert!(crate::pdf::invoice_pdf(&doc).starts_with(b"%PDF"));
    }

    #[test]
    fn reads_the_names_written_before() {
        let old = sample()
            .to_xml()
            .unwrap()
            .replace("TotaltaxIncludedAmount", "TotalTaxIncludedAmount")
            .replace("<Toll>", "<TollInformation>")
            .replace("</Toll>", "</TollInformation>")
            .replace("StartDatesOfPassage", "PassageDateStart")
            .replace("EndDatesOfPassage", "PassageDateEnd");
        assert!(old.contains("<PassageDateStart>20240305</PassageDateStart>"));
        assert_eq!(InvoiceXml::from_xml(old.as_bytes()).unwrap(), sample());
    }

    #[test]
    fn times_read_in_the_tax_systems_forms_and_no_other() {
        let with_time = |t: &str| {
            sample().to_xml().unwrap().replace(
                "2024-04-15T00:00:00+08:00</IssueTime>",
                &format!("{t}</IssueTime>"),
            )
        };
        for (text, expected) in [
            ("2024-04-15", "2024-04-15T00:00:00+08:00"),
            (" 2024-04-15 09:30:00 ", "2024-04-15T09:30:00+08:00"),
            ("2024-04-15T01:30:00Z", "2024-04-15T09:30:00+08:00"),
            ("20240415", "2024-04-15T00:00:00+08:00"),
        ] {
            let doc = InvoiceXml::from_xml(with_time(text).as_bytes()).unwrap();
            assert_eq!(
                doc.supervision.issued_at,
                expected.parse().unwrap(),
                "{text}"
            );
        }
        for bad in [
            "2024-13-01",
            "15/04/2024",
            "-2024-04-15",
            "12024-04-15",
            "",
            "2024",
        ] {
            assert!(
                InvoiceXml::from_xml(with_time(bad).as_bytes()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn reads_several_lines() {
        let mut doc = sample();
        let mut item = doc.data.items[0].clone();
        item.number = 2;
        doc.data.items.push(item);
        let mut toll = doc.data.specific.tolls[0].clone();
        toll.number = 2;
        doc.data.specific.tolls.push(toll);
        doc.data.basic.total_net = Money::from_fen(45_196);
        doc.data.basic.total_tax = Money::from_fen(1_356);
        doc.data.basic.total_gross = Money::from_fen(46_552);
        doc.data.basic.total_gross_in_capitals = amount_in_capitals(Money::from_fen(46_552));
        let back = InvoiceXml::from_xml(doc.to_xml().unwrap().as_bytes()).unwrap();
        assert_eq!(back.data.items.len(), 2);
        back.check().unwrap();
    }

    #[test]
    fn rates_are_written_as_decimals_and_printed_as_percentages() {
        let three: TaxRate = "3%".parse().unwrap();
        let nine: TaxRate = "0.090".parse().unwrap();
        assert_eq!(Item::rate_text(Some(three)), "0.03");
        assert_eq!(Item::rate_text(Some(nine)), "0.09");
        assert_eq!(Item::rate_text(None), "不征税");
        let xml = sample().to_xml().unwrap();
        assert!(xml.contains("<TaxRate>0.03</TaxRate>"), "{xml}");
        let mut item = sample().data.items[0].clone();
        for (text, label) in [
            ("0.03", "3%"),
            ("3%", "3%"),
            ("0.105", "10.5%"),
            ("不征税", "不征税"),
        ] {
            item.rate = text.into();
            assert_eq!(item.rate_label(), label);
        }
        item.rate = "three".into();
        assert_eq!(item.rate_label(), "three");
    }

    #[test]
    fn check_finds_mismatches() {
        let mut doc = sample();
        doc.data.basic.total_tax = Money::from_fen(679);
        let e = doc.check().unwrap_err();
        assert_eq!(
            e.to_string(),
            "total tax is `6.79`, but its parts give `6.78`"
        );

        let mut doc = sample();
        doc.data.basic.total_gross_in_capitals = "贰佰元整".into();
        assert!(matches!(doc.check(), Err(XmlError::Totals { .. })));

        // Another writing of the right amount (元 for 圆) reads, and is
        // kept as written.
        let mut doc = sample();
        doc.data.basic.total_gross_in_capitals = "人民币贰佰叁拾贰元柒角陆分".into();
        let back = InvoiceXml::from_xml(doc.to_xml().unwrap().as_bytes()).unwrap();
        assert_eq!(back, doc);

        let mut doc = sample();
        doc.data.items[0].tax = Money::from_fen(600);
        doc.data.items[0].gross = Money::from_fen(23_198);
        assert!(doc.check().is_err());

        let mut doc = sample();
        doc.data.items[0].rate = "three".into();
        assert_eq!(
            doc.check().unwrap_err().to_string(),
            "line 1 has tax rate `three`, which is not a rate or `不征税`"
        );
    }

    #[test]
    fn bad_bytes_keep_the_input() {
        match InvoiceXml::from_xml(b"<EInvoice><Header>") {
            Err(XmlError::Read { raw, .. }) => assert_eq!(raw, b"<EInvoice><Header>"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            InvoiceXml::from_xml(&[0xff, 0xfe]),
            Err(XmlError::Utf8 { .. })
        ));
    }

    #[test]
    fn summary_round_trip() {
        let s = sample_summary();
        let back = SummaryXml::from_xml(s.to_xml().unwrap().as_bytes()).unwrap();
        assert_eq!(back, s);
        back.check().unwrap();
    }
}
