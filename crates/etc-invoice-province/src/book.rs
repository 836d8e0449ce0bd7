//! The rule book: files in layers, resolved per province and date.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::sync::{Arc, LazyLock};

use chrono::NaiveDate;
use etc_invoice_order::Province;

use crate::RuleBookError;
use crate::schema::{Origin, Origins, ParsedFile, RuleSetV1, parse_file};

/// Declares the compiled-in data files, national first.
macro_rules! builtin_files {
    ($($name:literal),* $(,)?) => {
        const BUILTIN: &[(&str, &str)] = &[
            $((
                concat!("builtin:data/", $name, ".toml"),
                include_str!(concat!("../data/", $name, ".toml")),
            ),)*
        ];
    };
}

builtin_files!(
    "national",
    "beijing",
    "tianjin",
    "hebei",
    "shanxi",
    "neimenggu",
    "liaoning",
    "jilin",
    "heilongjiang",
    "shanghai",
    "jiangsu",
    "zhejiang",
    "anhui",
    "fujian",
    "jiangxi",
    "shandong",
    "henan",
    "hubei",
    "hunan",
    "guangdong",
    "guangxi",
    "hainan",
    "chongqing",
    "sichuan",
    "guizhou",
    "yunnan",
    "xizang",
    "shaanxi",
    "gansu",
    "qinghai",
    "ningxia",
    "xinjiang",
);

static BUILTIN_BOOK: LazyLock<RuleBook> = LazyLock::new(|| {
    #[expect(
        clippy::expect_used,
        reason = "the compiled-in data is fixed at build time and the test suite loads it"
    )]
    RuleBook::load_builtin().expect("the built-in rule data loads")
});

/// The provincial rule sets: national defaults, per-province overrides and
/// a deployment's overlays, each made of periods with an effective-from
/// date, resolved ahead of time for every province and effective date.
///
/// Cloning is cheap (the resolved tables are shared).
///
/// ```
/// use etc_invoice_province::RuleBook;
///
/// let book = RuleBook::builtin();
/// let rules = book.rules_for("粤".parse()?, "2024-03-05".parse()?)?;
/// assert_eq!(rules.timing.eligible_after_days, 7);
/// assert_eq!(rules.issuer.brand.as_deref(), Some("粤通卡"));
///
/// let book = book.overlay_toml_str("deploy.toml", r#"
///     version = 1
///     province = "广东"
///     [[period]]
///     effective_from = 2018-01-01
///     timing.latest_application_months = 24
/// "#)?;
/// let why = book.explain("粤".parse()?, "2024-03-05".parse()?, "timing.latest_application_months")?;
/// assert_eq!(why.value, "24");
/// assert_eq!(why.to_string(),
///     "`timing.latest_application_months` = `24` from overlay `deploy.toml` line 6 (in force from 2018-01-01)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct RuleBook {
    inner: Arc<Inner>,
}

struct Inner {
    /// Base files (national, then provinces, as given), then overlays in the
    /// order they were applied.
    files: Vec<BookFile>,
    /// One table per province, indexed by `Province as usize`.
    tables: Vec<Table>,
}

#[derive(Clone)]
struct BookFile {
    parsed: Arc<ParsedFile>,
    overlay: bool,
}

/// A province's resolved sets, sorted by the date each takes effect.
#[derive(Default)]
struct Table {
    starts: Vec<NaiveDate>,
    sets: Vec<Resolved>,
}

struct Resolved {
    rules: RuleSetV1,
    origins: Origins,
}

impl RuleBook {
    /// The built-in book (the compiled-in `data/*.toml`), loaded once per
    /// process and shared; this call is a reference-count increment.
    pub fn builtin() -> RuleBook {
        BUILTIN_BOOK.clone()
    }

    /// The built-in book, by reference.
    pub fn builtin_ref() -> &'static RuleBook {
        &BUILTIN_BOOK
    }

    /// Parses and resolves the compiled-in data afresh, through the same
    /// loader as [`RuleBook::from_toml_strs`] (what [`RuleBook::builtin`]
    /// does once).
    ///
    /// # Errors
    /// None in a released build: the data is tested.
    pub fn load_builtin() -> Result<RuleBook, RuleBookError> {
        RuleBook::from_toml_strs(BUILTIN.iter().copied())
    }

    /// The compiled-in data files as `(name, text)`, national first: a
    /// starting point for a deployment's own book.
    pub fn builtin_files() -> &'static [(&'static str, &'static str)] {
        BUILTIN
    }

    /// A book from one national rule file (no province files).
    ///
    /// # Errors
    /// As [`RuleBook::from_toml_strs`].
    pub fn from_toml_str(name: &str, text: &str) -> Result<RuleBook, RuleBookError> {
        RuleBook::from_toml_strs([(name, text)])
    }

    /// A book from rule files given as `(name, text)`: at most one national
    /// file (no `province` key) and at most one file per province. The name
    /// is what errors and explanations call the file.
    ///
    /// # Errors
    /// [`RuleBookError`] naming the file, line and key, for malformed TOML,
    /// unknown keys, an unsupported version, an unknown or repeated
    /// province, overlapping or out-of-order effective dates, a rate outside
    /// 0–1, a negative count, an empty list, or a rule with no value on some
    /// effective date.
    pub fn from_toml_strs<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<RuleBook, RuleBookError> {
        let mut parsed = Vec::new();
        let mut seen: BTreeMap<Option<Province>, String> = BTreeMap::new();
        for (name, text) in files {
            let file = parse_file(name, text)?;
            let scope = file.province.map(|(p, _)| p);
            if let Some(previous) = seen.get(&scope) {
                return Err(RuleBookError::DuplicateScope {
                    file: name.to_owned(),
                    line: file.province.map_or(1, |(_, line)| line),
                    scope: scope.map_or_else(|| "national".to_owned(), |p| p.name().to_owned()),
                    previous: previous.clone(),
                });
            }
            seen.insert(scope, name.to_owned());
            parsed.push(BookFile {
                parsed: Arc::new(file),
                overlay: false,
            });
        }
        RuleBook::resolve(parsed)
    }

    /// This book with a deployment's rule file laid over it. The file has the
    /// same form as a book's files; without a `province` key it applies to
    /// every province. Its values take precedence over every file before it
    /// (the national file, the province files and earlier overlays), from
    /// each period's effective date on.
    ///
    /// # Errors
    /// As [`RuleBook::from_toml_strs`], naming the overlay by `name`.
    pub fn overlay_toml_str(&self, name: &str, text: &str) -> Result<RuleBook, RuleBookError> {
        let file = parse_file(name, text)?;
        let mut files = self.inner.files.clone();
        files.push(BookFile {
            parsed: Arc::new(file),
            overlay: true,
        });
        RuleBook::resolve(files)
    }

    /// [`RuleBook::overlay_toml_str`] with a file read from `path`, named by
    /// its path.
    ///
    /// # Errors
    /// [`RuleBookError::Io`] when the file cannot be read, else as
    /// [`RuleBook::overlay_toml_str`].
    pub fn overlay_file(&self, path: impl AsRef<Path>) -> Result<RuleBook, RuleBookError> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| RuleBookError::Io {
            file: name.clone(),
            source,
        })?;
        self.overlay_toml_str(&name, &text)
    }

    /// The rule set in force for `province` on `date`.
    ///
    /// A binary search over the province's effective dates; nothing is
    /// computed or allocated.
    ///
    /// # Errors
    /// [`RuleBookError::TooEarly`] for a date before the province's earliest
    /// rules (2018-01-01 in the built-in book).
    #[inline]
    pub fn rules_for(
        &self,
        province: Province,
        date: NaiveDate,
    ) -> Result<&RuleSetV1, RuleBookError> {
        self.resolved(province, date).map(|r| &r.rules)
    }

    /// Where the value of `key` (`timing.eligible_after_days`; every key is
    /// in [`RuleSet::KEYS`](crate::RuleSet::KEYS)) in force for `province`
    /// on `date` came from.
    ///
    /// # Errors
    /// [`RuleBookError::UnknownRuleKey`] for a key the schema does not have;
    /// [`RuleBookError::TooEarly`] as for [`RuleBook::rules_for`].
    pub fn explain(
        &self,
        province: Province,
        date: NaiveDate,
        key: &str,
    ) -> Result<Provenance, RuleBookError> {
        let unknown = || RuleBookError::UnknownRuleKey {
            key: key.chars().take(64).collect(),
        };
        let static_key = RuleSetV1::KEYS
            .iter()
            .copied()
            .find(|k| *k == key)
            .ok_or_else(unknown)?;
        let resolved = self.resolved(province, date)?;
        let value = resolved.rules.value_of(key).ok_or_else(unknown)?;
        let origin = resolved.origins.origin_of(key).ok_or_else(unknown)?;
        let source = match origin {
            None => Source::Unset,
            Some(o) => self.source_of(o),
        };
        Ok(Provenance {
            key: static_key,
            value,
            source,
        })
    }

    /// The dates on which a new rule set takes effect for `province`, in
    /// order (empty when the book has no rules for it).
    pub fn effective_dates(&self, province: Province) -> &[NaiveDate] {
        self.inner
            .tables
            .get(province as usize)
            .map_or(&[], |t| t.starts.as_slice())
    }

    /// The names of the book's files: base files, then overlays.
    pub fn files(&self) -> impl Iterator<Item = &str> + '_ {
        self.inner.files.iter().map(|f| f.parsed.name.as_str())
    }

    #[inline]
    fn resolved(&self, province: Province, date: NaiveDate) -> Result<&Resolved, RuleBookError> {
        let table = self.inner.tables.get(province as usize);
        table
            .and_then(|t| {
                let n = t.starts.partition_point(|s| *s <= date);
                n.checked_sub(1).and_then(|i| t.sets.get(i))
            })
            .ok_or_else(|| RuleBookError::TooEarly {
                province,
                date,
                earliest: table.and_then(|t| t.starts.first().copied()),
            })
    }

    fn source_of(&self, o: Origin) -> Source {
        let Some(file) = self.inner.files.get(o.file) else {
            return Source::Unset;
        };
        let name = file.parsed.name.clone();
        let province = file.parsed.province.map(|(p, _)| p);
        match (file.overlay, province) {
            (true, province) => Source::Overlay {
                file: name,
                line: o.line,
                effective_from: o.effective_from,
                province,
            },
            (false, None) => Source::National {
                file: name,
                line: o.line,
                effective_from: o.effective_from,
            },
            (false, Some(province)) => Source::ProvinceFile {
                province,
                file: name,
                line: o.line,
                effective_from: o.effective_from,
            },
        }
    }

    /// Resolves every province at every effective date that concerns it.
    fn resolve(files: Vec<BookFile>) -> Result<RuleBook, RuleBookError> {
        let tables = Province::ALL
            .iter()
            .map(|p| resolve_province(&files, *p))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(RuleBook {
            inner: Arc::new(Inner { files, tables }),
        })
    }
}

/// The files that apply to `province`, lowest precedence first: the national
/// base file, the province's base file, then overlays (national or for this
/// province) in the order they were applied.
fn layers(files: &[BookFile], province: Province) -> Vec<usize> {
    let scope = |f: &BookFile| f.parsed.province.map(|(p, _)| p);
    let pick = |pred: &dyn Fn(&BookFile) -> bool| -> Vec<usize> {
        files
            .iter()
            .enumerate()
            .filter(|(_, f)| pred(f))
            .map(|(i, _)| i)
            .collect()
    };
    let mut order = pick(&|f| !f.overlay && scope(f).is_none());
    order.extend(pick(&|f| !f.overlay && scope(f) == Some(province)));
    order.extend(pick(&|f| {
        f.overlay && scope(f).is_none_or(|p| p == province)
    }));
    order
}

fn resolve_province(files: &[BookFile], province: Province) -> Result<Table, RuleBookError> {
    let order = layers(files, province);
    let periods = || {
        order
            .iter()
            .filter_map(|i| files.get(*i).map(|f| (*i, f)))
            .flat_map(|(i, f)| {
                f.parsed
                    .periods
                    .iter()
                    .enumerate()
                    .map(move |(pi, p)| (i, pi, p))
            })
    };
    let mut starts: Vec<NaiveDate> = periods().map(|(_, _, p)| p.effective_from).collect();
    starts.sort_unstable();
    starts.dedup();
    let mut sets = Vec::with_capacity(starts.len());
    for start in &starts {
        let mut origins = Origins::default();
        for (file, period, p) in periods().filter(|(_, _, p)| p.effective_from <= *start) {
            origins.apply(
                p,
                Origin {
                    file,
                    period,
                    line: p.line,
                    effective_from: p.effective_from,
                },
            );
        }
        let missing = |key: &'static str| {
            let (file, line) = periods()
                .find(|(_, _, p)| p.effective_from == *start)
                .and_then(|(f, _, p)| files.get(f).map(|f| (f.parsed.name.clone(), p.line)))
                .unwrap_or_default();
            RuleBookError::Missing {
                file,
                line,
                key: key.to_owned(),
                date: *start,
            }
        };
        let rules = origins.build(
            province,
            *start,
            |o| {
                files
                    .get(o.file)
                    .and_then(|f| f.parsed.periods.get(o.period))
            },
            missing,
        )?;
        sets.push(Resolved { rules, origins });
    }
    Ok(Table { starts, sets })
}

impl Default for RuleBook {
    /// The built-in book.
    fn default() -> RuleBook {
        RuleBook::builtin()
    }
}

impl fmt::Debug for RuleBook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuleBook")
            .field("files", &self.files().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// Where one rule's value came from, and the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// The rule key (`timing.eligible_after_days`).
    pub key: &'static str,
    /// The value, as text (`7`, `9% from 2019-04-01`, `perTrip, monthly`).
    pub value: String,
    /// Where it was set.
    pub source: Source,
}

/// The file, line and period that set a rule's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The national defaults file of the book.
    National {
        /// The file (`builtin:data/national.toml`).
        file: String,
        /// The line of the value.
        line: u32,
        /// The date the value's period takes effect.
        effective_from: NaiveDate,
    },
    /// A province's file in the book.
    ProvinceFile {
        /// The province.
        province: Province,
        /// The file (`builtin:data/guangdong.toml`).
        file: String,
        /// The line of the value.
        line: u32,
        /// The date the value's period takes effect.
        effective_from: NaiveDate,
    },
    /// A deployment's overlay.
    Overlay {
        /// The name the overlay was given, or its path.
        file: String,
        /// The line of the value.
        line: u32,
        /// The date the value's period takes effect.
        effective_from: NaiveDate,
        /// The province the overlay is for, `None` for all.
        province: Option<Province>,
    },
    /// No file sets this optional rule.
    Unset,
}

impl Source {
    /// The file, if a file set the value.
    pub fn file(&self) -> Option<&str> {
        match self {
            Source::National { file, .. }
            | Source::ProvinceFile { file, .. }
            | Source::Overlay { file, .. } => Some(file),
            Source::Unset => None,
        }
    }

    /// The line, if a file set the value.
    pub fn line(&self) -> Option<u32> {
        match self {
            Source::National { line, .. }
            | Source::ProvinceFile { line, .. }
            | Source::Overlay { line, .. } => Some(*line),
            Source::Unset => None,
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::National {
                file,
                line,
                effective_from,
            } => write!(
                f,
                "the national default `{file}` line {line} (in force from {effective_from})"
            ),
            Source::ProvinceFile {
                province,
                file,
                line,
                effective_from,
            } => write!(
                f,
                "the {province} file `{file}` line {line} (in force from {effective_from})"
            ),
            Source::Overlay {
                file,
                line,
                effective_from,
                ..
            } => write!(
                f,
                "overlay `{file}` line {line} (in force from {effective_from})"
            ),
            Source::Unset => f.write_str("no file"),
        }
    }
}

impl fmt::Display for Provenance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.source {
            Source::Unset => write!(f, "`{}` is unset: no file sets it", self.key),
            _ => write!(f, "`{}` = `{}` from {}", self.key, self.value, self.source),
        }
    }
}
