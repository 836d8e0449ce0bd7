//! The rule-file schema, version 1, and the resolved [`RuleSetV1`].
//!
//! One declaration below gives, for each section of a rule set: the public
//! resolved struct, the file form (every key optional, `deny_unknown_fields`,
//! positions kept), the checked patch, and the record of where each resolved
//! value came from.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use etc_invoice_order::{Province, TaxRate};
use serde::{Deserialize, Serialize};
use toml::Spanned;
use toml::value::Datetime;

use crate::RuleBookError;
use crate::enums::{
    ApplicationScope, Channel, Delivery, MergeMode, TitleKind, TitleTimingSeverity,
};
use crate::leaf::{At, Leaf, RateSchedule, check_order};
use crate::text::{LineIndex, toml_error};

/// The schema version this crate reads and writes.
pub const SCHEMA_VERSION: i64 = 1;

/// Where a resolved value was written: the file (an index into the book's
/// files), the line, and the date its period took effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Origin {
    pub(crate) file: usize,
    pub(crate) period: usize,
    pub(crate) line: u32,
    pub(crate) effective_from: NaiveDate,
}

macro_rules! rule_schema {
    (
        $(
            $(#[$smeta:meta])*
            $section:ident: $Section:ident, $Raw:ident, $Patch:ident, $Origins:ident {
                $(
                    $(#[$fmeta:meta])*
                    $field:ident: $ty:ty,
                )*
            }
        )*
    ) => {
        $(
            $(#[$smeta])*
            #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
            #[serde(deny_unknown_fields)]
            pub struct $Section {
                $( $(#[$fmeta])* pub $field: $ty, )*
            }

            #[derive(Debug, Deserialize)]
            #[serde(deny_unknown_fields)]
            struct $Raw {
                $( $field: Option<Spanned<<$ty as Leaf>::Raw>>, )*
            }

            #[derive(Debug, Clone, Default)]
            struct $Patch {
                $( $field: Option<(u32, $ty)>, )*
            }

            #[derive(Debug, Clone, Copy, Default)]
            struct $Origins {
                $( $field: Option<Origin>, )*
            }

            impl $Raw {
                fn check(self, file: &str, lines: &LineIndex) -> Result<$Patch, RuleBookError> {
                    Ok($Patch {
                        $( $field: match self.$field {
                            None => None,
                            Some(raw) => {
                                let line = lines.line_of(&raw);
                                let at = At {
                                    file,
                                    line,
                                    key: concat!("period.", stringify!($section), ".", stringify!($field)),
                                    lines,
                                };
                                Some((line, <$ty as Leaf>::check(raw.into_inner(), &at)?))
                            }
                        }, )*
                    })
                }
            }
        )*

        /// One resolved rule set: every rule in force for one province from
        /// one date, until the book's next effective date for that province.
        ///
        /// The fields are public data; the methods answer the questions the
        /// validator and the planner ask ([`RuleSetV1::document_for`],
        /// [`RuleSetV1::eligible_from`] …). Serde reads and writes the
        /// complete set (JSON or TOML) with unknown fields denied; rule
        /// *files* use the partial, dated form described in the crate docs.
        /// [`RuleSet`](crate::RuleSet) names the current version.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct RuleSetV1 {
            /// The province the set was resolved for.
            pub province: Province,
            /// The date this set takes effect (the latest effective date of
            /// any period that contributes to it).
            pub effective_from: NaiveDate,
            $( $(#[$smeta])* pub $section: $Section, )*
        }

        impl RuleSetV1 {
            /// Every rule key, `section.field`, as [`RuleBook::explain`](crate::RuleBook::explain) takes them.
            pub const KEYS: &'static [&'static str] = &[
                $( $( concat!(stringify!($section), ".", stringify!($field)), )* )*
            ];

            /// The value of one rule as text, `None` for an unknown key.
            pub fn value_of(&self, key: &str) -> Option<String> {
                $( $(
                    if key == concat!(stringify!($section), ".", stringify!($field)) {
                        return Some(<$ty as Leaf>::show(&self.$section.$field));
                    }
                )* )*
                None
            }
        }

        /// One `[[period]]` of a rule file, as written.
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawPeriod {
            effective_from: Spanned<Datetime>,
            #[expect(dead_code, reason = "a note documents the data; it is read only to allow the key")]
            note: Option<String>,
            $( $section: Option<$Raw>, )*
        }

        /// One period of a rule file, checked.
        #[derive(Debug, Clone)]
        pub(crate) struct PeriodPatch {
            pub(crate) effective_from: NaiveDate,
            pub(crate) line: u32,
            $( $section: $Patch, )*
        }

        impl RawPeriod {
            fn check(self, file: &str, lines: &LineIndex) -> Result<PeriodPatch, RuleBookError> {
                let line = lines.line_of(&self.effective_from);
                let at = At { file, line, key: "period.effective_from", lines };
                let effective_from = NaiveDate::check(self.effective_from.into_inner(), &at)?;
                Ok(PeriodPatch {
                    effective_from,
                    line,
                    $( $section: match self.$section {
                        Some(raw) => raw.check(file, lines)?,
                        None => $Patch::default(),
                    }, )*
                })
            }
        }

        /// Where each value of a resolved set came from.
        #[derive(Debug, Clone, Copy, Default)]
        pub(crate) struct Origins {
            $( $section: $Origins, )*
        }

        impl Origins {
            /// Records `origin` (with each value's own line) for every value
            /// `period` sets, over what was recorded before.
            pub(crate) fn apply(&mut self, period: &PeriodPatch, origin: Origin) {
                $( $(
                    if let Some((line, _)) = &period.$section.$field {
                        self.$section.$field = Some(Origin { line: *line, ..origin });
                    }
                )* )*
            }

            /// Builds the resolved set from the recorded origins; `period`
            /// finds the period an origin points at; `missing` makes the
            /// error for a required rule nobody set.
            pub(crate) fn build<'a>(
                &self,
                province: Province,
                effective_from: NaiveDate,
                period: impl Fn(Origin) -> Option<&'a PeriodPatch>,
                missing: impl Fn(&'static str) -> RuleBookError,
            ) -> Result<RuleSetV1, RuleBookError> {
                Ok(RuleSetV1 {
                    province,
                    effective_from,
                    $( $section: $Section {
                        $( $field: match self.$section.$field
                            .and_then(&period)
                            .and_then(|p| p.$section.$field.as_ref())
                        {
                            Some((_, value)) => value.clone(),
                            None => <$ty as Leaf>::when_unset().ok_or_else(|| {
                                missing(concat!(stringify!($section), ".", stringify!($field)))
                            })?,
                        }, )*
                    }, )*
                })
            }

            /// The origin of one rule: `None` for an unknown key, `Some(None)`
            /// for an optional rule no file sets.
            pub(crate) fn origin_of(&self, key: &str) -> Option<Option<Origin>> {
                $( $(
                    if key == concat!(stringify!($section), ".", stringify!($field)) {
                        return Some(self.$section.$field);
                    }
                )* )*
                None
            }
        }
    };
}

rule_schema! {
    /// Which document a toll is invoiced on (DOMAIN.md §2).
    documents: DocumentRules, RawDocumentRules, DocumentRulesPatch, DocumentRulesOrigins {
        /// Government-repaid roads: non-taxable e-invoices from this date
        /// (A66: 2018-01-01).
        non_taxable_from: NaiveDate,
        /// Government-repaid roads: fiscal e-bills instead, from this date.
        fiscal_ebill_from: NaiveDate,
        /// Whether the province's fiscal e-bill comes with a trip sheet
        /// (Jiangsu).
        fiscal_ebill_trip_sheet: bool,
        /// Whether an electronic summary sheet (电子汇总单) binds a trip to
        /// its invoices (A20 on).
        summary_sheet: bool,
        /// Whether passages paid in cash or by mobile payment at manual
        /// lanes are invoiced electronically through 票根 (Guizhou, 2024).
        cash_lane_e_invoices: bool,
        /// The line item name of a toll VAT invoice (`*经营租赁*通行费`).
        item_name: String,
    }

    /// VAT rates for tolls (DOMAIN.md §3).
    vat: VatRules, RawVatRules, VatRulesPatch, VatRulesOrigins {
        /// The general-method rate schedule (11 %, 10 % from 2018-05-01,
        /// 9 % from 2019-04-01).
        general_rates: RateSchedule,
        /// The simplified-method levy rate for expressways (3 %).
        simplified_expressway_rate: TaxRate,
        /// The simplified-method levy rate for other road kinds, bridges
        /// and sluices (5 %).
        simplified_other_rate: TaxRate,
        /// Roads begun on or before this date may use the simplified method
        /// (2016-04-30).
        simplified_cutoff: NaiveDate,
    }

    /// When a transaction can be invoiced (DOMAIN.md §5).
    timing: TimingRules, RawTimingRules, TimingRulesPatch, TimingRulesOrigins {
        /// A passage can be invoiced from this many natural days after its
        /// date (10 under A66, 7 under A20).
        eligible_after_days: u32,
        /// Whether a first eligible day that falls on a public holiday moves
        /// to the next day that is not one.
        holidays_defer: bool,
        /// The latest application, in months after the transaction.
        latest_application_months: u32,
        /// Whether a top-up can be invoiced at once.
        top_up_at_once: bool,
    }

    /// What an invoice application may contain.
    applications: ApplicationRules, RawApplicationRules, ApplicationRulesPatch, ApplicationRulesOrigins {
        /// What one application may cover.
        scope: ApplicationScope,
        /// The most transactions one application may select.
        max_transactions: u32,
        /// The most item lines one invoice may carry.
        max_lines_per_invoice: u32,
        /// The merge modes an applicant may choose.
        merge_modes: BTreeSet<MergeMode>,
        /// The title kinds an applicant may use.
        title_kinds: BTreeSet<TitleKind>,
        /// How issued invoices may be delivered.
        delivery: BTreeSet<Delivery>,
        /// The finding for a title set after a selected transaction.
        title_set_after_transaction: TitleTimingSeverity,
        /// Whether audit-recovered tolls (稽查补缴) are invoiceable
        /// transactions (Beijing).
        recovered_tolls_invoiceable: bool,
    }

    /// Reissue (换开) and red reversal (红冲) after an invoice is issued.
    after_issue: AfterIssueRules, RawAfterIssueRules, AfterIssueRulesPatch, AfterIssueRulesOrigins {
        /// How many times one invoice may be reissued.
        reissue_cap: u32,
        /// Whether reissues beyond the cap are possible with staff
        /// authorisation (Beijing) rather than refused.
        reissue_beyond_cap_with_authorisation: bool,
        /// Whether an issued invoice may be reversed with a red invoice.
        red_reversal_allowed: bool,
        /// Within how many days of issue a red reversal may be asked for.
        red_reversal_window_days: u32,
        /// Whether red reversals are done by staff on request (Beijing)
        /// rather than by the applicant.
        red_reversal_manual: bool,
    }

    /// Stored-value (储值卡) cards (DOMAIN.md §2).
    stored_value: StoredValueRules, RawStoredValueRules, StoredValueRulesPatch, StoredValueRulesOrigins {
        /// Whether a top-up invoiced at top-up time means the passages it
        /// paid for are never invoiced.
        top_up_invoice_excludes_passages: bool,
    }

    /// Facts about the province's card issuer (DOMAIN.md §8).
    issuer: IssuerFacts, RawIssuerFacts, IssuerFactsPatch, IssuerFactsOrigins {
        /// The card brand (`粤通卡`), where known.
        brand: Option<String>,
        /// The service hotline (`96533`), where known.
        hotline: Option<String>,
        /// The channels users can apply for invoices through.
        channels: BTreeSet<Channel>,
    }
}

/// A rule file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    version: Spanned<i64>,
    province: Option<Spanned<String>>,
    #[serde(default)]
    period: Vec<RawPeriod>,
}

/// A rule file, checked: its scope and its periods in date order.
#[derive(Debug, Clone)]
pub(crate) struct ParsedFile {
    pub(crate) name: String,
    /// The province and the line of `province`; `None` for a national file.
    pub(crate) province: Option<(Province, u32)>,
    pub(crate) periods: Vec<PeriodPatch>,
}

/// Reads and checks one rule file.
pub(crate) fn parse_file(name: &str, text: &str) -> Result<ParsedFile, RuleBookError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| toml_error(name, text, e))?;
    let lines = LineIndex::new(text);
    let version_line = lines.line_of(&raw.version);
    if *raw.version.get_ref() != SCHEMA_VERSION {
        return Err(RuleBookError::Version {
            file: name.to_owned(),
            line: version_line,
            found: *raw.version.get_ref(),
        });
    }
    let province = match raw.province {
        None => None,
        Some(p) => {
            let line = lines.line_of(&p);
            let province =
                Province::lookup(p.get_ref()).map_err(|source| RuleBookError::UnknownProvince {
                    file: name.to_owned(),
                    line,
                    key: "province".to_owned(),
                    source,
                })?;
            Some((province, line))
        }
    };
    let mut periods: Vec<PeriodPatch> = Vec::with_capacity(raw.period.len());
    for raw_period in raw.period {
        let period = raw_period.check(name, &lines)?;
        let at = At {
            file: name,
            line: period.line,
            key: "period.effective_from",
            lines: &lines,
        };
        check_order(
            periods.last().map(|p| p.effective_from),
            period.effective_from,
            &at,
        )?;
        periods.push(period);
    }
    Ok(ParsedFile {
        name: name.to_owned(),
        province,
        periods,
    })
}
