//! Plate colours, vehicle ids (`<plate>_<colour code>`) and toll vehicle classes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{PlateError, PlateNumber};

/// Declares a closed enum whose values are numeric codes from a standard,
/// with a Chinese label. It gets `ALL`, `code`, `from_code`, `label`,
/// `parse` (the code or the label), `parse_code` (the code only),
/// `Display` (the code), `FromStr`, `TryFrom<&str>`, `TryFrom<String>`,
/// `From<_> for String` and serde as the code in a string (`"1"`).
///
/// Like `code_enum!` in `macros.rs`, but for numeric codes; it lives here
/// because the identifier modules are its only users.
macro_rules! numeric_code_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident / $err:ident ($what:literal, $int:ty) {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal, $label:literal $(, $alias:literal)* ; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )*
        }

        #[doc = concat!("A text that is not a known ", $what, " code.")]
        #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
        #[error("unknown {} `{input}` (expected one of: {})", $what, $name::expected())]
        $vis struct $err {
            input: String,
        }

        impl $err {
            /// The offending text (cut to 64 characters).
            #[inline]
            pub fn input(&self) -> &str {
                &self.input
            }

            fn new(input: &str) -> Self {
                Self { input: input.chars().take(64).collect() }
            }
        }

        impl $name {
            /// Every value, in code order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The numeric code.
            #[inline]
            pub fn code(self) -> $int {
                match self { $($name::$variant => $code,)* }
            }

            /// The value with this numeric code, if any.
            pub fn from_code(code: $int) -> Option<$name> {
                match code {
                    $($code => Some($name::$variant),)*
                    _ => None,
                }
            }

            /// The Chinese label.
            #[inline]
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label,)* }
            }

            fn expected() -> String {
                [$(stringify!($code)),*].join(", ")
            }

            /// Reads a numeric code written in canonical decimal (`"1"`,
            /// not `"01"`, `"+1"` or `" 1"`); labels are not accepted.
            ///
            /// # Errors
            #[doc = concat!("[`", stringify!($err), "`] for anything else.")]
            pub fn parse_code(s: &str) -> Result<$name, $err> {
                $(
                    if s == stringify!($code) {
                        return Ok($name::$variant);
                    }
                )*
                Err($err::new(s))
            }

            /// Reads a numeric code (`"1"`) or a Chinese label; surrounding
            /// white space is ignored.
            ///
            /// # Errors
            #[doc = concat!("[`", stringify!($err), "`] for anything else.")]
            pub fn parse(s: &str) -> Result<$name, $err> {
                let t = s.trim();
                $(
                    if t == stringify!($code) || t == $label $(|| t == $alias)* {
                        return Ok($name::$variant);
                    }
                )*
                Err($err::new(s))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.code(), f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = $err;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::parse(s)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = $err;
            fn try_from(s: &str) -> Result<Self, Self::Error> {
                $name::parse(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = $err;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                $name::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.code().to_string()
            }
        }

        impl From<$name> for $int {
            fn from(v: $name) -> $int {
                v.code()
            }
        }
    };
}

pub(crate) use numeric_code_enum;

numeric_code_enum! {
    /// The colour of a plate, by its code in the toll network (DOMAIN.md §6).
    ///
    /// `Display` and serde use the numeric code (`"1"`); `FromStr` also
    /// accepts the Chinese label (`黄`, `黄色`).
    ///
    /// ```
    /// use etc_invoice_order::PlateColor;
    ///
    /// let c: PlateColor = "4".parse()?;
    /// assert_eq!(c, PlateColor::GradientGreen);
    /// assert_eq!(c.label(), "渐变绿");
    /// assert_eq!(PlateColor::from_code(11), Some(PlateColor::Green));
    /// assert_eq!("黄".parse::<PlateColor>()?.to_string(), "1");
    /// assert!("8".parse::<PlateColor>().is_err());
    /// # Ok::<(), etc_invoice_order::PlateColorError>(())
    /// ```
    pub enum PlateColor / PlateColorError ("plate colour", u8) {
        /// 0: blue (蓝), ordinary small vehicles.
        Blue = 0, "蓝", "蓝色";
        /// 1: yellow (黄), large vehicles.
        Yellow = 1, "黄", "黄色";
        /// 2: black (黑).
        Black = 2, "黑", "黑色";
        /// 3: white (白).
        White = 3, "白", "白色";
        /// 4: gradient green (渐变绿), small new-energy vehicles.
        GradientGreen = 4, "渐变绿", "渐变绿色";
        /// 5: yellow-green (黄绿双拼), large new-energy vehicles.
        YellowGreen = 5, "黄绿双拼", "黄绿双拼色";
        /// 6: blue-white gradient (蓝白渐变).
        BlueWhiteGradient = 6, "蓝白渐变", "蓝白渐变色";
        /// 7: temporary plate (临时牌照).
        Temporary = 7, "临时牌照", "临时";
        /// 9: colour not determined (未确定).
        Undetermined = 9, "未确定";
        /// 11: green (绿).
        Green = 11, "绿", "绿色";
        /// 12: red (红).
        Red = 12, "红", "红色";
    }
}

numeric_code_enum! {
    /// A toll vehicle class under JT/T 489-2019 (DOMAIN.md §6): passenger
    /// cars 客1–客4 (codes 1–4), trucks 货1–货6 (11–16) and special-operation
    /// vehicles 专1–专6 (21–26).
    ///
    /// `Display` and serde use the numeric code (`"11"`); `FromStr` accepts
    /// the code or the label (`货1`). An invoice shows only
    /// [`VehicleClass::invoice_label`] (`客车`, `货车`, `专项作业车`).
    ///
    /// ```
    /// use etc_invoice_order::VehicleClass;
    ///
    /// let c: VehicleClass = "货2".parse()?;
    /// assert_eq!(c.code(), 12);
    /// assert!(c.is_truck());
    /// assert_eq!(c.invoice_label(), "货车");
    /// assert_eq!(c.to_string(), "12");
    /// assert_eq!("1".parse::<VehicleClass>()?.label(), "客1");
    /// # Ok::<(), etc_invoice_order::VehicleClassError>(())
    /// ```
    pub enum VehicleClass / VehicleClassError ("vehicle class", u8) {
        /// 客1: under 6 m and at most 9 seats.
        Passenger1 = 1, "客1", "客一";
        /// 客2: under 6 m and 10–19 seats.
        Passenger2 = 2, "客2", "客二";
        /// 客3: 6 m or more and at most 39 seats.
        Passenger3 = 3, "客3", "客三";
        /// 客4: 6 m or more and at least 40 seats.
        Passenger4 = 4, "客4", "客四";
        /// 货1: 2 axles, under 6 m and under 4.5 t.
        Truck1 = 11, "货1", "货一";
        /// 货2: other 2-axle trucks.
        Truck2 = 12, "货2", "货二";
        /// 货3: 3 axles.
        Truck3 = 13, "货3", "货三";
        /// 货4: 4 axles.
        Truck4 = 14, "货4", "货四";
        /// 货5: 5 axles.
        Truck5 = 15, "货5", "货五";
        /// 货6: 6 axles or more.
        Truck6 = 16, "货6", "货六";
        /// 专1: special-operation vehicle, axle rules as 货1.
        Special1 = 21, "专1", "专一";
        /// 专2: special-operation vehicle, axle rules as 货2.
        Special2 = 22, "专2", "专二";
        /// 专3: special-operation vehicle, axle rules as 货3.
        Special3 = 23, "专3", "专三";
        /// 专4: special-operation vehicle, axle rules as 货4.
        Special4 = 24, "专4", "专四";
        /// 专5: special-operation vehicle, axle rules as 货5.
        Special5 = 25, "专5", "专五";
        /// 专6: special-operation vehicle, axle rules as 货6.
        Special6 = 26, "专6", "专六";
    }
}

impl VehicleClass {
    /// Whether this is a passenger class (客1–客4).
    #[inline]
    pub fn is_passenger(self) -> bool {
        self.code() < 10
    }

    /// Whether this is a truck class (货1–货6).
    #[inline]
    pub fn is_truck(self) -> bool {
        (11..=16).contains(&self.code())
    }

    /// Whether this is a special-operation class (专1–专6).
    #[inline]
    pub fn is_special(self) -> bool {
        self.code() > 20
    }

    /// What the invoice shows in its vehicle-type column: `客车`, `货车`
    /// or `专项作业车`.
    pub fn invoice_label(self) -> &'static str {
        self.invoice_type().label()
    }

    /// The vehicle type an invoice prints for this class.
    #[inline]
    pub fn invoice_type(self) -> InvoiceVehicleType {
        if self.is_passenger() {
            InvoiceVehicleType::Passenger
        } else if self.is_truck() {
            InvoiceVehicleType::Truck
        } else {
            InvoiceVehicleType::Special
        }
    }
}

/// The vehicle-type column of a toll invoice (类型): one byte, written and
/// read as the printed label.
///
/// ```
/// use etc_invoice_order::{InvoiceVehicleType, VehicleClass};
///
/// let t = VehicleClass::Truck2.invoice_type();
/// assert_eq!(t, InvoiceVehicleType::Truck);
/// assert_eq!(t.to_string(), "货车");
/// assert_eq!(serde_json::to_string(&t)?, "\"货车\"");
/// assert_eq!(serde_json::from_str::<InvoiceVehicleType>("\"客车\"")?, InvoiceVehicleType::Passenger);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum InvoiceVehicleType {
    /// 客车: passenger classes 客1–客4.
    #[serde(rename = "客车")]
    Passenger,
    /// 货车: truck classes 货1–货6.
    #[serde(rename = "货车")]
    Truck,
    /// 专项作业车: special-operation classes 专1–专6.
    #[serde(rename = "专项作业车")]
    Special,
}

impl InvoiceVehicleType {
    /// The label the invoice prints.
    #[inline]
    pub fn label(self) -> &'static str {
        match self {
            InvoiceVehicleType::Passenger => "客车",
            InvoiceVehicleType::Truck => "货车",
            InvoiceVehicleType::Special => "专项作业车",
        }
    }
}

impl fmt::Display for InvoiceVehicleType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A vehicle as the toll network names it: plate and plate colour code
/// joined by `_` (`京A12345_1`, DOMAIN.md §6).
///
/// The plate follows [`PlateNumber`] (lower case accepted and upper-cased);
/// the colour must be a numeric [`PlateColor`] code. The colour is not
/// checked against the plate kind: real records disagree often enough that
/// a mismatch is a finding for validation, not a parse failure.
///
/// ```
/// use etc_invoice_order::{PlateColor, VehicleId};
///
/// let v: VehicleId = "京A12345_1".parse()?;
/// assert_eq!(v.plate().as_str(), "京A12345");
/// assert_eq!(v.color(), PlateColor::Yellow);
/// assert_eq!(v.to_string(), "京A12345_1");
/// # Ok::<(), etc_invoice_order::VehicleIdError>(())
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct VehicleId {
    plate: PlateNumber,
    color: PlateColor,
}

/// Why a text is not a vehicle id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VehicleIdError {
    /// No `_` between the plate and the colour code.
    #[error(
        "`{input}` is not a vehicle id: expected a plate, `_` and a colour code, as in `京A12345_1`"
    )]
    Separator {
        /// The offending text (cut to 64 characters).
        input: String,
    },
    /// The part before the last `_` is not a plate.
    #[error("invalid plate in vehicle id `{input}`")]
    Plate {
        /// The offending text (cut to 64 characters).
        input: String,
        /// Why the plate is invalid.
        #[source]
        source: PlateError,
    },
    /// The part after the last `_` is not a colour code.
    #[error("invalid colour code in vehicle id `{input}`")]
    Color {
        /// The offending text (cut to 64 characters).
        input: String,
        /// Why the colour code is invalid.
        #[source]
        source: PlateColorError,
    },
}

impl VehicleIdError {
    /// The offending text (cut to 64 characters).
    #[inline]
    pub fn input(&self) -> &str {
        match self {
            VehicleIdError::Separator { input }
            | VehicleIdError::Plate { input, .. }
            | VehicleIdError::Color { input, .. } => input,
        }
    }
}

fn cut(s: &str) -> String {
    s.chars().take(64).collect()
}

impl VehicleId {
    /// A vehicle id from its parts.
    pub fn new(plate: PlateNumber, color: PlateColor) -> VehicleId {
        VehicleId { plate, color }
    }

    /// Reads `<plate>_<colour code>`.
    ///
    /// # Errors
    /// [`VehicleIdError`] when the separator is missing or either part is invalid.
    pub fn parse(s: &str) -> Result<VehicleId, VehicleIdError> {
        let Some((plate, color)) = s.rsplit_once('_') else {
            return Err(VehicleIdError::Separator { input: cut(s) });
        };
        let plate = PlateNumber::parse(plate).map_err(|source| VehicleIdError::Plate {
            input: cut(s),
            source,
        })?;
        let color = PlateColor::parse_code(color).map_err(|source| VehicleIdError::Color {
            input: cut(s),
            source,
        })?;
        Ok(VehicleId { plate, color })
    }

    /// Checks a vehicle id without keeping it.
    ///
    /// # Errors
    /// As [`VehicleId::parse`].
    pub fn check(s: &str) -> Result<(), VehicleIdError> {
        VehicleId::parse(s).map(|_| ())
    }

    /// The plate.
    #[inline]
    pub fn plate(&self) -> &PlateNumber {
        &self.plate
    }

    /// The plate colour.
    #[inline]
    pub fn color(&self) -> PlateColor {
        self.color
    }

    /// The plate and the colour.
    #[inline]
    pub fn into_parts(self) -> (PlateNumber, PlateColor) {
        (self.plate, self.color)
    }
}

impl fmt::Display for VehicleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}_{}", self.plate, self.color)
    }
}

impl fmt::Debug for VehicleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VehicleId({self})")
    }
}

impl FromStr for VehicleId {
    type Err = VehicleIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        VehicleId::parse(s)
    }
}

impl TryFrom<&str> for VehicleId {
    type Error = VehicleIdError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        VehicleId::parse(s)
    }
}

impl TryFrom<String> for VehicleId {
    type Error = VehicleIdError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        VehicleId::parse(&s)
    }
}

impl From<VehicleId> for String {
    fn from(v: VehicleId) -> String {
        v.to_string()
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;
    use crate::PlateKind;

    #[test]
    fn plate_colors() {
        for c in PlateColor::ALL {
            assert_eq!(PlateColor::from_code(c.code()), Some(*c));
            assert_eq!(c.to_string().parse::<PlateColor>().unwrap(), *c);
            assert_eq!(c.label().parse::<PlateColor>().unwrap(), *c);
            assert_eq!(PlateColor::parse_code(&c.code().to_string()).unwrap(), *c);
            let json = serde_json::to_string(c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.code()));
            assert_eq!(serde_json::from_str::<PlateColor>(&json).unwrap(), *c);
            assert_eq!(u8::from(*c), c.code());
            assert_eq!(String::from(*c), c.code().to_string());
        }
        assert_eq!(PlateColor::ALL.len(), 11);
        assert_eq!(PlateColor::from_code(8), None);
        assert_eq!(PlateColor::try_from(" 12 ").unwrap(), PlateColor::Red);
        assert_eq!(
            PlateColor::try_from("蓝色".to_owned()).unwrap(),
            PlateColor::Blue
        );
        for bad in ["8", "10", "13", "01", "+1", "", "blue", "1.0", "255", "256"] {
            let e = bad.parse::<PlateColor>().unwrap_err();
            assert_eq!(e.input(), bad);
            assert_eq!(
                e.to_string(),
                format!(
                    "unknown plate colour `{bad}` (expected one of: 0, 1, 2, 3, 4, 5, 6, 7, 9, 11, 12)"
                )
            );
        }
        assert!(PlateColor::parse_code("蓝").is_err());
        assert!(PlateColor::parse_code(" 1").is_err());
        assert!(serde_json::from_str::<PlateColor>("\"8\"").is_err());
        assert!(serde_json::from_str::<PlateColor>("1").is_err());
    }

    #[test]
    fn vehicle_classes() {
        assert_eq!(VehicleClass::ALL.len(), 16);
        for c in VehicleClass::ALL {
            assert_eq!(VehicleClass::from_code(c.code()), Some(*c));
            assert_eq!(c.to_string().parse::<VehicleClass>().unwrap(), *c);
            assert_eq!(c.label().parse::<VehicleClass>().unwrap(), *c);
            let json = serde_json::to_string(c).unwrap();
            assert_eq!(serde_json::from_str::<VehicleClass>(&json).unwrap(), *c);
            let kinds = [c.is_passenger(), c.is_truck(), c.is_special()];
            assert_eq!(kinds.iter().filter(|k| **k).count(), 1, "{c:?}");
        }
        assert_eq!(VehicleClass::Passenger4.invoice_label(), "客车");
        assert_eq!(VehicleClass::Passenger4.label(), "客4");
        assert_eq!(VehicleClass::Truck6.invoice_label(), "货车");
        assert_eq!(VehicleClass::Special1.invoice_label(), "专项作业车");
        assert_eq!(VehicleClass::Special1.code(), 21);
        assert_eq!(
            "货一".parse::<VehicleClass>().unwrap(),
            VehicleClass::Truck1
        );
        for bad in ["0", "5", "10", "17", "20", "27", "客5", "货", "", "x"] {
            let e = bad.parse::<VehicleClass>().unwrap_err();
            assert!(
                e.to_string()
                    .starts_with(&format!("unknown vehicle class `{bad}`")),
                "{e}"
            );
        }
    }

    #[test]
    fn vehicle_ids() {
        let v: VehicleId = "京a12345_1".parse().unwrap();
        assert_eq!(v.to_string(), "京A12345_1");
        assert_eq!(v.plate().kind(), PlateKind::Ordinary);
        assert_eq!(format!("{v:?}"), "VehicleId(京A12345_1)");
        assert_eq!(
            v,
            VehicleId::new("京A12345".parse().unwrap(), PlateColor::Yellow)
        );
        let json = serde_json::to_string(&v).unwrap();
        assert_eq!(json, "\"京A12345_1\"");
        assert_eq!(serde_json::from_str::<VehicleId>(&json).unwrap(), v);
        assert_eq!(
            VehicleId::try_from("粤BD12345_4".to_owned())
                .unwrap()
                .color(),
            PlateColor::GradientGreen
        );
        assert_eq!(
            VehicleId::try_from("224578使_2").unwrap().color(),
            PlateColor::Black
        );
        let (plate, color) = v.into_parts();
        assert_eq!((plate.as_str(), color), ("京A12345", PlateColor::Yellow));
        assert!(VehicleId::check("粤Z0000港_2").is_ok());
    }

    #[test]
    fn vehicle_id_errors() {
        let e = "京A12345".parse::<VehicleId>().unwrap_err();
        assert_eq!(
            e,
            VehicleIdError::Separator {
                input: "京A12345".into()
            }
        );
        assert_eq!(
            e.to_string(),
            "`京A12345` is not a vehicle id: expected a plate, `_` and a colour code, as in `京A12345_1`"
        );
        let e = "京A1234I_1".parse::<VehicleId>().unwrap_err();
        assert!(matches!(e, VehicleIdError::Plate { .. }), "{e}");
        assert_eq!(e.to_string(), "invalid plate in vehicle id `京A1234I_1`");
        assert_eq!(
            e.source().unwrap().to_string(),
            "`I` at position 7 of `京A1234I` is not allowed in a plate sequence"
        );
        let e = "京A12345_8".parse::<VehicleId>().unwrap_err();
        assert!(matches!(e, VehicleIdError::Color { .. }), "{e}");
        assert_eq!(e.input(), "京A12345_8");
        assert_eq!(
            e.to_string(),
            "invalid colour code in vehicle id `京A12345_8`"
        );
        assert!(e.source().unwrap().to_string().contains("`8`"));
        for bad in [
            "京A12345_蓝",
            "京A12345_",
            "京A12345_01",
            "_1",
            "京A12345_1_1",
            "京A12345 _1",
        ] {
            assert!(bad.parse::<VehicleId>().is_err(), "{bad}");
        }
        let long = "_".repeat(10_000);
        assert_eq!(long.parse::<VehicleId>().unwrap_err().input().len(), 64);
    }
}
