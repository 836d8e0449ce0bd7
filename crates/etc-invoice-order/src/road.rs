//! What kind of road a toll segment is on, and how it is funded and taxed.

use crate::macros::code_enum;

code_enum! {
    /// The kind of road or crossing a toll is charged for. The simplified
    /// VAT rate depends on it (DOMAIN.md §3).
    pub enum RoadKind / RoadKindError ("road kind") {
        /// 高速公路.
        Expressway = "expressway", "高速公路", "高速";
        /// 一级公路.
        FirstClass = "firstClass", "一级公路", "first-class", "first_class";
        /// 二级公路.
        SecondClass = "secondClass", "二级公路", "second-class", "second_class";
        /// 桥 (a toll bridge).
        Bridge = "bridge", "桥";
        /// 闸 (a toll sluice).
        Sluice = "sluice", "闸";
    }
}

code_enum! {
    /// How the road is funded, which decides the document: operating roads
    /// issue VAT invoices, government-repaid roads non-taxable invoices and
    /// later fiscal e-bills (DOMAIN.md §2).
    pub enum Funding / FundingError ("road funding") {
        /// 经营性公路: a VAT invoice.
        Operating = "operating", "经营性", "经营性公路";
        /// 政府还贷公路: a non-taxable invoice or a fiscal e-bill, never VAT.
        GovernmentRepaid = "governmentRepaid", "政府还贷", "政府还贷公路", "government-repaid", "government_repaid";
    }
}

code_enum! {
    /// The operator's VAT method for the segment (DOMAIN.md §3).
    pub enum TaxMethod / TaxMethodError ("tax method") {
        /// 一般计税: the general rate of the day (11 %, 10 %, 9 %).
        General = "general", "一般计税";
        /// 简易计税: 3 % for expressways, 5 % otherwise, for roads begun on or
        /// before 2016-04-30.
        Simplified = "simplified", "简易计税";
    }
}

code_enum! {
    /// The medium a passage was charged through.
    pub enum Medium / MediumError ("medium") {
        /// An on-board unit with an ETC card.
        Obu = "obu", "OBU", "etc";
        /// A compound pass card (CPC) handed out at the entry.
        Cpc = "cpc", "CPC";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in RoadKind::ALL {
            assert_eq!(k.as_str().parse::<RoadKind>().unwrap(), *k);
            assert_eq!(k.label().parse::<RoadKind>().unwrap(), *k);
            let json = serde_json::to_string(k).unwrap();
            assert_eq!(serde_json::from_str::<RoadKind>(&json).unwrap(), *k);
        }
        assert_eq!(
            "GovernmentRepaid".parse::<Funding>().unwrap(),
            Funding::GovernmentRepaid
        );
        let err = "toll".parse::<Funding>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown road funding `toll` (expected one of: operating, governmentRepaid)"
        );
    }
}
