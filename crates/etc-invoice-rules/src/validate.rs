//! The validator: every finding about an application (see the crate docs).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use etc_invoice_order::{
    BillingMonth, CardNumber, CstDateTime, Email, Money, PhoneNumber, Province, Record,
    TollSegment, TransactionId,
};
use etc_invoice_province::{
    Delivery, HolidayCalendar, RuleBook, RuleSet, TitleKind, TitleTimingSeverity,
};

use crate::application::{ApplicationKind, InvoiceApplication};
use crate::context::{Context, TxState};
use crate::fields;
use crate::finding::{Finding, FindingCode, Severity, echo, redact, redact_email, redact_name};
use crate::plan::Buyer;
use crate::report::{ValidatedApplication, ValidationReport};

/// Checks applications against the order data and a [`RuleBook`].
///
/// ```
/// use etc_invoice_province::RuleBook;
/// use etc_invoice_rules::{Context, InvoiceApplication, MemoryContext, Validator};
///
/// let app = InvoiceApplication::from_json(r#"{
///     "id": "6f1c1f8e-3a57-4b8e-9a35-2d2f5b1f0c11",
///     "applicant": "user-1", "card": "44019912345678900011", "month": "2024-03",
///     "requestedAt": "2024-04-12T09:30:00+08:00", "kind": "consumption",
///     "selected": ["P1"],
///     "title": {"kind": "enterprise", "name": "某某物流有限公司",
///               "effectiveFrom": "2024-01-01T00:00:00+08:00"},
///     "delivery": {"email": "finance@example.com"},
///     "mergeMode": "perTrip", "channel": "miniProgram"
/// }"#)?;
/// let ctx = MemoryContext::new();
/// let report = Validator::new(RuleBook::builtin_ref())
///     .validate(&app, &Context::new(&ctx), "2024-04-12T10:00:00+08:00".parse()?);
/// assert!(!report.passed());
/// let codes: Vec<_> = report.errors().iter().map(|f| f.code.as_str()).collect();
/// assert_eq!(codes, ["CARD_NOT_BOUND", "TITLE_TAXPAYER_ID_MISSING", "SELECTION_UNKNOWN"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Validator<'b> {
    book: &'b RuleBook,
    holidays: Cow<'b, HolidayCalendar>,
}

impl<'b> Validator<'b> {
    /// How many selected ids are examined when no application rules are in
    /// force (an invalid card): the national default maximum.
    pub const FALLBACK_MAX_TRANSACTIONS: usize = 500;

    /// A validator over `book`, with no public holidays.
    pub fn new(book: &'b RuleBook) -> Validator<'b> {
        Validator {
            book,
            holidays: Cow::Owned(HolidayCalendar::new()),
        }
    }

    /// The same validator with a holiday calendar, for the rule sets that
    /// defer the first eligible day past public holidays.
    #[must_use]
    pub fn with_holidays(self, holidays: &'b HolidayCalendar) -> Validator<'b> {
        Validator {
            holidays: Cow::Borrowed(holidays),
            ..self
        }
    }

    /// The rule book.
    pub fn book(&self) -> &'b RuleBook {
        self.book
    }

    /// Checks `application` against `context` and the rules, as of `now`,
    /// and reports every finding.
    ///
    /// Bounded: at most the province's maximum number of selected ids is
    /// examined (the excess is one finding), every echoed value is cut to 64
    /// characters, and length checks stop counting at the limit; the work
    /// is linear in the examined input. Never panics.
    pub fn validate(
        &self,
        application: &InvoiceApplication,
        context: &Context<'_>,
        now: CstDateTime,
    ) -> ValidationReport {
        let mut run = Run::new(self, application, context, now);
        run.application();
        run.title();
        run.delivery();
        run.selection();
        let Run {
            findings,
            validated,
            ..
        } = run;
        ValidationReport::new(findings, || validated.finish(application, now))
    }
}

/// The typed pieces gathered along the way, for the validated application.
#[derive(Default)]
struct Gathered {
    card: Option<CardNumber>,
    month: Option<BillingMonth>,
    buyer: Option<Buyer>,
    email: Option<Email>,
    notify_phone: Option<PhoneNumber>,
    transactions: Vec<TransactionId>,
    statement_lines: Vec<TransactionId>,
    issuers: BTreeMap<CardNumber, etc_invoice_order::Operator>,
}

impl Gathered {
    fn finish(self, app: &InvoiceApplication, now: CstDateTime) -> Option<ValidatedApplication> {
        let transactions = if app.kind == ApplicationKind::Statement {
            let mut lines = self.statement_lines;
            lines.sort_unstable();
            lines.dedup();
            lines
        } else {
            // Sorted and distinct already: gathered in the order of the
            // sorted selection, without its repeats.
            self.transactions
        };
        Some(ValidatedApplication {
            id: app.id,
            applicant: app.applicant.clone(),
            card: self.card?,
            month: self.month?,
            kind: app.kind,
            transactions,
            buyer: self.buyer?,
            email: self.email?,
            notify_phone: self.notify_phone,
            merge_mode: app.merge_mode,
            channel: app.channel,
            requested_at: app.requested_at,
            validated_at: now,
            issuers: self.issuers,
        })
    }
}

/// The path `selected[i]`, made into a string only for a finding.
#[derive(Clone, Copy)]
struct Sel(usize);

impl From<Sel> for String {
    fn from(s: Sel) -> String {
        format!("selected[{}]", s.0)
    }
}

/// What one selected transaction looks like to the checks.
struct Facts<'r> {
    card: &'r CardNumber,
    /// Its time: a passage's exit, a statement's period start.
    time: CstDateTime,
    /// The date its timing counts from: a passage's date, a statement's
    /// last day.
    date: NaiveDate,
    month: Option<BillingMonth>,
}

/// What the context said about each card asked for, so that it is asked
/// once per card. The last card asked for is answered without a map
/// lookup: an application's transactions are mostly of one card.
struct PerCard<T> {
    last: Option<(CardNumber, T)>,
    all: BTreeMap<CardNumber, T>,
}

impl<T> Default for PerCard<T> {
    fn default() -> Self {
        PerCard {
            last: None,
            all: BTreeMap::new(),
        }
    }
}

impl<T: Copy> PerCard<T> {
    fn get_or_insert_with(&mut self, card: &CardNumber, ask: impl FnOnce() -> T) -> T {
        if let Some((c, v)) = self.last
            && c == *card
        {
            return v;
        }
        let v = *self.all.entry(*card).or_insert_with(ask);
        self.last = Some((*card, v));
        v
    }
}

/// One validation in progress.
struct Run<'v, 'b, 'a, 'c> {
    v: &'v Validator<'b>,
    app: &'a InvoiceApplication,
    ctx: &'a Context<'c>,
    today: NaiveDate,
    rules: Option<&'b RuleSet>,
    card: Option<CardNumber>,
    month: Option<BillingMonth>,
    findings: Vec<Finding>,
    validated: Gathered,
    /// Per card: the first top-up invoiced at top-up time.
    first_top_up: PerCard<Option<CstDateTime>>,
    /// Per card: the last invoiced passage.
    last_passage: PerCard<Option<CstDateTime>>,
    /// Per card: whether it is bound to the applicant.
    bound: PerCard<bool>,
    /// Cards whose issuer was asked for and is unknown.
    no_issuer: BTreeSet<CardNumber>,
    /// The last rule set looked up, by province and date: transactions of
    /// one day, and the segments of one passage, ask for the same.
    last_rules: Option<((Province, NaiveDate), &'b RuleSet)>,
    total_fen: i128,
}

impl<'v, 'b, 'a, 'c> Run<'v, 'b, 'a, 'c> {
    fn new(
        v: &'v Validator<'b>,
        app: &'a InvoiceApplication,
        ctx: &'a Context<'c>,
        now: CstDateTime,
    ) -> Self {
        Run {
            v,
            app,
            ctx,
            today: now.date(),
            rules: None,
            card: None,
            month: None,
            findings: Vec::new(),
            validated: Gathered::default(),
            first_top_up: PerCard::default(),
            last_passage: PerCard::default(),
            bound: PerCard::default(),
            no_issuer: BTreeSet::new(),
            last_rules: None,
            total_fen: 0,
        }
    }

    fn push(
        &mut self,
        severity: Severity,
        code: FindingCode,
        path: impl Into<String>,
        value: Option<String>,
        zh: String,
        en: String,
    ) {
        self.findings.push(Finding {
            code,
            severity,
            path: path.into(),
            value,
            message_zh: zh,
            message_en: en,
        });
    }

    /// An optional free-text title field (address, bank name): at most 100
    /// characters and no control characters. A bad value is an error, shown
    /// through `show` (redacted where it is personal), and clears `ok`.
    fn title_text(
        &mut self,
        value: &Option<String>,
        (code, path): (FindingCode, &'static str),
        (zh, en): (&str, &str),
        show: fn(&str) -> String,
        ok: &mut bool,
    ) -> Option<String> {
        let text = non_empty(value)?;
        if text_ok(text, 100) {
            return Some(text.to_owned());
        }
        *ok = false;
        let v = show(text);
        self.error(
            code,
            path,
            Some(v.clone()),
            format!("{zh} `{v}` 无效：最多 100 个字符，不含控制字符"),
            format!("{en} `{v}` is invalid: at most 100 characters, no control characters"),
        );
        None
    }

    /// An optional personal field (title phone, bank account, delivery
    /// phone) read by `parse`. A bad value is an error showing it redacted,
    /// and clears `ok` where the caller tracks one; the Chinese message is
    /// `<label> `value` 无效<hint>`.
    fn personal_field<T, E: std::fmt::Display>(
        &mut self,
        value: &Option<String>,
        (code, path): (FindingCode, &'static str),
        (zh, zh_hint, en): (&str, &str, &str),
        parse: fn(&str) -> Result<T, E>,
        ok: Option<&mut bool>,
    ) -> Option<T> {
        let text = non_empty(value)?;
        match parse(text) {
            Ok(parsed) => Some(parsed),
            Err(e) => {
                if let Some(ok) = ok {
                    *ok = false;
                }
                let v = redact(text);
                self.error(
                    code,
                    path,
                    Some(v.clone()),
                    format!("{zh} `{v}` 无效{zh_hint}"),
                    format!("{en} `{v}` is invalid: {e}"),
                );
                None
            }
        }
    }

    fn error(
        &mut self,
        code: FindingCode,
        path: impl Into<String>,
        value: Option<String>,
        zh: String,
        en: String,
    ) {
        self.push(Severity::Error, code, path, value, zh, en);
    }

    fn warning(
        &mut self,
        code: FindingCode,
        path: impl Into<String>,
        value: Option<String>,
        zh: String,
        en: String,
    ) {
        self.push(Severity::Warning, code, path, value, zh, en);
    }

    fn rules_at(
        &mut self,
        province: Province,
        date: NaiveDate,
    ) -> Result<&'b RuleSet, etc_invoice_province::RuleBookError> {
        if let Some((at, set)) = self.last_rules
            && at == (province, date)
        {
            return Ok(set);
        }
        let set = self.v.book.rules_for(province, date)?;
        self.last_rules = Some(((province, date), set));
        Ok(set)
    }

    fn is_bound(&mut self, card: &CardNumber) -> bool {
        let (bindings, applicant) = (self.ctx.bindings, self.app.applicant.as_str());
        self.bound
            .get_or_insert_with(card, || bindings.is_bound(applicant, card))
    }

    // ---- the application's own fields ----

    fn application(&mut self) {
        let app = self.app;
        let applicant = app.applicant.as_str();
        if applicant.trim().is_empty()
            || applicant.chars().nth(64).is_some()
            || applicant.chars().any(char::is_control)
            || applicant.trim() != applicant
        {
            let v = echo(applicant);
            self.error(
                FindingCode::ApplicantInvalid,
                "applicant",
                Some(v.clone()),
                format!("申请人用户标识 `{v}` 无效：须为 1 至 64 个字符，不含控制字符及首尾空白"),
                format!("applicant user id `{v}` is invalid: it must be 1 to 64 characters without control characters or surrounding white space"),
            );
        }

        match app.card.parse::<CardNumber>() {
            Err(e) => {
                let v = echo(&app.card);
                self.error(
                    FindingCode::CardInvalid,
                    "card",
                    Some(v.clone()),
                    format!("卡号 `{v}` 无效：须为以省份网络编号开头的 20 位数字"),
                    format!("card number is invalid: {e}"),
                );
            }
            Ok(card) => {
                self.card = Some(card);
                self.validated.card = Some(card);
                let province = card.province();
                match self.v.book.rules_for(province, self.today) {
                    Ok(r) => self.rules = Some(r),
                    Err(e) => {
                        let v = card.to_string();
                        self.error(
                            FindingCode::RulesNotInForce,
                            "card",
                            Some(v),
                            format!("{} 在 {} 没有生效的开票规则", province.name(), self.today),
                            format!(
                                "no invoicing rules are in force for {} on {}: {e}",
                                province.pinyin(),
                                self.today
                            ),
                        );
                    }
                }
                if !self.is_bound(&card) {
                    let v = card.to_string();
                    self.error(
                        FindingCode::CardNotBound,
                        "card",
                        Some(v.clone()),
                        format!("卡 `{v}` 未绑定到申请人"),
                        format!("card `{v}` is not bound to the applicant"),
                    );
                }
            }
        }

        match app.month.trim().parse::<BillingMonth>() {
            Ok(m) => {
                self.month = Some(m);
                self.validated.month = Some(m);
            }
            Err(_) => {
                let v = echo(&app.month);
                self.error(
                    FindingCode::MonthInvalid,
                    "month",
                    Some(v.clone()),
                    format!("账期 `{v}` 无效：应为 `YYYY-MM` 或 `YYYYMM`"),
                    format!("billing month `{v}` is invalid: expected `YYYY-MM` or `YYYYMM`"),
                );
            }
        }

        if let Some(rules) = self.rules {
            if !rules.offers_channel(app.channel) {
                let v = app.channel.as_str().to_owned();
                let offered = join(rules.issuer.channels.iter().map(|c| c.as_str()));
                self.error(
                    FindingCode::ChannelNotOffered,
                    "channel",
                    Some(v.clone()),
                    format!("本省不受理通过 `{v}` 提交的申请（受理渠道：{offered}）"),
                    format!("the province does not take applications through `{v}` (it offers: {offered})"),
                );
            }
            if app.kind != ApplicationKind::TopUp && !rules.allows_merge_mode(app.merge_mode) {
                let v = app.merge_mode.as_str().to_owned();
                let allowed = join(rules.applications.merge_modes.iter().map(|m| m.as_str()));
                self.error(
                    FindingCode::MergeModeNotAllowed,
                    "mergeMode",
                    Some(v.clone()),
                    format!("本省不允许合并方式 `{v}`（允许：{allowed}）"),
                    format!("the province does not allow merge mode `{v}` (it allows: {allowed})"),
                );
            }
        }
    }

    // ---- the title ----

    fn title(&mut self) {
        let t = &self.app.title;
        if let Some(rules) = self.rules
            && !rules.allows_title_kind(t.kind)
        {
            let v = t.kind.as_str().to_owned();
            self.error(
                FindingCode::TitleKindNotAllowed,
                "title.kind",
                Some(v.clone()),
                format!("本省不允许 `{v}` 抬头"),
                format!("the province does not allow `{v}` titles"),
            );
        }
        let personal = t.kind == TitleKind::Personal;
        let name = t.name.trim();
        let name_ok = self.title_name(name, personal);
        let mut ok = name_ok;

        let taxpayer_id = match (&t.taxpayer_id, personal) {
            (Some(raw), true) => {
                self.ignored(
                    "title.taxpayerId",
                    "纳税人识别号",
                    "taxpayer id",
                    redact(raw),
                );
                None
            }
            (None, true) => None,
            (None, false) => {
                ok = false;
                self.error(
                    FindingCode::TitleTaxpayerIdMissing,
                    "title.taxpayerId",
                    None,
                    "单位抬头须填写纳税人识别号（统一社会信用代码）".to_owned(),
                    "an enterprise title needs a taxpayer id (unified social credit code)"
                        .to_owned(),
                );
                None
            }
            (Some(raw), false) => match fields::taxpayer_id(raw.trim()) {
                Ok((id, inner)) => {
                    if let Err(e) = inner {
                        let v = echo(raw);
                        self.warning(
                            FindingCode::TitleTaxpayerIdInnerCheck,
                            "title.taxpayerId",
                            Some(v.clone()),
                            format!("统一社会信用代码 `{v}` 校验通过，但其中的组织机构代码未通过 GB 11714 校验，请核对"),
                            format!("unified social credit code `{v}` passes its own check, but {e}; please verify it"),
                        );
                    }
                    Some(id)
                }
                Err(e) => {
                    ok = false;
                    if raw.trim().is_empty() {
                        self.error(
                            FindingCode::TitleTaxpayerIdMissing,
                            "title.taxpayerId",
                            None,
                            "单位抬头须填写纳税人识别号（统一社会信用代码）".to_owned(),
                            "an enterprise title needs a taxpayer id (unified social credit code)"
                                .to_owned(),
                        );
                    } else {
                        let v = echo(raw);
                        self.error(
                            FindingCode::TitleTaxpayerIdInvalid,
                            "title.taxpayerId",
                            Some(v.clone()),
                            format!("纳税人识别号 `{v}` 无效"),
                            format!("taxpayer id is invalid: {e}"),
                        );
                    }
                    None
                }
            },
        };

        let mut address = None;
        let mut phone = None;
        let mut bank_name = None;
        let mut bank_account = None;
        if personal {
            for (path, zh, en, value) in [
                ("title.address", "地址", "address", &t.address),
                ("title.phone", "电话", "phone", &t.phone),
                ("title.bankName", "开户银行", "bank name", &t.bank_name),
                (
                    "title.bankAccount",
                    "银行账号",
                    "bank account",
                    &t.bank_account,
                ),
            ] {
                if let Some(v) = value {
                    self.ignored(path, zh, en, redact(v));
                }
            }
        } else {
            address = self.title_text(
                &t.address,
                (FindingCode::TitleAddressInvalid, "title.address"),
                ("地址", "address"),
                redact,
                &mut ok,
            );
            phone = self.personal_field(
                &t.phone,
                (FindingCode::TitlePhoneInvalid, "title.phone"),
                ("电话", "：应为手机号或带区号的固定电话", "phone"),
                fields::title_phone,
                Some(&mut ok),
            );
            bank_name = self.title_text(
                &t.bank_name,
                (FindingCode::TitleBankNameInvalid, "title.bankName"),
                ("开户银行", "bank name"),
                echo,
                &mut ok,
            );
            bank_account = self.personal_field(
                &t.bank_account,
                (FindingCode::TitleBankAccountInvalid, "title.bankAccount"),
                ("银行账号", "", "bank account"),
                fields::bank_account,
                Some(&mut ok),
            );
            if non_empty(&t.bank_account).is_some() && non_empty(&t.bank_name).is_none() {
                ok = false;
                self.error(
                    FindingCode::TitleBankNameMissing,
                    "title.bankName",
                    None,
                    "填写银行账号时须同时填写开户银行".to_owned(),
                    "a bank account needs a bank name".to_owned(),
                );
            }
        }

        if ok {
            self.validated.buyer = Some(Buyer {
                name: name.to_owned(),
                taxpayer_id,
                address,
                phone,
                bank_name,
                bank_account,
            });
        }
    }

    fn title_name(&mut self, name: &str, personal: bool) -> bool {
        let shown = if personal {
            redact_name(name)
        } else {
            echo(name)
        };
        if name.is_empty() {
            self.error(
                FindingCode::TitleNameMissing,
                "title.name",
                None,
                "抬头名称不能为空".to_owned(),
                "the title needs a name".to_owned(),
            );
            return false;
        }
        let max = if personal { 50 } else { 100 };
        let (zh, en) = if name.chars().nth(max).is_some() {
            (
                format!("抬头名称过长：最多 {max} 个字符"),
                format!("title name `{shown}` is longer than {max} characters"),
            )
        } else if name.chars().any(char::is_control) {
            (
                "抬头名称含有控制字符".to_owned(),
                format!("title name `{shown}` has control characters"),
            )
        } else if !name.chars().any(char::is_alphabetic) {
            (
                "抬头名称须含有文字".to_owned(),
                format!("title name `{shown}` has no letters"),
            )
        } else if personal && name.chars().any(|c| c.is_numeric()) {
            (
                "个人抬头名称不应含有数字".to_owned(),
                format!("personal title name `{shown}` has digits"),
            )
        } else {
            return true;
        };
        self.error(
            FindingCode::TitleNameInvalid,
            "title.name",
            Some(shown),
            zh,
            en,
        );
        false
    }

    fn ignored(&mut self, path: &'static str, zh: &str, en: &str, value: String) {
        self.warning(
            FindingCode::TitleFieldIgnored,
            path,
            Some(value),
            format!("个人抬头不使用{zh}，开票时将忽略"),
            format!("a personal title has no {en}; it is left off the invoice"),
        );
    }

    // ---- delivery ----

    fn delivery(&mut self) {
        let d = &self.app.delivery;
        if let Some(rules) = self.rules
            && !rules.allows_delivery(Delivery::Email)
        {
            let v = redact_email(&d.email);
            self.warning(
                FindingCode::DeliveryEmailNotOffered,
                "delivery.email",
                Some(v),
                "本省不通过邮箱发送发票，请在申请渠道下载".to_owned(),
                "the province does not send invoices by email; download them from the channel instead".to_owned(),
            );
        }
        match fields::email(d.email.trim()) {
            Ok(e) => self.validated.email = Some(e),
            Err(e) => {
                let v = redact_email(&d.email);
                self.error(
                    FindingCode::DeliveryEmailInvalid,
                    "delivery.email",
                    Some(v.clone()),
                    format!("收票邮箱 `{v}` 无效"),
                    format!("receiving email `{v}` is invalid: {e}"),
                );
            }
        }
        if let Some(p) = self.personal_field(
            &d.phone,
            (FindingCode::DeliveryPhoneInvalid, "delivery.phone"),
            ("通知手机号", "", "notification phone"),
            fields::mobile_phone,
            None,
        ) {
            self.validated.notify_phone = Some(p);
        }
    }

    // ---- the selection ----

    fn selection(&mut self) {
        let app = self.app;
        let max = self
            .rules
            .map_or(Validator::FALLBACK_MAX_TRANSACTIONS, |r| {
                usize::try_from(r.applications.max_transactions).unwrap_or(usize::MAX)
            });
        if app.selected.is_empty() {
            self.error(
                FindingCode::SelectionEmpty,
                "selected",
                None,
                "未选择任何交易".to_owned(),
                "nothing is selected".to_owned(),
            );
            return;
        }
        let examined = if app.selected.len() > max {
            let n = app.selected.len();
            self.error(
                FindingCode::SelectionTooMany,
                "selected",
                Some(n.to_string()),
                format!("选择了 {n} 笔交易，超过上限 {max} 笔；仅检查前 {max} 笔"),
                format!("{n} transactions are selected, more than the limit of {max}; only the first {max} are examined"),
            );
            app.selected.get(..max).unwrap_or_default()
        } else {
            app.selected.as_slice()
        };
        if app.kind == ApplicationKind::Statement && examined.len() > 1 {
            let n = examined.len();
            self.error(
                FindingCode::SelectionNotSingleStatement,
                "selected",
                Some(n.to_string()),
                format!("对账单申请只能选择一张对账单，实际选择了 {n} 项"),
                format!("a statement application selects exactly one statement, not {n}"),
            );
        }

        // Check the ids (without building owned ones), then find repeats
        // by sorting (index order decides which one is the repeat: the
        // later one).
        let mut parsed: Vec<(&str, usize)> = Vec::with_capacity(examined.len());
        let mut findings_at: Vec<(usize, Finding)> = Vec::new();
        for (i, raw) in examined.iter().enumerate() {
            match TransactionId::check(raw) {
                Ok(()) => parsed.push((raw.as_str(), i)),
                Err(e) => {
                    let v = echo(raw);
                    findings_at.push((
                        i,
                        finding(
                            Severity::Error,
                            FindingCode::SelectionIdInvalid,
                            format!("selected[{i}]"),
                            Some(v.clone()),
                            format!("交易编号 `{v}` 无效"),
                            format!("selected id is invalid: {e}"),
                        ),
                    ));
                }
            }
        }
        // The distinct ids, sorted: the selection itself when it is
        // strictly ascending already (as a client that lists by id sends
        // it), else sorted, repeats found next to each other.
        let ascending = parsed.windows(2).all(|w| matches!(w, [a, b] if a.0 < b.0));
        let unique = if ascending {
            parsed
        } else {
            parsed.sort_unstable();
            drop_repeats(parsed, &mut findings_at)
        };
        // They are examined in index order; what each finds is kept in
        // id order, so the validated ids come out sorted.
        let mut by_index: Vec<u32> = (0..unique.len())
            .map(|k| u32::try_from(k).unwrap_or(u32::MAX))
            .collect();
        if !ascending {
            // (An ascending selection is in index order already.)
            by_index.sort_unstable_by_key(|k| unique.get(*k as usize).map(|u| u.1));
        }
        let mut found: Vec<Option<TransactionId>> = vec![None; unique.len()];

        // The per-transaction findings come in index order, each index's
        // form findings before its content findings.
        findings_at.sort_by_key(|(i, _)| *i);
        let mut form = findings_at.into_iter().peekable();
        for k in by_index {
            let (Some(&(id, i)), Some(slot)) = (unique.get(k as usize), found.get_mut(k as usize))
            else {
                continue;
            };
            while let Some((_, f)) = form.next_if(|(j, _)| *j < i) {
                self.findings.push(f);
            }
            *slot = self.transaction(i, id);
        }
        self.findings.extend(form.map(|(_, f)| f));
        // Sized up front: `flatten` cannot tell `collect` how many come, and
        // a collected list would regrow (and copy) on the way.
        let mut transactions = Vec::with_capacity(found.len());
        transactions.extend(found.into_iter().flatten());
        self.validated.transactions = transactions;

        if !fits_money(self.total_fen) {
            self.error(
                FindingCode::AmountOverflow,
                "selected",
                None,
                "所选交易金额合计超出范围".to_owned(),
                "the selection's total is beyond the money range".to_owned(),
            );
        }
    }

    /// Checks one selected transaction; its id (shared with the record)
    /// when it exists.
    fn transaction(&mut self, i: usize, id: &str) -> Option<TransactionId> {
        let found = self.ctx.transactions.transaction(id);
        let Some(record) = found
            .as_deref()
            // A source that answers with another record does not know it.
            .filter(|r| r.id().as_str() == id)
        else {
            let v = id.to_string();
            self.error(
                FindingCode::SelectionUnknown,
                Sel(i),
                Some(v.clone()),
                format!("交易 `{v}` 不存在"),
                format!("transaction `{v}` does not exist"),
            );
            return None;
        };
        let path = Sel(i);
        let kind = self.app.kind;
        let facts = match (record, kind) {
            (Record::Refund(_), _) => {
                self.error(
                    FindingCode::KindRefund,
                    path,
                    Some(id.to_string()),
                    format!("交易 `{id}` 是退费，退费不开具发票"),
                    format!("transaction `{id}` is a refund; refunds are not invoiced"),
                );
                return None;
            }
            (Record::Passage(p), ApplicationKind::Consumption) => {
                let date = p.passage_date();
                Facts {
                    card: p.card(),
                    time: p.exit().time,
                    date,
                    month: Some(BillingMonth::of(date)),
                }
            }
            (Record::Recovery(r), ApplicationKind::Consumption) => Facts {
                card: r.card(),
                time: r.time(),
                date: r.time().date(),
                month: Some(r.time().billing_month()),
            },
            (Record::TopUp(t), ApplicationKind::TopUp) => Facts {
                card: t.card(),
                time: t.time(),
                date: t.time().date(),
                month: Some(t.time().billing_month()),
            },
            (Record::Statement(s), ApplicationKind::Statement) => Facts {
                card: s.card(),
                time: CstDateTime::start_of(s.parts().period_start),
                date: s.parts().period_end,
                month: s.month(),
            },
            (other, _) => {
                let what = record_kind(other);
                let want = kind_name(kind);
                self.error(
                    FindingCode::KindMismatch,
                    path,
                    Some(id.to_string()),
                    format!("交易 `{id}` 是{}，不能在{}申请中开票", what.0, want.0),
                    format!(
                        "transaction `{id}` is a {}, which a {} application cannot invoice",
                        what.1, want.1
                    ),
                );
                return None;
            }
        };

        let tx_rules = match self.rules_at(facts.card.province(), facts.date) {
            Ok(r) => Some(r),
            Err(e) => {
                let province = facts.card.province();
                self.error(
                    FindingCode::RulesNotInForce,
                    path,
                    Some(id.to_string()),
                    format!("{} 在 {} 没有生效的开票规则", province.name(), facts.date),
                    format!(
                        "no invoicing rules are in force for {} on {}: {e}",
                        province.pinyin(),
                        facts.date
                    ),
                );
                None
            }
        };
        let app_rules = self.rules.or(tx_rules);

        self.ownership(path, id, &facts, app_rules);
        self.eligibility(path, id, record, &facts, tx_rules);
        self.state(path, record.id());
        self.title_in_time(path, id, &facts, app_rules);
        match record {
            Record::Passage(p) => {
                self.passage_exclusivity(path, id, p.card(), p.exit().time, app_rules);
                self.amount(path, id, p.total_charged());
                // `facts.date` is the passage's date.
                self.documents(path, id, p.segments(), facts.date);
            }
            Record::Recovery(r) => {
                if let Some(rules) = app_rules
                    && !rules.applications.recovered_tolls_invoiceable
                {
                    self.error(
                        FindingCode::KindRecoveryNotInvoiceable,
                        path,
                        Some(id.to_string()),
                        format!("本省稽查补缴交易 `{id}` 不开具发票"),
                        format!(
                            "the province does not invoice audit-recovered tolls such as `{id}`"
                        ),
                    );
                }
                self.passage_exclusivity(path, id, r.card(), r.time(), app_rules);
                let invoiceable = r.invoiceable();
                self.amount(path, id, invoiceable);
                if invoiceable > r.amount() {
                    self.warning(
                        FindingCode::AmountRecoveryExceedsCollected,
                        path,
                        Some(invoiceable.to_string()),
                        format!("稽查补缴 `{id}` 可开票金额 {invoiceable} 高于实收 {}", r.amount()),
                        format!("audit recovery `{id}` has an invoiceable amount of {invoiceable}, more than the {} collected", r.amount()),
                    );
                }
                self.documents(path, id, r.segments(), r.time().date());
            }
            Record::TopUp(t) => {
                self.top_up_exclusivity(path, id, t.card(), t.time(), app_rules);
                self.total_fen += i128::from(t.amount().to_fen());
                let card = *t.card();
                if !self.validated.issuers.contains_key(&card) && self.no_issuer.insert(card) {
                    match self.ctx.issuers.issuer(&card) {
                        Some(op) => {
                            self.no_issuer.remove(&card);
                            self.validated.issuers.insert(card, op);
                        }
                        None => {
                            let province = card.province();
                            self.error(
                                FindingCode::TopUpIssuerUnknown,
                                path,
                                Some(card.to_string()),
                                format!("{}卡 `{card}` 的发行方未知，其充值无法开具发票", province.name()),
                                format!("the issuer of card `{card}` is unknown, so its top-ups cannot be invoiced"),
                            );
                        }
                    }
                }
            }
            Record::Statement(s) => self.statement(path, s, app_rules),
            Record::Refund(_) => {}
        }
        Some(record.id().clone())
    }

    fn ownership(&mut self, path: Sel, id: &str, facts: &Facts<'_>, rules: Option<&RuleSet>) {
        if let Some(card) = self.card
            && *facts.card != card
        {
            let other = *facts.card;
            if !self.is_bound(&other) {
                self.error(
                    FindingCode::TransactionNotOwned,
                    path,
                    Some(id.to_string()),
                    format!("交易 `{id}` 属于未绑定到申请人的卡"),
                    format!(
                        "transaction `{id}` belongs to a card that is not bound to the applicant"
                    ),
                );
            } else if rules.is_none_or(|r| r.applications.scope.single_card()) {
                self.error(
                    FindingCode::ScopeOtherCard,
                    path,
                    Some(id.to_string()),
                    format!("交易 `{id}` 属于申请人的另一张卡 `{other}`；一次申请只能包含一张卡的交易"),
                    format!("transaction `{id}` belongs to another of the applicant's cards, `{other}`; one application covers one card"),
                );
            }
        }
        if let Some(month) = self.month
            && facts.month != Some(month)
            && rules.is_none_or(|r| r.applications.scope.single_month())
        {
            let shown = facts
                .month
                .map_or_else(|| "several months".to_owned(), |m| m.to_string());
            self.error(
                FindingCode::ScopeOtherMonth,
                path,
                Some(id.to_string()),
                format!("交易 `{id}` 属于账期 {shown}，不是申请的 {month}；一次申请只能包含一个月的交易"),
                format!("transaction `{id}` is in {shown}, not in the application's month {month}; one application covers one month"),
            );
        }
    }

    fn eligibility(
        &mut self,
        path: Sel,
        id: &str,
        record: &Record,
        facts: &Facts<'_>,
        rules: Option<&RuleSet>,
    ) {
        let Some(rules) = rules else { return };
        let eligible_from = match record {
            Record::Passage(p) => {
                if p.settled_at().is_none() {
                    self.error(
                        FindingCode::TransactionUnsettled,
                        path,
                        Some(id.to_string()),
                        format!("通行交易 `{id}` 尚未结算"),
                        format!("passage `{id}` is not settled yet"),
                    );
                }
                rules.eligible_from(facts.date, &self.v.holidays)
            }
            Record::TopUp(_) => rules.top_up_eligible_from(facts.date, &self.v.holidays),
            // A recovery is collected money, and a statement is drawn up
            // after its period: both can be invoiced from their own day.
            Record::Recovery(_) => facts.date,
            Record::Statement(s) => s.time().date(),
            Record::Refund(_) => return,
        };
        if eligible_from > self.today {
            self.error(
                FindingCode::TransactionNotYetEligible,
                path,
                Some(id.to_string()),
                format!("交易 `{id}` 自 {eligible_from} 起方可开票"),
                format!("transaction `{id}` can be invoiced from {eligible_from}"),
            );
        }
        if !rules.within_application_window(facts.date, self.today) {
            let last = rules.latest_application_date(facts.date);
            let months = rules.latest_application_age_months();
            self.error(
                FindingCode::TransactionTooOld,
                path,
                Some(id.to_string()),
                format!("交易 `{id}` 已超过开票期限（{months} 个月，截至 {last}）"),
                format!("transaction `{id}` is past the latest application date {last} ({months} months)"),
            );
        }
    }

    fn state(&mut self, path: Sel, id: &TransactionId) {
        match self.ctx.state.state(id) {
            TxState::Free => {}
            TxState::Reserved { application } if application == self.app.id => {}
            TxState::Reserved { .. } => self.error(
                FindingCode::TransactionReserved,
                path,
                Some(id.to_string()),
                format!("交易 `{id}` 已被另一申请占用"),
                format!("transaction `{id}` is reserved by another application"),
            ),
            TxState::Invoiced => self.error(
                FindingCode::TransactionInvoiced,
                path,
                Some(id.to_string()),
                format!("交易 `{id}` 已开票"),
                format!("transaction `{id}` is already invoiced"),
            ),
        }
    }

    fn title_in_time(&mut self, path: Sel, id: &str, facts: &Facts<'_>, rules: Option<&RuleSet>) {
        let from = self.app.title.effective_from;
        if from <= facts.time {
            return;
        }
        let severity = match rules.map(|r| r.applications.title_set_after_transaction) {
            Some(TitleTimingSeverity::Error) => Severity::Error,
            Some(TitleTimingSeverity::Warning) | None => Severity::Warning,
        };
        self.push(
            severity,
            FindingCode::TitleSetAfterTransaction,
            path,
            Some(id.to_string()),
            format!("抬头于 {from} 生效，晚于交易 `{id}` 的时间 {}；应使用交易时有效的抬头", facts.time),
            format!("the title took effect at {from}, after transaction `{id}` at {}; the title in force at transaction time applies", facts.time),
        );
    }

    fn first_top_up(&mut self, card: &CardNumber) -> Option<CstDateTime> {
        let top_ups = self.ctx.top_ups;
        self.first_top_up
            .get_or_insert_with(card, || top_ups.first_invoiced_top_up(card))
    }

    fn passage_exclusivity(
        &mut self,
        path: Sel,
        id: &str,
        card: &CardNumber,
        time: CstDateTime,
        rules: Option<&RuleSet>,
    ) {
        if rules.is_some_and(|r| r.passages_invoiceable_after_top_up_invoice()) {
            return;
        }
        if let Some(top_up) = self.first_top_up(card)
            && time >= top_up
        {
            self.error(
                FindingCode::StoredValueTopUpInvoiced,
                path,
                Some(id.to_string()),
                format!("交易 `{id}` 发生在该卡 {top_up} 的充值已开票之后，不能再开具通行费发票"),
                format!("transaction `{id}` was paid after the card's top-up of {top_up}, which was invoiced at top-up time; it cannot be invoiced again"),
            );
        }
    }

    fn top_up_exclusivity(
        &mut self,
        path: Sel,
        id: &str,
        card: &CardNumber,
        time: CstDateTime,
        rules: Option<&RuleSet>,
    ) {
        if rules.is_some_and(|r| r.passages_invoiceable_after_top_up_invoice()) {
            return;
        }
        let top_ups = self.ctx.top_ups;
        let last = self
            .last_passage
            .get_or_insert_with(card, || top_ups.last_invoiced_passage(card));
        if let Some(last) = last
            && last.billing_month() >= time.billing_month()
        {
            self.error(
                FindingCode::StoredValuePassagesInvoiced,
                path,
                Some(id.to_string()),
                format!("该卡 {} 及以后的通行费已开票（最近一笔在 {last}），充值 `{id}` 不能再开票", time.billing_month()),
                format!("the card's passages from {} on are already invoiced (the latest at {last}), so top-up `{id}` cannot be invoiced", time.billing_month()),
            );
        }
    }

    fn amount(&mut self, path: Sel, id: &str, amount: Money) {
        self.total_fen += i128::from(amount.to_fen());
        if amount.is_zero() {
            self.error(
                FindingCode::AmountZero,
                path,
                Some(id.to_string()),
                format!("交易 `{id}` 实收金额为零，无可开票金额"),
                format!("transaction `{id}` has nothing to invoice: its charged amount is zero"),
            );
        }
    }

    fn documents(&mut self, path: Sel, id: &str, segments: &[TollSegment], date: NaiveDate) {
        for (k, s) in segments.iter().enumerate() {
            let result = self.rules_at(s.province(), date).and_then(|r| {
                r.document_for(
                    s.funding(),
                    s.tax_method(),
                    s.road_kind(),
                    s.construction_start(),
                    date,
                )
            });
            if let Err(e) = result {
                self.error(
                    FindingCode::SegmentNoDocument,
                    path,
                    Some(id.to_string()),
                    format!(
                        "交易 `{id}` 第 {} 段（{}）在 {date} 没有适用的票据规则",
                        k + 1,
                        s.province().name()
                    ),
                    format!(
                        "segment {} of transaction `{id}` has no document rule on {date}: {e}",
                        k + 1
                    ),
                );
                return;
            }
        }
    }

    fn statement(&mut self, path: Sel, s: &etc_invoice_order::Statement, rules: Option<&RuleSet>) {
        let recoveries = rules.is_none_or(|r| r.applications.recovered_tolls_invoiceable);
        let mut refunds = 0usize;
        let mut invoiceable_fen: i128 = 0;
        for line in s.lines() {
            let lid = &line.transaction;
            use etc_invoice_order::StatementLineKind as K;
            match line.kind {
                K::TopUp => continue,
                K::Refund => {
                    refunds += 1;
                    continue;
                }
                K::Passage | K::Recovery => {}
            }
            let Some(rec) = self.ctx.transactions.transaction(lid.as_str()) else {
                self.error(
                    FindingCode::StatementLineUnknown,
                    path,
                    Some(lid.to_string()),
                    format!("对账单中的交易 `{lid}` 不存在"),
                    format!("statement line `{lid}` names a transaction that does not exist"),
                );
                continue;
            };
            let (card, time, amount, invoiceable, segments, date) = match (&*rec, line.kind) {
                (Record::Passage(p), K::Passage) => (
                    *p.card(),
                    p.exit().time,
                    p.total_charged(),
                    p.total_charged(),
                    p.segments(),
                    p.passage_date(),
                ),
                (Record::Recovery(r), K::Recovery) => {
                    if !recoveries {
                        self.warning(
                            FindingCode::KindRecoveryNotInvoiceable,
                            path,
                            Some(lid.to_string()),
                            format!("本省稽查补缴交易 `{lid}` 不开具发票，不计入本次开票"),
                            format!("the province does not invoice audit-recovered tolls; statement line `{lid}` is left out"),
                        );
                        continue;
                    }
                    (
                        *r.card(),
                        r.time(),
                        r.amount(),
                        r.invoiceable(),
                        r.segments(),
                        r.time().date(),
                    )
                }
                (other, _) => {
                    let what = record_kind(other);
                    self.error(
                        FindingCode::KindMismatch,
                        path,
                        Some(lid.to_string()),
                        format!("对账单中的交易 `{lid}` 实为{}", what.0),
                        format!("statement line `{lid}` is in fact a {}", what.1),
                    );
                    continue;
                }
            };
            if card != *s.card() {
                self.error(
                    FindingCode::TransactionNotOwned,
                    path,
                    Some(lid.to_string()),
                    format!("对账单中的交易 `{lid}` 属于另一张卡"),
                    format!("statement line `{lid}` belongs to another card"),
                );
            }
            if amount != line.amount {
                self.error(
                    FindingCode::AmountStatementLineMismatch,
                    path,
                    Some(lid.to_string()),
                    format!(
                        "对账单中交易 `{lid}` 的金额 {} 与交易金额 {amount} 不符",
                        line.amount
                    ),
                    format!(
                        "statement line `{lid}` says {}, but the transaction's amount is {amount}",
                        line.amount
                    ),
                );
            }
            match self.ctx.state.state(lid) {
                TxState::Free => {}
                TxState::Reserved { application } if application == self.app.id => {}
                TxState::Reserved { .. } | TxState::Invoiced => {
                    self.error(
                        FindingCode::StatementLineInvoiced,
                        path,
                        Some(lid.to_string()),
                        format!("对账单中的交易 `{lid}` 已开票或已被占用"),
                        format!("statement line `{lid}` is already invoiced or reserved"),
                    );
                }
            }
            self.passage_exclusivity(path, lid.as_str(), &card, time, rules);
            self.documents(path, lid.as_str(), segments, date);
            invoiceable_fen += i128::from(invoiceable.to_fen());
            self.validated.statement_lines.push(lid.clone());
        }
        self.total_fen += invoiceable_fen;
        if refunds > 0 {
            self.warning(
                FindingCode::StatementHasRefunds,
                path,
                Some(refunds.to_string()),
                format!("对账单含 {refunds} 笔退费；退费不从发票金额中扣减"),
                format!("the statement has {refunds} refund lines; refunds are not deducted from the invoices"),
            );
        }
        if invoiceable_fen == 0 {
            let id = s.id();
            self.error(
                FindingCode::AmountZero,
                path,
                Some(id.to_string()),
                format!("对账单 `{id}` 没有可开票的通行费"),
                format!("statement `{id}` has no tolls to invoice"),
            );
        }
    }
}

fn finding(
    severity: Severity,
    code: FindingCode,
    path: String,
    value: Option<String>,
    zh: String,
    en: String,
) -> Finding {
    Finding {
        code,
        severity,
        path,
        value,
        message_zh: zh,
        message_en: en,
    }
}

fn record_kind(r: &Record) -> (&'static str, &'static str) {
    match r {
        Record::Passage(_) => ("通行交易", "passage"),
        Record::TopUp(_) => ("充值", "top-up"),
        Record::Refund(_) => ("退费", "refund"),
        Record::Recovery(_) => ("稽查补缴", "audit recovery"),
        Record::Statement(_) => ("对账单", "statement"),
    }
}

fn kind_name(k: ApplicationKind) -> (&'static str, &'static str) {
    match k {
        ApplicationKind::Consumption => ("消费", "consumption"),
        ApplicationKind::TopUp => ("充值", "top-up"),
        ApplicationKind::Statement => ("对账单", "statement"),
    }
}

fn join<'x>(items: impl Iterator<Item = &'x str>) -> String {
    items.collect::<Vec<_>>().join(", ")
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// At most `max` characters (counting stops there), no control characters.
fn text_ok(s: &str, max: usize) -> bool {
    s.chars().nth(max).is_none() && !s.chars().any(char::is_control)
}

/// Whether a sum in fen is a [`Money`] amount.
fn fits_money(fen: i128) -> bool {
    i64::try_from(fen).is_ok_and(|f| Money::try_from_fen(f).is_ok())
}

/// The ids of `sorted` (sorted by id, then index) without repeats; a
/// finding for each repeat (the later one), naming the first.
fn drop_repeats<'a>(
    sorted: Vec<(&'a str, usize)>,
    findings_at: &mut Vec<(usize, Finding)>,
) -> Vec<(&'a str, usize)> {
    let mut unique: Vec<(&str, usize)> = Vec::with_capacity(sorted.len());
    for (id, i) in sorted {
        match unique.last() {
            Some(&(first_id, first)) if first_id == id => {
                findings_at.push((
                    i,
                    finding(
                        Severity::Error,
                        FindingCode::SelectionDuplicate,
                        format!("selected[{i}]"),
                        Some(id.to_owned()),
                        format!("交易 `{id}` 重复选择（首次在 selected[{first}]）"),
                        format!(
                            "transaction `{id}` is selected twice (first at `selected[{first}]`)"
                        ),
                    ),
                ));
            }
            _ => unique.push((id, i)),
        }
    }
    unique
}
