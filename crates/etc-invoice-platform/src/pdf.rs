//! PDF renderings of the documents, laid out like a printed 数电 toll
//! invoice (240 × 140 mm, the size of the printed e-invoice) and written with
//! [`pdf_writer`].
//!
//! # The font
//!
//! The text is set in **STSong-Light**, one of the Chinese fonts every PDF
//! reader must be able to supply without embedding (ISO 32000-1 §9.7.5.2
//! lists it among the fonts of the Adobe-GB1 character collection), encoded
//! with the predefined `UniGB-UTF16-H` CMap: the text is written as UTF-16
//! and no font file goes into the document. A PDF stays a few kilobytes, and
//! the project ships no font. Readers substitute their own Song (Ming) face;
//! Adobe Reader, pdf.js (browsers) and Poppler with `poppler-data` and a CJK
//! font installed all do.
//!
//! Widths: the Adobe-GB1 glyphs reached from ASCII (CIDs 1–95) are set to
//! half an em, every other glyph to a full em, so that the layout here can
//! measure text without the font: a line is cut with `…` where it would not
//! fit its cell, and the party fields and the remarks wrap onto a second
//! line first.
//!
//! # Pages
//!
//! An invoice with more lines than one page holds (ten) continues on further
//! pages, each with the header, the parties and the next lines; the totals,
//! the amount in capitals and the remarks close the last page. Every page
//! says which of how many it is. Summary sheets page the same way, and list
//! every transaction they bind, on further pages where the list is long.
//!
//! The output is deterministic: the same document gives the same bytes (the
//! document's creation date is its issue time).

#![expect(
    clippy::float_arithmetic,
    reason = "page geometry in points; amounts reach this module only as formatted text"
)]

use std::borrow::Cow;

use etc_invoice_order::CstDateTime;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo};
use pdf_writer::{Content, Date, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::clock::fields;
use crate::html::{date_text, line_cells, parties, remarks, summary_about, tags};
use crate::xml::{InvoiceXml, SummaryXml};

/// Page width and height: 240 × 140 mm, in points.
const PAGE_W: f32 = 680.3;
const PAGE_H: f32 = 396.9;
/// The left and right margin.
const MARGIN: f32 = 28.0;
/// The width between the margins.
const INNER_W: f32 = PAGE_W - 2.0 * MARGIN;

/// The font resource name used in every content stream.
const FONT: Name<'static> = Name(b"F1");
const FONT_NAME: Name<'static> = Name(b"STSong-Light");

/// Text size for most of the page, and for the title.
const TEXT: f32 = 8.5;
const TITLE: f32 = 17.0;
/// The height of a table row, and of a line of running text.
const ROW: f32 = 14.0;
const LINE: f32 = 11.0;
/// The baseline of the footer.
const FOOT: f32 = PAGE_H - 18.0;

/// Invoice lines and summary-sheet rows per page.
const INVOICE_ROWS: usize = 10;
const SUMMARY_ROWS: usize = 13;

/// A colour as RGB fractions.
type Rgb = (f32, f32, f32);
/// The brown of the printed e-invoice's frame, the red of a red invoice,
/// and the near-black of the text.
const BROWN: Rgb = (0.70, 0.36, 0.12);
const RED: Rgb = (0.80, 0.0, 0.0);
const INK: Rgb = (0.13, 0.13, 0.13);

/// The invoice table's columns: heading, width, and whether the values are
/// amounts (set flush right).
const INVOICE_COLUMNS: [(&str, f32, bool); 8] = [
    ("项目名称", 150.0, false),
    ("车牌号", 72.0, false),
    ("类型", 44.0, false),
    ("通行日期起", 64.0, false),
    ("通行日期止", 64.0, false),
    ("金额", 84.0, true),
    ("税率/征收率", 64.0, true),
    ("税额", 82.0, true),
];

const SUMMARY_COLUMNS: [(&str, f32, bool); 4] = [
    ("发票号码", 170.0, false),
    ("票据类型", 130.0, false),
    ("销售方", 224.0, false),
    ("价税合计", 100.0, true),
];

/// Renders an invoice (blue or red) as a PDF.
///
/// ```
/// # fn sample() -> etc_invoice_platform::InvoiceXml { etc_invoice_platform::xml::sample() }
/// let pdf = etc_invoice_platform::pdf::invoice_pdf(&sample());
/// assert!(pdf.starts_with(b"%PDF-1.7"));
/// ```
pub fn invoice_pdf(doc: &InvoiceXml) -> Vec<u8> {
    let red = doc.is_red();
    let title = doc.title();
    let frame = if red { RED } else { BROWN };
    let rows: Vec<[Cow<'_, str>; 8]> = doc
        .data
        .items
        .iter()
        .map(|item| line_cells(doc, item))
        .collect();
    let pages = rows.len().div_ceil(INVOICE_ROWS).max(1);
    let mut writer = Writer::new(
        &format!("{title} {}", doc.header.number),
        doc.supervision.issued_at,
    );
    // What every page repeats.
    let tags = tags(doc);
    let meta = [
        format!("发票号码：{}", doc.header.number),
        format!("开票日期：{}", date_text(doc.supervision.issued_at)),
    ];
    let foot = format!(
        "开票人：{}　税务机关：{}（{}）",
        doc.data.basic.drawer, doc.supervision.bureau_name, doc.supervision.bureau_code
    );
    for page in 0..pages {
        let mut c = Canvas::new();
        c.heading(&title, frame);
        c.tags(&tags, frame);
        c.meta(&meta);
        let y = c.parties(doc, frame);
        let shown = rows.chunks(INVOICE_ROWS).nth(page).unwrap_or_default();
        let mut y = c.table(y, &INVOICE_COLUMNS, shown, frame);
        if page + 1 == pages {
            y = c.invoice_totals(y, doc, frame);
            c.remarks(y, &remarks(doc), frame);
        }
        c.footer(&foot, page, pages);
        writer.page(c);
    }
    writer.finish()
}

/// Renders a summary sheet (电子汇总单) as a PDF.
///
/// ```
/// # use etc_invoice_platform::xml::sample_summary;
/// let sheet = sample_summary();
/// let pdf = etc_invoice_platform::pdf::summary_pdf(&sheet);
/// assert!(pdf.ends_with(b"%%EOF"));
/// ```
pub fn summary_pdf(sheet: &SummaryXml) -> Vec<u8> {
    let rows: Vec<[Cow<'_, str>; 4]> = sheet
        .invoices
        .iter()
        .map(|inv| {
            [
                Cow::Borrowed(inv.number.as_str()),
                Cow::Borrowed(inv.document.as_str()),
                Cow::Borrowed(inv.seller.as_str()),
                Cow::Owned(inv.gross.to_string()),
            ]
        })
        .collect();
    let about = summary_about(sheet);
    let about = wrap(&about, INNER_W, TEXT, 2);
    let table_top = 78.0 + 12.0 * about.len() as f32;
    // The transactions bound are listed in full: after the totals, and on
    // further pages as far as they need.
    let trips = format!("交易：{}", sheet.transactions.join("，"));
    let trips = wrap(&trips, INNER_W - 12.0, TEXT, usize::MAX);

    let row_pages = rows.len().div_ceil(SUMMARY_ROWS).max(1);
    let last_rows = rows.len() - (row_pages - 1) * SUMMARY_ROWS;
    let totals_end = table_top + ROW * (1 + last_rows) as f32 + ROW + 6.0;
    let on_last = lines_below(totals_end).min(trips.len());
    let per_page = lines_below(table_top).max(1);
    let pages = row_pages + (trips.len() - on_last).div_ceil(per_page);

    let mut writer = Writer::new(
        &format!("通行费电子汇总单 {}", sheet.number),
        sheet.issued_at,
    );
    let meta = [
        format!("汇总单号：{}", sheet.number),
        format!("开具日期：{}", date_text(sheet.issued_at)),
    ];
    for page in 0..pages {
        let mut c = Canvas::new();
        c.heading("通行费电子汇总单", BROWN);
        c.meta(&meta);
        for (line, y) in about
            .iter()
            .zip((0_u8..).map(|i| 78.0 + 12.0 * f32::from(i)))
        {
            c.text(MARGIN, y, TEXT, line, INK);
        }
        if page < row_pages {
            let shown = rows.chunks(SUMMARY_ROWS).nth(page).unwrap_or_default();
            let y = c.table(table_top, &SUMMARY_COLUMNS, shown, BROWN);
            if page + 1 == row_pages {
                let label = format!("合计（大写）{}", sheet.total_in_capitals);
                c.row_box(y, BROWN);
                c.text(
                    MARGIN + 4.0,
                    y + 10.0,
                    TEXT,
                    &fit(&label, INNER_W - 110.0, TEXT),
                    INK,
                );
                let total = format!("￥{}", sheet.total);
                c.text_right(PAGE_W - MARGIN - 4.0, y + 10.0, TEXT, &total, INK);
                let lines = trips.get(..on_last).unwrap_or_default();
                c.lines_box(y + ROW + 6.0, lines, BROWN);
            }
        } else {
            // The transactions the last table page had no room for, a page
            // at a time.
            let rest = trips.get(on_last..).unwrap_or_default();
            let lines = rest.chunks(per_page).nth(page - row_pages);
            c.lines_box(table_top, lines.unwrap_or_default(), BROWN);
        }
        c.footer("", page, pages);
        writer.page(c);
    }
    writer.finish()
}

/// How many lines of text fit in a box that starts at `top` and ends above
/// the footer.
fn lines_below(top: f32) -> usize {
    let limit = FOOT - 12.0;
    let mut bottom = top + 6.0 + LINE;
    let mut n = 0;
    while bottom <= limit {
        n += 1;
        bottom += LINE;
    }
    n
}

// ---- measuring text ---------------------------------------------------------

/// A character as it is set: controls become spaces.
fn printable(c: char) -> char {
    if c.is_control() { ' ' } else { c }
}

/// The advance of `c` in ems: half for ASCII, whole for everything else.
fn em(c: char) -> f32 {
    if c.is_ascii() { 0.5 } else { 1.0 }
}

/// The width of `s` at `size`.
fn width(s: &str, size: f32) -> f32 {
    s.chars().map(em).sum::<f32>() * size
}

/// `s` cut to `max` points at `size`, ending in `…` where it was cut.
fn fit(s: &str, max: f32, size: f32) -> Cow<'_, str> {
    if width(s, size) <= max {
        return Cow::Borrowed(s);
    }
    let room = max - size; // the ellipsis is a full em
    let mut used = 0.0;
    let mut out = String::new();
    for c in s.chars() {
        used += em(c) * size;
        if used > room {
            break;
        }
        out.push(c);
    }
    out.push('…');
    Cow::Owned(out)
}

/// `s` broken into at most `lines` lines of `max` points at `size`, after a
/// separator (`，`, `、`, a space or a comma) where the line has one; the
/// last line is cut with `…` when the text goes on.
fn wrap(s: &str, max: f32, size: f32, lines: usize) -> Vec<Cow<'_, str>> {
    let mut out = Vec::new();
    let mut rest = s;
    while !rest.is_empty() && out.len() < lines {
        if out.len() + 1 == lines || width(rest, size) <= max {
            out.push(fit(rest, max, size));
            break;
        }
        let mut used = 0.0;
        let end = rest
            .char_indices()
            .find(|(_, c)| {
                used += em(*c) * size;
                used > max
            })
            .map_or(rest.len(), |(i, _)| i)
            // At least one character a line, however narrow the space.
            .max(rest.chars().next().map_or(0, char::len_utf8));
        // Break after the last separator on the line, if there is one, so
        // that an id or a number is not split.
        let end = rest
            .get(..end)
            .and_then(|line| line.rfind(['，', '、', ' ', ',']))
            .and_then(|i| rest.get(i..)?.chars().next().map(|c| i + c.len_utf8()))
            .filter(|i| *i < end)
            .unwrap_or(end);
        let (line, tail) = rest.split_at(end);
        out.push(Cow::Borrowed(line));
        rest = tail;
    }
    out
}

/// Text as the `UniGB-UTF16-H` encoding reads it: UTF-16, big-endian.
fn utf16be(s: &str) -> Vec<u8> {
    s.chars()
        .map(printable)
        .collect::<String>()
        .encode_utf16()
        .flat_map(u16::to_be_bytes)
        .collect()
}

// ---- drawing ----------------------------------------------------------------

/// One page's content. Coordinates are in points from the top left corner
/// (text at its baseline); they are turned into PDF's bottom-left ones here.
struct Canvas {
    content: Content,
}

impl Canvas {
    fn new() -> Canvas {
        Canvas {
            content: Content::new(),
        }
    }

    fn text(&mut self, x: f32, y: f32, size: f32, s: &str, (r, g, b): Rgb) {
        if s.is_empty() {
            return;
        }
        self.content
            .set_fill_rgb(r, g, b)
            .begin_text()
            .set_font(FONT, size)
            .set_text_matrix([1.0, 0.0, 0.0, 1.0, x, PAGE_H - y])
            .show(Str(&utf16be(s)))
            .end_text();
    }

    fn text_right(&mut self, right: f32, y: f32, size: f32, s: &str, colour: Rgb) {
        self.text(right - width(s, size), y, size, s, colour);
    }

    fn line(&mut self, (x1, y1): (f32, f32), (x2, y2): (f32, f32), (r, g, b): Rgb) {
        self.content
            .set_stroke_rgb(r, g, b)
            .set_line_width(0.6)
            .move_to(x1, PAGE_H - y1)
            .line_to(x2, PAGE_H - y2)
            .stroke();
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, (r, g, b): Rgb) {
        self.content
            .set_stroke_rgb(r, g, b)
            .set_line_width(0.6)
            .rect(x, PAGE_H - y - h, w, h)
            .stroke();
    }

    /// A box one row high across the page, from `y` down.
    fn row_box(&mut self, y: f32, colour: Rgb) {
        self.rect(MARGIN, y, INNER_W, ROW, colour);
    }

    /// The title, centred, with a double rule under it.
    fn heading(&mut self, title: &str, colour: Rgb) {
        let x = (PAGE_W - width(title, TITLE)) / 2.0;
        self.text(x, 40.0, TITLE, title, colour);
        let (a, b) = (x - 6.0, x + width(title, TITLE) + 6.0);
        self.line((a, 46.0), (b, 46.0), colour);
        self.line((a, 48.5), (b, 48.5), colour);
    }

    /// Labels in boxes at the top left.
    fn tags(&mut self, tags: &[&str], colour: Rgb) {
        let mut x = MARGIN;
        for tag in tags.iter().filter(|t| !t.is_empty()) {
            let tag = fit(tag, 120.0, TEXT);
            let w = width(&tag, TEXT) + 8.0;
            self.rect(x, 26.0, w, 13.0, colour);
            self.text(x + 4.0, 36.0, TEXT, &tag, colour);
            x += w + 5.0;
        }
    }

    /// Lines at the top right (number, date).
    fn meta(&mut self, lines: &[String]) {
        for (i, line) in (0_u8..).zip(lines) {
            let y = 30.0 + f32::from(i) * 12.0;
            self.text(
                PAGE_W - MARGIN - 180.0,
                y,
                TEXT,
                &fit(line, 180.0, TEXT),
                INK,
            );
        }
    }

    /// The buyer's and the seller's boxes; returns where the next part
    /// starts.
    fn parties(&mut self, doc: &InvoiceXml, colour: Rgb) -> f32 {
        let (top, height) = (58.0, 76.0);
        let half = INNER_W / 2.0;
        for (i, (heading, fields)) in parties(doc).into_iter().enumerate() {
            let x = MARGIN + if i == 0 { 0.0 } else { half };
            self.rect(x, top, half, height, colour);
            self.text(x + 6.0, top + 13.0, TEXT + 0.5, heading, colour);
            let mut y = top + 26.0;
            let bottom = top + height - 3.0;
            for (label, value) in &fields {
                let text = format!("{label}{value}");
                // Names may wrap onto a second line; the rest is one line.
                let lines = if *label == "名称：" { 2 } else { 1 };
                for line in wrap(&text, half - 12.0, TEXT, lines) {
                    if y > bottom {
                        break;
                    }
                    self.text(x + 6.0, y, TEXT, &line, INK);
                    y += 11.0;
                }
            }
        }
        top + height + 6.0
    }

    /// A table: the heading row and `rows`, each cell cut to its column;
    /// returns where the next part starts.
    fn table<const N: usize>(
        &mut self,
        top: f32,
        columns: &[(&str, f32, bool); N],
        rows: &[[Cow<'_, str>; N]],
        colour: Rgb,
    ) -> f32 {
        let mut y = top;
        let heading: [Cow<'_, str>; N] = columns.map(|(h, _, _)| Cow::Borrowed(h));
        for (i, row) in std::iter::once(&heading).chain(rows).enumerate() {
            self.row_box(y, colour);
            let mut x = MARGIN;
            for ((_, w, amount), cell) in columns.iter().zip(row) {
                let cell = fit(cell, w - 8.0, TEXT);
                let ink = if i == 0 { colour } else { INK };
                if *amount && i > 0 {
                    self.text_right(x + w - 4.0, y + 10.0, TEXT, &cell, ink);
                } else {
                    self.text(x + 4.0, y + 10.0, TEXT, &cell, ink);
                }
                x += w;
                if x < PAGE_W - MARGIN - 1.0 {
                    self.line((x, y), (x, y + ROW), colour);
                }
            }
            y += ROW;
        }
        y
    }

    /// 合计 and 价税合计 under an invoice's lines.
    fn invoice_totals(&mut self, y: f32, doc: &InvoiceXml, colour: Rgb) -> f32 {
        let b = &doc.data.basic;
        let right = |upto: usize| {
            MARGIN
                + INVOICE_COLUMNS
                    .iter()
                    .take(upto)
                    .map(|(_, w, _)| w)
                    .sum::<f32>()
        };
        self.row_box(y, colour);
        self.text(MARGIN + 4.0, y + 10.0, TEXT, "合计", colour);
        self.text_right(
            right(6) - 4.0,
            y + 10.0,
            TEXT,
            &format!("￥{}", b.total_net),
            INK,
        );
        self.text_right(
            right(8) - 4.0,
            y + 10.0,
            TEXT,
            &format!("￥{}", b.total_tax),
            INK,
        );
        let y = y + ROW;
        self.row_box(y, colour);
        self.text(MARGIN + 4.0, y + 10.0, TEXT, "价税合计（大写）", colour);
        let capitals = fit(&b.total_gross_in_capitals, right(5) - right(2) - 8.0, TEXT);
        self.text(right(2) + 4.0, y + 10.0, TEXT, &capitals, INK);
        self.text(right(5) + 4.0, y + 10.0, TEXT, "（小写）", colour);
        self.text_right(
            right(8) - 4.0,
            y + 10.0,
            TEXT,
            &format!("￥{}", b.total_gross),
            INK,
        );
        y + ROW + 6.0
    }

    /// Remarks in a box of two lines.
    fn remarks(&mut self, y: f32, text: &str, colour: Rgb) {
        self.lines_box(y, &wrap(text, INNER_W - 12.0, TEXT, 2), colour);
    }

    /// Lines of text (each fitting the page) in a box from `y` down.
    fn lines_box(&mut self, y: f32, lines: &[Cow<'_, str>], colour: Rgb) {
        if lines.is_empty() {
            return;
        }
        let mut bottom = y + 6.0;
        for line in lines {
            bottom += LINE;
            self.text(MARGIN + 6.0, bottom - 2.0, TEXT, line, INK);
        }
        self.rect(MARGIN, y, INNER_W, bottom - y, colour);
    }

    /// The line at the foot of the page, and which page of how many.
    fn footer(&mut self, text: &str, page: usize, pages: usize) {
        let y = FOOT;
        self.text(MARGIN, y, TEXT, &fit(text, INNER_W - 90.0, TEXT), INK);
        let numbering = format!("第 {} 页 / 共 {pages} 页", page + 1);
        self.text_right(PAGE_W - MARGIN, y, TEXT, &numbering, INK);
    }
}

// ---- the file ---------------------------------------------------------------

/// Builds the document: the shared objects first, then page by page.
struct Writer {
    pdf: Pdf,
    pages: Vec<Ref>,
    next: i32,
}

const CATALOG: Ref = Ref::new(1);
const PAGE_TREE: Ref = Ref::new(2);
const TYPE0: Ref = Ref::new(3);
const CID_FONT: Ref = Ref::new(4);
const DESCRIPTOR: Ref = Ref::new(5);
const INFO: Ref = Ref::new(6);
const FIRST_FREE: i32 = 7;

impl Writer {
    fn new(title: &str, created: CstDateTime) -> Writer {
        let mut pdf = Pdf::new();
        pdf.catalog(CATALOG).pages(PAGE_TREE);
        pdf.type0_font(TYPE0)
            .base_font(FONT_NAME)
            .encoding_predefined(Name(b"UniGB-UTF16-H"))
            .descendant_font(CID_FONT);
        {
            let mut cid = pdf.cid_font(CID_FONT);
            cid.subtype(CidFontType::Type0)
                .base_font(FONT_NAME)
                .system_info(SystemInfo {
                    registry: Str(b"Adobe"),
                    ordering: Str(b"GB1"),
                    supplement: 2,
                })
                .font_descriptor(DESCRIPTOR)
                .default_width(1000.0);
            cid.widths().consecutive(1, [500.0; 95]);
        }
        // STSong-Light's metrics, as PDF producers commonly give them for
        // this non-embedded font.
        pdf.font_descriptor(DESCRIPTOR)
            .name(FONT_NAME)
            .flags(FontFlags::SERIF | FontFlags::SYMBOLIC)
            .bbox(Rect::new(-25.0, -254.0, 1000.0, 880.0))
            .italic_angle(0.0)
            .ascent(880.0)
            .descent(-120.0)
            .cap_height(880.0)
            .stem_v(93.0);
        let (year, [month, day, hour, minute, second]) = fields(created);
        let date = Date::new(year.unwrap_or(0))
            .month(month)
            .day(day)
            .hour(hour)
            .minute(minute)
            .second(second)
            .utc_offset_hour(8)
            .utc_offset_minute(0);
        pdf.document_info(INFO)
            .title(TextStr(title))
            .producer(TextStr("etc-invoice"))
            .creation_date(date);
        Writer {
            pdf,
            pages: Vec::new(),
            next: FIRST_FREE,
        }
    }

    fn alloc(&mut self) -> Ref {
        let r = Ref::new(self.next);
        self.next += 1;
        r
    }

    fn page(&mut self, canvas: Canvas) {
        let (id, content) = (self.alloc(), self.alloc());
        let mut page = self.pdf.page(id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .parent(PAGE_TREE)
            .contents(content);
        page.resources().fonts().pair(FONT, TYPE0);
        page.finish();
        let bytes = canvas.content.finish();
        self.pdf.stream(content, bytes.as_slice());
        self.pages.push(id);
    }

    fn finish(mut self) -> Vec<u8> {
        let count = i32::try_from(self.pages.len()).unwrap_or(i32::MAX);
        self.pdf
            .pages(PAGE_TREE)
            .kids(self.pages.iter().copied())
            .count(count);
        self.pdf.finish()
    }
}

#[cfg(test)]
mod tests {
    use lopdf::content::Content as Decoded;
    use proptest::prelude::*;

    use super::*;
    use crate::xml::{SummaryInvoice, sample, sample_summary};

    /// The texts each page shows, in drawing order, read back with lopdf.
    fn pages(pdf: &[u8]) -> Vec<Vec<String>> {
        let doc = lopdf::Document::load_mem(pdf).unwrap();
        doc.get_pages()
            .values()
            .map(|id| {
                let content = doc.get_page_content(*id).unwrap();
                Decoded::decode(&content)
                    .unwrap()
                    .operations
                    .iter()
                    .filter(|op| op.operator == "Tj")
                    .map(|op| {
                        let bytes = op.operands[0].as_str().unwrap();
                        let units: Vec<u16> = bytes
                            .chunks_exact(2)
                            .map(|b| u16::from_be_bytes([b[0], b[1]]))
                            .collect();
                        String::from_utf16(&units).unwrap()
                    })
                    .collect()
            })
            .collect()
    }

    fn all_text(pdf: &[u8]) -> String {
        pages(pdf).concat().join("\n")
    }

    #[test]
    fn invoice_shows_what_the_invoice_says() {
        let doc = sample();
        let pdf = invoice_pdf(&doc);
        assert!(pdf.starts_with(b"%PDF-1.7"));
        let pages = pages(&pdf);
        assert_eq!(pages.len(), 1);
        let text = pages[0].join("\n");
        for expected in [
            "电子发票（普通发票）",
            "发票号码：24442000000000000001",
            "开票日期：2024年04月15日",
            "名称：广东某高速公路有限公司 & <子公司>",
            "*经营租赁*通行费",
            "粤A12345",
            "货车",
            "20240305",
            "225.98",
            "3%",
            "6.78",
            "￥232.76",
            "贰佰叁拾贰圆柒角陆分",
            "第 1 页 / 共 1 页",
        ] {
            assert!(text.contains(expected), "{expected} missing from\n{text}");
        }
        assert!(!text.contains("红字发票"));
    }

    #[test]
    fn red_invoice_is_marked() {
        let mut doc = sample();
        doc.header.labels.blue_red = crate::xml::Label::red();
        doc.data.additional.original = Some("24442000000000000000".into());
        let text = all_text(&invoice_pdf(&doc));
        assert!(text.contains("红字发票"));
        assert!(text.contains("被红冲蓝字发票号码 24442000000000000000"));
    }

    #[test]
    fn many_lines_go_on_further_pages_each_line_once() {
        let mut doc = sample();
        let (item, toll) = (
            doc.data.items[0].clone(),
            doc.data.specific.tolls[0].clone(),
        );
        doc.data.items.clear();
        doc.data.specific.tolls.clear();
        for n in 1..=25 {
            doc.data.items.push(crate::xml::Item {
                number: n,
                name: format!("项目{n:02}"),
                ..item.clone()
            });
            doc.data.specific.tolls.push(crate::xml::TollInformation {
                number: n,
                ..toll.clone()
            });
        }
        let pages = pages(&invoice_pdf(&doc));
        assert_eq!(pages.len(), 3);
        for (i, page) in pages.iter().enumerate() {
            assert!(page.contains(&format!("第 {} 页 / 共 3 页", i + 1)));
            // Every page repeats the header and the parties.
            assert!(page.iter().any(|t| t == "发票号码：24442000000000000001"));
            assert!(page.iter().any(|t| t == "购买方信息"));
            // The totals close the last page only.
            assert_eq!(page.iter().any(|t| t == "价税合计（大写）"), i == 2);
        }
        let lines: Vec<&String> = pages
            .iter()
            .flatten()
            .filter(|t| t.starts_with("项目"))
            .collect();
        let expected: Vec<String> = std::iter::once("项目名称".to_owned())
            .chain((1..=10).map(|n| format!("项目{n:02}")))
            .chain(std::iter::once("项目名称".to_owned()))
            .chain((11..=20).map(|n| format!("项目{n:02}")))
            .chain(std::iter::once("项目名称".to_owned()))
            .chain((21..=25).map(|n| format!("项目{n:02}")))
            .collect();
        assert_eq!(lines, expected.iter().collect::<Vec<_>>());
    }

    #[test]
    fn hostile_text_is_cut_to_fit_and_never_breaks_the_file() {
        let mut doc = sample();
        doc.data.buyer.name = "很长的名称".repeat(20_000);
        doc.data.items[0].name = "a\u{0}b\nc\u{7}d(e)f\\g".repeat(100);
        doc.data.additional.remark = Some("备注".repeat(10_000));
        doc.data.items.clear();
        let pdf = invoice_pdf(&doc);
        // The file stays small: nothing is written that does not fit.
        assert!(pdf.len() < 20_000, "{}", pdf.len());
        let text = all_text(&pdf);
        assert!(text.contains("名称：很长的名称很长的名称"));
        assert!(text.contains('…'));
        assert!(!text.contains('\u{0}'));
    }

    #[test]
    fn summary_sheet_shows_its_invoices() {
        let sheet = SummaryXml {
            invoices: (1..=30)
                .map(|n| SummaryInvoice {
                    number: format!("244420000000000000{n:02}"),
                    document: "通行费电子发票".into(),
                    seller: "广东某高速公路有限公司".into(),
                    gross: "1.00".parse().unwrap(),
                })
                .collect(),
            total: "30.00".parse().unwrap(),
            total_in_capitals: "叁拾圆整".into(),
            replaces: Some("4420240300000009".into()),
            ..sample_summary()
        };
        let pages = pages(&summary_pdf(&sheet));
        assert_eq!(pages.len(), 3);
        let text = pages.concat().join("\n");
        assert!(text.contains("通行费电子汇总单"));
        assert!(text.contains("汇总单号：4420240400000001"));
        assert!(text.contains("替代汇总单：4420240300000009"));
        assert!(text.contains("合计（大写）叁拾圆整"));
        assert!(text.contains("￥30.00"));
        for n in 1..=30 {
            assert_eq!(
                text.matches(&format!("244420000000000000{n:02}")).count(),
                1
            );
        }
    }

    #[test]
    fn summary_sheet_lists_every_transaction_on_further_pages() {
        let transactions: Vec<String> = (0..600).map(|n| format!("P2024031{n:07}")).collect();
        let sheet = SummaryXml {
            transactions: transactions.clone(),
            ..sample_summary()
        };
        let pages = pages(&summary_pdf(&sheet));
        assert!(pages.len() > 2, "{}", pages.len());
        let n = pages.len();
        for (i, page) in pages.iter().enumerate() {
            assert!(page.contains(&format!("第 {} 页 / 共 {n} 页", i + 1)));
        }
        // Lines break between ids: each id shows once, whole.
        let text = pages.concat().join("\n");
        assert!(!text.contains('…'));
        for id in &transactions {
            assert_eq!(text.matches(id.as_str()).count(), 1, "{id}");
        }
    }

    #[test]
    fn same_document_same_bytes() {
        assert_eq!(invoice_pdf(&sample()), invoice_pdf(&sample()));
    }

    #[test]
    fn measuring_and_cutting() {
        assert_eq!(width("ab通行", 10.0), 30.0);
        assert_eq!(fit("通行费", 30.0, 10.0), "通行费");
        assert_eq!(fit("通行费用", 30.0, 10.0), "通行…");
        assert_eq!(wrap("通行费用", 20.0, 10.0, 2), ["通行", "费用"]);
        assert_eq!(wrap("通行费用发票", 20.0, 10.0, 2), ["通行", "费…"]);
        assert_eq!(wrap("ab，cd，ef", 35.0, 10.0, 3), ["ab，", "cd，ef"]);
        assert_eq!(wrap("abcdefgh", 20.0, 10.0, 3), ["abcd", "efgh"]);
        assert!(wrap("", 20.0, 10.0, 2).is_empty());
        // Narrower than a character: one a line, and the text still ends.
        assert_eq!(wrap("通行费", 5.0, 10.0, usize::MAX), ["通", "行", "费"]);
        assert_eq!(utf16be("A通"), [0x00, 0x41, 0x90, 0x1a]);
        assert_eq!(utf16be("\n"), [0x00, 0x20]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// Any names give a file that parses, with the buyer's name shown
        /// (cut to fit where too long) and no text wider than the page.
        #[test]
        fn any_text_gives_a_readable_file(buyer in "\\PC{0,80}", seller in "\\PC{0,80}", item in "\\PC{0,40}") {
            let mut doc = sample();
            doc.data.buyer.name = buyer.clone();
            doc.data.seller.name = seller;
            doc.data.items[0].name = item;
            let pdf = invoice_pdf(&doc);
            for shown in pages(&pdf).concat() {
                prop_assert!(width(&shown, TEXT) <= INNER_W, "{}", shown);
            }
            // The name's lines follow one another: joined, they read on.
            let text = pages(&pdf).concat().concat();
            let start: String = buyer.chars().take(5).map(printable).collect();
            prop_assert!(text.contains(&format!("名称：{start}")), "{}", text);
        }
    }
}
