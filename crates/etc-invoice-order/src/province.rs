//! The 31 provincial-level divisions of mainland China that run ETC networks.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A provincial-level division of mainland China (province, autonomous region
/// or municipality) that runs an ETC network.
///
/// Codes come from GB/T 2260 (administrative division codes); the ETC network
/// code is the two-digit GB/T 2260 prefix followed by `01` (DOMAIN.md §6).
///
/// `FromStr` accepts every form [`Province::lookup`] knows; `Display` and
/// serde use the short Chinese name (`广东`).
///
/// ```
/// use etc_invoice_order::Province;
///
/// let gd: Province = "粤".parse()?;
/// assert_eq!(gd, Province::Guangdong);
/// assert_eq!(gd.name(), "广东");
/// assert_eq!(gd.full_name(), "广东省");
/// assert_eq!(gd.gb2260_code(), 440000);
/// assert_eq!(gd.network_code(), "4401");
/// assert_eq!("4401".parse::<Province>()?, gd);
/// assert_eq!("guangdong".parse::<Province>()?, gd);
/// # Ok::<(), etc_invoice_order::ProvinceError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[expect(missing_docs, reason = "each variant is named after its province")]
pub enum Province {
    Beijing,
    Tianjin,
    Hebei,
    Shanxi,
    InnerMongolia,
    Liaoning,
    Jilin,
    Heilongjiang,
    Shanghai,
    Jiangsu,
    Zhejiang,
    Anhui,
    Fujian,
    Jiangxi,
    Shandong,
    Henan,
    Hubei,
    Hunan,
    Guangdong,
    Guangxi,
    Hainan,
    Chongqing,
    Sichuan,
    Guizhou,
    Yunnan,
    Tibet,
    Shaanxi,
    Gansu,
    Qinghai,
    Ningxia,
    Xinjiang,
}

/// A province name, abbreviation or code that names no province.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown province `{input}`")]
pub struct ProvinceError {
    input: String,
}

impl ProvinceError {
    /// The text that named no province (cut to 64 characters).
    #[inline]
    pub fn input(&self) -> &str {
        &self.input
    }

    pub(crate) fn new(input: &str) -> Self {
        Self {
            input: input.chars().take(64).collect(),
        }
    }
}

struct Info {
    province: Province,
    abbreviation: char,
    name: &'static str,
    full_name: &'static str,
    pinyin: &'static str,
    prefix: u8,
}

macro_rules! table {
    ($($variant:ident $abbr:literal $name:literal $full:literal $pinyin:literal $prefix:literal;)*) => {
        const TABLE: &[Info] = &[
            $(Info {
                province: Province::$variant,
                abbreviation: $abbr,
                name: $name,
                full_name: $full,
                pinyin: $pinyin,
                prefix: $prefix,
            },)*
        ];
    };
}

// Source: GB/T 2260 division codes and the abbreviations used on plates (GA 36-2018).
table! {
    Beijing '京' "北京" "北京市" "beijing" 11;
    Tianjin '津' "天津" "天津市" "tianjin" 12;
    Hebei '冀' "河北" "河北省" "hebei" 13;
    Shanxi '晋' "山西" "山西省" "shanxi" 14;
    InnerMongolia '蒙' "内蒙古" "内蒙古自治区" "neimenggu" 15;
    Liaoning '辽' "辽宁" "辽宁省" "liaoning" 21;
    Jilin '吉' "吉林" "吉林省" "jilin" 22;
    Heilongjiang '黑' "黑龙江" "黑龙江省" "heilongjiang" 23;
    Shanghai '沪' "上海" "上海市" "shanghai" 31;
    Jiangsu '苏' "江苏" "江苏省" "jiangsu" 32;
    Zhejiang '浙' "浙江" "浙江省" "zhejiang" 33;
    Anhui '皖' "安徽" "安徽省" "anhui" 34;
    Fujian '闽' "福建" "福建省" "fujian" 35;
    Jiangxi '赣' "江西" "江西省" "jiangxi" 36;
    Shandong '鲁' "山东" "山东省" "shandong" 37;
    Henan '豫' "河南" "河南省" "henan" 41;
    Hubei '鄂' "湖北" "湖北省" "hubei" 42;
    Hunan '湘' "湖南" "湖南省" "hunan" 43;
    Guangdong '粤' "广东" "广东省" "guangdong" 44;
    Guangxi '桂' "广西" "广西壮族自治区" "guangxi" 45;
    Hainan '琼' "海南" "海南省" "hainan" 46;
    Chongqing '渝' "重庆" "重庆市" "chongqing" 50;
    Sichuan '川' "四川" "四川省" "sichuan" 51;
    Guizhou '贵' "贵州" "贵州省" "guizhou" 52;
    Yunnan '云' "云南" "云南省" "yunnan" 53;
    Tibet '藏' "西藏" "西藏自治区" "xizang" 54;
    Shaanxi '陕' "陕西" "陕西省" "shaanxi" 61;
    Gansu '甘' "甘肃" "甘肃省" "gansu" 62;
    Qinghai '青' "青海" "青海省" "qinghai" 63;
    Ningxia '宁' "宁夏" "宁夏回族自治区" "ningxia" 64;
    Xinjiang '新' "新疆" "新疆维吾尔自治区" "xinjiang" 65;
}

impl Province {
    /// All 31 provinces, in GB/T 2260 code order.
    pub const ALL: [Province; 31] = [
        Province::Beijing,
        Province::Tianjin,
        Province::Hebei,
        Province::Shanxi,
        Province::InnerMongolia,
        Province::Liaoning,
        Province::Jilin,
        Province::Heilongjiang,
        Province::Shanghai,
        Province::Jiangsu,
        Province::Zhejiang,
        Province::Anhui,
        Province::Fujian,
        Province::Jiangxi,
        Province::Shandong,
        Province::Henan,
        Province::Hubei,
        Province::Hunan,
        Province::Guangdong,
        Province::Guangxi,
        Province::Hainan,
        Province::Chongqing,
        Province::Sichuan,
        Province::Guizhou,
        Province::Yunnan,
        Province::Tibet,
        Province::Shaanxi,
        Province::Gansu,
        Province::Qinghai,
        Province::Ningxia,
        Province::Xinjiang,
    ];

    fn info(self) -> &'static Info {
        // The table lists the variants in declaration order, so the
        // discriminant is the index; the fallback is never taken.
        TABLE
            .get(self as usize)
            .filter(|info| info.province == self)
            .unwrap_or(&TABLE_FALLBACK)
    }

    /// The one-character abbreviation used on plates (`粤`).
    #[inline]
    pub fn abbreviation(self) -> char {
        self.info().abbreviation
    }

    /// The short Chinese name (`广东`, `内蒙古`).
    #[inline]
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// The full Chinese name (`广东省`, `内蒙古自治区`).
    #[inline]
    pub fn full_name(self) -> &'static str {
        self.info().full_name
    }

    /// The name in pinyin, lower case without tones (`guangdong`); Shaanxi is
    /// `shaanxi` and Tibet `xizang`, as in official romanisation.
    #[inline]
    pub fn pinyin(self) -> &'static str {
        self.info().pinyin
    }

    /// The six-digit GB/T 2260 division code (`440000`).
    #[inline]
    pub fn gb2260_code(self) -> u32 {
        u32::from(self.info().prefix) * 10_000
    }

    /// The two-digit GB/T 2260 prefix (`44`).
    #[inline]
    pub fn gb2260_prefix(self) -> u8 {
        self.info().prefix
    }

    /// The four-digit ETC network code (`4401`): the GB/T 2260 prefix followed by `01`.
    #[inline]
    pub fn network_code(self) -> &'static str {
        NETWORK_CODES.get(self as usize).copied().unwrap_or("0000")
    }

    /// Finds a province by its plate abbreviation.
    pub fn from_abbreviation(c: char) -> Option<Province> {
        TABLE
            .iter()
            .find(|info| info.abbreviation == c)
            .map(|info| info.province)
    }

    /// Finds a province by its two-digit GB/T 2260 prefix (`44`).
    pub fn from_gb2260_prefix(prefix: u8) -> Option<Province> {
        TABLE
            .iter()
            .find(|info| info.prefix == prefix)
            .map(|info| info.province)
    }

    /// Finds a province by a four-digit ETC network code (`4401`).
    pub fn from_network_code(code: &str) -> Option<Province> {
        NETWORK_CODES
            .iter()
            .position(|c| *c == code)
            .and_then(|i| Province::ALL.get(i).copied())
    }

    /// Finds a province from any of its names or codes: the abbreviation
    /// (`粤`), the short or full Chinese name (`广东`, `广东省`), the pinyin
    /// name in any case (`guangdong`), the variant name (`Guangdong`), the
    /// two- or six-digit GB/T 2260 code (`44`, `440000`) or the ETC network
    /// code (`4401`). Surrounding white space is ignored.
    ///
    /// # Errors
    /// [`ProvinceError`] when the text names no province.
    pub fn lookup(text: &str) -> Result<Province, ProvinceError> {
        let s = text.trim();
        let found = if s.bytes().all(|b| b.is_ascii_digit()) {
            match s.len() {
                2 => s.parse().ok().and_then(Province::from_gb2260_prefix),
                4 => Province::from_network_code(s),
                6 if s.ends_with("0000") => s
                    .get(..2)
                    .and_then(|p| p.parse().ok())
                    .and_then(Province::from_gb2260_prefix),
                _ => None,
            }
        } else {
            let mut chars = s.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Province::from_abbreviation(c),
                _ => TABLE
                    .iter()
                    .find(|info| {
                        info.name == s
                            || info.full_name == s
                            || info.pinyin.eq_ignore_ascii_case(s)
                            || variant_name(info.province).eq_ignore_ascii_case(s)
                    })
                    .map(|info| info.province),
            }
        };
        found.ok_or_else(|| ProvinceError::new(text))
    }
}

const TABLE_FALLBACK: Info = Info {
    province: Province::Beijing,
    abbreviation: '京',
    name: "北京",
    full_name: "北京市",
    pinyin: "beijing",
    prefix: 11,
};

const NETWORK_CODES: [&str; 31] = [
    "1101", "1201", "1301", "1401", "1501", "2101", "2201", "2301", "3101", "3201", "3301", "3401",
    "3501", "3601", "3701", "4101", "4201", "4301", "4401", "4501", "4601", "5001", "5101", "5201",
    "5301", "5401", "6101", "6201", "6301", "6401", "6501",
];

fn variant_name(p: Province) -> &'static str {
    match p {
        Province::Beijing => "Beijing",
        Province::Tianjin => "Tianjin",
        Province::Hebei => "Hebei",
        Province::Shanxi => "Shanxi",
        Province::InnerMongolia => "InnerMongolia",
        Province::Liaoning => "Liaoning",
        Province::Jilin => "Jilin",
        Province::Heilongjiang => "Heilongjiang",
        Province::Shanghai => "Shanghai",
        Province::Jiangsu => "Jiangsu",
        Province::Zhejiang => "Zhejiang",
        Province::Anhui => "Anhui",
        Province::Fujian => "Fujian",
        Province::Jiangxi => "Jiangxi",
        Province::Shandong => "Shandong",
        Province::Henan => "Henan",
        Province::Hubei => "Hubei",
        Province::Hunan => "Hunan",
        Province::Guangdong => "Guangdong",
        Province::Guangxi => "Guangxi",
        Province::Hainan => "Hainan",
        Province::Chongqing => "Chongqing",
        Province::Sichuan => "Sichuan",
        Province::Guizhou => "Guizhou",
        Province::Yunnan => "Yunnan",
        Province::Tibet => "Tibet",
        Province::Shaanxi => "Shaanxi",
        Province::Gansu => "Gansu",
        Province::Qinghai => "Qinghai",
        Province::Ningxia => "Ningxia",
        Province::Xinjiang => "Xinjiang",
    }
}

impl fmt::Display for Province {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Province {
    type Err = ProvinceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Province::lookup(s)
    }
}

impl TryFrom<&str> for Province {
    type Error = ProvinceError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Province::lookup(s)
    }
}

impl TryFrom<String> for Province {
    type Error = ProvinceError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Province::lookup(&s)
    }
}

impl From<Province> for String {
    fn from(p: Province) -> String {
        p.name().to_owned()
    }
}

impl AsRef<str> for Province {
    fn as_ref(&self) -> &str {
        self.name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_declaration_order() {
        assert_eq!(TABLE.len(), 31);
        for (i, p) in Province::ALL.iter().enumerate() {
            assert_eq!(TABLE[i].province, *p);
            assert_eq!(*p as usize, i);
            assert_eq!(p.network_code(), format!("{}01", p.gb2260_prefix()));
        }
    }

    #[test]
    fn every_form_round_trips() {
        for p in Province::ALL {
            for form in [
                p.abbreviation().to_string(),
                p.name().to_owned(),
                p.full_name().to_owned(),
                p.pinyin().to_owned(),
                p.pinyin().to_uppercase(),
                variant_name(p).to_owned(),
                p.gb2260_prefix().to_string(),
                p.gb2260_code().to_string(),
                p.network_code().to_owned(),
                p.to_string(),
            ] {
                assert_eq!(form.parse::<Province>(), Ok(p), "{form}");
            }
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(serde_json::from_str::<Province>(&json).unwrap(), p);
        }
    }

    #[test]
    fn unknown_names_are_errors() {
        for bad in [
            "",
            "假",
            "99",
            "4402",
            "440100",
            "广东东",
            "guang dong",
            "0000",
        ] {
            let err = bad.parse::<Province>().unwrap_err();
            assert_eq!(err.input(), bad);
            assert_eq!(err.to_string(), format!("unknown province `{bad}`"));
        }
    }
}
