//! The small closed code lists of a rule set: merge modes, title kinds,
//! channels, delivery, application scope and the severity of a late title.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A name that is not one of a code list's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{input}` (expected one of: {expected})")]
pub struct UnknownNameError {
    what: &'static str,
    input: String,
    expected: String,
}

impl UnknownNameError {
    /// The offending text (cut to 64 characters).
    pub fn input(&self) -> &str {
        &self.input
    }

    /// What kind of value was expected (`merge mode`, `channel` …).
    pub fn what(&self) -> &'static str {
        self.what
    }
}

/// Declares a closed enum with a camelCase wire name (serde, `Display`,
/// `FromStr`) and a Chinese label that `FromStr` also accepts.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($what:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, $label:literal; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $wire)] $variant, )*
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The stable wire name used in data files and JSON.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire,)* }
            }

            /// The Chinese label.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label,)* }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownNameError;

            /// Reads the wire name (ASCII case-insensitive) or the Chinese label.
            fn from_str(s: &str) -> Result<Self, UnknownNameError> {
                let t = s.trim();
                $(
                    if t.eq_ignore_ascii_case($wire) || t == $label {
                        return Ok($name::$variant);
                    }
                )*
                Err(UnknownNameError {
                    what: $what,
                    input: s.chars().take(64).collect(),
                    expected: [$($wire),*].join(", "),
                })
            }
        }

        impl TryFrom<&str> for $name {
            type Error = UnknownNameError;

            fn try_from(s: &str) -> Result<Self, UnknownNameError> {
                s.parse()
            }
        }
    };
}

wire_enum! {
    /// How the selected transactions of an application are grouped into
    /// invoices.
    pub enum MergeMode ("merge mode") {
        /// 按次: one invoice per trip and seller.
        PerTrip = "perTrip", "按次";
        /// 按月: the month's trips merged per seller.
        Monthly = "monthly", "按月";
    }
}

wire_enum! {
    /// The kind of invoice title (发票抬头) an applicant may use.
    pub enum TitleKind ("title kind") {
        /// 个人: a natural person; a name suffices.
        Personal = "personal", "个人";
        /// 单位: an enterprise or other organisation, with a taxpayer id.
        Enterprise = "enterprise", "单位";
    }
}

wire_enum! {
    /// A channel through which users apply for invoices.
    pub enum Channel ("channel") {
        /// A mini program (the 票根 mini program or an issuer's).
        MiniProgram = "miniProgram", "小程序";
        /// A mobile app (the 票根 app or an issuer's own).
        App = "app", "应用";
        /// A web site (txffp.com or an issuer's).
        Web = "web", "网站";
        /// A bank or issuer service counter.
        BankCounter = "bankCounter", "银行网点";
    }
}

wire_enum! {
    /// How issued invoices reach the applicant.
    pub enum Delivery ("delivery") {
        /// Sent to the receiving email address the application gives.
        Email = "email", "邮箱";
        /// Downloaded from the channel the application was made on.
        Download = "download", "下载";
    }
}

wire_enum! {
    /// What one invoice application may cover.
    pub enum ApplicationScope ("application scope") {
        /// One card and one billing month (the platform's own rule).
        CardMonth = "cardMonth", "单卡单月";
        /// One card, several billing months.
        Card = "card", "单卡多月";
        /// Several cards of one applicant, one billing month.
        AccountMonth = "accountMonth", "多卡单月";
    }
}

impl ApplicationScope {
    /// Whether an application must stay within one card.
    pub fn single_card(self) -> bool {
        matches!(self, ApplicationScope::CardMonth | ApplicationScope::Card)
    }

    /// Whether an application must stay within one billing month.
    pub fn single_month(self) -> bool {
        matches!(
            self,
            ApplicationScope::CardMonth | ApplicationScope::AccountMonth
        )
    }
}

wire_enum! {
    /// How a validator treats an application whose title was set after one
    /// of its transactions (the title in force at transaction time applies,
    /// DOMAIN.md §5).
    pub enum TitleTimingSeverity ("severity") {
        /// A warning: the application may go ahead.
        Warning = "warning", "警告";
        /// An error: the application is refused.
        Error = "error", "错误";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip() {
        for m in MergeMode::ALL {
            assert_eq!(m.as_str().parse::<MergeMode>().unwrap(), *m);
            assert_eq!(m.label().parse::<MergeMode>().unwrap(), *m);
            let json = serde_json::to_string(m).unwrap();
            assert_eq!(json, format!("\"{}\"", m.as_str()));
            assert_eq!(serde_json::from_str::<MergeMode>(&json).unwrap(), *m);
        }
        for c in Channel::ALL {
            assert_eq!(c.to_string().parse::<Channel>().unwrap(), *c);
        }
        assert_eq!(
            serde_json::to_string(&Channel::BankCounter).unwrap(),
            "\"bankCounter\""
        );
        assert_eq!("MONTHLY".parse::<MergeMode>().unwrap(), MergeMode::Monthly);
        assert_eq!(
            "daily".parse::<MergeMode>().unwrap_err().to_string(),
            "unknown merge mode `daily` (expected one of: perTrip, monthly)"
        );
    }

    #[test]
    fn scopes() {
        assert!(ApplicationScope::CardMonth.single_card());
        assert!(ApplicationScope::CardMonth.single_month());
        assert!(!ApplicationScope::Card.single_month());
        assert!(!ApplicationScope::AccountMonth.single_card());
    }
}
