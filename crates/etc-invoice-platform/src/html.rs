//! Readable renderings of the documents: self-contained HTML pages laid out
//! like a printed 数电 toll invoice, every text escaped.

use std::borrow::Cow;
use std::fmt::{self, Write as _};

use etc_invoice_order::CstDateTime;

use crate::xml::{InvoiceXml, Item, NON_TAXABLE, SummaryXml, TollInformation};

/// Text escaped for HTML element content and attribute values: `&`, `<`,
/// `>`, `"` and `'` become entities.
///
/// ```
/// use etc_invoice_platform::html::Escaped;
///
/// assert_eq!(Escaped("<a href=\"x\">Tom & Jerry's</a>").to_string(),
///            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Escaped<'a>(pub &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(i) = rest.find(['&', '<', '>', '"', '\'']) {
            let (plain, tail) = rest.split_at(i);
            f.write_str(plain)?;
            let mut chars = tail.chars();
            let entity = match chars.next() {
                Some('&') => "&amp;",
                Some('<') => "&lt;",
                Some('>') => "&gt;",
                Some('"') => "&quot;",
                _ => "&#39;",
            };
            f.write_str(entity)?;
            rest = chars.as_str();
        }
        f.write_str(rest)
    }
}

/// Shorthand for an escaped value.
fn e(s: &str) -> Escaped<'_> {
    Escaped(s)
}

const STYLE: &str = "body{font-family:\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"PingFang SC\",\"Microsoft YaHei\",sans-serif;margin:2em;color:#222}\
.invoice{max-width:60em;border:2px solid #b35c1e;padding:1em 1.5em}\
.invoice.red{border-color:#c00}\
h1{text-align:center;color:#b35c1e;font-size:1.5em;letter-spacing:.3em;margin:.2em 0}\
.red h1{color:#c00}\
.meta{text-align:right;font-size:.9em}\
table{width:100%;border-collapse:collapse;margin:.6em 0}\
th,td{border:1px solid #b35c1e;padding:.3em .5em;font-size:.9em}\
th{background:#fbf1e8;font-weight:normal}\
td.num{text-align:right;font-variant-numeric:tabular-nums}\
.parties td{width:50%;vertical-align:top}\
.tag{display:inline-block;border:1px solid #b35c1e;padding:0 .4em;margin-right:.4em}\
.foot{font-size:.85em;color:#555}";

fn page_start(out: &mut String, title: &str, class: &str) -> fmt::Result {
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<div class=\"{}\">\n",
        e(title),
        e(class)
    )
}

fn page_end(out: &mut String) {
    out.push_str("</div>\n</body>\n</html>\n");
}

/// Renders an invoice as a standalone HTML page (UTF-8; no scripts, no
/// external resources).
pub fn invoice_html(doc: &InvoiceXml) -> String {
    let mut out = String::with_capacity(8 * 1024);
    // Writing to a String cannot fail; the result is ignored on purpose.
    let _ = write_invoice(&mut out, doc);
    out
}

fn write_invoice(out: &mut String, doc: &InvoiceXml) -> fmt::Result {
    let d = &doc.data;
    let red = doc.is_red();
    let title = doc.title();
    page_start(
        out,
        &format!("{title} {}", doc.header.number),
        if red { "invoice red" } else { "invoice" },
    )?;
    write!(out, "<h1>{}</h1>\n<p class=\"meta\">", e(&title))?;
    for tag in tags(doc) {
        write!(out, "<span class=\"tag\">{}</span>", e(tag))?;
    }
    writeln!(
        out,
        "发票号码：{}<br>开票日期：{}</p>",
        e(&doc.header.number),
        e(&date_text(doc.supervision.issued_at)),
    )?;
    out.push_str("<table class=\"parties\"><tr>");
    for (heading, fields) in parties(doc) {
        write!(out, "<td><b>{heading}</b>")?;
        for (label, value) in fields {
            write!(out, "<br>{label}{}", e(&value))?;
        }
        out.push_str("</td>");
    }
    out.push_str("</tr></table>\n");
    out.push_str(
        "<table class=\"items\"><tr><th>项目名称</th><th>车牌号</th><th>类型</th><th>通行日期起</th>\
         <th>通行日期止</th><th>金额</th><th>税率/征收率</th><th>税额</th></tr>\n",
    );
    for item in &d.items {
        let [name, plate, vehicle, from, to, net, rate, tax] = line_cells(doc, item);
        writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            e(&name),
            e(&plate),
            e(&vehicle),
            e(&from),
            e(&to),
            e(&net),
            e(&rate),
            e(&tax),
        )?;
    }
    write!(
        out,
        "<tr><td colspan=\"5\">合计</td><td class=\"num\">¥{}</td><td></td><td class=\"num\">¥{}</td></tr>\n\
         <tr><td colspan=\"2\">价税合计（大写）</td><td colspan=\"3\">{}</td><td colspan=\"3\">（小写）¥{}</td></tr>\n</table>\n",
        d.basic.total_net,
        d.basic.total_tax,
        e(&d.basic.total_gross_in_capitals),
        d.basic.total_gross,
    )?;
    write!(out, "<p>{}", e(&remarks(doc)))?;
    write!(
        out,
        "</p>\n<p class=\"foot\">开票人：{}　税务机关：{}（{}）</p>\n",
        e(&d.basic.drawer),
        e(&doc.supervision.bureau_name),
        e(&doc.supervision.bureau_code)
    )?;
    page_end(out);
    Ok(())
}

/// The labels an invoice shows in boxes by its title: the special business
/// (通行费), the taxation, and 红字发票 on a red invoice.
pub(crate) fn tags(doc: &InvoiceXml) -> Vec<&str> {
    let labels = &doc.header.labels;
    let mut tags: Vec<&str> = [&labels.special_business, &labels.taxation]
        .into_iter()
        .flatten()
        .map(|l| l.name.as_str())
        .collect();
    if doc.is_red() {
        tags.push("红字发票");
    }
    tags
}

/// The buyer's and the seller's boxes: a heading and the fields (label,
/// value) under it, as both renderings print them. The buyer's address and
/// phone, and bank and account, show where either of the pair is given.
pub(crate) fn parties(doc: &InvoiceXml) -> [(&'static str, Vec<(&'static str, String)>); 2] {
    const TAXPAYER: &str = "统一社会信用代码/纳税人识别号：";
    let (b, s) = (&doc.data.buyer, &doc.data.seller);
    let pair = |x: &Option<String>, y: &Option<String>| {
        format!(
            "{} {}",
            x.as_deref().unwrap_or(""),
            y.as_deref().unwrap_or("")
        )
    };
    let mut buyer = vec![
        ("名称：", b.name.clone()),
        (TAXPAYER, b.id_number.clone().unwrap_or_default()),
    ];
    if b.address.is_some() || b.phone.is_some() {
        buyer.push(("地址、电话：", pair(&b.address, &b.phone)));
    }
    if b.bank_name.is_some() || b.bank_account.is_some() {
        buyer.push(("开户行及账号：", pair(&b.bank_name, &b.bank_account)));
    }
    let seller = vec![("名称：", s.name.clone()), (TAXPAYER, s.id_number.clone())];
    [("购买方信息", buyer), ("销售方信息", seller)]
}

/// The cells of an invoice line, as both renderings print them: item,
/// plate, vehicle type, passage dates from and to, amount, rate, and tax
/// (`***` where the line is not taxable).
pub(crate) fn line_cells<'a>(doc: &'a InvoiceXml, item: &'a Item) -> [Cow<'a, str>; 8] {
    let toll = doc
        .data
        .specific
        .tolls
        .iter()
        .find(|t| t.number == item.number);
    let field = |f: fn(&TollInformation) -> &str| Cow::Borrowed(toll.map_or("", f));
    [
        Cow::Borrowed(item.name.as_str()),
        field(|t| t.plate.as_str()),
        field(|t| t.vehicle_type.as_str()),
        field(|t| TollInformation::date_label(&t.date_from)),
        field(|t| TollInformation::date_label(&t.date_to)),
        Cow::Owned(item.net.to_string()),
        item.rate_label(),
        if item.rate == NON_TAXABLE {
            Cow::Borrowed("***")
        } else {
            Cow::Owned(item.tax.to_string())
        },
    ]
}

/// The line under a summary sheet's title: the card, the buyer, and the
/// trip and the replaced sheet where there are.
pub(crate) fn summary_about(s: &SummaryXml) -> String {
    let mut text = format!("ETC卡号：{}　购买方：{}", s.card, s.buyer);
    if let Some(trip) = &s.trip {
        text += &format!("　行程：{trip}");
    }
    if let Some(old) = &s.replaces {
        text += &format!("　替代汇总单：{old}");
    }
    text
}

/// A date as the documents print it: `2024年04月15日`.
pub(crate) fn date_text(t: CstDateTime) -> String {
    t.date().format("%Y年%m月%d日").to_string()
}

/// The remarks (备注) of an invoice, as both renderings print them: the
/// card, the application, the original invoice of a red or reissued one, the
/// reason for a reversal, and the free remark.
pub(crate) fn remarks(doc: &InvoiceXml) -> String {
    let a = &doc.data.additional;
    let original = if doc.is_red() {
        "被红冲蓝字发票号码"
    } else {
        "原发票号码"
    };
    let parts = [
        ("ETC卡号", &a.card),
        ("申请", &a.application),
        (original, &a.original),
        ("红冲原因", &a.red_reason),
        ("", &a.remark),
    ];
    const HEAD: &str = "备注：";
    // Sized once: label, space, value and separator for each part.
    let size = parts
        .iter()
        .filter_map(|(label, value)| Some(label.len() + value.as_ref()?.len() + 4))
        .sum::<usize>();
    let mut text = String::with_capacity(HEAD.len() + size);
    text.push_str(HEAD);
    let mut first = true;
    for (label, value) in parts {
        let Some(value) = value.as_deref() else {
            continue;
        };
        if !std::mem::take(&mut first) {
            text.push('；');
        }
        if !label.is_empty() {
            text.push_str(label);
            text.push(' ');
        }
        text.push_str(value);
    }
    text
}

/// Renders a summary sheet as a standalone HTML page.
pub fn summary_html(sheet: &SummaryXml) -> String {
    let mut out = String::with_capacity(4 * 1024);
    // Writing to a String cannot fail; the result is ignored on purpose.
    let _ = write_summary(&mut out, sheet);
    out
}

fn write_summary(out: &mut String, s: &SummaryXml) -> fmt::Result {
    page_start(out, &format!("通行费电子汇总单 {}", s.number), "invoice")?;
    write!(
        out,
        "<h1>通行费电子汇总单</h1>\n<p class=\"meta\">汇总单号：{}<br>开具日期：{}</p>\n<p>{}",
        e(&s.number),
        e(&date_text(s.issued_at)),
        e(&summary_about(s)),
    )?;
    out.push_str(
        "</p>\n<table><tr><th>发票号码</th><th>票据类型</th><th>销售方</th><th>价税合计</th></tr>\n",
    );
    for inv in &s.invoices {
        writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
            e(&inv.number),
            e(&inv.document),
            e(&inv.seller),
            inv.gross
        )?;
    }
    write!(
        out,
        "<tr><td colspan=\"3\">合计（大写）{}</td><td class=\"num\">¥{}</td></tr>\n</table>\n<p class=\"foot\">交易：{}</p>\n",
        e(&s.total_in_capitals),
        s.total,
        e(&s.transactions.join("，")),
    )?;
    page_end(out);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_special_character() {
        assert_eq!(Escaped("").to_string(), "");
        assert_eq!(Escaped("通行费").to_string(), "通行费");
        assert_eq!(
            Escaped("a&b<c>d\"e'f").to_string(),
            "a&amp;b&lt;c&gt;d&quot;e&#39;f"
        );
        assert_eq!(Escaped("&&").to_string(), "&amp;&amp;");
        assert_eq!(Escaped("<script>").to_string(), "&lt;script&gt;");
    }

    #[test]
    fn remarks_name_what_the_invoice_has() {
        let mut doc = crate::xml::sample();
        assert_eq!(
            remarks(&doc),
            "备注：ETC卡号 44019912345678900011；申请 00000000-0000-0000-0000-000000000001"
        );
        doc.header.labels.blue_red = crate::xml::Label::red();
        doc.data.additional.original = Some("24442000000000000000".into());
        doc.data.additional.red_reason = Some("开票有误".into());
        doc.data.additional.remark = Some("第1张，共2张".into());
        doc.data.additional.card = None;
        assert_eq!(
            remarks(&doc),
            "备注：申请 00000000-0000-0000-0000-000000000001；被红冲蓝字发票号码 \
             24442000000000000000；红冲原因 开票有误；第1张，共2张"
        );
        doc.data.additional = crate::xml::AdditionalInformation::default();
        assert_eq!(remarks(&doc), "备注：");
    }

    #[test]
    fn invoice_page_shows_the_invoice_and_escapes_names() {
        let mut doc = crate::xml::sample();
        doc.data.buyer.name = "<script>alert('x')</script>".into();
        let html = invoice_html(&doc);
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("24442000000000000001"));
        assert!(html.contains("贰佰叁拾贰圆柒角陆分"));
        assert!(html.contains("*经营租赁*通行费"));
        assert!(html.contains("粤A12345"));
        assert!(html.contains("广东某高速公路有限公司 &amp; &lt;子公司&gt;"));
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
        assert!(html.contains("2024年04月15日"));
    }

    #[test]
    fn red_invoice_is_marked() {
        let mut doc = crate::xml::sample();
        doc.header.labels.blue_red = crate::xml::Label::red();
        doc.data.additional.original = Some("24442000000000000000".into());
        let html = invoice_html(&doc);
        assert!(html.contains("class=\"invoice red\""));
        assert!(html.contains("被红冲蓝字发票号码 24442000000000000000"));
    }
}
